"""Phrase patterns compiled for speed, with exactly the matches of a plain ``re`` scan.

Python's ``re`` tries every alternative of an alternation at every position, so a lexicon
of thirty phrases costs tens of microseconds per reply even when none of them can match.
Two shortcuts, both derived from the patterns themselves by reading ``re``'s own parse:

* **Word starts.** Nearly every phrase begins at a word start with a known first word
  ("sorry", "we can't"). :class:`WordStarts` indexes a reply's words once; each phrase
  family is then tried only at the positions where one of its first words occurs, and only
  with the phrases that can begin there (small regexes compiled on first use).
* **Required literals.** For a family that cannot be indexed so, a ``str in str`` test for
  a literal every match contains (C speed) skips the scan when the reply can't match.

tests/text/test_patterns.py checks both against the plain scan on every rule and signal example,
on generated text and on real replies.

Reading the parse is most of a cold start's first analysis, so the results for the shipped rules
and lexicons are saved in ``patterns_index.json``, keyed by the patterns themselves: an edited or
new pattern is simply a miss and worked out as before. ``python scripts/write_pattern_index.py``
rewrites the file; a test checks it is current.
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Callable, Iterator
from functools import cache
from importlib import resources
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


def _required_literals(patterns: list[str]) -> tuple[str, ...] | None:
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
    return tuple(sorted(found, key=lambda lit: (len(lit), lit)))  # shortest first, then stable


_MAX_STARTS = 64  # an alternative with more possible first words than this is not indexed
_QUICK_GATE = 12  # at most this many required literals are tested before a scan
_WORD_CHAR = re.compile(r"\w")
_TOKEN = re.compile(r"\w+")
_ASCII_TOKEN = re.compile(r"\w+", re.ASCII)  # the same words in ASCII text, found faster


_UNKNOWN = ("unknown", None)
_APOSTROPHES = ("'", "’")
_NON_WORD_CATEGORIES = frozenset({_sre_c.CATEGORY_SPACE, _sre_c.CATEGORY_NOT_WORD})


def _non_word(item: tuple[Any, Any]) -> bool:
    op, av = item
    if op is _sre_c.LITERAL:
        return not _WORD_CHAR.match(chr(av))
    return op is _sre_c.CATEGORY and av in _NON_WORD_CATEGORIES


def _first_words(items: list[Any], word: str = "") -> set[tuple[str, bool]] | None:
    """The first words a match of ``items`` can start with, as (word, complete) pairs.

    ``complete`` means the word is known to end there ("i am" → ("i", True)); otherwise the
    word only starts with it ("apologi[sz]e" → ("apologi", False)). None when unknowable.
    """
    if not items:
        return {(word, True)} if word else None
    op, av = items[0]
    rest = items[1:]
    if op is _sre_c.LITERAL:
        ch = chr(av)
        if _WORD_CHAR.match(ch) or (not word and ch in _APOSTROPHES):
            return _first_words(rest, word + ch)  # "'s" is indexed as the word "s", one to the left
        return {(word, True)} if word and word not in _APOSTROPHES else None
    if op in (_sre_c.ASSERT, _sre_c.ASSERT_NOT) and not word:
        return _first_words(rest, word)  # a look-around consumes nothing: the match starts after it
    if op is _sre_c.AT and av is _sre_c.AT_BOUNDARY:
        return {(word, True)} if word else _first_words(rest, word)  # a boundary before a word: skip
    if op is _sre_c.IN and word and all(_non_word(item) for item in av):
        return {(word, True)}  # e.g. \\s: the word has ended
    if op is _sre_c.IN and 0 < len(av) <= 8 and all(o is _sre_c.LITERAL for o, _ in av):
        # A small set of letters ("apologi[sz]e"): one branch per letter.
        return _first_words([(_sre_c.BRANCH, (None, [[item] for item in av]))] + rest, word)
    if op is _sre_c.SUBPATTERN:
        return _first_words(list(av[-1]) + rest, word)
    if op is _sre_c.BRANCH:
        found: set[tuple[str, bool]] = set()
        for alt in av[1]:
            sub = _first_words(list(alt) + rest, word)
            if sub is None or len(found | sub) > _MAX_STARTS:
                return None
            found |= sub
        return found
    if op in (_sre_c.MAX_REPEAT, _sre_c.MIN_REPEAT):
        if av[0] == 0:
            once = _first_words(list(av[2]) + rest, word)
            skip = _first_words(rest, word)
            return None if once is None or skip is None else once | skip
        # What follows the first repetition is unknown (another repetition or the rest).
        return _first_words(list(av[2]) + [_UNKNOWN], word)
    return {(word, False)} if word else None


def _indexable(items: list[Any]) -> set[tuple[str, bool]] | None:
    """First words of a pattern whose every match starts at a word start (after ``\\b``)."""
    if not items:
        return None
    op, av = items[0]
    if (op, av) == (_sre_c.AT, _sre_c.AT_BOUNDARY):
        return _first_words(items[1:])
    if op is _sre_c.SUBPATTERN:
        return _indexable(list(av[-1]) + items[1:])
    if op is _sre_c.BRANCH:  # a top-level "a|b": each side must be indexable
        found: set[tuple[str, bool]] = set()
        for alt in av[1]:
            sub = _indexable(list(alt) + items[1:])
            if sub is None:
                return None
            found |= sub
        return found
    return None


def _first_words_of(patterns: list[str]) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
    """(whole first words, three-letter heads of longer prefixes) of patterns whose matches all
    start at a word start (a leading ``\\b``); None when any pattern may start elsewhere.
    A word written with a leading apostrophe ("'s") starts one character before the word "s"."""
    words: set[str] = set()
    heads: set[str] = set()
    for pattern in patterns:
        try:
            starts = _indexable(list(_sre_parse.parse(pattern)))
        except Exception:  # pragma: no cover
            return None
        if starts is None:
            return None
        for word, complete in starts:
            if complete:
                words.add(word)
            elif len(word) >= 3 and word[0] not in _APOSTROPHES:
                heads.add(word[:3])
            else:
                return None
    return tuple(sorted(words)), tuple(sorted(heads))


# A pair key: a phrase's first two words ("we can't" -> ("we", "can"), "we'd" -> ("we", "d")). A phrase
# with known pairs is tried only where such two words stand next to each other: "you" is in most replies,
# "you need" is not. A second word written "" is any word ("sorry\\b", "the \\w+ team"): that way of
# matching is filed by its first word alone.
_MAX_PAIRS = 256  # an alternative with more possible pair keys than this is filed by its first word
_PAIR_STEPS = 20_000  # parse steps spent on one pattern before it is filed by its first word instead
_REPEATS = tuple(
    op for op in (_sre_c.MAX_REPEAT, _sre_c.MIN_REPEAT, getattr(_sre_c, "POSSESSIVE_REPEAT", None)) if op
)


class _Unknowable(Exception):
    """Too many pair keys, or too much work to find them: the caller files by the first word."""


def _one_non_word(items: list[Any]) -> bool:
    """Does every item consume exactly one character that is not a word character (a separator run)?"""
    return bool(items) and all(
        (op is _sre_c.LITERAL and not _WORD_CHAR.match(chr(av)))
        or (op is _sre_c.IN and all(_non_word(item) for item in av))
        for op, av in items
    )


class _PairWalk:
    """Follows every way through a pattern's parse, reading at most its first two words (see ``pairs``)."""

    def __init__(self) -> None:
        self.steps = _PAIR_STEPS

    def pairs(self, items: list[Any], first: str = "", second: str = "", phase: int = 0) -> set[Any] | None:
        """The pair keys a match of ``items`` can start with, given what is read so far; None when unknowable.

        ``phase`` 0: in the first word; 1: the first word is whole, non-word characters follow; 2: in the
        second word. Phase 0 with no letter read yet is -1 until a leading ``\\b`` is passed
        (a match must start at a word start). Look-arounds are skipped (they only narrow the matches), so
        every match has one of the keys."""
        self.steps -= 1
        if self.steps < 0:
            raise _Unknowable
        if not items:  # the pattern ends: the next word is open (and the first too, if still being read)
            return self._open(first, phase)
        op, av = items[0]
        rest = items[1:]
        if op is _sre_c.LITERAL:
            return self._char(rest, first, second, phase, chr(av))
        if op is _sre_c.AT:
            if av is not _sre_c.AT_BOUNDARY:
                return self._open(first, phase)
            if phase == 2:
                return {(first, second)}
            if phase <= 0 and not first:
                return self.pairs(rest, "", "", 0)
            return self.pairs(rest, first, "", 1)  # right after a word: it is whole
        if op in (_sre_c.ASSERT, _sre_c.ASSERT_NOT):
            return self.pairs(rest, first, second, phase)
        if op is _sre_c.IN:
            if all(_non_word(item) for item in av):  # one non-word character, e.g. \\s
                return self._char(rest, first, second, phase, " ")
            if 0 < len(av) <= 8 and all(
                o is _sre_c.LITERAL for o, _ in av
            ):  # "apologi[sz]e": one way a letter
                return self._union([[item] + rest for item in av], first, second, phase)
            return self._open(first, phase)
        if op is _sre_c.SUBPATTERN:
            if av[1] or av[2]:  # inline flags ("(?i:...)"): letters may match other cases
                return self._open(first, phase)
            return self.pairs(list(av[-1]) + rest, first, second, phase)
        if op is getattr(_sre_c, "ATOMIC_GROUP", None):
            return self.pairs(list(av) + rest, first, second, phase)
        if op is _sre_c.BRANCH:
            return self._union([list(alt) + rest for alt in av[1]], first, second, phase)
        if op in _REPEATS:
            return self._repeat(op, av, rest, first, second, phase)
        return self._open(first, phase)

    @staticmethod
    def _open(first: str, phase: int) -> set[Any] | None:
        """What is left is unknown: once the first word is whole, the second may be any word."""
        return {(first, "")} if phase >= 1 else None

    def _char(self, rest: list[Any], first: str, second: str, phase: int, ch: str) -> set[Any] | None:
        """One character read: a letter goes on the word being read, anything else ends it."""
        is_word = bool(_WORD_CHAR.match(ch))
        if phase == 2:
            return self.pairs(rest, first, second + ch, 2) if is_word else {(first, second)}
        if phase == 1:
            return self.pairs(rest, first, ch, 2) if is_word else self.pairs(rest, first, "", 1)
        if is_word:
            return None if phase < 0 else self.pairs(rest, first + ch, "", 0)
        return self.pairs(rest, first, "", 1) if first else None

    def _union(self, ways: list[list[Any]], first: str, second: str, phase: int) -> set[Any] | None:
        found: set[Any] = set()
        for items in ways:
            sub = self.pairs(items, first, second, phase)
            if sub is None:
                return None
            found |= sub
            if len(found) > _MAX_PAIRS:
                raise _Unknowable
        return found

    def _repeat(
        self, op: Any, av: Any, rest: list[Any], first: str, second: str, phase: int
    ) -> set[Any] | None:
        low, high, body = av[0], av[1], list(av[2])
        if high == 0:
            return self.pairs(rest, first, second, phase)
        if _one_non_word(body):  # a run of separators, any length: only whether it is empty matters
            once = [(_sre_c.IN, [(_sre_c.CATEGORY, _sre_c.CATEGORY_SPACE)])]  # one of them stands for all
            if phase == 1:
                return self.pairs(rest, first, "", 1)
            ways = [once + rest] if low else [once + rest, rest]
            return self._union(ways, first, second, phase)
        # One repetition, then the others (if any) before the rest.
        more = high if high == _sre_c.MAXREPEAT else high - 1
        again = [(op, (max(low - 1, 0), more, av[2]))] if more else []
        ways = [body + again + rest] if low else [body + again + rest, rest]
        return self._union(ways, first, second, phase)


