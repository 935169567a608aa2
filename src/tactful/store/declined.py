"""Declined requests, grouped by topic; when one ships, every customer who asked is drafted a notice."""

from __future__ import annotations

from sqlalchemy import func, select, update

from .context import StoreContext
from .db import NotFound
from .records import DeclinedTopic, ShipNotice, now, utc
from .tables import Customer, DeclinedRequest, Promise, RequestTopic


def declined_requests(ctx: StoreContext) -> list[DeclinedTopic]:
    customers = func.count(DeclinedRequest.customer_id.distinct())
    query = (
        select(RequestTopic, customers, func.max(DeclinedRequest.asked_at))
        .join(DeclinedRequest, DeclinedRequest.topic_id == RequestTopic.id)
        .group_by(RequestTopic.id)
        .order_by(customers.desc(), RequestTopic.topic)
    )
    with ctx.read() as s:
        return [
            DeclinedTopic(t.topic, t.request_type, n, utc(last), t.status, utc(t.shipped_at))
            for t, n, last in s.execute(query).all()
        ]


def ship_request(ctx: StoreContext, topic: str) -> list[ShipNotice]:
    """Mark the topic shipped, draft one notice per customer who asked (scored by the analyzer),
    and count the "I'll let you know" promises on it as kept."""
    from tactful.analyzer.core import analyze

    from .extract import normalize_topic
    from .ship_notice import draft_notification

    key = normalize_topic(topic)
    at = now()
    with ctx.write() as s:
        t = s.scalar(select(RequestTopic).where(RequestTopic.topic == key))
        if t is None:
            known = (
                ", ".join(s.scalars(select(RequestTopic.topic).order_by(RequestTopic.topic))) or "none yet"
            )
            raise NotFound(f"no declined request on {key!r} (topics: {known})")
        t.status, t.shipped_at = "shipped", t.shipped_at or at
        rows = s.execute(
            select(DeclinedRequest, Customer)
            .join(Customer, Customer.id == DeclinedRequest.customer_id)
            .where(DeclinedRequest.topic_id == t.id)
            .order_by(DeclinedRequest.asked_at, DeclinedRequest.id)
        ).all()
        promised = set(
            s.scalars(select(Promise.customer_id).where(Promise.topic == key, Promise.kind == "notify"))
        )
        notices: list[ShipNotice] = []
        seen: set[int] = set()
        for request, customer in rows:
            if request.notified_at is None:
                request.notified_at = at
            if customer.id in seen:
                continue
            seen.add(customer.id)
            draft = draft_notification(customer.name, key, request.asked_at, customer.id in promised)
            notices.append(
                ShipNotice(
                    customer=customer.key,
                    name=customer.name,
                    topic=key,
                    asked_at=utc(request.asked_at),
                    case_id=request.case_id,
                    draft=draft,
                    score=analyze(draft, config=ctx.config).score,
                )
            )
        s.execute(
            update(Promise)
            .where(Promise.topic == key, Promise.kind == "notify", Promise.status == "open")
            .values(status="kept", kept_at=at)
        )
        return notices
