"""The ``tactful`` command line: a thin click layer over the Python API."""

from __future__ import annotations

import json
import sys
from typing import Any

import click

from tactful import __version__
from tactful.cli.common import fail
from tactful.sanitize import json_for_terminal


def _config(path: str | None) -> Any:
    from tactful.config import ConfigError, load_config

    try:
        return load_config(path)
    except ConfigError as exc:
        fail(str(exc))


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="tactful")
def main() -> None:
    """tactful: say no to customers and keep them."""


@main.command()
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
@click.option(
    "--db", "db_url", metavar="URL", help="The store for --customer-id (default: see `tactful log`)."
)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--config", "config_path", type=click.Path(dir_okay=False), help="tactful.toml to use.")
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
    from tactful.analyzer.core import TextTooLarge, analyze
    from tactful.report import print_report
    from tactful.textio import InputError, read_text

    config = _config(config_path)
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


@main.command("rules")
@click.option("--format", "fmt", type=click.Choice(["table", "markdown"]), default="table", show_default=True)
def rules_command(fmt: str) -> None:
    """List every rule: id, characteristic, level and source."""
    from tactful.rules import load_rules
    from tactful.rules.reference import markdown

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


EVALUATIONS = {
    "real": "Real customer-care replies judged as a reviewer does (companies held out)",
    "seeds": "The seeds' before/after phrasings (the overall score must order every pair)",
    "refusal": "is_refusal on Schema-Guided Dialogue outcomes and real agent replies",
    "politeness": "Politeness: the Stanford corpus' binary task (top vs bottom quartile, within domain)",
}


@main.command("eval")
@click.argument("what", nargs=-1, type=click.Choice(list(EVALUATIONS)))
@click.option(
    "--data",
    "data_dir",
    type=click.Path(file_okay=False),
    help="The shared data folder (default: $TACTFUL_SHARED_DATA or ../shared/data).",
)
@click.option("--out", type=click.Path(dir_okay=False), help="Write the Markdown report here too.")
def eval_command(what: tuple[str, ...], data_dir: str | None, out: str | None) -> None:
    """Measure the analyzer: real replies, seed before/after pairs, is_refusal, politeness (default: all)."""
    from pathlib import Path

    from tactful.evaluation import default_data_dir, politeness, real_replies, refusal, seeds

    folder = Path(data_dir) if data_dir else default_data_dir()
    sections = []
    for name in what or EVALUATIONS:
        try:
            if name == "real":
                body = real_replies.format_report(real_replies.evaluate(folder))
            elif name == "seeds":
                body = seeds.format_report(seeds.evaluate())
            elif name == "refusal":
                body = refusal.format_report(refusal.evaluate(folder))
            else:
                body = politeness.format_report(politeness.evaluate(folder))
        except FileNotFoundError as exc:
            fail(str(exc))
        sections.append(f"## {EVALUATIONS[name]}\n\n{body}\n")
    report = (
        "# tactful evaluation\n\nMade by `tactful eval --out docs/evaluation.md` "
        f"(data: `{folder}`).\n\n" + "\n".join(sections)
    )
    click.echo(report)
    if out:
        Path(out).write_text(report, encoding="utf-8")


def _register_optional_commands() -> None:
    """Commands that live in their own modules (each imports its heavy parts lazily)."""
    from tactful.cli.batch import batch
    from tactful.cli.draft import draft
    from tactful.cli.kb import kb
    from tactful.cli.pull import pull
    from tactful.cli.qa import qa
    from tactful.cli.rewrite import rewrite
    from tactful.cli.serve import serve
    from tactful.cli.store import register as register_store_commands
    from tactful.cli.understand import understand

    for command in (batch, draft, kb, pull, qa, rewrite, serve, understand):
        main.add_command(command)
    register_store_commands(main)  # log, history, followups, requests, report, export, import, users…


_register_optional_commands()

if __name__ == "__main__":
    main()
