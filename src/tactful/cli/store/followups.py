"""``tactful followups due|done``: the follow-ups promised to customers."""

from __future__ import annotations

from datetime import datetime, time, timezone

import click

from tactful.cli.common import fail
from tactful.cli.options import config_option, db_option, format_option
from tactful.cli.store.common import console, echo, open_store_or_fail, stamp, store_errors, styled
from tactful.sanitize import json_for_terminal


@click.group("followups")
def followups_group() -> None:
    """Follow-ups promised to customers."""


@followups_group.command("due")
@click.option("--webhook", metavar="URL", help="POST a JSON reminder for each due follow-up to this URL.")
@format_option("text", "json")
@db_option()
@config_option
@store_errors
def followups_due(webhook: str | None, fmt: str, db_url: str | None, config_path: str | None) -> None:
    """List follow-ups due today or overdue."""
    from rich.table import Table

    from tactful.store.reminders import WebhookError, send_reminders

    end_of_day = datetime.combine(datetime.now(timezone.utc).date(), time.max, tzinfo=timezone.utc)
    with open_store_or_fail(db_url, config_path) as store:
        items = store.followups(due_before=end_of_day)
    if fmt == "json":
        click.echo(json_for_terminal([i.to_dict() for i in items]))
    elif not items:
        echo("no follow-ups due")
    else:
        table = Table("id", "customer", "due (UTC)", "owner", "state", "note")
        for i in items:
            table.add_row(
                str(i.id),
                styled(i.customer),
                stamp(i.due_at),
                styled(i.owner or ""),
                "overdue" if i.overdue else "due",
                styled(i.note),
            )
        console().print(table)
    if webhook and items:
        try:
            sent = send_reminders(webhook, items)
        except WebhookError as exc:
            fail(str(exc))
        echo(f"sent {sent} reminder(s) to {webhook}", err=fmt == "json")


@followups_group.command("done")
@click.argument("followup_id", type=int)
@db_option()
@config_option
@store_errors
def followups_done(followup_id: int, db_url: str | None, config_path: str | None) -> None:
    """Mark follow-up FOLLOWUP_ID done (its promise counts as kept)."""
    with open_store_or_fail(db_url, config_path) as store:
        store.complete_followup(followup_id)
    echo(f"follow-up #{followup_id} done")
