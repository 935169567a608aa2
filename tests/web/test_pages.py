"""The pages through a real app (TestClient on a temporary SQLite store): sign-in, the workspace
without JavaScript, the one-click fix endpoint, the dashboard and drill-down, and escaping."""

from __future__ import annotations

import json
import re
from html import unescape
from typing import Any

import pytest
from fastapi.testclient import TestClient

import tactful
from tactful.store.demo import load_demo

MESSAGE = "Hi, I bought a wool coat (order #B2231) on 2026-09-10 and it is too warm. I want a refund please."
FACTS = "purchase_date=2026-09-10\ntoday=2026-11-23"
BAD = "Hi, we CANNOT refund this, as I already said it's against our policy. Sorry! So sorry again."
XSS = '<script>window.__xss=1</script><img src=x onerror="alert(1)"> refund order 5521 please'


def _csrf(html: str) -> str:
    m = re.search(r'name="csrf" value="([^"]+)"', html)
    assert m, "the page has no CSRF field"
    return m.group(1)


def _login(client: TestClient, token: str) -> str:
    page = client.get("/login")
    r = client.post(
        "/login", data={"token": token, "csrf": _csrf(page.text), "next": "/"}, follow_redirects=False
    )
    assert r.status_code == 303 and r.headers["location"] == "/"
    return _csrf(client.get("/").text)


@pytest.fixture
def agent(client: TestClient, web_users: dict[str, Any]) -> tuple[TestClient, str]:
    return client, _login(client, web_users["agent"].token)


@pytest.fixture
def manager(client: TestClient, web_users: dict[str, Any], web_store: Any) -> tuple[TestClient, str]:
    load_demo(web_store)
    return client, _login(client, web_users["manager"].token)


def test_pages_need_a_session_and_send_browsers_to_login(client: TestClient) -> None:
    for path in ("/", "/workspace", "/dashboard", "/practice", "/cases"):
        r = client.get(path, headers={"accept": "text/html"}, follow_redirects=False)
        assert r.status_code == 303, path
        assert r.headers["location"].startswith("/login?next=")