def _first_pairs_of(patterns: list[str]) -> list[list[str]] | None:
    """Pair keys (first word, second word) of which every match of every pattern has one, sorted; None
    when some pattern's are unknowable or too many."""
    found: set[tuple[str, str]] = set()
    for pattern in patterns:
        try:
            sub = _PairWalk().pairs(list(_sre_parse.parse(pattern)), "", "", -1)
        except (_Unknowable, RecursionError):
            return None
        except Exception:  # pragma: no cover - an unexpected parser shape: no pair keys
            return None
        if sub is None:
            return None
        found |= sub
        if len(found) > _MAX_PAIRS:
            return None
    return [list(key) for key in sorted(found)]


INDEX_FILE = "patterns_index.json"
# Set to 1 to ignore the shipped index (the test that checks it works everything out afresh).
NO_INDEX_ENV = "TACTFUL_NO_PATTERN_INDEX"
_worked_out: dict[str, Any] = {}  # this process' results by key, shipped or not (what save_index writes)


@cache
def _shipped_index() -> dict[str, Any]:
    if os.environ.get(NO_INDEX_ENV) == "1":
        return {}
    try:
        data = json.loads(resources.files("tactful.text").joinpath(INDEX_FILE).read_text("utf-8"))
    except (OSError, ValueError):  # pragma: no cover - a damaged install still works, only slower
        return {}
    return data if isinstance(data, dict) else {}


