"""Pure parts of the store: redaction, promise/exception/topic extraction, notification drafts."""

from __future__ import annotations

from datetime import datetime

import pytest

import tactful
from tactful.store.extract import (
    alternative_kind,
    declined_feature,
    extract,
    find_promises,
    topic_from_message,
)
from tactful.store.redact import redact
from tactful.store.ship_notice import draft_notification

MONDAY = datetime(2026, 3, 2, 10, 0)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Write to ann.lee+shop@example.co.uk today", "Write to [email] today"),
        ("Card: 4111 1111 1111 1111, exp 12/28", "Card: [card], exp 12/28"),
        ("Card 5500-0000-0000-0004 please", "Card [card] please"),
        ("Call +44 20 7946 0958 or (555) 123-4567 or 555.123.4567", "Call [phone] or [phone] or [phone]"),
        (
            "Order #123456789 from 2026-03-01 cost $1,299.00",
            "Order #123456789 from 2026-03-01 cost $1,299.00",
        ),
        (
            "Tracking 1234567890123456 (not a card: Luhn fails)",
            "Tracking 1234567890123456 (not a card: Luhn fails)",
        ),
        ("Return within 30 days, 14:30 to 17:00", "Return within 30 days, 14:30 to 17:00"),
    ],
)
def test_redact(text: str, expected: str) -> None:
    assert redact(text) == expected
    assert redact(redact(text)) == redact(text)  # idempotent: redacted exports round-trip


@pytest.mark.parametrize(
    ("reply", "due"),
    [
        ("I'll call you tomorrow.", datetime(2026, 3, 3, 17, 0)),
        ("We will email you on Friday with an update.", datetime(2026, 3, 6, 17, 0)),
        ("I'll follow up within 3 days.", datetime(2026, 3, 5, 10, 0)),
        ("I will get back to you in 2 hours.", datetime(2026, 3, 2, 12, 0)),
        ("I'll reach out next week.", datetime(2026, 3, 9, 17, 0)),
        ("We'll keep you posted on Monday.", datetime(2026, 3, 9, 17, 0)),
        ("I'll get back to you.", None),
        ("I'll check with the billing team and email you next Tuesday.", datetime(2026, 3, 3, 17, 0)),
    ],
)
def test_contact_promises_and_due_dates(reply: str, due: datetime | None) -> None:
    [p] = find_promises(reply, MONDAY)
    assert p.kind == "contact" and p.due_at == due and p.topic is None


def test_notify_promises_carry_their_topic() -> None:
    found = find_promises(
        "I'll let you know when Apple Pay is available, and we will email you tomorrow about your order.",
        MONDAY,
    )
    assert [(p.kind, p.topic) for p in found] == [("notify", "apple pay"), ("contact", None)]
    assert find_promises("Thanks for your order. It ships tomorrow.", MONDAY) == []


def test_topics_exceptions_and_alternative_kinds() -> None:
    assert topic_from_message("Could you add dark mode?") == "dark mode"
    assert topic_from_message("Please support Apple Pay on checkout") == "apple pay"
    assert topic_from_message("Where is my parcel?") is None
    granted = extract("As a one-time courtesy, I've refunded your order.", None, MONDAY, {})
    assert granted.exception_granted and not granted.is_refusal
    refused = extract(
        "We can't make an exception, sorry. I can offer store credit instead.", None, MONDAY, {}
    )
    assert refused.is_refusal and not refused.exception_granted
    assert [k for _, k in refused.alternatives] == ["store_credit"]
    assert alternative_kind("15% off your next order") == "discount"
    assert alternative_kind("a free repair through our partner") == "repair"
    assert alternative_kind("something else entirely") == "other"


def test_draft_uses_store_facts_only_and_scores_well() -> None:
    draft = draft_notification("Ana", "dark mode", datetime(2026, 3, 2), promised=False)
    assert draft.startswith("Hi Ana,") and "dark mode" in draft and "March 2, 2026" in draft
    assert "promised" not in draft
    analysis = tactful.analyze(draft)
    assert analysis.score >= 85 and analysis.findings == []


@pytest.mark.parametrize(
    ("reply", "topic"),
    [
        ("We won't be adding dark mode.", "dark mode"),
        ("Unfortunately dark mode isn't on our roadmap right now.", "dark mode"),
        (
            "We don't currently have a bulk export feature, but you can export one file at a time.",
            "bulk export",
        ),
        ("Sorry, we won't be adding it.", None),
        ("Your order shipped yesterday.", None),
    ],
)
def test_a_declined_feature_is_read_from_the_reply_itself(reply: str, topic: str | None) -> None:
    assert declined_feature(reply) == topic


def test_a_promise_with_words_between_still_counts_but_a_negated_one_does_not() -> None:
    assert find_promises("We will not call you.", MONDAY) == []
