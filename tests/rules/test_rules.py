"""Every rule is data with examples; this suite runs them all."""

from __future__ import annotations

import tempfile
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from tactful import analyze
from tactful.analyzer.signals import load_signals
from tactful.config import Config, parse_config
from tactful.rules import load_rules
from tactful.rules.engine import RuleError, _rule_from_data

RULES = load_rules()
# Every house-style rule is exercised at its strictest setting.
STRICT = parse_config({"style": {"regret_words": "warning"}})


def _cases(kind: str) -> list[tuple[str, Any]]:
    return [(rule.id, ex) for rule in RULES for ex in rule.examples[kind]]


def _run(example: Any, config: Config) -> list[str]:
    if isinstance(example, str):
        example = {"text": example}
    if "earlier" in example:
        return _run_with_memory(example, config)
    result = analyze(example["text"], example.get("customer"), example.get("context"), config=config)
    return [f.rule for f in result.findings]


def _run_with_memory(example: dict[str, Any], config: Config) -> list[str]:
    """A memory rule's example, as the store judges it: the ``earlier`` replies logged for one
    customer (``days_ago``, default 1), then the reply analyzed against them."""
    from tactful.store import open_store

    now = datetime.now(timezone.utc)
    with (
        tempfile.TemporaryDirectory() as folder,
        open_store(f"sqlite:///{folder}/s.db", config=config) as store,
    ):
        for earlier in example["earlier"]:
            store.log_reply(
                "customer",
                earlier["text"],
                sent_at=now - timedelta(days=earlier.get("days_ago", 1)),
                request_type=earlier.get("request_type"),
                topic=earlier.get("topic"),
            )
        result = store.analyze(
            "customer",
            example["text"],
            customer_message=example.get("customer"),
            request_type=example.get("request_type"),
            topic=example.get("topic"),
        )
    return [f.rule for f in result.findings]


@pytest.mark.parametrize(("rule_id", "example"), _cases("bad"), ids=lambda v: v if isinstance(v, str) else "")
def test_bad_example_triggers_its_rule(rule_id: str, example: Any) -> None:
    assert rule_id in _run(example, STRICT)


@pytest.mark.parametrize(
    ("rule_id", "example"), _cases("good"), ids=lambda v: v if isinstance(v, str) else ""
)
def test_good_example_does_not_trigger_its_rule(rule_id: str, example: Any) -> None:
    assert rule_id not in _run(example, STRICT)


def test_the_issue_failure_modes_all_have_rules() -> None:
    ids = {r.id for r in RULES}
    expected = {
        "tactful.apology.over_apology",
        "tactful.apology.fake_regret",
        "tactful.reason.blame_shift",
        "tactful.tone.blame_customer",
        "tactful.reason.missing",
        "tactful.clarity.false_hope",
        "tactful.empathy.generic_acknowledgement",
        "tactful.alternatives.none",
        "tactful.alternatives.too_many",
        "tactful.reason.over_explaining",
        "tactful.tone.condescending",
        "tactful.positive.negative_framing",
        "tactful.clarity.jargon",
        "tactful.gratitude.no_thanks",
        "tactful.follow_up.dead_end",
        "tactful.tone.shouting",
    }
    assert expected <= ids


def test_every_rule_cites_a_source_and_ids_follow_paths() -> None:
    for rule in RULES:
        assert rule.source.strip(), rule.id
        assert rule.id.startswith("tactful."), rule.id


# A valid existence rule; each case below breaks one thing about it.
_VALID = {
    "extends": "existence",
    "characteristic": "empathy",
    "message": "m",
    "suggestion": "s",
    "source": "seed",
    "tokens": ["x"],
    "examples": {"bad": ["x"], "good": ["y"]},
}
_NO_EXAMPLES = {k: v for k, v in _VALID.items() if k != "examples"}
_OCCURRENCE = {**_NO_EXAMPLES, "extends": "occurrence", "signal": "apology", "examples": _VALID["examples"]}
del _OCCURRENCE["tokens"]


