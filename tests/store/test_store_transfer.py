"""Export/import round-trips the whole store exactly; exports are redacted unless asked."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from tactful.store import Store, StoreError, open_store
from tactful.store.demo import load_demo

T0 = datetime(2026, 3, 2, 10, 0, tzinfo=timezone.utc)
PII_REPLY = (
    "Thanks for writing, Ann. We can't refund card 4111 1111 1111 1111 after 30 days. I can offer store "
    "credit instead. I'll call you at +44 20 7946 0958 on Friday, or email ann@example.com."
)


def fill(store: Store) -> None:
    load_demo(store)
    case = store.log_reply(
        "ann",
        PII_REPLY,
        sent_at=T0,
        customer_message="Refund please! ann@example.com",
        redact=False,
        channel="email",
        received_at=T0 - timedelta(hours=1),
        agent="sam",
        topic="late refunds",
    )
    store.add_feedback(case.id, 3, "call me on 555-123-4567", redact=False)
    store.add_user("ann", "admin")
    store.set_helpdesk_id("ann", "zendesk", "ZD-1")
    store.record_attempt("ann", "late-refund", "No.", 10, {"score": 10, "nested": {"a": [1, 2.5]}})


def test_export_import_export_is_identical(store: Store, other_url: str, tmp_path: Path) -> None:
    fill(store)
    for redact in (False, True):
        first = tmp_path / f"first-{redact}.jsonl"
        rows = store.export_jsonl(first, redact=redact)
        assert rows > 30
        target_url = other_url if not redact else other_url.replace("other", "third")
        if "third" in target_url and target_url.startswith("postgresql"):
            continue  # one PostgreSQL target is enough; the redacted pass runs on SQLite
        with open_store(target_url) as target:
            assert target.import_jsonl(first) == rows
            second = tmp_path / f"second-{redact}.jsonl"
            target.export_jsonl(second, redact=redact)
            assert second.read_bytes() == first.read_bytes()
            # the copy is a working store: ids continue after the imported ones
            new = target.log_reply("zed", "Thanks, all done.")
            assert new.id == max(c.id for c in store.cases(limit=1000)) + 1
            assert target.history("ann").helpdesk_ids == {"zendesk": "ZD-1"}


def test_exports_are_redacted_unless_asked(store: Store, tmp_path: Path) -> None:
    fill(store)
    store.export_jsonl(tmp_path / "r.jsonl")
    store.export_jsonl(tmp_path / "raw.jsonl", redact=False)
    redacted = (tmp_path / "r.jsonl").read_text()
    raw = (tmp_path / "raw.jsonl").read_text()
    for secret in ("4111 1111 1111 1111", "ann@example.com", "+44 20 7946 0958", "555-123-4567"):
        assert secret not in redacted
        assert secret in raw
    assert "[card]" in redacted and "[email]" in redacted and "[phone]" in redacted
    assert json.loads(redacted.splitlines()[0])["redacted"] is True


def test_import_refuses_a_store_with_data_and_bad_files(store: Store, tmp_path: Path) -> None:
    store.log_reply("c1", "Thanks!")
    export = tmp_path / "e.jsonl"
    store.export_jsonl(export)
    with pytest.raises(StoreError, match="already holds data"):
        store.import_jsonl(export)
    assert len(store.cases()) == 1


def test_import_rejects_broken_input_and_changes_nothing(db_url: str, other_url: str, tmp_path: Path) -> None:
    with open_store(db_url) as store:
        bad = tmp_path / "bad.jsonl"
        bad.write_text('{"hello": 1}\n')
        with pytest.raises(StoreError, match="not a tactful store export"):
            store.import_jsonl(bad)
        with pytest.raises(StoreError, match="no such file"):
            store.import_jsonl(tmp_path / "missing.jsonl")
        store.log_reply("c1", "Thanks!")
        good = tmp_path / "good.jsonl"
        store.export_jsonl(good)
    lines = good.read_text().splitlines()
    truncated = tmp_path / "truncated.jsonl"
    truncated.write_text("\n".join(lines[:-1] + ['{"table": "cases", "row": ']) + "\n")
    with open_store(other_url) as fresh:
        with pytest.raises(StoreError, match=r"truncated.jsonl:\d+: not valid JSON"):
            fresh.import_jsonl(truncated)
        assert fresh.cases() == [] and fresh.list_users() == []  # one transaction: nothing half-imported


# What each older revision lacks: the tables and columns later migrations added.
LATER = {
    "0004": {"tables": set(), "columns": {}},  # 0005's sessions and deliveries are not exported
    "0003": {"tables": set(), "columns": {"users": "revoked_at"}},
    "0002": {"tables": {"scenarios", "attempts"}, "columns": {"users": "revoked_at"}},
    "0001": {"tables": {"scenarios", "attempts"}, "columns": {"users": "revoked_at"}},
}


@pytest.mark.slow
@pytest.mark.parametrize("revision", sorted(LATER))
def test_an_export_from_an_older_schema_loads_into_a_new_store(
    store: Store, other_url: str, tmp_path: Path, revision: str
) -> None:
    """A backup written by an older tactful restores into a fresh store at head: nothing is lost,
    and the migrations bring it up to date."""
    from tactful.store import db as store_db

    fill(store)
    current = tmp_path / "now.jsonl"
    rows = store.export_jsonl(current, redact=False)
    header, *lines = current.read_text().splitlines()
    assert rows == len(lines)
    old_header = {**json.loads(header), "revision": revision}  # what tactful at that revision wrote:
    old_lines, kept = [], []
    for line in lines:  # the same rows, without what later migrations added
        item = json.loads(line)
        if item["table"] in LATER[revision]["tables"]:
            continue
        kept.append(line)
        column = LATER[revision]["columns"].get(item["table"])
        if column:
            assert item["row"].pop(column) is None
        old_lines.append(json.dumps(item))
    backup = tmp_path / f"backup-{revision}.jsonl"
    backup.write_text("\n".join([json.dumps(old_header), *old_lines]) + "\n")
    broken = tmp_path / f"broken-{revision}.jsonl"
    broken.write_text(
        "\n".join([json.dumps(old_header), *old_lines[:3], '{"table": "cases", "row": ']) + "\n"
    )
    with open_store(other_url) as fresh:
        assert fresh.revision() == store_db.head_revision() != revision
        with pytest.raises(StoreError, match="not valid JSON"):
            fresh.import_jsonl(broken)
        assert fresh.revision() == store_db.head_revision()  # back at head, and still empty
        assert fresh.list_users() == [] and fresh.cases() == []
        assert fresh.import_jsonl(backup) == len(old_lines)
        assert fresh.revision() == store_db.head_revision()
        again = tmp_path / "again.jsonl"
        assert fresh.export_jsonl(again, redact=False) == len(kept)
        assert again.read_text().splitlines() == [header, *kept]  # every row came through, at head
        fresh.add_user("root", "admin")  # ann is the only admin: the last one is never revoked
        assert fresh.revoke_user("ann").revoked_at is not None  # the new column works on them


def test_an_export_from_a_newer_tactful_is_refused_clearly(store: Store, tmp_path: Path) -> None:
    future = tmp_path / "future.jsonl"
    future.write_text('{"format": "tactful-store", "version": 1, "revision": "9999", "tables": []}\n')
    with pytest.raises(StoreError, match="revision 9999, which this tactful does not know"):
        store.import_jsonl(future)


def test_an_older_export_whose_migration_fails_leaves_the_store_as_it_was(
    store: Store, other_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Going back, loading and migrating forward is one transaction: a failure in the last step
    (here the upgrade) leaves the store empty at head, not half-imported at the old revision."""
    import alembic.command

    from tactful.store import db as store_db

    store.log_reply("c1", "Thanks for asking.")
    current = tmp_path / "now.jsonl"
    store.export_jsonl(current, redact=False)
    header, *lines = current.read_text().splitlines()
    old = [json.dumps({**json.loads(header), "revision": "0003"})]
    for line in lines:
        item = json.loads(line)
        item["row"].pop("revoked_at", None)
        old.append(json.dumps(item))
    backup = tmp_path / "backup.jsonl"
    backup.write_text("\n".join(old) + "\n")
    with open_store(other_url) as fresh:

        def broken_upgrade(*args: object, **kwargs: object) -> None:
            raise RuntimeError("the migration broke")

        with monkeypatch.context() as patch:
            patch.setattr(alembic.command, "upgrade", broken_upgrade)
            with pytest.raises(RuntimeError, match="the migration broke"):
                fresh.import_jsonl(backup)
        assert fresh.revision() == store_db.head_revision()
        assert fresh.cases() == [] and fresh.list_users() == []
        assert fresh.import_jsonl(backup) == len(lines)  # and the store still works
