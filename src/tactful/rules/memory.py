"""Rules on the customer's memory: what the store remembers of them, read against a new reply.

A rule of kind ``memory`` (``styles/tactful/store/*.yml``) names one check here. The store fills a
:class:`Memory` (the customer's earlier cases, the promises still open to them, the request the
reply answers) and runs the rules through :func:`tactful.rules.engine.run_memory_rules`; each check
returns the spans to flag with the fields its message names (``{case}``: "case #12 on 2026-03-02").
Like :mod:`tactful.rules.checks`, nothing here touches a database.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from tactful.contract import Span

# An explanation that a new answer differs from an earlier one.
EXPLAINS_CHANGE = re.compile(
    r"\b(?:last time|previously|before|earlier|one-time|one time|exception|this time|changed|no longer|"
    r"has since|have since|new policy|updated (?:our )?policy)\b",
    re.IGNORECASE,
)


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


@dataclass(frozen=True, slots=True)
class Memory:
    """A reply (with the refusals the analyzer found in it) and what the store knows of its customer."""

    reply: str
    refusals: list[Span]
    past: list[PastCase]
    promises: list[OpenPromise]
    request_type: str | None
    topic: str | None
    now: datetime


Hit = tuple[Span, dict[str, str]]
REGISTRY: dict[str, Callable[[Memory], list[Hit]]] = {}


def check(fn: Callable[[Memory], list[Hit]]) -> Callable[[Memory], list[Hit]]:
    REGISTRY[fn.__name__] = fn
    return fn


def case_label(case_id: int, at: datetime) -> str:
    """How a finding names an earlier case: ``case #12 on 2026-03-02``."""
    return f"case #{case_id} on {at:%Y-%m-%d}"


def first_sentence(reply: str) -> Span:
    end = re.search(r"[.!?\n]", reply)
    return (0, end.end() if end else len(reply))


def _same_request(past: PastCase, request_type: str | None, topic: str | None) -> bool:
    if topic and past.topic:
        return topic == past.topic
    return request_type is not None and past.request_type == request_type


@check
def exception_reversed(m: Memory) -> list[Hit]:
    """A refusal of what this customer was granted as an exception before, with no word on why."""
    if not m.refusals:
        return []
    granted = [p for p in m.past if p.exception_granted and _same_request(p, m.request_type, m.topic)]
    if not granted or EXPLAINS_CHANGE.search(m.reply):
        return []
    last = max(granted, key=lambda p: p.sent_at)
    return [(m.refusals[0], {"case": case_label(last.id, last.sent_at)})]


@check
def repeated_no(m: Memory) -> list[Hit]:
    """A refusal of a request (same topic, else same request type) this customer was refused before."""
    if not m.refusals:
        return []
    repeated = [p for p in m.past if p.is_refusal and _same_request(p, m.request_type, m.topic)]
    if not repeated:
        return []
    last = max(repeated, key=lambda p: p.sent_at)
    return [(m.refusals[0], {"case": case_label(last.id, last.sent_at)})]


@check
def promise_not_kept(m: Memory) -> list[Hit]:
    """Each open promise past its due date, or waiting on a topic that has shipped."""
    hits: list[Hit] = []
    for promise in m.promises:
        overdue = promise.due_at is not None and promise.due_at < m.now
        if not overdue and not promise.topic_shipped:
            continue
        due = f"due {promise.due_at:%Y-%m-%d}" if promise.due_at else "what they waited for has shipped"
        fields = {"case": case_label(promise.case_id, promise.made_at), "promise": promise.text, "due": due}
        hits.append((first_sentence(m.reply), fields))
    return hits
