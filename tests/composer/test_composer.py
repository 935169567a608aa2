"""compose(): deterministic drafts from message + KB decision + facts, every draft analyzed."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from tactful.composer import Draft, compose, load_templates
from tactful.config import Config, Style, Thresholds
from tactful.kb import STORE_EXAMPLE, load_kb

MESSAGE = (
    "Hi, I want a refund for order #A1234, the blue jacket I bought on 2026-01-05. It does not fit. Thanks"
)
LATE = {"purchase_date": "2026-01-05", "today": "2026-03-01"}  # 55 days: refuse, store credit offered
IN_WINDOW = {"purchase_date": "2026-02-20", "today": "2026-03-01", "amount": 80}
STORE_CREDIT = "Store credit for the full purchase price, usable on anything in the shop."
NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


@pytest.fixture(scope="module")
def kb() -> Any:
    return load_kb(STORE_EXAMPLE)


def test_refusal_out_of_window(kb: Any) -> None:
    [draft] = compose(MESSAGE, LATE, kb)
    assert isinstance(draft, Draft)
    assert draft.decision["outcome"] == "refuse"
    assert draft.analysis["is_refusal"] is True
    assert draft.analysis["score"] >= 70
    assert draft.below_threshold is False
    assert "A1234" in draft.text
    assert "blue jacket" in draft.text
    assert STORE_CREDIT in draft.text
    assert "30 days" in draft.text  # the policy's reason
    assert draft.text.rstrip().endswith("Best regards,")
    # alternatives closest-first, as decided
    texts = [a["text"] for a in draft.decision["alternatives"]]
    positions = [draft.text.index(t) for t in texts]
    assert positions == sorted(positions)
    assert {s["from"] for s in draft.sources} >= {"message", "kb", "template", "config"}


def test_in_window_allows(kb: Any) -> None:
    [draft] = compose(MESSAGE, IN_WINDOW, kb)
    assert draft.decision["outcome"] == "allow"
    assert draft.analysis["is_refusal"] is False
    assert "A1234" in draft.text
    assert STORE_CREDIT not in draft.text


def test_missing_purchase_date_asks_for_it(kb: Any) -> None:
    undated = "Hi, I want a refund for order #A1234, the blue jacket. It does not fit. Thanks"
    [draft] = compose(undated, {"today": "2026-03-01", "amount": 80}, kb)
    assert draft.decision["outcome"] == "needs_info"
    assert draft.decision["missing"] == ["purchase_date"]
    assert "date you bought it?" in draft.text
    assert STORE_CREDIT not in draft.text


def test_needs_approval_promises_no_outcome(kb: Any) -> None:
    facts = {**IN_WINDOW, "amount": 300, "follow_up_by": "tomorrow at noon"}
    [draft] = compose(MESSAGE, facts, kb)
    assert draft.decision["outcome"] == "needs_approval"
    assert "manager" in draft.text
    assert "tomorrow at noon" in draft.text
    assert "refund is approved" not in draft.text.lower()


def test_channels_differ(kb: Any) -> None:
    drafts = {ch: compose(MESSAGE, LATE, kb, channel=ch)[0] for ch in ("email", "chat", "social")}
    email, chat, social = drafts["email"], drafts["chat"], drafts["social"]
    assert len(social.text) < len(chat.text) < len(email.text)
    assert "Best regards" in email.text
    assert "Best regards" not in chat.text and "Best regards" not in social.text
    assert "A1234" in chat.text
    assert "A1234" not in social.text and "blue jacket" not in social.text
    assert re.search(r"private|DM", social.text)
    for d in drafts.values():
        assert d.channel in ("email", "chat", "social")
        assert d.decision["outcome"] == "refuse"


def test_variants_distinct_and_deterministic(kb: Any) -> None:
    for channel in ("email", "chat", "social"):
        first = compose(MESSAGE, LATE, kb, channel=channel, variants=3)
        again = compose(MESSAGE, LATE, kb, channel=channel, variants=3)
        assert [d.text for d in first] == [d.text for d in again]
        assert len({d.text for d in first}) == 3
        assert [d.variant for d in first] == [0, 1, 2]


def _inputs(message: str, facts: dict[str, Any], draft: Draft, kb: Any) -> str:
    policy = kb.get(draft.decision["policy"]["id"]) if draft.decision["policy"] else None
    kb_text = json.dumps(draft.decision) + (policy.title + policy.reason if policy else "")
    return message + " " + json.dumps(facts, default=str) + " " + kb_text


CASES = [
    (MESSAGE, LATE),
    (MESSAGE, IN_WINDOW),
    (MESSAGE, {"today": "2026-03-01"}),
    (MESSAGE, {**IN_WINDOW, "amount": 250}),
    (MESSAGE, {**LATE, "customer_tier": "vip", "item_defective": True}),
    ("I bought shoes for $49.99 two months ago and want my money back, order 778812.", LATE),
    ("Can I get a discount code? I'm buying 3 lamps.", {"newsletter_subscriber": False}),
    ("Please change my delivery date for order 5521", {"order_status": "shipped", "today": "2026-03-01"}),
]


@pytest.mark.parametrize(("message", "facts"), CASES)
def test_nothing_made_up(kb: Any, message: str, facts: dict[str, Any]) -> None:
    all_alternatives = {a.text for p in kb.policies.values() for a in p.alternatives}
    for channel in ("email", "chat", "social"):
        for draft in compose(message, facts, kb, channel=channel, variants=3):
            inputs = _inputs(message, facts, draft, kb)
            for number in NUMBER.findall(draft.text):
                if channel == "chat" and re.search(rf"\({number}\)", draft.text):
                    continue  # the "(1) (2) (3)" list markers in chat
                assert number in inputs, f"{number!r} made up in {channel} draft:\n{draft.text}"
            offered = {a["text"] for a in draft.decision["alternatives"]}
            for alt in all_alternatives:
                if alt in draft.text:
                    assert alt in offered, f"alternative not from the decision: {alt}"
            for src in draft.sources:
                if src["part"] == "alternative":
                    assert src["text"] in offered


def test_templates_hold_no_numbers() -> None:
    def walk(node: Any) -> list[str]:
        if isinstance(node, dict):
            return [s for v in node.values() for s in walk(v)]
        if isinstance(node, list):
            return [s for v in node for s in walk(v)]
        return [str(node)]

    assert not [s for s in walk(load_templates()) if re.search(r"\d", s)]


def test_below_threshold_is_flagged_not_dropped(kb: Any) -> None:
    strict = Config(thresholds=Thresholds(min_score=100))
    drafts = compose(MESSAGE, LATE, kb, channel="social", config=strict, variants=2)
    assert len(drafts) == 2
    assert all(d.below_threshold for d in drafts)
    assert all(d.analysis["score"] < 100 for d in drafts)


def test_sign_off_from_config(kb: Any) -> None:
    cfg = Config(style=Style(sign_off="Warm wishes", agent_name="Sam", formality="formal"))
    [draft] = compose(MESSAGE, LATE, kb, config=cfg)
    assert draft.text.startswith("Dear customer,")
    assert draft.text.rstrip().endswith("Warm wishes,\nSam")


@pytest.mark.parametrize("message", ["", "   \n"])
def test_empty_message_raises(kb: Any, message: str) -> None:
    with pytest.raises(ValueError, match="empty"):
        compose(message, LATE, kb)


def test_bad_arguments(kb: Any) -> None:
    with pytest.raises(ValueError, match="channel"):
        compose(MESSAGE, LATE, kb, channel="fax")
    with pytest.raises(ValueError, match="variants"):
        compose(MESSAGE, LATE, kb, variants=0)


def test_to_dict_is_json(kb: Any) -> None:
    [draft] = compose(MESSAGE, LATE, kb)
    data = json.loads(json.dumps(draft.to_dict()))
    assert data["decision"]["outcome"] == "refuse"
    assert data["text"] == draft.text


@pytest.mark.parametrize(
    ("message", "said"),
    [
        ("Hola, quiero un reembolso de mi pedido 1234 por favor, no me gusta nada.", "English"),
        ("refund please " * 100_000, "limit"),
    ],
)
def test_a_message_that_was_not_understood_gets_no_draft(message: str, said: str) -> None:
    with pytest.raises(ValueError, match="cannot draft a reply") as info:
        compose(message, {"purchase_date": "2026-09-01", "today": "2026-11-23"}, load_kb(STORE_EXAMPLE))
    assert said.lower() in str(info.value).lower()
