"""Details to mirror back: order numbers, amounts, dates, e-mail addresses, products and reasons.

Details carry their meaning where the words give it: a date is resolved to a calendar day with
what happened then ("bought it 40 days ago" → purchase, 40 days before today), and a fault says
what is broken and how ("the sole is peeling" → item "sole", problem "peeling"). Something the
customer says is *not* so ("it was not a full flight") is not a detail.

Every pattern is linear-time: repeats are bounded, and e-mail addresses are grown outwards from
each "@" by hand, so a megabyte of hostile text cannot make a regex backtrack for minutes.
"""

from __future__ import annotations

import datetime as dt
import re
from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cache
from itertools import accumulate

from tactful.text.patterns import WordStarts, compile_patterns
from tactful.understanding.dates import NUMBER_WORDS, before, number, resolve
from tactful.understanding.lexicon import load_family, load_products

KINDS: tuple[str, ...] = ("order_number", "product", "date", "amount", "email", "reason")


@dataclass(slots=True)
class Detail:
    """One specific the customer gave. ``value`` is normalised (the id, "49.99", the reason label)."""

    kind: str
    start: int
    end: int
    text: str
    value: str
    currency: str | None = None  # amounts only: ISO 4217 code
    label: str | None = None  # reasons only: the reasons.yml entry, or "stated" for a because-clause
    item: str | None = None  # faults only: what is broken, in the customer's words ("sole")
    problem: str | None = None  # faults only: how ("peeling", "not working")
    date: str | None = None  # dates only: the calendar day (ISO), when the words name one
    days_ago: int | None = None  # dates only: days before today (None for a future day)
    event: str | None = None  # dates only: "purchase" or "delivery" when the sentence says so

    def to_dict(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "text": self.text,
            "start": self.start,
            "end": self.end,
            "value": self.value,
            "currency": self.currency,
            "label": self.label,
            "item": self.item,
            "problem": self.problem,
            "date": self.date,
            "days_ago": self.days_ago,
            "event": self.event,
        }


# --- order numbers -------------------------------------------------------------------------------
_ORDER = re.compile(
    r"\b(?:order|ord|invoice|receipt|ref|reference|booking|confirmation|ticket|case|tracking|"
    r"transaction|po|rma)"
    r"(?:[ \t]*(?:number|num|no|id|code|ref|reference)\b\.?)?"
    r"(?:[ \t]*(?:is|was|:|#|-))?[ \t]*#?[ \t]*"
    r"((?=[a-z0-9-]{0,24}\d)[a-z0-9][a-z0-9-]{2,24})\b"
)
_HASH_ID = re.compile(r"(?<![\w#])#[ \t]?([a-z0-9]{0,8}\d[a-z0-9-]{1,24})\b")

# --- amounts -------------------------------------------------------------------------------------
_NUMBER = r"(\d{1,3}(?:[,.]\d{3}){1,5}(?:[.,]\d{1,2})?|\d{1,12}(?:[.,]\d{1,2})?)"
_SYMBOLS = {
    "us$": "USD", "ca$": "CAD", "c$": "CAD", "au$": "AUD", "a$": "AUD", "nz$": "NZD", "hk$": "HKD",
    "s$": "SGD", "r$": "BRL", "$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY", "₹": "INR", "₩": "KRW",
    "₽": "RUB", "₺": "TRY", "₪": "ILS", "chf": "CHF",
}  # fmt: skip
_WORDS = {
    "usd": "USD", "eur": "EUR", "gbp": "GBP", "cad": "CAD", "aud": "AUD", "nzd": "NZD", "chf": "CHF",
    "jpy": "JPY", "inr": "INR", "sek": "SEK", "nok": "NOK", "dkk": "DKK", "pln": "PLN", "mxn": "MXN",
    "brl": "BRL", "dollar": "USD", "dollars": "USD", "bucks": "USD", "euro": "EUR", "euros": "EUR",
    "pound": "GBP", "pounds": "GBP", "quid": "GBP", "yen": "JPY", "rupee": "INR", "rupees": "INR",
}  # fmt: skip
_SYMBOL_RE = "|".join(re.escape(s) for s in sorted(_SYMBOLS, key=len, reverse=True))
_WORD_RE = "|".join(sorted(_WORDS, key=len, reverse=True))
_NUMBER_RE = re.compile(_NUMBER)
_RUN = re.compile(r"\d[\d,.]{0,40}")
_CUR_BEFORE = re.compile(rf"(?<![\w$])({_SYMBOL_RE}|(?:{_WORD_RE}))[ \t]?$")
_CUR_AFTER = re.compile(rf"[ \t]?(€|£|\$|¥|₹|(?:{_WORD_RE})\b)")

