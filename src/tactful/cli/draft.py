"""``tactful draft``: understand a customer's message, decide from the policies, draft the reply."""

from __future__ import annotations

import click

from tactful.cli.common import fail
from tactful.cli.inputs import load_inputs_or_fail, parse_facts
from tactful.cli.options import config_option, fact_option, format_option, kb_option
from tactful.sanitize import for_terminal, json_for_terminal


@click.command("draft")
@click.argument("message", type=click.Path(allow_dash=True, dir_okay=False))
@kb_option
@fact_option()
@click.option("--type", "request_type", help="Request type, when the message doesn't make it clear.")
@click.option("--channel", type=click.Choice(["email", "chat", "social"]), default="email", show_default=True)
@click.option("--variants", type=click.IntRange(1, 3), default=1, show_default=True)
@format_option("text", "json")
@config_option
def draft(
    message: str,
    kb_dir: str | None,
    facts: tuple[str, ...],
    request_type: str | None,
    channel: str,
    variants: int,
    fmt: str,
    config_path: str | None,
) -> None:
    """Draft a reply to the customer's MESSAGE (a file, or - for standard input)."""
    from tactful import compose

    config, text, _, knowledge = load_inputs_or_fail(config_path, kb_dir, message)
    try:
        drafts = compose(
            text,
            parse_facts(facts),
            knowledge,
            channel=channel,
            config=config,
            variants=variants,
            request_type=request_type,
        )
    except ValueError as exc:  # empty message, a fact of the wrong type, an unknown request type
        fail(str(exc))
    if fmt == "json":
        click.echo(json_for_terminal([d.to_dict() for d in drafts]))
        return
    for d in drafts:
        warning = "  BELOW THE TEAM THRESHOLD: edit before sending" if d.below_threshold else ""
        policy = d.decision.get("policy")
        decided = f"{d.decision.get('outcome')} ({policy['id']})" if policy else "no policy applied"
        click.echo(f"── draft {d.variant + 1} · {d.channel} · score {d.score}/100 · {decided}{warning}")
        click.echo(for_terminal(d.text))
        for note in d.notes:
            click.echo(for_terminal(f"! {note}"))
        click.echo()
