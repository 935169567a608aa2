"""Signals: named phrase lexicons (YAML data with examples) that the rubric and the rules share.

Each ``signals/<name>.yml`` holds case-insensitive regex ``patterns`` compiled into one
alternation, so finding every apology in a reply is a single linear scan.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, cached_property
from importlib import resources

import yaml

from tactful.contract import Span
from tactful.text import fold
from tactful.text.patterns import PhraseSet, WordStarts, compile_patterns
from tactful.yamldata import load_yaml


@dataclass(frozen=True)
class Signal:
    name: str
    description: str
    source: str
    patterns: tuple[str, ...]
    examples: dict[str, list[str]]
    except_patterns: tuple[str, ...] = ()

    @cached_property
    def regex(self) -> PhraseSet:
        """Compiled on first use: every compiled set adds to each reply's word index, so a signal no
        analysis reads (``refusal``: the detector compiles its own) must cost nothing."""
        return compile_patterns(list(self.patterns))

    @cached_property
    def exceptions(self) -> PhraseSet | None:
        return compile_patterns(list(self.except_patterns)) if self.except_patterns else None

    def find(self, text: str, folded: str | None = None, starts: WordStarts | None = None) -> list[Span]:
        """Every match, less those inside an ``except`` phrase ("can't wait" is no refusal).

        Pass ``folded`` (``fold(text)``) and its ``WordStarts`` when you have them."""
        low = fold(text) if folded is None else folded
        if starts is None:
            starts = WordStarts(low)
        spans = [m.span() for m in self.regex.scan(low, starts)]
        if self.exceptions is None or not spans:
            return spans
        blocked = [m.span() for m in self.exceptions.finditer(low)]
        return [s for s in spans if not any(b[0] <= s[1] and s[0] <= b[1] for b in blocked)]


@cache
def load_signals() -> dict[str, Signal]:
    folder = resources.files("tactful.analyzer") / "signals"
    out: dict[str, Signal] = {}
    for entry in sorted(folder.iterdir(), key=lambda p: p.name):
        if not entry.name.endswith(".yml"):
            continue
        name = entry.name[:-4]
        try:
            data = load_yaml(entry.read_text(encoding="utf-8"))
        except yaml.YAMLError as exc:
            raise ValueError(f"signals/{entry.name}: {exc}") from None
        try:
            out[name] = Signal(
                name=name,
                description=data.get("description", ""),
                source=data.get("source", ""),
                patterns=tuple(data["patterns"]),
                examples=data.get("examples", {}),
                except_patterns=tuple(data.get("except") or ()),
            )
            for patterns in (out[name].patterns, out[name].except_patterns):
                if patterns:
                    re.compile("|".join(patterns))  # a broken pattern fails here, naming the file
        except (KeyError, TypeError, re.error) as exc:
            raise ValueError(f"signals/{entry.name}: {type(exc).__name__}: {exc}") from None
    return out
