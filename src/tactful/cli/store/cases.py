"""Store commands about customers and their cases: ``log`` a sent reply, a customer's ``history``,
their ``feedback`` and ``outcome``, and ``similar`` past cases."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from tactful.cli.common import fail
from tactful.cli.options import config_option, db_option, format_option
from tactful.cli.store.common import (
    console,
    echo,
    open_store_or_fail,
    parse_when,
    stamp,
    store_errors,
    styled,
)
from tactful.sanitize import json_for_terminal

if TYPE_CHECKING:
    from tactful.store import CustomerHistory


@click.command("log")
@click.argument("reply_file", type=click.Path(allow_dash=True, dir_okay=False))
@click.option("--customer", required=True, help="The customer's id (e.g. their helpdesk id or email).")
@click.option("--name", "customer_name", help="The customer's name, for drafts that greet them.")
@click.option(
    "--helpdesk", "helpdesk", multiple=True, metavar="NAME=ID", help="The customer's id in a helpdesk."
)
@click.option(
    "--message", "message_file", type=click.Path(dir_okay=False), help="File with the customer's message."
)
@click.option("--channel", help="email, chat, social … (the SLA comes from tactful.toml's channels).")
@click.option("--agent", help="Who sent the reply.")
@click.option("--received-at", help="When the customer's message arrived (ISO 8601).")
@click.option("--sent-at", help="When the reply was sent (ISO 8601; default: now).")
@click.option("--conversation", help="Conversation/ticket id (default: a new conversation).")
@click.option("--request-type", help="refund, return, feature_request … (default: read from the message).")
@click.option("--policy", "policy_id", help="Id of the policy the refusal applied.")
@click.option("--topic", help='What was asked for, to group declined requests (e.g. "dark mode").')
@click.option("--no-redact", is_flag=True, help="Keep emails, phone and card numbers as written.")
@format_option("text", "json")
@db_option()
@config_option
@store_errors
def log_command(
    reply_file: str,
    customer: str,
    customer_name: str | None,
    helpdesk: tuple[str, ...],
    message_file: str | None,
    channel: str | None,
    agent: str | None,
    received_at: str | None,
    sent_at: str | None,
    conversation: str | None,
    request_type: str | None,
    policy_id: str | None,
    topic: str | None,
    no_redact: bool,
    fmt: str,
    db_url: str | None,
    config_path: str | None,
) -> None:
    """Record a sent reply: analyze it, extract refusal, alternatives, promises and follow-ups."""
    from tactful.textio import read_text

    helpdesk_ids = {}
    for item in helpdesk:
        name, sep, value = item.partition("=")
        if not sep or not name.strip() or not value.strip():
            fail(f"--helpdesk: expected NAME=ID (e.g. zendesk=12345), not {item!r}")
        helpdesk_ids[name.strip()] = value.strip()
    reply = read_text(reply_file)
    message = read_text(message_file) if message_file else None
    received = parse_when(received_at, "--received-at")
    sent = parse_when(sent_at, "--sent-at")
    with open_store_or_fail(db_url, config_path) as store:
        case = store.log_reply(
            customer,
            reply,
            customer_message=message,
            channel=channel,
            agent=agent,
            received_at=received,
            sent_at=sent,
            conversation=conversation,
            request_type=request_type,
            policy_id=policy_id,
            topic=topic,
            customer_name=customer_name,
            helpdesk_ids=helpdesk_ids or None,
            redact=not no_redact,
        )
    if fmt == "json":
        click.echo(json_for_terminal(case.to_dict()))
        return
    kind = f"refusal ({case.request_type})" if case.is_refusal else "reply"
    echo(f"logged case #{case.id} for {case.customer}: {kind}, score {case.score}")
    if case.sla_breached:
        echo(f"  late: answered in {case.response_minutes:.0f} min, SLA {case.sla_minutes:.0f} min")
    if case.refusal:
        for alt in case.refusal.alternatives:
            echo(f"  alternative {alt.position} ({alt.kind}): {alt.text}")
    for p in case.promises:
        due = f" (due {stamp(p.due_at)})" if p.due_at else ""
        echo(f"  promise #{p.id}: {p.text}{due}")
    for f in case.followups:
        echo(f"  follow-up #{f.id} due {stamp(f.due_at)}")
    for finding in case.findings:
        if finding["characteristic"] in ("consistency", "timeliness"):
            echo(f"  {finding['characteristic']}: {finding['message']}")


def _print_history(h: CustomerHistory) -> None:
    out = console()
    out.print(styled((h.name or h.customer, "bold"), f" ({h.customer}) — {len(h.cases)} case(s)"))
    for c in h.cases:
        what = f"refused {c.request_type}" if c.is_refusal else (c.request_type or "reply")
        meta = ", ".join(x for x in (c.channel, c.agent and f"by {c.agent}") if x)
        out.print(
            styled("\n", (f"case #{c.id}", "bold"), f" {stamp(c.sent_at)} {what} — score {c.score} ({meta})")
        )
        if c.customer_message:
            out.print(styled(f"  customer: {c.customer_message}"))
        out.print(styled(f"  reply: {c.reply}"))
        if c.refusal:
            for alt in c.refusal.alternatives:
                mark = " [accepted]" if alt.accepted else ""
                out.print(styled(f"  alternative {alt.position}: {alt.text}{mark}"))
        for p in c.promises:
            out.print(styled(f"  promise: {p.text} — {p.status}"))
        for fb in c.feedback:
            out.print(styled(f"  feedback: CSAT {fb.csat}" + (f" — {fb.comment}" if fb.comment else "")))
    open_items = [f for f in h.followups if f.status == "open"]
    if open_items:
        out.print(styled("\n", ("open follow-ups", "bold")))
        for f in open_items:
            out.print(styled(f"  #{f.id} due {stamp(f.due_at)}{' (overdue)' if f.overdue else ''}: {f.note}"))
    for o in h.outcomes:
        out.print(styled(f"outcome: {o.outcome} on {o.at:%Y-%m-%d}"))
    if h.declined_topics:
        out.print(styled("declined requests: " + ", ".join(h.declined_topics)))


@click.command("history")
@click.argument("customer")
@format_option("text", "json")
@db_option()
@config_option
@store_errors
def history_command(customer: str, fmt: str, db_url: str | None, config_path: str | None) -> None:
    """Show what CUSTOMER was told: cases, refusals, promises, follow-ups, feedback, outcomes."""
    with open_store_or_fail(db_url, config_path) as store:
        h = store.history(customer)
    if fmt == "json":
        click.echo(json_for_terminal(h.to_dict()))
    else:
        _print_history(h)


@click.command("feedback")
@click.argument("case_id", type=int)
@click.argument("csat", type=click.IntRange(1, 5))
@click.option("--comment", help="What the customer said.")
@click.option("--accepted", type=int, metavar="N", help="The customer took alternative N of the refusal.")
@db_option()
@config_option
@store_errors
def feedback_command(
    case_id: int,
    csat: int,
    comment: str | None,
    accepted: int | None,
    db_url: str | None,
    config_path: str | None,
) -> None:
    """Record the customer's CSAT (1–5) for case CASE_ID."""
    with open_store_or_fail(db_url, config_path) as store:
        store.add_feedback(case_id, csat, comment)
        if accepted is not None:
            store.accept_alternative(case_id, accepted)
    echo(f"feedback recorded for case #{case_id}")


