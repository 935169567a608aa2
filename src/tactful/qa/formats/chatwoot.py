"""Chatwoot: conversations and messages, from webhooks and the application API.

Read, in any mix, joined by conversation id (a message seen in several webhooks counts once):

- webhooks: ``message_created``/``message_updated`` carry one message with its ``conversation``;
  ``conversation_created``/``_updated``/``_status_changed`` carry the conversation with ``messages``;
- ``GET /api/v1/accounts/{account}/conversations/{id}/messages`` (``{"meta", "payload": [...]}``)
  and conversation lists (``{"data": {"payload": [...]}}``); conversations with ``messages`` one per
  line or in an array.

``message_type`` 0 (``incoming``) is the contact, 1 (``outgoing``) an agent, or a bot when an agent
bot or Captain sent it (``sender_type``, ``sender.type``); 2 (activity) and 3 (template) are not
conversation turns, and ``private: true`` is an internal note. ``sender.name`` names the author; the
conversation's ``channel`` (or ``meta.channel``) gives the channel (:data:`tactful.channels.CHATWOOT`).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tactful.channels import vendor_channel
from tactful.qa.conversation import Conversation
from tactful.qa.formats._common import need, text_of, timestamp
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

NAME = "chatwoot"
HINT = (
    "expected a Chatwoot conversation, message or webhook "
    "(GET /api/v1/accounts/{account}/conversations/{id}/messages, a message_created or conversation webhook; "
    "or run `tactful pull chatwoot`)"
)
BOT_SENDERS = {"AgentBot", "agent_bot", "Captain::Assistant", "captain_assistant"}


def split(document: Any, where: Where) -> Iterator[Fragment]:
    if isinstance(document, list):
        yield from records(document, where, _record)
        return
    if not isinstance(document, dict):
        raise ShapeError(HINT)
    data = document.get("data")
    payload = data.get("payload") if isinstance(data, dict) else document.get("payload")
    if isinstance(payload, list):
        yield from records(payload, where, _record)
        return
    yield from guarded(document, where, _record)


def _record(record: dict[str, Any], where: Where) -> list[Fragment]:
    if "message_type" in record and "messages" not in record:
        return _message_event(record, where)
    if "messages" in record and "id" in record:
        return _conversation(record, where)
    if isinstance(record.get("event"), str):  # another event: its conversation, if it carries one
        conversation = record.get("conversation")
        if isinstance(conversation, dict) and "messages" in conversation and "id" in conversation:
            return _conversation(conversation, where)
        return []
    raise ShapeError(HINT)


def _message_event(message: dict[str, Any], where: Where) -> list[Fragment]:
    """One message: a ``message_*`` webhook (its conversation inside) or a messages page's entry."""
    out: list[Fragment] = []
    conversation = message.get("conversation")
    conv = ident(message.get("conversation_id"))
    if isinstance(conversation, dict) and ident(conversation.get("id")) is not None:
        conv = conv or ident(conversation.get("display_id") or conversation.get("id"))
        if "messages" in conversation:
            out += _conversation(conversation, where)
    out.append(_message(message, where, conv or where.anonymous))
    return out


def _conversation(conversation: dict[str, Any], where: Where) -> list[Fragment]:
    conv = ident(conversation.get("display_id") or need(conversation, "id"))
    assert conv is not None
    meta = obj(conversation.get("meta"))
    channel = meta.get("channel") or conversation.get("channel")
    out: list[Fragment] = [Meta(conv, {"channel": channel}, where)]
    contact = meta.get("sender")
    if isinstance(contact, dict) and ident(contact.get("id")):
        out.append(Person(f"contact:{ident(contact['id'])}", person_name(contact), "customer"))
    messages = need(conversation, "messages")
    if not isinstance(messages, list):
        raise ValueError("field 'messages' must be a list")
    out += [_message(m, where, conv, f"messages[{i}].") for i, m in enumerate(messages)]
    return out


def _message(message: Any, where: Where, conv: str, prefix: str = "") -> Message:
    if not isinstance(message, dict):
        raise ValueError(f"{prefix[:-1] or 'message'}: expected an object")
    kind = need(message, "message_type", prefix)
    sender = obj(message.get("sender"))
    bot = message.get("sender_type") in BOT_SENDERS or sender.get("type") in BOT_SENDERS
    role: str
    if message.get("private") is True:
        role = "note"
    elif kind in (0, "incoming"):
        role = "customer"
    elif kind in (1, "outgoing"):
        role = "bot" if bot else "agent"
    else:  # 2 activity, 3 template
        role = "skip"
    sender_id = ident(sender.get("id") or message.get("sender_id"))
    fields = {
        "id": ident(message.get("id")),
        "at": timestamp(message.get("created_at"), prefix + "created_at"),
        "text": text_of(message.get("content"), prefix + "content"),
        "author": f"contact:{sender_id}" if role == "customer" and sender_id else sender_id,
        "name": person_name(sender),
        "role": role,
    }
    return Message(conv, fields, where)


def build(parts: Parts) -> Conversation:
    channel = vendor_channel("chatwoot", parts.meta.get("channel"))
    return finish(parts, channel, [(m, m["role"]) for m in parts.messages])
