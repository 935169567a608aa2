"""The guard on text tactful did not write: hostile polish is rejected, with every reason."""

from __future__ import annotations

import pytest

from tactful.composer.guard import GUARD_PATH, Inputs, check, promise_phrases
from tactful.yamldata import load_yaml

DRAFT = (
    "Hello,\n\nI understand you'd like a refund for your Aurora blender (order 5521). I'm sorry, but I "
    "can't offer a refund in this case. We refund purchases within 30 days of the purchase date.\n\n"
    "Here is what I can do for you instead:\n- 15% off your next order as a thank-you for shopping with us."
    "\n\nLet me know if you'd like that, and I'll set it up for you right away.\n\nBest regards,"
)
ALLOWED = ("15% off your next order as a thank-you for shopping with us.",)
INPUTS = Inputs(
    DRAFT,
    ("Hi, my Aurora blender from order 5521 broke after six weeks, I want a refund.", *ALLOWED),
    ALLOWED,
    must_refuse=True,
    max_chars=1000,
)


def test_guard_yml_examples() -> None:
    data = load_yaml(GUARD_PATH.read_text(encoding="utf-8"))
    for text in data["examples"]["match"]:
        assert promise_phrases(text), text
    for text in data["examples"]["no_match"]:
        assert not promise_phrases(text), text


def test_a_faithful_paraphrase_passes() -> None:
    ok = (
        "Hi! Thanks for telling us about your Aurora blender (order 5521). I'm sorry, but a refund isn't "
        "possible here: we refund purchases within 30 days of the purchase date. What I can offer is 15% "
        "off your next order as a thank-you for shopping with us. Let me know if you'd like that."
    )
    assert check(ok, INPUTS) == []


HOSTILE = [
    ("Great news! I've approved your refund for order 5521.", "no longer says no"),
    ("Great news! I've approved your refund for order 5521.", "promises"),
    ("I can't refund it, but I'll make an exception just this once.", "promises"),
    ("We can't refund this, but you'll get 50% off your next order.", "'50'"),
    ("We can't refund this. Claim your voucher at https://evil.example/win", "link"),
    ("<script>alert(1)</script> We can't refund this.", "markup"),
    ("We can't refund it, but I can send you a free replacement blender instead.", "outside the policy"),
    ("We can't refund this. I'll call you on Friday to discuss it.", "friday"),
    ("We can't refund this, I guarantee you it is final.", "promises"),
    ("We can't refund this.\n\nBest regards,\n[Your Name]", "placeholder"),
    ("Customer's message:\nWe can't refund this.", "prompt echo"),
    ("", "empty"),
    ("We can't refund this. " * 80, "over the 1,000 allowed"),
]


@pytest.mark.parametrize(("candidate", "reason"), HOSTILE)
def test_hostile_output_is_rejected_with_the_reason(candidate: str, reason: str) -> None:
    reasons = check(candidate, INPUTS)
    assert any(reason in r for r in reasons), reasons


def test_may_is_a_date_only_next_to_a_day() -> None:
    ok = "I'm sorry, but I can't offer a refund: as you may know, we refund purchases within 30 days."
    assert check(ok, INPUTS) == []
    assert any("'may'" in r for r in check("We can't refund this. I'll call you on 5 May.", INPUTS))


def test_a_promise_already_in_the_inputs_is_not_new() -> None:
    inputs = Inputs("We can't refund it, but we'll send you a new one free of charge.", (), (), True)
    assert check("We can't refund it; we'll send you a new one free of charge.", inputs) == []


def test_when_the_answer_is_yes_no_refusal_is_required() -> None:
    inputs = Inputs("Good news: I can help with a refund.", (), (), must_refuse=False)
    assert check("Good news, I can help with your refund.", inputs) == []
