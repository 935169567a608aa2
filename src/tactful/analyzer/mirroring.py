"""Which of the customer's own details a reply mirrors, and which stretches it only echoes.

A detail is a word of the customer's message that is not the vocabulary of every support conversation
(``mirroring.yml``) and not the company's own name (a word inside one of the handles they wrote to). Words
match on a light stem, so "disconnections" and "connecting" meet. Repeating the customer word for word
risks sounding condescending ("How to say NO and keep the customer", seeds/002): a run of eight or more
words copied verbatim is an echo and earns nothing.

Everything here is one pass over each text (a set of the customer's eight-word runs, looked up per position).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from typing import Any

from tactful.contract import Span
from tactful.yamldata import load_yaml

ECHO_WORDS = 8  # a verbatim run this long is copying a clause, not naming a detail
_WORD = re.compile(r"[^\W_][\w'’-]*")
_SUFFIXES = ("ations", "ation", "ings", "ing", "ions", "ion", "ments", "ment", "ness", "edly", "ied", "ies",
             "ed", "es", "s", "ly")  # fmt: skip
_PREFIXES = ("dis", "re", "un")
_KEEP = 6
# a word not right after a handle or sign-off mark, nor after a dash that follows a space
_CONTENT_WORD = re.compile(r"(?<![\w'’^*~@#/-])[^\W_][\w'’-]*")


@dataclass(frozen=True, slots=True)
class Mirroring:
    details: int  # how many distinct details the customer gave
    mirrored: list[Span]  # reply spans that mirror one (echoed stretches left out)
    echoed: list[Span]  # reply stretches copied word for word from the customer
    topic_shared: bool = False  # both name one of the support topics (a refund, a seat) the customer raised


@lru_cache(maxsize=1 << 16)  # words repeat across replies: each is stemmed once
def stem(word: str) -> str:
    """A light stem: enough for "crashes"/"crashing" or "reinstall"/"install" to meet, nothing more."""
    w = word.strip("'’-")
    if w.endswith(("'s", "’s")):
        w = w[:-2]
    for suffix in _SUFFIXES:
        if w.endswith(suffix) and len(w) - len(suffix) >= 3:
            w = w[: -len(suffix)]
            break
    for prefix in _PREFIXES:
        if w.startswith(prefix) and len(w) - len(prefix) >= 4:
            w = w[len(prefix) :]
            break
    # "suspended"/"suspension", "terminated"/"termination", "subscribe"/"subscription": six letters of
    # a long word are enough to be the same word
    return w[:_KEEP] if w.isalpha() else w


@cache
def _lexicon() -> dict[str, Any]:
    data: dict[str, Any] = load_yaml(
        (resources.files("tactful.analyzer") / "mirroring.yml").read_text("utf-8")
    )
    return data


@cache
def generic_stems() -> frozenset[str]:
    return frozenset(stem(w) for w in _lexicon()["generic"].split())


@cache
def topic_stems() -> frozenset[str]:
    return frozenset(stem(w) for w in _lexicon()["topic"].split())


@cache
def _same() -> dict[str, str]:
    """Each short form or joined name -> the one key its thing is known by."""
    out: dict[str, str] = {}
    for line in _lexicon().get("same", []):
        forms = line.split()
        out.update((form, forms[0]) for form in forms)
    return out


@lru_cache(maxsize=1 << 16)
def _key(word: str) -> str:
    """A detail's key: its name as one thing if it has short forms, else its stem."""
    same = _same()
    return same.get(word) or same.get(word.replace("-", "")) or stem(word)


def _words(folded: str) -> list[tuple[int, int, str]]:
    """(start, end, word) for each word, leaving out handles and sign-offs (@handle, ^JS, *SR, /TF, -Becky):
    the look-behinds do that inside ``re``."""
    return [(m.start(), m.end(), m.group()) for m in _CONTENT_WORD.finditer(folded)]


def _is_detail(word: str, original: str, stemmed: str, generic: frozenset[str], handles: list[str]) -> bool:
    """A content word: four letters or more, a number or code ("5521", "ce-34224-5"), or an acronym the
    customer wrote in capitals ("GPU", "TV"); not generic, not the company's name."""
    if word == "url" or stemmed in generic:
        return False
    if len(word) < 4 and not any(c.isdigit() for c in word):
        acronym = len(word) >= 2 and original.isupper() and word not in generic_stems()
        if not acronym:
            return False
    return not (len(stemmed) >= 4 and any(stemmed in h for h in handles))


