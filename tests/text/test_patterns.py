"""The pre-checks (literals, word starts) must never change what a pattern finds, only skip work."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tactful.analyzer.signals import load_signals
from tactful.rules import load_rules
from tactful.text import fold
from tactful.text.patterns import (
    PhraseSet,
    WordStarts,
    compile_patterns,
    first_pairs,
    first_words,
    lower_literals,
    required_literals,
)

PHRASE_SETS: list[PhraseSet] = [s.regex for s in load_signals().values()]
PHRASE_SETS += [s.exceptions for s in load_signals().values() if s.exceptions is not None]
PHRASE_SETS += [r.regex for r in load_rules() if r.regex is not None]
EXAMPLES = [
    ex if isinstance(ex, str) else ex["text"]
    for r in load_rules()
    for kind in ("bad", "good")
    for ex in r.examples[kind]
] + [t for s in load_signals().values() for k in ("match", "no_match") for t in s.examples.get(k, [])]
LITERALS = sorted({lit for ps in PHRASE_SETS if ps.gate for lit in ps.gate})


def _same(text: str) -> None:
    low = fold(text)
    starts = WordStarts(low)
    for ps in PHRASE_SETS:
        plain = [m.span() for m in ps.regex.finditer(low)]
        assert [m.span() for m in ps.finditer(low)] == plain, ps.regex.pattern
        assert [m.span() for m in ps.scan(low, starts)] == plain, ps.regex.pattern


def test_precheck_is_exact_on_every_example() -> None:
    for text in EXAMPLES:
        _same(text)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(LITERALS), st.text(max_size=6)), max_size=12))
def test_precheck_is_exact_on_literal_soup(parts: list[str]) -> None:
    _same(" ".join(parts))


def test_precheck_is_exact_on_real_replies(shared_data: Path) -> None:
    with open(shared_data / "real-replies" / "twcs_first_1000_rows.csv", encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            _same(row["text"])


@pytest.mark.parametrize(
    ("pattern", "literals"),
    [
        (r"\bsorry\b", ("sorry",)),
        (r"\b(?:i|we)(?:'ll| will) (?:follow up|get back)\b", ("get back", "follow up")),
        (r"\b[A-Z]{2,}\b", None),
        (r"\bno\b", None),
    ],
)
def test_required_literals(pattern: str, literals: tuple[str, ...] | None) -> None:
    assert required_literals([pattern]) == literals


def test_lower_literals_keeps_escapes() -> None:
    assert lower_literals(r"\bRMA\S+\D") == r"\brma\S+\D"
    named = compile_patterns([r"\bFoo\b", r"\bbar baz\b"], named=True)
    assert [m.lastgroup for m in named.finditer("a foo and a bar baz")] == ["p0", "p1"]
    assert isinstance(named.regex, re.Pattern)


@pytest.mark.parametrize(
    ("pattern", "index"),
    [
        (r"\bsorry\b", (("sorry",), ())),
        (r"\b(?:i am|i'm|we are)\s+(?:so\s+)?sorry\b", (("i", "we"), ())),
        (r"\bapologi[sz]e\b", (("apologise", "apologize"), ())),
        (r"\bunderstandabl\w\b", ((), ("und",))),
        (r"\bcan(?:'|’)?t\b", (("can", "cant"), ())),
        (r"\b(?:as an |an )?alternatives?\b", (("alternative", "alternatives", "an", "as"), ())),
        (r"sorry", None),  # may start inside a word
        (r"\b[a-z]+ly\b", None),  # no literal first word
    ],
)
def test_first_words(pattern: str, index: tuple[tuple[str, ...], tuple[str, ...]] | None) -> None:
    assert first_words([pattern]) == index


@pytest.mark.parametrize(
    ("pattern", "pairs"),
    [
        (r"\bwe can't\b", (("we", "can"),)),  # "can't" is the words "can" and "t"
        (
            r"\byou(?:'d| would)? (?:like|want)\b",
            (("you", "d"), ("you", "like"), ("you", "want"), ("you", "would")),
        ),
        (r"\bit(?:'s| is) (?:very )?simple\b", (("it", "is"), ("it", "s"))),
        (r"\bapologi[sz]e for\b", (("apologise", "for"), ("apologize", "for"))),
        (
            r"\b(?:i|we)\s+(?:just\s+)?can(?:'|’)?t\b",
            (("i", "can"), ("i", "cant"), ("i", "just"), ("we", "can"), ("we", "cant"), ("we", "just")),
        ),
        (r"\bsorry\b", (("sorry", ""),)),  # one word: any second word ("") may follow
        (r"\bsorry to", (("sorry", ""),)),  # the second word may go on ("sorry tomorrow")
        (r"\bwe\s*can\b", (("we", "can"), ("wecan", ""))),  # "wecan" is one word
        (r"\bthe (?:\w+ )?team\b", (("the", ""), ("the", "team"))),  # the second word may be any word
        (r"\bsorr[a-z]+ to\b", None),  # the first word is open: filed by its first letters instead
        (r"\b(?i:we) can\b", None),  # inline flags: letters of other cases
        (r"we can", None),  # may start inside a word
    ],
)
def test_first_pairs(pattern: str, pairs: tuple[tuple[str, str], ...] | None) -> None:
    assert first_pairs([pattern]) == pairs


def test_a_phrase_filed_by_its_first_two_words_is_found_wherever_they_are() -> None:
    phrases = compile_patterns([r"\bwe can(?:'|’)?t\b", r"\bwe\b(?! can)", r"\bi(?:'m| am) sorry\b"])
    text = "we can't, we cant. we won't; i'm sorry i am sorry we can’t we"
    starts = WordStarts(text)
    assert [m.span() for m in phrases.scan(text, starts)] == [m.span() for m in phrases.regex.finditer(text)]


def test_a_phrase_set_compiled_after_the_index_is_still_scanned() -> None:
    starts = WordStarts("we can't refund this")
    early = compile_patterns([r"\bwe can\b"])
    assert [m.group() for m in early.scan(starts.text, starts)] == ["we can"]
    late = compile_patterns([r"\brefund this\b"])  # registered after starts built its index
    assert [m.group() for m in late.scan(starts.text, starts)] == ["refund this"]


def test_both_apostrophes_of_one_contraction_index_the_phrase_once() -> None:
    phrases = compile_patterns([r"\b(?:'d|’d) love to\b"], named=True)
    starts = WordStarts("we’d love to, and we'd love to")
    assert [m.group() for m in phrases.scan(starts.text, starts)] == ["’d love to", "'d love to"]


def test_fold_joins_wrapped_lines_and_keeps_offsets() -> None:
    text = "We can't refund it: that's against our\npolicy.\nThanks.\n\nBest,\n- option\nSam"
    low = fold(text)
    assert len(low) == len(text)
    assert "against our policy." in low  # a wrapped line: the break becomes a space
    assert "policy.\nthanks." in low and "\n\nbest,\n- option\nsam" in low  # real breaks stay


def test_rules_match_a_phrase_wrapped_across_lines() -> None:
    from tactful import analyze

    wrapped = analyze("Sorry, but that's against our\npolicy.")
    assert "tactful.positive.negative_framing" in {f.rule for f in wrapped.findings}


def test_the_shipped_pattern_index_is_current(tmp_path: Path) -> None:
    """patterns_index.json holds exactly what the shipped patterns work out to, freshly computed
    (regenerate with `python scripts/write_pattern_index.py`)."""
    import subprocess
    import sys
    from importlib import resources

    fresh = tmp_path / "index.json"
    script = Path(__file__).resolve().parents[2] / "scripts" / "write_pattern_index.py"
    subprocess.run(
        [sys.executable, str(script), "--out", str(fresh)], check=True, capture_output=True, text=True
    )
    shipped = resources.files("tactful.text").joinpath("patterns_index.json").read_text("utf-8")
    assert fresh.read_text("utf-8") == shipped, "stale: run python scripts/write_pattern_index.py"


def test_a_pattern_the_index_does_not_know_is_worked_out() -> None:
    from tactful.text import patterns

    assert patterns.first_words([r"\bzebra crossings?\b"]) == (("zebra",), ())
    assert patterns.required_literals([r"\bzebra crossings?\b"]) == ("zebra crossing",)
    assert patterns.first_words([r"crossing"]) is None and patterns.required_literals([r"\w+"]) is None
