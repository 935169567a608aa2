"""``tactful kb``: check, search and decide over a folder of policy files; import the ABCD manual."""

from __future__ import annotations

import sys

import click

from tactful.cli.common import check_config_or_fail, fail
from tactful.cli.inputs import load_kb_or_fail, parse_facts
from tactful.cli.options import checked_config_option, fact_option, format_option
from tactful.sanitize import json_for_terminal


@click.group("kb")
def kb() -> None:
    """The policy knowledge base: Markdown policies with YAML front matter."""


@kb.command("check")
@click.argument("directory", type=click.Path())
@checked_config_option
def check_command(directory: str, config_path: str | None) -> None:
    """Validate every policy in DIRECTORY; print each problem as FILE:LINE: message."""
    from tactful.kb import check_kb
    from tactful.textio import InputError

    check_config_or_fail(config_path)
    try:
        knowledge, issues = check_kb(directory)
    except InputError as exc:
        fail(str(exc))
    if issues or knowledge is None:
        for issue in issues:
            click.echo(str(issue))
        sys.exit(1)
    types = sorted({t for p in knowledge.policies.values() for t in p.request_types})
    alternatives = sum(len(p.alternatives) for p in knowledge.policies.values())
    click.echo(
        f"ok: {len(knowledge)} policies, {alternatives} alternatives, {len(knowledge.fact_types)} facts, "
        f"request types: {', '.join(types)}"
    )


@kb.command("search")
@click.argument("directory", type=click.Path())
@click.argument("query")
@click.option("--limit", type=click.IntRange(1, 100), default=5, show_default=True)
@format_option("text", "json")
@checked_config_option
def search_command(directory: str, query: str, limit: int, fmt: str, config_path: str | None) -> None:
    """Full-text search (SQLite FTS5) over the policies in DIRECTORY."""
    from tactful.kb import SearchIndex

    check_config_or_fail(config_path)
    index = SearchIndex(load_kb_or_fail(directory))
    hits = index.search(query, limit)
    if fmt == "json":
        click.echo(json_for_terminal([h._asdict() for h in hits]))
        return
    if not index.uses_fts5:
        click.echo("note: this Python's SQLite has no FTS5; using a plain LIKE search", err=True)
    if not hits:
        click.echo("no matching policy")
    for h in hits:
        click.echo(f"{h.policy_id}  {h.title}  ({h.score:.2f})\n    {' '.join(h.snippet.split())}")


@kb.command("decide")
@click.argument("directory", type=click.Path())
@click.option("--type", "request_type", required=True, help="Request type, e.g. refund, return, discount.")
@fact_option()
@format_option("text", "json")
@checked_config_option
def decide_command(
    directory: str, request_type: str, facts: tuple[str, ...], fmt: str, config_path: str | None
) -> None:
    """Decide a request against the policies in DIRECTORY: allow, refuse, needs_approval or needs_info."""
    from tactful import decide

    check_config_or_fail(config_path)
    knowledge = load_kb_or_fail(directory)
    try:
        decision = decide(request_type, parse_facts(facts), knowledge)
    except ValueError as exc:
        fail(str(exc))
    if fmt == "json":
        click.echo(json_for_terminal(decision.to_dict()))
        return
    policy = decision.policy
    click.echo(f"{decision.outcome}" + (f"  ({policy.id}: {policy.title})" if policy else ""))
    if policy and decision.outcome in ("refuse", "needs_approval"):
        click.echo(f"reason: {policy.reason}")
    for note in decision.notes:
        click.echo(f"note: {note}")
    if decision.missing:
        click.echo("ask for: " + ", ".join(decision.missing))
    for i, alt in enumerate(decision.alternatives, 1):
        click.echo(f"alternative {i}: {alt.text}  [{alt.id}]")
    if decision.channel_note:
        click.echo(f"channel: {decision.channel_note}")


@kb.command("import-abcd")
@click.argument("guidelines", type=click.Path())
@click.argument("out_dir", type=click.Path(file_okay=False))
@click.option("--kb-json", type=click.Path(dir_okay=False), help="kb.json (default: next to GUIDELINES).")
@click.option(
    "--ontology", type=click.Path(dir_okay=False), help="ontology.json (default: next to GUIDELINES)."
)
@checked_config_option
def import_abcd_command(
    guidelines: str, out_dir: str, kb_json: str | None, ontology: str | None, config_path: str | None
) -> None:
    """Convert the ABCD agent guidelines (guidelines.json) into policy files in OUT_DIR."""
    from tactful.kb import check_kb
    from tactful.kb.abcd import convert
    from tactful.textio import InputError

    check_config_or_fail(config_path)
    try:
        report = convert(guidelines, out_dir, kb_json, ontology)
    except (InputError, OSError) as exc:
        fail(str(exc))
    _, issues = check_kb(out_dir)
    for issue in issues:
        click.echo(str(issue), err=True)
    click.echo(
        f"wrote {len(report.written)} policies to {out_dir}: {len(report.encoded)} with a decision rule, "
        f"{len(report.informational)} informational"
        + (f"; rules left out because the manual changed: {', '.join(report.stale)}" if report.stale else "")
    )
    if issues:
        sys.exit(1)
