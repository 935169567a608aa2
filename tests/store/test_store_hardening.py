"""Issue 14 in the store, on SQLite and PostgreSQL: migration 0005 (recorded page sessions, webhook
deliveries already processed), text that is not text refused at the door, what one reply may create,
the last admin, token hashes left out of exports, and no credentials in error messages."""

from __future__ import annotations

import json
import threading
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from tactful.store import Store, StoreError, open_store
from tactful.store import db as store_db
from tactful.store.db import Conflict, InvalidInput
from tactful.store.tables import Base

REPLY = "We can't refund this order, it's past the 30-day window. I can offer store credit instead."


# ── migration 0005 ──────────────────────────────────────────────────────────────────────


def test_migrations_build_the_tables_the_models_describe(store: Store) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    assert store.revision() == "0005" == store_db.head_revision()
    with store._engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    new = [d for d in diff if "page_sessions" in repr(d) or "webhook_deliveries" in repr(d)]
    assert new == [], new


def test_0005_upgrades_a_0004_store_with_data_and_downgrades_again(db_url: str) -> None:
    from alembic import command

    engine = store_db.make_engine(db_url)
    assert store_db.upgrade(engine, "0004") == "0004"
    engine.dispose()
    with open_store(db_url, upgrade=False) as old, pytest.raises(StoreError):  # no such table yet
        old.claim_delivery("chatwoot", "message 1:5")
    with open_store(db_url) as store:
        assert store.revision() == "0005"
        user, _ = store.add_user("ann", "admin")
        assert store.claim_delivery("chatwoot", "message 1:5") is True
        assert store.open_session(user.id, 60)
    engine = store_db.make_engine(db_url)
    try:
        with store_db.writer(engine).begin() as conn:  # down: the two tables go, users stay
            command.downgrade(store_db.alembic_config(conn), "0004")
        names = set(sa.inspect(engine).get_table_names())
        assert "page_sessions" not in names and "webhook_deliveries" not in names and "users" in names
    finally:
        engine.dispose()
    with open_store(db_url) as store:
        assert store.revision() == "0005" and [u.name for u in store.list_users()] == ["ann"]
        assert store.claim_delivery("chatwoot", "message 1:5") is True  # a new, empty table


# ── page sessions (item 6) ──────────────────────────────────────────────────────────────


def test_a_logged_out_or_expired_session_signs_nobody_in(store: Store) -> None:
    user, token = store.add_user("dee", "agent")
    key = Store.session_key(token)
    sid = store.open_session(user.id, 3600)
    assert store.session_user(user.id, key, sid) == user
    assert store.session_user(user.id, key, "0" * 32) is None  # a session the store never opened
    other = store.open_session(user.id, 3600)
    store.end_session(sid)
    assert store.session_user(user.id, key, sid) is None
    assert store.session_user(user.id, key, other) == user  # logging out one browser ends only it
    short = store.open_session(user.id, -1)  # already past its end
    assert store.session_user(user.id, key, short) is None
    store.open_session(user.id, 3600)  # opening a session forgets the expired ones
    with store._engine.connect() as conn:
        ids = set(conn.execute(sa.text("SELECT id FROM page_sessions")).scalars())
    assert short not in ids and {sid, other} <= ids


# ── webhook deliveries (item 5) ─────────────────────────────────────────────────────────


