"""Zendesk: ticket comments, from an event webhook (``zen:event-type:ticket.comment_added``) or a
trigger's JSON body (see docs/api.md).

Authenticity: ``X-Zendesk-Webhook-Signature`` = base64(HMAC-SHA256(secret, timestamp + body)) with
``X-Zendesk-Webhook-Signature-Timestamp``; constant-time comparison, and a request older than the
tolerance is refused as a possible replay.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
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
    part,
    receive,
    unauthorized,
)
from tactful.web.errors import APIError

router = APIRouter()

_STAFF_ROLES = {"agent", "admin", "administrator", "staff", "light agent"}


class ZendeskAuthor(Loose):
    id: int | str | None = None
    name: str | None = None
    is_staff: bool | None = None
    role: str | None = None


class ZendeskComment(Loose):
    id: int | str | None = None
    body: str | None = None
    value: str | None = None  # the name Zendesk's placeholders use for a comment's text
    is_public: bool | str | None = None
    public: bool | str | None = None
    author: ZendeskAuthor | None = None


class ZendeskPayload(Loose):
    """Either an event webhook (``type: zen:event-type:ticket.comment_added``, ``event.comment``,
    ``detail`` = the ticket) or a trigger's JSON body (``ticket_id``, ``comment``, ``public``,
    ``author_role``, see docs/api.md)."""

    type: str | None = None
    subject: str | None = None
    detail: dict[str, Any] | None = None
    event: dict[str, Any] | None = None
    ticket_id: int | str | None = None
    ticket: dict[str, Any] | None = None
    comment: ZendeskComment | str | None = None
    public: bool | str | None = None
    author_role: str | None = None
    channel: str | None = None


def zendesk_signature(secret: str, timestamp: str, body: bytes) -> str:
    mac = hmac.new(secret.encode(), timestamp.encode() + body, hashlib.sha256).digest()
    return base64.b64encode(mac).decode()


def verify_zendesk(request: Request, body: bytes, secret: str, tolerance_s: float) -> None:
    signature = request.headers.get("x-zendesk-webhook-signature")
    stamp = request.headers.get("x-zendesk-webhook-signature-timestamp")
    if not signature or not stamp:
        raise unauthorized("missing X-Zendesk-Webhook-Signature or X-Zendesk-Webhook-Signature-Timestamp")
    expected = zendesk_signature(secret, stamp, body)
    if not hmac.compare_digest(signature.strip().encode(), expected.encode()):
        raise unauthorized("X-Zendesk-Webhook-Signature does not match the body")
    check_fresh(stamp, tolerance_s)


def _truth(value: bool | str | None) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    text = value.strip().lower()
    if text in ("true", "yes", "1", "public"):
        return True
    if text in ("false", "no", "0", "private", "internal"):
        return False
    return None


@dataclass(frozen=True, slots=True)
class _Comment:
    ticket: str | None
    text: str
    public: bool | None
    staff: bool | None  # written by an agent or admin
    author: str | None = None
    id: str | None = None


def _comment(p: ZendeskPayload) -> _Comment:
    """The ticket comment, from either payload shape."""
    if p.type is not None and p.event is not None:  # an event webhook
        if p.type != "zen:event-type:ticket.comment_added":
            return _Comment(None, "", None, None)
        c = part(ZendeskComment, p.event.get("comment"), "event.comment")
        ticket = (p.detail or {}).get("id") or (p.subject or "").rpartition(":")[2] or None
        staff = c.author.is_staff if c.author else None
        author = c.author.name if c.author else None
        return _Comment(
            id_of(ticket), c.body or c.value or "", _truth(c.is_public), staff, author, id_of(c.id)
        )
    ticket = p.ticket_id if p.ticket_id is not None else (p.ticket or {}).get("id")
    author = comment_id = None
    if isinstance(p.comment, str):
        text, public, role = p.comment, _truth(p.public), p.author_role
    else:
        c = p.comment or ZendeskComment()
        text = c.body or c.value or ""
        public = _truth(c.is_public if c.is_public is not None else c.public)
        if public is None:
            public = _truth(p.public)
        role = p.author_role or (c.author.role if c.author else None)
        if role is None and c.author is not None and c.author.is_staff is not None:
            role = "agent" if c.author.is_staff else "end-user"
        author = c.author.name if c.author else None
        comment_id = id_of(c.id)
    staff = None if role is None else role.strip().lower() in _STAFF_ROLES
    return _Comment(id_of(ticket), text, public, staff, author, comment_id)


def read_payload(payload: ZendeskPayload) -> Message | Ignored:
    """The message a ticket-comment delivery carries, or why there is nothing to do."""
    comment = _comment(payload)
    ticket, text, public, staff = comment.ticket, comment.text, comment.public, comment.staff
    if payload.type is not None and payload.event is not None and not text and staff is None:
        return Ignored(f"event {payload.type!r} is not a ticket comment", ticket)
    if public is False:
        return Ignored("a private comment (internal note)", ticket)
    if not text.strip():
        return Ignored("the comment has no text", ticket)
    if staff is None:
        raise APIError(
            422, "validation_error", "cannot tell who wrote the comment: send author_role or author.is_staff"
        )
    via = (payload.detail or {}).get("via")
    channel = vendor_channel(
        "zendesk", payload.channel or (via.get("channel") if isinstance(via, dict) else None)
    )
    event_id = id_of((payload.model_extra or {}).get("id")) if payload.type is not None else None
    delivery = f"event {event_id}" if event_id else f"comment {comment.id}" if comment.id else None
    if not staff:
        return Message(ticket, text.strip(), False, channel, delivery)
    requester = id_of((payload.detail or {}).get("requester_id")) or id_of(
        (payload.model_extra or {}).get("requester_id")
    )
    where = f"zendesk:{ticket}" if ticket else None
    sent = Sent("zendesk", requester, channel, comment.author, where) if requester else None
    return Message(ticket, text.strip(), True, channel, delivery, sent)


ZENDESK = Vendor(
    name="zendesk",
    title="Zendesk",
    secret_env="TACTFUL_ZENDESK_SECRET",
    secret=lambda settings: settings.zendesk_secret,
    verify=verify_zendesk,
    payload=ZendeskPayload,
    read=read_payload,
)


@router.post("/zendesk", response_model=WebhookOut, summary="Zendesk ticket-comment webhook")
async def zendesk(request: Request) -> Response:
    return await receive(request, ZENDESK)
