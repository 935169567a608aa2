"""``tactful report NAME``: one of the store's reports, as a table, CSV or JSON."""

from __future__ import annotations

import click

from tactful.cli.common import fail
from tactful.cli.options import config_option, db_option, format_option
from tactful.cli.store.common import console, echo, open_store_or_fail, store_errors
from tactful.sanitize import json_for_terminal

REPORT_NAMES = (
    "refusals_by_type",
    "refusals_by_policy",
    "alternatives_accepted",
    "csat_after_refusals",
    "followups_kept",
    "came_back",
    "sla_breaches",
    "scores_by_agent",
    "scores_over_time",
    "declined_ranked",
)


@click.command("report")
@click.argument("name", type=click.Choice(REPORT_NAMES))
@click.option("--csv", "csv_path", type=click.Path(dir_okay=False), help="Also write the table as CSV here.")
@format_option("table", "csv", "json")
@db_option()
@config_option
@store_errors
def report_command(
    name: str, csv_path: str | None, fmt: str, db_url: str | None, config_path: str | None
) -> None:
    """Print a report from the store (as a table, CSV or JSON)."""
    with open_store_or_fail(db_url, config_path) as store:
        table = store.report(name)
    if csv_path:
        try:
            table.to_csv(csv_path)
        except OSError as exc:
            fail(f"{csv_path}: cannot write: {exc.strerror}")
    if fmt == "csv":
        echo(table.to_csv(), nl=False)
    elif fmt == "json":
        click.echo(json_for_terminal(table.to_dict()))
    else:
        console().print(table.to_rich())
