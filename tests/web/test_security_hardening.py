"""Issue 14's attacks on the server, each as it was made: rate-limit bypasses, webhook replays, a
session that outlives its logout, wrong status codes, unbounded growth from one request, the last
admin locking the team out, and agents reading (and completing) each other's work."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tactful.web.api.webhooks import zendesk_signature
from tactful.web.limits import TokenBucket

Clients = Callable[[str], TestClient]
CHATWOOT_SECRET = "chatwoot-shared-secret"  # as in conftest.web_settings
ZENDESK_SECRET = "zendesk-signing-secret"
REPLY = "We can't refund this order. It's against our policy. I'll call you on Friday."
HTML = {"accept": "text/html"}


def _csrf(client: TestClient) -> str:
    page = client.get("/login")
    found = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert found
    return found.group(1)


def _signed_in(client: TestClient, token: str) -> TestClient:
    r = client.post("/login", data={"token": token, "csrf": _csrf(client)}, follow_redirects=False)
    assert r.status_code == 303
    return client


# ── 1. one client's heavy requests and everyone else ─────────────────────────────────────


def test_long_drafts_and_rewrites_run_in_a_worker_process_with_the_same_answer(client_as: Clients) -> None:
    """Over OFFLOAD_CHARS the work leaves the server process (bench/bench_big_requests.py: other
    users' p99 stays ~20 ms instead of ~170 ms); the answer is what the library gives in-process."""
    import os

    import tactful
    from tactful.kb import STORE_EXAMPLE, load_kb
    from tactful.web.offload import OFFLOAD_CHARS

    draft = "Hi, I see what you're saying. Unfortunately we CANNOT refund this. Sorry! " * 40
    message = "I want a refund for order 5521, the blender broke after six weeks. " * 40
    assert len(draft) > OFFLOAD_CHARS and len(message) > OFFLOAD_CHARS
    agent = client_as("agent")
    kb = load_kb(STORE_EXAMPLE)
    r = agent.post("/v1/rewrite", json={"draft": draft, "facts": {"today": "2026-11-23"}})
    assert r.status_code == 200, r.text
    assert r.json() == tactful.rewrite(draft, facts={"today": "2026-11-23"}, kb=kb).to_dict()
    drafts = agent.post("/v1/compose", json={"message": message, "variants": 2})
    assert drafts.status_code == 200 and drafts.json() == [
        d.to_dict() for d in tactful.compose(message, {}, kb, variants=2)
    ]
    workers = agent.app.state.offload._pool._processes  # type: ignore[attr-defined]
    assert workers and all(pid != os.getpid() for pid in workers)
    empty = agent.post("/v1/rewrite", json={"draft": " " * 3000})
    assert empty.status_code == 422  # the worker's ValueError is the same 422


# ── 4. the rate limit ───────────────────────────────────────────────────────────────────


def test_made_up_authorization_headers_share_their_address_bucket(make_app: Callable[..., Any]) -> None:
    """A random ``Authorization`` header used to get a fresh bucket; now an unknown credential
    spends from its address's, on the API and on the webhooks alike."""
    app = make_app(rate_limit=0.001, rate_burst=3)
    with TestClient(app, raise_server_exceptions=False) as c:
        codes = [
            c.post(
                path, json={"reply": "No."}, headers={"Authorization": f"Bearer {secrets.token_hex(8)}"}
            ).status_code
            for path in ["/v1/analyze"] * 3 + ["/v1/analyze", "/v1/webhooks/chatwoot", "/login"]
        ]
    assert codes[:3] == [401, 401, 401]
    assert codes[3:] == [429, 429, 429]


def test_a_known_token_keeps_its_own_bucket_from_its_first_request(
    make_app: Callable[..., Any], web_users: dict[str, Any]
) -> None:
    app = make_app(rate_limit=0.001, rate_burst=2)
    with TestClient(app, raise_server_exceptions=False) as c:
        agent, manager = web_users["agent"].headers, web_users["manager"].headers
        assert [c.get("/v1/me", headers=agent).status_code for _ in range(3)] == [200, 200, 429]
        assert [c.get("/v1/me", headers=manager).status_code for _ in range(2)] == [200, 200]


def test_login_guesses_are_limited_per_address_and_always_need_the_form_token(
    make_app: Callable[..., Any], web_users: dict[str, Any]
) -> None:
    """300 of 300 guesses were answered, none with 429, and a header skipped the CSRF check."""
    app = make_app(rate_limit=1000, rate_burst=1000)  # the per-credential limit never trips here
    app.state.auth_failures = TokenBucket(1.0, 10, clock=lambda: 0.0)  # frozen: no refill mid-test
    with TestClient(app, raise_server_exceptions=False) as c:
        assert c.get("/v1/me", headers=web_users["admin"].headers).status_code == 200  # checked: cached
        forged = c.post("/login", data={"token": "guess"}, headers={"Authorization": "Bearer anything"})
        assert forged.status_code == 403 and forged.json()["error"]["code"] == "csrf_failed"
        csrf = _csrf(c)
        codes = [c.post("/login", data={"token": f"guess-{i}", "csrf": csrf}).status_code for i in range(30)]
        assert codes[:10] == [401] * 10 and codes[10:] == [429] * 20
        limited = c.post("/login", data={"token": "guess-x", "csrf": csrf})
        assert int(limited.headers["Retry-After"]) >= 1 and "too many" in limited.text
        # a token this server checked recently still signs in from here, as on the API
        ok = c.post("/login", data={"token": web_users["admin"].token, "csrf": csrf}, follow_redirects=False)
        assert ok.status_code == 303


def test_wrong_webhook_secrets_are_limited_per_address(make_app: Callable[..., Any]) -> None:
    app = make_app(rate_limit=1000, rate_burst=1000)
    app.state.auth_failures = TokenBucket(1.0, 10, clock=lambda: 0.0)
    with TestClient(app, raise_server_exceptions=False) as c:
        codes = [
            c.post("/v1/webhooks/chatwoot", params={"token": f"guess-{i}"}, json={}).status_code
            for i in range(12)
        ]
    assert codes == [401] * 10 + [429, 429]


# ── 5. webhook replay ───────────────────────────────────────────────────────────────────

AGENT_MESSAGE: dict[str, Any] = {
    "event": "message_created",
    "id": 501,
    "content": REPLY,
    "message_type": "outgoing",
    "private": False,
    "sender": {"id": 1, "name": "John", "type": "user"},
    "conversation": {"id": 10, "channel": "Channel::Email", "meta": {"sender": {"id": 14}}},
    "account": {"id": 1},
}


def _chatwoot_signed(client: TestClient, body: bytes) -> Any:
    stamp = str(int(time.time()))
    digest = hmac.new(CHATWOOT_SECRET.encode(), stamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    headers = {"X-Chatwoot-Signature": f"sha256={digest}", "X-Chatwoot-Timestamp": stamp}
    return client.post("/v1/webhooks/chatwoot", content=body, headers=headers)


def _zendesk_signed(client: TestClient, body: bytes) -> Any:
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    headers = {
        "X-Zendesk-Webhook-Signature": zendesk_signature(ZENDESK_SECRET, stamp, body),
        "X-Zendesk-Webhook-Signature-Timestamp": stamp,
    }
    return client.post("/v1/webhooks/zendesk", content=body, headers=headers)


def _cases(store: Any, customer: str) -> int:
    return len(store.history(customer).cases)


def test_a_replayed_signed_chatwoot_delivery_creates_nothing_new(client: TestClient, web_store: Any) -> None:
    body = json.dumps(AGENT_MESSAGE).encode()
    first = _chatwoot_signed(client, body)
    assert first.status_code == 200 and first.json()["action"] == "analyzed"
    for _ in range(3):  # the same signed request again, within the 300 s window
        again = _chatwoot_signed(client, body)
        assert again.status_code == 200 and again.json()["action"] == "ignored"
        assert "already processed" in again.json()["reason"]
    assert _cases(web_store, "chatwoot:14") == 1
    following = json.dumps({**AGENT_MESSAGE, "id": 502}).encode()  # the agent's next message counts
    assert _chatwoot_signed(client, following).json()["action"] == "analyzed"
    assert _cases(web_store, "chatwoot:14") == 2


def test_a_replayed_token_mode_chatwoot_delivery_creates_nothing_new(
    client: TestClient, web_store: Any
) -> None:
    """The ``?token=`` mode has no timestamp to check: the message id is what stops a replay."""
    for _ in range(3):
        r = client.post("/v1/webhooks/chatwoot", params={"token": CHATWOOT_SECRET}, json=AGENT_MESSAGE)
        assert r.status_code == 200
    assert _cases(web_store, "chatwoot:14") == 1


def test_a_replayed_signed_zendesk_delivery_creates_nothing_new(client: TestClient, web_store: Any) -> None:
    event = {
        "type": "zen:event-type:ticket.comment_added",
        "id": "d4f5c389-8f4a-4c2e-a1b9-8e4f39c71d52",
        "detail": {"id": "5158", "requester_id": "8447"},
        "event": {"comment": {"id": "98", "body": REPLY, "is_public": True, "author": {"is_staff": True}}},
    }
    trigger = {
        "ticket_id": "5158",
        "requester_id": "8447",
        "comment": REPLY + " Bye.",
        "author_role": "agent",
    }
    for payload in (event, trigger):  # an event id; a trigger body with no id of its own
        body = json.dumps(payload).encode()
        assert [_zendesk_signed(client, body).json()["action"] for _ in range(3)] == [
            "analyzed",
            "ignored",
            "ignored",
        ]
    assert _cases(web_store, "zendesk:8447") == 2


def test_a_delivery_that_failed_is_processed_when_the_helpdesk_retries(
    client: TestClient, web_store: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tactful.store import StoreError

    real = web_store.log_reply

    def down(*_: object, **__: object) -> None:
        raise StoreError("web.db: the database is locked by another process; try again when it is done")

    monkeypatch.setattr(web_store, "log_reply", down)
    r = client.post("/v1/webhooks/chatwoot", params={"token": CHATWOOT_SECRET}, json=AGENT_MESSAGE)
    assert r.status_code == 503
    monkeypatch.setattr(web_store, "log_reply", real)
    r = client.post("/v1/webhooks/chatwoot", params={"token": CHATWOOT_SECRET}, json=AGENT_MESSAGE)
    assert r.status_code == 200 and r.json()["action"] == "analyzed"
    assert _cases(web_store, "chatwoot:14") == 1


# ── 6. logout ends the session ──────────────────────────────────────────────────────────


def test_a_saved_cookie_signs_nobody_in_after_logout(
    client: TestClient, web_users: dict[str, Any], web_app: Any
) -> None:
    from tactful.web.app import SESSION_COOKIE

    browser = _signed_in(client, web_users["manager"].token)
    saved = browser.cookies.get(SESSION_COOKIE)
    assert saved and browser.get("/v1/followups").status_code == 200
    r = browser.post("/logout", data={"csrf": _csrf(browser)}, follow_redirects=False)
    assert r.status_code == 303
    with TestClient(web_app, raise_server_exceptions=False) as thief:
        thief.cookies.set(SESSION_COOKIE, saved)
        assert thief.get("/v1/followups").status_code == 401
        page = thief.get("/dashboard", headers=HTML, follow_redirects=False)
        assert page.status_code == 303 and page.headers["location"].startswith("/login")
    other = _signed_in(TestClient(web_app), web_users["manager"].token)  # signing in again works
    assert other.get("/v1/followups").status_code == 200


# ── 7. status codes ─────────────────────────────────────────────────────────────────────


def test_a_lone_surrogate_is_422_naming_the_field(client_as: Clients) -> None:
    agent = client_as("agent")
    for path, field in (("/v1/rewrite", "draft"), ("/v1/understand", "message"), ("/v1/compose", "message")):
        raw = json.dumps({field: "We can't refund this"})[:-2] + ' \\ud800"}'
        r = agent.post(path, content=raw.encode(), headers={"Content-Type": "application/json"})
        assert r.status_code == 422, (path, r.text)
        assert r.json()["error"]["details"][0]["field"] == field and "surrogate" in r.text


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"customer": "   ", "reply": REPLY}, "customer"),
        ({"customer": "c-1", "reply": "  \n "}, "reply"),
        (
            {
                "customer": "c-1",
                "reply": REPLY,
                "received_at": "2026-03-02T10:00:00Z",
                "sent_at": "2026-03-01T10:00:00Z",
            },
            "received_at",
        ),
    ],
)
def test_a_case_the_store_will_not_keep_is_422_not_503(
    client_as: Clients, body: dict[str, Any], field: str
) -> None:
    """503 store_unavailable is what helpdesks retry: these are the caller's mistake."""
    r = client_as("agent").post("/v1/cases", json=body)
    assert r.status_code == 422, r.text
    assert r.json()["error"]["code"] == "invalid_input" and r.json()["error"]["field"] == field


