"""Intercom: conversations and their parts, from the REST API, webhooks and connector exports.

Read, in any mix, joined by conversation id:

- ``GET /conversations/{id}`` (the conversation with ``conversation_parts``), lists and search
  results (``{"type": "conversation.list", "conversations": [...]}``, which carry only the opening
  message: fetch each conversation for its parts), bare arrays of them;
- older API versions and webhooks, whose opening message is ``conversation_message``;
- webhook notifications (``{"type": "notification_event", "data": {"item": {...}}}``);
- conversation parts on their own (``{"type": "conversation_part", "conversation_id"}``) and Airbyte
  records of the ``conversations`` and ``conversation_parts`` streams.

The opening message (``source`` or ``conversation_message``) is stamped with the conversation's
``created_at``. Roles come from ``author.type``: ``user``/``lead``/``contact`` are the customer,
``admin``/``team`` an agent, ``bot`` (Operator, Fin) a bot; an opening message Intercom sent by
itself (``delivered_as`` ``automated``, ``operator_initiated``, ``campaigns_initiated``) is a bot's
too. ``note`` parts are internal notes; assignments, state changes without a body and other events
are left out. Authors are named by ``author.name``, else by the conversation's ``user``/contacts. The
channel is ``source.type`` (:data:`tactful.channels.INTERCOM`).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tactful.channels import vendor_channel
from tactful.qa.conversation import Conversation
from tactful.qa.formats._common import html_to_text, need, text_of, timestamp
from tactful.qa.formats._vendor import (
    Fragment,
    Message,
    Meta,
    Parts,
    Person,
    ShapeError,
    Where,
    finish,
    guarded,
    ident,
    obj,
    person_name,
    records,
)

NAME = "intercom"
HINT = (
    "expected an Intercom conversation or a page of them (GET /conversations/{id}, "
    "POST /conversations/search, a conversation webhook)"
)
CUSTOMERS = {"user", "lead", "contact"}
AGENTS = {"admin", "team"}
BOTS = {"bot"}
#: How Intercom says it sent the opening message itself, not a person.
AUTOMATED = {"automated", "operator_initiated", "campaigns_initiated"}
_MESSAGES = {"comment", "open", "close", "quick_reply"}  # open/close parts may carry a reply body
_NOTES = {"note", "note_and_reopen"}


def split(document: Any, where: Where) -> Iterator[Fragment]:
    if isinstance(document, list):
        yield from records(document, where, _record)
        return
    if not isinstance(document, dict):
        raise ShapeError(HINT)
    if where.stream is not None:
        reader = {"conversations": _conversation, "conversation_parts": _lone_part}.get(where.stream)
        if reader is not None:
            yield from guarded(document, where, reader)
        return
    data = document.get("data")
    if document.get("type") == "notification_event" or (isinstance(data, dict) and "item" in data):
        item = data.get("item") if isinstance(data, dict) else None
        if isinstance(item, dict) and item.get("type", "conversation") == "conversation":
            yield from guarded(item, where, _conversation)
        elif not isinstance(item, dict):
            raise ShapeError(HINT)
        return  # a notification about something else (a contact, a company)
    if isinstance(document.get("conversations"), list):
        yield from records(document["conversations"], where, _conversation)
        return
    yield from guarded(document, where, _record)


def _record(record: dict[str, Any], where: Where) -> list[Fragment]:
    if record.get("type") == "conversation_part" or ("part_type" in record and "conversation_id" in record):
        return _lone_part(record, where)
    if record.get("type") == "conversation" or any(
        k in record for k in ("conversation_parts", "conversation_message", "source")
    ):
        return _conversation(record, where)
    if record.get("type") == "conversation_part.list" and isinstance(record.get("conversation_parts"), list):
        parts = record["conversation_parts"]
        return [_part(p, where, where.anonymous, f"conversation_parts[{i}].") for i, p in enumerate(parts)]
    raise ShapeError(HINT)


def _conversation(conversation: dict[str, Any], where: Where) -> list[Fragment]:
    conv = ident(need(conversation, "id"))
    assert conv is not None
    opening = conversation.get("source")
    if not isinstance(opening, dict):
        opening = conversation.get("conversation_message")
    out: list[Fragment] = [Meta(conv, {"channel": (opening or {}).get("type")}, where)]
    out += _people(conversation)
    if isinstance(opening, dict) and opening.get("body"):
        at = timestamp(conversation.get("created_at"), "created_at")
        message = _part(opening, where, conv, "source.", at=at, opening=True)
        message.fields["id"] = "source"
        out.append(message)
    parts = conversation.get("conversation_parts")
    if isinstance(parts, dict):
        parts = parts.get("conversation_parts")
    if parts is not None:
        if not isinstance(parts, list):
            raise ValueError("field 'conversation_parts.conversation_parts' must be a list")
        out += [_part(p, where, conv, f"conversation_parts[{i}].") for i, p in enumerate(parts)]
    return out


def _people(conversation: dict[str, Any]) -> list[Fragment]:
    """Named contacts the conversation lists (old ``user``, ``customers``, ``contacts``)."""
    found: list[Any] = [conversation.get("user")]
    for key in ("customers", "contacts"):
        value = conversation.get(key)
        if isinstance(value, dict):
            value = value.get("contacts")
        if isinstance(value, list):
            found += value
    return [
        Person(str(ident(p["id"])), person_name(p), "customer")
        for p in found
        if isinstance(p, dict) and ident(p.get("id")) and person_name(p)
    ]


def _lone_part(part: dict[str, Any], where: Where) -> list[Fragment]:
    conv = ident(part.get("conversation_id")) or where.anonymous
    return [_part(part, where, conv)]


def _part(
    part: Any, where: Where, conv: str, prefix: str = "", at: str | None = None, opening: bool = False
) -> Message:
    if not isinstance(part, dict):
        raise ValueError(f"{prefix[:-1] or 'part'}: expected an object")
    kind = part.get("part_type") if not opening else "comment"
    if not opening:
        need(part, "part_type", prefix)
    author = obj(part.get("author"))
    author_type = need(author, "type", prefix + "author.") if kind in _MESSAGES and part.get("body") else None
    role: str
    if kind in _NOTES:
        role = "note"
    elif kind not in _MESSAGES or not part.get("body"):
        role = "skip"
    elif opening and part.get("delivered_as") in AUTOMATED:
        role = "bot"
    elif author_type in CUSTOMERS:
        role = "customer"
    elif author_type in AGENTS:
        role = "agent"
    elif author_type in BOTS:
        role = "bot"
    else:
        role = "skip"
    fields = {
        "id": ident(part.get("id")),
        "at": timestamp(part.get("created_at"), prefix + "created_at") if not opening else at,
        "text": html_to_text(text_of(part.get("body"), prefix + "body")),
        "author": ident(author.get("id")),
        "name": person_name(author) or (author.get("email") or None),
        "role": role,
    }
    return Message(conv, fields, where)


def build(parts: Parts) -> Conversation:
    channel = vendor_channel("intercom", parts.meta.get("channel"))
    return finish(parts, channel, [(m, m["role"]) for m in parts.messages])
