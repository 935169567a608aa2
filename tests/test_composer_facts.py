"""Facts the customer states (the purchase date) feed the decision, and say where they came from."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tactful.composer import compose
from tactful.composer.facts import parse_day
from tactful.kb import STORE_EXAMPLE, load_kb

TODAY = dt.date(2026, 11, 23)


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("2026-03-03", dt.date(2026, 3, 3)),
        ("March 3", dt.date(2026, 3, 3)),
        ("3rd March", dt.date(2026, 3, 3)),
        ("Mar 3, 2025", dt.date(2025, 3, 3)),
        ("December 20", dt.date(2025, 12, 20)),  # a year-less day after today was last year's
        ("last week", None),
        ("soon", None),
    ],
)
def test_parse_day(text: str, day: dt.date | None) -> None:
    assert parse_day(text, TODAY) == day


@pytest.fixture(scope="module")
def kb() -> Any:
    return load_kb(STORE_EXAMPLE)


def test_the_purchase_date_in_the_message_is_used_and_cited(kb: Any) -> None:
    message = "I bought the Aurora blender (order 5521) on March 3 and it broke. I'd like a refund."
    [draft] = compose(message, {"today": "2026-11-23"}, kb)
    assert draft.decision["outcome"] == "refuse"
    assert {"part": "purchase_date", "from": "message", "text": "March 3"} in draft.sources


def test_a_fact_the_agent_gives_wins(kb: Any) -> None:
    message = "I bought the Aurora blender on March 3 and it broke. I'd like a refund."
    [draft] = compose(message, {"today": "2026-11-23", "purchase_date": "2026-11-20", "amount": 50}, kb)
    assert draft.decision["outcome"] == "allow"
    assert not any(s["part"] == "purchase_date" for s in draft.sources)


def test_a_date_that_is_not_a_purchase_is_not_taken(kb: Any) -> None:
    message = "My blender stopped working on March 3. I'd like a refund."
    [draft] = compose(message, {"today": "2026-11-23"}, kb)
    assert draft.decision["outcome"] == "needs_info"
    assert draft.decision["missing"] == ["purchase_date"]
