"""``tactful rules``: the rule list, as a table or as the Markdown of docs/rules.md."""

from __future__ import annotations

import click

from tactful.cli.common import check_config_or_fail
from tactful.cli.options import checked_config_option, format_option


@click.command("rules")
@format_option("table", "markdown")
@checked_config_option
def rules_command(fmt: str, config_path: str | None) -> None:
    """List every rule: id, characteristic, level and source."""
    from tactful.rules import load_rules
    from tactful.rules.reference import markdown

    check_config_or_fail(config_path)
    if fmt == "markdown":
        click.echo(markdown(), nl=False)
        return
    from rich.console import Console
    from rich.table import Table

    table = Table("rule", "characteristic", "level", "source")
    for rule in load_rules():
        table.add_row(
            rule.id, rule.characteristic, f"style.{rule.style}" if rule.style else rule.level, rule.source
        )
    Console().print(table)
