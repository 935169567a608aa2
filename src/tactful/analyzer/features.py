"""Everything the rules and the rubric read from a reply, computed once per analysis."""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field
from typing import Any

from tactful.analyzer.refusal import find_refusals
from tactful.analyzer.signals import load_signals
from tactful.model import Span
from tactful.text import fold, sentence_spans, word_count
from tactful.text.patterns import WordStarts

# Words too common in support conversations to count as a customer's own detail.
_COMMON = frozenset(
    """
    about above after again against also although always another anything around because been before
    being below between both cannot could does doing down during each either else even ever every
    from further have having here hers herself himself however into itself just know like little
    made make many maybe more most much must myself need never only other ought ours ourselves over
    own please quite rather really same should since some still such than that their theirs them
    themselves then there these they this those though through thus till under until upon very want
    wanted wants what when where whether which while whom whose will with within without would your
    yours yourself yourselves thanks thank hello dear regards best help sorry today tomorrow
    yesterday time support team customer service hope well good great okay sure able refund refunds
    order orders return returns exchange account item items product products purchase money payment
    price plan subscription request issue problem policy days week weeks month months
    """.split()
)
# Words as WordStarts sees them (\w+ runs), so a customer's detail and its echo line up.
_DETAIL = re.compile(r"\w+")


@dataclass(slots=True)
class Features:
    text: str
    folded: str  # fold(text): what case-insensitive patterns match against
    starts: WordStarts  # where folded's words start, for PhraseSet.scan
    customer: str | None
    context: dict[str, Any]
    words: int
    signals: dict[str, list[Span]]  # filled on first request (see spans): most replies need few
    refusals: list[Span]
    alternatives: list[Span]
    mirrored: list[Span] = field(default_factory=list)
    customer_details: int = 0
    _sentences: list[Span] | None = None

    @property
    def sentences(self) -> list[Span]:
        """Sentence spans, split on first use (most short replies never need them)."""
        if self._sentences is None:
            self._sentences = sentence_spans(self.text)
        return self._sentences

    def has(self, signal: str) -> bool:
        if signal == "refusal":
            return bool(self.refusals)
        if signal == "context":  # policy, history or timestamps were given
            return bool(self.context)
        if signal == "mirrored":  # echoing the customer's own details is an acknowledgement too
            return len({self.folded[s:e] for s, e in self.mirrored}) >= 2
        return bool(self.spans(signal))

    def spans(self, signal: str) -> list[Span]:
        if signal == "refusal":
            return self.refusals
        found = self.signals.get(signal)
        if found is None:
            found = self.signals[signal] = load_signals()[signal].find(self.text, self.folded, self.starts)
        return found

    def sentence_of(self, span: Span) -> Span:
        return sentence_at(self.sentences, span[0]) or span


def sentence_at(sentences: list[Span], pos: int) -> Span | None:
    """The sentence holding ``pos``, by binary search over the sorted, disjoint ``sentences``: one
    lookup per finding must not cost a pass over the text (that made long replies quadratic)."""
    i = bisect_right(sentences, pos, key=lambda s: s[0]) - 1
    return sentences[i] if i >= 0 and pos < sentences[i][1] else None


def customer_details(message: str) -> set[str]:
    """The concrete things a customer said (numbers, names, products, reasons) as folded words."""
    return {k for k in _DETAIL.findall(fold(message)) if (len(k) >= 4 or not k.isalpha())} - _COMMON


def _mirrored_spans(starts: WordStarts, details: set[str]) -> list[Span]:
    spans = [(pos, pos + len(word)) for word in details for pos in starts.by_word.get(word, ())]
    spans.sort()
    return spans


def _alternative_spans(text: str, markers: list[Span], sentences: list[Span]) -> list[Span]:
    """One span per alternative offered: each marked sentence, split on a top-level " or "."""
    seen: set[Span] = set()
    out: list[Span] = []
    for marker in markers:
        sent = sentence_at(sentences, marker[0]) or marker
        if sent in seen:
            continue
        seen.add(sent)
        piece = text[sent[0] : sent[1]]
        start = sent[0]
        for m in re.finditer(r",? or (?!not\b)|; ", piece):
            out.append((start, sent[0] + m.start()))
            start = sent[0] + m.end()
        out.append((start, sent[1]))
    return out


def extract(text: str, customer: str | None = None, context: dict[str, Any] | None = None) -> Features:
    folded = fold(text)
    starts = WordStarts(folded)
    alternative = load_signals()["alternative"].find(text, folded, starts)
    feats = Features(
        text=text,
        folded=folded,
        starts=starts,
        customer=customer,
        context=context or {},
        words=word_count(text),
        signals={"alternative": alternative},
        refusals=find_refusals(text, folded, starts),
        alternatives=[],
    )
    if alternative:
        feats.alternatives = _alternative_spans(text, alternative, feats.sentences)
    if customer:
        details = customer_details(customer)
        feats.customer_details = len(details)
        feats.mirrored = _mirrored_spans(starts, details)
    return feats
