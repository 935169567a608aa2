"""The store's CLI commands, each with --db, against SQLite and PostgreSQL."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from tactful.cli import main

REPLY = (
    "Thanks for asking about dark mode, and for using the app every day. We don't offer dark mode yet, "
    "because our design team is focused on accessibility fixes. As an alternative, you could switch on the "
    "high-contrast theme. I'll let you know when dark mode ships, and I'll email you tomorrow with the "
    "steps. Reach me at help@example.com."
)


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.fixture
def files(tmp_path: Path) -> dict[str, str]:
    (tmp_path / "reply.txt").write_text(REPLY)
    (tmp_path / "msg.txt").write_text("Could you add dark mode? Mail me at joe@example.org")
    return {"reply": str(tmp_path / "reply.txt"), "msg": str(tmp_path / "msg.txt")}


def test_log_history_followups_requests_feedback_report(
    db_url: str, files: dict[str, str], tmp_path: Path
) -> None:
    db = ["--db", db_url]
    r = run(
        "log",
        files["reply"],
        "--customer",
        "joe",
        "--message",
        files["msg"],
        "--channel",
        "chat",
        "--received-at",
        "2026-03-02T10:00:00Z",
        "--sent-at",
        "2026-03-02T10:30:00Z",
        "--agent",
        "sam",
        *db,
    )
    assert r.exit_code == 0, r.output
    assert r.output.startswith("logged case #1 for joe: refusal (feature_request)")
    assert "late: answered in 30 min, SLA 2 min" in r.output and "follow-up #1 due 2026-03-03" in r.output
    r = run(
        "log",
        files["reply"],
        "--customer",
        "joe",
        "--message",
        files["msg"],
        "--format",
        "json",
        "--no-redact",
        *db,
    )
    case = json.loads(r.output)
    assert case["id"] == 2 and "help@example.com" in case["reply"]
    assert any("already heard no" in f["message"] for f in case["findings"])

    assert run("log", files["reply"], "--customer", "joe", "--helpdesk", "zendesk", *db).exit_code == 2
    r = run(
        "log",
        files["reply"],
        "--customer",
        "joe",
        "--helpdesk",
        "zendesk=ZD-9",
        "--request-type",
        "feature_request",
        *db,
    )
    assert r.exit_code == 0
    r = run("history", "joe", *db)
    assert r.exit_code == 0 and "case #1" in r.output and "[email]" in r.output
    assert r.output.count("joe@example.org") == 1  # only case #2, logged with --no-redact
    h = json.loads(run("history", "joe", "--format", "json", *db).output)
    assert [c["id"] for c in h["cases"]] == [1, 2, 3] and h["helpdesk_ids"] == {"zendesk": "ZD-9"}

    r = run("followups", "due", *db)
    assert "overdue" in r.output and "joe" in r.output
    assert json.loads(run("followups", "due", "--format", "json", *db).output)[0]["id"] == 1
    assert run("followups", "done", "1", *db).output.strip() == "follow-up #1 done"

    assert "dark mode" in run("requests", "list", *db).output
    r = run("requests", "ship", "dark mode", *db)
    assert "1 customer(s) to tell" in r.output and "dark mode is now available" in r.output

    assert run("feedback", "1", "4", "--comment", "ok", "--accepted", "1", *db).exit_code == 0
    assert run("outcome", "joe", "came_back", *db).exit_code == 0
    csv_path = tmp_path / "r.csv"
    r = run("report", "refusals_by_type", "--csv", str(csv_path), *db)
    assert "feature_request" in r.output
    mean_score = json.loads(run("report", "refusals_by_type", "--format", "json", *db).output)["rows"][0][3]
    assert csv_path.read_text().splitlines() == [
        "request_type,refusals,customers,mean_score,mean_csat",
        f"feature_request,3,1,{mean_score},4.0",
    ]
    assert (
        run("report", "came_back", "--format", "csv", *db)
        .output.splitlines()[2]
        .startswith("came back after a no,1,")
    )
    assert "case #" in run("similar", "dark theme", *db).output


def test_export_import_users_and_db_upgrade(
    db_url: str, other_url: str, files: dict[str, str], tmp_path: Path
) -> None:
    db = ["--db", db_url]
    assert run("db", "upgrade", *db).output.strip() == "database at revision 0005"
    r = run("users", "add", "ann", "--role", "manager", *db)
    token = r.output.strip().rsplit(" ", 1)[1]
    assert "shown once" in r.output and len(token) >= 32
    assert run("users", "list", *db).output.startswith("ann\tmanager\t")
    assert run("users", "add", "ann", "--role", "agent", *db).exit_code == 2
    # revoke ends the token; rotate gives a new one and restores the user
    assert "revoked ann" in run("users", "revoke", "ann", *db).output
    assert "\trevoked " in run("users", "list", *db).output
    r = run("users", "rotate", "ann", *db)
    new_token = r.output.strip().rsplit(" ", 1)[1]
    assert "shown once" in r.output and new_token != token
    assert "revoked" not in run("users", "list", *db).output
    missing = run("users", "revoke", "nobody", *db)
    assert missing.exit_code == 2 and "no user named 'nobody'" in missing.output
    run("log", files["reply"], "--customer", "joe", "--message", files["msg"], "--no-redact", *db)
    out = tmp_path / "e.jsonl"
    raw = tmp_path / "raw.jsonl"
    assert "(redacted)" in run("export", str(out), *db).output
    run("export", str(raw), "--no-redact", *db)
    assert "help@example.com" not in out.read_text() and "help@example.com" in raw.read_text()
    r = run("import", str(raw), "--db", other_url)
    assert r.exit_code == 0 and r.output.startswith("imported ")
    again = tmp_path / "again.jsonl"
    run("export", str(again), "--no-redact", "--db", other_url)
    assert again.read_bytes() == raw.read_bytes()
    r = run("import", str(raw), "--db", other_url)
    assert r.exit_code == 2 and "already holds data" in r.output


def test_cli_errors_are_one_line(db_url: str, files: dict[str, str]) -> None:
    db = ["--db", db_url]
    for args, expected in (
        (["history", "nobody"], "error: no customer 'nobody'"),
        (["followups", "done", "99"], "error: no follow-up #99"),
        (["requests", "ship", "warp drive"], "error: no declined request on 'warp drive'"),
        (["feedback", "99", "3"], "error: no case #99"),
        (["log", "missing.txt", "--customer", "x"], "error: missing.txt: no such file"),
        (
            ["log", files["reply"], "--customer", "x", "--sent-at", "yesterday"],
            "error: --sent-at: not an ISO 8601",
        ),
    ):
        r = run(*args, *db)
        assert r.exit_code == 2 and r.output.startswith(expected), (args, r.output)


class _Hook(BaseHTTPRequestHandler):
    received: list[dict[str, object]] = []

    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        body = self.rfile.read(int(self.headers["Content-Length"]))
        _Hook.received.append(json.loads(body))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def webhook() -> Iterator[str]:
    _Hook.received = []
    server = HTTPServer(("127.0.0.1", 0), _Hook)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hook"
    server.shutdown()
    server.server_close()


def test_followup_reminders_go_to_a_webhook(tmp_path: Path, files: dict[str, str], webhook: str) -> None:
    db = ["--db", str(tmp_path / "s.db")]
    run(
        "log", files["reply"], "--customer", "joe", "--sent-at", "2026-03-02T10:30:00Z", "--agent", "sam", *db
    )
    r = run("followups", "due", "--webhook", webhook, *db)
    assert r.exit_code == 0 and f"sent 1 reminder(s) to {webhook}" in r.output
    [msg] = _Hook.received
    assert msg["type"] == "tactful.followup_due" and "joe" in str(msg["text"])
    assert msg["followup"]["customer"] == "joe"  # type: ignore[index]
    r = run("followups", "due", "--webhook", "http://127.0.0.1:1/hook", *db)
    assert r.exit_code == 2 and "Traceback" not in r.output
    assert r.stderr.startswith("error: http://127.0.0.1:1/hook: could not send reminder for follow-up #1")


def _cli(args: list[str], env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tactful", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
    )


@pytest.mark.slow
def test_corrupt_and_locked_files_give_an_error_not_a_traceback(
    tmp_path: Path, files: dict[str, str]
) -> None:
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"garbage bytes, not SQLite " * 100)
    p = _cli(["history", "joe", "--db", str(bad)])
    assert p.returncode == 2 and "Traceback" not in p.stderr
    assert (
        p.stderr.strip()
        == f"error: {bad}: not a readable tactful database (the file is corrupt or not SQLite)"
    )

    path = tmp_path / "locked.db"
    assert _cli(["db", "upgrade", "--db", str(path)]).returncode == 0
    holder = sqlite3.connect(path, isolation_level=None)
    try:
        holder.execute("BEGIN EXCLUSIVE")
        p = _cli(
            ["log", files["reply"], "--customer", "joe", "--db", str(path)], {"TACTFUL_DB_TIMEOUT": "0.2"}
        )
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert p.returncode == 2 and "Traceback" not in p.stderr
    assert (
        p.stderr.strip()
        == f"error: {path}: the database is locked by another process; try again when it is done"
    )


def test_cli_offers_every_report() -> None:
    from tactful.cli.store.reporting import REPORT_NAMES
    from tactful.store.report_queries import REPORTS

    assert list(REPORT_NAMES) == list(REPORTS)
