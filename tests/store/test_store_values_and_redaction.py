"""Regression tests from the security review of the store: values the database cannot hold are a
clear :class:`StoreError`, never a driver exception (the server would answer 500); redaction
covers UK-style phone numbers and practice attempts' findings in exports."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from tactful.store import Store, StoreError
from tactful.store.redact import redact

REPLY = "Thank you for asking. We can't refund after 30 days, but I can offer store credit."
HUGE_ID = 2**70  # over the 64-bit row ids of SQLite and PostgreSQL


def test_ids_too_large_for_the_database_name_no_row(store: Store) -> None:
    with pytest.raises(StoreError, match="no case #"):
        store.case(HUGE_ID)
    with pytest.raises(StoreError, match="no case #"):
        store.add_feedback(HUGE_ID, 3)
    with pytest.raises(StoreError, match="no follow-up #"):
        store.complete_followup(HUGE_ID)
    with pytest.raises(StoreError, match="not a recorded refusal"):
        store.accept_alternative(HUGE_ID, 1)


def test_a_time_before_year_one_in_utc_is_a_store_error(store: Store) -> None:
    early = datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=14)))
    with pytest.raises(StoreError, match="must be within the years 1 to 9999"):
        store.log_reply("c-1", REPLY, sent_at=early)
    with pytest.raises(StoreError, match="must be within the years 1 to 9999"):
        store.followups(due_before=early)
    assert store.cases() == []  # nothing half-written


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ring me on 07700 900123.", "ring me on [phone]."),
        ("ring me on 07700900123", "ring me on [phone]"),
        ("or 0201 2345678", "or [phone]"),
        ("order #07700900123 and order 0123", "order #07700900123 and order 0123"),  # ids stay
    ],
)
def test_national_numbers_with_a_trunk_zero_are_redacted(text: str, expected: str) -> None:
    assert redact(text) == expected


def test_practice_attempt_findings_are_redacted_in_exports(store: Store, tmp_path: Path) -> None:
    store.add_scenario("s-1", "Refund", "I want a refund", {})
    finding = {"rule": "r", "message": "you wrote jane@example.com", "suggestion": "call 555-123-4567"}
    store.record_attempt("dana", "s-1", "a reply", 50, {"score": 50, "findings": [finding]})
    path = tmp_path / "out.jsonl"
    store.export_jsonl(path)
    text = path.read_text(encoding="utf-8")
    assert "jane@example.com" not in text and "555-123-4567" not in text
    assert "[email]" in text and "[phone]" in text
    store.export_jsonl(path, redact=False)
    assert "jane@example.com" in path.read_text(encoding="utf-8")


@pytest.mark.parametrize("query", ['"', "NEAR(", "a OR", "refund OR", "-refund", "x' OR 1=1 --", "*", ":*"])
def test_search_syntax_from_users_is_plain_words(store: Store, query: str) -> None:
    store.log_reply("c-1", REPLY)
    hits = store.search_cases(query)
    assert isinstance(hits, list)
    if "refund" in query:
        assert [h.customer for h in hits] == ["c-1"]
