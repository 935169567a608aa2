"""Cases: a sent reply recorded with what it refused, offered and promised, and read back."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from .assemble import case_record, case_records
from .context import StoreContext
from .db import InvalidInput, NotFound, StoreError, TooLarge
from .records import CaseRecord, now, to_db
from .redact import redact_optional
from .review import customer_memory, review, type_and_topic
from .rows import customer_id, get_or_create, is_id
from .tables import (
    Alternative,
    Case,
    CaseScore,
    Conversation,
    Customer,
    DeclinedRequest,
    FollowUp,
    Promise,
    Refusal,
    RequestTopic,
)

# An open-ended "I'll get back to you" becomes a follow-up due this long after the reply.
OPEN_PROMISE_DUE = timedelta(days=2)


def log_reply(
    ctx: StoreContext,
    customer: str,
    reply: str,
    *,
    customer_message: str | None,
    channel: str | None,
    agent: str | None,
    received_at: datetime | None,
    sent_at: datetime | None,
    conversation: str | None,
    request_type: str | None,
    policy_id: str | None,
    topic: str | None,
    customer_name: str | None,
    helpdesk_ids: dict[str, str] | None,
    redact: bool,
    policy: Any,
) -> CaseRecord:
    """Analysis, refusal, alternatives, promises and follow-ups of one reply, in one transaction;
    ``redact``: the reply and the customer's message are kept redacted."""
    from .extract import extract

    if not isinstance(reply, str) or not reply.strip():
        raise InvalidInput("reply", "the reply is empty: nothing to log")
    limit = ctx.config.limits.max_chars
    if len(reply) > limit:
        raise TooLarge(f"the reply is {len(reply):,} characters; the limit is {limit:,} (limits.max_chars)")
    if redact:
        reply = redact_optional(reply) or ""
        customer_message = redact_optional(customer_message)
    sent = to_db(sent_at) or now()
    received = to_db(received_at)
    if received is not None and received > sent:
        raise InvalidInput("received_at", "received_at is later than sent_at")
    context: dict[str, Any] = {}
    if policy is not None:
        context["policy"] = policy
    if channel:
        context["channel"] = channel
    if received is not None:
        context["received_at"] = received.isoformat()
        context["replied_at"] = sent.isoformat()
    response = sla = None
    if received is not None:
        from tactful.analyzer.rubric import response_minutes, sla_minutes

        try:
            response = response_minutes(context)
            sla = sla_minutes(context, ctx.config)
        except ValueError as exc:
            raise StoreError(str(exc)) from None
    found = extract(reply, customer_message, sent, context)
    rtype, the_topic = type_and_topic(found, customer_message, request_type, topic)
    with ctx.write() as s:
        cid = customer_id(s, customer, customer_name)
        if helpdesk_ids:
            row = s.get(Customer, cid)
            assert row is not None
            row.helpdesk_ids = {**row.helpdesk_ids, **helpdesk_ids}
        past, promises = customer_memory(s, cid)
        try:
            analysis = review(ctx, reply, customer_message, context, past, promises, rtype, the_topic, sent)
        except ValueError as exc:  # the analyzer's refusal (bad context); the size was checked above
            raise StoreError(str(exc)) from None
        conv_key = conversation or f"auto-{uuid.uuid4().hex[:12]}"
        conv_id = get_or_create(
            s,
            Conversation,
            {"customer_id": cid, "key": conv_key, "channel": channel, "created_at": sent},
            ["customer_id", "key"],
        )
        wire = analysis.to_dict()
        case = Case(
            conversation_id=conv_id,
            customer_id=cid,
            agent=agent,
            channel=channel,
            customer_message=customer_message,
            reply=reply,
            received_at=received,
            sent_at=sent,
            request_type=rtype,
            policy_id=policy_id,
            topic=the_topic,
            is_refusal=analysis.is_refusal,
            exception_granted=found.exception_granted,
            score=analysis.score,
            response_minutes=response,
            sla_minutes=sla,
            analysis=wire,
        )
        s.add(case)
        s.flush()
        refusal: Refusal | None = None
        alternatives: list[Alternative] = []
        promises_made: list[Promise] = []
        followups: list[FollowUp] = []
        for name, value in analysis.characteristics.items():
            if value.applicable and value.score is not None:
                s.add(CaseScore(case_id=case.id, characteristic=name, score=round(value.score, 3)))
        if analysis.is_refusal:
            refusal = Refusal(
                case_id=case.id,
                customer_id=cid,
                request_type=rtype or "other",
                policy_id=policy_id,
                reason=found.reason,
            )
            s.add(refusal)
            s.flush()
            alternatives = [
                Alternative(refusal_id=refusal.id, position=i, text=alt_text, kind=kind, accepted=False)
                for i, (alt_text, kind) in enumerate(found.alternatives, 1)
            ]
            s.add_all(alternatives)
            if the_topic:
                tid = get_or_create(
                    s,
                    RequestTopic,
                    {"topic": the_topic, "request_type": rtype, "status": "declined", "shipped_at": None},
                    ["topic"],
                )
                s.add(DeclinedRequest(topic_id=tid, customer_id=cid, case_id=case.id, asked_at=sent))
        for p in found.promises:
            promise = Promise(
                case_id=case.id,
                customer_id=cid,
                text=p.text,
                kind=p.kind,
                topic=p.topic,
                due_at=p.due_at,
                status="open",
            )
            s.add(promise)
            s.flush()
            promises_made.append(promise)
            if p.kind == "contact":
                followups.append(
                    FollowUp(
                        case_id=case.id,
                        customer_id=cid,
                        promise_id=promise.id,
                        due_at=p.due_at or sent + OPEN_PROMISE_DUE,
                        owner=agent,
                        note=f"Promised: {p.text}",
                        status="open",
                    )
                )
        s.add_all(followups)
        s.flush()
        return case_record(
            case, customer.strip(), conv_key, refusal, alternatives, promises_made, followups, [], now()
        )


def case(ctx: StoreContext, case_id: int) -> CaseRecord:
    with ctx.read() as s:
        found = s.get(Case, case_id) if is_id(case_id) else None
        if found is None:
            raise NotFound(f"no case #{case_id} in the store")
        return case_records(s, [found])[0]


def cases(ctx: StoreContext, agent: str | None, characteristic: str | None, limit: int) -> list[CaseRecord]:
    query = select(Case)
    if agent is not None:
        query = query.where(Case.agent == agent)
    if characteristic is not None:
        query = query.join(CaseScore, CaseScore.case_id == Case.id).where(
            CaseScore.characteristic == characteristic
        )
        query = query.order_by(CaseScore.score, Case.sent_at.desc(), Case.id.desc())
    else:
        query = query.order_by(Case.sent_at.desc(), Case.id.desc())
    with ctx.read() as s:
        return case_records(s, list(s.scalars(query.limit(max(1, limit)))))


def case_analysis(ctx: StoreContext, case_id: int) -> dict[str, Any]:
    with ctx.read() as s:
        found = s.get(Case, case_id) if is_id(case_id) else None
        if found is None:
            raise NotFound(f"no case #{case_id} in the store")
        return dict(found.analysis)


def set_helpdesk_id(ctx: StoreContext, customer: str, helpdesk: str, external_id: str) -> None:
    with ctx.write() as s:
        cid = customer_id(s, customer)
        c = s.get(Customer, cid)
        assert c is not None
        c.helpdesk_ids = {**c.helpdesk_ids, helpdesk: external_id}
