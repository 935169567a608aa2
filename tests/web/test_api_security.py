"""Regression tests for the security review of the server: CSRF on cookie-authenticated API writes,
agents kept to their own case listing, hostile input that used to crash (500) the routes, webhook
payloads of the wrong shape, and secrets kept out of the access log."""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tactful.store import StoreError
from tactful.store.report_queries import REPORTS
from tactful.web.api.webhooks import zendesk_signature
from tactful.web.limits import TokenBucket
from tactful.web.logs import SecretQueryFilter, install_log_redaction, mask_secrets

Clients = Callable[[str], TestClient]
REPLY = (
    "Thank you for asking about order #4521. We can't refund orders after 30 days, because our policy "
    "covers the first month. What I can do is store credit. I'll call you on Friday to set it up."
)
ZENDESK_SECRET = "zendesk-signing-secret"  # as in conftest.web_settings
HUGE_ID = 2**70


def _signed_in(client: TestClient, token: str) -> TestClient:
    """Sign in through the login page, as a browser does: the client then carries the session cookie."""
    page = client.get("/login")
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert csrf
    r = client.post("/login", data={"token": token, "csrf": csrf.group(1)}, follow_redirects=False)
    assert r.status_code == 303
    return client


# ── CSRF: a cross-site form post rides on the session cookie ─────────────────────────────


def test_cookie_authenticated_api_writes_must_be_json(
    client: TestClient, web_users: dict[str, Any], web_store: Any
) -> None:
    web_store.log_reply("c-1", REPLY, agent="manager-user", topic="dark mode")
    browser = _signed_in(client, web_users["manager"].token)
    # What a cross-site <form method=post enctype=text/plain|urlencoded> can send: no body or a form.
    shipped = browser.post("/v1/requests/dark%20mode/ship")
    assert shipped.status_code == 403 and shipped.json()["error"]["code"] == "csrf_failed"
    forged = browser.post(
        "/v1/cases",
        content=json.dumps({"customer": "c-2", "reply": REPLY}),
        headers={"Content-Type": "text/plain"},
    )
    assert forged.status_code == 403
    assert [c.customer for c in web_store.cases(limit=10)] == ["c-1"]  # nothing was written
    # The page's own script sends JSON (a cross-origin page cannot without a CORS preflight).
    ok = browser.post("/v1/cases", json={"customer": "c-2", "reply": REPLY})
    assert ok.status_code == 201
    assert browser.post("/v1/analyze", json={"reply": REPLY}).status_code == 200
    assert browser.get("/v1/me").status_code == 200  # reads need no JSON body


def test_bearer_token_writes_need_no_json_content_type(client_as: Clients, web_store: Any) -> None:
    web_store.log_reply("c-1", REPLY, agent="manager-user", topic="dark mode")
    r = client_as("manager").post("/v1/requests/dark%20mode/ship")
    assert r.status_code == 200 and r.json()[0]["customer"] == "c-1"


def test_session_cookie_is_samesite_lax_and_httponly(client: TestClient, web_users: dict[str, Any]) -> None:
    page = client.get("/login")
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert csrf
    r = client.post(
        "/login", data={"token": web_users["agent"].token, "csrf": csrf.group(1)}, follow_redirects=False
    )
    cookie = r.headers["set-cookie"].lower()
    assert "samesite=lax" in cookie and "httponly" in cookie
    assert "secure" not in cookie  # plain HTTP (a local run): a Secure cookie would never come back
    assert "strict-transport-security" not in r.headers


def test_a_cookie_named_or_valued_secure_still_gets_the_flag() -> None:
    from tactful.web.security import _secure

    assert _secure(b"set-cookie", b"insecure=1; path=/") == (b"set-cookie", b"insecure=1; path=/; secure")
    assert _secure(b"set-cookie", b"a=secure; path=/") == (b"set-cookie", b"a=secure; path=/; secure")
    assert _secure(b"set-cookie", b"a=1; Secure") == (b"set-cookie", b"a=1; Secure")
    assert _secure(b"content-type", b"secure") == (b"content-type", b"secure")


def test_over_https_the_session_cookie_is_secure_and_hsts_is_sent(
    web_app: Any, web_users: dict[str, Any]
) -> None:
    with TestClient(web_app, base_url="https://tactful.example") as c:
        page = c.get("/login")
        assert page.headers["strict-transport-security"] == "max-age=31536000"
        csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
        assert csrf
        r = c.post(
            "/login", data={"token": web_users["agent"].token, "csrf": csrf.group(1)}, follow_redirects=False
        )
        cookie = r.headers["set-cookie"].lower()
        assert cookie.count("secure") == 1 and "httponly" in cookie and "samesite=lax" in cookie
        assert c.get("/", headers={"accept": "text/html"}).status_code == 200  # the session still works


