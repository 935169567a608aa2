"""CLI for the store: log replies, read a customer's history, follow-ups, declined requests,
reports, export/import and users. Thin: each command calls :mod:`tactful.store`."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time, timezone
from functools import wraps
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

import click

from tactful.cli.common import fail
from tactful.sanitize import for_terminal, json_for_terminal

if TYPE_CHECKING:
    from tactful.store import CustomerHistory, Store

P = ParamSpec("P")
R = TypeVar("R")

db_option = click.option(
    "--db",
    "db_url",
    metavar="URL",
    help="Database URL or SQLite path (default: $TACTFUL_DATABASE_URL, else [store] url in "
    "tactful.toml, else ./tactful.db).",
)


def _store(db_url: str | None) -> Store:
    from tactful.config import ConfigError, load_config
    from tactful.store import StoreError, open_store

    try:
        return open_store(db_url, config=load_config())
    except (StoreError, ConfigError) as exc:
        fail(str(exc))


def _errors(fn: Callable[P, R]) -> Callable[P, R]:
    """Store and input errors end the command with ``error: ...`` (exit 2), never a traceback."""

    @wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        from tactful.store import StoreError
        from tactful.textio import InputError

        try:
            return fn(*args, **kwargs)
        except (StoreError, InputError) as exc:
            fail(str(exc))

    return wrapper


def _when(value: str | None, option: str) -> datetime | None:
    if value is None:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        fail(f"{option}: not an ISO 8601 timestamp: {value!r} (e.g. 2026-03-01T10:00:00Z)")


def _echo(text: str = "", **options: Any) -> None:
    """``click.echo`` for text that holds what customers, agents and helpdesks wrote: their control
    characters are shown, never run by the terminal (a customer id with ESC[2J clears no screen)."""
    click.echo(for_terminal(text), **options)


def _text(*parts: str | tuple[str, str]) -> Any:
    """A rich ``Text`` of ``parts`` (plain strings or (string, style)), with no markup read from
    them and their control characters shown: a name like ``[link=…]`` stays text."""
    from rich.text import Text

    return Text.assemble(
        *((for_terminal(p), "") if isinstance(p, str) else (for_terminal(p[0]), p[1]) for p in parts)
    )


def _console() -> Any:
    from rich.console import Console

    return Console(highlight=False)


def _day(value: datetime | None) -> str:
    return "" if value is None else f"{value:%Y-%m-%d %H:%M}"


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
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@db_option
@_errors
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
    received = _when(received_at, "--received-at")
    sent = _when(sent_at, "--sent-at")
    with _store(db_url) as store:
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
    _echo(f"logged case #{case.id} for {case.customer}: {kind}, score {case.score}")
    if case.sla_breached:
        _echo(f"  late: answered in {case.response_minutes:.0f} min, SLA {case.sla_minutes:.0f} min")
    if case.refusal:
        for alt in case.refusal.alternatives:
            _echo(f"  alternative {alt.position} ({alt.kind}): {alt.text}")
    for p in case.promises:
        due = f" (due {_day(p.due_at)})" if p.due_at else ""
        _echo(f"  promise #{p.id}: {p.text}{due}")
    for f in case.followups:
        _echo(f"  follow-up #{f.id} due {_day(f.due_at)}")
    for finding in case.findings:
        if finding["characteristic"] in ("consistency", "timeliness"):
            _echo(f"  {finding['characteristic']}: {finding['message']}")


def _print_history(h: CustomerHistory) -> None:
    console = _console()
    console.print(_text((h.name or h.customer, "bold"), f" ({h.customer}) — {len(h.cases)} case(s)"))
    for c in h.cases:
        what = f"refused {c.request_type}" if c.is_refusal else (c.request_type or "reply")
        meta = ", ".join(x for x in (c.channel, c.agent and f"by {c.agent}") if x)
        console.print(
            _text("\n", (f"case #{c.id}", "bold"), f" {_day(c.sent_at)} {what} — score {c.score} ({meta})")
        )
        if c.customer_message:
            console.print(_text(f"  customer: {c.customer_message}"))
        console.print(_text(f"  reply: {c.reply}"))
        if c.refusal:
            for alt in c.refusal.alternatives:
                mark = " [accepted]" if alt.accepted else ""
                console.print(_text(f"  alternative {alt.position}: {alt.text}{mark}"))
        for p in c.promises:
            console.print(_text(f"  promise: {p.text} — {p.status}"))
        for fb in c.feedback:
            console.print(_text(f"  feedback: CSAT {fb.csat}" + (f" — {fb.comment}" if fb.comment else "")))
    open_items = [f for f in h.followups if f.status == "open"]
    if open_items:
        console.print(_text("\n", ("open follow-ups", "bold")))
        for f in open_items:
            console.print(
                _text(f"  #{f.id} due {_day(f.due_at)}{' (overdue)' if f.overdue else ''}: {f.note}")
            )
    for o in h.outcomes:
        console.print(_text(f"outcome: {o.outcome} on {o.at:%Y-%m-%d}"))
    if h.declined_topics:
        console.print(_text("declined requests: " + ", ".join(h.declined_topics)))


@click.command("history")
@click.argument("customer")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@db_option
@_errors
def history_command(customer: str, fmt: str, db_url: str | None) -> None:
    """Show what CUSTOMER was told: cases, refusals, promises, follow-ups, feedback, outcomes."""
    with _store(db_url) as store:
        h = store.history(customer)
    if fmt == "json":
        click.echo(json_for_terminal(h.to_dict()))
    else:
        _print_history(h)


@click.group("followups")
def followups_group() -> None:
    """Follow-ups promised to customers."""


@followups_group.command("due")
@click.option("--webhook", metavar="URL", help="POST a JSON reminder for each due follow-up to this URL.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@db_option
@_errors
def followups_due(webhook: str | None, fmt: str, db_url: str | None) -> None:
    """List follow-ups due today or overdue."""
    from rich.table import Table

    from tactful.store.followups import WebhookError, send_reminders

    end_of_day = datetime.combine(datetime.now(timezone.utc).date(), time.max, tzinfo=timezone.utc)
    with _store(db_url) as store:
        items = store.followups(due_before=end_of_day)
    if fmt == "json":
        click.echo(json_for_terminal([i.to_dict() for i in items]))
    elif not items:
        _echo("no follow-ups due")
    else:
        table = Table("id", "customer", "due (UTC)", "owner", "state", "note")
        for i in items:
            table.add_row(
                str(i.id),
                _text(i.customer),
                _day(i.due_at),
                _text(i.owner or ""),
                "overdue" if i.overdue else "due",
                _text(i.note),
            )
        _console().print(table)
    if webhook and items:
        try:
            sent = send_reminders(webhook, items)
        except WebhookError as exc:
            fail(str(exc))
        _echo(f"sent {sent} reminder(s) to {webhook}", err=fmt == "json")


@followups_group.command("done")
@click.argument("followup_id", type=int)
@db_option
@_errors
def followups_done(followup_id: int, db_url: str | None) -> None:
    """Mark follow-up FOLLOWUP_ID done (its promise counts as kept)."""
    with _store(db_url) as store:
        store.complete_followup(followup_id)
    _echo(f"follow-up #{followup_id} done")


@click.group("requests")
def requests_group() -> None:
    """Declined requests, grouped by topic."""


@requests_group.command("list")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@db_option
@_errors
def requests_list(fmt: str, db_url: str | None) -> None:
    """Declined requests by topic, most-asked first."""
    from rich.table import Table

    with _store(db_url) as store:
        topics = store.declined_requests()
    if fmt == "json":
        click.echo(json_for_terminal([t.to_dict() for t in topics]))
        return
    if not topics:
        _echo("no declined requests yet")
        return
    table = Table("topic", "customers", "last asked", "status")
    for t in topics:
        table.add_row(_text(t.topic), str(t.customers), f"{t.last_asked:%Y-%m-%d}", t.status)
    _console().print(table)


@requests_group.command("ship")
@click.argument("topic")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@db_option
@_errors
def requests_ship(topic: str, fmt: str, db_url: str | None) -> None:
    """Mark TOPIC as now possible and draft a notification to every customer who asked."""
    with _store(db_url) as store:
        notices = store.ship_request(topic)
    if fmt == "json":
        click.echo(json_for_terminal([n.to_dict() for n in notices]))
        return
    _echo(f"{topic}: shipped; {len(notices)} customer(s) to tell")
    for n in notices:
        _echo(f"\n--- to {n.name or n.customer} ({n.customer}), asked {n.asked_at:%Y-%m-%d}, score {n.score}")
        _echo(n.draft)


@click.command("feedback")
@click.argument("case_id", type=int)
@click.argument("csat", type=click.IntRange(1, 5))
@click.option("--comment", help="What the customer said.")
@click.option("--accepted", type=int, metavar="N", help="The customer took alternative N of the refusal.")
@db_option
@_errors
def feedback_command(
    case_id: int, csat: int, comment: str | None, accepted: int | None, db_url: str | None
) -> None:
    """Record the customer's CSAT (1–5) for case CASE_ID."""
    with _store(db_url) as store:
        store.add_feedback(case_id, csat, comment)
        if accepted is not None:
            store.accept_alternative(case_id, accepted)
    _echo(f"feedback recorded for case #{case_id}")


@click.command("outcome")
@click.argument("customer")
@click.argument("outcome", type=click.Choice(["came_back", "bought_again", "churned"]))
@click.option("--at", "at", help="When (ISO 8601; default: now).")
@db_option
@_errors
def outcome_command(customer: str, outcome: str, at: str | None, db_url: str | None) -> None:
    """Record what CUSTOMER did later: came_back, bought_again or churned."""
    with _store(db_url) as store:
        store.record_outcome(customer, outcome, _when(at, "--at"))  # type: ignore[arg-type]
    _echo(f"{customer}: {outcome}")


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
@click.option(
    "--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True
)
@db_option
@_errors
def report_command(name: str, csv_path: str | None, fmt: str, db_url: str | None) -> None:
    """Print a report from the store (as a table, CSV or JSON)."""
    with _store(db_url) as store:
        table = store.report(name)
    if csv_path:
        try:
            table.to_csv(csv_path)
        except OSError as exc:
            fail(f"{csv_path}: cannot write: {exc.strerror}")
    if fmt == "csv":
        _echo(table.to_csv(), nl=False)
    elif fmt == "json":
        click.echo(json_for_terminal(table.to_dict()))
    else:
        _console().print(table.to_rich())


@click.command("similar")
@click.argument("query")
@click.option("--limit", type=click.IntRange(1, 100), default=5, show_default=True)
@db_option
@_errors
def similar_command(query: str, limit: int, db_url: str | None) -> None:
    """Past cases most like QUERY: how a similar ask was answered before."""
    with _store(db_url) as store:
        hits = store.search_cases(query, limit)
    if not hits:
        _echo("no similar cases")
    for h in hits:
        _echo(f"case #{h.case_id} {h.sent_at:%Y-%m-%d} {h.customer} score {h.score}")
        if h.customer_message:
            _echo(f"  customer: {h.customer_message}")
        _echo(f"  reply: {h.reply}")


@click.command("export")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--no-redact", is_flag=True, help="Keep emails, phone and card numbers as stored.")
@click.option(
    "--with-token-hashes",
    is_flag=True,
    help="Keep users' API token hashes, so they sign in with the same tokens after an import "
    "(default: left out; imported users then need `tactful users rotate NAME`).",
)
@db_option
@_errors
def export_command(file: str, no_redact: bool, with_token_hashes: bool, db_url: str | None) -> None:
    """Write the whole store to FILE (JSONL)."""
    with _store(db_url) as store:
        count = store.export_jsonl(file, redact=not no_redact, token_hashes=with_token_hashes)
    kept = [] if no_redact else ["redacted"]
    kept += ["with token hashes"] if with_token_hashes else []
    _echo(f"exported {count} rows to {file}" + (f" ({', '.join(kept)})" if kept else ""))


@click.command("import")
@click.argument("file", type=click.Path(dir_okay=False))
@db_option
@_errors
def import_command(file: str, db_url: str | None) -> None:
    """Load an export (JSONL) into an empty store."""
    with _store(db_url) as store:
        count = store.import_jsonl(file)
    _echo(f"imported {count} rows from {file}")


@click.group("users")
def users_group() -> None:
    """Users of the web app and REST API."""


@users_group.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(["agent", "manager", "admin"]), required=True)
@db_option
@_errors
def users_add(name: str, role: str, db_url: str | None) -> None:
    """Add a user and print their API token (shown once; only its hash is stored)."""
    with _store(db_url) as store:
        user, token = store.add_user(name, role)  # type: ignore[arg-type]
    _echo(f"added {user.name} ({user.role}); API token (shown once): {token}")


