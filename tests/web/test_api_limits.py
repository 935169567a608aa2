"""Request size limit (413), text length limit (413), per-token rate limit (429 + Retry-After)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tactful.config import Config, Limits
from tactful.web.limits import TokenBucket
from tactful.web.security import CSP


def test_a_body_over_the_limit_is_refused_before_it_is_read(
    make_app: Callable[..., FastAPI], web_users: dict[str, Any]
) -> None:
    app = make_app(max_body_bytes=2_000)
    with TestClient(app, raise_server_exceptions=False, headers=web_users["agent"].headers) as c:
        assert c.post("/v1/analyze", json={"reply": "x" * 1_500}).status_code == 200
        r = c.post("/v1/analyze", json={"reply": "x" * 2_500})
        assert r.status_code == 413
        assert r.json()["error"]["code"] == "payload_too_large" and "2,000" in r.json()["error"]["message"]
        assert r.headers["content-security-policy"] == CSP

        def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it streams
            yield b'{"reply": "'
            for _ in range(10):
                yield b"y" * 500
            yield b'"}'

        streamed = c.post("/v1/analyze", content=chunks(), headers={"Content-Type": "application/json"})
        assert streamed.status_code == 413 and streamed.json()["error"]["code"] == "payload_too_large"
        bogus = c.post("/v1/analyze", content=b"{}", headers={"Content-Length": "lots"})
        assert bogus.status_code == 400


def test_the_default_limits_take_a_long_email_but_no_more(
    client_as: Callable[[str], TestClient], make_app: Callable[..., FastAPI], web_users: dict[str, Any]
) -> None:
    """Issue 14: a reply longer than any real email (20,000 characters by default) is 413 on every
    route that takes text, before any work; a body over the byte limit is 413 before it is read."""
    agent = client_as("agent")
    assert agent.post("/v1/analyze", json={"reply": "We can't do that. " * 1_100}).status_code == 200
    long_email = "We can't do that. " * 2_000  # 36,000 characters
    for path, body, field in (
        ("/v1/analyze", {"reply": long_email}, "reply"),
        ("/v1/analyze", {"reply": "No.", "customer_message": long_email}, "customer_message"),
        ("/v1/analyze", {"reply": "No.", "context": {"history": ["ok", long_email]}}, "context.history[1]"),
        ("/v1/understand", {"message": long_email}, "message"),
        ("/v1/compose", {"message": long_email}, "message"),
        ("/v1/rewrite", {"draft": long_email}, "draft"),
        ("/v1/rewrite", {"draft": "No.", "customer_message": long_email}, "customer_message"),
        ("/v1/cases", {"customer": "c-1", "reply": long_email}, "reply"),
    ):
        r = agent.post(path, json=body)
        assert r.status_code == 413, (path, r.text)
        error = r.json()["error"]
        assert error["code"] == "text_too_large" and error["field"] == field, (path, error)
        assert "36,000 characters" in error["message"] and "20,000" in error["message"]
    from tests.web.conftest import CHATWOOT_SECRET

    hook = {"event": "message_created", "message_type": "incoming", "content": long_email}
    r = agent.post("/v1/webhooks/chatwoot", params={"token": CHATWOOT_SECRET}, json=hook)
    assert r.status_code == 413 and r.json()["error"]["field"] == "the customer's message", r.text
    too_big = agent.post("/v1/analyze", json={"reply": "n" * (1_200 * 1024)})
    assert too_big.status_code == 413 and too_big.json()["error"]["code"] == "payload_too_large"
    with TestClient(make_app(max_text_chars=0), headers=web_users["agent"].headers) as unlimited:
        assert unlimited.post("/v1/analyze", json={"reply": long_email}).status_code == 200


def test_the_text_limit_is_configurable(
    make_app: Callable[..., FastAPI], web_users: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from tactful.web.app import WebSettings

    monkeypatch.setenv("TACTFUL_MAX_TEXT", "500")
    assert WebSettings.from_env().max_text_chars == 500
    with TestClient(make_app(max_text_chars=500), headers=web_users["agent"].headers) as c:
        assert c.post("/v1/rewrite", json={"draft": "No. " * 100}).status_code == 200
        r = c.post("/v1/rewrite", json={"draft": "No. " * 200})
        assert r.status_code == 413 and "at most 500" in r.json()["error"]["message"]


def test_a_reply_over_max_chars_is_413_text_too_large(
    make_app: Callable[..., FastAPI], web_users: dict[str, Any]
) -> None:
    app = make_app(Config(limits=Limits(max_chars=100)))
    with TestClient(app, raise_server_exceptions=False, headers=web_users["agent"].headers) as c:
        r = c.post("/v1/analyze", json={"reply": "no " * 50})
        assert r.status_code == 413
        assert (
            r.json()["error"]["code"] == "text_too_large"
            and "limits.max_chars" in r.json()["error"]["message"]
        )


def test_rate_limit_per_token_with_retry_after(
    make_app: Callable[..., FastAPI], web_users: dict[str, Any]
) -> None:
    app = make_app(rate_limit=0.5, rate_burst=3)
    with TestClient(app, raise_server_exceptions=False) as c:
        agent, manager = web_users["agent"].headers, web_users["manager"].headers
        codes = [c.post("/v1/analyze", json={"reply": "No."}, headers=agent).status_code for _ in range(4)]
        assert codes == [200, 200, 200, 429]
        r = c.post("/v1/analyze", json={"reply": "No."}, headers=agent)
        assert r.status_code == 429
        assert r.json()["error"]["code"] == "rate_limited"
        assert 1 <= int(r.headers["retry-after"]) <= 2
        assert r.headers["content-security-policy"] == CSP
        # Another token has its own bucket; the health check is never limited.
        assert c.post("/v1/analyze", json={"reply": "No."}, headers=manager).status_code == 200
        assert all(c.get("/healthz").status_code == 200 for _ in range(10))


def test_token_bucket_refills_at_its_rate() -> None:
    now = [100.0]
    bucket = TokenBucket(rate=2.0, burst=2, clock=lambda: now[0])
    assert bucket.take("a") == 0.0 and bucket.take("a") == 0.0
    assert bucket.take("a") == pytest.approx(0.5)
    assert bucket.take("b") == 0.0  # keys are independent
    now[0] += 0.5
    assert bucket.take("a") == 0.0
    assert bucket.take("a") > 0.0
    now[0] += 10.0
    assert bucket.take("a") == 0.0 and bucket.take("a") == 0.0 and bucket.take("a") > 0.0
    with pytest.raises(ValueError):
        TokenBucket(rate=0, burst=1)


def test_token_bucket_forgets_idle_keys() -> None:
    now = [0.0]
    bucket = TokenBucket(rate=1.0, burst=1, clock=lambda: now[0])
    bucket.MAX_KEYS = 3
    for key in "abcd":
        bucket.take(key)
    now[0] += 5.0
    bucket.take("e")
    assert len(bucket._buckets) <= 3


def test_signed_in_users_on_one_address_have_their_own_buckets(
    make_app: Callable[..., FastAPI], web_users: dict[str, Any]
) -> None:
    """The page's session names the user, so two agents behind one office address don't share a limit."""
    import re

    app = make_app(rate_limit=0.5, rate_burst=4)

    def signed_in(c: TestClient, token: str) -> None:
        page = c.get("/login")
        csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
        assert csrf
        c.post("/login", data={"token": token, "csrf": csrf.group(1), "next": "/"}, follow_redirects=False)

    with TestClient(app) as ann, TestClient(app) as bo:
        signed_in(ann, web_users["agent"].token)  # the login itself spends from the address' bucket
        signed_in(bo, web_users["manager"].token)
        codes = [ann.post("/v1/analyze", json={"reply": "No."}).status_code for _ in range(5)]
        assert codes == [200, 200, 200, 200, 429]
        assert bo.post("/v1/analyze", json={"reply": "No."}).status_code == 200


def test_an_oversized_reply_is_413_on_every_route_that_takes_one(tmp_path: Any, web_settings: Any) -> None:
    """/v1/analyze for a known customer, /v1/cases and the webhooks answer 413, not a 503 that a
    helpdesk would retry."""
    import json

    from tactful.store import open_store
    from tactful.web.app import create_app

    config = Config(limits=Limits(max_chars=100))
    with open_store(f"sqlite:///{tmp_path / 's.db'}", config=config) as store:
        _, token = store.add_user("ann", "agent")
        app = create_app(store, config, secret_key="k" * 32, settings=web_settings)
        big = "no " * 50
        with TestClient(
            app, raise_server_exceptions=False, headers={"Authorization": f"Bearer {token}"}
        ) as c:
            store.log_reply("c1", "Thanks for asking.")
            for path, body in (
                ("/v1/analyze", {"reply": big, "customer": "c1"}),
                ("/v1/cases", {"customer": "c1", "reply": big}),
            ):
                r = c.post(path, json=body)
                assert r.status_code == 413 and r.json()["error"]["code"] == "text_too_large", (path, r.text)
            payload = {
                "event": "message_created",
                "message_type": "outgoing",
                "content": big,
                "sender": {"id": 1, "name": "John", "type": "user"},
                "conversation": {"id": 10, "meta": {"sender": {"id": 14}}},
            }
            from tests.web.conftest import CHATWOOT_SECRET

            r = c.post(
                "/v1/webhooks/chatwoot",
                params={"token": CHATWOOT_SECRET},
                content=json.dumps(payload).encode(),
                headers={"Content-Type": "application/json"},
            )
            assert r.status_code == 413 and r.json()["error"]["code"] == "text_too_large", r.text
