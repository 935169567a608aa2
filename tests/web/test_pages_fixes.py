"""One-click fixes (the rewrite's own edits, one finding at a time, in any order), inline highlighting
and the SVG chart geometry (no app needed)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import tactful
from tactful.composer.stock import added_stock
from tactful.kb import STORE_EXAMPLE, load_kb
from tactful.web.pages.charts import Point, Series, bar_chart, line_chart
from tactful.web.pages.fixes import fix_for, fix_table, ordered, page_context, title_of, titles
from tactful.web.pages.highlight import segments

MESSAGE = "Hi, I bought a wool coat (order #B2231) on 2026-09-10 and it is too warm. I want a refund please."
FACTS = {"purchase_date": "2026-09-10", "today": "2026-11-23"}


@pytest.fixture(scope="module")
def kb() -> Any:
    return load_kb(STORE_EXAMPLE)


def _ctx(text: str, kb: Any, message: str = MESSAGE, channel: str = "email") -> Any:
    return page_context(text, message, channel, dict(FACTS), kb, None)


def _fix(text: str, rule: str, kb: Any, message: str = MESSAGE) -> str:
    finding = next(f for f in tactful.analyze(text, message).findings if f.rule == rule)
    fix = fix_for(text, finding.to_dict(), _ctx(text, kb, message))
    assert fix is not None, rule
    assert fix.text[fix.start : fix.end] or fix.start == fix.end
    return fix.text


def test_policy_fixes_only_with_a_kb_whose_policy_applies(kb: Any) -> None:
    with_kb = fix_table(_ctx("We can't refund this order.", kb))
    assert with_kb["tactful.alternatives.none"] == "Add the allowed alternatives"
    assert with_kb["tactful.reason.missing"] == "Add the policy's reason"
    bare = fix_table(_ctx("We can't refund this order.", None))
    assert "tactful.reason.missing" not in bare and "tactful.alternatives.none" not in bare
    assert "tactful.tone.shouting" in bare
    finding = {"rule": "tactful.reason.missing", "start": 0, "end": 5, "suggestion": ""}
    assert fix_for("No way.", finding, _ctx("No way.", None)) is None
    # A question no policy covers: no policy's reason is the answer to it.
    other = "Which of your shops is open on Sundays?"
    assert "tactful.reason.missing" not in fix_table(_ctx("We can't do that.", kb, other))


@pytest.mark.parametrize(
    ("text", "rule", "expected"),
    [
        ("We CANNOT refund this.", "tactful.tone.shouting", "We cannot refund this."),
        ("Please stop asking!!!", "tactful.tone.shouting", "Please stop asking!"),
        ("CANNOT do it, sorry.", "tactful.tone.shouting", "Cannot do it, sorry."),
        ("As I already said, we can't refund this.", "tactful.tone.condescending", "We can't refund this."),
        ("We can't refund this, as I already said.", "tactful.tone.condescending", "We can't refund this."),
        (  # blame becomes the rule; the no around it stays
            "Returns close at 30 days. You should have read the policy. I can offer store credit.",
            "tactful.tone.blame_customer",
            "Returns close at 30 days. This is covered by our policy. I can offer store credit.",
        ),
        (
            "We can't refund it because auto-renew is stated and agreed to during checkout.",
            "tactful.tone.blame_customer",
            "We can't refund it because auto-renew is stated during checkout.",
        ),
        ("That's against our policy.", "tactful.positive.negative_framing", "Our policy doesn't cover this."),
        (
            "I'm sorry, we can't refund it. Sorry again. So sorry.",
            "tactful.apology.over_apology",
            "I'm sorry, we can't refund it. So sorry.",
        ),
    ],
)
def test_text_fixes(text: str, rule: str, expected: str, kb: Any) -> None:
    assert _fix(text, rule, kb) == expected


def test_inserted_fixes_land_inside_the_greeting_and_sign_off(kb: Any) -> None:
    text = "Hello,\n\nWe can't refund this order.\n\nBest regards,\nAna"
    with_ack = _fix(text, "tactful.empathy.no_acknowledgement", kb)
    assert with_ack.startswith(
        "Hello,\n\nThanks for asking for a refund for your wool coat (order B2231). We can't"
    )
    with_alts = _fix(text, "tactful.alternatives.none", kb)
    assert "\n\nHere is what I can do for you instead:\n- Store credit" in with_alts
    assert with_alts.endswith("\n\nBest regards,\nAna")
    with_reason = _fix(text, "tactful.reason.missing", kb)
    assert "We can't refund this order. We refund purchases within 30 days" in with_reason


def test_a_public_reply_keeps_its_handle_first_and_initials_last(kb: Any) -> None:
    tweet = "@sam_k We CANNOT move that. ^JP"
    fixed = _fix(tweet, "tactful.tone.shouting", kb, "can you move my delivery to Friday?")
    assert fixed == "@sam_k We cannot move that. ^JP"
    thanked = _fix(fixed, "tactful.gratitude.no_thanks", kb, "can you move my delivery to Friday?")
    assert thanked.startswith("@sam_k Thanks for asking us to move your delivery to Friday. We cannot")
    assert thanked.endswith(" ^JP")


BAD = (
    "Hi, I see what you're saying. Unfortunately we CANNOT refund this, as I already said. "
    "You should have read the terms. Sorry! So sorry again. Thanks, Ana"
)


def _sentences(text: str) -> list[str]:
    return [s.strip().lower() for s in re.split(r"(?<=[.!?])\s+", text) if len(s.split()) > 3]


@pytest.mark.slow
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.randoms(use_true_random=False))
def test_fixes_in_any_order_follow_the_rules(kb: Any, rnd: Any) -> None:
    """Click the fix buttons in a random order until none is left: the no stays, nothing stock is
    added, nothing is said twice, the greeting stays first and the agent's thanks and name last."""
    text = BAD
    start = tactful.analyze(text, MESSAGE)
    for _ in range(20):
        findings = [f.to_dict() for f in tactful.analyze(text, MESSAGE).findings]
        rnd.shuffle(findings)
        ctx = _ctx(text, kb)
        fix = next((x for x in (fix_for(text, f, ctx) for f in findings) if x is not None), None)
        if fix is None:
            break
        text = fix.text
    after = tactful.analyze(text, MESSAGE)
    assert after.is_refusal and after.score > start.score
    assert added_stock(BAD, text) == []
    said = _sentences(text)
    assert len(said) == len(set(said)), text
    assert text.startswith("Hi, ") and text.endswith("Thanks, Ana")
    assert text.count("We refund purchases within 30 days") <= 1
    assert "CANNOT" not in text and "already said" not in text and "should have read" not in text


def test_bad_finding_offsets_are_ignored(kb: Any) -> None:
    ctx = _ctx("short", kb)
    assert fix_for("short", {"rule": "tactful.tone.shouting", "start": 3, "end": 99}, ctx) is None
    assert fix_for("short", {"rule": "tactful.tone.shouting", "start": "x", "end": 2}, ctx) is None
    assert fix_for("short", {"rule": "no.such.rule", "start": 0, "end": 2}, ctx) is None


def test_every_rule_has_a_title_and_findings_show_most_severe_first() -> None:
    from tactful.rules.engine import load_rules

    assert {r.id for r in load_rules()} <= set(titles())
    assert title_of("tactful.alternatives.none") == "No alternative offered"
    findings = [
        {"rule": "a", "level": "suggestion", "start": 0},
        {"rule": "b", "level": "error", "start": 40},
        {"rule": "c", "level": "warning", "start": 5},
        {"rule": "d", "level": "error", "start": 10},
    ]
    assert [f["rule"] for _, f in ordered(findings)] == ["d", "b", "c", "a"]
    assert [i for i, _ in ordered(findings)] == [3, 1, 2, 0]


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