def test_a_nul_is_refused_at_the_door(client_as: Clients, web_store: Any) -> None:
    r = client_as("agent").post("/v1/cases", json={"customer": "c-1", "reply": "We can't\u0000 refund"})
    assert r.status_code == 422 and "NUL" in r.text
    hook = {**AGENT_MESSAGE, "content": "We can't\u0000 refund this."}  # JSON that orjson reads
    r = client_as("agent").post("/v1/webhooks/chatwoot", params={"token": CHATWOOT_SECRET}, json=hook)
    assert r.status_code == 422 and r.json()["error"]["field"] == "reply"
    assert web_store.cases(limit=10) == []


# ── 8. growth from one request ──────────────────────────────────────────────────────────


def test_one_reply_makes_at_most_ten_promises_and_follow_ups(client_as: Clients, web_store: Any) -> None:
    reply = "We can't refund this. " + "I'll call you on Friday. " * 700  # 17,522 characters
    r = client_as("agent").post("/v1/cases", json={"customer": "c-1", "reply": reply})
    assert r.status_code == 201, r.text
    case = r.json()
    assert len(case["promises"]) == 10 and len(case["followups"]) == 10
    assert len(web_store.followups(status="all")) == 10


def test_follow_ups_and_history_come_a_page_at_a_time(client_as: Clients, web_store: Any) -> None:
    for i in range(12):
        web_store.log_reply(
            "c-1", f"We can't refund order {i}. I'll call you tomorrow.", agent="manager-user"
        )
    manager = client_as("manager")
    page = manager.get("/v1/followups", params={"limit": 5})
    assert len(page.json()) == 5 and 'rel="next"' in page.headers["link"]
    following = manager.get(page.headers["link"].split(">")[0][1:])
    assert len(following.json()) == 5 and {f["id"] for f in following.json()}.isdisjoint(
        f["id"] for f in page.json()
    )
    assert len(manager.get("/v1/followups").json()) == 12  # the default page holds 100
    assert manager.get("/v1/followups", params={"limit": 501}).status_code == 422
    story = manager.get("/v1/customers/c-1/history", params={"limit": 4}).json()
    assert [c["reply"].split(".")[0] for c in story["cases"]] == [
        f"We can't refund order {i}" for i in (8, 9, 10, 11)
    ]
    assert len(story["promises"]) == 4 and len(story["followups"]) == 4
    older = manager.get("/v1/customers/c-1/history", params={"limit": 4, "offset": 4}).json()
    assert [c["reply"].split(".")[0] for c in older["cases"]] == [
        f"We can't refund order {i}" for i in (4, 5, 6, 7)
    ]