def test_a_delivery_is_claimed_once_even_by_racing_requests(store: Store) -> None:
    assert store.claim_delivery("zendesk", "event d4f5") is True
    assert store.claim_delivery("zendesk", "event d4f5") is False
    assert store.claim_delivery("chatwoot", "event d4f5") is True  # each helpdesk has its own ids
    store.release_delivery("zendesk", "event d4f5")
    assert store.claim_delivery("zendesk", "event d4f5") is True
    long_key = "body " + "x" * 500  # kept as its hash
    assert (
        store.claim_delivery("zendesk", long_key) is True
        and store.claim_delivery("zendesk", long_key) is False
    )
    results: list[bool] = []
    start = threading.Barrier(6)

    def claim() -> None:
        start.wait()
        results.append(store.claim_delivery("chatwoot", "message 1:77"))

    threads = [threading.Thread(target=claim) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [False] * 5 + [True]


# ── text that is not text (item 7) ──────────────────────────────────────────────────────


@pytest.mark.parametrize("bad", ["\u0000", "\ud800"], ids=["NUL", "lone surrogate"])
def test_text_that_is_not_text_is_refused_at_the_door(store: Store, bad: str) -> None:
    """A NUL that SQLite would keep made the export unloadable into PostgreSQL (and PostgreSQL
    answered a 503 naming its URL): every write refuses it first, naming the argument."""
    case = store.log_reply("c-1", REPLY)
    attempts = {
        "reply": lambda: store.log_reply("c-2", f"We can't{bad} refund this."),
        "customer": lambda: store.log_reply(f"c{bad}", REPLY),
        "customer_message": lambda: store.log_reply("c-2", REPLY, customer_message=f"refund{bad}"),
        "agent": lambda: store.log_reply("c-2", REPLY, agent=f"sam{bad}"),
        "comment": lambda: store.add_feedback(case.id, 3, f"meh{bad}"),
        "name": lambda: store.add_user(f"eve{bad}", "agent"),
        "note": lambda: store.add_followup("c-1", datetime.now(timezone.utc), f"call{bad}"),
        "analysis": lambda: store.record_attempt("ann", "late-refund", "No.", 1, {"x": [f"y{bad}"]}),
    }
    for field, write in attempts.items():
        with pytest.raises(InvalidInput) as info:
            write()
        assert info.value.field == field and field in str(info.value)
        assert "://" not in str(info.value)
    assert [c.id for c in store.cases(limit=10)] == [case.id] and store.list_users() == []
    assert store.search_cases(f"refund{bad}") != []  # a search only splits its query into words


def test_the_api_answers_422_without_the_database_url(db_url: str) -> None:
    from tactful.web.app import WebSettings, create_app

    with open_store(db_url) as store:
        _, token = store.add_user("ann", "agent")
        app = create_app(store, secret_key="k" * 32, settings=WebSettings(rate_limit=0))
        with TestClient(app, headers={"Authorization": f"Bearer {token}"}) as client:
            r = client.post("/v1/cases", json={"customer": "c-1", "reply": "We can't\u0000 refund"})
            assert r.status_code == 422 and "NUL" in r.text
            assert "postgres" not in r.text and "://" not in r.text and "@" not in r.text


def test_error_messages_carry_no_user_name_or_password() -> None:
    url = "postgresql+psycopg://tactful:s3cret@db.internal:5432/tactful"
    assert store_db.display_url(url) == "postgresql+psycopg://db.internal:5432/tactful"
    with pytest.raises(StoreError) as info:
        open_store("postgresql://admin:s3cret@127.0.0.1:1/nope", timeout_s=1)
    assert "s3cret" not in str(info.value) and "admin" not in str(info.value)


# ── what one reply may create (item 8) ──────────────────────────────────────────────────


def test_one_reply_creates_at_most_ten_promises_follow_ups_and_alternatives(store: Store) -> None:
    promises = "I'll call you on Friday. " * 500
    options = "You could try store credit, or an exchange, or a repair; " * 50
    case = store.log_reply("c-1", f"We can't refund this. {options}. {promises}")
    assert case.refusal is not None and len(case.refusal.alternatives) == 10
    assert len(case.promises) == 10 and len(case.followups) == 10
    with store._engine.connect() as conn:
        counts = [
            conn.execute(sa.text(f"SELECT count(*) FROM {t}")).scalar() for t in ("promises", "followups")
        ]
    assert counts == [10, 10]


# ── the last admin (item 11) ────────────────────────────────────────────────────────────


def test_the_last_admin_is_never_revoked_even_by_two_admins_at_once(store: Store) -> None:
    store.add_user("ann", "admin")
    with pytest.raises(Conflict, match="ann is the last admin"):
        store.revoke_user("ann")
    store.add_user("bo", "admin")
    outcomes: list[str] = []
    start = threading.Barrier(2)

    def revoke(name: str) -> None:
        start.wait()
        try:
            store.revoke_user(name)
            outcomes.append("revoked")
        except Conflict:
            outcomes.append("refused")

    threads = [threading.Thread(target=revoke, args=(n,)) for n in ("ann", "bo")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["refused", "revoked"]
    assert [u.name for u in store.list_users() if u.revoked_at is None] in (["ann"], ["bo"])


# ── exports (item 12) ───────────────────────────────────────────────────────────────────


def test_exports_leave_token_hashes_out_unless_asked(store: Store, other_url: str, tmp_path: Path) -> None:
    _, token = store.add_user("ann", "admin")
    store.log_reply("c-1", REPLY)
    plain = tmp_path / "plain.jsonl"
    store.export_jsonl(plain, redact=False)  # not redacting texts still leaves the hashes out
    header, *lines = plain.read_text().splitlines()
    users = [json.loads(line)["row"] for line in lines if json.loads(line)["table"] == "users"]
    assert [u["name"] for u in users] == ["ann"] and all("token_hash" not in u for u in users)
    assert json.loads(header)["token_hashes"] is False
    with open_store(other_url) as copy:
        copy.import_jsonl(plain)
        assert [u.name for u in copy.list_users()] == ["ann"]
        assert copy.user_for_token(token) is None  # nobody holds the token it was given
        _, new_token = copy.rotate_token("ann")
        assert copy.user_for_token(new_token) is not None
        again = tmp_path / "again.jsonl"
        copy.export_jsonl(again, redact=False)
        assert again.read_bytes() == plain.read_bytes()  # still byte-identical round trips


def test_an_export_asked_to_keep_token_hashes_keeps_the_tokens(
    store: Store, other_url: str, tmp_path: Path
) -> None:
    user, token = store.add_user("ann", "admin")
    full = tmp_path / "full.jsonl"
    store.export_jsonl(full, token_hashes=True)
    assert '"token_hash"' in full.read_text()
    with open_store(other_url) as copy:
        copy.import_jsonl(full)
        found = copy.user_for_token(token)
        assert found is not None and found.id == user.id


def test_a_recent_follow_up_page_is_the_soonest_due(store: Store) -> None:
    t0 = datetime(2026, 3, 1, tzinfo=timezone.utc)
    ids = [store.add_followup("c-1", t0 + timedelta(days=i), f"call {i}", owner="sam") for i in range(7)]
    assert [f.id for f in store.followups(status="all", limit=3)] == ids[:3]
    assert [f.id for f in store.followups(status="all", limit=3, offset=3)] == ids[3:6]
    assert store.followup_counts() == (7, 7)  # all due in the past: overdue
    assert store.followups(owner="bo") == [] and len(store.followups(owner="sam")) == 7
