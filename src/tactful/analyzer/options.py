"""Which sentences of a reply give the customer an option they can act on (the `alternatives` count).

Three phrase families mark an option (``signals/``): ``alternative`` (something offered instead, a self-help
step, a feedback or appeal route, "try again after X"), ``channel`` (a person or place to contact) and
``help_link`` (a resource offered as help). Two sentence-level judgements sit on top, both from how real
agents write and how a reviewer reads them (the labelling guide of the shared real replies):

* a link in a sentence that says it is only more information ("for more details, see this article") is
  no option: reading about the problem is not a way to solve it;
* a contact offered only in case ("if you have any other questions, reach out") is a way back, not an
  option for this request: it still counts as a next step (follow-up), not as an alternative.

Each option is one span: its sentence, split on a top-level " or " / "; " (two options in one sentence).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from functools import cache
from importlib import resources

from tactful.contract import Span
from tactful.text.patterns import WordStarts
from tactful.yamldata import load_yaml

_INFO_ONLY = re.compile(
    r"\b(?:for (?:more|further|additional) (?:info|information|details|updates)"
    r"|more (?:info|information|details) (?:on|about|here|at|in|regarding)"
    r"|(?:read|learn|find out|see|know) more|for (?:details|updates|news)"
    r"|for info(?:rmation)? (?:on|about))\b"
)
_IN_CASE = re.compile(
    r"\b(?:if|should|whenever|in case) (?:you |there )?"
    r"(?:have|need|run into|still|are still|get|is|'re|’re|want)(?: \w+){0,3} "
    r"(?:questions?|help|assistance|concerns?|issues?|anything|trouble|problems?|else|support)\b"
    r"|\bfeel free\b|\banything else\b|\b(?:again|back)\b(?= [^.!?\n]{0,20}(?:if|when|should|anytime))"
)
_INFO_WORDS = ("more", "info", "detail", "update", "news")
_IN_CASE_WORDS = ("if ", "should", "whenever", "in case", "feel free", "anything else", "again", "back")
_SPLIT = re.compile(r",? or (?!not\b)|; ")
# A self-help step: a verb from ``step_verbs`` (alternative.yml) opening a sentence or a clause after ':' or
# a dash, or after "please", "you can", "we recommend" ("Restart the app", "Hi Ana! Please clear the cache",
# "you can mark files as offline"). The lead is found by a regex, the verb by a set lookup.
_GREETING = re.compile(r"\s*(?:(?:@\w+|hi|hey|hello|there|again|ok|okay)[\s,!.]+)*")
_CLAUSE_MARKS = (": ", " - ")
# What may stand just before a step verb: "please", "just", "you can (also)", "we'd recommend (that you)".
_STEP_LEAD_BEFORE = re.compile(
    r"(?:^|\W)(?:please|kindly|simply|just|also|then|first|now|you (?:can|could|may|might)(?: also| still)?"
    r"|(?:we|i)(?:'d|’d| would)? (?:recommend|suggest|advise|encourage)(?: that)?(?: you)?)[\s,]+$"
)
_NEXT_WORDS = re.compile(r"([a-z][a-z'’-]*)(?: ([a-z]+))?")
_NOT_A_STEP = ("more", "out", "further")  # "see more", "find out more": reading, not doing


@cache
def _step_verbs() -> frozenset[str]:
    data = load_yaml((resources.files("tactful.analyzer") / "signals" / "alternative.yml").read_text("utf-8"))
    return frozenset(v.replace("_", " ") for v in data["step_verbs"].split())


def imperative_steps(folded: str, sentences: list[Span], starts: WordStarts) -> list[Span]:
    """Spans of the step verbs that open a sentence or a clause, or follow "please" / "you can".

    Walks the step verbs the reply actually contains (from the word index: most replies have one or
    two) and looks just behind each for what makes it a step."""
    verbs = _step_verbs()
    by_word = starts.by_word
    present = _step_first_words().intersection(by_word)
    if not present:
        return []
    sentence_starts = [s for s, _ in sentences]
    out = set()
    for word in present:
        for pos in by_word[word]:
            m = _NEXT_WORDS.match(folded, pos)
            if m is None:
                continue
            first, second = m.group(1), m.group(2)
            if second and f"{first} {second}" in verbs:
                span = m.span()
            elif first in verbs and second not in _NOT_A_STEP:
                span = m.span(1)
            else:
                continue
            if _leads_to(folded, pos, sentence_starts):
                out.add(span)
    return sorted(out)


def _leads_to(folded: str, pos: int, sentence_starts: list[int]) -> bool:
    """Is ``pos`` where a step begins: a sentence's first word after any greeting, the start of a clause
    after ':' or a dash, or just after "please", "you can", "we'd recommend"…?"""
    before = folded[max(0, pos - 48) : pos]
    if before.endswith(_CLAUSE_MARKS) or _STEP_LEAD_BEFORE.search(before):
        return True
    k = bisect_right(sentence_starts, pos) - 1
    return k >= 0 and _GREETING.match(folded, sentence_starts[k]).end() == pos  # type: ignore[union-attr]


@cache
def _step_first_words() -> frozenset[str]:
    return frozenset(v.split()[0] for v in _step_verbs())


_PHONE_WORDS = ("call", "phone", "tel", "ring", "contact", "line", "number", "reach", "dial", "text")
# A phone number to call (North American, UK and toll-free shapes). Led by a digit so ``re`` jumps from
# digit to digit; the edges are checked in Python (a digit-led pattern can't use a look-behind cheaply).
_PHONE = re.compile(
    r"\d(?:\d\d[- .]\d{3}[- .]\d{4}|-\d{3}-\d{3}-\d{4}|\d{3} ?\d{3} ?\d{4}|-8\d\d-\w{3}-\w{4})"
)


def phone_numbers(folded: str) -> list[Span]:
    """Phone numbers in the folded text (web addresses masked, so their digits don't count)."""
    for word in _PHONE_WORDS:  # a number to call comes with a word that says so (a plain loop: C-speed tests)
        if word in folded:
            break
    else:
        return []
    out = []
    for m in _PHONE.finditer(folded):
        start, end = m.span()
        if (start and (folded[start - 1].isalnum() or folded[start - 1] == "-")) or (
            end < len(folded) and folded[end].isalnum()
        ):
            continue
        out.append((start, end))
    return out


def option_spans(
    text: str,
    folded: str,
    sentences: list[Span],
    alternative: list[Span],
    channel: list[Span],
    help_link: list[Span],
) -> list[Span]:
    """One span per option offered (see the module docstring), in reply order."""
    starts = [s for s, _ in sentences]

    def sentence_of(pos: int) -> Span | None:
        k = bisect_right(starts, pos) - 1
        return sentences[k] if k >= 0 and pos < sentences[k][1] else None

    # the sentence checks run only where their words can be (a few C-speed substring tests)
    info_only = _INFO_ONLY if any(w in folded for w in _INFO_WORDS) else None
    in_case = _IN_CASE if any(w in folded for w in _IN_CASE_WORDS) else None
    chosen: set[Span] = set()
    for family, exclude in ((alternative, info_only), (channel, in_case), (help_link, info_only)):
        for start, end in family:
            sent = sentence_of(start) or (start, end)
            if sent in chosen:
                continue
            if exclude is not None and exclude.search(folded, sent[0], sent[1]):
                continue
            chosen.add(sent)
    out: list[Span] = []
    for s0, s1 in sorted(chosen):
        start = s0
        for m in _SPLIT.finditer(text, s0, s1):
            out.append((start, m.start()))
            start = m.end()
        out.append((start, s1))
    return out