# ── authorization: an agent reading other agents' cases ──────────────────────────────────


def test_agents_list_only_their_own_cases(client_as: Clients, web_store: Any) -> None:
    web_store.log_reply("c-1", REPLY, agent="agent-user")
    web_store.log_reply("c-2", REPLY, agent="someone-else")
    agent = client_as("agent")
    mine = agent.get("/v1/cases").json()
    assert [c["agent"] for c in mine] == ["agent-user"]
    weakest = agent.get("/v1/cases", params={"characteristic": "empathy"}).json()
    assert {c["agent"] for c in weakest} <= {"agent-user"}
    other = agent.get("/v1/cases", params={"agent": "someone-else"})
    assert other.status_code == 403 and other.json()["error"]["code"] == "forbidden"
    # Managers drill down into anyone's cases; an agent's search finds their own (issue 14: the
    # API agrees with the /cases pages).
    everyone = client_as("manager").get("/v1/cases").json()
    assert {c["agent"] for c in everyone} == {"agent-user", "someone-else"}
    assert [c["customer"] for c in agent.get("/v1/cases", params={"q": "refund"}).json()] == ["c-1"]
    assert len(client_as("manager").get("/v1/cases", params={"q": "refund"}).json()) == 2


def test_every_store_report_is_served_to_managers_and_none_to_agents(client_as: Clients) -> None:
    manager, agent = client_as("manager"), client_as("agent")
    assert manager.get("/v1/reports").json() == list(REPORTS)  # sla_breaches was missing
    for name in REPORTS:
        assert manager.get(f"/v1/reports/{name}").status_code == 200, name
        assert agent.get(f"/v1/reports/{name}").status_code == 403, name


# ── rate limit: made-up tokens must not each get a fresh bucket ──────────────────────────


def test_a_client_guessing_tokens_is_rate_limited(
    make_app: Callable[..., Any], web_users: dict[str, Any], web_store: Any
) -> None:
    app = make_app(rate_limit=1000, rate_burst=1000)  # the per-token limit never trips here
    assert isinstance(app.state.auth_failures, TokenBucket)
    app.state.auth_failures = TokenBucket(1.0, 10, clock=lambda: 0.0)  # frozen: no refill mid-test
    with TestClient(app, raise_server_exceptions=False) as c:
        good = {"Authorization": f"Bearer {web_users['agent'].token}"}
        assert c.get("/v1/me", headers=good).status_code == 200  # checked once, then cached
        codes = [
            c.get("/v1/me", headers={"Authorization": f"Bearer guess-{i}"}).status_code for i in range(12)
        ]
        assert codes[:10] == [401] * 10
        assert codes[10:] == [429, 429]
        r = c.get("/v1/me", headers={"Authorization": "Bearer guess-x"})
        assert r.json()["error"]["code"] == "rate_limited" and int(r.headers["Retry-After"]) >= 1
        assert c.get("/v1/me", headers=good).status_code == 200  # a known token is not locked out


# ── bad input is a 4xx with a JSON code, never a 500 ─────────────────────────────────────


def test_ids_too_large_for_the_database_are_404(
    client_as: Clients, client: TestClient, web_users: dict[str, Any]
) -> None:
    c = client_as("agent")
    for r in (
        c.post("/v1/feedback", json={"case_id": HUGE_ID, "csat": 3}),
        c.post(f"/v1/followups/{HUGE_ID}/complete", json={}),
    ):
        assert r.status_code == 404, r.text
        assert r.json()["error"]["code"] == "not_found"
    page = _signed_in(client, web_users["manager"].token).get(f"/cases/{HUGE_ID}")
    assert page.status_code == 404


def test_a_time_outside_the_calendar_in_utc_is_422(client_as: Clients) -> None:
    body = {"customer": "c-1", "reply": REPLY, "sent_at": "0001-01-01T00:00:00+14:00"}
    r = client_as("agent").post("/v1/cases", json=body)
    assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_input"
    assert "9999" in r.json()["error"]["message"]


