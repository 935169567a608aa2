"""The figures of docs/security.md that are not timings of the analyzer: what an attacker gets.

Run from the repository root with the project's virtualenv::

    .venv/bin/python bench/bench_security.py            # every measurement
    .venv/bin/python bench/bench_security.py login      # one: login | replay | dashboard | policy

- ``login``: 300 ``POST /login`` guesses with a fresh random ``Authorization`` header each, without
  and with the form's CSRF token, at the default limits: how many were answered.
- ``replay``: one Chatwoot message posted 50 times (``?token=`` mode): how many cases it made.
- ``dashboard``: 21,000 open follow-ups: the dashboard's size and time, ``GET /v1/followups``'s.
- ``policy``: ``tactful kb check`` and ``kb decide`` on a YAML alias bomb and a list nested 5,000
  deep: exit status, time and peak memory (GNU ``/usr/bin/time``).

The app runs in-process (FastAPI's TestClient) on a temporary SQLite store; ``policy`` runs the CLI.
"""

from __future__ import annotations

import collections
import re
import secrets
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from fastapi.testclient import TestClient

from tactful.store import open_store
from tactful.web.app import WebSettings, create_app

CHATWOOT_SECRET = "bench-secret"


def _app() -> tuple[Any, Any, str]:
    store = open_store(f"sqlite:///{tempfile.mkdtemp()}/bench.db")
    _, token = store.add_user("boss", "manager")
    settings = WebSettings(chatwoot_secret=CHATWOOT_SECRET)  # the default limits otherwise
    return create_app(store, secret_key="k" * 32, settings=settings), store, token


def login() -> None:
    for with_form_token in (False, True):
        app, _, _ = _app()  # fresh buckets for each run
        with TestClient(app, raise_server_exceptions=False) as c:
            found = re.search(r'name="csrf" value="([^"]+)"', c.get("/login").text)
            form = {"csrf": found.group(1)} if with_form_token and found else {}
            start = time.perf_counter()
            codes = [
                c.post(
                    "/login",
                    data={"token": f"guess-{i}", **form},
                    headers={"Authorization": f"Bearer {secrets.token_hex(8)}"},
                ).status_code
                for i in range(300)
            ]
            took = time.perf_counter() - start
        said = ", ".join(f"{n} x {code}" for code, n in sorted(collections.Counter(codes).items()))
        form_token = "with" if with_form_token else "without"
        print(f"login: 300 guesses {form_token} the form token in {took:.2f} s: {said}")


def replay() -> None:
    app, store, _ = _app()
    message = {
        "event": "message_created",
        "id": 7,
        "content": "We can't refund this. I'll call you on Friday.",
        "message_type": "outgoing",
        "sender": {"name": "John"},
        "conversation": {"id": 10, "meta": {"sender": {"id": 14}}},
        "account": {"id": 1},
    }
    with TestClient(app, raise_server_exceptions=False) as c:
        for _ in range(50):
            c.post("/v1/webhooks/chatwoot", params={"token": CHATWOOT_SECRET}, json=message)
    print(f"replay: one Chatwoot message posted 50 times: {len(store.history('chatwoot:14').cases)} case(s)")


def dashboard() -> None:
    from tactful.store.tables import Customer, FollowUp

    app, store, token = _app()
    at = datetime(2026, 1, 1)
    rows = [
        {
            "case_id": None,
            "customer_id": 1,
            "promise_id": None,
            "due_at": at,
            "owner": "sam",
            "note": "Promised: I'll call you on Friday",
            "status": "open",
            "done_at": None,
        }
    ] * 21_000
    with store._engine.begin() as conn:
        conn.execute(sa.insert(Customer.__table__), [{"key": "c-1", "helpdesk_ids": {}, "created_at": at}])
        conn.execute(sa.insert(FollowUp.__table__), rows)
    with TestClient(app, headers={"Authorization": f"Bearer {token}"}) as c:
        start = time.perf_counter()
        page = c.get("/dashboard")
        took = time.perf_counter() - start
        listed = c.get("/v1/followups")
    print(
        f"dashboard: 21,000 open follow-ups: {len(page.content):,} bytes in {took:.2f} s; "
        f"/v1/followups: {len(listed.json()):,} items, {len(listed.content):,} bytes"
    )


def policy() -> None:
    levels = ["a: &a [x, x, x, x, x, x, x, x, x]"] + [
        f"{new}: &{new} [{', '.join([f'*{old}'] * 9)}]"
        for old, new in zip("abcdefgh", "bcdefghi", strict=True)
    ]
    head = ["id: refund-window", "title: Refunds", "request_types: [refund]"]
    cases = {
        "alias bomb": "\n".join([*head, *levels, "conditions: *i"]),
        "nested 5,000 deep": "\n".join([*head, "conditions: " + "[" * 5000 + "]" * 5000]),
    }
    for name, front in cases.items():
        folder = Path(tempfile.mkdtemp()) / "kb"
        folder.mkdir()
        (folder / "refunds.md").write_text(f"---\n{front}\n---\nRefunds within 30 days.\n", encoding="utf-8")
        for command in (["kb", "check", str(folder)], ["kb", "decide", str(folder), "--type", "refund"]):
            start = time.perf_counter()
            run = [TIME, "-f", "peak %M KiB", sys.executable, "-m", "tactful", *command]
            done = subprocess.run(run, capture_output=True, text=True)
            took = time.perf_counter() - start
            lines = (done.stdout + done.stderr).strip().splitlines()
            *said, peak = [line for line in lines if not line.startswith("Command exited")]
            print(
                f"policy: {name} ({len(front.encode()):,} bytes), tactful {command[0]} {command[1]}: "
                f"exit {done.returncode} in {took:.2f} s, {peak}, {len(said)} line(s): {said[-1][:90]}"
            )


# GNU time reports the peak memory of the command alone (a child forked from this process would
# count this process's memory too: Linux keeps the high-water mark across exec).
TIME = "/usr/bin/time"


MEASURES = {"login": login, "replay": replay, "dashboard": dashboard, "policy": policy}


def main() -> None:
    for name in sys.argv[1:] or list(MEASURES):
        MEASURES[name]()


if __name__ == "__main__":
    main()
