"""Consistency against the customer's history: each finding names the earlier case (id and date)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from tactful.store import Store

T0 = datetime(2026, 3, 2, 10, 0, tzinfo=timezone.utc)
RETURN_30 = (
    "Thank you for asking about returning the lamp. You can return it within 30 days of delivery, "
    "and I can email you a prepaid label if you like."
)
RETURN_14 = (
    "Thank you for asking about returning the lamp. Our return window is 14 days, so I can't accept "
    "this return now. I can offer you store credit instead."
)


def rules(findings: list) -> list[str]:  # type: ignore[type-arg]
    return [f.rule for f in findings]


def test_a_different_policy_window_than_told_before(store: Store) -> None:
    first = store.log_reply("c1", RETURN_30, sent_at=T0, request_type="return")
    findings = store.check_consistency("c1", RETURN_14, request_type="return")
    [period] = [f for f in findings if f.rule == "tactful.consistency.history_period"]
    assert period.characteristic == "consistency"
    assert RETURN_14[period.start : period.end] == "14 days"
    assert f"case #{first.id} on 2026-03-02" in period.message and "'30 days'" in period.message
    assert store.check_consistency("c1", RETURN_30.replace("lamp", "vase"), request_type="return") == []
    # log_reply stores the same finding with the case
    case = store.log_reply("c1", RETURN_14, sent_at=T0 + timedelta(days=1), request_type="return")
    assert any(f"case #{first.id}" in f["message"] for f in case.findings)


def test_an_exception_granted_before_and_now_refused_without_explanation(store: Store) -> None:
    granted = store.log_reply(
        "c1",
        "Thanks for your patience. As a one-time courtesy, I've refunded your order even though it was "
        "past 30 days.",
        sent_at=T0,
        request_type="refund",
    )
    assert granted.exception_granted and not granted.is_refusal
    refusal = "Thanks for writing. We can't refund orders after 30 days. I can offer store credit instead."
    findings = store.check_consistency("c1", refusal, request_type="refund")
    [reversed_] = [f for f in findings if f.rule == "tactful.store.exception_reversed"]
    assert f"case #{granted.id} on 2026-03-02" in reversed_.message
    explained = (
        "Thanks for writing. Last time we made a one-time exception, but we can't refund orders after "
        "30 days again. I can offer store credit instead."
    )
    assert "tactful.store.exception_reversed" not in rules(
        store.check_consistency("c1", explained, request_type="refund")
    )
    # a different request type is a different story
    assert "tactful.store.exception_reversed" not in rules(
        store.check_consistency("c1", refusal, request_type="discount")
    )


def test_a_promise_not_kept(store: Store) -> None:
    made = store.log_reply(
        "c1", "Thanks for your patience. I'll call you tomorrow with the tracking number.", sent_at=T0
    )
    assert made.promises[0].due_at == datetime(2026, 3, 3, 17, 0, tzinfo=timezone.utc)
    findings = store.check_consistency("c1", "Hello again, how can I help?", at=T0 + timedelta(days=3))
    [broken] = [f for f in findings if f.rule == "tactful.store.promise_not_kept"]
    assert f"case #{made.id} on 2026-03-02" in broken.message and "due 2026-03-03" in broken.message
    # not due yet: no finding
    assert store.check_consistency("c1", "Hello again.", at=T0 + timedelta(hours=1)) == []
    store.complete_followup(made.followups[0].id)  # kept now
    assert store.check_consistency("c1", "Hello again.", at=T0 + timedelta(days=3)) == []


def test_a_notify_promise_whose_topic_shipped_is_not_kept_until_told(store: Store) -> None:
    made = store.log_reply(
        "c1",
        "Thanks for the idea! We don't support dark mode yet. I'll let you know when dark mode ships.",
        sent_at=T0,
        request_type="feature_request",
    )
    other = store.log_reply(
        "c2", "We can't add dark mode yet.", topic="dark mode", request_type="feature_request"
    )
    assert other.topic == "dark mode"
    store.ship_request("dark mode")  # marks the promise kept: the notification is drafted
    assert all(p.status == "kept" for p in store.history("c1").promises)
    assert made.promises[0].topic == "dark mode"


def test_a_repeated_no_to_the_same_request(store: Store) -> None:
    first = store.log_reply(
        "c1",
        "Thanks for asking. We can't offer a student discount, because our prices are already low. "
        "You could use our 10% newsletter code instead.",
        sent_at=T0,
        request_type="discount",
    )
    again = "Thanks for asking. We can't offer a student discount. You could try our newsletter code."
    findings = store.check_consistency("c1", again, request_type="discount")
    [repeat] = [f for f in findings if f.rule == "tactful.store.repeated_no"]
    assert f"case #{first.id} on 2026-03-02" in repeat.message
    assert again[repeat.start : repeat.end]  # points at the refusal in the new reply
    assert "tactful.store.repeated_no" not in rules(
        store.check_consistency("c1", again, request_type="refund")
    )
    assert store.check_consistency("stranger", again) == []


def test_request_type_is_read_from_the_customer_message(store: Store) -> None:
    store.log_reply(
        "c1",
        "Thanks for asking. We can't refund this order, because it's past 30 days. I can offer store credit.",
        customer_message="I want a refund for my order please",
        sent_at=T0,
    )
    findings = store.check_consistency(
        "c1",
        "Thanks. We can't refund this order. I can offer store credit.",
        customer_message="Can I get my money back? I want a refund.",
    )
    assert "tactful.store.repeated_no" in rules(findings)


def test_store_analyze_scores_the_reply_against_the_history(store: Store) -> None:
    first = store.log_reply("c9", RETURN_30, sent_at=T0, request_type="return")
    plain = store.analyze("someone-new", RETURN_14)
    assert plain.characteristics["consistency"].applicable is False
    known = store.analyze("c9", RETURN_14)
    assert known.characteristics["consistency"].applicable is True
    periods = [f for f in known.findings if f.rule == "tactful.consistency.history_period"]
    assert len(periods) == 1 and f"case #{first.id}" in periods[0].message  # the store's, not a duplicate
    assert known.characteristics["consistency"].score < 1.0


def test_check_with_a_customer_id_uses_the_store(db_url: str, tmp_path: object) -> None:
    import json
    from pathlib import Path

    from click.testing import CliRunner

    from tactful.cli import main
    from tactful.store import open_store

    with open_store(db_url) as setup:
        setup.log_reply("c10", RETURN_30, sent_at=T0, request_type="return")
    reply = Path(str(tmp_path)) / "reply.txt"
    reply.write_text(RETURN_14, encoding="utf-8")
    result = CliRunner().invoke(
        main, ["check", str(reply), "--customer-id", "c10", "--db", db_url, "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["characteristics"]["consistency"]["applicable"] is True
    assert any("case #" in f["message"] for f in data["findings"])


def test_store_rules_can_be_switched_off_in_the_config(db_url: str) -> None:
    from tactful.config import Config, Rules
    from tactful.store import open_store

    quiet = Config(rules=Rules(disable=("tactful.store",)))
    with open_store(db_url, config=quiet) as store:
        store.log_reply("c11", RETURN_14, sent_at=T0, request_type="return")
        found = store.check_consistency("c11", RETURN_14, request_type="return")
        assert not [f for f in found if f.rule.startswith("tactful.store.")]
    with open_store(db_url) as store:
        assert "tactful.store.repeated_no" in rules(
            store.check_consistency("c11", RETURN_14, request_type="return")
        )


def test_the_stored_score_is_the_one_store_analyze_gives(store: Store) -> None:
    """One scoring for a known customer: log_reply stores what Store.analyze returns beforehand,
    the store's own findings (here an exception reversed) counted in the score."""
    store.log_reply(
        "c1",
        "Thanks for your patience. As a one-time courtesy, I've refunded your order even though it was "
        "past 30 days.",
        sent_at=T0,
        request_type="refund",
    )
    refusal = "Thanks for writing. We can't refund orders after 30 days. I can offer store credit instead."
    before = store.analyze("c1", refusal, request_type="refund")
    assert "tactful.store.exception_reversed" in rules(before.findings)
    unrelated = store.analyze("c1", refusal, request_type="discount")  # same history, no reversal
    assert "tactful.store.exception_reversed" not in rules(unrelated.findings)
    assert before.score < unrelated.score  # the store's finding costs points
    case = store.log_reply("c1", refusal, sent_at=T0 + timedelta(days=1), request_type="refund")
    assert case.score == before.score
    stored = store.case_analysis(case.id)
    assert stored["score"] == before.score
    assert stored["findings"] == [f.to_dict() for f in before.findings]


def test_case_analysis_of_a_missing_case_is_a_clear_error(store: Store) -> None:
    import pytest

    from tactful.store import StoreError

    with pytest.raises(StoreError, match="no case #999"):
        store.case_analysis(999)
