"""The REST API end to end through a real app on a real SQLite store: contracts, roles, errors."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from fastapi import FastAPI, Request
from fastapi.testclient import TestClient

import tactful
from tactful.cli import main as cli
from tactful.kb import STORE_EXAMPLE, load_kb
from tactful.web.auth import login
from tactful.web.security import CSP

REPLY = (
    "Hi Dana, thank you for reaching out about order #4521 and the blue wool jacket. Unfortunately we "
    "can't refund orders after 30 days, because our returns policy only covers the first month after "
    "delivery. What I can do is exchange it for another size or give you store credit. Just reply with "
    "the option you prefer and I'll set it up today."
)
CUSTOMER = "My order 4521, the blue wool jacket, came two weeks late. I want a refund."
REFUND = "Hi, I want a refund for order #A1234, the blue jacket does not fit."
FACTS = {"purchase_date": "2026-09-01", "today": "2026-11-23", "amount": 80}

Clients = Callable[[str], TestClient]


def _cli_json(tmp_path: Path, *args: str) -> object:
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


# ── anonymous, auth and roles ────────────────────────────────────────────────────────────


def test_healthz_is_anonymous_and_carries_the_security_headers(client: TestClient) -> None:
    r = client.get("/healthz")
    assert r.status_code == 200
    assert r.json() == {"status": "ok", "version": tactful.__version__}
    assert r.headers["content-security-policy"] == CSP
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["x-frame-options"] == "DENY"


def test_static_files_are_anonymous_cached_and_carry_the_csp(client: TestClient) -> None:
    from tactful.web.app import STATIC_DIR

    name = next(p.name for p in sorted(STATIC_DIR.iterdir()) if p.is_file())
    r = client.get(f"/static/{name}")
    assert r.status_code == 200
    assert r.headers["content-security-policy"] == CSP
    assert r.headers.get("cache-control") != "no-store"
    assert client.get("/v1/policies").headers["cache-control"] == "no-store"


def test_every_api_route_needs_a_token(client: TestClient, web_app: FastAPI) -> None:
    routes = [
        (method.upper(), path)
        for path, methods in web_app.openapi()["paths"].items()
        if path.startswith("/v1/") and "/webhooks/" not in path
        for method in methods
    ]
    assert len(routes) >= 20
    for method, path in routes:
        url = path.replace("{customer}", "c1").replace("{name}", "came_back").replace("{topic}", "x")
        url = url.replace("{followup_id}", "1").replace("{policy_id}", "refund-window")
        r = client.request(method, url, json={})
        assert r.status_code == 401, (method, url, r.status_code)
        assert r.json()["error"]["code"] == "unauthorized"
        assert r.headers["www-authenticate"] == "Bearer"
        assert r.headers["content-security-policy"] == CSP


@pytest.mark.parametrize(
    "header", ["Bearer not-a-real-token", "Basic dXNlcjpwYXNz", "Bearer", "Token abc"], ids=str
)
def test_bad_credentials_are_401(client: TestClient, header: str) -> None:
    r = client.post("/v1/analyze", json={"reply": "No."}, headers={"Authorization": header})
    assert r.status_code == 401
    assert set(r.json()["error"]) == {"code", "message"}


def test_me_names_the_tokens_user(client_as: Clients, web_users: dict[str, Any]) -> None:
    for role in ("agent", "manager", "admin"):
        body = client_as(role).get("/v1/me").json()
        assert (body["name"], body["role"], body["id"]) == (f"{role}-user", role, web_users[role].info.id)


def test_roles_are_ordered_agent_manager_admin(client_as: Clients) -> None:
    agent, manager, admin = client_as("agent"), client_as("manager"), client_as("admin")
    for c, expected in ((agent, 403), (manager, 200), (admin, 200)):
        assert c.get("/v1/reports/refusals_by_type").status_code == expected
        assert c.get("/v1/users").status_code == expected
    denied = agent.get("/v1/reports").json()["error"]
    assert denied["code"] == "forbidden" and "manager" in denied["message"]
    assert manager.post("/v1/users", json={"name": "zoe", "role": "agent"}).status_code == 403
    assert agent.post("/v1/requests/gift%20wrapping/ship").status_code == 403


def test_admin_makes_a_user_whose_token_works(client_as: Clients, client: TestClient) -> None:
    r = client_as("admin").post("/v1/users", json={"name": "zoe", "role": "agent"})
    assert r.status_code == 201
    body = r.json()
    assert body["user"]["name"] == "zoe" and body["user"]["role"] == "agent"
    me = client.get("/v1/me", headers={"Authorization": f"Bearer {body['token']}"})
    assert me.json()["name"] == "zoe"
    again = client_as("admin").post("/v1/users", json={"name": "zoe", "role": "agent"})
    assert again.status_code == 409 and "already exists" in again.json()["error"]["message"]
    bad_role = client_as("admin").post("/v1/users", json={"name": "x", "role": "owner"})
    assert bad_role.status_code == 422


def test_login_sets_a_session_that_authenticates_api_calls(
    web_app: FastAPI, web_users: dict[str, Any]
) -> None:
    @web_app.post("/test-login")
    async def test_login(request: Request) -> dict[str, object]:
        data = await request.json()
        user = login(request, data["token"])
        return {"ok": user is not None}

    with TestClient(web_app, raise_server_exceptions=False) as browser:
        assert browser.post("/test-login", json={"token": "wrong"}).json() == {"ok": False}
        assert browser.get("/v1/me").status_code == 401
        assert browser.post("/test-login", json={"token": web_users["manager"].token}).json() == {"ok": True}
        cookie = browser.cookies.get("tactful_session")
        assert cookie
        assert browser.get("/v1/me").json()["role"] == "manager"
        assert browser.get("/v1/reports/came_back").status_code == 200
    # The cookie is signed: a forged one is no session at all.
    with TestClient(web_app, raise_server_exceptions=False, cookies={"tactful_session": "forged"}) as other:
        assert other.get("/v1/me").status_code == 401


def test_a_browser_without_a_session_is_sent_to_login(client: TestClient) -> None:
    r = client.get("/docs", headers={"Accept": "text/html"}, follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"] == "/login?next=%2Fdocs"
    api = client.get("/v1/me", headers={"Accept": "text/html"})
    assert api.status_code == 401 and api.json()["error"]["code"] == "unauthorized"


def test_docs_and_openapi_describe_the_routes(client_as: Clients) -> None:
    c = client_as("agent")
    spec = c.get("/openapi.json").json()
    for path in (
        "/v1/analyze",
        "/v1/understand",
        "/v1/compose",
        "/v1/rewrite",
        "/v1/policies",
        "/v1/cases",
        "/v1/customers/{customer}/history",
        "/v1/followups",
        "/v1/requests",
        "/v1/feedback",
        "/v1/reports/{name}",
        "/v1/webhooks/chatwoot",
        "/v1/webhooks/zendesk",
    ):
        assert path in spec["paths"], path
    analyze = spec["paths"]["/v1/analyze"]["post"]
    assert "AnalyzeIn" in json.dumps(analyze["requestBody"]) and "AnalysisOut" in json.dumps(
        analyze["responses"]
    )
    page = c.get("/docs")
    assert page.status_code == 200 and "POST /v1/analyze" in page.text
    assert "<script" not in page.text and "cdn" not in page.text.lower()
    assert page.headers["content-security-policy"] == CSP


# ── the library over HTTP: same JSON as the CLI ──────────────────────────────────────────


def test_analyze_returns_the_cli_contract(client_as: Clients, tmp_path: Path) -> None:
    reply_file, customer_file = tmp_path / "reply.txt", tmp_path / "customer.txt"
    reply_file.write_text(REPLY, encoding="utf-8")
    customer_file.write_text(CUSTOMER, encoding="utf-8")
    r = client_as("agent").post("/v1/analyze", json={"reply": REPLY, "customer_message": CUSTOMER})
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/json"
    from_cli = _cli_json(
        tmp_path, "check", str(reply_file), "--customer", str(customer_file), "--format", "json"
    )
    assert r.json() == from_cli == tactful.analyze(REPLY, CUSTOMER).to_dict()


def test_analyze_an_empty_reply_and_a_context(client_as: Clients) -> None:
    c = client_as("agent")
    empty = c.post("/v1/analyze", json={"reply": "   "}).json()
    assert empty["empty"] is True and empty["score"] == 0
    context = {"channel": "chat", "received_at": "2026-11-23T10:00:00", "replied_at": "2026-11-23T11:00:00"}
    timed = c.post("/v1/analyze", json={"reply": REPLY, "context": context}).json()
    assert timed == tactful.analyze(REPLY, context=context).to_dict()
    assert c.post("/v1/analyze", json={"reply": REPLY, "context": "late"}).status_code == 422


def test_analyze_for_a_known_customer_checks_what_they_were_told(client_as: Clients) -> None:
    c = client_as("agent")
    first = "Thanks for asking. You can return the jacket within 30 days of delivery for a full refund."
    assert c.post("/v1/cases", json={"customer": "dana", "reply": first}).status_code == 201
    later = "Thanks for asking. You can return it within 60 days of delivery."
    plain = c.post("/v1/analyze", json={"reply": later}).json()
    known = c.post("/v1/analyze", json={"reply": later, "customer": "dana"}).json()
    rules = [f["rule"] for f in known["findings"]]
    assert "tactful.consistency.history_period" in rules
    assert "tactful.consistency.history_period" not in [f["rule"] for f in plain["findings"]]
    assert "30 days" in next(f["message"] for f in known["findings"] if f["characteristic"] == "consistency")
    stranger = c.post("/v1/analyze", json={"reply": later, "customer": "nobody-known"}).json()
    assert stranger == plain
    # the score counts the history, and it is the score the case gets when it is logged
    assert known["score"] < plain["score"]
    logged = c.post("/v1/cases", json={"customer": "dana", "reply": later})
    assert logged.json()["score"] == known["score"]


def test_understand_and_compose_match_the_cli(client_as: Clients, tmp_path: Path) -> None:
    c = client_as("agent")
    message = "Order 5521 broke after six weeks. Refund me or I'll post a review!"
    assert c.post("/v1/understand", json={"message": message}).json() == tactful.understand(message).to_dict()
    dated = "I bought the kettle 40 days ago and it leaks. Refund please."
    read = c.post("/v1/understand", json={"message": dated}).json()
    assert read == tactful.understand(dated).to_dict() and read["facts"]["days_since_purchase"] == 40
    msg_file = tmp_path / "msg.txt"
    msg_file.write_text(REFUND, encoding="utf-8")
    drafts = c.post("/v1/compose", json={"message": REFUND, "facts": FACTS, "variants": 2}).json()
    from_cli = _cli_json(
        tmp_path,
        "draft",
        str(msg_file),
        "--variants",
        "2",
        "--format",
        "json",
        "--kb",
        "example",  # the server runs on the example store's policies, as the demo does
        *[arg for k, v in FACTS.items() for arg in ("--fact", f"{k}={v}")],
    )
    assert drafts == from_cli
    assert drafts[0]["decision"]["outcome"] == "refuse" and len(drafts) == 2
    assert c.post("/v1/compose", json={"message": REFUND, "channel": "fax"}).status_code == 422
    assert c.post("/v1/compose", json={"message": REFUND, "variants": 4}).status_code == 422


def test_compose_errors_are_json_with_the_librarys_message(client_as: Clients) -> None:
    c = client_as("agent")
    r = c.post("/v1/compose", json={"message": "  "})
    assert r.status_code == 422
    assert r.json()["error"] == {
        "code": "invalid_input",
        "message": "compose needs the customer's message; got an empty one",
    }
    bad_fact = c.post("/v1/compose", json={"message": REFUND, "facts": {"purchase_date": "last spring"}})
    assert bad_fact.status_code == 422 and "purchase_date" in bad_fact.json()["error"]["message"]


def test_rewrite_improves_a_draft(client_as: Clients) -> None:
    draft = "We can't refund this. It's against our policy."
    r = client_as("agent").post(
        "/v1/rewrite", json={"draft": draft, "customer_message": REFUND, "facts": FACTS}
    )
    assert r.status_code == 200, r.text
    body = r.json()
    expected = tactful.rewrite(draft, REFUND, facts=FACTS, kb=load_kb(STORE_EXAMPLE)).to_dict()
    assert body == expected
    assert body["score"] > body["score_before"]
    assert client_as("agent").post("/v1/rewrite", json={"draft": ""}).status_code == 422


def test_policies_list_search_get_and_decide(client_as: Clients) -> None:
    c = client_as("agent")
    kb = load_kb(STORE_EXAMPLE)
    listed = c.get("/v1/policies").json()
    assert sorted(p["id"] for p in listed) == sorted(kb.policies)
    assert all(p["match"] is None for p in listed)
    found = c.get("/v1/policies", params={"q": "refund"}).json()
    assert found and found[0]["match"]["score"] > 0
    assert [p["id"] for p in found] == [h.policy_id for h in kb.search("refund", 50)]
    by_type = c.get("/v1/policies", params={"request_type": "discount"}).json()
    assert by_type and all("discount" in p["request_types"] for p in by_type)
    one = c.get(f"/v1/policies/{listed[0]['id']}").json()
    assert one["id"] == listed[0]["id"]
    missing = c.get("/v1/policies/no-such-policy")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
    decision = c.post("/v1/policies/decide", json={"request_type": "refund", "facts": FACTS}).json()
    assert decision == kb.decide("refund", FACTS).to_dict()
    assert c.post("/v1/policies/decide", json={"request_type": "teleport"}).status_code == 422


# ── the store over HTTP ──────────────────────────────────────────────────────────────────


def test_cases_log_list_search_and_history(client_as: Clients, web_store: object) -> None:
    agent = client_as("agent")
    r = agent.post(
        "/v1/cases",
        json={"customer": "c-77", "reply": REPLY, "customer_message": CUSTOMER, "channel": "email"},
    )
    assert r.status_code == 201
    case = r.json()
    assert case["agent"] == "agent-user" and case["customer"] == "c-77" and case["is_refusal"] is True
    listed = agent.get("/v1/cases", params={"agent": "agent-user"}).json()
    assert [c["id"] for c in listed] == [case["id"]]
    hits = agent.get("/v1/cases", params={"q": "wool jacket"}).json()
    assert hits and hits[0]["case_id"] == case["id"]
    history = agent.get("/v1/customers/c-77/history").json()
    assert history["customer"] == "c-77" and [c["id"] for c in history["cases"]] == [case["id"]]
    unknown = agent.get("/v1/customers/nobody/history")
    assert unknown.status_code == 404 and "nobody" in unknown.json()["error"]["message"]


def test_only_managers_log_for_another_agent(client_as: Clients) -> None:
    body = {"customer": "c-1", "reply": REPLY, "agent": "someone-else"}
    assert client_as("agent").post("/v1/cases", json=body).status_code == 403
    r = client_as("manager").post("/v1/cases", json=body)
    assert r.status_code == 201 and r.json()["agent"] == "someone-else"


def test_feedback(client_as: Clients) -> None:
    c = client_as("agent")
    case_id = c.post("/v1/cases", json={"customer": "c-2", "reply": REPLY}).json()["id"]
    assert c.post("/v1/feedback", json={"case_id": case_id, "csat": 4, "comment": "fair"}).status_code == 201
    history = c.get("/v1/customers/c-2/history").json()
    assert [(f["csat"], f["comment"]) for f in history["feedback"]] == [(4, "fair")]
    assert c.post("/v1/feedback", json={"case_id": case_id, "csat": 9}).status_code == 422
    missing = c.post("/v1/feedback", json={"case_id": 99999, "csat": 3})
    assert missing.status_code == 404


def test_followups_requests_and_reports(client_as: Clients, web_store: object) -> None:
    agent, manager = client_as("agent"), client_as("manager")
    promise = (
        "Thank you for the idea. We don't offer gift wrapping today, but I'll let you know as soon as "
        "we add it. In the meantime I can include a gift note."
    )
    agent.post(
        "/v1/cases",
        json={
            "customer": "c-3",
            "reply": promise,
            "customer_message": "Can you gift wrap it?",
            "topic": "gift wrapping",
        },
    )
    requests = agent.get("/v1/requests").json()
    assert [(t["topic"], t["customers"]) for t in requests] == [("gift wrapping", 1)]
    notices = manager.post("/v1/requests/gift%20wrapping/ship").json()
    assert [n["customer"] for n in notices] == ["c-3"] and notices[0]["draft"]
    followups = agent.get("/v1/followups", params={"status": "all"}).json()
    assert isinstance(followups, list)
    for f in followups:
        assert agent.post(f"/v1/followups/{f['id']}/complete").json()["status"] == "done"
    assert agent.post("/v1/followups/99999/complete").status_code == 404
    assert agent.get("/v1/followups", params={"status": "maybe"}).status_code == 422
    names = manager.get("/v1/reports").json()
    for name in names:
        table = manager.get(f"/v1/reports/{name}")
        assert table.status_code == 200, name
        assert table.json()["name"] == name and isinstance(table.json()["columns"], list)
    assert manager.get("/v1/reports/nope").status_code == 404


# ── errors ───────────────────────────────────────────────────────────────────────────────


def test_malformed_and_invalid_bodies(client_as: Clients) -> None:
    c = client_as("agent")
    bad = c.post("/v1/analyze", content=b'{"reply": ', headers={"Content-Type": "application/json"})
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "invalid_json"
    hostile = "<script>alert(1)</script>"
    r = c.post("/v1/analyze", json={"reply": 5, "extra": hostile})
    assert r.status_code == 422
    error = r.json()["error"]
    assert error["code"] == "validation_error" and {d["field"] for d in error["details"]} == {
        "reply",
        "extra",
    }
    assert hostile not in r.text  # the input is never echoed
    assert r.headers["content-type"] == "application/json"


def test_unknown_routes_and_methods_are_json(client_as: Clients) -> None:
    c = client_as("agent")
    r = c.get("/v1/nothing-here")
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"
    r = c.get("/v1/analyze")
    assert r.status_code == 405 and r.json()["error"]["code"] == "method_not_allowed"


def test_an_unhandled_exception_is_a_json_500_without_a_trace(
    web_app: FastAPI, web_users: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    @web_app.get("/v1/test-boom")
    async def boom() -> None:
        raise RuntimeError("database password is hunter2")

    with TestClient(web_app, raise_server_exceptions=False) as c:
        r = c.get("/v1/test-boom", headers=web_users["agent"].headers)
    assert r.status_code == 500
    error = r.json()["error"]
    assert error["code"] == "internal_error" and "ref " in error["message"]
    assert "hunter2" not in r.text and "Traceback" not in r.text
    assert r.headers["content-security-policy"] == CSP
    assert any("hunter2" in (rec.exc_text or str(rec.exc_info)) for rec in caplog.records)