# --- dates ---------------------------------------------------------------------------------------
_MONTH = (
    r"(?:january|february|march|april|may|june|july|august|september|october|november|december|"
    r"jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec)\.?"
)
_DAY_NAME = r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
_ORD = r"(?:st|nd|rd|th)?"
_WORD_DATES = compile_patterns(
    [
        rf"\b{_MONTH}[ \t]+\d{{1,2}}{_ORD}\b(?:,?[ \t]+\d{{4}}\b)?",
        rf"\b(?:in|since|from|during|early|late|mid)[ \t]+{_MONTH}(?:[ \t]+\d{{4}})?\b",
        r"\b(?:yesterday|today|tonight|tomorrow|the day before yesterday)\b",
        rf"\b(?:last|this|next|on|by|since|until|before)[ \t]+(?:{_DAY_NAME}|week|weekend|month|year|"
        r"christmas|morning|afternoon|evening|night)\b",
        rf"\b(?:a|an|{NUMBER_WORDS}|a few|a couple of|a couple|several)[ \t]+"
        r"(?:days?|weeks?|months?|years?|hours?)[ \t]+(?:ago|back)\b",
    ]
)
_DIGIT_DATE = re.compile(
    rf"\d{{1,2}}{_ORD}[ \t]+(?:of[ \t]+)?{_MONTH}(?:,?[ \t]+\d{{4}}\b)?"
    r"|\d{4}-\d{2}-\d{2}\b"
    r"|\d{1,2}[/.]\d{1,2}[/.](?:\d{4}|\d{2})\b"
    r"|\d{1,3}[ \t]+(?:days?|weeks?|months?|years?|hours?)[ \t]+(?:ago|back)\b"
)
# "I've had it for 3 weeks": how long ago it was bought.
_HELD = re.compile(
    r"\b(?:had|owned|used|using|bought)[ \t]+"
    r"(?:it|them|this|these|those|mine|the[ \t]+\w{1,30}|my[ \t]+\w{1,30})[ \t]+(?:for[ \t]+)?"
    r"(?:(?:about|around|only|just|over|almost|nearly)[ \t]+)?"
    rf"((\d{{1,3}}|a|an|{NUMBER_WORDS})[ \t]+(day|week|month|year)s?)\b(?![ \t]+(?:ago|back|later)\b)"
)
_PURCHASE = re.compile(
    r"\b(?:bought|buy|purchased|purchase|ordered|order|paid|pay|subscribed|signed up|booked|renewed|"
    r"got (?:it|them|this|these|one|mine))\b"
)
_DELIVERY = re.compile(r"\b(?:arrived|delivered|received|came|showed up|turned up|got here)\b")
_SENTENCE_END = re.compile(r"[.!?;\n]")
_COMMA_OR_END = re.compile(r"[.!?;,\n]")
_EVENT_BACK, _EVENT_AHEAD = 60, 40

# --- reasons given as a clause -------------------------------------------------------------------
_BECAUSE = re.compile(
    r"\bbecause\b|\bdue to\b|\bthe reason is\b"
    r"|\b(?:cause|cuz|coz)\b(?=[ \t]+(?:i|we|it|my|the|our|they|he|she|you)\b)"
)
_CLAUSE_END = re.compile(r"[.!?;\n]")
_CLAUSE_MAX = 160

