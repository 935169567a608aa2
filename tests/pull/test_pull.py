"""``tactful pull`` against a real local HTTP server replaying the vendors' API shapes
(tests/helpdesk_server.py): both pagination styles, incremental reruns, 429 with Retry-After, a 500
mid-way, a pull killed with SIGKILL and resumed without duplicates, credentials from the environment
or a file and never echoed; the output read by ``tactful qa``."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from tests.helpdesk_server import TOKEN, Fault, HelpdeskServer, environment

from tactful.cli import main
from tactful.pull import PullError, PullOptions, pull
from tactful.pull.client import Client
from tactful.pull.credentials import Credentials, load

FAST = {"backoff_s": 0.05}
COMMENTS = {"zendesk": "/comments.json", "freshdesk": "/conversations", "chatwoot": "/messages"}


def run(vendor: str, server: HelpdeskServer, out: Path, **options: Any) -> Any:
    account = "1" if vendor == "chatwoot" else None
    opts = PullOptions(url=server.url, out=out, account=account, **options)
    return pull(vendor, opts, environ=environment(vendor), client_options=FAST)


def lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def fetched(server: HelpdeskServer, vendor: str) -> list[int]:
    """The conversations whose messages were fetched, in order."""
    return [int(t.split("?")[0].split("/")[-2]) for t in server.requests(COMMENTS[vendor])]


def cli(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tactful", *args],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize("vendor", ["zendesk", "freshdesk", "chatwoot"])
def test_pull_reads_roles_names_and_channels_and_qa_reads_the_output(vendor: str, tmp_path: Path) -> None:
    out = tmp_path / "pulled.jsonl"
    with HelpdeskServer(vendor) as server:
        summary = run(vendor, server, out)
    records = lines(out)
    assert sorted(r["id"] for r in records) == ["1", "2", "3", "4", "5"] and summary.total == 5
    assert summary.problems == [] and summary.pages >= 3  # 5 conversations, 2 a page
    first = next(r for r in records if r["id"] == "1")
    assert [(m["role"], m["author"]) for m in first["messages"]] == [
        ("customer", "Customer 1"),
        ("bot", {"zendesk": "-1", "freshdesk": "7900", "chatwoot": "Helper Bot"}[vendor]),
        ("agent", "Sam Helper"),
    ]
    assert first["notes"] == 1 and "Check the policy" not in out.read_text()  # notes stay in the helpdesk
    assert first["channel"] == {"zendesk": "email", "freshdesk": "chat", "chatwoot": "chat"}[vendor]
    report = tmp_path / "qa"
    result = CliRunner().invoke(
        main, ["qa", str(out), "--from", "jsonl", "--out", str(report), "--workers", "1"]
    )
    assert result.exit_code == 0, result.output
    summary_json = json.loads((report / "summary.json").read_text())
    assert (summary_json["conversations"], summary_json["bot_turns"], summary_json["notes_skipped"]) == (
        5,
        5,
        5,
    )
    assert summary_json["refusals"] >= 2


def test_zendesk_cursor_and_offset_pagination_give_the_same_output(tmp_path: Path) -> None:
    with HelpdeskServer("zendesk") as server:
        run("zendesk", server, tmp_path / "cursor.jsonl", pagination="cursor")
        assert server.requests("incremental/tickets/cursor.json") and server.requests("page%5Bsize%5D")
        server.log.clear()
        run("zendesk", server, tmp_path / "offset.jsonl", pagination="offset")
        assert server.requests("incremental/tickets.json?start_time") and server.requests("per_page=")
        assert not server.requests("cursor.json")
    assert (tmp_path / "cursor.jsonl").read_bytes() == (tmp_path / "offset.jsonl").read_bytes()


@pytest.mark.parametrize("vendor", ["zendesk", "freshdesk", "chatwoot"])
def test_a_second_pull_fetches_only_what_changed(vendor: str, tmp_path: Path) -> None:
    out = tmp_path / "pulled.jsonl"
    with HelpdeskServer(vendor) as server:
        run(vendor, server, out)
        assert sorted(set(fetched(server, vendor))) == [1, 2, 3, 4, 5]
        server.world.add(3, "customer", "And what about a partial refund?")
        server.world.add_conversation(6)
        server.world.convs[6].updated = server.world.convs[3].updated + 50
        server.log.clear()
        summary = run(vendor, server, out)
        assert sorted(set(fetched(server, vendor))) == [3, 6]
        assert summary.changed == 2
        server.log.clear()
        assert run(vendor, server, out).changed == 0 and fetched(server, vendor) == []
    records = lines(out)
    assert sorted(r["id"] for r in records) == ["1", "2", "3", "4", "5", "6"]  # 3 replaced, not repeated
    three = next(r for r in records if r["id"] == "3")
    assert three["messages"][-1]["text"] == "And what about a partial refund?"


@pytest.mark.slow
def test_429_with_retry_after_and_a_500_midway_are_waited_out(tmp_path: Path) -> None:
    with HelpdeskServer("zendesk") as clean:
        run("zendesk", clean, tmp_path / "clean.jsonl")
    with HelpdeskServer("zendesk") as server:
        server.faults = [Fault("429", "cursor.json?cursor="), Fault("500", "/tickets/4/comments.json")]
        run("zendesk", server, tmp_path / "out.jsonl")
        statuses = [(target, status, at) for at, target, status in server.log]
    limited = next(i for i, (t, s, _) in enumerate(statuses) if s == 429)
    retry = statuses[limited + 1]
    assert retry[0] == statuses[limited][0] and retry[1] == 200
    assert retry[2] - statuses[limited][2] >= 0.95  # Retry-After: 1 was honoured
    failed = next(i for i, (t, s, _) in enumerate(statuses) if s == 500)
    assert statuses[failed + 1][:2] == (statuses[failed][0], 200)
    assert (tmp_path / "out.jsonl").read_bytes() == (tmp_path / "clean.jsonl").read_bytes()


@pytest.mark.slow
def test_a_pull_that_fails_midway_keeps_its_pages_and_the_rerun_goes_on(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    with HelpdeskServer("freshdesk") as server:
        server.faults = [Fault("500", "per_page=100&page=2&include=requester", times=99)]  # tickets, page 2
        with pytest.raises(PullError, match=r"GET /api/v2/tickets: HTTP 500 after 6 tries"):
            run("freshdesk", server, out)
        assert not out.exists() and sorted(set(fetched(server, "freshdesk"))) == [1, 2]
        server.faults.clear()
        server.log.clear()
        summary = run("freshdesk", server, out)
        assert sorted(set(fetched(server, "freshdesk"))) == [3, 4, 5]  # page 1 was committed: not again
    assert summary.total == 5 and sorted(r["id"] for r in lines(out)) == ["1", "2", "3", "4", "5"]


@pytest.mark.slow
def test_kill_9_midway_then_the_same_command_finishes_without_duplicates(tmp_path: Path) -> None:
    with HelpdeskServer("zendesk") as clean:
        run("zendesk", clean, tmp_path / "clean.jsonl")
    out = tmp_path / "out.jsonl"
    args = ["pull", "zendesk", "--out", str(out)]
    with HelpdeskServer("zendesk") as server:
        args += ["--url", server.url]
        server.faults = [Fault("hang", "/tickets/4/comments.json")]  # page 2 of the export, midway
        process = subprocess.Popen(
            [sys.executable, "-m", "tactful", *args],
            env={**os.environ, **environment("zendesk")},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            assert server.hung.wait(60), "the pull never reached the hanging request"
            os.kill(process.pid, signal.SIGKILL)
            assert process.wait(30) == -signal.SIGKILL
        finally:
            if process.poll() is None:
                process.kill()
        server.release.set()
        assert not out.exists()  # nothing half-written: the output comes whole at the end
        done = cli(args, environment("zendesk"))
        assert done.returncode == 0, done.stderr
        # Page 1 of the export (tickets 1 and 2) was committed before the kill: not fetched again.
        assert len(server.requests("/tickets/1/comments.json?include=users")) == 1
    records = lines(out)
    assert len(records) == len({r["id"] for r in records}) == 5
    assert out.read_bytes() == (tmp_path / "clean.jsonl").read_bytes()


def test_credentials_from_a_file_or_the_environment_and_never_echoed(tmp_path: Path) -> None:
    secrets = tmp_path / "helpdesk.env"
    secrets.write_text(f'# Freshdesk\nTACTFUL_FRESHDESK_API_KEY="{TOKEN}"\n', encoding="utf-8")
    out = tmp_path / "out.jsonl"
    with HelpdeskServer("freshdesk") as server:
        clean_env = {k: v for k, v in os.environ.items() if not k.startswith("TACTFUL_FRESHDESK")}
        ok = subprocess.run(
            [
                sys.executable,
                "-m",
                "tactful",
                "pull",
                "freshdesk",
                "--url",
                server.url,
                "--out",
                str(out),
                "--credentials",
                str(secrets),
            ],
            env=clean_env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert ok.returncode == 0, ok.stderr
        wrong = cli(
            ["pull", "freshdesk", "--url", server.url, "--out", str(tmp_path / "w.jsonl")],
            {"TACTFUL_FRESHDESK_API_KEY": TOKEN[::-1]},
        )
    assert wrong.returncode == 2
    assert wrong.stderr.count("\n") == 1 and "HTTP 401" in wrong.stderr
    assert "TACTFUL_FRESHDESK_API_KEY" in wrong.stderr and TOKEN[::-1] not in wrong.stderr
    for text in (ok.stdout, ok.stderr, wrong.stdout):
        assert TOKEN not in text
    for path in tmp_path.iterdir():
        if path != secrets and path.is_file():
            assert TOKEN.encode() not in path.read_bytes(), path
    missing = cli(
        ["pull", "chatwoot", "--url", "https://chat.example.com", "--out", str(out), "--account", "1"], {}
    )
    assert missing.returncode == 2 and "TACTFUL_CHATWOOT_API_TOKEN" in missing.stderr
    assert repr(load("freshdesk", str(secrets), {})) == "Credentials(from TACTFUL_FRESHDESK_API_KEY)"


def test_credentials_go_only_to_the_helpdesk() -> None:
    creds = Credentials({"Authorization": "Basic eA=="}, ("TACTFUL_FRESHDESK_API_KEY",))
    with pytest.raises(PullError, match="use https"):
        Client("http://acme.freshdesk.com", creds)
    with pytest.raises(PullError, match="holds credentials") as refused:
        Client("https://key:s3cr3t@acme.freshdesk.com", creds)
    assert "s3cr3t" not in str(refused.value)
    client = Client("https://acme.freshdesk.com", creds)
    with pytest.raises(PullError, match="another host"):
        client.get("https://evil.example.net/api/v2/tickets?page=2")
    assert client.requests == 0
    client.close()


def test_retry_after_as_seconds_or_date() -> None:
    client = Client("https://acme.zendesk.com", Credentials({}, ("X",)), backoff_s=2, max_wait_s=60)
    assert client._retry_after("7", 1) == 7
    assert client._retry_after("Wed, 21 Oct 2015 07:28:00 GMT", 1) == 2  # in the past: the backoff
    assert client._retry_after("3600", 1) == 60 and client._retry_after("soon", 3) == 8
    client.close()


def test_a_folder_of_pages_fetched_by_hand_reads_like_the_pull(tmp_path: Path) -> None:
    # The pages a script would save with curl, one file each, read with `tactful qa DIR --from zendesk`
    # give what the pull gives: the comments pages name their ticket in their links.
    import httpx
    from tests.helpdesk_server import EMAIL

    pages = tmp_path / "pages"
    pages.mkdir()
    with HelpdeskServer("zendesk") as server:
        run("zendesk", server, tmp_path / "pulled.jsonl")
        auth = (f"{EMAIL}/token", TOKEN)
        url: str | None = f"{server.url}/api/v2/incremental/tickets.json?start_time=0"
        saved = 0
        while url:
            page = httpx.get(url, auth=auth).json()
            saved += 1
            (pages / f"tickets-{saved}.json").write_text(json.dumps(page), encoding="utf-8")
            for ticket in page["tickets"]:
                comments: str | None = (
                    f"{server.url}/api/v2/tickets/{ticket['id']}/comments.json?page[size]=2"
                )
                while comments:
                    body = httpx.get(comments, auth=auth).json()
                    saved += 1
                    (pages / f"comments-{saved}.json").write_text(
                        json.dumps(body, indent=1), encoding="utf-8"
                    )
                    comments = body["links"]["next"] if body["meta"]["has_more"] else None
            url = None if page["end_of_stream"] else page["next_page"]
    results = []
    for args in ([str(pages), "--from", "zendesk"], [str(tmp_path / "pulled.jsonl"), "--from", "jsonl"]):
        report = tmp_path / f"qa-{len(results)}"
        assert CliRunner().invoke(main, ["qa", *args, "--out", str(report), "--workers", "1"]).exit_code == 0
        summary = json.loads((report / "summary.json").read_text())
        results.append([summary[k] for k in ("conversations", "agent_turns", "customer_turns", "bot_turns")])
    assert results[0] == results[1] == [5, 5, 5, 5]