def test_login_rejects_a_bad_token_and_an_offsite_next(client: TestClient, web_users: dict[str, Any]) -> None:
    page = client.get("/login?next=https://evil.example/")
    assert 'value="/"' in page.text  # the off-site target was dropped
    r = client.post("/login", data={"token": "nope", "csrf": _csrf(page.text), "next": "/"})
    assert r.status_code == 401 and "unknown or revoked" in r.text
    r = client.post(
        "/login",
        data={"token": web_users["agent"].token, "csrf": _csrf(page.text), "next": "//evil.example/x"},
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"] == "/"


def test_forms_without_the_sessions_csrf_token_are_refused(agent: tuple[TestClient, str]) -> None:
    client, _ = agent
    r = client.post("/workspace", data={"message": MESSAGE, "action": "draft", "csrf": "forged"})
    assert r.status_code == 403 and r.json()["error"]["code"] == "csrf_failed"
    r = client.post("/workspace/fix", json={"text": "x", "finding": {}}, headers={"x-csrf-token": "forged"})
    assert r.status_code == 403


def test_logout_ends_the_session(agent: tuple[TestClient, str]) -> None:
    client, csrf = agent
    r = client.post("/logout", data={"csrf": csrf}, follow_redirects=False)
    assert r.status_code == 303
    assert client.get("/", headers={"accept": "text/html"}, follow_redirects=False).status_code == 303


def test_workspace_understands_decides_and_drafts_without_javascript(agent: tuple[TestClient, str]) -> None:
    client, csrf = agent
    r = client.post("/workspace", data={"csrf": csrf, "message": MESSAGE, "facts": FACTS, "action": "draft"})
    assert r.status_code == 200
    html = r.text
    assert "wool coat" in html and "order #B2231" in html  # details to mirror
    assert "refund-window" in html and "outcome-refuse" in html  # the decision and its policy
    draft = re.search(r'<textarea id="draft"[^>]*>(.*?)</textarea>', html, re.S).group(1)  # type: ignore[union-attr]
    assert "wool coat" in draft and "Store credit" in draft.replace("store credit", "Store credit")
    assert 'id="score"' in html


def test_workspace_fix_button_posts_and_applies_the_fix(agent: tuple[TestClient, str]) -> None:
    client, csrf = agent
    form = {"csrf": csrf, "message": MESSAGE, "facts": FACTS, "draft": BAD, "action": "analyze"}
    html = client.post("/workspace", data=form).text
    m = re.search(r'data-rule="tactful.tone.shouting".*?value="(fix:\d+:tactful.tone.shouting)"', html, re.S)
    assert m, "the shouting finding should have a fix button"
    html = client.post("/workspace", data={**form, "action": m.group(1)}).text
    draft = re.search(r'<textarea id="draft"[^>]*>(.*?)</textarea>', html, re.S).group(1)  # type: ignore[union-attr]
    assert "CANNOT" not in draft and "cannot" in draft
    assert 'data-rule="tactful.tone.shouting"' not in html
    # The agent edited the draft before pressing a button drawn for the old text: the rule decides.
    edited = "Hi. " + BAD
    html = client.post(
        "/workspace", data={**form, "draft": edited, "action": "fix:0:tactful.tone.shouting"}
    ).text
    draft = re.search(r'<textarea id="draft"[^>]*>(.*?)</textarea>', html, re.S).group(1)  # type: ignore[union-attr]
    assert "CANNOT" not in draft and draft.startswith("Hi. Hi, we cannot")


def test_workspace_save_records_the_case(agent: tuple[TestClient, str], web_store: Any) -> None:
    client, csrf = agent
    form = {
        "csrf": csrf,
        "message": MESSAGE,
        "facts": FACTS,
        "draft": BAD,
        "customer": "c-9",
        "action": "save",
    }
    html = client.post("/workspace", data=form).text
    case_id = int(re.search(r"Saved as case <a href=\"/cases/(\d+)\"", html).group(1))  # type: ignore[union-attr]
    case = web_store.case(case_id)
    assert (case.customer, case.agent, case.reply) == ("c-9", "agent-user", BAD)
    assert case.policy_id == "refund-window" and case.is_refusal
    shown = re.search(r'id="score">(\d+)<', html)
    assert shown and case.score == int(shown.group(1))  # the score the page showed is the one kept
    # An agent sees their own case, not the dashboard.
    assert client.get(f"/cases/{case_id}").status_code == 200
    assert client.get("/dashboard").status_code == 403


def test_workspace_checks_what_this_customer_was_told_before(
    agent: tuple[TestClient, str], web_store: Any
) -> None:
    client, csrf = agent
    web_store.log_reply(
        "c-h",
        "Refunds are possible within 30 days of purchase, so we can't refund order 5521.",
        customer_message="Refund order 5521 please",
        agent="agent-user",
    )
    draft = "Refunds are possible within 60 days of purchase, so we can't refund this."
    form = {"csrf": csrf, "message": "Refund order 5521 please!", "customer": "c-h", "draft": draft}
    html = client.post("/workspace", data={**form, "action": "analyze"}).text
    assert 'id="history"' in html and "Open promise" not in html
    assert 'data-rule="tactful.consistency.history_period"' in html
    assert "differs from what this customer was told" in html
    fresh = client.post("/workspace", data={**form, "customer": "new-one", "action": "analyze"}).text
    assert "No history for new-one yet." in fresh
    assert 'data-rule="tactful.consistency.history_period"' not in fresh


def test_replies_for_no_named_customer_do_not_share_a_history(
    agent: tuple[TestClient, str], web_store: Any
) -> None:
    client, csrf = agent
    form = {"csrf": csrf, "message": MESSAGE, "facts": FACTS, "action": "save"}
    first = "Thanks for asking. I'll call you tomorrow about the coat."
    second = "Thanks for asking. We can't refund the coat after 30 days, but I can offer store credit."
    ids = []
    for draft in (first, second):
        html = client.post("/workspace", data={**form, "draft": draft}).text
        ids.append(int(re.search(r"Saved as case <a href=\"/cases/(\d+)\"", html).group(1)))  # type: ignore[union-attr]
    a, b = (web_store.case(i) for i in ids)
    assert a.customer != b.customer and a.customer.startswith("walk-in-")
    assert not any(f["characteristic"] == "consistency" for f in b.findings)


def test_workspace_save_needs_a_reply(agent: tuple[TestClient, str]) -> None:
    client, csrf = agent
    html = client.post(
        "/workspace", data={"csrf": csrf, "message": MESSAGE, "draft": " ", "action": "save"}
    ).text
    assert "Write or draft a reply before saving." in html


def test_workspace_analyzes_a_reply_without_a_message(agent: tuple[TestClient, str]) -> None:
    client, csrf = agent
    html = client.post(
        "/workspace", data={"csrf": csrf, "message": "", "draft": BAD, "action": "analyze"}
    ).text
    assert 'data-rule="tactful.tone.shouting"' in html
    html = client.post("/workspace", data={"csrf": csrf, "message": " ", "action": "draft"}).text
    assert "Paste or choose the customer&#39;s message first." in html


def test_workspace_bad_facts_are_reported_not_raised(agent: tuple[TestClient, str]) -> None:
    client, csrf = agent
    r = client.post(
        "/workspace", data={"csrf": csrf, "message": MESSAGE, "facts": "no equals sign", "action": "draft"}
    )
    assert r.status_code == 200 and "expected key=value" in r.text
    r = client.post(
        "/workspace",
        data={"csrf": csrf, "message": MESSAGE, "facts": "purchase_date=yesterday", "action": "draft"},
    )
    assert r.status_code == 200 and "Could not decide" in r.text


def test_workspace_example_prefills_a_scenario(agent: tuple[TestClient, str]) -> None:
    client, _ = agent
    html = client.get("/workspace?example=discount-demand").text
    assert "I want 20% off this order" in html and "discount_kind=general" in html


def test_fix_endpoint_applies_a_finding_under_the_pages_message_and_kb(agent: tuple[TestClient, str]) -> None:
    client, csrf = agent
    html = client.post(
        "/workspace", data={"csrf": csrf, "message": MESSAGE, "facts": FACTS, "action": "draft"}
    ).text
    data = json.loads(
        re.search(r'<script type="application/json" id="page-data">(.*?)</script>', html, re.S).group(1)
    )  # type: ignore[union-attr]
    assert data["fixable"]["tactful.alternatives.none"] == "Add the allowed alternatives"
    assert data["titles"]["tactful.alternatives.none"] == "No alternative offered"
    text = "We can't refund this order."
    finding = next(
        f for f in tactful.analyze(text, MESSAGE).findings if f.rule == "tactful.alternatives.none"
    )
    page = {"message": MESSAGE, "channel": "email", "facts": FACTS}
    r = client.post(
        "/workspace/fix",
        json={"text": text, "finding": finding.to_dict(), **page},
        headers={"x-csrf-token": csrf},
    )
    assert r.status_code == 200
    out = r.json()
    assert out["text"].startswith(
        "We can't refund this order. Here is what I can do for you instead: store credit"
    )
    assert out["text"][out["start"] : out["end"]].strip().startswith("Here is what I can do")
    r = client.post(
        "/workspace/fix",
        json={"text": "x", "finding": {"rule": "tactful.reason.blame_shift", "start": 0, "end": 1}, **page},
        headers={"x-csrf-token": csrf},
    )
    assert r.status_code == 422 and r.json()["error"]["code"] == "no_fix"
    r = client.post(
        "/workspace/fix",
        json={"text": text, "finding": finding.to_dict(), **page, "facts": "purchase_date=yesterday"},
        headers={"x-csrf-token": csrf},
    )
    assert r.status_code == 422 and "purchase_date" in r.json()["error"]["message"]


def test_live_analysis_contract_matches_what_the_page_script_sends(agent: tuple[TestClient, str]) -> None:
    """workspace.js posts {reply, customer_message, context} to /v1/analyze with the session cookie."""
    client, _ = agent
    body = {"reply": BAD, "customer_message": MESSAGE, "context": {"policy": "30 days", "channel": "email"}}
    r = client.post("/v1/analyze", json=body)
    assert r.status_code == 200
    rules = {f["rule"] for f in r.json()["findings"]}
    assert "tactful.tone.shouting" in rules


def test_dashboard_shows_charts_and_every_number_links_to_cases(manager: tuple[TestClient, str]) -> None:
    client, _ = manager
    html = client.get("/dashboard").text
    assert html.count("<svg") >= 3 and "<circle" in html and "<rect" in html
    assert "Follow-ups due" in html and "Declined requests, ranked" in html and "CSAT after refusals" in html
    links = set(re.findall(r'href="(/cases[^"]*)"', html))
    assert any("characteristic=" in h and "agent=" in h for h in links)
    assert any("week=" in h for h in links)
    assert any("topic=" in h for h in links)
    assert any("refusal=1" in h for h in links)
    assert 'style="' not in html  # the CSP forbids inline styles: charts use attributes


def test_dashboard_on_an_empty_store(client: TestClient, web_users: dict[str, Any]) -> None:
    _login(client, web_users["manager"].token)
    html = client.get("/dashboard").text
    assert html.count("No data yet.") >= 3 and "No cases yet." in html and "Nothing due." in html
    assert "No conversations match." in client.get("/cases").text


def test_dashboard_characteristic_selector(manager: tuple[TestClient, str]) -> None:
    client, _ = manager
    all_html = client.get("/dashboard?char=all").text
    one_html = client.get("/dashboard?char=empathy").text
    assert all_html.count('class="dot"') > one_html.count('class="dot"') > 0


def test_drill_down_filters_match_the_numbers(manager: tuple[TestClient, str], web_store: Any) -> None:
    client, _ = manager
    by_agent = web_store.report("scores_by_agent").records()
    row = by_agent[0]
    html = client.get(f"/cases?agent={row['agent']}").text
    assert html.count('<a href="/cases/') == row["cases"]
    weakest = client.get(f"/cases?agent={row['agent']}&characteristic=empathy").text
    assert "weakest on empathy first" in weakest
    csat = client.get("/cases?refusal=1&feedback=1").text
    ids = [int(i) for i in re.findall(r'<a href="/cases/(\d+)"', csat)]
    assert ids and all(web_store.case(i).is_refusal and web_store.case(i).feedback for i in ids)
    assert "No conversations match." in client.get("/cases?topic=nothing-like-this").text
    open_ids = [
        int(i) for i in re.findall(r'<a href="/cases/(\d+)"', client.get("/cases?followup=open").text)
    ]
    assert open_ids and all(any(f.status == "open" for f in web_store.case(i).followups) for i in open_ids)


def test_case_page_and_missing_case(manager: tuple[TestClient, str], web_store: Any) -> None:
    client, _ = manager
    case = web_store.cases(limit=1)[0]
    html = client.get(f"/cases/{case.id}").text
    assert f"Case #{case.id}" in html and 'id="reply"' in html
    assert client.get("/cases/999999").status_code == 404


def test_agent_cannot_open_someone_elses_case(agent: tuple[TestClient, str], web_store: Any) -> None:
    client, _ = agent
    other = web_store.log_reply("c-1", "We can't refund this.", agent="someone-else")
    assert client.get(f"/cases/{other.id}").status_code == 403
    assert client.get("/cases").status_code == 403


def test_hostile_text_is_escaped_everywhere(agent: tuple[TestClient, str], web_store: Any) -> None:
    client, csrf = agent
    form = {"csrf": csrf, "message": XSS, "draft": XSS, "customer": "x", "action": "save"}
    html = client.post("/workspace", data=form).text
    assert "<script>window.__xss" not in html and "<img src=x" not in html
    assert "&lt;script&gt;window.__xss=1&lt;/script&gt;" in html
    block = re.search(r'<script type="application/json" id="page-data">(.*?)</script>', html, re.S).group(1)  # type: ignore[union-attr]
    assert "<" not in block and json.loads(block)["customer_message"] == XSS
    case_id = int(re.search(r'/cases/(\d+)"', html).group(1))  # type: ignore[union-attr]
    page = client.get(f"/cases/{case_id}").text
    assert "<script>window" not in page and "&lt;img src=x" in page
    csp = client.get("/workspace").headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp


def test_pages_load_only_same_origin_assets(agent: tuple[TestClient, str]) -> None:
    client, _ = agent
    html = client.get("/workspace").text
    assert re.findall(r'(?:src|href)="(https?:)?//', html) == []
    assert "<script>" not in html  # no inline code; the only script is /static/workspace.js
    assert client.get("/static/workspace.js").status_code == 200
    assert client.get("/static/app.css").status_code == 200


def _draft_box(html: str) -> str:
    found = re.search(r'<textarea id="draft"[^>]*>(.*?)</textarea>', html, re.S).group(1)  # type: ignore[union-attr]
    return unescape(found)


def test_a_composed_draft_never_replaces_the_agents_own_reply(agent: tuple[TestClient, str]) -> None:
    client, csrf = agent
    mine = "Hi Ana, we can't refund the coat, but I can offer store credit."
    form = {"csrf": csrf, "message": MESSAGE, "facts": FACTS, "draft": mine}
    html = client.post("/workspace", data={**form, "action": "draft"}).text
    assert _draft_box(html) == mine  # untouched
    proposed = re.search(r'<pre class="reply" id="proposed-text">(.*?)</pre>', html, re.S)
    assert proposed and "wool coat" in proposed.group(1) and 'id="use-draft-btn"' in html
    suggested = unescape(re.search(r'name="proposed" value="([^"]*)"', html, re.S).group(1))  # type: ignore[union-attr]
    chosen = client.post("/workspace", data={**form, "proposed": suggested, "action": "use_draft"}).text
    assert _draft_box(chosen) == suggested and 'id="proposed"' not in chosen
    empty = client.post("/workspace", data={**form, "draft": "", "action": "draft"}).text
    assert "wool coat" in _draft_box(empty) and 'id="proposed"' not in empty  # an empty box takes it


def test_rewrite_my_draft_shows_each_change_and_applies_only_the_accepted(
    agent: tuple[TestClient, str],
) -> None:
    client, csrf = agent
    form = {"csrf": csrf, "message": MESSAGE, "facts": FACTS, "draft": BAD}
    html = client.post("/workspace", data={**form, "action": "rewrite"}).text
    assert _draft_box(html) == BAD  # nothing changes until the agent accepts
    changes = re.findall(
        r'<input type="checkbox" name="accept" value="(\d+)" checked>\s*<strong title="([^"]+)"', html
    )
    rules = [rule for _, rule in changes]
    assert "tactful.tone.shouting" in rules and "tactful.alternatives.none" in rules
    assert "<del>CANNOT </del><ins>cannot </ins>" in html or "<del>CANNOT</del>" in html
    original = unescape(re.search(r'name="original" value="([^"]*)"', html).group(1))  # type: ignore[union-attr]
    shouting = next(i for i, rule in changes if rule == "tactful.tone.shouting")
    applied = client.post(
        "/workspace",
        data={**form, "original": original, "accept": [shouting], "action": "apply_rewrite"},
    ).text
    box = _draft_box(applied)
    assert box == BAD.replace("CANNOT", "cannot")  # only the accepted change
    # The page script's JSON twins of the same two steps.
    page = {"message": MESSAGE, "channel": "email", "facts": FACTS}
    panel = client.post(
        "/workspace/rewrite", json={"text": BAD, **page}, headers={"x-csrf-token": csrf}
    ).json()
    assert panel["score"] > panel["score_before"] and panel["changes"]
    assert all({"title", "rule", "diff", "context_before"} <= set(c) for c in panel["changes"])
    every = [c["index"] for c in panel["changes"]]
    full = client.post(
        "/workspace/rewrite/apply",
        json={"original": BAD, "accept": every, **page},
        headers={"x-csrf-token": csrf},
    ).json()
    assert full["text"] == panel["text"]
    none = client.post(
        "/workspace/rewrite/apply",
        json={"original": BAD, "accept": [], **page},
        headers={"x-csrf-token": csrf},
    ).json()
    assert none["text"] == BAD
    bad = client.post(
        "/workspace/rewrite/apply", json={"original": BAD, "accept": "all"}, headers={"x-csrf-token": csrf}
    )
    assert bad.status_code == 422


def test_findings_most_severe_first_with_titles_and_the_rule_id_in_a_tooltip(
    agent: tuple[TestClient, str],
) -> None:
    client, csrf = agent
    blame = "Hi Maria, we CANNOT refund order B2231. You should have read the terms."
    html = client.post(
        "/workspace", data={"csrf": csrf, "message": MESSAGE + " - Anna", "facts": FACTS, "draft": blame}
    ).text
    levels = re.findall(r'<li class="finding lvl-(\w+)"', html)
    rank = {"error": 0, "warning": 1, "suggestion": 2}
    assert levels and levels[0] == "error" and [rank[x] for x in levels] == sorted(rank[x] for x in levels)
    assert '<strong class="title" title="tactful.tone.blame_customer">Blames the customer</strong>' in html
    assert 'id="contradictions"' in html and "Maria" in html  # the name is not the one they signed with
    assert 'class="backdrop"' in html and "<mark" in html  # highlighted in the editor itself
    clean = client.post(
        "/workspace",
        data={"csrf": csrf, "message": "Thanks!", "draft": "You're welcome, happy to help any time."},
    ).text
    assert re.search(r'<p class="muted none" id="no-findings">No findings.</p>', clean)
    assert re.search(r'<ol id="findings" class="findings" hidden>\s*</ol>', clean)


def test_without_a_kb_nothing_is_decided_and_no_policy_is_invented(
    make_app: Any, web_users: dict[str, Any]
) -> None:
    with TestClient(make_app(kb_dir=None), raise_server_exceptions=False) as client:
        csrf = _login(client, web_users["agent"].token)
        html = client.post(
            "/workspace", data={"csrf": csrf, "message": MESSAGE, "facts": FACTS, "action": "draft"}
        ).text
        assert "No policy KB is configured" in html
        draft = _draft_box(html)
        assert "30 days" not in draft and "store credit" not in draft.lower()
        assert "manager" not in draft and "business day" not in draft
        headers = web_users["agent"].headers
        r = client.get("/v1/policies", headers=headers)
        assert r.status_code == 404 and r.json()["error"]["code"] == "no_kb"
        drafts = client.post("/v1/compose", json={"message": MESSAGE}, headers=headers).json()
        assert drafts[0]["decision"]["policy"] is None and drafts[0]["notes"]
