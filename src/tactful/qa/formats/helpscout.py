"""Help Scout (Mailbox API 2.0): conversations with ``_embedded.threads``.

A thread's ``createdBy.type`` is ``customer`` or ``user`` (an agent); thread ``type`` ``note`` is
internal and ``lineitem`` is an activity line, both skipped. The API lists threads newest first, so
they are put back in time order by ``createdAt``. The conversation's ``type`` gives the channel.
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
)
from tactful.qa.model import Conversation, MissingField

_SKIPPED = {"note", "lineitem", "forwardparent", "forwardchild"}


def convert(conversation: dict[str, Any], position: str) -> Conversation:
    conv_id = need(conversation, "id")
    embedded = conversation.get("_embedded")
    threads = embedded.get("threads") if isinstance(embedded, dict) else conversation.get("threads")
    if threads is None:
        raise MissingField("_embedded.threads")
    if not isinstance(threads, list):
        raise ValueError("field '_embedded.threads' must be a list")
    turns = message_turns(threads, "threads", _thread, at="createdAt")
    return Conversation(id=str(conv_id), channel=channel(conversation.get("type")), turns=ordered(turns))


def _thread(thread: Any, where: str) -> Said | None:
    kind = need(thread, "type", where)
    if kind in _SKIPPED or thread.get("state") == "draft":
        return None
    created_by = need(thread, "createdBy", where)
    by_type = need(created_by, "type", where + "createdBy.")
    if by_type not in ("customer", "user", "system_user"):
        return None  # workflows, system lines
    name = " ".join(str(created_by.get(k) or "") for k in ("first", "last")).strip()
    return (
        "customer" if by_type == "customer" else "agent",
        html_to_text(text_of(thread.get("body"), where + "body")),
        name or str(created_by.get("email") or created_by.get("id") or ""),
    )
