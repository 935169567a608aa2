"""ORM rows to the frozen records the store hands out (one query per table, not per row)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from .records import (
    AlternativeInfo,
    CaseRecord,
    FeedbackInfo,
    FollowUpInfo,
    PromiseInfo,
    RefusalInfo,
    UserInfo,
    now,
    utc,
)
from .tables import Alternative, Case, Conversation, Customer, Feedback, FollowUp, Promise, Refusal, User


def user_info(u: User) -> UserInfo:
    return UserInfo(
        id=u.id, name=u.name, role=u.role, created_at=utc(u.created_at), revoked_at=utc(u.revoked_at)
    )


def promise_info(p: Promise) -> PromiseInfo:
    return PromiseInfo(
        id=p.id,
        case_id=p.case_id,
        text=p.text,
        kind=p.kind,
        topic=p.topic,
        due_at=utc(p.due_at),
        status=p.status,
        kept_at=utc(p.kept_at),
    )


def followup_info(f: FollowUp, customer: str, at: datetime) -> FollowUpInfo:
    return FollowUpInfo(
        id=f.id,
        customer=customer,
        case_id=f.case_id,
        promise_id=f.promise_id,
        due_at=utc(f.due_at),
        owner=f.owner,
        note=f.note,
        status=f.status,
        done_at=utc(f.done_at),
        overdue=f.status == "open" and f.due_at < at,
    )


def feedback_info(f: Feedback) -> FeedbackInfo:
    return FeedbackInfo(case_id=f.case_id, csat=f.csat, comment=f.comment, created_at=utc(f.created_at))


def case_records(s: Session, cases: list[Case]) -> list[CaseRecord]:
    """Frozen records for ``cases`` with their refusal, promises, follow-ups and feedback."""
    if not cases:
        return []
    ids = [c.id for c in cases]
    at = now()
    customers = dict(
        s.execute(
            select(Customer.id, Customer.key).where(Customer.id.in_({c.customer_id for c in cases}))
        ).all()
    )
    convs = dict(
        s.execute(
            select(Conversation.id, Conversation.key).where(
                Conversation.id.in_({c.conversation_id for c in cases})
            )
        ).all()
    )
    refusals = {r.case_id: r for r in s.scalars(select(Refusal).where(Refusal.case_id.in_(ids)))}
    alts: dict[int, list[Alternative]] = {}
    if refusals:
        query = select(Alternative).where(Alternative.refusal_id.in_([r.id for r in refusals.values()]))
        for a in s.scalars(query.order_by(Alternative.position)):
            alts.setdefault(a.refusal_id, []).append(a)
    promises: dict[int, list[Promise]] = {}
    for p in s.scalars(select(Promise).where(Promise.case_id.in_(ids)).order_by(Promise.id)):
        promises.setdefault(p.case_id, []).append(p)
    follow: dict[int, list[FollowUp]] = {}
    for f in s.scalars(select(FollowUp).where(FollowUp.case_id.in_(ids)).order_by(FollowUp.id)):
        follow.setdefault(f.case_id or 0, []).append(f)
    feedback: dict[int, list[Feedback]] = {}
    for fb in s.scalars(select(Feedback).where(Feedback.case_id.in_(ids)).order_by(Feedback.id)):
        feedback.setdefault(fb.case_id, []).append(fb)
    return [
        case_record(
            c,
            customers[c.customer_id],
            convs[c.conversation_id],
            refusals.get(c.id),
            alts.get(refusals[c.id].id, []) if c.id in refusals else [],
            promises.get(c.id, []),
            follow.get(c.id, []),
            feedback.get(c.id, []),
            at,
        )
        for c in cases
    ]


def case_record(
    c: Case,
    customer: str,
    conversation: str,
    r: Refusal | None,
    alternatives: list[Alternative],
    promises: list[Promise],
    followups: list[FollowUp],
    feedback: list[Feedback],
    at: datetime,
) -> CaseRecord:
    """One record from rows already at hand (``log_reply`` has them all without a query)."""
    refusal = None
    if r is not None:
        refusal = RefusalInfo(
            id=r.id,
            request_type=r.request_type,
            policy_id=r.policy_id,
            reason=r.reason,
            alternatives=tuple(AlternativeInfo(a.position, a.text, a.kind, a.accepted) for a in alternatives),
        )
    chars = c.analysis.get("characteristics", {})
    breached = (
        c.response_minutes is not None and c.sla_minutes is not None and c.response_minutes > c.sla_minutes
    )
    return CaseRecord(
        id=c.id,
        customer=customer,
        conversation=conversation,
        channel=c.channel,
        agent=c.agent,
        customer_message=c.customer_message,
        reply=c.reply,
        received_at=utc(c.received_at),
        sent_at=utc(c.sent_at),
        request_type=c.request_type,
        policy_id=c.policy_id,
        topic=c.topic,
        is_refusal=c.is_refusal,
        exception_granted=c.exception_granted,
        score=c.score,
        response_minutes=c.response_minutes,
        sla_minutes=c.sla_minutes,
        sla_breached=breached,
        findings=tuple(c.analysis.get("findings", [])),
        characteristics={k: v["score"] for k, v in chars.items() if v.get("score") is not None},
        refusal=refusal,
        promises=tuple(promise_info(p) for p in promises),
        followups=tuple(followup_info(f, customer, at) for f in followups),
        feedback=tuple(feedback_info(fb) for fb in feedback),
    )
