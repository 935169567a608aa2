"""Chatwoot: conversations with their ``messages``.

``message_type`` 0 is incoming (the contact), 1 outgoing (an agent), 2 activity and 3 template (both
skipped); ``private: true`` is an internal note. ``sender`` names who wrote it; ``created_at`` is Unix
time. The inbox's ``channel`` (``Channel::WebWidget``, ``Channel::Email``, ...) gives the channel.
"""

from __future__ import annotations

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
)
from tactful.qa.model import Conversation, Turn


def read(source: Source) -> Iterator[Item]:
    return json_conversations(source, "chatwoot", convert)


def convert(conversation: dict[str, Any], position: str) -> Conversation:
    conv_id = need(conversation, "id")
    messages = need(conversation, "messages")
    if not isinstance(messages, list):
        raise ValueError("field 'messages' must be a list")
    turns = []
    for i, message in enumerate(messages):
        where = f"messages[{i}]."
        kind = need(message, "message_type", where)
        if kind not in (0, 1, "incoming", "outgoing") or message.get("private") is True:
            continue
        sender = message.get("sender")
        if not isinstance(sender, dict):
            sender = {}
        turns.append(
            Turn(
                role="customer" if kind in (0, "incoming") else "agent",
                text=text_of(message.get("content"), where + "content"),
                author=str(sender.get("name") or sender.get("id") or ""),
                at=timestamp(message.get("created_at"), where + "created_at"),
                id=str(message.get("id", i)),
            )
        )
    meta = conversation.get("meta")
    if not isinstance(meta, dict):
        meta = {}
    name = meta.get("channel") or conversation.get("channel")
    return Conversation(id=str(conv_id), channel=channel(name, "chat"), turns=ordered(turns))