def test_a_store_failure_outside_the_api_routes_is_a_json_503(
    client: TestClient, web_users: dict[str, Any], web_store: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    browser = _signed_in(client, web_users["manager"].token)
    locked = "web.db: the database is locked by another process; try again when it is done"

    def fail(*_: object, **__: object) -> None:
        raise StoreError(locked)

    monkeypatch.setattr(web_store, "report", fail)  # the dashboard page reads the store itself
    page = browser.get("/dashboard")
    assert page.status_code == 503 and page.json()["error"] == {
        "code": "store_unavailable",
        "message": locked,
    }
    monkeypatch.setattr(web_store, "user_for_token", fail)  # the token check (not yet cached)
    me = client.get("/v1/me", headers={"Authorization": "Bearer not-yet-cached"})
    assert me.status_code == 503 and me.json()["error"]["code"] == "store_unavailable"


@pytest.mark.parametrize("history", [5, "one earlier reply", [1, 2], {"a": "b"}])
def test_analyze_context_history_must_be_a_list_of_texts(client_as: Clients, history: object) -> None:
    r = client_as("agent").post("/v1/analyze", json={"reply": REPLY, "context": {"history": history}})
    assert r.status_code == 422 and r.json()["error"]["code"] == "validation_error"
    assert "history" in r.json()["error"]["message"]


@pytest.mark.parametrize("q", ['"', "NEAR(", "a OR", "*", "cases_fts", "x' OR 1=1 --", "\u0000"])
def test_search_syntax_in_the_query_is_text(client_as: Clients, web_store: Any, q: str) -> None:
    web_store.log_reply("c-1", REPLY, agent="agent-user")
    r = client_as("agent").get("/v1/cases", params={"q": q})
    assert r.status_code == 200 and isinstance(r.json(), list)


# ── webhooks: a signed payload of the wrong shape ────────────────────────────────────────


def _zendesk(client: TestClient, payload: object, stamp: str | None = None) -> Any:
    body = json.dumps(payload).encode()
    stamp = stamp or str(int(time.time()))
    headers = {
        "Content-Type": "application/json",
        "X-Zendesk-Webhook-Signature": zendesk_signature(ZENDESK_SECRET, stamp, body),
        "X-Zendesk-Webhook-Signature-Timestamp": stamp,
    }
    return client.post("/v1/webhooks/zendesk", content=body, headers=headers)


@pytest.mark.parametrize("comment", ["a comment as text", ["a", "list"], 5])
def test_zendesk_event_with_a_comment_that_is_not_an_object_is_422(
    client: TestClient, comment: object
) -> None:
    payload = {
        "type": "zen:event-type:ticket.comment_added",
        "detail": {"id": "7"},
        "event": {"comment": comment},
    }
    r = _zendesk(client, payload)
    assert r.status_code == 422 and r.json()["error"]["code"] == "validation_error"
    assert "event.comment" in r.json()["error"]["message"]


def test_zendesk_detail_via_that_is_not_an_object_is_ignored(client: TestClient) -> None:
    payload = {
        "type": "zen:event-type:ticket.comment_added",
        "detail": {"id": "7", "via": "web"},
        "event": {"comment": {"body": REPLY, "is_public": True, "author": {"is_staff": True}}},
    }
    r = _zendesk(client, payload)
    assert r.status_code == 200 and r.json()["action"] == "analyzed"


@pytest.mark.parametrize("raw", [b"\xb2", b"1\xb9\xb3"])
def test_a_non_ascii_digit_timestamp_is_401_not_500(client: TestClient, raw: bytes) -> None:
    """Headers arrive as latin-1: b"\\xb2" is "²", a digit to str.isdigit but not to float()."""
    payload = {"ticket_id": 1, "comment": REPLY, "public": True, "author_role": "agent"}
    body = json.dumps(payload).encode()
    signature = zendesk_signature(ZENDESK_SECRET, raw.decode("latin-1"), body)  # a valid signature
    headers = {
        "Content-Type": "application/json",
        "X-Zendesk-Webhook-Signature": signature.encode(),
        "X-Zendesk-Webhook-Signature-Timestamp": raw,
    }
    r = client.post("/v1/webhooks/zendesk", content=body, headers=headers)
    assert r.status_code == 401 and r.json()["error"]["code"] == "bad_signature"


# ── secrets in logs ──────────────────────────────────────────────────────────────────────


def test_the_chatwoot_token_in_the_url_is_masked_in_the_access_log(
    web_app: Any, caplog: pytest.LogCaptureFixture
) -> None:
    # create_app (web_app) put the filter on uvicorn's access logger, where uvicorn writes the
    # request line with its query string; uvicorn's own logging config keeps logger filters.
    assert any(isinstance(f, SecretQueryFilter) for f in logging.getLogger("uvicorn.access").filters)
    install_log_redaction("tactful.test.access")  # the same filter on a logger caplog can see
    with caplog.at_level(logging.INFO, logger="tactful.test.access"):
        logging.getLogger("tactful.test.access").info(
            '%s - "%s %s HTTP/%s" %d',
            "127.0.0.1:5000",
            "POST",
            "/v1/webhooks/chatwoot?token=chatwoot-shared-secret&x=1",
            "1.1",
            200,
        )
    assert "chatwoot-shared-secret" not in caplog.text and "token=***&x=1" in caplog.text
    assert mask_secrets("/a?x=1&TOKEN=abc#f") == "/a?x=1&TOKEN=***#f"
