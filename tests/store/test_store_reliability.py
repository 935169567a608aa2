"""Reliability: concurrent writers lose nothing, migrations keep data, bad databases fail clearly."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import textwrap
import time
from datetime import datetime, timezone
from pathlib import Path

import pytest
import sqlalchemy as sa

from tactful.store import Store, StoreError, open_store
from tactful.store import db as store_db
from tactful.store.demo import load_demo
from tactful.store.tables import (
    Alternative,
    Case,
    Conversation,
    Customer,
    DeclinedRequest,
    Feedback,
    FollowUp,
    Outcome,
    Promise,
    Refusal,
    RequestTopic,
    User,
)

WRITER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from tactful.store import open_store
    url, who, folder = sys.argv[1], sys.argv[2], Path(sys.argv[3])
    store = open_store(url)
    (folder / f"ready-{who}").touch()
    while not (folder / "go").exists():
        time.sleep(0.005)
    for i in range(50):
        store.log_reply(
            f"shared-{i % 5}",
            f"Thanks for asking. We can't refund order {who}-{i}, because it is past 30 days. "
            "I can offer store credit instead. I'll call you tomorrow.",
            customer_message="Please add an export to PDF",
            request_type="feature_request",
            topic="pdf export",
            agent=who,
        )
    store.close()
    """
)


@pytest.mark.slow
def test_two_processes_writing_at_once_lose_nothing(store: Store, db_url: str, tmp_path: Path) -> None:
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, db_url, who, str(tmp_path)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for who in ("p1", "p2")
    ]
    deadline = time.monotonic() + 120
    while not all((tmp_path / f"ready-{w}").exists() for w in ("p1", "p2")):
        assert all(p.poll() is None for p in procs), [p.communicate() for p in procs]
        assert time.monotonic() < deadline, "writers did not start"
        time.sleep(0.01)
    (tmp_path / "go").touch()
    for p in procs:
        out, err = p.communicate(timeout=300)
        assert p.returncode == 0, err
    cases = store.cases(limit=1000)
    assert len(cases) == 100
    assert {c.agent for c in cases} == {"p1", "p2"}
    assert len({c.reply for c in cases}) == 100
    assert len(store.followups()) == 100
    [topic] = store.declined_requests()
    assert (topic.topic, topic.customers) == ("pdf export", 5)
    assert sorted(c.customer for c in cases).count("shared-0") == 20


def test_migrations_upgrade_a_database_with_data_from_the_first_schema(db_url: str) -> None:
    engine = store_db.make_engine(db_url)
    assert store_db.upgrade(engine, "0001") == "0001"
    t = datetime(2026, 1, 5, 9, 30)
    rows: list[tuple[type, dict[str, object]]] = [
        (User, {"id": 1, "name": "ann", "role": "admin", "token_hash": "0" * 64, "created_at": t}),
        (
            Customer,
            {"id": 1, "key": "old-1", "name": "Olga", "helpdesk_ids": {"zendesk": "7"}, "created_at": t},
        ),
        (Conversation, {"id": 1, "customer_id": 1, "key": "T-1", "channel": "email", "created_at": t}),
        (
            Case,
            {
                "id": 1,
                "conversation_id": 1,
                "customer_id": 1,
                "agent": "sam",
                "channel": "email",
                "customer_message": "Can I return my umbrella after six weeks?",
                "reply": "Thanks for asking. We accept returns within 30 days, so I can't take it back.",
                "received_at": t,
                "sent_at": t,
                "request_type": "return",
                "policy_id": "return-window",
                "topic": None,
                "is_refusal": True,
                "exception_granted": False,
                "score": 71,
                "response_minutes": 0.0,
                "sla_minutes": 1440.0,
                "analysis": {"score": 71, "findings": []},
            },
        ),
        (
            Refusal,
            {
                "id": 1,
                "case_id": 1,
                "customer_id": 1,
                "request_type": "return",
                "policy_id": None,
                "reason": "30 days",
            },
        ),
        (
            Alternative,
            {
                "id": 1,
                "refusal_id": 1,
                "position": 1,
                "text": "store credit",
                "kind": "store_credit",
                "accepted": True,
            },
        ),
        (
            Promise,
            {
                "id": 1,
                "case_id": 1,
                "customer_id": 1,
                "text": "I'll call you",
                "kind": "contact",
                "topic": None,
                "due_at": t,
                "status": "open",
                "kept_at": None,
            },
        ),
        (
            FollowUp,
            {
                "id": 1,
                "case_id": 1,
                "customer_id": 1,
                "promise_id": 1,
                "due_at": t,
                "owner": "sam",
                "note": "call",
                "status": "open",
                "done_at": None,
            },
        ),
        (
            RequestTopic,
            {
                "id": 1,
                "topic": "umbrella rental",
                "request_type": "other",
                "status": "declined",
                "shipped_at": None,
            },
        ),
        (
            DeclinedRequest,
            {"id": 1, "topic_id": 1, "customer_id": 1, "case_id": 1, "asked_at": t, "notified_at": None},
        ),
        (Feedback, {"id": 1, "case_id": 1, "csat": 3, "comment": "meh", "created_at": t}),
        (Outcome, {"id": 1, "customer_id": 1, "outcome": "came_back", "at": t}),
    ]
    with engine.begin() as conn:
        for model, values in rows:  # ids come from the database, as the old code's inserts did
            fields = {k: v for k, v in values.items() if k != "id"}
            new_id = conn.execute(sa.insert(model.__table__).values(**fields)).inserted_primary_key  # type: ignore[attr-defined]
            assert new_id is not None and new_id[0] == values["id"]
    engine.dispose()

    with open_store(db_url) as store:  # upgrades 0001 -> head
        assert store.revision() == store_db.head_revision() != "0001"
        h = store.history("old-1")
        assert h.name == "Olga" and h.helpdesk_ids == {"zendesk": "7"}
        [case] = h.cases
        assert case.sent_at == t.replace(tzinfo=timezone.utc) and case.score == 71
        assert case.refusal is not None and case.refusal.alternatives[0].accepted
        assert [f.csat for f in h.feedback] == [3] and [o.outcome for o in h.outcomes] == ["came_back"]
        assert h.declined_topics == ("umbrella rental",)
        assert [(u.name, u.revoked_at) for u in store.list_users()] == [("ann", None)]
        # the search index added by 0002 covers the rows written before it
        assert [hit.case_id for hit in store.search_cases("umbrella")] == [1]
        # and the upgraded store keeps working, ids continuing after the old rows
        new = store.log_reply("old-1", "Thanks, your umbrella refund is on its way.")
        assert new.id == 2


