"""Reports on a small fixture whose numbers are worked out by hand."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from tactful.contract import CHARACTERISTICS
from tactful.store import Store, StoreError

T0 = datetime(2026, 3, 2, 10, 0, tzinfo=timezone.utc)  # Monday of ISO week 10
REFUND_NO = (
    "Thank you for asking. We refund within 30 days, so I can't refund this order. "
    "I can offer you store credit instead, or an exchange for another size."
)
DISCOUNT_NO = (
    "Thanks for asking. We can't offer a discount, because prices are fixed. How about free shipping?"
)
YES = "Thanks for your order! It ships tomorrow."


@pytest.fixture
def filled(store: Store) -> Store:
    """a: refund no (accepts store credit, CSAT 4, came back); b: refund no (CSAT 2, churned);
    c: discount no (CSAT 5); d: a yes (CSAT 5). Follow-ups: one kept, one missed, one open."""
    a = store.log_reply(
        "a", REFUND_NO, sent_at=T0, agent="sam", request_type="refund", policy_id="refund-window"
    )
    b = store.log_reply("b", REFUND_NO, sent_at=T0 + timedelta(days=1), agent="sam", request_type="refund")
    c = store.log_reply(
        "c",
        DISCOUNT_NO,
        sent_at=T0 + timedelta(days=7),
        agent="lee",
        request_type="discount",
        policy_id="discounts",
    )
    d = store.log_reply("d", YES, sent_at=T0 + timedelta(days=8), agent="lee")
    store.accept_alternative(a.id, 1)
    for case, csat in ((a, 4), (b, 2), (c, 5), (d, 5)):
        store.add_feedback(case.id, csat)
    store.record_outcome("a", "came_back", T0 + timedelta(days=10))
    store.record_outcome("a", "bought_again", T0 + timedelta(days=11))
    store.record_outcome("b", "churned", T0 + timedelta(days=5))
    store.record_outcome("d", "bought_again", T0 + timedelta(days=9))  # never refused: not counted
    kept = store.add_followup("a", T0 + timedelta(days=400), "kept one")
    store.complete_followup(kept)
    store.add_followup("b", T0, "missed one")
    store.add_followup("c", datetime.now(timezone.utc) + timedelta(days=30), "open one")
    return store


def test_refusals_by_type(filled: Store) -> None:
    t = filled.report("refusals_by_type")
    rows = {r["request_type"]: r for r in t.records()}
    assert rows["refund"]["refusals"] == 2 and rows["refund"]["customers"] == 2
    assert rows["refund"]["mean_csat"] == 3.0
    assert rows["discount"]["refusals"] == 1 and rows["discount"]["mean_csat"] == 5.0
    assert t.columns[0] == "request_type" and list(rows) == ["refund", "discount"]


def test_refusals_by_policy(filled: Store) -> None:
    rows = filled.report("refusals_by_policy").rows
    assert set(rows) == {
        ("refund-window", "refund", 1),
        ("(none)", "refund", 1),
        ("discounts", "discount", 1),
    }


def test_alternatives_accepted(filled: Store) -> None:
    rows = {r["alternative"]: r for r in filled.report("alternatives_accepted").records()}
    assert rows["store_credit"] == {
        "alternative": "store_credit",
        "offered": 2,
        "accepted": 1,
        "accepted_pct": 50.0,
    }
    assert rows["exchange"]["offered"] == 2 and rows["exchange"]["accepted"] == 0
    assert sum(r["offered"] for r in rows.values()) == 5


def test_csat_after_refusals(filled: Store) -> None:
    rows = {r["replies"]: r for r in filled.report("csat_after_refusals").records()}
    assert rows["refusal"] == {"replies": "refusal", "responses": 3, "mean_csat": 3.67, "satisfied_pct": 66.7}
    assert rows["other reply"]["responses"] == 1 and rows["other reply"]["mean_csat"] == 5.0


def test_followups_kept(filled: Store) -> None:
    rows = dict((r[0], r[1]) for r in filled.report("followups_kept").rows)
    assert rows == {"kept": 1, "kept late": 0, "missed": 1, "open": 1}


def test_came_back(filled: Store) -> None:
    rows = {r[0]: r[1:] for r in filled.report("came_back").rows}
    assert rows["refused at least once"] == (3, 100.0)
    assert rows["came back after a no"] == (1, 33.3)
    assert rows["bought again after a no"] == (1, 33.3)
    assert rows["churned after a no"] == (1, 33.3)
    assert rows["no outcome known"] == (1, 33.3)


def test_dashboard_reports(filled: Store) -> None:
    by_agent = {r["agent"]: r for r in filled.report("scores_by_agent").records()}
    assert by_agent["sam"]["cases"] == 2 and by_agent["lee"]["cases"] == 2
    sam_cases = filled.cases(agent="sam")
    assert by_agent["sam"]["mean_score"] == round(sum(c.score for c in sam_cases) / 2, 1)
    assert set(CHARACTERISTICS) <= set(filled.report("scores_by_agent").columns)
    weeks = [(r[0], r[1], r[2]) for r in filled.report("scores_over_time").rows]
    assert weeks == [("2026-W10", "sam", 2), ("2026-W11", "lee", 2)]
    assert filled.report("declined_ranked").rows == ()  # no topics in this fixture


def test_table_csv_and_unknown_report(filled: Store, tmp_path: Path) -> None:
    t = filled.report("followups_kept")
    text = t.to_csv(tmp_path / "f.csv")
    assert text.splitlines()[0] == "status,followups,pct"
    assert (tmp_path / "f.csv").read_text() == text
    assert t.to_dict()["columns"] == ["status", "followups", "pct"]
    with pytest.raises(StoreError, match="unknown report 'nope'"):
        filled.report("nope")
