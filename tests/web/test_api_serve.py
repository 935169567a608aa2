"""``tactful serve`` as a user runs it: a real uvicorn process on a free port and a temp SQLite file."""

from __future__ import annotations

import asyncio
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _serve(db: Path, port: int, *extra: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tactful",
            "serve",
            "--port",
            str(port),
            "--db",
            str(db),
            "--no-access-log",
            *extra,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )


def _wait_healthy(proc: subprocess.Popen[str], port: int, timeout_s: float = 60.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            out = proc.stdout.read() if proc.stdout else ""
            raise AssertionError(f"tactful serve exited with {proc.returncode}:\n{out}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1.0).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise AssertionError("tactful serve did not answer /healthz in time")


def _stop(proc: subprocess.Popen[str]) -> str:
    proc.terminate()
    try:
        out, _ = proc.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, _ = proc.communicate()
    return out


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[str], int, Path]]:
    db, port = tmp_path / "served.db", _free_port()
    proc = _serve(db, port)
    try:
        _wait_healthy(proc, port)
        yield proc, port, db
    finally:
        if proc.poll() is None:
            _stop(proc)


def test_first_run_loads_demo_data_and_prints_an_admin_token(
    served: tuple[subprocess.Popen[str], int, Path],
) -> None:
    proc, port, db = served
    out = _stop(proc)
    assert "first run: loaded the demo data" in out
    token = re.search(r"shown only now:\n\s+(\S+)", out)
    assert token, out
    assert "Traceback" not in out
    # Second run: same database, no new admin, and the printed token signs in.
    port2 = _free_port()
    again = _serve(db, port2)
    try:
        _wait_healthy(again, port2)
        base = f"http://127.0.0.1:{port2}"
        headers = {"Authorization": f"Bearer {token.group(1)}"}
        me = httpx.get(f"{base}/v1/me", headers=headers, timeout=10)
        assert me.json()["role"] == "admin"
        analysis = httpx.post(f"{base}/v1/analyze", json={"reply": "We can't refund this."}, headers=headers)
        assert analysis.status_code == 200 and analysis.json()["is_refusal"] is True
        report = httpx.get(f"{base}/v1/reports/scores_by_agent", headers=headers, timeout=10).json()
        assert report["rows"], "the demo cases are in the store"
        assert httpx.get(f"{base}/v1/me", timeout=10).status_code == 401
    finally:
        second = _stop(again)
    assert "first run" not in second


def test_serve_reports_a_taken_port_and_a_broken_kb_in_one_line(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "tactful", "serve", "--port", str(port), "--db", str(tmp_path / "a.db")],
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode == 2
    assert result.stderr.startswith(f"error: cannot listen on 127.0.0.1:{port}")
    kb = tmp_path / "kb"
    kb.mkdir()
    (kb / "broken.md").write_text("---\nid: [unclosed\n---\nbody\n", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "tactful", "serve", "--kb", str(kb), "--db", str(tmp_path / "b.db")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2 and result.stderr.startswith("error: ") and "broken.md" in result.stderr
    assert "Traceback" not in result.stderr


def test_served_connections_switch_nagle_off(web_app: object) -> None:
    """``--workers`` sockets come with proto 0, so asyncio leaves Nagle on; our protocol turns it off."""
    from uvicorn.config import Config
    from uvicorn.server import ServerState

    from tactful.web.app import NoDelayH11Protocol

    class Transport:
        def __init__(self, sock: socket.socket) -> None:
            self.sock = sock

        def get_extra_info(self, name: str, default: object = None) -> object:
            return {
                "socket": self.sock,
                "peername": self.sock.getpeername(),
                "sockname": self.sock.getsockname(),
            }.get(name, default)

        def is_closing(self) -> bool:
            return False

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as listener:  # proto 0, as uvicorn binds it
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        with socket.create_connection(listener.getsockname()) as client:
            accepted, _ = listener.accept()
            with accepted:
                assert accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) == 0
                loop = asyncio.new_event_loop()
                try:
                    protocol = NoDelayH11Protocol(
                        config=Config(app=web_app), server_state=ServerState(), app_state={}, _loop=loop
                    )
                    protocol.connection_made(Transport(accepted))  # type: ignore[arg-type]
                finally:
                    loop.close()
                assert accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0
                # the switch is on the connection the client holds, and it still carries bytes
                assert accepted.getpeername() == client.getsockname()
                accepted.sendall(b"ok")
                client.settimeout(10)
                assert client.recv(2, socket.MSG_WAITALL) == b"ok"


def test_warm_up_freezes_the_start_up_objects(web_app: object) -> None:
    import gc

    from tactful.web.app import warm_up

    try:
        warm_up(web_app)  # type: ignore[arg-type]
        assert gc.get_freeze_count() > 10_000
    finally:
        gc.unfreeze()