@pytest.mark.parametrize(
    ("data", "error"),
    [
        (_NO_EXAMPLES, "missing 'examples'"),
        ({**_VALID, "examples": {"bad": ["x"]}}, "both 'bad' and 'good'"),
        ({"extends": "magic"}, "'extends' must be one of"),
        ({**_VALID, "characteristic": "charm"}, "unknown characteristic"),
        ({**_VALID, "typo": 1}, "typo"),
        (_OCCURRENCE, "exactly one of"),
    ],
)
def test_malformed_rules_are_rejected_with_the_file_named(data: dict[str, Any], error: str) -> None:
    with pytest.raises(RuleError, match=error) as info:
        _rule_from_data("tactful.test.rule", data, "styles/tactful/test/rule.yml")
    assert "styles/tactful/test/rule.yml" in str(info.value)


@pytest.mark.parametrize("name", sorted(load_signals()))
def test_signal_examples(name: str) -> None:
    signal = load_signals()[name]
    assert signal.examples.get("match") and signal.examples.get("no_match"), f"{name} needs examples"
    for text in signal.examples["match"]:
        assert signal.find(text), f"{name} should match {text!r}"
    for text in signal.examples["no_match"]:
        assert not signal.find(text), f"{name} should not match {text!r}"


def test_config_switches_rule_families_off_by_prefix() -> None:
    text = "We CANNOT do that!!! As I already said, no."
    on = {f.rule for f in analyze(text).findings}
    off = {
        f.rule for f in analyze(text, config=parse_config({"rules": {"disable": ["tactful.tone"]}})).findings
    }
    assert {"tactful.tone.shouting", "tactful.tone.condescending"} <= on
    assert not any(r.startswith("tactful.tone.") for r in off)
    back = parse_config({"rules": {"disable": ["tactful.tone"], "enable": ["tactful.tone.shouting"]}})
    assert "tactful.tone.shouting" in {f.rule for f in analyze(text, config=back).findings}


def test_house_style_decides_fake_regret() -> None:
    text = "Unfortunately, we can't extend the deadline because the venue is booked, but you can join in May."
    levels = {}
    for style in ("off", "suggestion", "warning"):
        cfg = parse_config({"style": {"regret_words": style}})
        levels[style] = [
            f.level for f in analyze(text, config=cfg).findings if f.rule.endswith("fake_regret")
        ]
    assert levels == {"off": [], "suggestion": ["suggestion"], "warning": ["warning"]}


def test_level_override_from_config() -> None:
    cfg = parse_config({"rules": {"levels": {"tactful.alternatives.none": "error"}}})
    found = [
        f
        for f in analyze("We can't refund this.", config=cfg).findings
        if f.rule == "tactful.alternatives.none"
    ]
    assert found and found[0].level == "error"


def test_memory_rules_run_in_the_store_with_the_config_levels() -> None:
    [rule] = [r for r in RULES if r.id == "tactful.store.repeated_no"]
    example = rule.examples["bad"][0]
    assert not [f for f in analyze(example["text"]).findings if f.rule.startswith("tactful.store.")]
    louder = parse_config({"rules": {"levels": {"tactful.store.repeated_no": "error"}}})
    from tactful.store import open_store

    with (
        tempfile.TemporaryDirectory() as folder,
        open_store(f"sqlite:///{folder}/s.db", config=louder) as store,
    ):
        store.log_reply("c", example["earlier"][0]["text"], request_type="discount")
        found = store.analyze("c", example["text"], request_type="discount").findings
    assert [f.level for f in found if f.rule == rule.id] == ["error"]


def test_rules_reference_in_docs_is_current() -> None:
    from pathlib import Path

    from tactful.rules.reference import markdown

    doc = Path(__file__).resolve().parents[2] / "docs" / "rules.md"
    assert doc.read_text(encoding="utf-8") == markdown(), (
        "regenerate: tactful rules --format markdown > docs/rules.md"
    )
