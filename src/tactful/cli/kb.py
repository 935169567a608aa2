"""``tactful kb``: check, search and decide over a folder of policy files; import the ABCD manual."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

import click

from tactful.cli.common import fail
from tactful.sanitize import json_for_terminal

if TYPE_CHECKING:
    from tactful.config import Config


KB_HELP = (
    "Policy folder, or 'example' for the example store "
    "(default: $TACTFUL_KB, [kb] in tactful.toml, else none)."
)


def load_inputs_or_fail(
    config_path: str | None, kb_dir: str | None, path: str, other: str | None = None, *, use_kb: bool = True
) -> tuple[Config, str, str | None, Any]:
    """What ``draft`` and ``rewrite`` start from: the config, the text of ``path`` (and of ``other``
    when given), and the KB that is configured (``--kb``, ``$TACTFUL_KB``, ``[kb]``), or None."""
    from tactful.config import ConfigError, load_config
    from tactful.kb import configured_kb
    from tactful.textio import InputError, read_text

    try:
        config = load_config(config_path)
        text = read_text(path)
        other_text = read_text(other) if other else None
    except (ConfigError, InputError) as exc:
        fail(str(exc))
    where = configured_kb(kb_dir, config) if use_kb else None
    knowledge = load_kb_or_fail(str(where)) if where is not None else None
    return config, text, other_text, knowledge


def load_kb_or_fail(directory: str) -> Any:
    from tactful.kb import KBError, load_kb
    from tactful.textio import InputError

    try:
        return load_kb(directory)
    except InputError as exc:
        fail(str(exc))
    except KBError as exc:
        more = f" (and {len(exc.issues) - 1} more)" if len(exc.issues) > 1 else ""
        fail(f"{exc.issues[0]}{more}; run `tactful kb check {directory}`")


@click.group("kb")
def kb() -> None:
    """The policy knowledge base: Markdown policies with YAML front matter."""


@kb.command("check")
@click.argument("directory", type=click.Path())
def check_command(directory: str) -> None:
    """Validate every policy in DIRECTORY; print each problem as FILE:LINE: message."""
    from tactful.kb import check_kb
    from tactful.textio import InputError

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
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def search_command(directory: str, query: str, limit: int, fmt: str) -> None:
    """Full-text search (SQLite FTS5) over the policies in DIRECTORY."""
    from tactful.kb import SearchIndex

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


def parse_facts(pairs: tuple[str, ...]) -> dict[str, str]:
    facts: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            fail(f"--fact {pair!r}: expected NAME=VALUE, e.g. --fact purchase_date=2026-01-02")
        facts[name.strip()] = value.strip()
    return facts


@kb.command("decide")
@click.argument("directory", type=click.Path())
@click.option("--type", "request_type", required=True, help="Request type, e.g. refund, return, discount.")
@click.option("--fact", "facts", multiple=True, metavar="NAME=VALUE", help="A fact (repeatable).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def decide_command(directory: str, request_type: str, facts: tuple[str, ...], fmt: str) -> None:
    """Decide a request against the policies in DIRECTORY: allow, refuse, needs_approval or needs_info."""
    from tactful.kb import decide

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
def import_abcd_command(guidelines: str, out_dir: str, kb_json: str | None, ontology: str | None) -> None:
    """Convert the ABCD agent guidelines (guidelines.json) into policy files in OUT_DIR."""
    from tactful.kb import check_kb
    from tactful.kb.abcd import convert
    from tactful.textio import InputError

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