@click.command("outcome")
@click.argument("customer")
@click.argument("outcome", type=click.Choice(["came_back", "bought_again", "churned"]))
@click.option("--at", "at", help="When (ISO 8601; default: now).")
@db_option()
@config_option
@store_errors
def outcome_command(
    customer: str, outcome: str, at: str | None, db_url: str | None, config_path: str | None
) -> None:
    """Record what CUSTOMER did later: came_back, bought_again or churned."""
    with open_store_or_fail(db_url, config_path) as store:
        store.record_outcome(customer, outcome, parse_when(at, "--at"))  # type: ignore[arg-type]
    echo(f"{customer}: {outcome}")


@click.command("similar")
@click.argument("query")
@click.option("--limit", type=click.IntRange(1, 100), default=5, show_default=True)
@db_option()
@config_option
@store_errors
def similar_command(query: str, limit: int, db_url: str | None, config_path: str | None) -> None:
    """Past cases most like QUERY: how a similar ask was answered before."""
    with open_store_or_fail(db_url, config_path) as store:
        hits = store.search_cases(query, limit)
    if not hits:
        echo("no similar cases")
    for h in hits:
        echo(f"case #{h.case_id} {h.sent_at:%Y-%m-%d} {h.customer} score {h.score}")
        if h.customer_message:
            echo(f"  customer: {h.customer_message}")
        echo(f"  reply: {h.reply}")