def _remembered(kind: str, patterns: list[str], work_out: Callable[[list[str]], Any]) -> Any:
    """``work_out(patterns)``, or its saved result for exactly these patterns (JSON: lists)."""
    key = kind + "\x00" + "\x00".join(patterns)
    if key not in _worked_out:
        shipped = _shipped_index()
        _worked_out[key] = shipped[key] if key in shipped else _as_json(work_out(patterns))
    return _worked_out[key]


def _as_json(value: Any) -> Any:
    return [_as_json(v) for v in value] if isinstance(value, tuple | list) else value


def required_literals(patterns: list[str]) -> tuple[str, ...] | None:
    """Literals of which any match of any pattern contains one; None when some pattern has none."""
    found = _remembered("literals", patterns, _required_literals)
    return None if found is None else tuple(found)


def first_words(patterns: list[str]) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
    """(whole first words, three-letter heads of longer prefixes) of patterns whose matches all
    start at a word start (a leading ``\\b``); None when any pattern may start elsewhere."""
    found = _remembered("first_words", patterns, _first_words_of)
    return None if found is None else (tuple(found[0]), tuple(found[1]))


def first_pairs(patterns: list[str]) -> tuple[tuple[str, str], ...] | None:
    """Pair keys (first word, second word) of which every match of every pattern has one; None when
    unknowable (see ``_PairWalk``)."""
    found = _remembered("first_pairs", patterns, _first_pairs_of)
    return None if found is None else tuple((a, b) for a, b in found)


