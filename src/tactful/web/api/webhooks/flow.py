"""Helpdesk webhooks: Chatwoot ``message_created`` and Zendesk ticket comments.

An agent's outgoing reply is analyzed; a customer's incoming message is understood, decided
under the policies and drafted. Either way the answer carries the structured result and
``note``: plain text the helpdesk can post as a private note. Private messages and notes are
ignored, so posting that note never triggers another round.

Authenticity. Chatwoot: ``X-Chatwoot-Signature: sha256=<hex HMAC-SHA256 of "{timestamp}.{body}">``
with ``X-Chatwoot-Timestamp`` (Chatwoot versions that sign webhooks), or — for versions that
don't — the shared secret as ``?token=`` in the webhook URL or an ``X-Tactful-Token`` header.
Zendesk: ``X-Zendesk-Webhook-Signature`` = base64(HMAC-SHA256(secret, timestamp + body)) with
``X-Zendesk-Webhook-Signature-Timestamp``. Every comparison is constant-time; a signed request
older than the tolerance (default 5 minutes) is refused as a possible replay.
"""

from __future__ import annotations

import base64
import contextlib
import functools
import hashlib
import hmac
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

import orjson
from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from starlette.responses import Response

from tactful.analyzer.core import TextTooLarge, analyze
from tactful.channels import vendor_channel
from tactful.store.redact import redact_optional
from tactful.web.api.deps import check_text_sizes, config_of, kb_of, offload_of, run_sized, store_of
from tactful.web.api.models import WebhookOut
from tactful.web.api.store_calls import store_call
from tactful.web.auth import check_failures, count_failure
from tactful.web.errors import APIError, json_response
from tactful.web.offload import OFFLOAD_CHARS

router = APIRouter(prefix="/webhooks", tags=["webhooks"])

MAX_NOTE_FINDINGS = 3
M = TypeVar("M", bound=BaseModel)


# ── payloads (only the fields we use are declared; everything else is allowed and ignored) ──


class _Loose(BaseModel):
    model_config = ConfigDict(extra="allow")


class ChatwootSender(_Loose):
    id: int | str | None = None
    name: str | None = None
    type: str | None = None


class ChatwootConversation(_Loose):
    id: int | str | None = None
    display_id: int | str | None = None
    channel: str | None = None
    messages: list[dict[str, Any]] = Field(default_factory=list)
    meta: dict[str, Any] | None = None


class ChatwootEvent(_Loose):
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


class ZendeskAuthor(_Loose):
    id: int | str | None = None
    name: str | None = None
    is_staff: bool | None = None
    role: str | None = None


class ZendeskComment(_Loose):
    id: int | str | None = None
    body: str | None = None
    value: str | None = None  # the name Zendesk's placeholders use for a comment's text
    is_public: bool | str | None = None
    public: bool | str | None = None
    author: ZendeskAuthor | None = None


class ZendeskPayload(_Loose):
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


@dataclass(frozen=True, slots=True)
class Sent:
    """Who an outgoing reply went to, as the helpdesk names them: enough to record it."""

    helpdesk: str
    helpdesk_id: str
    channel: str
    agent: str | None
    conversation: str | None

    @property
    def customer(self) -> str:
        return f"{self.helpdesk}:{self.helpdesk_id}"


def _id(value: object) -> str | None:
    return str(value) if isinstance(value, (int, str)) and str(value).strip() else None


# ── verification ─────────────────────────────────────────────────────────────────────────


def _unauthorized(message: str) -> APIError:
    return APIError(401, "bad_signature", message)


def _not_configured(name: str, env: str) -> APIError:
    return APIError(503, "webhook_not_configured", f"the {name} webhook has no secret: set {env}")


def _timestamp(raw: str) -> float | None:
    raw = raw.strip()
    if raw.isascii() and raw.isdigit():  # "²" is a digit to str.isdigit, not to float()
        value = float(raw)
        return value / 1000 if value > 1e11 else value  # milliseconds or seconds
    try:
        return datetime.fromisoformat(raw.replace("Z", "+00:00")).timestamp()
    except (ValueError, OverflowError):  # not a date, or one the platform cannot convert (year 1)
        return None


