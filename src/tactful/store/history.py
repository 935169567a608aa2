"""A customer's story: their cases, promises, follow-ups, feedback, outcomes and declined asks."""

from __future__ import annotations

from typing import Any

from sqlalchemy import or_, select

from .assemble import case_records, followup_info, promise_info
from .context import StoreContext
from .records import CustomerHistory, OutcomeInfo, now, utc
from .rows import find_customer, page
from .tables import Case, DeclinedRequest, FollowUp, Outcome, Promise, RequestTopic


def history(
    ctx: StoreContext, customer: str, *, agent: str | None, limit: int | None, offset: int
) -> CustomerHistory:
    with ctx.read() as s:
        c = find_customer(s, customer)
        query = select(Case).where(Case.customer_id == c.id)
        if agent is not None:
            query = query.where(Case.agent == agent)
        newest = page(query.order_by(Case.sent_at.desc(), Case.id.desc()), limit, offset)
        cases = list(reversed(list(s.scalars(newest))))
        records = case_records(s, cases)
        at = now()
        promised = select(Promise).where(Promise.customer_id == c.id)
        follow_query = select(FollowUp).where(FollowUp.customer_id == c.id)
        if agent is not None or limit is not None or offset:  # a part of the story: its cases'
            shown = [x.id for x in cases]
            promised = promised.where(Promise.case_id.in_(shown))
            unlinked: Any = FollowUp.case_id.is_(None)
            if agent is not None:
                unlinked = unlinked & or_(FollowUp.owner == agent, FollowUp.owner.is_(None))
            linked = FollowUp.case_id.in_(shown)
            follow_query = follow_query.where(or_(linked, unlinked) if offset == 0 else linked)
        promises = s.scalars(promised.order_by(Promise.id))
        follow = s.scalars(follow_query.order_by(FollowUp.due_at))
        outcomes = s.scalars(select(Outcome).where(Outcome.customer_id == c.id).order_by(Outcome.at))
        topics = s.scalars(
            select(RequestTopic.topic)
            .join(DeclinedRequest, DeclinedRequest.topic_id == RequestTopic.id)
            .where(DeclinedRequest.customer_id == c.id)
            .distinct()
            .order_by(RequestTopic.topic)
        )
        return CustomerHistory(
            customer=c.key,
            name=c.name,
            helpdesk_ids=dict(c.helpdesk_ids),
            cases=tuple(records),
            promises=tuple(promise_info(p) for p in promises),
            followups=tuple(followup_info(f, c.key, at) for f in follow),
            feedback=tuple(fb for r in records for fb in r.feedback),
            outcomes=tuple(OutcomeInfo(o.outcome, utc(o.at)) for o in outcomes),
            declined_topics=tuple(topics),
        )
