"""What every helpdesk webhook does, written once: verify the request, parse its payload, and dispatch
the message it carries.

A vendor (:class:`Vendor`, one small module each: :mod:`.chatwoot`, :mod:`.zendesk`) says how its
requests are signed, what its payload looks like and how to read the message out of it
(:class:`Message`, or :class:`Ignored` with the reason). :func:`receive` does the rest in the same
order for all of them: no secret configured → 503; signature → 401 (failures counted like bad API
tokens); body → 400/422; then an agent's outgoing reply is analyzed (:func:`analyze_outgoing`) and a
customer's incoming message is understood, decided and drafted (:func:`draft_incoming`), once per
delivery: a replay of one already processed is answered ``ignored``.
"""

from __future__ import annotations

import contextlib
import hashlib
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

import orjson
from fastapi import Request
from pydantic import BaseModel, ConfigDict, ValidationError
from starlette.responses import Response

from tactful.analyzer.core import TextTooLarge, analyze
from tactful.store.redact import redact_optional
from tactful.web.api.deps import check_text_sizes, config_of, kb_of, offload_of, run_sized, store_of
from tactful.web.api.store_calls import store_call
from tactful.web.api.webhooks.notes import analysis_note, draft_note
from tactful.web.auth import check_failures, count_failure
from tactful.web.errors import APIError, json_response
from tactful.web.offload import OFFLOAD_CHARS

M = TypeVar("M", bound=BaseModel)
P = TypeVar("P", bound=BaseModel)


class Loose(BaseModel):
    """A payload part: only the fields we use are declared; everything else is allowed and ignored."""

    model_config = ConfigDict(extra="allow")


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


@dataclass(frozen=True, slots=True)
class Message:
    """The message a delivery carries, read out of the vendor's payload.

    ``outgoing``: an agent's reply (analyzed; recorded when ``sent`` names the customer, checked
    against ``asked``, the customer's message); else a customer's message (drafted for ``channel``).
    ``delivery``: the helpdesk's id for this delivery (``message 1:118``), None to know it by its body.
    """

    conversation: str | None
    text: str
    outgoing: bool
    channel: str
    delivery: str | None
    sent: Sent | None = None
    asked: str | None = None


@dataclass(frozen=True, slots=True)
class Ignored:
    """A delivery with nothing to do (another event, a private note, no text): answered, not processed."""

    reason: str
    conversation: str | None = None


@dataclass(frozen=True, slots=True)
class Vendor:
    """What differs between helpdesks: names, secret, signature check, payload model and how to read it."""

    name: str  # "chatwoot": the store's delivery source
    title: str  # "Chatwoot": in messages
    secret_env: str  # the environment variable that sets the secret
    secret: Callable[[Any], str | None]  # the secret from the app's settings
    verify: Callable[[Request, bytes, str, float], None]  # raises a 401 APIError
    payload: type[BaseModel]
    read: Callable[[Any], Message | Ignored]


def id_of(value: object) -> str | None:
    """An id as text: ints and non-blank strings; anything else is no id."""
    return str(value) if isinstance(value, (int, str)) and str(value).strip() else None


# ── verification ─────────────────────────────────────────────────────────────────────────


def unauthorized(message: str) -> APIError:
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


def check_fresh(raw: str, tolerance_s: float) -> None:
    """Refuse a signed request stamped more than ``tolerance_s`` from now: a possible replay."""
    if tolerance_s <= 0:
        return
    at = _timestamp(raw)
    if at is None:
        raise unauthorized("the signature timestamp is not a date or a Unix time")
    if abs(time.time() - at) > tolerance_s:
        raise unauthorized(f"the signature timestamp is more than {tolerance_s:g} s away from now")


def _verified(verify: Callable[..., None], request: Request, *args: Any) -> None:
    """``verify(request, *args)``, with wrong secrets and signatures counted against the client's
    address like unknown API tokens: after a few, 429 before another is checked."""
    check_failures(request)
    try:
        verify(request, *args)
    except APIError:
        count_failure(request)
        raise


# ── parsing ──────────────────────────────────────────────────────────────────────────────


def _invalid(exc: ValidationError, prefix: str = "") -> APIError:
    first = exc.errors()[0]
    where = ".".join([prefix, *(str(p) for p in first["loc"])] if prefix else [str(p) for p in first["loc"]])
    return APIError(422, "validation_error", f"unexpected webhook payload: {where or 'body'}: {first['msg']}")


def part(model: type[M], data: object, where: str) -> M:
    """A nested part of a payload (``None`` counts as empty) validated like the body: 422, not 500."""
    try:
        return model.model_validate(data if data is not None else {})
    except ValidationError as exc:
        raise _invalid(exc, where) from None


def _parse(body: bytes, model: type[P]) -> P:
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


# ── dispatch ─────────────────────────────────────────────────────────────────────────────


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


async def receive(request: Request, vendor: Vendor) -> Response:
    """One webhook delivery from ``vendor``: verify → parse → dispatch, answered as JSON."""
    settings = request.app.state.settings
    secret = vendor.secret(settings)
    if not secret:
        raise _not_configured(vendor.title, vendor.secret_env)
    body = await request.body()
    _verified(vendor.verify, request, body, secret, settings.webhook_tolerance_s)
    read = vendor.read(_parse(body, vendor.payload))
    if isinstance(read, Ignored):
        return _ignored(read.reason, read.conversation)

    async def work() -> dict[str, Any]:
        if read.outgoing:
            return await analyze_outgoing(request, read.text, read.asked, read.sent)
        return await draft_incoming(request, read.text, read.channel)

    result = await _once(request, vendor.name, read.delivery or _body_key(body), work)
    if result is None:
        replayed = f"{vendor.title} {read.delivery or 'delivery'}"
        return _ignored(f"already processed: a replay of {replayed}", read.conversation)
    return json_response({**result, "conversation": read.conversation})
