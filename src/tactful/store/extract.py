"""What a sent reply commits to: the refusal, its reason and alternatives, promises, exceptions.

The analyzer finds refusals, reasons and alternatives; the patterns here (data, below) add
promises with their due dates, granted exceptions and the topic of a declined request.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

# A promise: the agent commits to contact the customer again.
_PROMISE = re.compile(
    r"\b(?:i|we)(?:'ll|’ll| will| shall| am going to| are going to)\s+"
    r"(?:(?!(?:not|never|won't)\b)[\w'’]+,?\s+){0,8}?"  # "I'll check with the team and email you"
    r"(?:let you know|notify you|tell you|email you|e-mail you|call you|ring you|text you|message you|"
    r"update you|keep you (?:posted|updated|informed)|get back to you|follow up|reach out|contact you|"
    r"write to you|send you an? (?:update|email|note|message))\b(?:(?!,? (?:and|but) (?:i|we)\b)[^.!?\n])*",
    re.IGNORECASE,
)
# "when dark mode ships" / "once it's back in stock": a promise tied to a future event.
_WHEN = re.compile(
    r"\b(?:when|once|as soon as|if)\s+(?:the\s+|our\s+|a\s+|an\s+)?(?P<topic>[\w][\w\s\-/&]{1,60}?)\s+"
    r"(?:ships|launches|is (?:available|released|live|out|ready|back(?: in stock)?)|"
    r"becomes available|goes live|comes out|arrives|is added|are (?:available|added|back))\b",
    re.IGNORECASE,
)
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_DUE = re.compile(
    r"\b(?:(?P<tomorrow>tomorrow)|(?P<today>today|tonight|later today)|(?:on |by |this |next )?"
    r"(?P<weekday>monday|tuesday|wednesday|thursday|friday|saturday|sunday)|"
    r"(?:within|in) (?P<n>\d{1,3}|a|an|one|two|three) (?P<unit>hour|day|business day|week)s?|"
    r"(?P<nextweek>next week)|(?P<endweek>(?:by )?the end of (?:the|this) week))\b",
    re.IGNORECASE,
)
_WORD_NUMBERS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3}
# Granting an exception to a policy (so a later refusal of the same thing needs explaining).
_EXCEPTION = re.compile(
    r"\b(?:make|made|making) an exception\b|\b(?:one-time|one time|courtesy) (?:exception|refund|credit)\b"
    r"|\bas a (?:one-time |one time )?(?:courtesy|goodwill gesture|exception)\b|\bjust this once\b",
    re.IGNORECASE,
)
# The kinds of alternative a report groups by: first pattern that matches wins.
ALTERNATIVE_KINDS: tuple[tuple[str, str], ...] = (
    ("store_credit", r"store credit|gift card|voucher|credit (?:to|on) your account"),
    ("exchange", r"exchange|swap|replacement|another (?:size|colou?r)"),
    ("repair", r"repair|fix it|technician"),
    ("discount", r"\d+ ?% off|discount|coupon|promo"),
    ("extension", r"extend|extension|trial"),
    ("upgrade_downgrade", r"upgrade|downgrade|switch to|plan"),
    ("pause", r"pause|hold|freeze"),
    (
        "workaround",
        r"workaround|in the meantime|instead|you (?:can|could) (?:use|try|switch|turn|add)|setting",
    ),
    ("escalation", r"manager|supervisor|team lead|escalat"),
)
# "Could you add X?", "support for X", "X feature": the topic of a feature-style request.
_ASK_TOPIC = re.compile(
    r"\b(?:add|adding|support(?: for)?|offer|offering|have|get|implement|bring back|build)\s+"
    r"(?:a |an |the |some )?(?P<topic>[a-z][\w\-]*(?: [a-z][\w\-]*){0,3}?)"
    r"(?: feature| option| support)?(?=[?.!,;]| to | in | for | on | so |$)",
    re.IGNORECASE,
)
_TOPIC_STOP = frozenset("it this that them a an the me us you any one more please".split())
# A declined feature named in the reply itself: "we won't be adding dark mode", "dark mode isn't on our
# roadmap", "we don't have a bulk export feature".
_TOPIC = r"(?P<topic>[a-z][\w\-]*(?: [a-z][\w\-]*){0,3}?)"
_DECLINED_FEATURE = (
    re.compile(
        r"\b(?:won'?t|won’t|will not|aren'?t going to|are not going to|don'?t plan to|do not plan to"
        r"|have no plans to)(?: be)? (?:adding|add|building|build|implementing|implement|introducing"
        r"|introduce"
        r"|supporting|support|offering|offer|bringing back|bring back|releasing|release|launching|launch) "
        r"(?:a |an |the |any )?"
        + _TOPIC
        + r"(?=[.!,;?]| (?:to|in|for|on|at|any|right|this|soon|anytime|yet|now)\b|$)",
        re.IGNORECASE,
    ),
    re.compile(
        r"(?:^|[.!?,;:]\s*|\b(?:but|and|so|unfortunately|sadly|currently|however)\s+)"
        + _TOPIC.replace("{0,3}?", "{0,3}")
        + r" (?:isn'?t|isn’t|is not|aren'?t|aren’t|are not) (?:currently |yet )?(?:on|in|part of) "
        r"(?:our|the) (?:current )?(?:roadmap|plans)",
        re.IGNORECASE,
    ),
    re.compile(
        r"\b(?:don'?t|don’t|do not|doesn'?t|doesn’t|does not) (?:currently |yet )?(?:have|offer|support) "
        r"(?:a |an |the |any )?" + _TOPIC + r" (?:feature|option|setting|integration)\b",
        re.IGNORECASE,
    ),
)
# What one reply may create in the store: a real reply makes a promise or two and offers one to
# three alternatives; a megabyte of "I'll call you." must not make 21,000 follow-ups.
MAX_PER_REPLY = 10


@dataclass(slots=True)
class ExtractedPromise:
    text: str
    kind: str  # "notify" (on an event), "contact" (dated or open-ended)
    topic: str | None
    due_at: datetime | None


@dataclass(slots=True)
class Extracted:
    is_refusal: bool
    reason: str | None
    alternatives: list[tuple[str, str]] = field(default_factory=list)  # (text, kind)
    promises: list[ExtractedPromise] = field(default_factory=list)
    exception_granted: bool = False
    topic: str | None = None  # from a "when X ships" promise
    declined_feature: str | None = None  # from "we won't be adding X" in the reply itself
    asked_topic: str | None = None  # from "could you add X?" in the customer's message


def normalize_topic(topic: str) -> str:
    return re.sub(r"\s+", " ", topic.strip().strip(".,;:!?\"'").lower())


def alternative_kind(text: str) -> str:
    for kind, pattern in ALTERNATIVE_KINDS:
        if re.search(pattern, text, re.IGNORECASE):
            return kind
    return "other"


def _due(text: str, sent_at: datetime) -> datetime | None:
    m = _DUE.search(text)
    if not m:
        return None
    day = sent_at.replace(hour=17, minute=0, second=0, microsecond=0)
    if m.group("tomorrow"):
        return day + timedelta(days=1)
    if m.group("today"):
        return max(day, sent_at)
    if m.group("weekday"):
        ahead = (_WEEKDAYS.index(m.group("weekday").lower()) - sent_at.weekday()) % 7 or 7
        return day + timedelta(days=ahead)
    if m.group("n"):
        raw = m.group("n").lower()
        n = _WORD_NUMBERS.get(raw) or int(raw)
        unit = m.group("unit").lower()
        if unit == "hour":
            return sent_at + timedelta(hours=n)
        return sent_at + timedelta(days=n * (7 if unit == "week" else 1))
    if m.group("nextweek"):
        return day + timedelta(days=7)
    return day + timedelta(days=(4 - sent_at.weekday()) % 7)  # end of this week: Friday


def find_promises(reply: str, sent_at: datetime) -> list[ExtractedPromise]:
    """The first ``MAX_PER_REPLY`` promises the reply makes."""
    out: list[ExtractedPromise] = []
    for m in _PROMISE.finditer(reply):
        if len(out) == MAX_PER_REPLY:
            break
        text = m.group().strip()
        when = _WHEN.search(text)
        topic = normalize_topic(when.group("topic")) if when else None
        due = None if when else _due(text, sent_at)
        out.append(ExtractedPromise(text=text, kind="notify" if when else "contact", topic=topic, due_at=due))
    return out


def topic_from_message(message: str | None) -> str | None:
    if not message:
        return None
    for m in _ASK_TOPIC.finditer(message):
        topic = normalize_topic(m.group("topic"))
        words = [w for w in topic.split() if w not in _TOPIC_STOP]
        if words and len(" ".join(words)) >= 3:
            return " ".join(words)
    return None


def declined_feature(reply: str) -> str | None:
    """The feature a reply itself says won't be built or isn't offered, as a topic; None if it names none."""
    for pattern in _DECLINED_FEATURE:
        for m in pattern.finditer(reply):
            words = [w for w in normalize_topic(m.group("topic")).split() if w not in _TOPIC_STOP]
            while words and words[0] in _LEAD_STOP:
                words.pop(0)
            if words and len(" ".join(words)) >= 3:
                return " ".join(words)
    return None


_LEAD_STOP = frozenset("unfortunately sadly currently but and so however also still".split())


def extract(
    reply: str, customer_message: str | None, sent_at: datetime, context: dict[str, Any]
) -> Extracted:
    """Read the commitments out of a sent reply (the text the store keeps)."""
    from tactful.analyzer.features import extract as features

    feats = features(reply, customer_message, context)
    reason = None
    for span in feats.spans("reason"):
        s, e = feats.sentence_of(span)
        reason = reply[s:e].strip()
        break
    found = Extracted(is_refusal=bool(feats.refusals), reason=reason)
    if found.is_refusal:
        for s, e in feats.alternatives:
            text = reply[s:e].strip()
            if text and len(found.alternatives) < MAX_PER_REPLY:
                found.alternatives.append((text, alternative_kind(text)))
    found.promises = find_promises(reply, sent_at)
    found.exception_granted = bool(_EXCEPTION.search(reply)) and not found.is_refusal
    found.topic = next((p.topic for p in found.promises if p.topic), None)
    found.asked_topic = topic_from_message(customer_message)
    if found.is_refusal:
        found.declined_feature = declined_feature(reply)
    return found