def test_the_dashboard_lists_fifty_follow_ups_a_page(
    client: TestClient, web_users: dict[str, Any], web_store: Any
) -> None:
    past = datetime.now(timezone.utc) - timedelta(days=1)
    for i in range(120):
        web_store.add_followup(f"c-{i}", past, f"call back #{i}")
    browser = _signed_in(client, web_users["manager"].token)
    html = browser.get("/dashboard").text
    assert '<a href="/cases?followup=open">120</a>' in html  # the count is all of them
    assert html.count("call back #") == 50 and "1–50 of 120" in html
    last = browser.get("/dashboard", params={"fpage": 3}).text
    assert last.count("call back #") == 20 and "101–120 of 120" in last


# ── 11. the last admin ──────────────────────────────────────────────────────────────────


def test_the_last_admin_cannot_revoke_themselves(client_as: Clients, web_users: dict[str, Any]) -> None:
    admin = client_as("admin")
    r = admin.delete("/v1/users/admin-user")
    assert r.status_code == 409 and "last admin" in r.json()["error"]["message"]
    assert admin.get("/v1/me").status_code == 200  # still signed in: the team is not locked out
    assert admin.post("/v1/users", json={"name": "deputy", "role": "admin"}).status_code == 201
    assert admin.delete("/v1/users/admin-user").status_code == 200  # with another admin, it may go


