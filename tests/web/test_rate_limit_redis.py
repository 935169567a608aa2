"""Rate-limit buckets in a real Redis (the machine's local server): two apps, as two workers or
hosts would be, share one limit per token; an unreachable Redis lets requests through."""

from __future__ import annotations

import os
import socket
from collections.abc import Callable
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