# --- products ------------------------------------------------------------------------------------
_DETERMINER = r"(?:my|the|this|that|these|those|a|an|our|his|her|their|two|three|\d{1,3})"
_MODIFIER_STOP = frozenset(
    """i you we they it he she is was are were be been and or but to of for on in at by with from
    as so if not no my the this that a an our your their his her its me us them one which who
    when have has had will would can could did do does get got just also only about what""".split()
)
_NAMED = re.compile(
    r"\b(?:bought|ordered|purchased|got|received)[ \t]+(?:a|an|the|my|two|three|\d{1,3})[ \t]+"
    r"([A-Z][\w'’-]{1,30}(?:[ \t][A-Z0-9][\w'’-]{0,30}){0,3})"
)


_LOOKBACK = 80
# "it was not a full flight", "without a receipt": what the customer says is not so is no detail.
_NOT_SO = re.compile(
    r"(?:\bnot|n't|n’t|\bnever|\bwithout|\bisnt|\bwasnt)\s+(?:(?:even|really|exactly|quite|just)\s+)?$"
)


def _negated(folded: str, start: int) -> bool:
    left = max(0, start - 40)
    return "n" in folded[left:start] and _NOT_SO.search(folded, left, start) is not None  # all have an "n"


@cache
def _product_lookback() -> re.Pattern[str]:
    """What may stand before a product noun: a determiner and up to two modifiers, at the end."""
    stop = "(?:" + "|".join(sorted(_MODIFIER_STOP, key=len, reverse=True)) + ")"
    return re.compile(
        rf"\b{_DETERMINER}[ \t]+((?:(?!{stop}\b)[\w'’-]{{1,30}}[ \t]+){{0,2}}(?:[\w]{{1,10}}-)?)$"
    )


@cache
def _product_nouns() -> frozenset[str]:
    return frozenset(load_products().nouns)


def _noun(word: str, nouns: frozenset[str]) -> bool:
    return word in nouns or (
        word[-1:] == "s" and (word[:-1] in nouns or (word[-2:] == "es" and word[:-2] in nouns))
    )


def _decimal(raw: str) -> str:
    """ "1,299.00" → "1299.00"; "49,99" → "49.99"; "1.299" → "1299"; "1 299,50" → "1299.50"."""
    s = raw.replace(" ", "")
    last = max(s.rfind(","), s.rfind("."))
    if last >= 0 and len(s) - last - 1 in (1, 2):
        whole, frac = s[:last], s[last + 1 :]
        s = whole.replace(",", "").replace(".", "") + "." + frac
    else:
        s = s.replace(",", "").replace(".", "")
    try:
        return str(Decimal(s))
    except InvalidOperation:  # pragma: no cover - the regex only lets digits through
        return s


class _Taken:
    """Spans already claimed, answering "does [s, e) overlap one?" in O(log n): a message with
    thousands of dates must not compare each new one with all the others."""

    __slots__ = ("reach", "starts")

    def __init__(self, spans: Iterable[tuple[int, int]]) -> None:
        ordered = sorted(spans)
        self.starts = [s for s, _ in ordered]
        self.reach = list(accumulate((e for _, e in ordered), max))  # the furthest end so far

    def overlaps(self, s: int, e: int) -> bool:
        i = bisect_left(self.starts, e)  # spans starting before e
        return i > 0 and self.reach[i - 1] > s


_ORDER_WORDS = (
    "order", "ord", "invoice", "receipt", "ref", "reference", "booking", "confirmation", "ticket", "case",
    "tracking", "transaction", "po", "rma",
)  # fmt: skip


def order_numbers(text: str, folded: str, starts: WordStarts) -> list[Detail]:
    out: list[Detail] = []
    positions = sorted(p for w in _ORDER_WORDS for p in starts.by_word.get(w, ()))
    end = -1
    for pos in positions:
        if pos < end:
            continue
        m = _ORDER.match(folded, pos)
        if m is None:
            continue
        end = m.end()
        s, e = m.span(1)
        out.append(Detail("order_number", m.start(), e, text[m.start() : e], text[s:e].upper()))
    taken = _Taken((d.start, d.end) for d in out)
    if "#" in folded:
        for m in _HASH_ID.finditer(folded):
            if not taken.overlaps(*m.span()):
                s, e = m.span(1)
                out.append(Detail("order_number", m.start(), e, text[m.start() : e], text[s:e].upper()))
    return out


