"""The Store facade against SQLite and PostgreSQL: cases, users, follow-ups, requests, feedback."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

import tactful
from tactful.store import CaseRecord, Store, StoreError
from tactful.store.demo import load_demo

T0 = datetime(2026, 3, 2, 10, 0, tzinfo=timezone.utc)  # a Monday
DARK_MODE_REPLY = (
    "Thanks for asking about dark mode, and for using the app every day. We don't offer dark mode yet, "
    "because our design team is focused on accessibility fixes this quarter. As an alternative, you could "
    "switch on the high-contrast theme in Settings. I'll let you know when dark mode ships."
)
REFUND_REPLY = (
    "Thank you for telling us about the boots. We refund purchases within 30 days, and yours were bought "
    "45 days ago, so I can't refund them to your card. I can offer you store credit for the full price "
    "instead, or an exchange for another size. I'll call you on Friday to check which you prefer."
)


def log_refund(store: Store, customer: str = "c1", **kw: object) -> CaseRecord:
    args: dict[str, object] = {
        "customer_message": "I bought boots 45 days ago and want a refund.",
        "sent_at": T0,
        "agent": "sam",
        "request_type": "refund",
        "policy_id": "refund-window",
    }
    args.update(kw)
    return store.log_reply(customer, REFUND_REPLY, **args)  # type: ignore[arg-type]


def test_log_reply_extracts_refusal_alternatives_promise_and_followup(store: Store) -> None:
    case = log_refund(store, channel="email", received_at=T0 - timedelta(hours=2))
    assert case.is_refusal and case.request_type == "refund" and case.policy_id == "refund-window"
    assert case.refusal is not None
    assert case.refusal.reason and "30 days" in case.refusal.reason
    kinds = [a.kind for a in case.refusal.alternatives]
    assert kinds == ["store_credit", "exchange"]
    [promise] = case.promises
    assert promise.text.startswith("I'll call you on Friday") and promise.kind == "contact"
    assert promise.due_at == datetime(2026, 3, 6, 17, 0, tzinfo=timezone.utc)  # the Friday after
    [follow] = case.followups
    assert follow.due_at == promise.due_at and follow.owner == "sam" and follow.status == "open"
    assert case.response_minutes == 120 and not case.sla_breached  # email SLA: 24 h
    context = {"channel": "email", "received_at": "2026-03-02T08:00:00", "replied_at": "2026-03-02T10:00:00"}
    expected = tactful.analyze(REFUND_REPLY, "I bought boots 45 days ago and want a refund.", context)
    assert case.score == expected.score and case.findings == tuple(f.to_dict() for f in expected.findings)
    json.dumps(case.to_dict())  # JSON-ready


def test_a_feature_declined_in_the_reply_alone_is_listed_and_a_dated_promise_is_a_followup(
    store: Store,
) -> None:
    store.log_reply(
        "c7",
        "We won't be adding dark mode, sorry. I'll check with the team and email you next Tuesday.",
        sent_at=T0,
    )
    [topic] = store.declined_requests()
    assert topic.topic == "dark mode" and topic.request_type == "feature_request" and topic.customers == 1
    [follow] = store.history("c7").followups
    assert follow.due_at == datetime(2026, 3, 3, 17, 0, tzinfo=timezone.utc)  # the Tuesday after T0


def test_history_tells_the_customer_story(store: Store) -> None:
    first = log_refund(store, customer_name="Ana Ruiz")
    store.add_feedback(first.id, 4, "fair enough")
    store.accept_alternative(first.id, 1)
    store.record_outcome("c1", "bought_again", T0 + timedelta(days=3))
    later = store.log_reply("c1", "Thanks, your store credit is on its way.", sent_at=T0 + timedelta(days=1))
    h = store.history("c1")
    assert h.name == "Ana Ruiz"
    assert [c.id for c in h.cases] == [first.id, later.id]
    assert h.cases[0].refusal is not None and h.cases[0].refusal.alternatives[0].accepted
    assert [f.csat for f in h.feedback] == [4]
    assert [o.outcome for o in h.outcomes] == ["bought_again"]
    assert len(h.promises) == 1 and len(h.followups) == 1
    json.dumps(h.to_dict())
    with pytest.raises(StoreError, match="no customer 'nobody'"):
        store.history("nobody")


def test_log_reply_redacts_contact_and_card_details_unless_asked(store: Store) -> None:
    reply = (
        "Thanks! I've noted your card 4111 1111 1111 1111. Reach me at amy@shop.example or +1 555-123-4567."
    )
    case = store.log_reply("c1", reply, customer_message="I'm bob@example.org, call (555) 987-6543")
    assert "4111" not in case.reply and "amy@" not in case.reply and "555" not in case.reply
    assert "[card]" in case.reply and "[email]" in case.reply and "[phone]" in case.reply
    assert case.customer_message == "I'm [email], call [phone]"
    kept = store.log_reply("c1", reply, redact=False)
    assert kept.reply == reply


def test_timeliness_breach_is_recorded_and_listed(store: Store) -> None:
    case = store.log_reply(
        "c1", REFUND_REPLY, channel="chat", received_at=T0 - timedelta(minutes=30), sent_at=T0, agent="lee"
    )
    assert case.sla_breached and case.response_minutes == 30 and case.sla_minutes == 2
    assert any(f["characteristic"] == "timeliness" for f in case.findings)
    table = store.report("sla_breaches")
    assert table.records() == [
        {
            "case": case.id,
            "customer": "c1",
            "channel": "chat",
            "agent": "lee",
            "response_minutes": 30.0,
            "sla_minutes": 2.0,
        }
    ]


def test_bad_input_is_a_store_error(store: Store) -> None:
    with pytest.raises(StoreError, match="empty"):
        store.log_reply("c1", "   ")
    with pytest.raises(StoreError, match="limit is 1,000,000"):
        store.log_reply("c1", "No. " * 300_000)
    with pytest.raises(StoreError, match="customer id"):
        store.log_reply("  ", "Thanks!")
    with pytest.raises(StoreError, match="unknown channel"):
        store.log_reply("c1", "Thanks!", channel="pigeon", received_at=T0, sent_at=T0)
    with pytest.raises(StoreError, match="later than"):
        store.log_reply("c1", "Thanks!", received_at=T0, sent_at=T0 - timedelta(hours=1))
    case = log_refund(store)
    with pytest.raises(StoreError, match="1 to 5"):
        store.add_feedback(case.id, 6)
    with pytest.raises(StoreError, match="no case #999"):
        store.add_feedback(999, 3)
    with pytest.raises(StoreError, match="no alternative #7"):
        store.accept_alternative(case.id, 7)
    with pytest.raises(StoreError, match="outcome must be"):
        store.record_outcome("c1", "moved_away")  # type: ignore[arg-type]


def test_users_tokens_are_hashed_and_checked(store: Store, db_url: str) -> None:
    user, token = store.add_user("ann", "admin")
    assert user.role == "admin" and len(token) >= 32
    assert store.user_for_token(token) == user
    assert store.user_for_token(token + "x") is None and store.user_for_token("") is None
    store.add_user("bo", "agent")
    assert [u.name for u in store.list_users()] == ["ann", "bo"]
    with pytest.raises(StoreError, match="already exists"):
        store.add_user("ann", "agent")
    with pytest.raises(StoreError, match="role must be"):
        store.add_user("cy", "boss")  # type: ignore[arg-type]
    from sqlalchemy import create_engine, text

    engine = create_engine(db_url)
    with engine.connect() as conn:
        stored = conn.execute(text("SELECT token_hash FROM users WHERE name = 'ann'")).scalar_one()
    engine.dispose()
    assert token not in stored and len(stored) == 64


def test_followups_due_overdue_and_done(store: Store) -> None:
    case = log_refund(store)  # promise due Friday 2026-03-06 17:00 (in the past now: overdue)
    future = store.add_followup("c2", datetime.now(timezone.utc) + timedelta(days=30), "check the repair")
    due = store.followups(due_before=datetime.now(timezone.utc))
    assert [f.case_id for f in due] == [case.id] and due[0].overdue
    assert {f.id for f in store.followups()} == {due[0].id, future}
    assert not [f for f in store.followups() if f.id == future][0].overdue
    store.complete_followup(due[0].id)
    assert store.followups(due_before=datetime.now(timezone.utc)) == []
    [done] = store.followups(status="done")
    assert done.done_at is not None
    assert store.history("c1").promises[0].status == "kept"
    with pytest.raises(StoreError, match="no follow-up #12345"):
        store.complete_followup(12345)


def test_requests_grouped_by_topic_and_shipped_with_drafts(store: Store) -> None:
    for i, who in enumerate(["ana", "ben", "ana"]):
        store.log_reply(
            who,
            DARK_MODE_REPLY,
            customer_message="Could you add dark mode?",
            sent_at=T0 + timedelta(days=i),
            customer_name={"ana": "Ana Ruiz"}.get(who),
        )
    store.log_reply(
        "cy",
        "We can't add an API for that right now, sorry.",
        topic="Public API",
        request_type="feature_request",
    )
    [dark, api] = store.declined_requests()
    assert (dark.topic, dark.customers, dark.status) == ("dark mode", 2, "declined")
    assert dark.last_asked == T0 + timedelta(days=2)
    assert (api.topic, api.customers) == ("public api", 1)
    notices = store.ship_request("Dark Mode")
    assert [(n.customer, n.asked_at) for n in notices] == [("ana", T0), ("ben", T0 + timedelta(days=1))]
    ana, ben = notices
    assert ana.draft.startswith("Hi Ana Ruiz,") and ben.draft.startswith("Hello,")
    for n in notices:
        assert "dark mode" in n.draft and "March" in n.draft
        assert "I promised to let you know" in n.draft  # the reply had promised exactly that
        analysis = tactful.analyze(n.draft)
        assert n.score == analysis.score >= 85 and not analysis.is_refusal
    assert store.declined_requests()[0].status == "shipped"
    assert all(p.status == "kept" for p in store.history("ana").promises)
    with pytest.raises(StoreError, match="no declined request on 'teleport'"):
        store.ship_request("teleport")


def test_search_finds_similar_cases(store: Store) -> None:
    refund = log_refund(store)
    store.log_reply("c2", DARK_MODE_REPLY, customer_message="Please add dark mode")
    store.log_reply("c3", "Thanks for your order, it ships tomorrow.")
    hits = store.search_cases("customer wants a refund for boots bought long ago")
    assert hits[0].case_id == refund.id and hits[0].customer == "c1"
    assert [h.customer for h in store.search_cases("dark theme")] == ["c2"]
    assert store.search_cases("the a of") == [] and store.search_cases("zebra") == []
    assert len(store.search_cases("thanks", limit=2)) == 2


def test_cases_drill_down(store: Store) -> None:
    a = log_refund(store, agent="sam")
    b = store.log_reply("c2", "No.", agent="lee", sent_at=T0 + timedelta(hours=1))
    assert [c.id for c in store.cases()] == [b.id, a.id]
    assert [c.id for c in store.cases(agent="sam")] == [a.id]
    weakest = store.cases(characteristic="alternatives")
    assert weakest[0].id == b.id  # "No." offers nothing
    assert store.case(a.id) == a
    with pytest.raises(StoreError):
        store.case(424242)


def test_practice_scenarios_and_attempts(store: Store) -> None:
    store.add_scenario(
        "late-refund", "Late refund", "I want my money back after 40 days.", {"days": 40}, "ann"
    )
    store.add_scenario("late-refund", "Late refund (v2)", "I want my money back after 40 days.", {"days": 41})
    [sc] = store.scenarios()
    assert (sc.title, sc.facts, sc.created_by) == ("Late refund (v2)", {"days": 41}, "ann")
    first = store.record_attempt("bo", "late-refund", "No.", 20, {"score": 20})
    second = store.record_attempt("bo", "late-refund", "Thanks for asking...", 80, {"score": 80})
    assert [a.id for a in store.attempts("bo")] == [first, second]
    assert [a.score for a in store.attempts("bo")] == [20, 80] and store.attempts("ann") == []
    with pytest.raises(StoreError, match="no practice scenario"):
        store.record_attempt("bo", "nope", "x", 1, {})


def test_the_demo_loads_once(store: Store) -> None:
    added = load_demo(store)
    assert added >= 5
    assert load_demo(store) == 0
    assert len(store.cases(limit=100)) == added
    assert {s.id for s in store.scenarios()} >= {"late-refund"}
    assert store.declined_requests()[0].topic == "gift wrapping"


def test_a_revoked_user_loses_token_and_sessions_and_rotate_restores(store: Store) -> None:
    user, token = store.add_user("dee", "agent")
    key = Store.session_key(token)
    sid = store.open_session(user.id, 3600)
    assert key != token and token not in key
    assert store.session_user(user.id, key, sid) == user
    assert store.session_user(user.id, key[:-1] + "x", sid) is None  # a forged key
    assert store.session_user(user.id + 99, key, sid) is None and store.session_user("1", key, sid) is None
    revoked = store.revoke_user("dee")
    assert revoked.revoked_at is not None
    assert store.user_for_token(token) is None and store.session_user(user.id, key, sid) is None
    assert [u.revoked_at is not None for u in store.list_users()] == [True]
    again, new_token = store.rotate_token(" dee ")
    assert again.revoked_at is None and new_token != token
    assert store.user_for_token(new_token) == again and store.user_for_token(token) is None
    assert store.session_user(user.id, key, sid) is None  # sessions of the old token stay ended
    assert store.session_user(user.id, Store.session_key(new_token), sid) == again
    with pytest.raises(StoreError, match="no user named 'nobody'"):
        store.revoke_user("nobody")
    with pytest.raises(StoreError, match="no user named"):
        store.rotate_token("nobody")
