"""The shipped politeness model: range, ordering, robustness, no heavy imports, small file."""

from __future__ import annotations

import json
import subprocess
import sys
from importlib import resources

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tactful.analyzer import politeness
from tactful.analyzer.politeness import feature_keys, score

POLITE = [
    "Thank you so much for your help! Could you please take a look when you have a moment?",
    "Hi, thanks for the quick reply. Would you mind checking the order number again? I appreciate it.",
    "Great answer, thanks! I wonder if you could add an example for the second case?",
]
RUDE = [
    "Why did you delete my edit? Fix it now.",
    "What is wrong with you? This is a stupid answer.",
    "Did you even read my question? Stop wasting my time.",
]
ODD = [
    "",
    " ",
    "\n\t\r",
    "?",
    "!!!!!!!!",
    "<url>",
    "<url> <url> <url>",
    "\x00\x01\x02\xff\ufffd",
    "😀🙏 thanks 🙏",
    "ＴＨＡＮＫＳ",
    "ǅ İstanbul ß ﬁ",
    "a" * 10_000,
    "don’t can't won't ’’’ '''",
    "((((((((((((((((((((((((((((((((",
    bytes(range(256)).decode("latin-1"),
]


@pytest.mark.parametrize("text", POLITE + RUDE + ODD)
def test_score_in_unit_interval(text: str) -> None:
    s = score(text)
    assert isinstance(s, float)
    assert 0.0 <= s <= 1.0


def test_huge_text_is_fine() -> None:
    text = ("Could you please have a look? Thanks! Why not now? " * 20_000)[:1_000_000]
    assert 0.0 <= score(text) <= 1.0


def test_empty_text_is_neutral() -> None:
    assert 0.2 < score("") < 0.8
    assert score("") == score("   \n")


@pytest.mark.parametrize("polite", POLITE)
@pytest.mark.parametrize("rude", RUDE)
def test_polite_above_rude(polite: str, rude: str) -> None:
    assert score(polite) > score(rude)


def test_the_brief_pair_spreads() -> None:
    polite = score("Thank you so much for your help! Could you please take a look when you have a moment?")
    rude = score("Why did you delete my edit? Fix it now.")
    assert polite > 0.7
    assert rude < 0.3


def test_features_are_deterministic_and_positional() -> None:
    keys = feature_keys("Please fix it. Why?")
    assert keys == feature_keys("Please fix it. Why?")
    assert "<s> please" in keys and "^please" in keys and "^why" in keys and "? </s>" in keys
    assert "^DIRECT_QUESTION" in keys
    assert "1:DIRECT_QUESTION" not in keys  # "why" is not in the first sentence


def test_curly_apostrophe_is_normalized() -> None:
    assert score("I don’t think so") == score("I don't think so")


def test_no_numpy_or_sklearn_at_inference() -> None:
    code = (
        "import sys\n"
        "import tactful.analyzer.politeness as p\n"
        "assert p._model is None, 'model loaded at import'\n"
        "p.score('Thanks, could you help?')\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in {'numpy', 'sklearn', 'scipy', 'torch'})\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_model_file_is_small_and_documented() -> None:
    ref = resources.files("tactful.analyzer").joinpath("politeness_model.json")
    raw = ref.read_bytes()
    assert len(raw) < 1_000_000
    data = json.loads(raw)
    for key in ("version", "feature_version", "training_command", "cv", "feature_config", "weights"):
        assert key in data
    assert data["feature_version"] == politeness.FEATURE_VERSION
    assert "train_politeness.py" in data["training_command"]
    for domain in ("wikipedia", "stack-exchange"):
        assert 0.5 < data["cv"][domain]["accuracy"] <= 1.0
    assert data["scale"] > 0
    assert all(len(f"{w:g}") <= 12 for w in data["weights"].values())


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_score_never_raises_and_stays_in_range(text: str) -> None:
    s = score(text)
    assert 0.0 <= s <= 1.0


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            ["please", "could", "you", "thanks", "why", "so", "?", "!", ".", "i", "we", "sorry", "hi", "x"]
        )
        | st.text(max_size=8),
        max_size=30,
    )
)
def test_folded_tables_equal_the_sum_over_feature_keys(parts: list[str]) -> None:
    from itertools import repeat

    text = " ".join(parts)
    weights, bias, _, _ = politeness._load()
    expected = bias + sum(map(weights.get, politeness.feature_keys(text), repeat(0.0)))
    assert politeness.linear(text) == pytest.approx(expected, abs=1e-9)


@pytest.mark.parametrize("text", ["1O", "1please do it", "Thanks. 1st question: could you help?"])
def test_a_sentence_starting_with_a_1_token_scores_as_its_feature_keys(text: str) -> None:
    """A start key "^1o" looks like a first-sentence key ("^1" + word); the folded tables must not drop it
    (hypothesis found "1O")."""
    from itertools import repeat

    weights, bias, _, _ = politeness._load()
    expected = bias + sum(map(weights.get, politeness.feature_keys(text), repeat(0.0)))
    assert politeness.linear(text) == pytest.approx(expected, abs=1e-9)