def amounts(text: str, folded: str, runs: list[re.Match[str]]) -> list[Detail]:
    """Numbers with a currency before ("$49.99", "USD 20") or after ("49,99 €", "20 dollars")."""
    out: list[Detail] = []
    for run in runs:
        s = run.start()
        if s and (folded[s - 1].isalnum() or folded[s - 1] in ".,"):
            continue  # inside a word or a longer number ("a10442")
        m = _NUMBER_RE.match(folded, s, run.end())
        if m is None:  # pragma: no cover - a run always starts with a digit
            continue
        e = m.end()
        if e < len(folded) and folded[e].isdigit():
            continue
        before = _CUR_BEFORE.search(folded, max(0, s - 5), s)
        if before is not None and not (before.group(1).isalpha() and len(before.group(1)) != 3):
            cur, start, end = before.group(1), before.start(), e
        else:
            after = _CUR_AFTER.match(folded, e)
            if after is None:
                continue
            cur, start, end = after.group(1), s, after.end()
        code = _SYMBOLS.get(cur) or _WORDS.get(cur) or cur.upper()
        out.append(Detail("amount", start, end, text[start:end], _decimal(m.group(1)), currency=code))
    return out


def _event(folded: str, start: int, end: int) -> str | None:
    """ "purchase" or "delivery": the nearest verb of that kind before the date in its sentence
    ("ordered it last Tuesday"), else the first one after it in its clause ("4 days ago I bought")."""
    left = max(0, start - _EVENT_BACK)
    for stop in _SENTENCE_END.finditer(folded, left, start):
        left = stop.end()
    verbs = (("purchase", _PURCHASE), ("delivery", _DELIVERY))
    behind = [(m.end(), kind) for kind, verb in verbs for m in verb.finditer(folded, left, start)]
    if behind:
        return max(behind)[1]
    clause = _COMMA_OR_END.search(folded, end, end + _EVENT_AHEAD)
    right = clause.start() if clause else min(len(folded), end + _EVENT_AHEAD)
    ahead = [(found.start(), kind) for kind, verb in verbs if (found := verb.search(folded, end, right))]
    return min(ahead)[1] if ahead else None


def _dated(text: str, folded: str, s: int, e: int, day: dt.date | None, today: dt.date) -> Detail:
    ago = (today - day).days if day is not None and day <= today else None
    return Detail(
        "date", s, e, text[s:e], text[s:e],
        date=day.isoformat() if day else None, days_ago=ago, event=_event(folded, s, e),
    )  # fmt: skip


def dates(
    text: str, folded: str, starts: WordStarts, runs: list[re.Match[str]], today: dt.date | None = None
) -> list[Detail]:
    """Dates as written, each resolved to a day relative to ``today`` when the words name one."""
    today = today or dt.date.today()
    found = [m.span() for m in _WORD_DATES.scan(folded, starts)]
    taken = _Taken(found)
    for run in runs:
        s = run.start()
        if s and folded[s - 1].isalnum():
            continue
        m = _DIGIT_DATE.match(folded, s)
        if m is not None and not taken.overlaps(*m.span()):
            found.append(m.span())
    out = [_dated(text, folded, s, e, resolve(folded[s:e], today), today) for s, e in found]
    held = sorted(p for w in ("had", "owned", "used", "using", "bought") for p in starts.by_word.get(w, ()))
    if held:
        taken = _Taken(found)
        for pos in held:  # tried only where its first word is, not at every character
            m = _HELD.match(folded, pos)
            if m is None:
                continue
            s, e = m.span(1)
            count = number(m.group(2))
            if count is None or taken.overlaps(s, e):
                continue
            detail = _dated(text, folded, s, e, before(today, count, m.group(3)), today)
            detail.event = "purchase"
            out.append(detail)
    return sorted(out, key=lambda d: d.start)