def mirror(reply_folded: str, customer: str, customer_folded: str) -> Mirroring:
    """The customer's details that ``reply_folded`` mirrors (``customer`` as written, both texts folded
    with URLs masked; folding keeps offsets, so the original case of each word can be read back)."""
    generic = generic_stems()
    handles = re.findall(r"@(\w+)", customer_folded) + re.findall(r"@(\w+)", reply_folded)
    customer_spans = _words(customer_folded)
    customer_words = [w for _, _, w in customer_spans]
    is_detail = [_is_detail(w, customer[a:b], stem(w), generic, handles) for a, b, w in customer_spans]
    details = {_key(w) for (_, _, w), yes in zip(customer_spans, is_detail, strict=True) if yes}
    # What the customer says is *not* so ("it was not a full flight") is mirrored only by a reply that
    # keeps the negation; "your full flight" would tell them the opposite of what they wrote.
    said = {
        _key(w)
        for i, w in enumerate(customer_words)
        if is_detail[i] and not _negated(customer_words, i, _DENIALS)
    }
    denied = details - said
    # A name written as one word or two ("FaceID" / "Face ID", "blue screen" / "BSOD") is one detail;
    # two words join when the short one alone would not count ("id" in "Face ID").
    same = _same()
    for i, ((_, _, a), (_, _, b)) in enumerate(zip(customer_spans, customer_spans[1:], strict=False)):
        joined = a + b
        if joined in same:
            details.add(same[joined])
        elif (
            len(joined) >= 6
            and is_detail[i] != is_detail[i + 1]
            and min(len(a), len(b)) <= 3
            and not ({a, b} & generic)
        ):
            details.add(joined)
    reply_words = _words(reply_folded)
    words = [w for _, _, w in reply_words]
    echoed_idx = _echoed(customer_words, words)
    mirrored = [
        (start, end)
        for i, (start, end, w) in enumerate(reply_words)
        if (k := _key(w)) in details and i not in echoed_idx and (k not in denied or _negated(words, i))
    ]
    if details:  # "Face ID" / "PlayStation 4" written apart in the reply
        mirrored += [
            (a[0], b[1])
            for i, (a, b) in enumerate(zip(reply_words, reply_words[1:], strict=False))
            if i not in echoed_idx and (same.get(a[2] + b[2]) or a[2] + b[2]) in details
        ]
    mirrored.sort()
    echoed = _runs([reply_words[i][:2] for i in sorted(echoed_idx)])
    topics = topic_stems()
    raised = {k for w in customer_words if (k := stem(w)) in topics}
    shared = bool(raised) and any(stem(w) in raised for w in words)
    return Mirroring(details=len(details), mirrored=mirrored, echoed=echoed, topic_shared=shared)


# "not a full flight", "no refund", "never late": a state the customer denies. A negated verb ("didn't get
# the email") still names its object, so only these count.
_DENIALS = frozenset({"not", "no", "never"})
_NEGATORS = _DENIALS | frozenset(
    "nothing none without isn't wasn't aren't weren't don't doesn't didn't won't can't cannot couldn't "
    "isn’t wasn’t aren’t weren’t don’t doesn’t didn’t won’t can’t couldn’t".split()
)


def _negated(words: list[str], i: int, negators: frozenset[str] = _NEGATORS) -> bool:
    """Is word ``i`` inside a negation: one of the three words before it denies it?"""
    return any(w in negators for w in words[max(0, i - 3) : i])


def _echoed(customer: list[str], reply: list[str]) -> set[int]:
    """Indices of reply words inside a run of ECHO_WORDS or more words copied from the customer."""
    if len(customer) < ECHO_WORDS or len(reply) < ECHO_WORDS:
        return set()
    theirs = set(customer)
    # only a run of ECHO_WORDS reply words that all occur in the customer's message can be a copy
    run, starts = 0, []
    for i, word in enumerate(reply):
        run = run + 1 if word in theirs else 0
        if run >= ECHO_WORDS:
            starts.append(i - ECHO_WORDS + 1)
    if not starts:
        return set()
    grams = {tuple(customer[i : i + ECHO_WORDS]) for i in range(len(customer) - ECHO_WORDS + 1)}
    covered: set[int] = set()
    for i in starts:
        if tuple(reply[i : i + ECHO_WORDS]) in grams:
            covered.update(range(i, i + ECHO_WORDS))
    return covered


def _runs(spans: list[Span]) -> list[Span]:
    """Adjacent word spans joined into stretches (a gap of white space or punctuation only)."""
    out: list[Span] = []
    for start, end in spans:
        if out and start - out[-1][1] <= 2:
            out[-1] = (out[-1][0], end)
        else:
            out.append((start, end))
    return out
