"""rewrite(): the agent's draft fixed by the method; the decision never changes, nothing is made up."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tactful import analyze
from tactful.composer import Rewrite, rewrite
from tactful.composer.guard import Inputs, check
from tactful.composer.rewrite import edit_phrases, load_rewrites
from tactful.composer.stock import added_stock
from tactful.config import Config, Style
from tactful.kb import STORE_EXAMPLE, load_kb

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
MESSAGE = (EXAMPLES / "customer.txt").read_text(encoding="utf-8")
DRAFT = (EXAMPLES / "reply.txt").read_text(encoding="utf-8")
LATE = {"purchase_date": "2026-10-01", "today": "2026-11-23"}  # 53 days: out of the window
NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
WARN_REGRET = Config(style=Style(regret_words="warning"))


@pytest.fixture(scope="module")
def kb() -> Any:
    return load_kb(STORE_EXAMPLE)


def _examples() -> list[tuple[str, str, str]]:
    return [
        (rule, before, after) for rule, spec in load_rewrites().items() for before, after in spec["examples"]
    ]


@pytest.mark.parametrize(("rule", "before", "after"), _examples())
def test_rewrites_yml_examples(rule: str, before: str, after: str) -> None:
    fired = {f.rule for f in analyze(before, config=WARN_REGRET).findings}
    assert rule in fired, f"{rule} does not fire on its own example {before!r}"
    assert edit_phrases(before, None, WARN_REGRET)[0] == after


def test_every_rewrite_rule_has_examples_and_a_known_action() -> None:
    for rule, spec in load_rewrites().items():
        assert spec["examples"], rule
        assert spec["action"] in {"replace", "drop", "sentence", "lower", "rephrase", "keep"}, rule


def test_rewrite_of_a_poor_refusal(kb: Any) -> None:
    r = rewrite(DRAFT, MESSAGE, LATE, kb)
    assert isinstance(r, Rewrite)
    assert r.guard == []
    assert r.analysis["is_refusal"] is True  # a no stays a no
    assert r.score >= r.before["score"] + 40  # 37 -> 94 when measured
    assert r.below_threshold is False
    assert "CANNOT" not in r.text and "as I already said" not in r.text
    assert r.analysis["counts"]["apologies"] <= 1
    assert "Aurora blender" in r.text and "5521" in r.text  # mirrors the customer
    reason = r.decision["policy"]["reason"]
    assert reason in r.text
    for alt in r.decision["alternatives"]:
        assert alt["text"].rstrip(".")[1:] in r.text
    kinds = {c.kind for c in r.changes}
    # one sentence names their request and thanks them for it, in place of "I see what you're saying"
    assert {"edit", "added_thanks", "added_reason", "added_alternative", "added_next_step"} <= kinds
    assert "I see what you're saying" not in r.text
    assert added_stock(DRAFT, r.text) == []
    assert r.diff.startswith("--- draft\n+++ rewrite\n")
    assert r.to_dict()["score_before"] == r.before["score"]


def test_nothing_made_up(kb: Any) -> None:
    r = rewrite(DRAFT, MESSAGE, LATE, kb)
    inputs = "\n".join([DRAFT, MESSAGE, *map(str, LATE.values()), str(r.decision)])
    for number in NUMBER.findall(r.text):
        assert number in inputs, number
    kb_texts = {a["text"] for a in r.decision["alternatives"]}
    for change in r.changes:
        if change.kind == "added_alternative":
            assert change.after in kb_texts


def test_a_yes_stays_a_yes_and_the_kb_disagreement_is_noted(kb: Any) -> None:
    r = rewrite("Sure, I'll process the refund for you today.", MESSAGE, LATE, kb)
    assert r.analysis["is_refusal"] is False
    assert any("KB says no" in n for n in r.notes)


def test_without_a_kb_no_alternative_is_invented() -> None:
    r = rewrite(DRAFT, MESSAGE)
    assert r.decision is None
    assert not any(c.kind in ("added_alternative", "added_reason") for c in r.changes)
    assert any("reason" in n for n in r.notes)
    assert r.analysis["is_refusal"] is True


def test_a_good_reply_is_left_mostly_alone(kb: Any) -> None:
    good = (EXAMPLES / "better-reply.txt").read_text(encoding="utf-8")
    r = rewrite(good, MESSAGE, LATE, kb)
    assert r.score >= r.before["score"]
    assert not any(
        c.kind in ("added_alternative", "added_reason", "added_acknowledgement") for c in r.changes
    )


def test_paragraphs_get_a_bulleted_list(kb: Any) -> None:
    draft = "Hello,\n\nWe can't refund this order.\n\nBest regards,\nSam"
    r = rewrite(draft, MESSAGE, LATE, kb)
    assert "\n- " in r.text
    assert r.text.endswith("Best regards,\nSam")
    assert r.text.startswith("Hello,\n\n")


def test_bad_input(kb: Any) -> None:
    with pytest.raises(ValueError, match="empty"):
        rewrite("   ", MESSAGE)
    with pytest.raises(ValueError, match="purchase_date"):
        rewrite(DRAFT, MESSAGE, {"purchase_date": "last tuesday"}, kb)


def test_a_message_not_in_english_is_not_mirrored(kb: Any) -> None:
    r = rewrite(DRAFT, "Hola, quiero un reembolso de mi licuadora, por favor. Gracias.", LATE, kb)
    assert any("not used" in n for n in r.notes)
    assert "licuadora" not in r.text


PHRASES = [
    "Hi,",
    "I see what you're saying.",
    "Unfortunately we CANNOT refund this.",
    "That's against our policy.",
    "Sorry!",
    "So sorry again.",
    "As I already said, no.",
    "We can't extend the deadline.",
    "You'll have to contact the courier.",
    "We'll see what we can do.",
    "Obviously this is final.",
    "We apologize for the trouble.",
    "Thanks for your patience.",
    "Best regards,\nSam",
]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(PHRASES), min_size=1, max_size=8))
def test_property_the_decision_never_changes(kb: Any, parts: list[str]) -> None:
    draft = " ".join(parts)
    r = rewrite(draft, MESSAGE, LATE, kb)
    if r.before["is_refusal"]:
        assert r.analysis["is_refusal"] is True
    sources = (MESSAGE, *map(str, LATE.values()), str(r.decision))
    allowed = tuple(a["text"] for a in r.decision["alternatives"])
    assert check(r.text, Inputs(draft, sources, allowed, r.before["is_refusal"])) == []


def test_a_draft_over_the_limit_is_refused_with_the_limit_named() -> None:
    from tactful.analyzer.core import TextTooLarge
    from tactful.config import Limits

    small = Config(limits=Limits(max_chars=500))
    with pytest.raises(TextTooLarge, match="limits.max_chars"):
        rewrite("We can't refund this. " * 40, MESSAGE, config=small)


def test_hostile_markup_in_the_message_never_reaches_the_rewrite(kb: Any) -> None:
    hostile = (
        "I bought the <script>alert(1)</script> blender (order 5521) on March 3 "
        '<img src=x onerror="alert(2)">. I want a refund!'
    )
    r = rewrite(DRAFT, hostile, LATE, kb)
    assert "<" not in r.text and "onerror" not in r.text
    assert r.guard == [] and r.analysis["is_refusal"] is True