_EMAIL_LOCAL_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._+-")
_EMAIL_DOMAIN = re.compile(r"[\w-]{1,63}(?:\.[\w-]{1,63}){1,5}")
_MAX_EMAILS = 50  # "@"s looked at; a message with more is not a message to mirror addresses from


def emails(text: str) -> list[Detail]:
    out: list[Detail] = []
    pos = text.find("@")
    looked = 0
    while pos != -1 and looked < _MAX_EMAILS:
        looked += 1
        s = pos
        while s > 0 and pos - s < 64 and text[s - 1] in _EMAIL_LOCAL_CHARS:
            s -= 1
        right = _EMAIL_DOMAIN.match(text, pos + 1)
        if s < pos and right:
            e = right.end()
            while e > s and text[e - 1] in ".-":
                e -= 1
            out.append(Detail("email", s, e, text[s:e], text[s:e].lower()))
        pos = text.find("@", pos + 1)
    return out


def products(text: str, folded: str, starts: WordStarts) -> list[Detail]:
    out: list[Detail] = []
    nouns = _product_nouns()
    lookback = _product_lookback()
    for word, positions in starts.by_word.items():
        if not _noun(word, nouns):
            continue
        for pos in positions:
            m = lookback.search(folded, max(0, pos - _LOOKBACK), pos)
            if m is not None and not _negated(folded, m.start()):
                s, e = m.start(1), pos + len(word)
                out.append(Detail("product", s, e, text[s:e], folded[s:e]))
    out.sort(key=lambda d: d.start)
    taken = _Taken((d.start, d.end) for d in out)
    if any(v in starts.by_word for v in ("bought", "ordered", "purchased", "got", "received")):
        for m in _NAMED.finditer(text):
            s, e = m.span(1)
            if not taken.overlaps(s, e):
                out.append(Detail("product", s, e, text[s:e], folded[s:e]))
    return out


# --- what is broken and how ----------------------------------------------------------------------
_FAULTS = frozenset({"damaged_or_defective", "poor_quality"})
_OWNER = frozenset("my the this that these those our his her their your its a an both".split())
_LINKS = frozenset(
    """is are was were has have had keep keeps kept just still already completely totally now been be
    started starting begun began seems seem seemed appears appear to got gets get arrived came
    showed turned up looks looked feels felt also suddenly randomly always""".split()
)  # fmt: skip
_PRONOUNS = frozenset("it they this that these those which who what i we he she you one".split())
_LINKING_WORDS = """and or but to of for on in at by with from as so if when since because after before
    again already today yesterday too twice while though even yet upon within during very really"""
_NOT_ITEM = _LINKS | _PRONOUNS | _OWNER | frozenset(_LINKING_WORDS.split())
_ADJECTIVES = frozenset(
    """broken damaged cracked defective faulty dented torn ripped scratched shattered chipped bent
    stained frayed faded warped smashed rusty rusted mouldy moldy rotten corrupted""".split()
)
_ITEM_WORD = re.compile(r"[a-z0-9][\w'’-]{0,30}")
_NEGATED = re.compile(
    r"^(?:doesn't|doesn’t|doesnt|does not|isn't|isn’t|isnt|is not|won't|won’t|wont|will not|didn't|didn’t|"
    r"didnt|did not|hasn't|hasn’t|hasnt|has not|haven't|haven’t|havent|have not|can't|can’t|cant|cannot|"
    r"aren't|aren’t|arent|are not|not|no longer)\s+(?:been\s+)?(.+)$"
)
_KEEPS = re.compile(r"^(?:keeps?|kept)\s+(.+)$")


def _gerund(verb: str) -> str:
    """ "work" → "working", "turn on" → "turning on", "charge" → "charging"."""
    head, _, rest = verb.partition(" ")
    if not head.endswith("ing"):
        head = head[:-1] + "ing" if head.endswith("e") and not head.endswith("ee") else head + "ing"
    return f"{head} {rest}" if rest else head


