"""Lexicons for understanding customer messages: YAML data with examples, like the analyzer's signals.

A family file (``lexicons/requests.yml``, ``moods.yml``, ``escalation.yml``, ``reasons.yml``) holds
``entries``; each entry has case-insensitive regex ``patterns`` (weight 1), optional ``weak``
patterns (weight 0.5), optional ``except`` phrases that cancel an overlapping match, an optional
``weight`` multiplier, and ``examples: {match: [...], no_match: [...]}`` that the tests run. A
family may set ``negation``: a regex matched against the 40 characters before a match (it must
end with ``$``); when it matches, the match does not count ("I don't want a refund"). ``moods.yml``
also has ``calm``: patterns (with examples) for thanks and praise, which make "!!" read as
enthusiasm rather than anger, and ``faces``: emoji and emoticons per feeling, matched as plain
strings by one scan (a regex per face would cost more than the rest of the family together).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml

from tactful.contract import Span
from tactful.text import fold
from tactful.text.patterns import (
    PhraseSet,
    WordStarts,
    compile_patterns,
    first_words,
    lower_literals,
    required_literals,
)
from tactful.yamldata import load_yaml

FAMILIES: tuple[str, ...] = ("requests", "moods", "escalation", "reasons")
WEAK = 0.5
_NEGATION_WINDOW = 40


@dataclass(frozen=True, slots=True)
class Hit:
    start: int
    end: int
    weight: float

    @property
    def span(self) -> Span:
        return (self.start, self.end)


@dataclass(frozen=True, slots=True)
class Entry:
    """One lexicon entry's data; matching is done by its :class:`Family` in one scan."""

    family: str
    name: str
    description: str
    source: str
    advice: str
    weight: float
    patterns: tuple[str, ...]
    weak: tuple[str, ...]
    exceptions: PhraseSet | None
    examples: dict[str, list[str]]

    def find(self, text: str) -> list[Hit]:
        """This entry's counted matches in ``text`` (as the whole family scan finds them)."""
        return load_family(self.family).find(text).get(self.name, [])


class Family:
    """All entries of one lexicon file compiled into a single phrase set: one scan per message.

    Patterns are tried longest first at each word start and matches do not overlap, so a longer
    phrase of one entry hides a shorter one of another at the same place (as in the analyzer).
    """

    __slots__ = (
        "calm", "entries", "faces", "loose", "loose_slots", "name",
        "negation", "negation_gate", "phrases", "slots",
    )  # fmt: skip

    def __init__(
        self,
        name: str,
        entries: dict[str, Entry],
        negation: re.Pattern[str] | None,
        calm: Calm | None = None,
        faces: Faces | None = None,
    ) -> None:
        self.name = name
        self.entries = entries
        self.negation = negation
        # A negation needs one of its words ("not", "n't", "never"…) in the window: a substring
        # test skips the regex for nearly every match.
        self.negation_gate = required_literals([negation.pattern]) if negation is not None else None
        self.calm = calm
        self.faces = faces
        patterns: list[str] = []
        slots: list[tuple[str, float]] = []
        for entry in entries.values():
            for p in entry.patterns:
                patterns.append(p)
                slots.append((entry.name, entry.weight))
            for p in entry.weak:
                patterns.append(p)
                slots.append((entry.name, WEAK * entry.weight))
        # Patterns whose first word is known are tried only where that word occurs (WordStarts);
        # the rest ("\\d{1,3} percent off") share a plain scan, skipped unless a literal is present.
        indexed = [first_words([lower_literals(p)]) is not None for p in patterns]
        self.slots = [slot for slot, ok in zip(slots, indexed, strict=True) if ok]
        self.phrases = compile_patterns(
            [p for p, ok in zip(patterns, indexed, strict=True) if ok], named=True
        )
        self.loose_slots = [slot for slot, ok in zip(slots, indexed, strict=True) if not ok]
        loose = [p for p, ok in zip(patterns, indexed, strict=True) if not ok]
        self.loose = compile_patterns(loose, named=True) if loose else None

    def find(
        self, text: str, folded: str | None = None, starts: WordStarts | None = None
    ) -> dict[str, list[Hit]]:
        """Entry name -> its counted matches, in order; pass ``folded``/``starts`` when you have them."""
        low = fold(text) if folded is None else folded
        if starts is None:
            starts = WordStarts(low)
        out: dict[str, list[Hit]] = {}
        neg = self.negation
        matches = [(m, self.slots) for m in self.phrases.scan(low, starts)]
        if self.loose is not None:
            extra = [(m, self.loose_slots) for m in self.loose.finditer(low)]
            if extra:
                kept: list[tuple[re.Match[str], list[tuple[str, float]]]] = []
                for item in sorted(matches + extra, key=lambda ms: (ms[0].start(), -ms[0].end())):
                    if not kept or item[0].start() >= kept[-1][0].end():
                        kept.append(item)
                matches = kept
        for m, slots in matches:
            name, weight = slots[int(m.lastgroup[1:])]  # type: ignore[index]
            s, e = m.span()
            if neg is not None and self._negated(low, s):
                continue
            out.setdefault(name, []).append(Hit(s, e, weight))
        for name in list(out):
            exceptions = self.entries[name].exceptions
            if exceptions is None:
                continue
            blocked = [m.span() for m in exceptions.finditer(low)]
            if blocked:
                hits = [h for h in out[name] if not any(b0 < h.end and h.start < b1 for b0, b1 in blocked)]
                if hits:
                    out[name] = hits
                else:
                    del out[name]
        return out

    def _negated(self, low: str, start: int) -> bool:
        left = max(0, start - _NEGATION_WINDOW)
        gate = self.negation_gate
        if gate is not None and not any(word in low[left:start] for word in gate):
            return False
        return self.negation is not None and self.negation.search(low, left, start) is not None


