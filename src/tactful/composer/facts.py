"""Facts the customer states themselves, read from their message when the agent gave none.

Only the purchase date for now ("I bought it on March 3"): the date a refund or return
window counts from. A year-less date is the latest such day on or before today. What is
read here is reported in the draft's sources as coming from the message, never guessed.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tactful.understanding import Understanding

_BOUGHT = re.compile(
    r"\b(?:bought|ordered|purchased|paid for|got (?:it|them|this)|received)\b[^.!?\n]{0,50}$", re.I
)
_FORMATS_WITH_YEAR = ("%Y-%m-%d", "%B %d, %Y", "%B %d %Y", "%d %B %Y", "%b %d, %Y", "%b %d %Y", "%d %b %Y")
_FORMATS_NO_YEAR = ("%B %d", "%d %B", "%b %d", "%d %b")


def parse_day(text: str, today: dt.date) -> dt.date | None:
    """``2026-03-03``, ``March 3, 2026``, ``3 March``… as a date; None when it isn't one."""
    cleaned = re.sub(r"(\d)(?:st|nd|rd|th)\b", r"\1", text.strip().rstrip(".,"))
    for fmt in _FORMATS_WITH_YEAR:
        try:
            return dt.datetime.strptime(cleaned, fmt).date()
        except ValueError:
            pass
    for fmt in _FORMATS_NO_YEAR:
        try:
            parsed = dt.datetime.strptime(f"{cleaned} {today.year}", f"{fmt} %Y").date()
        except ValueError:
            continue
        return parsed if parsed <= today else parsed.replace(year=today.year - 1)
    return None


def _today(facts: dict[str, Any]) -> dt.date:
    value = facts.get("today")
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass  # decide() reports the malformed fact, naming it
    return dt.date.today()


def purchase_date(u: Understanding, facts: dict[str, Any]) -> tuple[str, str] | None:
    """(ISO date, the customer's words) for "I bought it on <date>", when facts lack one."""
    if "purchase_date" in facts:
        return None
    today = _today(facts)
    for detail in u.details_of("date"):
        if not _BOUGHT.search(u.text[max(0, detail.start - 60) : detail.start]):
            continue
        day = parse_day(detail.text, today)
        if day is not None:
            return day.isoformat(), detail.text
    return None