def problem_of(phrase: str) -> str:
    """How it is broken, plainly: "doesn't work" → "not working", "keeps crashing" → "crashing"."""
    p = " ".join(phrase.lower().split())
    m = _NEGATED.match(p)
    if m:
        return "not " + _gerund(m.group(1).removesuffix("s") if m.group(1) == "works" else m.group(1))
    m = _KEEPS.match(p)
    if m:
        return m.group(1)
    return p.replace("stops ", "stopped ").replace("stop ", "stopped ")


def _item(text: str, folded: str, start: int, end: int) -> str | None:
    """What is broken, from the sentence: "the sole is peeling" → "sole"; "a cracked screen" → "screen"."""
    left = max(0, start - 60)
    for stop in _SENTENCE_END.finditer(folded, left, start):
        left = stop.end()
    words = [
        (m.group().replace("’", "'"), m.start(), m.end()) for m in _ITEM_WORD.finditer(folded, left, start)
    ]
    last = len(words) - 1
    while last >= 0 and words[last][0] in _LINKS:  # "is", "has been", "keeps", "arrived"
        last -= 1
    if last >= 0 and words[last][0].endswith("'s") and len(words[last][0]) > 2:  # "the sole's peeling"
        word, s0, e0 = words[last]
        words[last] = (word[:-2], s0, e0 - 2)
    first = last
    while first >= 0 and last - first < 3 and words[first][0] not in _OWNER:
        if words[first][0] in _NOT_ITEM and words[first][0] != "and":
            first = -1
            break
        first -= 1
    if 0 <= first < last and words[first][0] in _OWNER and "and" not in (words[first + 1][0], words[last][0]):
        return text[words[first + 1][1] : words[last][2]]
    after = _ITEM_WORD.match(folded, end + 1) if folded[end : end + 1] == " " else None
    if after is not None and after.group() not in _NOT_ITEM and folded[start:end] in _ADJECTIVES:
        return text[after.start() : after.end()]  # an adjective before its noun: "a cracked screen"
    return None


def reasons(text: str, folded: str, starts: WordStarts) -> list[Detail]:
    out: list[Detail] = []
    for name, hits in load_family("reasons").find(text, folded, starts).items():
        for hit in hits:
            detail = Detail("reason", hit.start, hit.end, text[hit.start : hit.end], name, label=name)
            if name in _FAULTS:
                detail.problem = problem_of(folded[hit.start : hit.end])
                detail.item = _item(text, folded, hit.start, hit.end)
            out.append(detail)
    if not any(w in starts.by_word for w in ("because", "due", "reason", "cause", "cuz", "coz")):
        return out
    taken = _Taken((d.start, d.end) for d in out)
    for m in _BECAUSE.finditer(folded):
        s = m.start()
        stop = _CLAUSE_END.search(folded, m.end(), m.end() + _CLAUSE_MAX)
        e = stop.start() if stop else min(len(folded), m.end() + _CLAUSE_MAX)
        while e > s and folded[e - 1] in " \t,":
            e -= 1
        if e - m.end() < 3 or taken.overlaps(s, e):
            continue
        out.append(Detail("reason", s, e, text[s:e], "stated", label="stated"))
    return out


def extract(
    text: str, folded: str, starts: WordStarts, english: bool = True, today: dt.date | None = None
) -> list[Detail]:
    """Every detail, sorted by position. Without ``english`` only language-neutral ones
    (order numbers, amounts, numeric dates, e-mail addresses). Dates resolve against ``today``."""
    runs = list(_RUN.finditer(folded))
    found = (
        order_numbers(text, folded, starts)
        + amounts(text, folded, runs)
        + dates(text, folded, starts, runs, today)
    )
    if "@" in text:
        found += emails(text)
    if english:
        found += products(text, folded, starts) + reasons(text, folded, starts)
    # An order id that is really an amount or a date ("order 12/03/2024") loses to it.
    claimed = _Taken((d.start, d.end) for d in found if d.kind in ("amount", "date", "email"))
    found = [d for d in found if d.kind != "order_number" or not claimed.overlaps(d.start + 1, d.end)]
    found.sort(key=lambda d: (d.start, KINDS.index(d.kind)))
    return found
