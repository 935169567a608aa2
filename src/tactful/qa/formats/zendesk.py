"""Zendesk: tickets with their ``comments`` (Ticket Comments API / full JSON export).

A comment's ``author_id`` equal to the ticket's ``requester_id`` is the customer; any other author is
an agent. ``public: false`` comments are internal notes and are skipped. The ticket's (or the
comment's) ``via.channel`` gives the channel.
"""

from __future__ import annotations

from typing import Any

from tactful.qa.formats._common import (
    Said,
    channel,
    html_to_text,
    message_turns,
    need,
    need_list,
    ordered,
    text_of,
)
from tactful.qa.model import Conversation


def convert(ticket: dict[str, Any], position: str) -> Conversation:
    ticket_id = need(ticket, "id")
    requester = need(ticket, "requester_id")
    comments = need_list(ticket, "comments")
    via = ticket.get("via") or {}
    turns = message_turns(comments, "comments", lambda comment, where: _comment(comment, where, requester))
    return Conversation(id=str(ticket_id), channel=channel(_via_channel(via)), turns=ordered(turns))


def _comment(comment: Any, where: str, requester: Any) -> Said | None:
    author = need(comment, "author_id", where)
    if comment.get("public") is False:
        return None  # internal note
    body = comment.get("plain_body")
    if body is None:
        body = comment.get("body")
        if body is None and comment.get("html_body") is not None:
            body = html_to_text(text_of(comment["html_body"], where + "html_body"))
    if body is None:
        raise ValueError(f"missing field '{where}body'")
    return "customer" if author == requester else "agent", text_of(body, where + "body"), str(author)


def _via_channel(via: Any) -> Any:
    return via.get("channel") if isinstance(via, dict) else None
