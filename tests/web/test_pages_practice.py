"""Practice mode: the shipped scenarios, coaching against the rubric, progress, managers adding
scenarios (the module and the pages)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tactful.kb import STORE_EXAMPLE, load_kb
from tactful.web.practice import (
    RUBRIC,
    Scenario,
    ScenarioError,
    all_scenarios,
    coach,
    parse_facts,
    parse_scenario,
    progress,
    shipped_scenarios,
    sync_shipped,
)

GOOD_REFUND = (
    "Hello,\n\nI understand you'd like a refund for your wool coat (order B2231), "
    "and thank you for telling us it's too warm. We refund purchases within 30 days of the purchase date, "
    "so I can't refund this one, but I can offer store credit for the full price or 15% off your next order. "
    "Let me know which you prefer.\n\n"
    "Best regards,\nAna"
)


def _csrf(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)  # type: ignore[union-attr]


def _login(client: TestClient, token: str) -> str:
    page = client.get("/login")
    client.post("/login", data={"token": token, "csrf": _csrf(page.text), "next": "/"})
    return _csrf(client.get("/").text)


def test_the_five_required_situations_ship() -> None:
    ids = {s.id for s in shipped_scenarios()}
    assert {
        "return-past-window",
        "feature-wont-be-built",
        "discount-demand",
        "angry-public-complaint",
        "wont-take-no",
    } <= ids
    for s in shipped_scenarios():
        assert s.tips and s.customer_message and s.title


def test_scenario_round_trips_through_store_facts() -> None:
    s = shipped_scenarios()[0]
    back = Scenario.from_store(
        {"id": s.id, "title": s.title, "customer_message": s.customer_message, "facts": s.store_facts()}
    )
    assert back == s


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"id": "Bad Id", "title": "t", "customer_message": "m"}, "'id' must be"),
        ({"id": "ok-id", "title": "", "customer_message": "m"}, "'title' is required"),
        ({"id": "ok-id", "title": "t", "customer_message": " "}, "'customer_message' is required"),
        ({"id": "ok-id", "title": "t", "customer_message": "m", "channel": "fax"}, "'channel' must be"),
        ({"id": "ok-id", "title": "t", "customer_message": "m", "tips": "x"}, "'tips' must be a list"),
        ({"id": "ok-id", "title": "t", "customer_message": "m", "colour": 1}, "unknown key(s) colour"),
        ([], "expected a mapping"),
    ],
)
def test_parse_scenario_names_the_problem(data: Any, error: str) -> None:
    with pytest.raises(ScenarioError, match=re.escape(error)):
        parse_scenario(data, "x.yml")


def test_a_broken_scenario_file_is_reported_with_its_path(tmp_path: Path) -> None:
    (tmp_path / "bad.yml").write_text("id: [unclosed\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match="bad.yml: not valid YAML"):
        shipped_scenarios(tmp_path)


def test_parse_facts() -> None:
    assert parse_facts("# note\npurchase_date = 2026-01-02\n\namount=5") == {
        "purchase_date": "2026-01-02",
        "amount": "5",
    }
    with pytest.raises(ScenarioError, match="facts line 1: expected key=value"):
        parse_facts("nonsense")


def test_coaching_orders_notes_weakest_first_and_rewards_a_good_reply() -> None:
    s = next(x for x in shipped_scenarios() if x.id == "return-past-window")
    bad = coach(s, "We CANNOT do that.")
    good = coach(s, GOOD_REFUND, load_kb(STORE_EXAMPLE))
    assert good.score > bad.score + 30
    scores = [n.score if n.score is not None else 1.0 for n in bad.notes]
    assert scores == sorted(scores)
    assert {n.characteristic for n in bad.notes} >= {"alternatives", "gratitude", "follow_up"}
    assert all(n.does == RUBRIC[n.characteristic][1] for n in bad.notes)
    assert bad.unmirrored and not good.unmirrored  # the coat and order B2231
    assert good.model_draft and "wool coat" in good.model_draft
    assert bad.tips == s.tips
    with pytest.raises(ValueError, match="empty"):
        coach(s, "  ")


def test_consistency_is_coached_when_the_reply_contradicts_the_policy() -> None:
    s = next(x for x in shipped_scenarios() if x.id == "wont-take-no")
    result = coach(s, GOOD_REFUND.replace("30 days", "60 days"))
    assert any(n.characteristic == "consistency" for n in result.notes)


def test_progress_per_scenario() -> None:
    attempts = [
        {"scenario_id": "a", "score": 40, "created_at": "2026-01-01T10:00:00"},
        {"scenario_id": "a", "score": 80, "created_at": "2026-01-02T10:00:00"},
        {"scenario_id": "b", "score": 60, "created_at": "2026-01-01T11:00:00"},
    ]
    p = progress(attempts)
    assert p["scores"] == [40, 60, 80]
    assert p["per_scenario"]["a"] == {"attempts": 2, "best": 80, "last": 80, "first": 40}


def test_sync_shipped_keeps_a_managers_edit(web_store: Any) -> None:
    sync_shipped(web_store)
    web_store.add_scenario("discount-demand", "Edited title", "Edited message", {}, created_by="mia")
    sync_shipped(web_store)
    edited = next(s for s in all_scenarios(web_store) if s.id == "discount-demand")
    assert edited.title == "Edited title"
    assert len([s for s in all_scenarios(web_store) if s.id == "discount-demand"]) == 1


def test_practice_pages_score_record_and_show_progress(
    client: TestClient, web_users: dict[str, Any], web_store: Any
) -> None:
    csrf = _login(client, web_users["agent"].token)
    assert "A discount demand" in client.get("/practice").text
    page = client.get("/practice/return-past-window")
    assert page.status_code == 200 and "wool coat" in page.text
    r = client.post("/practice/return-past-window", data={"csrf": csrf, "reply": "We can't do that."})
    assert r.status_code == 200 and 'id="practice-score"' in r.text and "Work on, in this order" in r.text
    client.post("/practice/return-past-window", data={"csrf": csrf, "reply": GOOD_REFUND})
    attempts = web_store.attempts("agent-user")
    assert [a.scenario_id for a in attempts] == ["return-past-window"] * 2
    assert attempts[1].score > attempts[0].score
    overview = client.get("/practice").text
    assert overview.count('class="dot"') == 2 and "2 attempts" in overview
    empty = client.post("/practice/return-past-window", data={"csrf": csrf, "reply": ""})
    assert empty.status_code == 422 and "empty" in empty.text
    assert client.get("/practice/no-such-thing").status_code == 404


def test_only_managers_add_scenarios(client: TestClient, web_users: dict[str, Any], web_store: Any) -> None:
    csrf = _login(client, web_users["agent"].token)
    assert client.get("/practice/new").status_code == 403
    assert client.post("/practice/new", data={"csrf": csrf, "id": "x-1"}).status_code == 403


def test_manager_adds_a_scenario_and_errors_are_shown(
    client: TestClient, web_users: dict[str, Any], web_store: Any
) -> None:
    csrf = _login(client, web_users["manager"].token)
    form = {
        "csrf": csrf,
        "id": "gift-late",
        "title": "A gift that arrives late",
        "customer_message": "My order 4410 is a gift and will be late. Refund it!",
        "channel": "email",
        "facts": "request_type=refund\npurchase_date=2026-11-01",
        "tips": "Acknowledge the occasion.\n\nOffer express shipping.",
    }
    r = client.post("/practice/new", data=form, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/practice/gift-late"
    added = next(s for s in all_scenarios(web_store) if s.id == "gift-late")
    assert added.created_by == "manager-user"
    assert added.tips == ("Acknowledge the occasion.", "Offer express shipping.")
    assert added.facts == {"request_type": "refund", "purchase_date": "2026-11-01"}
    again = client.post("/practice/new", data=form)
    assert again.status_code == 422 and "already exists" in again.text
    bad = client.post("/practice/new", data={**form, "id": "other", "facts": "oops"})
    assert bad.status_code == 422 and "expected key=value" in bad.text
    assert 'value="other"' in bad.text  # the form keeps what was typed


def test_managers_see_an_agents_progress_and_agents_only_their_own(
    client: TestClient, web_users: dict[str, Any], web_store: Any
) -> None:
    sync_shipped(web_store)
    web_store.record_attempt("agent-user", "discount-demand", "No.", 20, {})
    web_store.record_attempt("agent-user", "discount-demand", "Better.", 70, {})
    _login(client, web_users["manager"].token)
    html = client.get("/practice?agent=agent-user").text
    assert "Practice: agent-user" in html and "first 20, latest 70" in html
    _login(client, web_users["agent"].token)
    own = client.get("/practice?agent=manager-user").text  # ignored for an agent: their own page
    assert "Practice: manager-user" not in own and "first 20, latest 70" in own


def test_practice_flags_a_name_or_order_number_the_customer_did_not_write(
    client: TestClient, web_users: dict[str, Any]
) -> None:
    csrf = _login(client, web_users["agent"].token)
    wrong = GOOD_REFUND.replace("order B2231", "order B2213")
    html = client.post("/practice/return-past-window", data={"csrf": csrf, "reply": wrong}).text
    assert 'id="contradictions"' in html and "B2213" in html and "B2231" in html
    assert "Excellent" not in html and "Fix the error first" in html
    right = client.post("/practice/return-past-window", data={"csrf": csrf, "reply": GOOD_REFUND}).text
    assert 'id="contradictions"' not in right
