"""The guard on text tactful did not write itself (an LLM's polish of a draft or a rewrite).

The decision never changes: a no stays a no, and nothing new is promised or offered. So a
candidate is rejected, with every reason, when it no longer refuses where it must; when it
holds a number, date, URL or markup the inputs don't; when it promises or grants something
(``guard.yml``) the inputs don't; or when it offers an alternative that is not one the
policy allows or the original draft already made.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from tactful.text import fold
from tactful.yamldata import load_yaml

GUARD_PATH = Path(__file__).with_name("guard.yml")

_NUMBER = re.compile(r"\d+(?:[.,:/-]\d+)*")
_URL = re.compile(r"\bhttps?://\S+|\bwww\.\S+", re.IGNORECASE)
_PLACEHOLDER = re.compile(
    r"\[[^\]\n]{1,40}\]|\{[^}\n]{1,40}\}|\byour name\b|\bcustomer(?:'|’)s message:", re.IGNORECASE
)
_MARKUP = re.compile(r"<\s*/?\s*[a-z!][^>]*>", re.IGNORECASE)
_MONTHS = (  # "may" only next to a day number: "you may" is no date
    "january february march april june july august september october november december "
    "monday tuesday wednesday thursday friday saturday sunday tomorrow tonight"
).split()
_DATE_WORDS = re.compile(r"\b(?:" + "|".join(_MONTHS) + r"|may(?= \d)|(?<=\d )may)\b", re.IGNORECASE)
_WORD = re.compile(r"[a-z]+")
_STOP = frozenset(
    "a an the to of for and or in on at by with your you we i our my it this that is are be can "
    "could would will me us as if so do get".split()
)
NOVEL_WORDS = 2  # an option sentence with this many words found in no input offers something new


@dataclass(frozen=True, slots=True)
class Inputs:
    """Everything a candidate may draw on."""

    draft: str
    sources: tuple[str, ...]  # the customer's message, the policy's reason and alternatives, fact values
    allowed_alternatives: tuple[str, ...]
    must_refuse: bool
    max_chars: int | None = None  # a polish may not grow far past the text it polishes

    @property
    def corpus(self) -> str:
        return fold("\n".join((self.draft, *self.sources)))


@cache
def _promises() -> re.Pattern[str]:
    data = load_yaml(GUARD_PATH.read_text(encoding="utf-8"))
    return re.compile("|".join(f"(?:{p})" for p in data["promises"]), re.IGNORECASE)


@cache
def _intros() -> tuple[str, ...]:
    """The composer's own words around options ("Here is what I can do for you instead:")."""
    from tactful.composer.templates import load_templates

    t = load_templates()
    return (*t["alternatives_intro"].values(), *t["next_steps"], *t["next_steps_one"])


def promise_phrases(text: str) -> list[str]:
    """The promise/exception phrases in ``text`` (lower-cased), in order."""
    return [m.group(0).lower() for m in _promises().finditer(fold(text))]


def _content_words(text: str) -> set[str]:
    return {w for w in _WORD.findall(fold(text).lower()) if w not in _STOP and len(w) > 2}


def _novel_words(sentence: str, known: set[str]) -> list[str]:
    """Content words of ``sentence`` that no input holds: what a new offer is made of."""
    return sorted(_content_words(sentence) - known)


def check(candidate: str, inputs: Inputs) -> list[str]:
    """Why ``candidate`` may not replace the draft; an empty list means it may."""
    from tactful.analyzer.features import extract

    reasons: list[str] = []
    text = candidate.strip()
    if not text:
        return ["the text is empty"]
    if inputs.max_chars is not None and len(text) > inputs.max_chars:
        reasons.append(f"it is {len(text):,} characters, over the {inputs.max_chars:,} allowed")
    feats = extract(text)
    if inputs.must_refuse and not feats.refusals:
        reasons.append("it no longer says no, but the decision is a no")
    corpus = inputs.corpus
    known_numbers = set(_NUMBER.findall(corpus))
    for number in dict.fromkeys(_NUMBER.findall(text)):
        if number not in known_numbers:
            reasons.append(f"'{number}' is in no input (draft, message, policy or facts)")
    lowered = corpus.lower()  # once: lowering it per link found made many links quadratic
    for word in dict.fromkeys(w.lower() for w in _DATE_WORDS.findall(text)):
        if word not in lowered:
            reasons.append(f"the date '{word}' is in no input")
    for pattern, what in ((_URL, "link"), (_MARKUP, "markup"), (_PLACEHOLDER, "placeholder or prompt echo")):
        known = {f.lower() for f in pattern.findall(lowered)}  # a set lookup first, a text search if not
        for found in dict.fromkeys(pattern.findall(text)):
            if found.lower() not in known and found.lower() not in lowered:
                reasons.append(f"the {what} '{found}' is in no input")
    known_promises = set(promise_phrases(corpus))
    for phrase in dict.fromkeys(promise_phrases(text)):
        if phrase not in known_promises:
            reasons.append(f"'{phrase}' promises something the inputs don't")
    known_words = _content_words("\n".join((corpus, *inputs.allowed_alternatives, *_intros())))
    for sentence_span in dict.fromkeys(feats.sentence_of(span) for span in feats.spans("alternative")):
        sentence = text[slice(*sentence_span)].strip()
        novel = _novel_words(sentence, known_words)
        if len(novel) >= NOVEL_WORDS:
            reasons.append(
                f"'{sentence}' offers something outside the policy's alternatives ({', '.join(novel)})"
            )
    return reasons