@users_group.command("list")
@db_option
@_errors
def users_list(db_url: str | None) -> None:
    """List users, their roles and whether they were revoked."""
    with _store(db_url) as store:
        users = store.list_users()
    if not users:
        _echo("no users yet")
    for u in users:
        revoked = f"\trevoked {u.revoked_at:%Y-%m-%d}" if u.revoked_at else ""
        _echo(f"{u.name}\t{u.role}\t{u.created_at:%Y-%m-%d}{revoked}")


@users_group.command("revoke")
@click.argument("name")
@db_option
@_errors
def users_revoke(name: str, db_url: str | None) -> None:
    """Stop NAME's API token and page sessions (a running server notices within token_cache_s)."""
    with _store(db_url) as store:
        user = store.revoke_user(name)
    _echo(f"revoked {user.name}; `tactful users rotate {user.name}` gives them a new token")


@users_group.command("rotate")
@click.argument("name")
@db_option
@_errors
def users_rotate(name: str, db_url: str | None) -> None:
    """Give NAME a new API token (shown once); the old one and its page sessions stop working."""
    with _store(db_url) as store:
        user, token = store.rotate_token(name)
    _echo(f"new API token for {user.name} ({user.role}), shown once: {token}")


@click.group("db")
def db_group() -> None:
    """The store's database."""


@db_group.command("upgrade")
@db_option
@_errors
def db_upgrade(db_url: str | None) -> None:
    """Create the schema or upgrade it to the newest revision (data kept)."""
    with _store(db_url) as store:
        revision = store.revision()
    _echo(f"database at revision {revision}")


COMMANDS = (
    log_command,
    history_command,
    followups_group,
    requests_group,
    feedback_command,
    outcome_command,
    report_command,
    similar_command,
    export_command,
    import_command,
    users_group,
    db_group,
)


def register(group: click.Group) -> None:
    """Add the store's commands to the ``tactful`` group."""
    for command in COMMANDS:
        group.add_command(command)
