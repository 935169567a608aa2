"""Phrase patterns compiled for speed: one alternation, folded text, and a literal pre-check.

Python's ``re`` tries every alternative at every word boundary, so a lexicon of thirty
phrases costs tens of microseconds per reply even when none of them can match. Most
phrases contain a literal ("sorry", "follow up") that any match must include; a
``str in str`` test for those literals (a C-speed substring search) tells whether the
regex can match at all, and most replies skip most scans.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from typing import Any

try:  # the parser behind ``re``; private, so any surprise just turns the pre-check off
    from re import _constants as _sre_c  # type: ignore[attr-defined]
    from re import _parser as _sre_parse  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - Python 3.10
    import sre_constants as _sre_c
    import sre_parse as _sre_parse

_MIN_LITERAL = 3  # shorter literals ("i", "we") are everywhere and would not filter anything


def lower_literals(pattern: str) -> str:
    """Lower-case a pattern's letters but not its escapes (``\\S`` must stay ``\\S``)."""
    out = []
    escaped = False
    for ch in pattern:
        out.append(ch if escaped else ch.lower())
        escaped = not escaped and ch == "\\"
    return "".join(out)


def _required(items: Any) -> set[str] | None:
    """A set of literals one of which every match of this parsed sequence contains, or None."""
    candidates: list[set[str]] = []
    run: list[str] = []

    def flush() -> None:
        if len(run) >= _MIN_LITERAL:
            candidates.append({"".join(run)})
        run.clear()

    for op, av in items:
        if op is _sre_c.LITERAL:
            run.append(chr(av))
            continue
        flush()
        inner: set[str] | None = None
        if op is _sre_c.SUBPATTERN:
            inner = _required(av[-1])
        elif op is _sre_c.BRANCH:
            alternatives = [_required(alt) for alt in av[1]]
            if all(alternatives):
                inner = set().union(*alternatives)  # type: ignore[arg-type]
        elif op in (_sre_c.MAX_REPEAT, _sre_c.MIN_REPEAT) and av[0] >= 1:
            inner = _required(av[2])
        if inner:
            candidates.append(inner)
    flush()
    if not candidates:
        return None
    return max(candidates, key=lambda s: (min(map(len, s)), -len(s)))


def required_literals(patterns: list[str]) -> tuple[str, ...] | None:
    """Literals of which any match of any pattern contains one; None when some pattern has none."""
    found: set[str] = set()
    for pattern in patterns:
        try:
            req = _required(_sre_parse.parse(pattern))
        except Exception:  # pragma: no cover - an unexpected parser shape: no pre-check
            return None
        if not req:
            return None
        found |= req
    return tuple(sorted(found, key=len))


class PhraseSet:
    """Compiled phrases; ``finditer`` runs the regex only when one of its literals is present."""

    __slots__ = ("gate", "regex")

    def __init__(self, regex: re.Pattern[str], gate: tuple[str, ...] | None) -> None:
        self.regex = regex
        self.gate = gate

    def finditer(self, text: str, pos: int = 0, endpos: int = sys.maxsize) -> Iterator[re.Match[str]]:
        if self.gate is not None and not any(lit in text for lit in self.gate):
            return iter(())
        return self.regex.finditer(text, pos, endpos)


def compile_patterns(patterns: list[str], ignorecase: bool = True, named: bool = False) -> PhraseSet:
    """One alternation, longest alternatives first so the widest phrase wins at a position.

    With ``named`` each pattern becomes group ``p<i>`` (its index in ``patterns``), so a
    match's ``lastgroup`` says which phrase matched.

    With ``ignorecase`` the result matches *folded* text (see :func:`tactful.text.fold`):
    literals are lower-cased here instead of paying for ``re.IGNORECASE`` on every scan.
    A leading ``\\b`` shared by every alternative is hoisted so most positions fail at once.
    """
    indexed = sorted(enumerate(patterns), key=lambda ip: len(ip[1]), reverse=True)
    ordered = [lower_literals(p) if ignorecase else p for _, p in indexed]
    lead = "\\b" if ordered and all(p.startswith("\\b") for p in ordered) else ""
    group = [f"?P<p{i}>" if named else "?:" for i, _ in indexed]
    body = "|".join(f"({g}{p[len(lead) :]})" for g, p in zip(group, ordered, strict=True))
    regex = re.compile(f"{lead}(?:{body})")
    return PhraseSet(regex, required_literals(ordered))
