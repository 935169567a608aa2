"""tactful's own neutral formats, for exports from any other tool.

``jsonl``: one conversation per line (a JSON array works too)::

    {"id": "c1", "channel": "email", "messages": [
        {"role": "customer", "text": "...", "author": "ann", "created_at": "2026-01-05T10:00:00Z"},
        {"role": "agent", "text": "...", "author": "bo", "created_at": "..."}]}

``csv``: one message per row, columns ``conversation_id,role,text`` required and ``author,created_at,
channel,private`` optional; the rows of one conversation must be consecutive. ``role`` is ``agent``
or ``customer``; ``private`` rows (true/1/yes) are internal notes and skipped.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tactful.qa.formats._common import (
    Item,
    Said,
    Source,
    channel,
    csv_rows,
    make_turn,
    message_turns,
    need,
    need_list,
    ordered,
    text_of,
)
from tactful.qa.model import Conversation, MissingField, Problem, Role

_ROLES: dict[str, Role] = {"agent": "agent", "customer": "customer", "staff": "agent", "user": "customer"}
_TRUE = {"true", "1", "yes", "y"}
CSV_REQUIRED = ("conversation_id", "role", "text")


def convert(record: dict[str, Any], position: str) -> Conversation:
    conv_id = need(record, "id")
    turns = message_turns(need_list(record, "messages"), "messages", _message)
    return Conversation(id=str(conv_id), channel=channel(record.get("channel")), turns=ordered(turns))


def _message(message: Any, where: str) -> Said | None:
    if not isinstance(message, dict):
        raise ValueError(f"{where[:-1]}: expected an object")
    if message.get("private") is True:
        return None
    return _said(message, where)


def _said(message: dict[str, Any], where: str) -> Said:
    role = _ROLES.get(str(need(message, "role", where)).strip().lower())
    if role is None:
        raise ValueError(f"field '{where}role' must be 'agent' or 'customer', not {message['role']!r}")
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
        if rec.get("private", "").strip().lower() in _TRUE:
            continue
        try:
            if not rec["conversation_id"]:
                raise MissingField("conversation_id")
            turn = make_turn(rec, "", str(line), _said(rec, ""))
        except ValueError as exc:
            yield Problem(f"line {line}", str(exc))
            continue
        if current is None or current.id != rec["conversation_id"]:
            if current is not None:
                current.turns = ordered(current.turns)
                yield current
            current = Conversation(
                id=rec["conversation_id"], channel=channel(rec.get("channel")), position=f"line {line}"
            )
        current.turns.append(turn)
    if current is not None:
        current.turns = ordered(current.turns)
        yield current
