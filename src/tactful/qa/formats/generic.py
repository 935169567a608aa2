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

import csv
import io
import sys
from collections.abc import Iterator
from typing import Any

from tactful.qa.formats._common import (
    Item,
    Source,
    channel,
    json_conversations,
    need,
    ordered,
    text_of,
    timestamp,
    utf8,
)
from tactful.qa.model import Conversation, MissingField, Problem, QAError, Turn

_ROLES = {"agent": "agent", "customer": "customer", "staff": "agent", "user": "customer"}
_TRUE = {"true", "1", "yes", "y"}
CSV_REQUIRED = ("conversation_id", "role", "text")


def read_jsonl(source: Source) -> Iterator[Item]:
    return json_conversations(source, "jsonl", convert)


def convert(record: dict[str, Any], position: str) -> Conversation:
    conv_id = need(record, "id")
    messages = need(record, "messages")
    if not isinstance(messages, list):
        raise ValueError("field 'messages' must be a list")
    turns = []
    for i, message in enumerate(messages):
        where = f"messages[{i}]."
        if not isinstance(message, dict):
            raise ValueError(f"{where[:-1]}: expected an object")
        if message.get("private") is True:
            continue
        turns.append(_turn(message, where, str(message.get("id", i))))
    return Conversation(id=str(conv_id), channel=channel(record.get("channel")), turns=ordered(turns))


def _turn(message: dict[str, Any], where: str, turn_id: str) -> Turn:
    role = _ROLES.get(str(need(message, "role", where)).strip().lower())
    if role is None:
        raise ValueError(f"field '{where}role' must be 'agent' or 'customer', not {message['role']!r}")
    return Turn(
        role=role,  # type: ignore[arg-type]
        text=text_of(need(message, "text", where), where + "text"),
        author=str(message.get("author") or ""),
        at=timestamp(message.get("created_at"), where + "created_at"),
        id=turn_id,
    )


def read_csv(source: Source) -> Iterator[Item]:
    # surrogateescape: a bad byte spoils its own row (reported below), not the whole 8 KiB block it sits in.
    text = io.TextIOWrapper(source.stream, encoding="utf-8-sig", errors="surrogateescape", newline="")
    csv.field_size_limit(min(sys.maxsize, 64 * 1024 * 1024))
    reader = csv.reader(text)
    try:
        header = next(reader, None)
    except (csv.Error, UnicodeDecodeError) as exc:
        raise QAError(f"{source.name}: cannot read the CSV header: {exc}") from None
    if header is None:
        return
    if not utf8(header):
        raise QAError(f"{source.name}: the CSV header is not valid UTF-8")
    columns = {name.strip(): i for i, name in enumerate(header)}
    for name in CSV_REQUIRED:
        if name not in columns:
            raise QAError(
                f"{source.name}: missing required column '{name}' (the header has: {', '.join(header)})"
            )
    current: Conversation | None = None
    while True:
        line = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            break
        except (csv.Error, UnicodeDecodeError) as exc:
            yield Problem(f"line {line}", f"bad CSV row: {exc}")
            continue
        if not row or (len(row) == 1 and not row[0].strip()):
            continue
        if len(row) != len(header):
            yield Problem(f"line {line}", f"expected {len(header)} fields (as in the header), got {len(row)}")
            continue
        if not utf8(row):
            yield Problem(f"line {line}", "not valid UTF-8")
            continue
        rec = {name: row[i] for name, i in columns.items()}
        if rec.get("private", "").strip().lower() in _TRUE:
            continue
        try:
            if not rec["conversation_id"]:
                raise MissingField("conversation_id")
            turn = _turn(rec, "", str(line))
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