def _garbage(path: Path) -> None:
    path.write_bytes(b"this is not a database, just bytes \x00\x01\x02" * 200)


def test_a_corrupt_sqlite_file_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.db"
    _garbage(bad)
    with pytest.raises(StoreError, match="not a readable tactful database"):
        open_store(str(bad))
    # a real store whose pages were overwritten later
    good = tmp_path / "good.db"
    with open_store(str(good)) as store:
        load_demo(store)
    data = bytearray(good.read_bytes())
    data[1024 : len(data)] = b"\xff" * (len(data) - 1024)
    good.write_bytes(bytes(data))
    for suffix in ("-wal", "-shm"):
        Path(str(good) + suffix).unlink(missing_ok=True)
    with pytest.raises(StoreError, match="corrupt|not a readable"), open_store(str(good)) as store:
        store.history("demo-ana")


def test_a_locked_sqlite_database_is_a_clear_error(tmp_path: Path) -> None:
    fresh = tmp_path / "fresh.db"
    holder = sqlite3.connect(fresh, isolation_level=None)
    try:  # a new file locked before the store could create its schema
        holder.execute("BEGIN EXCLUSIVE")
        with pytest.raises(StoreError, match="locked by another process"):
            open_store(str(fresh), timeout_s=0.2)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    path = tmp_path / "locked.db"
    with open_store(str(path)) as store:
        store.log_reply("c1", "Thanks!")
    holder = sqlite3.connect(path, isolation_level=None)
    try:
        holder.execute("BEGIN EXCLUSIVE")
        with open_store(str(path), timeout_s=0.2) as store:
            assert len(store.cases()) == 1  # WAL: readers still read
            with pytest.raises(StoreError, match="locked by another process"):
                store.log_reply("c1", "Thanks again!")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    with open_store(str(path)) as store:
        assert len(store.cases()) == 1  # the failed write left nothing behind


def test_missing_folder_and_unreachable_server_are_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="does not exist"):
        open_store(str(tmp_path / "no" / "such" / "x.db"))
    with pytest.raises(StoreError, match="cannot use the database at postgresql"):
        open_store("postgresql://postgres:secret@127.0.0.1:1/nope", timeout_s=1)
    with pytest.raises(StoreError) as info:
        open_store("postgresql://postgres:secret@127.0.0.1:1/nope", timeout_s=1)
    assert "secret" not in str(info.value)
    with pytest.raises(StoreError, match="not a usable database URL"):
        open_store("nosuchdriver://x/y")


def test_url_resolution(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(store_db.ENV_URL, raising=False)
    assert store_db.resolve_url(None) == "sqlite:///tactful.db"
    assert store_db.resolve_url("x/y.db") == "sqlite:///x/y.db"
    assert store_db.resolve_url("postgresql://u@h/d") == "postgresql+psycopg://u@h/d"
    monkeypatch.setenv(store_db.ENV_URL, "postgres://u@h/e")
    assert store_db.resolve_url(None) == "postgresql+psycopg://u@h/e"
    assert store_db.resolve_url("a.db") == "sqlite:///a.db"
    monkeypatch.setenv(store_db.ENV_TIMEOUT, "soon")
    with pytest.raises(StoreError, match="TACTFUL_DB_TIMEOUT"):
        store_db.busy_timeout()
    assert os.environ[store_db.ENV_TIMEOUT] == "soon"


def test_threads_sharing_one_store_lose_nothing(store: Store) -> None:
    """The web server calls one Store from a thread pool."""
    import threading

    errors: list[BaseException] = []

    def work(n: int) -> None:
        try:
            for j in range(10):
                store.log_reply(
                    f"t{n}", f"Thanks for asking. We can't refund order {n}-{j}. I can offer store credit."
                )
                store.history(f"t{n}")
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(store.cases(limit=100)) == 40
