"""Freshdesk: tickets and their conversations, in the shapes the API (v2 and v1) and exports give.

Read, in any mix, from one file or several, joined by ticket id:

- tickets: ``GET /api/v2/tickets/{id}?include=conversations,requester`` (the ticket with its
  ``conversations`` inside), ``GET /api/v2/tickets`` (a bare array), ``GET /api/v2/search/tickets``
  (``{"results": [...]}``), v1 ``GET /helpdesk/tickets/{id}.json`` (``{"helpdesk_ticket"}`` with its
  ``notes``) and v1 lists; a ticket together with its conversations as ``{"ticket", "conversations"}``;
- conversations: ``GET /api/v2/tickets/{id}/conversations`` (a bare array; each names its ticket);
- agents: ``GET /api/v2/agents`` (a bare array), whose names replace the agents' ids;
- Airbyte records of the ``tickets`` and ``conversations`` streams.

The ticket's description is its first message: the requester's, except on an outbound email
(``source`` 10), where an agent wrote it. In the conversations, ``private: true`` is an internal note;
``source`` 2 is a note too (even public, and even when created through the API with ``incoming:
true``), unless the requester wrote it; replies and emails are the customer's when ``incoming`` is
true, else an agent's. Conversations sent by an automation (``automation_id``, ``auto_response``) are
bots. Names come from the ticket's ``requester`` (or v1 ``requester_name`` / ``responder_name``) and
the agents list; other authors stay ids. The channel is the ticket's ``source``
(:data:`tactful.channels.FRESHDESK`).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tactful.channels import vendor_channel
from tactful.qa.conversation import Conversation
from tactful.qa.formats._common import html_to_text, need, need_list, text_of, timestamp
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

NAME = "freshdesk"
HINT = (
    "expected a Freshdesk ticket or its conversations "
    "(GET /api/v2/tickets/{id}?include=conversations,requester, GET /api/v2/tickets/{id}/conversations, "
    "GET /api/v2/tickets?updated_since=...; or run `tactful pull freshdesk`)"
)
NOTE_SOURCE = 2
OUTBOUND_EMAIL = 10
_TICKET_KEYS = ("description", "description_text", "requester_id", "subject")


def split(document: Any, where: Where) -> Iterator[Fragment]:
    if isinstance(document, list):
        yield from records(document, where, _record)
        return
    if not isinstance(document, dict):
        raise ShapeError(HINT)
    if where.stream is not None:
        reader = {"tickets": _ticket, "conversations": _record_conversation, "agents": _agent}.get(
            where.stream
        )
        if reader is not None:
            yield from guarded(document, where, reader)
        return
    if isinstance(document.get("ticket"), dict) or isinstance(document.get("helpdesk_ticket"), dict):
        ticket = document.get("ticket") or document["helpdesk_ticket"]
        yield from guarded(ticket, where, _ticket)
        ticket_id = ident(ticket.get("id") or ticket.get("display_id"))
        if isinstance(document.get("conversations"), list) and ticket_id is not None:
            yield from records(
                document["conversations"], where, lambda c, w: [_conversation(c, w, ticket_id)]
            )
        return
    if isinstance(document.get("results"), list):
        yield from records(document["results"], where, _ticket)
        return
    yield from guarded(document, where, _record)


def _record(record: dict[str, Any], where: Where) -> list[Fragment]:
    if isinstance(record.get("contact"), dict) and "id" in record:
        return _agent(record, where)
    if any(k in record for k in _TICKET_KEYS) and "incoming" not in record:
        return _ticket(record, where)
    if "incoming" in record or "body_text" in record:
        return _record_conversation(record, where)
    if isinstance(record.get("note"), dict):  # v1
        return _record_conversation(record["note"], where)
    raise ShapeError(HINT)


def _agent(agent: dict[str, Any], where: Where) -> list[Fragment]:
    """An agent (``GET /api/v2/agents``): the name its replies are reported under."""
    agent_id = ident(need(agent, "id"))
    assert agent_id is not None
    return [Person(agent_id, person_name(obj(agent.get("contact"))), "agent")]


def _record_conversation(record: dict[str, Any], where: Where) -> list[Fragment]:
    """A conversation on its own: its ``ticket_id`` says which ticket it belongs to."""
    ticket_id = ident(record.get("ticket_id")) or where.anonymous
    return [_conversation(record, where, ticket_id)]


def _ticket(ticket: dict[str, Any], where: Where) -> list[Fragment]:
    ticket_id = ident(ticket.get("id") or ticket.get("display_id"))
    if ticket_id is None:
        need(ticket, "id")
    assert ticket_id is not None
    requester = ident(ticket.get("requester_id"))
    v1 = "description_html" in ticket  # v1: description is the text, description_html the HTML
    description = ticket.get("description_text")
    if description is None and ticket.get("description") is not None:
        raw = text_of(ticket["description"], "description")
        description = raw if v1 else html_to_text(raw)
    source = ticket.get("source")
    fields = {
        "requester": requester,
        "responder": ident(ticket.get("responder_id")),
        "created_at": timestamp(ticket.get("created_at"), "created_at"),
        "description": text_of(description, "description_text") or None,
        "source": source if isinstance(source, int) and not isinstance(source, bool) else None,
    }
    out: list[Fragment] = [Meta(ticket_id, fields, where)]
    person = ticket.get("requester")
    if isinstance(person, dict) and ident(person.get("id")):
        out.append(Person(str(ident(person["id"])), person_name(person), "customer"))
        fields["requester_name"] = person_name(person)
    for key, role, id_key in (
        ("requester_name", "customer", "requester_id"),
        ("responder_name", "agent", "responder_id"),
    ):
        person_id = ident(ticket.get(id_key))
        if isinstance(ticket.get(key), str) and person_id:
            out.append(Person(person_id, ticket[key], role))
    for key in ("conversations", "notes"):
        if key in ticket:
            for i, entry in enumerate(need_list(ticket, key)):
                note = entry.get("note") if isinstance(entry, dict) and "note" in entry else entry
                out.append(_conversation(note, where, ticket_id, f"{key}[{i}]."))
    return out


def _conversation(entry: Any, where: Where, ticket_id: str, prefix: str = "") -> Message:
    if not isinstance(entry, dict):
        raise ValueError(f"{prefix[:-1] or 'conversation'}: expected an object")
    incoming = need(entry, "incoming", prefix)
    body = entry.get("body_text")
    if body is None:
        body = html_to_text(text_of(need(entry, "body", prefix), prefix + "body"))
    automated = entry.get("automation_id") is not None or entry.get("automation_type_id") is not None
    role = (
        "note" if entry.get("private") is True else "bot" if automated or entry.get("auto_response") else None
    )
    fields = {
        "id": ident(entry.get("id")),
        "at": timestamp(entry.get("created_at"), prefix + "created_at"),
        "text": text_of(body, prefix + "body_text"),
        "author": ident(entry.get("user_id")),
        "role": role,
        "incoming": incoming is True,
        "note": entry.get("source") == NOTE_SOURCE,
    }
    return Message(ticket_id, fields, where)


def build(parts: Parts) -> Conversation:
    meta = parts.meta
    requester = meta.get("requester")
    messages = list(parts.messages)
    if meta.get("description"):
        outbound = meta.get("source") == OUTBOUND_EMAIL
        opener = {
            "id": "description",
            "at": meta.get("created_at"),
            "text": meta["description"],
            "author": meta.get("responder") if outbound else requester,
            "name": None if outbound else meta.get("requester_name"),
            "role": "agent" if outbound else "customer",
        }
        messages.insert(0, opener)

    def role(message: dict[str, Any]) -> str:
        if message.get("role") is not None:
            return str(message["role"])
        by_requester = requester is not None and message.get("author") == requester
        if message.get("note"):
            return "customer" if by_requester else "note"
        return "customer" if message.get("incoming") or by_requester else "agent"

    return finish(parts, vendor_channel("freshdesk", meta.get("source")), [(m, role(m)) for m in messages])
