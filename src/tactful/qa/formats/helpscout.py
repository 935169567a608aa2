"""Help Scout (Mailbox API 2.0): conversations with ``_embedded.threads``.

A thread's ``createdBy.type`` is ``customer`` or ``user`` (an agent); thread ``type`` ``note`` is
internal and ``lineitem`` is an activity line, both skipped. The API lists threads newest first, so
they are put back in time order by ``createdAt``. The conversation's ``type`` gives the channel.
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

_SKIPPED = {"note", "lineitem", "forwardparent", "forwardchild"}


def read(source: Source) -> Iterator[Item]:
    return json_conversations(source, "helpscout", convert)


def convert(conversation: dict[str, Any], position: str) -> Conversation:
    conv_id = need(conversation, "id")
    embedded = conversation.get("_embedded")
    threads = embedded.get("threads") if isinstance(embedded, dict) else conversation.get("threads")
    if threads is None:
        from tactful.qa.model import MissingField

        raise MissingField("_embedded.threads")
    if not isinstance(threads, list):
        raise ValueError("field '_embedded.threads' must be a list")
    turns = []
    for i, thread in enumerate(threads):
        where = f"threads[{i}]."
        kind = need(thread, "type", where)
        if kind in _SKIPPED or thread.get("state") == "draft":
            continue
        created_by = need(thread, "createdBy", where)
        by_type = need(created_by, "type", where + "createdBy.")
        if by_type not in ("customer", "user", "system_user"):
            continue  # workflows, system lines
        name = " ".join(str(created_by.get(k) or "") for k in ("first", "last")).strip()
        turns.append(
            Turn(
                role="customer" if by_type == "customer" else "agent",
                text=html_to_text(text_of(thread.get("body"), where + "body")),
                author=name or str(created_by.get("email") or created_by.get("id") or ""),
                at=timestamp(thread.get("createdAt"), where + "createdAt"),
                id=str(thread.get("id", i)),
            )
        )
    return Conversation(id=str(conv_id), channel=channel(conversation.get("type")), turns=ordered(turns))
