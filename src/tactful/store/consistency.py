"""Check a new reply against what this customer was told before.

Four findings, each naming the earlier case (id and date): a different time window, an
exception granted before and now refused without a word about why, a promise past its due
date and still open, and the same no given again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from tactful.contract import Finding, Span

from .extract import EXPLAINS_CHANGE

_PERIOD = re.compile(r"\b(\d{1,4})[- ]?(day|week|month|year|hour)s?\b", re.IGNORECASE)
HISTORY_PERIOD_RULE = "tactful.consistency.history_period"


@dataclass(frozen=True, slots=True)
class PastCase:
    id: int
    sent_at: datetime
    reply: str
    request_type: str | None
    topic: str | None
    is_refusal: bool
    exception_granted: bool


@dataclass(frozen=True, slots=True)
class OpenPromise:
    id: int
    case_id: int
    made_at: datetime
    text: str
    due_at: datetime | None
    topic_shipped: bool


def _where(case_id: int, at: datetime) -> str:
    return f"case #{case_id} on {at:%Y-%m-%d}"


def _first_sentence(reply: str) -> Span:
    end = re.search(r"[.!?\n]", reply)
    return (0, end.end() if end else len(reply))


def period_findings(reply: str, analyzer_findings: list[Finding], past: list[PastCase]) -> list[Finding]:
    """The analyzer's history-period findings, re-worded to name the case that said otherwise."""
    out = []
    for f in analyzer_findings:
        if f.rule != HISTORY_PERIOD_RULE:
            continue
        m = _PERIOD.search(reply[f.start : f.end])
        unit = m.group(2).lower() if m else ""
        earlier = next(
            (
                (p, pm.group())
                for p in sorted(past, key=lambda c: c.sent_at, reverse=True)
                for pm in _PERIOD.finditer(p.reply)
                if pm.group(2).lower() == unit
            ),
            None,
        )
        if earlier is None:
            out.append(f)
            continue
        case, said = earlier
        out.append(
            Finding(
                rule=f.rule,
                characteristic="consistency",
                level=f.level,
                start=f.start,
                end=f.end,
                message=f"'{reply[f.start : f.end]}' differs from what this customer was told in "
                f"{_where(case.id, case.sent_at)}: '{said}'.",
                suggestion=f.suggestion,
            )
        )
    return out


def check(
    reply: str,
    refusals: list[Span],
    past: list[PastCase],
    promises: list[OpenPromise],
    *,
    request_type: str | None,
    topic: str | None,
    now: datetime,
) -> list[Finding]:
    """Findings from the store's memory (the period check runs in the analyzer, see above)."""
    out: list[Finding] = []
    where = refusals[0] if refusals else _first_sentence(reply)
    if refusals:
        granted = [p for p in past if p.exception_granted and _same_request(p, request_type, topic)]
        if granted and not EXPLAINS_CHANGE.search(reply):
            last = max(granted, key=lambda p: p.sent_at)
            out.append(
                Finding(
                    rule="tactful.store.exception_reversed",
                    characteristic="consistency",
                    level="warning",
                    start=where[0],
                    end=where[1],
                    message=f"This customer was granted an exception in {_where(last.id, last.sent_at)}; "
                    "this reply refuses without saying why that no longer applies.",
                    suggestion="Say that last time was a one-time exception, or what changed since.",
                )
            )
        repeated = [p for p in past if p.is_refusal and _same_request(p, request_type, topic)]
        if repeated:
            last = max(repeated, key=lambda p: p.sent_at)
            out.append(
                Finding(
                    rule="tactful.store.repeated_no",
                    characteristic="consistency",
                    level="suggestion",
                    start=where[0],
                    end=where[1],
                    message="This customer already heard no to this request in "
                    f"{_where(last.id, last.sent_at)}.",
                    suggestion="Acknowledge that they asked before, and offer something new "
                    "rather than the same no.",
                )
            )
    for promise in promises:
        overdue = promise.due_at is not None and promise.due_at < now
        if not overdue and not promise.topic_shipped:
            continue
        due = f" (due {promise.due_at:%Y-%m-%d})" if promise.due_at else " (what they waited for has shipped)"
        span = _first_sentence(reply)
        out.append(
            Finding(
                rule="tactful.store.promise_not_kept",
                characteristic="consistency",
                level="warning",
                start=span[0],
                end=span[1],
                message=f"In {_where(promise.case_id, promise.made_at)} this customer was promised "
                f"'{promise.text}'{due}, and it is still open.",
                suggestion="Keep the promise in this reply, or say what happened and when you will.",
            )
        )
    return out


def _same_request(past: PastCase, request_type: str | None, topic: str | None) -> bool:
    if topic and past.topic:
        return topic == past.topic
    return request_type is not None and past.request_type == request_type
