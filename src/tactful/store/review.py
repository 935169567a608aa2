"""One scoring for a known customer: a reply analyzed with what the store remembers of them.

Their earlier replies are the analyzer's history, and the rules on the customer's memory (a
repeated no, a promise not kept, an exception reversed; :mod:`tactful.rules.memory`) count in the
score.
``Store.analyze``, ``Store.check_consistency`` and ``Store.log_reply`` all judge a reply here, so
the score a case is stored with is the one the agent saw.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tactful.rules.engine import run_memory_rules
from tactful.rules.memory import Memory, OpenPromise, PastCase

from .consistency import HISTORY_PERIOD_RULE, period_findings
from .context import StoreContext
from .records import now, to_db
from .tables import Case, Customer, Promise, RequestTopic

if TYPE_CHECKING:
    from tactful.contract import Finding

# Requests whose topic may be read from the customer's own words ("could you add dark mode?").
FEATURE_TYPES = ("feature_request", "customization")


def customer_memory(s: Session, customer_id: int) -> tuple[list[PastCase], list[OpenPromise]]:
    """The customer's earlier cases, oldest first, and the promises still open to them."""
    columns = (Case.id, Case.sent_at, Case.reply, Case.request_type, Case.topic, Case.is_refusal)
    query = select(*columns, Case.exception_granted).where(Case.customer_id == customer_id)
    cases = [PastCase(*row) for row in s.execute(query.order_by(Case.sent_at, Case.id)).all()]
    shipped = set(s.scalars(select(RequestTopic.topic).where(RequestTopic.status == "shipped")))
    rows = s.execute(
        select(Promise, Case.sent_at)
        .join(Case, Case.id == Promise.case_id)
        .where(Promise.customer_id == customer_id, Promise.status == "open")
    ).all()
    promises = [
        OpenPromise(p.id, p.case_id, sent, p.text, p.due_at, bool(p.topic and p.topic in shipped))
        for p, sent in rows
    ]
    return cases, promises


def review(
    ctx: StoreContext,
    reply: str,
    customer_message: str | None,
    context: dict[str, Any],
    past: list[PastCase],
    promises: list[OpenPromise],
    request_type: str | None,
    topic: str | None,
    at: datetime,
) -> Any:
    """Analyze ``reply`` with the customer's history, the store's own findings counted in the score.

    One analysis pass: the memory findings (repeated no, promise not kept, exception reversed) go
    in as extra findings, and the analyzer's history-period findings are re-worded to name the
    earlier case. ``log_reply`` stores exactly what ``analyze`` returns for the same history."""
    from tactful.analyzer.core import analyze
    from tactful.analyzer.features import extract as features

    if past:
        context = {**context, "history": [p.reply for p in past]}
    memory: list[Finding] = []
    if past or promises:
        refusals = features(reply).refusals
        remembered = Memory(reply, refusals, past, promises, request_type, topic, at)
        memory = run_memory_rules(remembered, ctx.config)  # [rules] disable and levels apply
    analysis = analyze(reply, customer_message, context or None, config=ctx.config, extra_findings=memory)
    if past:
        periods = period_findings(reply, analysis.findings, past)
        others = [f for f in analysis.findings if f.rule != HISTORY_PERIOD_RULE]
        findings = sorted([*others, *periods], key=lambda f: (f.start, f.end, f.rule))
        analysis = dataclasses.replace(analysis, findings=findings)
    return analysis


def type_and_topic(
    found: Any, customer_message: str | None, request_type: str | None, topic: str | None
) -> tuple[str | None, str | None]:
    """The request type and topic a reply is filed under: given ones win, else what the customer's
    message and the reply (``found``, from ``extract``) say."""
    from .extract import normalize_topic

    rtype = request_type or _request_type(customer_message, "other" if found.is_refusal else "")
    the_topic = normalize_topic(topic) if topic else found.topic
    if the_topic is None and rtype in FEATURE_TYPES:
        the_topic = found.asked_topic
    if the_topic is None and found.declined_feature:  # "we won't be adding dark mode"
        the_topic = found.declined_feature
        if not request_type and rtype not in FEATURE_TYPES:
            rtype = "feature_request"
    return rtype, the_topic


def _request_type(customer_message: str | None, fallback: str) -> str | None:
    if customer_message:
        from tactful.understanding import understand

        request = understand(customer_message).request
        if request is not None:
            return request.type
    return fallback or None


def _memory(
    ctx: StoreContext,
    customer: str,
    reply: str,
    customer_message: str | None,
    request_type: str | None,
    topic: str | None,
    at: datetime | None,
) -> tuple[list[PastCase], list[OpenPromise], str | None, str | None, datetime]:
    """What :func:`review` needs to judge ``reply`` against this customer: their earlier cases, open
    promises, the request type and topic the reply is filed under, and the time."""
    from .extract import extract

    at_db = to_db(at) or now()
    cases: list[PastCase] = []
    promises: list[OpenPromise] = []
    if reply.strip():
        with ctx.read() as s:
            cid = s.scalar(select(Customer.id).where(Customer.key == customer.strip()))
            if cid is not None:
                cases, promises = customer_memory(s, cid)
    if not cases:
        return cases, promises, request_type, topic, at_db
    found = extract(reply, customer_message, at_db, {})
    rtype, the_topic = type_and_topic(found, customer_message, request_type, topic)
    return cases, promises, rtype, the_topic, at_db


def check_consistency(
    ctx: StoreContext,
    customer: str,
    reply: str,
    *,
    customer_message: str | None,
    request_type: str | None,
    topic: str | None,
    at: datetime | None,
) -> list[Finding]:
    cases, promises, rtype, the_topic, at_db = _memory(
        ctx, customer, reply, customer_message, request_type, topic, at
    )
    if not cases:  # nothing to be consistent with: no analysis needed
        return []
    analysis = review(ctx, reply, customer_message, {}, cases, promises, rtype, the_topic, at_db)
    return [f for f in analysis.findings if f.characteristic == "consistency"]


def analyze(
    ctx: StoreContext,
    customer: str,
    reply: str,
    *,
    customer_message: str | None,
    context: dict[str, Any] | None,
    request_type: str | None,
    topic: str | None,
) -> Any:
    if not isinstance(reply, str):
        raise TypeError(f"reply must be a str, not {type(reply).__name__}")
    cases, promises, rtype, the_topic, at_db = _memory(
        ctx, customer, reply, customer_message, request_type, topic, None
    )
    return review(ctx, reply, customer_message, dict(context or {}), cases, promises, rtype, the_topic, at_db)
