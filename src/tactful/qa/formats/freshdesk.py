"""Freshdesk: tickets viewed with ``include=conversations``.

The ticket's ``description_text`` is the customer's first message. In ``conversations``,
``incoming: true`` came from outside (the customer), ``incoming: false`` is an agent's reply, and
``private: true`` is an internal note (skipped). ``source`` 7 is chat, 5/6/... social channels.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tactful.qa.formats._common import (
    Item,
    Source,
    html_to_text,
    json_conversations,
    need,
    ordered,
    text_of,
    timestamp,
)
from tactful.qa.model import Conversation, Turn

# Freshdesk ticket/conversation sources: 1 email, 2 portal, 3 phone, 5 twitter, 6 facebook, 7 chat.
_SOURCES = {5: "social", 6: "social", 7: "chat"}


def read(source: Source) -> Iterator[Item]:
    return json_conversations(source, "freshdesk", convert)


def convert(ticket: dict[str, Any], position: str) -> Conversation:
    ticket_id = need(ticket, "id")
    conversations = need(ticket, "conversations")
    if not isinstance(conversations, list):
        raise ValueError("field 'conversations' must be a list")
    turns = []
    first = ticket.get("description_text")
    if first is None and ticket.get("description") is not None:
        first = html_to_text(text_of(ticket["description"], "description"))
    if first:
        turns.append(
            Turn(
                role="customer",
                text=text_of(first, "description_text"),
                author=str(ticket.get("requester_id", "")),
                at=timestamp(ticket.get("created_at"), "created_at"),
                id="description",
            )
        )
    for i, note in enumerate(conversations):
        where = f"conversations[{i}]."
        incoming = need(note, "incoming", where)
        if note.get("private") is True:
            continue  # internal note
        body = note.get("body_text")
        if body is None:
            body = html_to_text(text_of(need(note, "body", where), where + "body"))
        turns.append(
            Turn(
                role="customer" if incoming else "agent",
                text=text_of(body, where + "body_text"),
                author=str(note.get("user_id", "")),
                at=timestamp(note.get("created_at"), where + "created_at"),
                id=str(note.get("id", i)),
            )
        )
    return Conversation(
        id=str(ticket_id),
        channel=_SOURCES.get(ticket["source"], "email") if isinstance(ticket.get("source"), int) else "email",
        turns=ordered(turns),
    )
