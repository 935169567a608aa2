"""Rate-limit buckets in a real Redis (the machine's local server): two apps, as two workers or
hosts would be, share one limit per token; an unreachable Redis lets requests through."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

REDIS_URL = os.environ.get("TACTFUL_TEST_REDIS", "redis://127.0.0.1:6379/15")


@pytest.fixture
def redis_url() -> str:
    problem = None
    try:
        import redis  # noqa: F401
    except ImportError:
        problem = "the redis package is not installed (pip install -e '.[redis]')"
    else:
        try:
            socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
        except OSError as exc:
            problem = f"no Redis at 127.0.0.1:6379 ({exc})"
    if problem:
        if os.environ.get("TACTFUL_CI") == "1":
            pytest.fail(f"TACTFUL_CI=1 but {problem}")
        pytest.skip(problem)
    return REDIS_URL


def test_two_workers_share_one_limit_per_token(
    make_app: Callable[..., FastAPI], web_users: dict[str, Any], redis_url: str
) -> None:
    first = make_app(rate_limit=0.5, rate_burst=3, rate_limit_redis=redis_url)
    second = make_app(rate_limit=0.5, rate_burst=3, rate_limit_redis=redis_url)
    agent, manager = web_users["agent"].headers, web_users["manager"].headers
    with TestClient(first) as a, TestClient(second) as b:
        codes = [c.post("/v1/analyze", json={"reply": "No."}, headers=agent).status_code for c in (a, b, a)]
        assert codes == [200, 200, 200]
        r = b.post("/v1/analyze", json={"reply": "No."}, headers=agent)  # the bucket both apps share
        assert r.status_code == 429 and r.json()["error"]["code"] == "rate_limited"
        assert 1 <= int(r.headers["retry-after"]) <= 2
        assert a.post("/v1/analyze", json={"reply": "No."}, headers=agent).status_code == 429
        assert b.post("/v1/analyze", json={"reply": "No."}, headers=manager).status_code == 200


def test_an_unreachable_redis_lets_requests_through(
    make_app: Callable[..., FastAPI], web_users: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    app = make_app(rate_limit=0.5, rate_burst=1, rate_limit_redis="redis://127.0.0.1:1/0")
    with TestClient(app) as c:
        codes = [
            c.post("/v1/analyze", json={"reply": "No."}, headers=web_users["agent"].headers).status_code
            for _ in range(3)
        ]
    assert codes == [200, 200, 200]
    assert "rate limit not applied: Redis is unavailable" in caplog.text


def test_serve_takes_the_redis_url_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    from tactful.web.app import WebSettings

    monkeypatch.setenv("TACTFUL_RATE_LIMIT_REDIS", "redis://cache:6379/2")
    assert WebSettings.from_env().rate_limit_redis == "redis://cache:6379/2"
    monkeypatch.delenv("TACTFUL_RATE_LIMIT_REDIS")
    assert WebSettings.from_env().rate_limit_redis is None


def test_a_hung_redis_costs_one_timeout_then_is_left_alone_for_a_while() -> None:
    """A server that accepts and never answers: the first request waits out the short timeout, the
    next ones go straight through while the limiter pauses."""
    import asyncio
    import time

    pytest.importorskip("redis")
    from tactful.web.limits import RedisTokenBucket

    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(16)

        async def takes() -> list[float]:
            bucket = RedisTokenBucket(f"redis://127.0.0.1:{silent.getsockname()[1]}/0", 1.0, 1)
            spent = []
            for _ in range(5):
                started = time.perf_counter()
                assert await bucket.take("k") == 0.0
                spent.append(time.perf_counter() - started)
            await bucket.close()
            return spent

        spent = asyncio.run(takes())
    assert spent[0] >= RedisTokenBucket.TIMEOUT_S * 0.8
    assert sum(spent[1:]) < 0.05


@pytest.mark.slow
def test_serve_refuses_a_bad_redis_url_before_starting(tmp_path: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "tactful",
            "serve",
            "--rate-limit-redis",
            "http://cache:6379",
            "--db",
            str(tmp_path / "a.db"),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.startswith("error: Redis URL must specify one of the following schemes")
    assert not (tmp_path / "a.db").exists()  # nothing was created or seeded
