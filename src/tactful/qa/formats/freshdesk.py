"""Freshdesk: tickets viewed with ``include=conversations``.

The ticket's ``description_text`` is the customer's first message. In ``conversations``,
``incoming: true`` came from outside (the customer), ``incoming: false`` is an agent's reply, and
``private: true`` is an internal note (skipped). ``source`` 7 is chat, 5/6/... social channels.
"""

from __future__ import annotations

from typing import Any

from tactful.qa.formats._common import (
    Said,
    html_to_text,
    make_turn,
    message_turns,
    need,
    need_list,
    ordered,
    text_of,
)
from tactful.qa.model import Conversation

# Freshdesk ticket/conversation sources: 1 email, 2 portal, 3 phone, 5 twitter, 6 facebook, 7 chat.
_SOURCES = {5: "social", 6: "social", 7: "chat"}


def convert(ticket: dict[str, Any], position: str) -> Conversation:
    ticket_id = need(ticket, "id")
    conversations = need_list(ticket, "conversations")
    turns = []
    first = ticket.get("description_text")
    if first is None and ticket.get("description") is not None:
        first = html_to_text(text_of(ticket["description"], "description"))
    if first:
        said: Said = ("customer", text_of(first, "description_text"), str(ticket.get("requester_id", "")))
        turns.append(make_turn(ticket, "", "description", said))
    turns += message_turns(conversations, "conversations", _note)
    return Conversation(
        id=str(ticket_id),
        channel=_SOURCES.get(ticket["source"], "email") if isinstance(ticket.get("source"), int) else "email",
        turns=ordered(turns),
    )


def _note(note: Any, where: str) -> Said | None:
    incoming = need(note, "incoming", where)
    if note.get("private") is True:
        return None  # internal note
    body = note.get("body_text")
    if body is None:
        body = html_to_text(text_of(need(note, "body", where), where + "body"))
    author = str(note.get("user_id", ""))
    return "customer" if incoming else "agent", text_of(body, where + "body_text"), author
