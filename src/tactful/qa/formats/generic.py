"""tactful's own neutral formats, for exports from any other tool.

``jsonl``: one conversation per line (a JSON array works too)::

    {"id": "c1", "channel": "email", "messages": [
        {"role": "customer", "text": "...", "author": "ann", "created_at": "2026-01-05T10:00:00Z"},
        {"role": "agent", "text": "...", "author": "bo", "created_at": "..."}]}

``role`` ``bot`` marks a bot's or an automation's message (read, never scored); ``private: true``
messages are internal notes (counted, left out), and an optional ``notes`` count adds the notes
left out before (``tactful pull`` writes it rather than the notes themselves).

``csv``: one message per row, columns ``conversation_id,role,text`` required and ``author,created_at,
channel,private`` optional; the rows of one conversation must be consecutive. ``role`` is ``agent``,
``customer`` or ``bot``; ``private`` rows (true/1/yes) are internal notes, counted and left out.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tactful.channels import generic_channel
from tactful.qa.conversation import Conversation, MissingField, Problem, Role
from tactful.qa.formats._common import (
    Item,
    Said,
    Source,
    csv_rows,
    make_turn,
    message_turns,
    need,
    need_list,
    ordered,
    text_of,
)

_ROLES: dict[str, Role] = {
    "agent": "agent",
    "customer": "customer",
    "staff": "agent",
    "user": "customer",
    "bot": "bot",
}
_TRUE = {"true", "1", "yes", "y"}
CSV_REQUIRED = ("conversation_id", "role", "text")


def convert(record: dict[str, Any], position: str) -> Conversation:
    conv_id = need(record, "id")
    messages = need_list(record, "messages")
    turns = message_turns(messages, "messages", _message)
    notes = record.get("notes", 0)
    if isinstance(notes, bool) or not isinstance(notes, int) or notes < 0:
        raise ValueError("field 'notes' must be a count")
    notes += sum(1 for m in messages if isinstance(m, dict) and m.get("private") is True)
    return Conversation(
        id=str(conv_id), channel=generic_channel(record.get("channel")), turns=ordered(turns), notes=notes
    )


def _message(message: Any, where: str) -> Said | None:
    if not isinstance(message, dict):
        raise ValueError(f"{where[:-1]}: expected an object")
    if message.get("private") is True:
        return None
    return _said(message, where)


def _said(message: dict[str, Any], where: str) -> Said:
    role = _ROLES.get(str(need(message, "role", where)).strip().lower())
    if role is None:
        raise ValueError(f"field '{where}role' must be 'agent', 'customer' or 'bot', not {message['role']!r}")
    text = text_of(need(message, "text", where), where + "text")
    return role, text, str(message.get("author") or "")


def read_csv(source: Source) -> Iterator[Item]:
    table = csv_rows(source, CSV_REQUIRED, 64 * 1024 * 1024)
    if table is None:
        return
    columns, rows = table
    current: Conversation | None = None
    for item in rows:
        if isinstance(item, Problem):
            yield item
            continue
        line, row = item
        rec = {name: row[i] for name, i in columns.items()}
        private = rec.get("private", "").strip().lower() in _TRUE
        try:
            if not rec["conversation_id"]:
                raise MissingField("conversation_id")
            turn = None if private else make_turn(rec, "", str(line), _said(rec, ""))
        except ValueError as exc:
            yield Problem(f"line {line}", str(exc))
            continue
        if current is None or current.id != rec["conversation_id"]:
            if current is not None:
                current.turns = ordered(current.turns)
                yield current
            current = Conversation(
                id=rec["conversation_id"],
                channel=generic_channel(rec.get("channel")),
                position=f"line {line}",
            )
        if turn is None:
            current.notes += 1
        else:
            current.turns.append(turn)
    if current is not None:
        current.turns = ordered(current.turns)
        yield current
