"""Facts the customer states (when they bought it, when it arrived) feed the decision, and say where
they came from. Reading the dates themselves is tactful.understand's, tested in test_understand.py."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tactful.composer import compose
from tactful.kb import STORE_EXAMPLE, load_kb

TODAY = dt.date(2026, 11, 23)


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


def test_a_relative_date_is_a_purchase_date_and_is_not_asked_for(kb: Any) -> None:
    message = "The blender I bought 40 days ago stopped heating. I'd like a refund."
    [draft] = compose(message, {"today": "2026-11-23"}, kb)
    assert draft.decision["outcome"] == "refuse"  # 40 days: past the 30-day window
    assert {"part": "purchase_date", "from": "message", "text": "40 days ago"} in draft.sources
    assert "date you bought it" not in draft.text
