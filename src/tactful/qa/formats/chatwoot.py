"""Chatwoot: conversations with their ``messages``.

``message_type`` 0 is incoming (the contact), 1 outgoing (an agent), 2 activity and 3 template (both
skipped); ``private: true`` is an internal note. ``sender`` names who wrote it; ``created_at`` is Unix
time. The inbox's ``channel`` (``Channel::WebWidget``, ``Channel::Email``, ...) gives the channel.
"""

from __future__ import annotations

from typing import Any

from tactful.qa.formats._common import Said, channel, message_turns, need, need_list, ordered, text_of
from tactful.qa.model import Conversation


def convert(conversation: dict[str, Any], position: str) -> Conversation:
    conv_id = need(conversation, "id")
    turns = message_turns(need_list(conversation, "messages"), "messages", _message)
    meta = conversation.get("meta")
    if not isinstance(meta, dict):
        meta = {}
    name = meta.get("channel") or conversation.get("channel")
    return Conversation(id=str(conv_id), channel=channel(name, "chat"), turns=ordered(turns))


def _message(message: Any, where: str) -> Said | None:
    kind = need(message, "message_type", where)
    if kind not in (0, 1, "incoming", "outgoing") or message.get("private") is True:
        return None
    sender = message.get("sender")
    if not isinstance(sender, dict):
        sender = {}
    return (
        "customer" if kind in (0, "incoming") else "agent",
        text_of(message.get("content"), where + "content"),
        str(sender.get("name") or sender.get("id") or ""),
    )
