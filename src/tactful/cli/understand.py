"""``tactful understand``: read a customer's message (request, mood, escalation, details, what to ask).

Registered by ``cli.py`` with ``main.add_command(understand)``; the logic lives in
:mod:`tactful.understanding`.
"""

from __future__ import annotations

import click

from tactful.cli.common import fail
from tactful.sanitize import json_for_terminal


@click.command("understand")
@click.argument("message", type=click.Path(allow_dash=True, dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def understand(message: str, fmt: str) -> None:
    """Understand the customer's message in MESSAGE (a file, or - for standard input)."""
    from tactful.textio import InputError, read_text
    from tactful.understanding import understand as understand_message

    try:
        text = read_text(message)
    except InputError as exc:
        fail(str(exc))
    result = understand_message(text)
    if result.status == "too_large":
        fail(f"{'<stdin>' if message == '-' else message}: {result.note}")
    if fmt == "json":
        click.echo(json_for_terminal(result.to_dict()))
    else:
        from tactful.understanding.report import print_report

        print_report(result)
