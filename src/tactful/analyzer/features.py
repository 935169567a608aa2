"""Everything the rules and the rubric read from a reply, computed once per analysis."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tactful.analyzer.mirroring import mirror
from tactful.analyzer.options import imperative_steps, option_spans, phone_numbers
from tactful.analyzer.refusal import find_refusals, self_explained
from tactful.analyzer.signals import load_signals
from tactful.contract import Span
from tactful.text import fold, mask_urls, sentence_spans, word_count
from tactful.text.patterns import WordStarts


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
    mirrored: list[Span] = field(default_factory=list)  # the customer's details, mirrored
    echoed: list[Span] = field(default_factory=list)  # stretches copied word for word (earn nothing)
    customer_details: int = 0
    topic_shared: bool = False  # reply and message name the same support topic (mirroring.yml `topic`)
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
        if signal == "mirrored":  # naming the customer's own details is an acknowledgement too
            return bool(self.mirrored)
        if signal == "topic":  # names what they raised ("refund", "seats"), if nothing more specific
            return bool(self.mirrored) or self.topic_shared
        return bool(self.spans(signal))

    def spans(self, signal: str) -> list[Span]:
        if signal == "refusal":
            return self.refusals
        found = self.signals.get(signal)
        if found is None:
            found = load_signals()[signal].find(self.text, self.folded, self.starts)
            derive = DERIVED.get(signal)
            if derive is not None:
                found = sorted(set(found).union(derive(self)))
            if signal == "acknowledgement" and found:  # inside a stock line it acknowledges nothing
                stock = {self.sentence_of(s) for s in self.spans("generic_acknowledgement")}
                found = [s for s in found if self.sentence_of(s) not in stock]
            self.signals[signal] = found
        return found

    def questions(self) -> list[Span]:
        """Sentences that ask the customer something: they invite a reply. A suggestion phrased as a
        question ("Could you try the steps here?") asks for nothing back."""
        if "?" not in self.folded:
            return []
        folded = self.folded
        return [
            s
            for s in self.sentences
            if folded[s[1] - 1] == "?" and not _SUGGESTION_QUESTION.search(folded[s[0] : s[1]])
        ]

    def sentence_of(self, span: Span) -> Span:
        return sentence_at(self.sentences, span[0]) or span


def sentence_at(sentences: list[Span], pos: int) -> Span | None:
    """The sentence holding ``pos``, by binary search over the sorted, disjoint ``sentences``: one
    lookup per finding must not cost a pass over the text (that made long replies quadratic)."""
    i = bisect_right(sentences, pos, key=lambda s: s[0]) - 1
    return sentences[i] if i >= 0 and pos < sentences[i][1] else None


# A question that only suggests a self-help step: "Could you try the steps here?", "Are you able to
# restart it by following these steps?", or one that carries a link.
_SUGGESTION_QUESTION = re.compile(
    r"\burl\b|\bare you able to (?:try|follow|force|restart|reset|use)\b|\b(?:the|these|those) steps\b|"
    r"(?:^|[.!?] |\n)\W*(?:could|can|would|will) you (?:please )?"
    r"(?:try|go through|follow|use|change|restart|reset|update|reinstall|clear|make sure)\b"
)

# Spans a signal gets from the reply's shape rather than its phrases.
DERIVED: dict[str, Callable[[Features], list[Span]]] = {
    # a question to the customer asks them to come back; a person to contact is a way forward
    "next_step": lambda f: f.questions() + f.spans("channel"),
    # "accounts can only sign up for individual plans" is the no and its why at once
    "reason": lambda f: self_explained(f.folded, f.starts, f.refusals),
}


def extract(text: str, customer: str | None = None, context: dict[str, Any] | None = None) -> Features:
    folded = mask_urls(fold(text))
    starts = WordStarts(folded)
    signals = load_signals()
    sentences = sentence_spans(text)
    alternative = sorted(
        signals["alternative"].find(text, folded, starts) + imperative_steps(folded, sentences, starts)
    )
    channel = sorted(signals["channel"].find(text, folded, starts) + phone_numbers(folded))
    help_link = signals["help_link"].find(text, folded, starts)
    feats = Features(
        text=text,
        folded=folded,
        starts=starts,
        customer=customer,
        context=context or {},
        words=word_count(text),
        signals={"alternative": alternative, "channel": channel, "help_link": help_link},
        refusals=find_refusals(text, folded, starts),
        alternatives=[],
        _sentences=sentences,
    )
    if alternative or channel or help_link:
        feats.alternatives = option_spans(text, folded, feats.sentences, alternative, channel, help_link)
    if customer:
        mirroring = mirror(folded, customer, mask_urls(fold(customer)))
        feats.customer_details = mirroring.details
        feats.mirrored = mirroring.mirrored
        feats.echoed = mirroring.echoed
        feats.topic_shared = mirroring.topic_shared
    return feats
