"""Refusal detection: does a reply decline, deny, or say something cannot be done?

The phrase families live in ``signals/refusal.yml`` (data with examples, like every signal). This module
adds the sentence-level judgement a regex alone cannot make:

* a span inside a question ("Can't you see the email?", "Why isn't it possible?") is no refusal;
* a span inside a conditional clause ("if the payment doesn't go through, ...") is no refusal;
* ``soft`` phrases (availability, what a third party allows or has, a bare "sorry, no") count only when
  the reply does not also confirm that the request itself was done: "Your room is booked. They don't
  allow pets." confirms, it does not refuse. Strong phrases ("I couldn't book it") always count.

Speed: the YAML's ``cues`` are literals every match contains. Text with no cue returns at once (a few
C-speed substring searches); otherwise each phrase family is tried only at the word starts where one of
its phrases can begin (``PhraseSet.scan``), on lower-cased text without IGNORECASE, and the
sentence/clause geometry is looked up with ``str.find``/``rfind`` around each match. Bounded
repetitions only, so hostile input stays linear (tests/analyzer/test_refusal.py, 1 MB inputs).
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from functools import cache
from importlib import resources

from tactful.contract import Span
from tactful.text import fold, mask_urls
from tactful.text.patterns import PhraseSet, WordStarts, compile_patterns
from tactful.yamldata import load_yaml

__all__ = ["find_refusals", "is_refusal", "self_explained"]

# Sentence ends: terminal punctuation followed by space/end, or a line break.
# Sentence ends, found with rfind/find around a match (never a scan of the whole text).
_SENTENCE_MARKS = (". ", "! ", "? ", "?!", "\n", ".\t", "?\t", "!\t")
# Clause breaks inside a sentence (a question or condition does not reach past them); found with rfind.
_CLAUSE_MARKS = (",", ";", ":", "(", ")", "\u2014", "\u2013", " - ", " but ", " so ", " and then ")
# Words that open a conditional clause (lower case, with the space that follows them).
_CONDITIONAL_WORDS = (
    "if ",
    "unless ",
    "whether ",
    "in case ",
    "in the event ",
    "should you ",
    "as long as ",
    "make sure ",
    "ensure ",
    "to see ",
)
_LOOKBACK = 200
_WH = frozenset("why what how where when who which whose".split())
_AUX = frozenset(
    (
        "can can't cannot couldn't could would wouldn't will won't shall should shouldn't may might is isn't"
        " are aren't was wasn't were weren't do don't does doesn't did didn't have haven't has hasn't"
    ).split()
)
_SUBJECT = frozenset("you we i it they he she this that there the your my our their these those".split())
_WORD = re.compile(r"[a-z]+(?:['\u2019][a-z]+)?", re.IGNORECASE)
_NEGATED = re.compile(r"(?:\bnot|\bnever|n['\u2019]t)\s+(?:\w+\s+)?$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class _Detector:
    strong: re.Pattern[str]
    soft: re.Pattern[str]
    success: re.Pattern[str]
    exceptions: re.Pattern[str] | None
    cues: tuple[str, ...]
    # The same patterns as PhraseSets: on the fast path only the word starts where a phrase
    # can begin are tried (see tactful.text.patterns), instead of scanning whole windows.
    strong_ps: PhraseSet
    soft_ps: PhraseSet
    success_ps: PhraseSet
    exceptions_ps: PhraseSet | None
    # The same patterns with IGNORECASE, for the rare text whose lower-casing changes its length.
    strong_i: re.Pattern[str]
    soft_i: re.Pattern[str]
    success_i: re.Pattern[str]
    exceptions_i: re.Pattern[str] | None
    # Refusal families whose wording is also the reason ("G-suite accounts can only sign up for ...").
    reasoned_ps: PhraseSet


_NEVER = r"(?!)"
# A reply that is nothing but "No." is the flattest refusal of all ("'No' should never be the only
# word a customer hears", seeds/002). "No." opening a longer reply usually answers a yes/no question.
_BARE_NO = re.compile(r"\s*(no|nope)[.!]*\s*$", re.IGNORECASE)


def _compile(patterns: list[str], flags: int = 0) -> re.Pattern[str]:
    """One alternation, longest first (as the signal loader does), with a shared leading ``\\b`` hoisted
    so most positions fail at once. Compiled here, with plain ``re``, so this module's speed and
    semantics do not depend on how the shared loader evolves."""
    if not patterns:
        return re.compile(_NEVER)
    ordered = sorted(patterns, key=len, reverse=True)
    lead = "\\b" if all(p.startswith("\\b") for p in ordered) else ""
    return re.compile(lead + "(?:" + "|".join(f"(?:{p[len(lead) :]})" for p in ordered) + ")", flags)


@cache
def _detector() -> _Detector:
    """Compile ``refusal.yml`` once (read directly so a broken sibling signal file cannot break this).

    The fast path matches lower-cased text without IGNORECASE (about three times faster in ``re``);
    every pattern is written in lower case, which the tests check.
    """
    path = resources.files("tactful.analyzer") / "signals" / "refusal.yml"
    data = load_yaml(path.read_text(encoding="utf-8"))
    soft = list(data.get("soft") or [])
    soft_set = set(soft)
    strong = [p for p in data["patterns"] if p not in soft_set]
    success = list(data.get("success") or [])
    excepts = list(data.get("except") or [])
    ic = re.IGNORECASE
    return _Detector(
        strong=_compile(strong),
        soft=_compile(soft),
        success=_compile(success),
        exceptions=_compile(excepts) if excepts else None,
        cues=tuple(data.get("cues") or ()),
        strong_ps=compile_patterns(strong, ignorecase=False),
        soft_ps=compile_patterns(soft, ignorecase=False),
        success_ps=compile_patterns(success, ignorecase=False),
        exceptions_ps=compile_patterns(excepts, ignorecase=False) if excepts else None,
        strong_i=_compile(strong, ic),
        soft_i=_compile(soft, ic),
        success_i=_compile(success, ic),
        exceptions_i=_compile(excepts, ic) if excepts else None,
        reasoned_ps=compile_patterns(list(data.get("reasoned") or []), ignorecase=False),
    )


def _has_cue(low: str, cues: tuple[str, ...]) -> bool:
    """Every refusal phrase contains a cue (tests check it): no cue, no refusal, at C speed."""
    for cue in cues:  # a plain loop: cheaper than any() over a generator on this hot path
        if cue in low:
            return True
    return low.rstrip(" .!").endswith("no")


class _Context:
    """Sentence and clause geometry around a position, looked up locally (never the whole text)."""

    __slots__ = ("text", "low", "_last")

    def __init__(self, text: str) -> None:
        self.text = text
        low = text.lower()
        self.low = low if len(low) == len(text) else text
        self._last = (0, -1, False)  # (start, end, question) of the last sentence looked up

    def _sentence(self, pos: int) -> tuple[int, bool]:
        """Start of the sentence holding ``pos`` (within _LOOKBACK) and whether it ends with '?'.

        Plain ``str.rfind``/``find`` (C speed): a sentence ends at . ! ? followed by a space, or a line
        break; the end is looked for at most 2 * _LOOKBACK characters ahead."""
        start, end, question = self._last
        if start <= pos < end:
            return start, question
        low = self.low
        lo = max(0, pos - _LOOKBACK)
        start = lo
        for mark in _SENTENCE_MARKS:
            at = low.rfind(mark, lo, pos)
            if at >= 0:
                start = max(start, at + len(mark))
        hi = min(len(low), pos + 2 * _LOOKBACK)
        end, stop = hi, ""
        for mark in _SENTENCE_MARKS:
            at = low.find(mark, pos, hi)
            if 0 <= at < end:
                end, stop = at, mark
        if end == len(low) and low.rstrip().endswith("?"):
            stop = "?"
        question = stop.startswith("?")
        if stop or end == len(low):
            self._last = (start, end, question)
        return start, question

    def discounted(self, start: int, end: int) -> bool:
        """True when the span sits in a question or a conditional clause, so it states no refusal."""
        # A clause is short: look back at most _LOOKBACK characters (keeps hostile input linear).
        s_start, question = self._sentence(start)
        low = self.low
        clause_start = s_start
        for mark in _CLAUSE_MARKS:
            at = low.rfind(mark, s_start, start)
            if at >= 0:
                clause_start = max(clause_start, at + len(mark))
        for word in _CONDITIONAL_WORDS:  # C-speed substring tests, then a word-boundary check
            at = low.rfind(word, clause_start, start)
            if at >= 0 and (at == 0 or not low[at - 1].isalnum()):
                return True
        if not question:
            return False
        words = [w.lower().replace("\u2019", "'") for w in _WORD.findall(self.text, clause_start, end)[:2]]
        if not words:
            return False
        if words[0] in _WH:
            return True
        return words[0] in _AUX and len(words) > 1 and words[1] in _SUBJECT


class _Blockers:
    """Spans to test others against in O(log n): sorted starts plus the running maximum of the ends."""

    __slots__ = ("_starts", "_max_end")

    def __init__(self, spans: list[Span]) -> None:
        ordered = sorted(spans)
        self._starts = [s for s, _ in ordered]
        self._max_end: list[int] = []
        top = -1
        for _, e in ordered:
            top = max(top, e)
            self._max_end.append(top)

    def hits(self, span: Span, touching: bool = False) -> bool:
        """Does any blocker overlap ``span`` (or, with ``touching``, share an end point with it)?"""
        if touching:
            k = bisect_right(self._starts, span[1])
            return k > 0 and self._max_end[k - 1] >= span[0]
        k = bisect_left(self._starts, span[1])
        return k > 0 and self._max_end[k - 1] > span[0]


def find_refusals(text: str, folded: str | None = None, starts: WordStarts | None = None) -> list[Span]:
    """Spans of refusal statements in ``text`` (empty when the reply declines nothing).

    ``folded`` (``text.lower()`` of the same length) and its ``WordStarts`` may be passed in by a
    caller that has them already (the analyzer does)."""
    det = _detector()
    low = text.lower() if folded is None else folded
    strong: list[Span] = []
    soft: list[Span] = []
    if len(low) == len(text):
        if starts is None:
            # No word index yet: a few C-speed substring tests skip building one for most cue-less
            # replies. A caller that has the index (the analyzer) skips this; scanning it is cheaper.
            if det.cues and not _has_cue(low, det.cues):
                return []
            starts = WordStarts(low)
        subject = low
        strong = [m.span() for m in det.strong_ps.scan(low, starts)]
        soft = [m.span() for m in det.soft_ps.scan(low, starts)]
        found_except = (
            [m.span() for m in det.exceptions_ps.scan(low, starts)] if det.exceptions_ps is not None else []
        )
        success_matches = lambda: det.success_ps.scan(low, starts)  # noqa: E731 - only needed sometimes
    else:  # lower-casing changed offsets (e.g. "İ"): match the original text case-insensitively
        subject = text
        strong = [m.span() for m in det.strong_i.finditer(text)]
        soft = [m.span() for m in det.soft_i.finditer(text)]
        found_except = [m.span() for m in det.exceptions_i.finditer(text)] if det.exceptions_i else []
        success_matches = lambda: list(det.success_i.finditer(text))  # noqa: E731
    bare = _BARE_NO.match(text)
    if bare:
        strong.insert(0, bare.span(1))
    if not strong and not soft:
        return []
    if found_except:  # same rule as Signal.find: an except phrase touching a match cancels it
        blocked = _Blockers(found_except)
        strong = [s for s in strong if not blocked.hits(s, touching=True)]
        soft = [s for s in soft if not blocked.hits(s, touching=True)]
    ctx = _Context(text)
    strong = [s for s in strong if not ctx.discounted(*s)]
    refusals = _Blockers(strong)
    soft = [s for s in soft if not ctx.discounted(*s) and not refusals.hits(s)]
    if soft and _confirms_success(subject, ctx, refusals, success_matches()):
        soft = []
    if not soft:
        return strong
    return sorted(strong + soft)


def _confirms_success(text: str, ctx: _Context, refusals: _Blockers, success: list[re.Match[str]]) -> bool:
    """Does the reply say, outside questions and conditions, that the request itself was done?"""
    for m in success:
        span = m.span()
        if refusals.hits(span) or _NEGATED.search(text, max(0, span[0] - 16), span[0]):
            continue
        if not ctx.discounted(*span):
            return True
    return False


def self_explained(folded: str, starts: WordStarts, refusals: list[Span]) -> list[Span]:
    """The refusals whose own wording gives the reason: a rights, eligibility, requirement, scope or
    who-handles-it phrase (``reasoned`` in refusal.yml) that overlaps a refusal span."""
    if not refusals:
        return []
    blockers = _Blockers(refusals)
    return [m.span() for m in _detector().reasoned_ps.scan(folded, starts) if blockers.hits(m.span())]


def is_refusal(text: str) -> bool:
    """Whether the reply declines, denies, or says something cannot be done: exactly what ``analyze``
    decides (the same folded text with web addresses masked), so a caller that filters with it (``tactful
    qa``) never drops a refusal the full analysis would find."""
    return bool(find_refusals(text, mask_urls(fold(text))))
