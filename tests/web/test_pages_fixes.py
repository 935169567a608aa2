"""One-click fixes, inline highlighting and the SVG chart geometry (no app needed)."""

from __future__ import annotations

import pytest

import tactful
from tactful.kb import STORE_EXAMPLE, decide, load_kb
from tactful.web.pages.charts import Point, Series, bar_chart, line_chart
from tactful.web.pages.fixes import Snippets, fix_for, fix_table, snippets_for
from tactful.web.pages.highlight import segments

MESSAGE = "Hi, I bought a wool coat (order #B2231) on 2026-09-10 and it is too warm. I want a refund please."


@pytest.fixture(scope="module")
def snippets() -> Snippets:
    u = tactful.understand(MESSAGE)
    d = decide("refund", {"purchase_date": "2026-09-10", "today": "2026-11-23"}, load_kb(STORE_EXAMPLE))
    return snippets_for(u, d.to_dict())


def _fix(text: str, rule: str, snippets: Snippets) -> str:
    finding = next(f for f in tactful.analyze(text, MESSAGE).findings if f.rule == rule)
    fix = fix_for(text, finding.to_dict(), snippets)
    assert fix is not None, rule
    return fix.apply(text)


def test_snippets_come_from_the_message_and_the_decision(snippets: Snippets) -> None:
    assert snippets.acknowledgement == "I understand you'd like a refund for your wool coat (order B2231)."
    assert snippets.reason.startswith("We refund purchases within 30 days")
    assert "store credit for the full purchase price" in snippets.alternatives
    assert snippets.next_step.startswith("Let me know which you prefer")


def test_without_a_decision_nothing_is_invented() -> None:
    bare = snippets_for(tactful.understand("Can I get a refund?"), None)
    assert bare.reason == "" and bare.alternatives == ""
    table = fix_table(bare)
    assert "tactful.reason.missing" not in table and "tactful.alternatives.none" not in table
    assert "tactful.tone.shouting" in table
    finding = {"rule": "tactful.reason.missing", "start": 0, "end": 5, "suggestion": ""}
    assert fix_for("No way.", finding, bare) is None


@pytest.mark.parametrize(
    ("text", "rule", "expected"),
    [
        ("We CANNOT refund this.", "tactful.tone.shouting", "We cannot refund this."),
        ("Please stop asking!!!", "tactful.tone.shouting", "Please stop asking!"),
        ("CANNOT do it, sorry.", "tactful.tone.shouting", "Cannot do it, sorry."),
        (
            "As I already said, we can't refund this.",
            "tactful.tone.condescending",
            "We can't refund this.",
        ),
        (
            "We can't refund this, as I already said.",
            "tactful.tone.condescending",
            "We can't refund this.",
        ),
        (
            "Returns close at 30 days. You should have read the policy. I can offer store credit.",
            "tactful.tone.blame_customer",
            "Returns close at 30 days. I can offer store credit.",
        ),
        (
            "That's against our policy.",
            "tactful.positive.negative_framing",
            "Our policy is designed to ensure fairness for all customers, "
            "and here's how we can help within it.",
        ),
        (
            "I'm sorry, we can't refund it. Sorry again. So sorry.",
            "tactful.apology.over_apology",
            "I'm sorry, we can't refund it.",
        ),
    ],
)
def test_text_fixes(text: str, rule: str, expected: str, snippets: Snippets) -> None:
    assert _fix(text, rule, snippets) == expected


def test_inserted_fixes_land_in_the_right_place(snippets: Snippets) -> None:
    text = "Hello,\n\nWe can't refund this order.\n\nBest regards,\nAna"
    with_ack = _fix(text, "tactful.empathy.no_acknowledgement", snippets)
    assert with_ack.startswith(
        "Hello,\n\nI understand you'd like a refund for your wool coat (order B2231). We can't"
    )
    with_alts = _fix(text, "tactful.alternatives.none", snippets)
    assert "We can't refund this order. Here is what I can do for you instead: store credit" in with_alts
    with_next = _fix(text, "tactful.follow_up.dead_end", snippets)
    assert with_next.endswith(
        "order. Let me know which you prefer and I'll set it up for you right away.\n\nBest regards,\nAna"
    )


def test_fixing_everything_fixable_raises_the_score(snippets: Snippets) -> None:
    text = (
        "Hi, I see what you're saying. Unfortunately we CANNOT refund this, as I already said. "
        "Sorry! So sorry again."
    )
    start = tactful.analyze(text, MESSAGE).score
    for _ in range(15):
        fixes = [fix_for(text, f.to_dict(), snippets) for f in tactful.analyze(text, MESSAGE).findings]
        fix = next((f for f in fixes if f is not None), None)
        if fix is None:
            break
        text = fix.apply(text)
    assert tactful.analyze(text, MESSAGE).score >= start + 40
    assert "CANNOT" not in text and "already said" not in text


def test_bad_finding_offsets_are_ignored(snippets: Snippets) -> None:
    assert fix_for("short", {"rule": "tactful.tone.shouting", "start": 3, "end": 99}, snippets) is None
    assert fix_for("short", {"rule": "tactful.tone.shouting", "start": "x", "end": 2}, snippets) is None
    assert fix_for("short", {"rule": "no.such.rule", "start": 0, "end": 2}, snippets) is None


def test_segments_cover_the_text_and_keep_the_most_severe_level() -> None:
    text = "abcdefghij"
    findings = [
        {"start": 0, "end": 6, "level": "suggestion"},
        {"start": 4, "end": 8, "level": "error"},
        {"start": 9, "end": 99, "level": "warning"},  # out of range: ignored
    ]
    segs = segments(text, findings)
    assert "".join(s.text for s in segs) == text
    assert [(s.text, s.findings, s.level) for s in segs] == [
        ("abcd", (0,), "suggestion"),
        ("ef", (0, 1), "error"),
        ("gh", (1,), "error"),
        ("ij", (), ""),
    ]
    assert segs[1].ids == "f0 f1"


def test_line_chart_geometry_and_gaps() -> None:
    chart = line_chart(
        [Series("a", [Point("w1", 0, "/x"), Point("w2", None), Point("w3", 100, "/y")])],
        width=200,
        height=100,
    )
    (line,) = chart.lines
    assert [d.href for d in line.dots] == ["/x", "/y"]
    low, high = line.dots
    assert low.y == chart.bottom and high.y < low.y and high.x > low.x
    assert line.path.count("M") == 2  # the None week breaks the line
    assert not chart.empty and line_chart([]).empty


def test_bar_chart_scales_to_the_largest_value() -> None:
    chart = bar_chart([Point("a", 10, "/a"), Point("b", 5, "/b")], width=300, label_width=100)
    a, b = chart.bars
    assert a.w == pytest.approx(2 * b.w) and a.href == "/a" and a.text == "10"
    capped = bar_chart([Point("a", 50, "")], max_value=100, width=300, label_width=100)
    assert capped.bars[0].w == pytest.approx((300 - 100 - 50) / 2)
