"""Facts the customer states themselves, taken from what :func:`tactful.understand` read.

"I bought it on March 3", "got them 40 days ago", "it arrived last Tuesday": the purchase and
delivery dates a refund or return window counts from. A fact the agent gives wins; what is taken
from the message is reported in the draft's sources as coming from the message, never guessed.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tactful.understanding import Understanding


def today_of(facts: dict[str, Any]) -> dt.date | None:
    """The ``today`` fact as a date (relative dates in the message are read against it), or None."""
    value = facts.get("today")
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return None  # decide() reports the malformed fact, naming it
    return None


def stated_facts(u: Understanding | None, facts: dict[str, Any]) -> list[tuple[str, str, str]]:
    """``(fact, ISO date, the customer's words)`` for each dated event the message states and
    ``facts`` lack: ``purchase_date`` for "I bought it 40 days ago", ``delivery_date`` for "it
    arrived on Monday"."""
    if u is None:
        return []
    out: list[tuple[str, str, str]] = []
    for d in u.details_of("date"):
        if d.event is None or d.date is None or d.days_ago is None:
            continue  # "I'll pay by Friday" is no purchase yet
        name = f"{d.event}_date"
        if name not in facts and all(name != o[0] for o in out):
            out.append((name, d.date, d.text))
    return out
