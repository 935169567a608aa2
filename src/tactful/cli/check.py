"""``tactful check REPLY``: analyze one reply (against the store's history with ``--customer-id``)."""

from __future__ import annotations

import json
import sys

import click

from tactful.cli.common import fail, load_config_or_fail
from tactful.cli.options import config_option, db_option, format_option
from tactful.sanitize import json_for_terminal


@click.command()
@click.argument("reply", type=click.Path(allow_dash=True, dir_okay=False))
@click.option(
    "--customer", type=click.Path(allow_dash=True, dir_okay=False), help="File with the customer's message."
)
@click.option(
    "--context",
    "context_file",
    type=click.Path(dir_okay=False),
    help="JSON file: policy, history, channel, received_at, replied_at.",
)
@click.option(
    "--customer-id", help="A customer the store knows: check the reply against what they were told before."
)
@db_option(help="The store for --customer-id (default: see `tactful log`).")
@format_option("text", "json")
@config_option
@click.option("--fail-under", type=click.IntRange(0, 100), help="Exit 1 when the score is below this.")
def check(
    reply: str,
    customer: str | None,
    context_file: str | None,
    customer_id: str | None,
    db_url: str | None,
    fmt: str,
    config_path: str | None,
    fail_under: int | None,
) -> None:
    """Analyze the reply in REPLY (a file, or - for standard input)."""
    from tactful import TextTooLarge, analyze
    from tactful.analysis_report import print_report
    from tactful.textio import InputError, read_text

    config = load_config_or_fail(config_path)
    try:
        text = read_text(reply)
        customer_text = read_text(customer) if customer else None
        context = None
        if context_file:
            try:
                context = json.loads(read_text(context_file))
            except json.JSONDecodeError as exc:
                fail(f"{context_file}: not valid JSON: {exc}")
            if not isinstance(context, dict):
                fail(f"{context_file}: the context must be a JSON object")
        if customer_id:
            from tactful.store import StoreError, open_store

            try:
                with open_store(db_url, config=config) as store:
                    analysis = store.analyze(
                        customer_id, text, customer_message=customer_text, context=context
                    )
            except StoreError as exc:
                fail(str(exc))
        else:
            analysis = analyze(text, customer_text, context, config=config)
    except (InputError, TextTooLarge, ValueError) as exc:
        fail(str(exc))
    if fmt == "json":
        click.echo(json_for_terminal(analysis.to_dict()))
    else:
        print_report(analysis)
    if fail_under is not None and analysis.score < fail_under:
        sys.exit(1)
