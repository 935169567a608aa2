"""The HTML report in a real browser (offline: no request leaves the file), the report's pieces
(highlight segments, charts), and the real shared exports (TWCS sample, IBM customer-care dev set)."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest

from tactful.qa import QAOptions, run_qa
from tactful.qa.charts import heatmap
from tactful.qa.team_report import segments

FIXTURES = Path(__file__).parents[1] / "fixtures" / "qa"


def test_segments_split_at_overlapping_findings() -> None:
    text = "Sorry, no. Read the policy."
    findings = [
        {"start": 0, "end": 10, "rule": "a"},
        {"start": 7, "end": 27, "rule": "b"},
        {"start": 5, "end": 99, "rule": "bad"},
    ]
    assert segments(text, findings) == [("Sorry, ", "a"), ("no.", "a, b"), (" Read the policy.", "b")]


def test_chart_labels_are_escaped() -> None:
    svg = str(heatmap([("<b>x</b>", [0.5, None])], ["a&b", "c"], "t"))
    assert "<b>" not in svg and "&lt;b&gt;x&lt;/b&gt;" in svg and "a&amp;b" in svg


@pytest.mark.slow
def test_report_opens_offline_in_chromium(browser: Any, tmp_path: Path) -> None:
    run_qa(str(FIXTURES / "zendesk.json"), tmp_path / "o", QAOptions(fmt="zendesk", workers=1))
    url = (tmp_path / "o" / "report.html").resolve().as_uri()
    requests: list[str] = []
    page = browser.new_page(viewport={"width": 1280, "height": 1800})
    try:
        # Generous timeouts: the shared 2-core machine can be very busy during a full suite run.
        page.set_default_timeout(180_000)
        page.on("request", lambda r: requests.append(r.url))
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(url)
        assert page.locator("svg").count() >= 4
        assert page.locator("svg rect").count() > 20  # bars and heatmap cells were drawn
        assert page.locator("mark").count() >= 1
        box = page.locator("svg").first.bounding_box()
        assert box is not None and box["width"] > 100 and box["height"] > 100
        page.screenshot(path=str(tmp_path / "report.png"), full_page=True)
    finally:
        page.close()
    assert [r for r in requests if not r.startswith("file://")] == []
    assert errors == []
    assert (tmp_path / "report.png").stat().st_size > 10_000


def test_real_twcs_sample(shared_data: Path, tmp_path: Path) -> None:
    export = shared_data / "real-replies" / "twcs_first_1000_rows.csv"
    if not export.exists():
        pytest.skip(f"shared data file missing: {export}")
    summary = run_qa(str(export), tmp_path / "o", QAOptions(fmt="twcs", workers=2))
    t = summary.totals
    assert (t.conversations, t.problems) == (255, 0)
    assert t.agent_turns > 400 and 0 < t.refusals < t.agent_turns
    turns = [json.loads(line) for line in (tmp_path / "o" / "turns.jsonl").read_text().splitlines()]
    assert all(r["channel"] == "social" and r["analysis"]["is_refusal"] for r in turns)
    assert all(r["received_at"] <= r["replied_at"] for r in turns if r["received_at"])
    with open(tmp_path / "o" / "agents.csv", newline="") as f:
        agents = {row["agent"] for row in csv.DictReader(f)}
    assert agents and all(not a.isdigit() for a in agents)  # company handles, never a customer's number


def test_real_ibm_dev_set(shared_data: Path, tmp_path: Path) -> None:
    export = shared_data / "real-replies" / "ibm_twitter_care_dev.json"
    if not export.exists():
        pytest.skip(f"shared data file missing: {export}")
    summary = run_qa(str(export), tmp_path / "o", QAOptions(fmt="ibm", workers=2))
    assert summary.totals.conversations == 525 and summary.totals.problems == 0
    assert summary.totals.refusals > 0
    assert "The worst refusals" in (tmp_path / "o" / "report.html").read_text()
