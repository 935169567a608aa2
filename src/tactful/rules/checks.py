"""Rules that need code: each check takes the reply's features and returns the spans to flag."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from tactful.analyzer.features import Features
from tactful.config import Config
from tactful.contract import Span

REGISTRY: dict[str, Callable[[Features, Config], list[Span]]] = {}

# Runs of capitalised words; led by a character class so ``re`` jumps between capitals.
_CAPS_PAIR = re.compile(r"[A-Z][A-Z'’]")
_CAPS_RUN = re.compile(r"[A-Z][A-Z'’]+(?:[ ,]+[A-Z][A-Z'’]+)*")
# Two or more "!" in a run of ! and ?, e.g. "!!", "?!!", "!?!" (a lone "!" or "?!" is fine).
_BANGS = re.compile(r"!(?:[!?]*!)|\?[!?]*![!?]*!")
# Single words that shout even alone; acronyms (UPS, PDF) do not.
_SHOUTED = frozenset("NO NOT NEVER CANNOT CAN'T CAN’T WON'T WON’T MUST ALREADY STOP NOW".split())
_PERIOD = re.compile(r"\b(\d{1,4})[- ]?(day|week|month|year|hour)s?\b", re.IGNORECASE)


def check(fn: Callable[[Features, Config], list[Span]]) -> Callable[[Features, Config], list[Span]]:
    REGISTRY[fn.__name__] = fn
    return fn


@check
def generic_acknowledgement(feats: Features, config: Config) -> list[Span]:
    """A stock acknowledgement when the customer gave details and the reply mirrors none of them."""
    if not feats.customer or feats.customer_details == 0 or feats.mirrored:
        return []
    return feats.spans("generic_acknowledgement")[:1]


def _periods(text: str) -> list[tuple[Span, tuple[int, str]]]:
    return [(m.span(), (int(m.group(1)), m.group(2).lower())) for m in _PERIOD.finditer(text)]


def _known_periods(context: dict[str, Any]) -> set[tuple[int, str]]:
    known: set[tuple[int, str]] = set()
    policy = context.get("policy") or {}
    if isinstance(policy, dict):
        for key, value in policy.items():
            m = re.search(r"_(day|week|month|year|hour)s$", str(key))
            if m and isinstance(value, int | float) and not isinstance(value, bool):
                known.add((int(value), m.group(1)))
            elif isinstance(value, str):
                known.update(p for _, p in _periods(value))
    elif isinstance(policy, str):
        known.update(p for _, p in _periods(policy))
    return known


def _unstated(text: str, known: set[tuple[int, str]]) -> list[Span]:
    """Time windows in ``text`` of a unit ``known`` uses ("days") but a number it doesn't."""
    if not known:
        return []
    units = {unit for _, unit in known}
    return [span for span, period in _periods(text) if period[1] in units and period not in known]


@check
def policy_period_mismatch(feats: Features, config: Config) -> list[Span]:
    """A time window (\"60 days\") that the policy in context does not state."""
    return _unstated(feats.text, _known_periods(feats.context))


@check
def history_period_mismatch(feats: Features, config: Config) -> list[Span]:
    """A time window that differs from the one this customer was told before."""
    history = feats.context.get("history") or []
    earlier = {p for item in history if isinstance(item, str) for _, p in _periods(item)}
    return _unstated(feats.text, earlier)


@check
def sla_breach(feats: Features, config: Config) -> list[Span]:
    """The reply went out later than its channel's SLA (needs timestamps in the context)."""
    if not feats.context:
        return []
    from tactful.analyzer.rubric import response_minutes, sla_minutes  # rubric imports the rules

    minutes = response_minutes(feats.context)
    if minutes is None or minutes <= sla_minutes(feats.context, config):
        return []
    return [(0, min(len(feats.text), feats.sentences[0][1] if feats.sentences else len(feats.text)))]


@check
def shouting(feats: Features, config: Config) -> list[Span]:
    """Three or more capitalised words in a row, a capitalised refusal word, or stacked "!!"."""
    text = feats.text
    spans: list[Span] = []
    if "!" in text:
        spans.extend(m.span() for m in _BANGS.finditer(text))
    if not _CAPS_PAIR.search(text):  # most replies: no two capitals in a row
        spans.sort()
        return spans
    for m in _CAPS_RUN.finditer(text):
        start, end = m.span()
        if (start and (text[start - 1].isalnum() or text[start - 1] == "_")) or (
            end < len(text) and (text[end].isalnum() or text[end] == "_")
        ):
            continue  # part of a mixed-case word
        words = m.group().replace(",", " ").split()
        if len(words) >= 3:
            spans.append((start, end))
            continue
        at = start
        for word in words:
            at = text.index(word, at)
            if word in _SHOUTED:
                spans.append((at, at + len(word)))
            at += len(word)
    spans.sort()
    return spans


# An order, booking or reference number: after such a word, or written with '#'.
_REFERENCE = re.compile(
    r"(?:\b(?:order|booking|reservation|reference|ref|confirmation|ticket|case|invoice|tracking)"
    r"(?: (?:number|no\.?|num|id|code))?[ :#]*|#)([A-Za-z]{0,3}-?\d[\dA-Za-z-]{3,})\b",
    re.IGNORECASE,
)
# A name the customer signs with or gives; the name a reply greets.
_OWN_NAME = re.compile(
    r"(?:\bmy name is|\bthis is|\bname's|(?:^|\s)[-–—~^]"
    r"|\b(?:thanks|thank you|regards|cheers|best|sincerely),?\s*\n?)"
    r"\s*([A-Z][a-z]+)\b\W*$|\bmy name is ([A-Z][a-z]+)\b"
)
_GREETED = re.compile(
    r"^(?:\s*@\w+)*\s*(?i:hi|hello|hey|dear|good (?:morning|afternoon|evening))[ ,]+([A-Z][a-z]+)\b"
)
_AMOUNT = re.compile(
    r"[$£€]\s?(\d[\d,]*(?:\.\d\d)?)|\b(\d[\d,]*(?:\.\d\d)?)\s?(?:dollars|euros|pounds|usd|eur|gbp)\b"
)
_MONEY_WORDS = re.compile(
    r"\b(?:refund|charge|charged|paid|pay|payment|credit|bill|billed|cost|price|fee)", re.I
)


def _norm_ref(value: str) -> str:
    return value.replace("-", "").lower()


@check
def contradicts_customer(feats: Features, config: Config) -> list[Span]:
    """An order number, name or amount in the reply that is not the one the customer gave."""
    customer = feats.customer
    if not customer:
        return []
    text = feats.text
    spans: list[Span] = []
    theirs = {_norm_ref(m.group(1)) for m in _REFERENCE.finditer(customer)}
    if theirs:
        spans += [m.span(1) for m in _REFERENCE.finditer(text) if _norm_ref(m.group(1)) not in theirs]
    own = _OWN_NAME.search(customer.strip())
    greeted = _GREETED.search(text)
    if own and greeted:
        name = (own.group(1) or own.group(2)).lower()
        if greeted.group(1).lower() != name and greeted.group(1).lower() not in customer.lower():
            spans.append(greeted.span(1))
    amounts = {(m.group(1) or m.group(2)).replace(",", "") for m in _AMOUNT.finditer(customer)}
    if amounts:
        for m in _AMOUNT.finditer(text):
            value = (m.group(1) or m.group(2)).replace(",", "")
            sentence = feats.sentence_of(m.span())
            if value not in amounts and _MONEY_WORDS.search(text, sentence[0], sentence[1]):
                spans.append(m.span())
    return sorted(spans)
