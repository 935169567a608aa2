"""Zendesk: tickets with their ``comments`` (Ticket Comments API / full JSON export).

A comment's ``author_id`` equal to the ticket's ``requester_id`` is the customer; any other author is
an agent. ``public: false`` comments are internal notes and are skipped. The ticket's (or the
comment's) ``via.channel`` gives the channel.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tactful.qa.formats._common import (
    Item,
    Source,
    channel,
    html_to_text,
    json_conversations,
    need,
    ordered,
    text_of,
    timestamp,
)
from tactful.qa.model import Conversation, Turn


def read(source: Source) -> Iterator[Item]:
    return json_conversations(source, "zendesk", convert)


def convert(ticket: dict[str, Any], position: str) -> Conversation:
    ticket_id = need(ticket, "id")
    requester = need(ticket, "requester_id")
    comments = need(ticket, "comments")
    if not isinstance(comments, list):
        raise ValueError("field 'comments' must be a list")
    via = ticket.get("via") or {}
    turns = []
    for i, comment in enumerate(comments):
        where = f"comments[{i}]."
        author = need(comment, "author_id", where)
        if comment.get("public") is False:
            continue  # internal note
        body = comment.get("plain_body")
        if body is None:
            body = comment.get("body")
            if body is None and comment.get("html_body") is not None:
                body = html_to_text(text_of(comment["html_body"], where + "html_body"))
        if body is None:
            raise ValueError(f"missing field '{where}body'")
        turns.append(
            Turn(
                role="customer" if author == requester else "agent",
                text=text_of(body, where + "body"),
                author=str(author),
                at=timestamp(comment.get("created_at"), where + "created_at"),
                id=str(comment.get("id", i)),
            )
        )
    return Conversation(id=str(ticket_id), channel=channel(_via_channel(via)), turns=ordered(turns))


def _via_channel(via: Any) -> Any:
    return via.get("channel") if isinstance(via, dict) else None
