"""End to end in a real browser: the agent flow, the dashboard with data, practice mode, and
hostile customer text staying inert. Screenshots are kept as artifacts of the run."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

MESSAGE = (
    "Hi, I bought a wool coat (order #B2231) on 2026-09-10 and it is too warm for me. I want a refund please."
)
BAD_REPLY = "Hi, we CANNOT refund this, as I already said it's against our policy. Sorry! So sorry again."


def _wait_analyzed(page: Any, after: int) -> int:
    """Wait until the live analysis has answered a request newer than ``after``; returns its number."""
    page.wait_for_function(
        "n => Number(document.getElementById('editor').getAttribute('data-analyzed') || 0) > n", arg=after
    )
    return int(page.get_attribute("#editor", "data-analyzed"))


def test_agent_flow_message_draft_edit_fix_save(
    agent_page: Any, live_server: Any, artifacts: Path, console_errors: Any
) -> None:
    page = agent_page
    page.goto(live_server.url + "/workspace")
    page.fill("#message", MESSAGE)
    page.fill("#facts", "purchase_date=2026-09-10\ntoday=2026-11-23")
    page.fill("#customer", "cust-browser-1")
    page.click("#draft-btn")
    page.wait_for_selector("#understood dl.facts")
    understood = page.inner_text("#understood")
    assert "refund" in understood and "wool coat" in understood
    assert "refund-window" in page.inner_text("#decision")
    draft = page.input_value("#draft")
    assert "wool coat" in draft and "store credit" in draft.lower()
    page.screenshot(path=str(artifacts / "01-workspace-drafted.png"), full_page=True)

    # The agent rewrites the draft badly; the live analysis flags it inline as they type.
    seen = int(page.get_attribute("#editor", "data-analyzed") or 0)
    page.fill("#draft", "")
    page.type("#draft", BAD_REPLY, delay=2)
    seen = _wait_analyzed(page, seen)
    page.wait_for_selector("#findings li[data-rule='tactful.tone.shouting'] button[data-fix]")
    assert page.locator("#highlight mark").count() >= 3
    assert page.inner_text("#highlight") == BAD_REPLY
    score_before = int(page.inner_text("#score"))
    assert "ms" in page.inner_text("#live-status")
    page.screenshot(path=str(artifacts / "02-workspace-live-findings.png"), full_page=True)

    # One click fixes the shouting; the analysis follows.
    page.click("#findings li[data-rule='tactful.tone.shouting'] button[data-fix]")
    seen = _wait_analyzed(page, seen)
    assert "CANNOT" not in page.input_value("#draft") and "cannot" in page.input_value("#draft")
    assert page.locator("#findings li[data-rule='tactful.tone.shouting']").count() == 0
    # ...and another adds the policy's allowed alternatives, from the decision, not made up.
    page.click("#findings li[data-rule='tactful.alternatives.none'] button[data-fix]")
    seen = _wait_analyzed(page, seen)
    assert "store credit for the full purchase price" in page.input_value("#draft")
    assert int(page.inner_text("#score")) > score_before
    page.screenshot(path=str(artifacts / "03-workspace-after-fixes.png"), full_page=True)

    fixed = page.input_value("#draft")
    page.click("#save-btn")
    page.wait_for_selector("#saved")
    case_id = int(re.search(r"#(\d+)", page.inner_text("#saved")).group(1))  # type: ignore[union-attr]
    case = live_server.store.case(case_id)
    assert case.agent == "ana" and case.customer == "cust-browser-1"
    assert case.reply == fixed
    page.screenshot(path=str(artifacts / "04-workspace-saved.png"), full_page=True)
    assert console_errors(page) == []  # no script errors, no CSP violations (inline code or styles)


def test_workspace_works_without_javascript(browser: Any, live_server: Any, artifacts: Path) -> None:
    context = browser.new_context(java_script_enabled=False, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        page.goto(live_server.url + "/login")
        page.fill("#token", live_server.tokens["agent"])
        page.click("form[action='/login'] button[type=submit]")
        page.goto(live_server.url + "/workspace")
        page.fill("#message", MESSAGE)
        page.click("#draft-btn")
        page.fill("#draft", BAD_REPLY)
        page.click("#analyze-btn")
        assert page.locator("#findings li[data-rule='tactful.tone.shouting']").count() == 1
        page.click("#findings li[data-rule='tactful.tone.shouting'] button.fix")
        assert "CANNOT" not in page.input_value("#draft")
        page.screenshot(path=str(artifacts / "05-workspace-no-javascript.png"), full_page=True)
    finally:
        context.close()


def test_dashboard_with_data_and_drill_down(
    manager_page: Any, live_server: Any, artifacts: Path, console_errors: Any
) -> None:
    page = manager_page
    page.goto(live_server.url + "/dashboard")
    assert page.locator("#chart-agents svg circle").count() > 0
    assert page.locator("#chart-chars svg path").count() > 0
    assert page.locator("#agents svg rect").count() > 0
    assert page.locator("#agents table.heat a").count() > 0
    page.screenshot(path=str(artifacts / "06-dashboard.png"), full_page=True)

    # Drill down from a per-agent, per-characteristic number to the conversations behind it.
    cell = page.locator("#agents table.heat td a[title]").first
    cell.click()
    page.wait_for_selector("#case-list")
    assert "characteristic" in page.inner_text("h1")
    rows = page.locator("#case-list tbody a")
    assert rows.count() > 0
    page.screenshot(path=str(artifacts / "07-drill-down.png"), full_page=True)
    rows.first.click()
    page.wait_for_selector("#reply")
    assert page.inner_text("h1").startswith("Case #")
    page.screenshot(path=str(artifacts / "08-case.png"), full_page=True)
    assert console_errors(page) == []


def test_dashboard_is_for_managers(agent_page: Any, live_server: Any) -> None:
    response = agent_page.goto(live_server.url + "/dashboard")
    assert response is not None and response.status == 403
    assert agent_page.locator("nav a[href='/dashboard']").count() == 0


def test_practice_mode_scored_coached_progress(agent_page: Any, live_server: Any, artifacts: Path) -> None:
    page = agent_page
    page.goto(live_server.url + "/practice")
    assert page.locator("#scenarios tbody tr").count() >= 5
    page.click("text=A discount demand")
    page.fill("#reply", "No discounts. We never do that!!!")
    page.click("#submit-attempt")
    page.wait_for_selector("#practice-score")
    first = int(page.inner_text("#practice-score"))
    assert page.locator("ol.coach-notes > li").count() >= 3
    page.screenshot(path=str(artifacts / "09-practice-coached.png"), full_page=True)
    page.fill(
        "#reply",
        "Hi! I understand you'd like a discount, and thanks for asking. "
        "Our prices are the same for everyone, so we don't give one-off discounts, "
        "but I can offer double loyalty points on this order or 10% off "
        "when you join our newsletter. Let me know which you prefer.",
    )
    page.click("#submit-attempt")
    page.wait_for_selector("#practice-score")
    second = int(page.inner_text("#practice-score"))
    assert second > first
    page.goto(live_server.url + "/practice")
    assert page.locator("#progress svg circle").count() >= 2
    page.screenshot(path=str(artifacts / "10-practice-progress.png"), full_page=True)


def test_manager_adds_a_scenario(manager_page: Any, live_server: Any, artifacts: Path) -> None:
    page = manager_page
    page.goto(live_server.url + "/practice/new")
    page.fill("#id", "late-delivery-gift")
    page.fill("#title", "A gift that will arrive late")
    page.fill(
        "#customer_message", "My order 4410 was a birthday gift and it won't arrive in time. Refund it now!"
    )
    page.fill("#facts", "request_type=refund\npurchase_date=2026-11-01\ntoday=2026-11-23")
    page.fill("#tips", "Acknowledge the occasion.")
    page.click("#new-scenario button[type=submit]")
    page.wait_for_url(re.compile(r"/practice/late-delivery-gift$"))
    assert "A gift that will arrive late" in page.inner_text("h1")
    page.screenshot(path=str(artifacts / "11-practice-new-scenario.png"), full_page=True)


XSS = (
    "<script>window.__xss = 'script'</script>"
    "<img src=x onerror=\"window.__xss = 'onerror'; alert(1)\">"
    "<svg onload=\"window.__xss = 'svg'\"></svg> I want a refund for order 5521!"
)


def _assert_inert(page: Any) -> None:
    """Nothing injected ran on the page now shown (the flag lives per page load, so check each one)."""
    page.wait_for_timeout(150)  # give an injected onerror/onload handler its chance
    assert page.evaluate("typeof window.__xss") == "undefined", page.url


def test_hostile_customer_text_stays_inert(signed_in: Any, live_server: Any, artifacts: Path) -> None:
    dialogs: list[str] = []
    page = signed_in("manager")
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(live_server.url + "/workspace")
    page.fill("#message", XSS)
    page.fill("#customer", "xss-customer")
    page.click("#draft-btn")
    page.wait_for_selector("#understood")
    _assert_inert(page)
    seen = int(page.get_attribute("#editor", "data-analyzed") or 0)
    page.fill("#draft", XSS + " We CANNOT do that.")  # the agent pastes it into the reply too
    _wait_analyzed(page, seen)
    assert XSS in page.inner_text("#highlight")  # shown as text, via textContent
    assert page.locator("#highlight img, #highlight script, #highlight svg").count() == 0
    _assert_inert(page)
    page.click("#save-btn")
    page.wait_for_selector("#saved")
    page.click("#saved a")  # the case page shows both texts again, server-rendered
    page.wait_for_selector("#customer-message")
    assert "<script>" in page.inner_text("#customer-message")
    _assert_inert(page)
    page.goto(live_server.url + "/cases?customer=xss-customer")
    assert page.locator("#case-list tbody a").count() == 1
    _assert_inert(page)
    page.goto(live_server.url + "/practice/new")
    page.fill("#id", "xss-scenario")
    page.fill("#title", XSS[:60])
    page.fill("#customer_message", XSS)
    page.click("#new-scenario button[type=submit]")
    page.wait_for_selector("#customer-message")
    _assert_inert(page)
    page.fill("#reply", XSS)
    page.click("#submit-attempt")
    page.wait_for_selector("#practice-score")
    _assert_inert(page)
    page.goto(live_server.url + "/practice")
    _assert_inert(page)
    assert dialogs == []
    page.screenshot(path=str(artifacts / "12-xss-inert.png"), full_page=True)


def test_rewrite_my_draft_accepts_some_changes_and_a_draft_waits_beside_the_agents(
    agent_page: Any, live_server: Any, artifacts: Path, console_errors: Any
) -> None:
    page = agent_page
    page.goto(live_server.url + "/workspace")
    page.fill("#message", MESSAGE)
    page.fill("#facts", "purchase_date=2026-09-10\ntoday=2026-11-23")
    page.fill("#draft", BAD_REPLY)
    page.wait_for_selector("#findings li[data-rule='tactful.tone.shouting']")

    # Findings: most severe first, each under a title with its rule id as the tooltip.
    levels = page.eval_on_selector_all("#findings li.finding", "els => els.map(e => e.className)")
    rank = [0 if "lvl-error" in c else 1 if "lvl-warning" in c else 2 for c in levels]
    assert rank == sorted(rank) and len(rank) >= 3
    title = page.locator("#findings li[data-rule='tactful.tone.shouting'] .title")
    assert title.inner_text() == "Shouting" and title.get_attribute("title") == "tactful.tone.shouting"
    # The marks sit in the editor: the backdrop covers the textarea exactly.
    box, under = page.locator("#draft").bounding_box(), page.locator("#highlight").bounding_box()
    assert box and under and abs(box["x"] - under["x"]) < 1 and abs(box["width"] - under["width"]) < 1
    assert page.locator("#highlight mark.lvl-warning").count() >= 1

    # Rewrite my draft: every change listed with its words struck and added; keep only some.
    page.click("#rewrite-btn")
    page.wait_for_selector("#rewrite-changes li")
    items = page.locator("#rewrite-changes li")
    assert items.count() >= 3
    assert (
        page.locator("#rewrite-changes del").count() >= 1
        and page.locator("#rewrite-changes ins").count() >= 1
    )
    assert page.input_value("#draft") == BAD_REPLY  # nothing applied yet
    page.screenshot(path=str(artifacts / "09-workspace-rewrite-panel.png"), full_page=True)
    titles = [items.nth(i).locator("strong").inner_text() for i in range(items.count())]
    for i, name in enumerate(titles):  # reject everything but the shouting fix
        if name != "Shouting":
            items.nth(i).locator("input[type=checkbox]").uncheck()
    page.click("#rewrite-apply")
    page.wait_for_function("() => !document.getElementById('draft').value.includes('CANNOT')")
    assert page.input_value("#draft") == BAD_REPLY.replace("CANNOT", "cannot")
    assert page.locator("#rewrite-panel").is_hidden()

    # Understand & draft with text in the box: the draft waits beside it until the agent chooses it.
    mine = page.input_value("#draft")
    page.click("#draft-btn")
    page.wait_for_selector("#proposed")
    assert page.input_value("#draft") == mine
    assert "wool coat" in page.inner_text("#proposed-text")
    page.screenshot(path=str(artifacts / "10-workspace-draft-beside.png"), full_page=True)
    page.click("#use-draft-btn")
    page.wait_for_selector("#editor")
    assert "wool coat" in page.input_value("#draft") and page.locator("#proposed").count() == 0
    assert console_errors(page) == []


def test_practice_flags_a_wrong_order_number(
    agent_page: Any, live_server: Any, artifacts: Path, console_errors: Any
) -> None:
    page = agent_page
    page.goto(live_server.url + "/practice/return-past-window")
    page.fill(
        "#reply",
        "Hello Maria,\n\nWe can't refund order B2213 after 30 days, but I can offer store credit. "
        "Let me know if you'd like that.\n\nBest regards,\nAna",
    )
    page.click("#submit-attempt")
    page.wait_for_selector("#contradictions")
    assert "B2213" in page.inner_text("#contradictions") and "B2231" in page.inner_text("#contradictions")
    assert "Excellent" not in page.inner_text("#coaching")
    page.screenshot(path=str(artifacts / "11-practice-wrong-details.png"), full_page=True)
    assert console_errors(page) == []
