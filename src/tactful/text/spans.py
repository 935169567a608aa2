"""Sentence and word spans as Python string offsets.

Every pattern here is linear-time (no nested quantifiers), so a megabyte of
hostile input cannot make the analyzer backtrack for minutes.
"""

from __future__ import annotations

import re

from tactful.contract import Span

_WORD = re.compile(r"[A-Za-z0-9\u00C0-\uFFFF]+(?:['’][A-Za-z]+)?")
# A sentence runs up to terminal punctuation (plus closing quotes) followed by white space or the end,
# or a line break. A mark with a letter or digit right after it ("support.google.com", "v1.5", "2/2")
# is inside a word and does not end the sentence.
# (A run of ordinary characters is one step; the loop can always stop where the ending matches, so it
# never backtracks into the run.)
_SENTENCE = re.compile(r"(?:[^.!?\n]+|[.!?](?=[^\s.!?\"'”’)\]]))*(?:[.!?]+[\"'”’)\]]*|\n|$)")
# Web addresses, matched on folded text; the analyzer reads each as the word "url" (see mask_urls).
_URL = re.compile(r"\b(?:https?://|www\.)[^\s<>\"'”’)\]]*[^\s<>\"'”’)\].,;:!?]")


def fold(text: str) -> str:
    """Lower-case ``text`` keeping every offset: matching folded text with lower-case patterns is
    several times faster than ``re.IGNORECASE``, and spans found in it are spans of ``text``.

    A line break inside a sentence (an email wrapped at 72 columns: "against our⏎policy") becomes
    a space, so phrases match across it; paragraph breaks and list items stay line breaks."""
    low = text.lower()
    if len(low) != len(text):
        low = "".join(c if len(c.lower()) != 1 else c.lower() for c in text)  # e.g. "İ" lowers to 2 chars
    if "\n" in text:
        low = _unwrap(text, low)
    return low


# A wrapped line: the break follows a word or a comma and the next line goes on in lower case.
_SOFT_WRAP = re.compile(r"(?<=[A-Za-z0-9,;])[ \t]*\n(?=[ \t]*[a-z])")


def _unwrap(text: str, low: str) -> str:
    spans = [m.span() for m in _SOFT_WRAP.finditer(text)]
    if not spans:
        return low
    chars = list(low)
    for start, end in spans:
        for i in range(start, end):
            if chars[i] == "\n":
                chars[i] = " "
    return "".join(chars)


def mask_urls(folded: str) -> str:
    """``folded`` with every web address read as the word "url" (padded to the same length).

    A help-centre link's path ("/cant-login", "/request-refund-failed") is not something the agent
    said; masked, it cannot trigger a phrase, and "here: url" still reads as "a link here"."""
    if "http" not in folded and "www." not in folded:
        return folded
    return _URL.sub(lambda m: "url" + " " * (m.end() - m.start() - 3), folded)


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
