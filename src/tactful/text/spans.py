"""Sentence and word spans as Python string offsets.

Every pattern here is linear-time (no nested quantifiers), so a megabyte of
hostile input cannot make the analyzer backtrack for minutes.
"""

from __future__ import annotations

import re

from tactful.model import Span

_WORD = re.compile(r"[A-Za-z0-9\u00C0-\uFFFF]+(?:['’][A-Za-z]+)?")
# A sentence runs up to terminal punctuation (plus closing quotes) or a line break.
_SENTENCE = re.compile(r"[^.!?\n]*(?:[.!?]+[\"'”’)\]]*|\n|$)")


def fold(text: str) -> str:
    """Lower-case ``text`` keeping every offset: matching folded text with lower-case patterns is
    several times faster than ``re.IGNORECASE``, and spans found in it are spans of ``text``."""
    low = text.lower()
    if len(low) == len(text):
        return low
    return "".join(c if len(c.lower()) != 1 else c.lower() for c in text)  # e.g. "İ" lowers to 2 chars


def word_count(text: str) -> int:
    return len(_WORD.findall(text))


def sentence_spans(text: str) -> list[Span]:
    """Spans of non-blank sentences, trimmed of surrounding white space."""
    spans: list[Span] = []
    for m in _SENTENCE.finditer(text):
        s, e = m.span()
        if s == e:
            continue
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            spans.append((s, e))
    return spans
