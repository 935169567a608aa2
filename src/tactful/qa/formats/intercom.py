"""Intercom: conversation models with ``source`` and ``conversation_parts``.

``source`` is the opening message; each part in ``conversation_parts.conversation_parts`` has an
``author.type`` (``user``/``lead``/``contact`` = customer, ``admin``/``bot`` = agent), a ``part_type``
(``comment`` is a message; ``note`` is internal; assignments, open/close are not messages), an HTML
``body`` and a Unix ``created_at``.
"""

from __future__ import annotations

from typing import Any

from tactful.qa.formats._common import (
    Said,
    channel,
    html_to_text,
    message_turns,
    need,
    ordered,
    text_of,
    timestamp,
)
from tactful.qa.model import Conversation, Turn

_CUSTOMERS = {"user", "lead", "contact"}
_AGENTS = {"admin", "bot", "team"}
_MESSAGES = {"comment", "open", "close", "quick_reply"}  # open/close parts may carry a reply body


def convert(conversation: dict[str, Any], position: str) -> Conversation:
    conv_id = need(conversation, "id")
    parts_list = need(conversation, "conversation_parts")
    parts = parts_list.get("conversation_parts") if isinstance(parts_list, dict) else parts_list
    if not isinstance(parts, list):
        raise ValueError("field 'conversation_parts.conversation_parts' must be a list")
    turns = []
    source = conversation.get("source")
    if isinstance(source, dict) and source.get("body"):
        said = _said(source, "source.")
        if said is not None:  # the opening message is stamped with the conversation's time
            role, text, author = said
            at = timestamp(conversation.get("created_at"), "source.created_at")
            turns.append(Turn(role=role, text=text, author=author, at=at, id="source"))
    turns += message_turns(parts, "conversation_parts", _part)
    kind = source.get("delivered_as") if isinstance(source, dict) else None
    ch = "email" if isinstance(source, dict) and source.get("type") == "email" else channel(kind, "chat")
    return Conversation(id=str(conv_id), channel=ch, turns=ordered(turns))


def _part(part: Any, where: str) -> Said | None:
    if need(part, "part_type", where) not in _MESSAGES or not part.get("body"):
        return None
    return _said(part, where)


def _said(part: dict[str, Any], where: str) -> Said | None:
    author = need(part, "author", where)
    kind = need(author, "type", where + "author.")
    if kind not in _CUSTOMERS and kind not in _AGENTS:
        return None
    return (
        "customer" if kind in _CUSTOMERS else "agent",
        html_to_text(text_of(part.get("body"), where + "body")),
        str(author.get("name") or author.get("email") or author.get("id") or ""),
    )