def save_index(path: str | os.PathLike[str] | None = None) -> int:
    """Save the parse results of every pattern this process has used (default: the shipped file);
    ``scripts/write_pattern_index.py`` uses them all first. Returns the number of entries."""
    target = path or resources.files("tactful.text").joinpath(INDEX_FILE)
    lines = [f"{json.dumps(k, ensure_ascii=False)}:{json.dumps(v)}" for k, v in sorted(_worked_out.items())]
    with open(str(target), "w", encoding="utf-8") as f:  # one entry a line: reviewable diffs
        f.write("{\n" + ",\n".join(lines) + "\n}\n")
    return len(_worked_out)


# Every indexed PhraseSet, and for each word of a reply the (set id, alternatives, shift) that may
# start there: one pass over a reply's words then finds the candidates of all phrase families at
# once. A shift of 1 is a phrase written with a leading apostrophe ("'s", filed under "s").
_SETS: list[PhraseSet] = []
_ENTRIES: dict[str, list[tuple[int, tuple[int, ...], int]]] = {}
_BY_HEAD: dict[str, list[tuple[int, tuple[int, ...], int]]] = {}  # first three letters of a longer word
# Phrases whose first two words are known are filed by their pair key instead (see ``_pairs``): a reply's
# adjacent words are looked up as pairs, at C speed, and most common first words ("you", "we", "the")
# then never make a candidate of a phrase that cannot follow.
_BY_PAIR: dict[str, dict[str, list[tuple[int, tuple[int, ...]]]]] = {}  # first word -> second word -> sets


