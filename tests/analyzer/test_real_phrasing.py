"""How real agents say no, offer options and follow up: the cases the analyzer got wrong on real replies.

The texts are paraphrases in the shape of real customer-care replies (the shared labelled data is never
copied into tests); each pins one judgement a reviewer makes.
"""

from __future__ import annotations

import pytest

from tactful import analyze
from tactful.analyzer.rubric import RED_BELOW
from tactful.config import Config

REFUSALS = [
    "While we don't have the streaming rights to season 5, the network has it on its own app.",
    "Per our terms, you are only allowed to have one partner account.",
    "Due to contractual agreements, you'll need to contact your carrier about this mailbox.",
    "The minimum system requirement for the app is version 13.1, see this article.",
    "I am unable to change your account via Twitter. For real-time help, use this link.",
    "No. The order already shipped. You should have checked the address before ordering.",
    "We won't be adding dark mode.",
    "Dark mode isn't on our roadmap right now.",
    "We currently don't have that feature yet. We recommend sending your comments to our feedback tool.",
    "Sorry, that is not possible. Please see this article for more information.",
]
NOT_REFUSALS = [
    "You can turn off auto-renew in your account settings at any time.",
    "Please create a support ticket so we may assist you one-on-one.",
    "Thanks for the screenshot! Does this happen on other devices too?",
    "We can't wait to see what you build with it!",
    "Your refund has been processed and should arrive in 3-5 days.",
]


@pytest.mark.parametrize("reply", REFUSALS)
def test_real_refusals_are_read_as_refusals(reply: str) -> None:
    assert analyze(reply).is_refusal


@pytest.mark.parametrize("reply", NOT_REFUSALS)
def test_help_and_answers_are_not_refusals(reply: str) -> None:
    assert not analyze(reply).is_refusal


@pytest.mark.parametrize(
    ("reply", "options"),
    [
        ("We can't add that. You can submit feedback here: https://example.com/feedback", 1),
        ("Name changes need 30 days. After 30 days have passed, you can update your name here.", 1),
        ("The free plan allows 3 devices. The Plus plan does allow for more devices.", 1),
        ("I can't refund it, but I can pause your subscription or move you to the Basic plan.", 2),
        ("We can't cancel a shipped order. You can return it free of charge within 30 days.", 1),
        ("Please try the troubleshooting steps here: https://example.com/steps", 1),
        ("If those tips don't help, call/chat us here: https://example.com/contact", 1),
        ("Here's more info about it: https://example.com/info", 0),
        ("Please see this article for more information: https://example.com/a", 0),
    ],
)
def test_options_are_counted_as_a_reviewer_counts_them(reply: str, options: int) -> None:
    assert analyze(reply).counts.alternatives == options


@pytest.mark.parametrize(
    "reply",
    [
        "Please DM us your order number.",
        "Keep us posted!",
        "We'll be here when you're ready to share those details!",
        "Which device are you using?",
        "Please create a support ticket so we may assist you one-on-one.",
        "Just reply and I'll set up whichever you prefer.",
    ],
)
def test_ways_forward_count_as_follow_up(reply: str) -> None:
    assert analyze(reply).characteristics["follow_up"].score >= 0.5


@pytest.mark.parametrize(
    "reply",
    [
        "Check out this article: https://example.com/a",
        "Could you try the steps here? https://example.com/steps",
    ],
)
def test_a_self_help_link_alone_is_no_follow_up(reply: str) -> None:
    assert analyze(reply).characteristics["follow_up"].score < 0.5


def test_boilerplate_earns_next_to_nothing() -> None:
    bare = analyze("Sorry, that is not possible.").score
    padded = analyze(
        "I understand you'd like help with this. Thank you for getting in touch with us about it. "
        "Sorry, that is not possible."
    ).score
    assert padded - bare <= 10, (bare, padded)


def test_stock_acknowledgements_earn_no_empathy() -> None:
    customer = "My blender from order 5521 stopped heating after six weeks and I want a refund."
    plain = analyze("We can't refund it.", customer).characteristics["empathy"].score
    for stock in ("I understand.", "We get where you're coming from."):
        assert analyze(f"{stock} We can't refund it.", customer).characteristics["empathy"].score <= plain


def test_naming_the_customers_details_is_empathy_and_echoing_them_is_not() -> None:
    customer = "OK it was not a full flight and the equipment change had nothing to do with my seat class."
    named = analyze("I'm sorry the equipment change cost you your seat.", customer)
    echoed = analyze(f"You said: {customer}", customer)
    assert named.characteristics["empathy"].score >= 0.5
    assert echoed.characteristics["empathy"].score < 0.5


def test_feelings_met_warmly_raise_empathy_above_a_stock_line() -> None:
    post = "I lost my job last week and I feel like a failure."
    warm = analyze("I'm so sorry you're going through this. That sounds really hard.", post)
    stock = analyze("Sorry to hear that.", post)
    cold = analyze("Have you tried updating your CV?", post)
    scores = [r.characteristics["empathy"].score for r in (warm, stock, cold)]
    assert scores[0] > scores[1] > scores[2]


@pytest.mark.parametrize(
    ("reply", "customer", "context"),
    [
        ("We refund within 60 days, so this one qualifies.", None, {"policy": {"refund_window_days": 30}}),
        (
            "Hi Maria, thanks for writing about order #B2231. We have refunded the shipping.",
            "My order 5521 arrived two weeks late. I want the shipping refunded. - Anna",
            None,
        ),
        ("No. You should have read the terms before purchasing.", None, None),
        ("Auto-renew is stated and agreed to during check out.", None, None),
    ],
)
def test_an_error_keeps_the_score_under_the_team_threshold_and_red(
    reply: str, customer: str | None, context: dict[str, object] | None
) -> None:
    result = analyze(reply, customer, context)
    assert any(f.level == "error" for f in result.findings)
    assert result.score < min(Config().thresholds.min_score, RED_BELOW)


def test_condescension_is_flagged() -> None:
    assert "tactful.tone.condescending" in [f.rule for f in analyze("Did you view our link?").findings]


def test_every_finding_points_at_a_span() -> None:
    result = analyze("No. The order already shipped. You should have checked the address before ordering.")
    assert result.findings
    for f in result.findings:
        assert 0 <= f.start < f.end <= len(result.text)
