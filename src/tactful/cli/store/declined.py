"""``tactful requests list|ship``: declined requests by topic, and telling the customers who asked
once a topic ships."""

from __future__ import annotations

import click

from tactful.cli.options import config_option, db_option, format_option
from tactful.cli.store.common import console, echo, open_store_or_fail, store_errors, styled
from tactful.sanitize import json_for_terminal


@click.group("requests")
def requests_group() -> None:
    """Declined requests, grouped by topic."""


@requests_group.command("list")
@format_option("text", "json")
@db_option()
@config_option
@store_errors
def requests_list(fmt: str, db_url: str | None, config_path: str | None) -> None:
    """Declined requests by topic, most-asked first."""
    from rich.table import Table

    with open_store_or_fail(db_url, config_path) as store:
        topics = store.declined_requests()
    if fmt == "json":
        click.echo(json_for_terminal([t.to_dict() for t in topics]))
        return
    if not topics:
        echo("no declined requests yet")
        return
    table = Table("topic", "customers", "last asked", "status")
    for t in topics:
        table.add_row(styled(t.topic), str(t.customers), f"{t.last_asked:%Y-%m-%d}", t.status)
    console().print(table)


@requests_group.command("ship")
@click.argument("topic")
@format_option("text", "json")
@db_option()
@config_option
@store_errors
def requests_ship(topic: str, fmt: str, db_url: str | None, config_path: str | None) -> None:
    """Mark TOPIC as now possible and draft a notification to every customer who asked."""
    with open_store_or_fail(db_url, config_path) as store:
        notices = store.ship_request(topic)
    if fmt == "json":
        click.echo(json_for_terminal([n.to_dict() for n in notices]))
        return
    echo(f"{topic}: shipped; {len(notices)} customer(s) to tell")
    for n in notices:
        echo(f"\n--- to {n.name or n.customer} ({n.customer}), asked {n.asked_at:%Y-%m-%d}, score {n.score}")
        echo(n.draft)
