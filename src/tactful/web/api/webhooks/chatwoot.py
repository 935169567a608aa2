"""Chatwoot: the ``message_created`` webhook.

Authenticity: ``X-Chatwoot-Signature: sha256=<hex HMAC-SHA256 of "{timestamp}.{body}">`` with
``X-Chatwoot-Timestamp`` (Chatwoot versions that sign webhooks), or, for versions that don't, the
shared secret as ``?token=`` in the webhook URL or an ``X-Tactful-Token`` header. Every comparison
is constant-time; a signed request older than the tolerance is refused as a possible replay.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from fastapi import APIRouter, Request
from pydantic import Field
from starlette.responses import Response

from tactful.channels import vendor_channel
from tactful.web.api.schemas import WebhookOut
from tactful.web.api.webhooks.flow import (
    Ignored,
    Loose,
    Message,
    Sent,
    Vendor,
    check_fresh,
    id_of,
    receive,
    unauthorized,
)

router = APIRouter()


class ChatwootSender(Loose):
    id: int | str | None = None
    name: str | None = None
    type: str | None = None


class ChatwootConversation(Loose):
    id: int | str | None = None
    display_id: int | str | None = None
    channel: str | None = None
    messages: list[dict[str, Any]] = Field(default_factory=list)
    meta: dict[str, Any] | None = None


class ChatwootEvent(Loose):
    event: str
    id: int | str | None = None
    content: str | None = None
    message_type: str | int | None = None
    private: bool = False
    content_type: str | None = None
    created_at: str | int | None = None
    sender: ChatwootSender | None = None
    conversation: ChatwootConversation | None = None
    account: dict[str, Any] | None = None


def verify_chatwoot(request: Request, body: bytes, secret: str, tolerance_s: float) -> None:
    signature = request.headers.get("x-chatwoot-signature")
    if signature:
        stamp = request.headers.get("x-chatwoot-timestamp", "")
        if not stamp:
            raise unauthorized("X-Chatwoot-Signature without X-Chatwoot-Timestamp")
        digest = hmac.new(secret.encode(), stamp.encode() + b"." + body, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(signature.strip().encode(), f"sha256={digest}".encode()):
            raise unauthorized("X-Chatwoot-Signature does not match the body")
        check_fresh(stamp, tolerance_s)
        return
    token = request.headers.get("x-tactful-token") or request.query_params.get("token")
    if not token:
        raise unauthorized("no X-Chatwoot-Signature, X-Tactful-Token header or ?token= given")
    if not hmac.compare_digest(token.encode(), secret.encode()):
        raise unauthorized("the webhook token does not match")


def _is_incoming(message_type: object) -> bool:
    return message_type in ("incoming", 0)


def _last_incoming(conversation: ChatwootConversation | None, before_id: object) -> str | None:
    """The customer's latest message in the payload's conversation (Chatwoot numbers incoming as 0)."""
    if conversation is None:
        return None
    for m in reversed(conversation.messages):
        if m.get("id") == before_id or m.get("private"):
            continue
        if _is_incoming(m.get("message_type")) and isinstance(m.get("content"), str) and m["content"].strip():
            return str(m["content"])
    return None


def _contact(conv: ChatwootConversation | None) -> str | None:
    """The customer's contact id: ``conversation.meta.sender`` or ``contact_inbox.contact_id``."""
    if conv is None:
        return None
    sender = (conv.meta or {}).get("sender")
    if isinstance(sender, dict) and id_of(sender.get("id")):
        return id_of(sender.get("id"))
    inbox = (conv.model_extra or {}).get("contact_inbox")
    return id_of(inbox.get("contact_id")) if isinstance(inbox, dict) else None


def read_event(event: ChatwootEvent) -> Message | Ignored:
    """The message a ``message_created`` event carries, or why there is nothing to do."""
    conv = event.conversation
    conversation = None if conv is None else str(conv.display_id or conv.id or "") or None
    if event.event != "message_created":
        return Ignored(f"event {event.event!r} is not message_created", conversation)
    if event.private:
        return Ignored("a private note", conversation)
    content = (event.content or "").strip()
    if not content:
        return Ignored("the message has no text", conversation)
    channel = vendor_channel("chatwoot", conv.channel if conv else None)
    account = id_of((event.account or {}).get("id"))
    delivery = f"message {account or '-'}:{event.id}" if id_of(event.id) else None
    if event.message_type in ("outgoing", 1):
        contact = _contact(conv)
        sent = None
        if contact is not None:
            agent = event.sender.name if event.sender else None
            where = f"chatwoot:{conversation}" if conversation else None
            sent = Sent("chatwoot", contact, channel, agent, where)
        asked = _last_incoming(conv, event.id)
        return Message(conversation, content, True, channel, delivery, sent, asked)
    if _is_incoming(event.message_type):
        return Message(conversation, content, False, channel, delivery)
    return Ignored(f"message_type {event.message_type!r} is neither incoming nor outgoing", conversation)


CHATWOOT = Vendor(
    name="chatwoot",
    title="Chatwoot",
    secret_env="TACTFUL_CHATWOOT_SECRET",
    secret=lambda settings: settings.chatwoot_secret,
    verify=verify_chatwoot,
    payload=ChatwootEvent,
    read=read_event,
)


@router.post("/chatwoot", response_model=WebhookOut, summary="Chatwoot message_created webhook")
async def chatwoot(request: Request) -> Response:
    return await receive(request, CHATWOOT)
