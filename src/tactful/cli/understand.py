"""``tactful understand``: read a customer's message (request, mood, escalation, details, what to ask).

The logic lives in :mod:`tactful.understanding`; this is its click layer.
"""

from __future__ import annotations

import click

from tactful.cli.common import check_config_or_fail, fail
from tactful.cli.options import checked_config_option, format_option
from tactful.sanitize import json_for_terminal


@click.command("understand")
@click.argument("message", type=click.Path(allow_dash=True, dir_okay=False))
@format_option("text", "json")
@checked_config_option
def understand(message: str, fmt: str, config_path: str | None) -> None:
    """Understand the customer's message in MESSAGE (a file, or - for standard input)."""
    from tactful import understand as understand_message
    from tactful.textio import InputError, read_text

    check_config_or_fail(config_path)
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
        from tactful.understanding.message_report import print_report

        print_report(result)
