"""``tactful rewrite``: the agent's own draft, fixed by the method, shown as a diff."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import click

from tactful.cli.common import fail
from tactful.cli.inputs import load_inputs_or_fail, parse_facts
from tactful.cli.options import config_option, fact_option, format_option, kb_option
from tactful.sanitize import for_terminal, json_for_terminal

if TYPE_CHECKING:
    from tactful.composer import Rewrite


@click.command("rewrite")
@click.argument("draft", type=click.Path(allow_dash=True, dir_okay=False))
@click.option("--customer", type=click.Path(allow_dash=True, dir_okay=False), help="The customer's message.")
@kb_option
@click.option("--no-kb", is_flag=True, help="Use no policies: add no reason or alternative from a KB.")
@fact_option()
@click.option("--type", "request_type", help="Request type, when the message doesn't make it clear.")
@click.option("--channel", type=click.Choice(["email", "chat", "social"]), default="email", show_default=True)
@click.option("--thread", is_flag=True, help="social: over 280 characters, write it as numbered tweets.")
@click.option("--polish", is_flag=True, help="Have the LLM in tactful.toml [llm] reword it (guarded).")
@format_option("text", "json", "diff")
@config_option
def rewrite(
    draft: str,
    customer: str | None,
    kb_dir: str | None,
    no_kb: bool,
    facts: tuple[str, ...],
    request_type: str | None,
    channel: str,
    thread: bool,
    polish: bool,
    fmt: str,
    config_path: str | None,
) -> None:
    """Rewrite the agent's DRAFT (a file, or - for standard input); the decision never changes.
    A draft that opens with an @handle is a public post: its handle stays first, its sign-off last."""
    from tactful import rewrite as do_rewrite

    if customer == "-" and draft == "-":
        fail("the draft and the customer's message can't both come from standard input")
    config, text, message, knowledge = load_inputs_or_fail(
        config_path, kb_dir, draft, customer, use_kb=not no_kb
    )
    try:
        result = do_rewrite(
            text,
            message,
            facts=parse_facts(facts),
            kb=knowledge,
            config=config,
            request_type=request_type,
            channel=channel,
            polish=polish,
            thread=thread,
        )
    except ValueError as exc:  # empty draft, a fact of the wrong type, an unknown request type
        fail(str(exc))
    if fmt == "json":
        click.echo(json_for_terminal(result.to_dict()))
        return
    if fmt == "diff":
        click.echo(for_terminal(result.diff), nl=False)
        return
    _print(result)


def _print(result: Rewrite) -> None:
    from rich.console import Console
    from rich.text import Text

    console = Console(highlight=False)
    below = "  [red]BELOW THE TEAM THRESHOLD: edit before sending[/red]" if result.below_threshold else ""
    console.print(f"[bold]Score {result.before['score']} → {result.score}[/bold]" + below)
    console.print()
    console.print(word_diff(result.original, result.text, console.is_terminal))
    console.print()
    for change in result.changes:
        what = change.kind.replace("_", " ")
        source = f" (from {change.source})" if change.source != "draft" else ""
        detail = f"“{change.before}” → “{change.after}”" if change.before else f"“{change.after}”"
        console.print(Text(for_terminal(f"• {what}{source}: {detail}")))
    for note in [*result.notes, *(f"kept the draft: {g}" for g in result.guard)]:
        console.print(Text(for_terminal(f"! {note}"), style="yellow"))
    if result.polish is not None:
        verdict = (
            "accepted" if result.polish["accepted"] else "rejected: " + "; ".join(result.polish["reasons"])
        )
        console.print(Text(f"LLM polish ({result.polish['model']}) {verdict}", style="cyan"))
    console.print()
    console.print("[bold]Rewritten reply[/bold]")
    if result.thread:
        for tweet in result.thread:
            console.print(Text(for_terminal(tweet)))
            console.print()
        return
    console.print(Text(for_terminal(result.text)))


_FILLER = frozenset("a an and as at for i in is it of on or the this to we you".split())


def _filler(word: str) -> bool:
    """Short common words never anchor a match on their own (an "as" here and one there)."""
    return word.strip().lower() in _FILLER


# SequenceMatcher's time grows with the product of the two lengths: beyond this many word pairs
# (about 30 ms; a 1,000-word draft) the diff is by sentence, so a huge draft cannot take minutes.
DIFF_BUDGET = 1_000_000
_SENTENCE = re.compile(r"[^.!?\n]*(?:[.!?]+\s*|\n\s*|$)")


def word_diff(before: str, after: str, color: bool) -> object:
    """The edit word by word: in colour on a terminal, else as ``[-removed-]{+added+}`` (git's style)."""
    import difflib

    from rich.text import Text

    before, after = for_terminal(before), for_terminal(after)
    old, new = re.findall(r"\S+\s*", before), re.findall(r"\S+\s*", after)
    if len(old) * len(new) > DIFF_BUDGET:  # matching compares pairs: whole sentences, not words
        old, new = _SENTENCE.findall(before), _SENTENCE.findall(after)
        if len(old) * len(new) > DIFF_BUDGET:
            return Text("(too long to show the changes word by word: the rewritten reply follows)")
    out = Text()
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(_filler, old, new, autojunk=False).get_opcodes():
        removed, added = "".join(old[i1:i2]), "".join(new[j1:j2])
        if op == "equal":
            out.append(removed)
            continue
        if removed:
            out.append(removed, style="red strike") if color else out.append(f"[-{removed.rstrip()}-] ")
        if added:
            out.append(added, style="green") if color else out.append(f"{{+{added.rstrip()}+}} ")
    return out
