"""The store's reports: each takes a session and returns a :class:`~tactful.store.records.Table`.

Numbers are computed in SQL where it is plain aggregation; the few that need per-customer
timelines (came back after a no) are computed in Python over one query.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import Any

from sqlalchemy import Integer, case, cast, func, select
from sqlalchemy.orm import Session

from tactful.contract import CHARACTERISTICS

from .records import Table, now
from .tables import (
    Alternative,
    Case,
    CaseScore,
    Customer,
    DeclinedRequest,
    Feedback,
    FollowUp,
    Outcome,
    Refusal,
    RequestTopic,
)


def _mean(value: Any, digits: int = 2) -> float | None:
    return None if value is None else round(float(value), digits)


def _pct(part: int, whole: int) -> float | None:
    return None if not whole else round(100.0 * part / whole, 1)


def refusals_by_type(s: Session) -> Table:
    csat = (
        select(Feedback.case_id, func.avg(Feedback.csat).label("csat")).group_by(Feedback.case_id).subquery()
    )
    rows = s.execute(
        select(
            Refusal.request_type,
            func.count(Refusal.id),
            func.count(Refusal.customer_id.distinct()),
            func.avg(Case.score),
            func.avg(csat.c.csat),
        )
        .join(Case, Case.id == Refusal.case_id)
        .outerjoin(csat, csat.c.case_id == Refusal.case_id)
        .group_by(Refusal.request_type)
        .order_by(func.count(Refusal.id).desc(), Refusal.request_type)
    ).all()
    return Table(
        "refusals_by_type",
        ("request_type", "refusals", "customers", "mean_score", "mean_csat"),
        tuple((t, n, c, _mean(sc, 1), _mean(cs)) for t, n, c, sc, cs in rows),
    )


def refusals_by_policy(s: Session) -> Table:
    policy = func.coalesce(Refusal.policy_id, "(none)")
    rows = s.execute(
        select(policy, Refusal.request_type, func.count(Refusal.id))
        .group_by(policy, Refusal.request_type)
        .order_by(func.count(Refusal.id).desc(), policy, Refusal.request_type)
    ).all()
    return Table("refusals_by_policy", ("policy", "request_type", "refusals"), tuple(tuple(r) for r in rows))


def alternatives_accepted(s: Session) -> Table:
    accepted = func.sum(cast(Alternative.accepted, Integer))
    rows = s.execute(
        select(Alternative.kind, func.count(Alternative.id), accepted)
        .group_by(Alternative.kind)
        .order_by(accepted.desc(), func.count(Alternative.id).desc(), Alternative.kind)
    ).all()
    return Table(
        "alternatives_accepted",
        ("alternative", "offered", "accepted", "accepted_pct"),
        tuple((k, n, int(a or 0), _pct(int(a or 0), n)) for k, n, a in rows),
    )


def csat_after_refusals(s: Session) -> Table:
    group = case((Case.is_refusal, "refusal"), else_="other reply")
    satisfied = func.sum(case((Feedback.csat >= 4, 1), else_=0))
    rows = s.execute(
        select(group, func.count(Feedback.id), func.avg(Feedback.csat), satisfied)
        .join(Case, Case.id == Feedback.case_id)
        .group_by(group)
        .order_by(group.desc())
    ).all()
    return Table(
        "csat_after_refusals",
        ("replies", "responses", "mean_csat", "satisfied_pct"),
        tuple((g, n, _mean(m), _pct(int(sat or 0), n)) for g, n, m, sat in rows),
    )


def followups_kept(s: Session) -> Table:
    at = now()
    counts = {"kept": 0, "kept late": 0, "missed": 0, "open": 0}
    for status, due, done in s.execute(select(FollowUp.status, FollowUp.due_at, FollowUp.done_at)).all():
        if status == "done":
            counts["kept" if done is not None and done <= due else "kept late"] += 1
        else:
            counts["missed" if due < at else "open"] += 1
    total = sum(counts.values())
    return Table(
        "followups_kept",
        ("status", "followups", "pct"),
        tuple((k, v, _pct(v, total)) for k, v in counts.items()),
    )


def came_back(s: Session) -> Table:
    """Customers refused at least once, and what they did after their first no."""
    first_no = dict(
        s.execute(
            select(Refusal.customer_id, func.min(Case.sent_at))
            .join(Case, Case.id == Refusal.case_id)
            .group_by(Refusal.customer_id)
        ).all()
    )
    after: dict[int, set[str]] = defaultdict(set)
    for cid, outcome, at in s.execute(select(Outcome.customer_id, Outcome.outcome, Outcome.at)).all():
        if cid in first_no and at >= first_no[cid]:
            after[cid].add(outcome)
    returning = sum(1 for o in after.values() if o & {"came_back", "bought_again"})
    bought = sum(1 for o in after.values() if "bought_again" in o)
    churned = sum(1 for o in after.values() if "churned" in o and not o & {"came_back", "bought_again"})
    refused = len(first_no)
    return Table(
        "came_back",
        ("measure", "customers", "pct_of_refused"),
        (
            ("refused at least once", refused, _pct(refused, refused)),
            ("came back after a no", returning, _pct(returning, refused)),
            ("bought again after a no", bought, _pct(bought, refused)),
            ("churned after a no", churned, _pct(churned, refused)),
            ("no outcome known", refused - len(after), _pct(refused - len(after), refused)),
        ),
    )


def sla_breaches(s: Session) -> Table:
    rows = s.execute(
        select(Case.id, Customer.key, Case.channel, Case.agent, Case.response_minutes, Case.sla_minutes)
        .join(Customer, Customer.id == Case.customer_id)
        .where(Case.response_minutes > Case.sla_minutes)
        .order_by(Case.sent_at.desc(), Case.id.desc())
    ).all()
    return Table(
        "sla_breaches",
        ("case", "customer", "channel", "agent", "response_minutes", "sla_minutes"),
        tuple((i, k, ch, a, _mean(r, 1), _mean(sla, 1)) for i, k, ch, a, r, sla in rows),
    )


def scores_by_agent(s: Session) -> Table:
    agent = func.coalesce(Case.agent, "(unknown)")
    base = {
        a: (n, m)
        for a, n, m in s.execute(
            select(agent, func.count(Case.id), func.avg(Case.score)).group_by(agent)
        ).all()
    }
    per: dict[tuple[str, str], float] = {
        (a, c): v
        for a, c, v in s.execute(
            select(agent, CaseScore.characteristic, func.avg(CaseScore.score))
            .join(CaseScore, CaseScore.case_id == Case.id)
            .group_by(agent, CaseScore.characteristic)
        ).all()
    }
    rows = tuple(
        (a, n, _mean(m, 1), *(_mean(per.get((a, c))) for c in CHARACTERISTICS))
        for a, (n, m) in sorted(base.items(), key=lambda kv: (-kv[1][0], kv[0]))
    )
    return Table("scores_by_agent", ("agent", "cases", "mean_score", *CHARACTERISTICS), rows)


def scores_over_time(s: Session) -> Table:
    groups: dict[tuple[str, str], list[int]] = defaultdict(list)
    for agent, sent, score in s.execute(select(Case.agent, Case.sent_at, Case.score)).all():
        year, week, _ = sent.isocalendar()
        groups[(f"{year}-W{week:02d}", agent or "(unknown)")].append(score)
    return Table(
        "scores_over_time",
        ("week", "agent", "cases", "mean_score"),
        tuple((w, a, len(v), round(sum(v) / len(v), 1)) for (w, a), v in sorted(groups.items())),
    )


def declined_ranked(s: Session) -> Table:
    customers = func.count(DeclinedRequest.customer_id.distinct())
    rows = s.execute(
        select(
            RequestTopic.topic,
            RequestTopic.request_type,
            customers,
            func.max(DeclinedRequest.asked_at),
            RequestTopic.status,
        )
        .join(DeclinedRequest, DeclinedRequest.topic_id == RequestTopic.id)
        .group_by(RequestTopic.id, RequestTopic.topic, RequestTopic.request_type, RequestTopic.status)
        .order_by(customers.desc(), RequestTopic.topic)
    ).all()
    return Table(
        "declined_ranked",
        ("topic", "request_type", "customers", "last_asked", "status"),
        tuple((t, rt, n, last.date().isoformat(), st) for t, rt, n, last, st in rows),
    )


REPORTS: dict[str, Callable[[Session], Table]] = {
    "refusals_by_type": refusals_by_type,
    "refusals_by_policy": refusals_by_policy,
    "alternatives_accepted": alternatives_accepted,
    "csat_after_refusals": csat_after_refusals,
    "followups_kept": followups_kept,
    "came_back": came_back,
    "sla_breaches": sla_breaches,
    "scores_by_agent": scores_by_agent,
    "scores_over_time": scores_over_time,
    "declined_ranked": declined_ranked,
}