# ── 12. who may see what ────────────────────────────────────────────────────────────────


def test_an_agent_reads_and_completes_only_their_own_work(client_as: Clients, web_store: Any) -> None:
    mine = web_store.log_reply("c-1", "We can't refund this. I'll call you tomorrow.", agent="agent-user")
    theirs = web_store.log_reply("c-1", "We can't refund this order. I'll email you on Friday.", agent="bo")
    agent = client_as("agent")
    assert [c["case_id"] for c in agent.get("/v1/cases", params={"q": "refund"}).json()] == [mine.id]
    story = agent.get("/v1/customers/c-1/history").json()
    assert [c["id"] for c in story["cases"]] == [mine.id]
    assert [p["case_id"] for p in story["promises"]] == [mine.id]
    assert [f["owner"] for f in agent.get("/v1/followups", params={"status": "all"}).json()] == ["agent-user"]
    r = agent.post(f"/v1/followups/{theirs.followups[0].id}/complete", json={})
    assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden"
    assert agent.post(f"/v1/followups/{mine.followups[0].id}/complete", json={}).status_code == 200
    assert agent.post("/v1/feedback", json={"case_id": theirs.id, "csat": 1}).status_code == 403
    manager = client_as("manager")
    assert len(manager.get("/v1/customers/c-1/history").json()["cases"]) == 2
    assert manager.post(f"/v1/followups/{theirs.followups[0].id}/complete", json={}).status_code == 200