@dataclass(frozen=True, slots=True)
class Calm:
    """Thanks and praise: their patterns as one regex, and the examples the tests run."""

    regex: re.Pattern[str]
    examples: dict[str, list[str]]

    def found(self, folded: str) -> bool:
        return self.regex.search(folded) is not None


def _calm(data: Any) -> Calm | None:
    if not data:
        return None
    body = "|".join(f"(?:{p})" for p in data["patterns"])
    return Calm(re.compile(body), {k: list(v) for k, v in (data.get("examples") or {}).items()})


@dataclass(frozen=True, slots=True)
class Faces:
    """Emoji and emoticons: face -> (feeling, weight), found by one alternation of plain strings."""

    feeling: dict[str, tuple[str, float]]
    regex: re.Pattern[str]
    examples: dict[str, list[str]]

    def find(self, folded: str) -> list[tuple[str, float, Span]]:
        """(feeling, weight, span) for each face in ``folded`` (":/" inside "://" is no face)."""
        out = []
        for m in self.regex.finditer(folded):
            if m.group() == ":/" and folded[m.end() : m.end() + 1] == "/":
                continue
            feeling, weight = self.feeling[m.group()]
            out.append((feeling, weight, m.span()))
        return out


def _faces(data: Any) -> Faces | None:
    if not data:
        return None
    feeling: dict[str, tuple[str, float]] = {}
    for strength, weight in (("strong", 1.0), ("weak", WEAK)):
        for name, faces in (data.get(strength) or {}).items():
            for face in str(faces).split():
                feeling[face.lower()] = (str(name), weight)
    body = "|".join(re.escape(f) for f in sorted(feeling, key=len, reverse=True))
    examples = {k: list(v) for k, v in (data.get("examples") or {}).items()}
    return Faces(feeling, re.compile(body), examples)


def _entry(family: str, name: str, data: dict[str, Any], source: str) -> Entry:
    return Entry(
        family=family,
        name=name,
        description=str(data.get("description", "")),
        source=str(data.get("source") or source),  # an entry without its own cites its family's
        advice=" ".join(str(data.get("advice", "")).split()),
        weight=float(data.get("weight", 1.0)),
        patterns=tuple(str(p) for p in data["patterns"]),
        weak=tuple(str(p) for p in data.get("weak") or ()),
        exceptions=compile_patterns(list(data["except"])) if data.get("except") else None,
        examples={k: list(v) for k, v in (data.get("examples") or {}).items()},
    )


def _read(name: str) -> Any:
    entry = resources.files("tactful.understanding") / "lexicons" / f"{name}.yml"
    try:
        return load_yaml(entry.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ValueError(f"understand/lexicons/{name}.yml: {exc}") from None


@cache
def load_family(family: str) -> Family:
    """One lexicon file; its entries keep file order (the order breaks score ties)."""
    data = _read(family)
    try:
        negation = re.compile(data["negation"]) if data.get("negation") else None
        source = str(data.get("source", ""))
        entries = {name: _entry(family, name, body, source) for name, body in data["entries"].items()}
        return Family(family, entries, negation, _calm(data.get("calm")), _faces(data.get("faces")))
    except (KeyError, TypeError, ValueError, re.error) as exc:
        raise ValueError(f"understand/lexicons/{family}.yml: {type(exc).__name__}: {exc}") from None


@cache
def load_lexicons() -> dict[str, Family]:
    return {family: load_family(family) for family in FAMILIES}


@dataclass(frozen=True, slots=True)
class Products:
    nouns: tuple[str, ...]
    examples: dict[str, list[str]]


@cache
def load_products() -> Products:
    data = _read("products")
    try:
        return Products(nouns=tuple(str(data["nouns"]).split()), examples=dict(data.get("examples") or {}))
    except (KeyError, TypeError) as exc:
        raise ValueError(f"understand/lexicons/products.yml: {type(exc).__name__}: {exc}") from None