def _check_fresh(raw: str, tolerance_s: float) -> None:
    if tolerance_s <= 0:
        return
    at = _timestamp(raw)
    if at is None:
        raise _unauthorized("the signature timestamp is not a date or a Unix time")
    if abs(time.time() - at) > tolerance_s:
        raise _unauthorized(f"the signature timestamp is more than {tolerance_s:g} s away from now")


def verify_chatwoot(request: Request, body: bytes, secret: str, tolerance_s: float) -> None:
    signature = request.headers.get("x-chatwoot-signature")
    if signature:
        stamp = request.headers.get("x-chatwoot-timestamp", "")
        if not stamp:
            raise _unauthorized("X-Chatwoot-Signature without X-Chatwoot-Timestamp")
        digest = hmac.new(secret.encode(), stamp.encode() + b"." + body, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(signature.strip().encode(), f"sha256={digest}".encode()):
            raise _unauthorized("X-Chatwoot-Signature does not match the body")
        _check_fresh(stamp, tolerance_s)
        return
    token = request.headers.get("x-tactful-token") or request.query_params.get("token")
    if not token:
        raise _unauthorized("no X-Chatwoot-Signature, X-Tactful-Token header or ?token= given")
    if not hmac.compare_digest(token.encode(), secret.encode()):
        raise _unauthorized("the webhook token does not match")


def zendesk_signature(secret: str, timestamp: str, body: bytes) -> str:
    mac = hmac.new(secret.encode(), timestamp.encode() + body, hashlib.sha256).digest()
    return base64.b64encode(mac).decode()


def verify_zendesk(request: Request, body: bytes, secret: str, tolerance_s: float) -> None:
    signature = request.headers.get("x-zendesk-webhook-signature")
    stamp = request.headers.get("x-zendesk-webhook-signature-timestamp")
    if not signature or not stamp:
        raise _unauthorized("missing X-Zendesk-Webhook-Signature or X-Zendesk-Webhook-Signature-Timestamp")
    expected = zendesk_signature(secret, stamp, body)
    if not hmac.compare_digest(signature.strip().encode(), expected.encode()):
        raise _unauthorized("X-Zendesk-Webhook-Signature does not match the body")
    _check_fresh(stamp, tolerance_s)


def _verified(verify: Callable[..., None], request: Request, *args: Any) -> None:
    """``verify(request, *args)``, with wrong secrets and signatures counted against the client's
    address like unknown API tokens: after a few, 429 before another is checked."""
    check_failures(request)
    try:
        verify(request, *args)
    except APIError:
        count_failure(request)
        raise


def _invalid(exc: ValidationError, prefix: str = "") -> APIError:
    first = exc.errors()[0]
    where = ".".join([prefix, *(str(p) for p in first["loc"])] if prefix else [str(p) for p in first["loc"]])
    return APIError(422, "validation_error", f"unexpected webhook payload: {where or 'body'}: {first['msg']}")


def _model(model: type[M], data: object, where: str) -> M:
    """A nested part of a payload (``None`` counts as empty) validated like the body: 422, not 500."""
    try:
        return model.model_validate(data if data is not None else {})
    except ValidationError as exc:
        raise _invalid(exc, where) from None


def _parse(body: bytes, model: type[BaseModel]) -> Any:
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError:
        raise APIError(400, "invalid_json", "the webhook body is not valid JSON") from None
    if not isinstance(data, dict):
        raise APIError(422, "validation_error", "the webhook body must be a JSON object")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise _invalid(exc) from None


# ── what we answer ───────────────────────────────────────────────────────────────────────


def analysis_note(analysis: dict[str, Any]) -> str:
    kind = "a refusal" if analysis.get("is_refusal") else "not a refusal"
    lines = [f"tactful · reply score {analysis['score']}/100 ({kind})"]
    order = {"error": 0, "warning": 1, "suggestion": 2}
    findings = sorted(analysis.get("findings", []), key=lambda f: (order.get(f["level"], 3), f["start"]))
    if findings:
        lines.append("Fix first:")
        for f in findings[:MAX_NOTE_FINDINGS]:
            lines.append(f"- [{f['level']}] {f['message']} → {f['suggestion']}")
        if len(findings) > MAX_NOTE_FINDINGS:
            lines.append(f"(and {len(findings) - MAX_NOTE_FINDINGS} more)")
    else:
        lines.append("Nothing to fix: the reply follows the method.")
    weak = [
        f"{name.replace('_', ' ')} {c['score']:.2f}"
        for name, c in analysis.get("characteristics", {}).items()
        if c.get("applicable") and c.get("score") is not None and c["score"] < 0.5
    ]
    if weak:
        lines.append("Weakest: " + ", ".join(weak))
    return "\n".join(lines)


def draft_note(understanding: dict[str, Any], draft: dict[str, Any] | None, reason: str | None) -> str:
    request = understanding.get("request") or {}
    mood = (understanding.get("mood") or {}).get("label", "unknown")
    lines = [f"tactful · the customer asks for: {request.get('type', 'unclear')} · mood: {mood}"]
    for e in understanding.get("escalation", []):
        lines.append(f"! {e['kind'].replace('_', ' ')}: {e['advice']}")
    if understanding.get("clarifying_question"):
        lines.append(f"Ask: {understanding['clarifying_question']}")
    if draft is None:
        lines.append(f"No draft: {reason}")
        return "\n".join(lines)
    decision = draft["decision"]
    policy = decision.get("policy") or {}
    if policy:
        lines.append(
            f"Decision: {decision['outcome'].replace('_', ' ')} under {policy['id']} ({policy['title']})"
        )
    else:  # no KB, or no policy covers it: nothing was decided, and the note says why
        lines.append("Decision: none. " + " ".join(draft.get("notes") or decision.get("notes") or []))
    if decision.get("missing"):
        lines.append("Needed to decide: " + ", ".join(decision["missing"]))
    flag = " — below the team threshold, edit before sending" if draft["below_threshold"] else ""
    lines.append(f"Suggested reply (score {draft['analysis']['score']}/100{flag}):")
    lines.append("")
    lines.append(draft["text"])
    return "\n".join(lines)


async def analyze_outgoing(
    request: Request, reply: str, customer_message: str | None, sent: Sent | None = None
) -> dict[str, Any]:
    """Analyze an agent's reply. With the customer known (``sent``), it is checked against what
    they were told before and recorded in the store, so the next answer stays consistent."""
    check_text_sizes(request, {"the agent's reply": reply, "the customer's message": customer_message})
    if sent is None:
        try:
            analysis = await run_sized(
                len(reply), analyze, reply, customer_message, config=config_of(request)
            )
        except TextTooLarge as exc:
            raise APIError(413, "text_too_large", str(exc)) from None
        wire = analysis.to_dict()
        return {"action": "analyzed", "analysis": wire, "note": analysis_note(wire), "case": None}
    store = store_of(request)
    checked = None
    if store.redact and await run_sized(len(reply), redact_optional, reply) != reply:
        # The store keeps a redacted copy, so its analysis has other offsets: answer on the agent's own
        # text, analyzed before logging so the reply is not compared with itself.
        checked = await store_call(store.analyze, sent.customer, reply, customer_message=customer_message)
    case = await store_call(
        store.log_reply,
        sent.customer,
        reply,
        customer_message=customer_message,
        channel=sent.channel,
        agent=sent.agent,
        conversation=sent.conversation,
        helpdesk_ids={sent.helpdesk: sent.helpdesk_id},
    )
    if checked is not None:
        wire = checked.to_dict()
    else:  # the analysis log_reply stored: one pass, scored against the history
        wire = await store_call(store.case_analysis, case.id)
    return {"action": "analyzed", "analysis": wire, "note": analysis_note(wire), "case": case.id}


async def draft_incoming(request: Request, message: str, channel: str) -> dict[str, Any]:
    from tactful.composer import compose
    from tactful.understanding import understand

    check_text_sizes(request, {"the customer's message": message})
    u = await run_sized(len(message), understand, message)
    understanding = u.to_dict()
    if not u.understood:
        reason = u.note or f"the message was not understood ({u.status})"
        return {
            "action": "understood",
            "reason": reason,
            "understanding": understanding,
            "note": draft_note(understanding, None, reason),
        }
    try:
        if len(message) > OFFLOAD_CHARS:  # in another process: it would hold the others up
            drafts = await offload_of(request).compose(message, {}, {"channel": channel})
        else:
            kb, config = kb_of(request), config_of(request)
            drafts = [d.to_dict() for d in compose(message, {}, kb, channel=channel, config=config)]
    except ValueError as exc:
        reason = str(exc)
        return {
            "action": "understood",
            "reason": reason,
            "understanding": understanding,
            "note": draft_note(understanding, None, reason),
        }
    draft = drafts[0]
    return {
        "action": "drafted",
        "understanding": understanding,
        "decision": draft["decision"],
        "draft": draft,
        "note": draft_note(understanding, draft, None),
    }


def _body_key(body: bytes) -> str:
    """A delivery with no id of its own is known by its body: a replay repeats it byte for byte
    (and for a signed one, any change breaks the signature)."""
    return "body " + hashlib.sha256(body).hexdigest()


Work = Callable[[], Awaitable[dict[str, Any]]]


async def _once(request: Request, source: str, key: str, work: Work) -> dict[str, Any] | None:
    """Run ``work`` for a delivery the store has not seen (``key``: the helpdesk's id for it), or
    return None for a replay; a delivery whose processing fails is forgotten, so a retry counts."""
    store = store_of(request)
    if not await store_call(store.claim_delivery, source, key):
        return None
    try:
        return await work()
    except BaseException:
        with contextlib.suppress(APIError):
            await store_call(store.release_delivery, source, key)
        raise


def _ignored(reason: str, conversation: str | None = None) -> Response:
    return json_response({"action": "ignored", "reason": reason, "note": None, "conversation": conversation})


# ── Chatwoot ─────────────────────────────────────────────────────────────────────────────


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


def _chatwoot_contact(conv: ChatwootConversation | None) -> str | None:
    """The customer's contact id: ``conversation.meta.sender`` or ``contact_inbox.contact_id``."""
    if conv is None:
        return None
    sender = (conv.meta or {}).get("sender")
    if isinstance(sender, dict) and _id(sender.get("id")):
        return _id(sender.get("id"))
    inbox = (conv.model_extra or {}).get("contact_inbox")
    return _id(inbox.get("contact_id")) if isinstance(inbox, dict) else None


@router.post("/chatwoot", response_model=WebhookOut, summary="Chatwoot message_created webhook")
async def chatwoot(request: Request) -> Response:
    settings = request.app.state.settings
    if not settings.chatwoot_secret:
        raise _not_configured("Chatwoot", "TACTFUL_CHATWOOT_SECRET")
    body = await request.body()
    _verified(verify_chatwoot, request, body, settings.chatwoot_secret, settings.webhook_tolerance_s)
    event: ChatwootEvent = _parse(body, ChatwootEvent)
    conv = event.conversation
    conversation = None if conv is None else str(conv.display_id or conv.id or "") or None
    if event.event != "message_created":
        return _ignored(f"event {event.event!r} is not message_created", conversation)
    if event.private:
        return _ignored("a private note", conversation)
    content = (event.content or "").strip()
    if not content:
        return _ignored("the message has no text", conversation)
    channel = vendor_channel("chatwoot", conv.channel if conv else None)
    if event.message_type in ("outgoing", 1):
        contact = _chatwoot_contact(conv)
        sent = None
        if contact is not None:
            agent = event.sender.name if event.sender else None
            where = f"chatwoot:{conversation}" if conversation else None
            sent = Sent("chatwoot", contact, channel, agent, where)
        asked = _last_incoming(conv, event.id)
        work: Work = functools.partial(analyze_outgoing, request, content, asked, sent)
    elif _is_incoming(event.message_type):
        work = functools.partial(draft_incoming, request, content, channel)
    else:
        return _ignored(f"message_type {event.message_type!r} is neither incoming nor outgoing", conversation)
    account = _id((event.account or {}).get("id"))
    message = f"message {account or '-'}:{event.id}" if _id(event.id) else None
    result = await _once(request, "chatwoot", message or _body_key(body), work)
    if result is None:
        return _ignored(f"already processed: a replay of Chatwoot {message or 'delivery'}", conversation)
    return json_response({**result, "conversation": conversation})


# ── Zendesk ──────────────────────────────────────────────────────────────────────────────

_STAFF_ROLES = {"agent", "admin", "administrator", "staff", "light agent"}


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


def _zendesk_comment(p: ZendeskPayload) -> _Comment:
    """The ticket comment, from either payload shape."""
    if p.type is not None and p.event is not None:  # an event webhook
        if p.type != "zen:event-type:ticket.comment_added":
            return _Comment(None, "", None, None)
        c = _model(ZendeskComment, p.event.get("comment"), "event.comment")
        ticket = (p.detail or {}).get("id") or (p.subject or "").rpartition(":")[2] or None
        staff = c.author.is_staff if c.author else None
        author = c.author.name if c.author else None
        return _Comment(_id(ticket), c.body or c.value or "", _truth(c.is_public), staff, author, _id(c.id))
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
        comment_id = _id(c.id)
    staff = None if role is None else role.strip().lower() in _STAFF_ROLES
    return _Comment(_id(ticket), text, public, staff, author, comment_id)


@router.post("/zendesk", response_model=WebhookOut, summary="Zendesk ticket-comment webhook")
async def zendesk(request: Request) -> Response:
    settings = request.app.state.settings
    if not settings.zendesk_secret:
        raise _not_configured("Zendesk", "TACTFUL_ZENDESK_SECRET")
    body = await request.body()
    _verified(verify_zendesk, request, body, settings.zendesk_secret, settings.webhook_tolerance_s)
    payload: ZendeskPayload = _parse(body, ZendeskPayload)
    comment = _zendesk_comment(payload)
    ticket, text, public, staff = comment.ticket, comment.text, comment.public, comment.staff
    if payload.type is not None and payload.event is not None and not text and staff is None:
        return _ignored(f"event {payload.type!r} is not a ticket comment", ticket)
    if public is False:
        return _ignored("a private comment (internal note)", ticket)
    if not text.strip():
        return _ignored("the comment has no text", ticket)
    if staff is None:
        raise APIError(
            422, "validation_error", "cannot tell who wrote the comment: send author_role or author.is_staff"
        )
    via = (payload.detail or {}).get("via")
    channel = vendor_channel(
        "zendesk", payload.channel or (via.get("channel") if isinstance(via, dict) else None)
    )
    if staff:
        requester = _id((payload.detail or {}).get("requester_id")) or _id(
            (payload.model_extra or {}).get("requester_id")
        )
        where = f"zendesk:{ticket}" if ticket else None
        sent = Sent("zendesk", requester, channel, comment.author, where) if requester else None
        work: Work = functools.partial(analyze_outgoing, request, text.strip(), None, sent)
    else:
        work = functools.partial(draft_incoming, request, text.strip(), channel)
    event_id = _id((payload.model_extra or {}).get("id")) if payload.type is not None else None
    delivery = f"event {event_id}" if event_id else f"comment {comment.id}" if comment.id else None
    result = await _once(request, "zendesk", delivery or _body_key(body), work)
    if result is None:
        return _ignored(f"already processed: a replay of Zendesk {delivery or 'delivery'}", ticket)
    return json_response({**result, "conversation": ticket})