class WordStarts:
    """Where the words of a (folded) text start, and which phrases of which set may start there."""

    __slots__ = ("_candidates", "_indexed", "_starts", "_words", "by_word", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        by_word: dict[str, list[int]] = {}
        words: list[str] = []  # every word in order, and where it starts (for the pair keys)
        starts: list[int] = []
        for m in (_ASCII_TOKEN if text.isascii() else _TOKEN).finditer(text):
            word = m.group()
            start = m.start()
            words.append(word)
            starts.append(start)
            if word in by_word:
                by_word[word].append(start)
            else:
                by_word[word] = [start]
        self.by_word = by_word
        self._words = words
        self._starts = starts
        self._candidates: dict[int, list[tuple[int, tuple[int, ...]]]] | None = None
        self._indexed = 0  # how many registered sets the candidates cover

    def candidates(self, set_id: int) -> list[tuple[int, tuple[int, ...]]]:
        """(position, alternatives of phrase set ``set_id`` that may start there), unordered."""
        index = self._candidates
        if index is None or set_id >= self._indexed:
            index = self._reindex()
        return index.get(set_id, [])

    def _reindex(self) -> dict[int, list[tuple[int, tuple[int, ...]]]]:
        """Every registered set's candidates: on first use, and again for a set compiled after that."""
        self._indexed = len(_SETS)
        self._candidates = index = self._index()
        return index

    def _index(self) -> dict[int, list[tuple[int, tuple[int, ...]]]]:
        out: dict[int, list[tuple[int, tuple[int, ...]]]] = {}
        entries_for = _ENTRIES.get
        heads_for = _BY_HEAD.get if _BY_HEAD else None
        for word, positions in self.by_word.items():
            entries = entries_for(word)
            if heads_for is not None and len(word) > 3:
                entries = (entries or []) + heads_for(word[:3], [])
            if not entries:
                continue
            for set_id, alts, shift in entries:
                found = out.get(set_id)
                if found is None:
                    found = out[set_id] = []
                if shift:
                    found += [(pos - shift, alts) for pos in positions if pos >= shift]
                elif len(positions) == 1:
                    found.append((positions[0], alts))
                else:
                    found += [(pos, alts) for pos in positions]
        firsts = _BY_PAIR.keys() & self.by_word.keys() if _BY_PAIR else ()  # C speed
        if firsts:
            follow = dict(zip(self._starts, self._words[1:]))  # noqa: B905 - where a word starts -> the next
            for first in firsts:
                seconds = _BY_PAIR[first]
                for pos in self.by_word[first]:
                    filed = seconds.get(follow.get(pos, ""))
                    if filed is None:
                        continue
                    for set_id, alts in filed:
                        found = out.get(set_id)
                        if found is None:
                            out[set_id] = [(pos, alts)]
                        else:
                            found.append((pos, alts))
        return out


class PhraseSet:
    """Compiled phrases that skip work.

    :meth:`scan` tries only the word starts where some phrase can begin, and at each one only
    the phrases that can begin with that word (small regexes compiled on first use, so start-up
    pays only for what replies actually contain). :meth:`finditer` is the plain scan, skipped
    entirely when no required literal is present. Both find exactly the same matches.
    """

    __slots__ = ("_alternation", "_id", "_lead", "_quick_gate", "_regex", "_subsets", "gate")

    def __init__(self, alternatives: list[str], lead: str, gate: tuple[str, ...] | None) -> None:
        self._alternation = alternatives  # in match order, each without the shared lead
        self._lead = lead
        self._regex: re.Pattern[str] | None = None
        self._subsets: dict[tuple[int, ...], re.Pattern[str]] = {}
        self.gate = gate
        # A few literals one of which every match contains: a handful of C-speed ``in`` tests skip the
        # word index for most replies (an apology needs "sorry" or "apologi"). Many literals cost more
        # than they save.
        self._quick_gate = gate if gate and len(gate) <= _QUICK_GATE else None
        self._id: int | None = None
        index = [first_words([f"{lead}({alt})"]) for alt in alternatives] if lead == "\\b" else [None]
        if alternatives and all(i is not None for i in index):
            pairs = [first_pairs([f"{lead}({alt})"]) for alt in alternatives]
            self._register(index, pairs)  # type: ignore[arg-type]

    def _register(
        self,
        index: list[tuple[tuple[str, ...], tuple[str, ...]]],
        pairs: list[tuple[tuple[str, str], ...] | None],
    ) -> None:
        self._id = set_id = len(_SETS)
        _SETS.append(self)
        grouped: dict[tuple[str, str, int], list[int]] = {}
        by_pair: dict[tuple[str, str], list[int]] = {}
        for i, (words, heads) in enumerate(index):
            keys = pairs[i]
            if keys is not None:  # filed by its first two words, or its first word where any second may do
                anywhere = {first for first, second in keys if not second}
                for first, second in keys:
                    if not second:
                        grouped.setdefault(("word", first, 0), []).append(i)
                    elif first not in anywhere:
                        by_pair.setdefault((first, second), []).append(i)
                continue
            for word in words:
                shifted = word[0] in _APOSTROPHES
                grouped.setdefault(("word", word[1:] if shifted else word, int(shifted)), []).append(i)
            for head in heads:
                grouped.setdefault(("head", head, 0), []).append(i)
        for (kind, key, shift), found in grouped.items():
            alts = sorted(set(found))  # "'d" and "’d" file one phrase twice under "d"
            table = _ENTRIES if kind == "word" else _BY_HEAD
            table.setdefault(key, []).append((set_id, tuple(alts), shift))
        for pair, found in by_pair.items():
            _BY_PAIR.setdefault(pair[0], {}).setdefault(pair[1], []).append(
                (set_id, tuple(sorted(set(found))))
            )

    @property
    def regex(self) -> re.Pattern[str]:
        """The whole alternation as one regex (compiled on first use)."""
        if self._regex is None:
            self._regex = self._compile(tuple(range(len(self._alternation))))
        return self._regex

    def _compile(self, subset: tuple[int, ...]) -> re.Pattern[str]:
        body = "|".join(f"({self._alternation[i]})" for i in subset)
        return re.compile(f"{self._lead}(?:{body})")

    def scan(self, text: str, starts: WordStarts) -> list[re.Match[str]]:
        """The matches ``regex.finditer(text)`` gives, trying only where and what can match."""
        set_id = self._id
        if set_id is None:
            return list(self.finditer(text))
        quick = self._quick_gate
        if quick is not None:
            for lit in quick:  # a plain loop: cheaper than any() over a generator
                if lit in text:
                    break
            else:
                return []
        index = starts._candidates  # (WordStarts.candidates, inlined: this runs a score of times a reply)
        if index is None or set_id >= starts._indexed:
            index = starts._reindex()
        candidates = index.get(set_id)
        if candidates is None:
            return []
        subsets = self._subsets
        if len(candidates) == 1:  # the usual case: one try, nothing to sort or merge
            pos, subset = candidates[0]
            regex = subsets.get(subset)
            if regex is None:
                regex = subsets[subset] = self._compile(subset)
            m = regex.match(text, pos)
            return [m] if m else []
        candidates.sort()
        out: list[re.Match[str]] = []
        end = -1
        count = len(candidates)
        i = 0
        while i < count:
            pos, subset = candidates[i]
            i += 1
            while i < count and candidates[i][0] == pos:  # two first words filed at one position
                subset = tuple(sorted({*subset, *candidates[i][1]}))
                i += 1
            if pos < end:
                continue
            regex = subsets.get(subset)
            if regex is None:
                regex = subsets[subset] = self._compile(subset)
            m = regex.match(text, pos)
            if m:
                out.append(m)
                end = m.end()
        return out

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
    alternatives = [f"{g}{p[len(lead) :]}" for g, p in zip(group, ordered, strict=True)]
    return PhraseSet(alternatives, lead, required_literals(ordered))
