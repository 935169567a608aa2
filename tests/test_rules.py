"""Every rule is data with examples; this suite runs them all."""

from __future__ import annotations

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
    result = analyze(example["text"], example.get("customer"), example.get("context"), config=config)
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


def test_rules_reference_in_docs_is_current() -> None:
    from pathlib import Path

    from tactful.rules.reference import markdown

    doc = Path(__file__).resolve().parents[1] / "docs" / "rules.md"
    assert doc.read_text(encoding="utf-8") == markdown(), (
        "regenerate: tactful rules --format markdown > docs/rules.md"
    )
