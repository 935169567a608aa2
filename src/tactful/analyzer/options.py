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

from tactful.model import Span

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
_SPLIT = re.compile(r",? or (?!not\b)|; ")


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

    chosen: set[Span] = set()
    for family, exclude in ((alternative, _INFO_ONLY), (channel, _IN_CASE), (help_link, _INFO_ONLY)):
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
