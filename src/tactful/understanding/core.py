"""Understand a customer's message: what they ask for, how they feel, what may escalate, what to ask.

``understand(message)`` never raises on a string. It returns an :class:`Understanding`, whose
``to_dict()`` is the stable JSON contract (every key is always present)::

    {
      "status": "ok" | "empty" | "not_english" | "too_large",
      "understood": true,                  # status == "ok"
      "language": "en",                    # en es fr de pt it nl, or "unknown"
      "is_english": true,
      "words": 42,
      "note": null,                        # why it was not understood, else null
      "request": {                         # null unless understood
        "type": "refund",                  # refund return exchange discount feature_request
                                           # customization deadline cancellation policy_exception
                                           # account_change other
        "confidence": 0.67,                # 0-1
        "evidence": [[12, 18]],            # Python string offsets into the message
        "candidates": [{"type": "refund", "score": 2.0}, {"type": "policy_exception", "score": 0.8}]
      },
      "mood": {                            # null unless understood
        "label": "angry",                  # neutral disappointed frustrated angry anxious
        "confidence": 0.8,
        "evidence": [[40, 52]],
        "scores": {"angry": 2.0, "frustrated": 0.5}
      },
      "escalation": [                      # [] unless understood
        {"kind": "public_post",            # threat_to_leave public_post legal_threat chargeback
                                           # abuse wont_take_no
         "spans": [[60, 83]], "advice": "Stay kind but firm…", "source": "seed 003 (…)"}
      ],
      "details": [                         # order_number product date amount email reason
        {"kind": "amount", "text": "$49.99", "start": 30, "end": 36, "value": "49.99",
         "currency": "USD", "label": null,  # label: the reason (e.g. "arrived_late", "stated")
         "item": null, "problem": null,     # faults: "sole", "peeling"
         "date": null, "days_ago": null, "event": null}  # dates: "2026-01-20", 40, "purchase"
      ],
      "facts": {"purchase_date": "2026-01-20", "days_since_purchase": 40},  # what the dates say
      "clarifying_question": "Could you share your order number so I can look it up?",  # or null
      "missing": [{"what": "order_number", "question": "…", "source": "seed 003 (…)"}]
    }

``facts`` holds what the customer's dates establish, relative to ``today`` (an argument,
default the machine's date): ``purchase_date``/``days_since_purchase`` and
``delivery_date``/``days_since_delivery``, each key only when the message says so.

A message that is not English gets ``status: "not_english"``: request and mood are null and
escalation is empty (the lexicons are English), and only language-neutral details (order
numbers, amounts, numeric dates, e-mail addresses) are given.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from tactful.contract import REQUEST_TYPES, Span
from tactful.text import fold, word_count
from tactful.text.patterns import WordStarts
from tactful.understanding.details import Detail, extract
from tactful.understanding.language import NAMES, detect_language
from tactful.understanding.lexicon import load_family

MOODS: tuple[str, ...] = ("neutral", "disappointed", "frustrated", "angry", "anxious")
ESCALATIONS: tuple[str, ...] = (
    "threat_to_leave",
    "public_post",
    "legal_threat",
    "chargeback",
    "abuse",
    "wont_take_no",
)
STATUSES: tuple[str, ...] = ("ok", "empty", "not_english", "too_large")
MAX_CHARS = 1_000_000

_SHOUT = re.compile(r"[A-Z]{2,}(?:[ \t]+[A-Z]{2,}){1,50}")  # word edges checked in code (faster scan)
_SHOUT_WORD = re.compile(r"(?<![A-Za-z])[A-Z]{5,}(?![A-Za-z])")  # one shouted word: "CLOSED", "REALLY"
_GREETINGS = frozenset({"HI", "HEY", "HELLO", "DEAR", "OK", "OKAY", "YES", "LOL"})
_MARKS = re.compile(r"[!?]{2,}")  # "!!", "?!", "???": counted when two "!" or both marks or three "?"
_TRIPLE = re.compile(r"([a-z])\1\1")  # a letter three times: where a stretched word may be
_STRETCHED = re.compile(r"[a-z]{0,20}([a-z])\1{2,}[a-z]{0,20}")  # "pleaseeee", "whyyy", a whole word
_CAPS = re.compile(r"[A-Z]{2}")
_STRETCH_OK = frozenset({"www", "zzz", "hmm", "mmm", "aaa", "xxx"})
# A tweet's "#bs" and "&amp;" read as the words; curly apostrophes as straight ones (same length).
_SCAN = str.maketrans({"#": " ", "’": "'"})
_GOAL = re.compile(
    r"\b(?:so (?:that|i|we|my|our)|in order to|to be able to|because|since (?:i|we)|"
    r"(?:i|we)(?:'m| am|’m|'re|’re| are) trying to|for (?:my|our) (?:team|business|workflow|clients?))\b"
)
# Escalations move the mood too: abuse and threats read as anger, leaving and insisting as frustration.
_ESCALATION_MOOD = {
    "abuse": ("angry", 1.0),
    "legal_threat": ("angry", 1.0),
    "chargeback": ("angry", 1.0),
    "public_post": ("frustrated", 1.0),
    "threat_to_leave": ("frustrated", 1.0),
    "wont_take_no": ("frustrated", 1.0),
}
_MIN_SCORE = 0.75  # a single weak cue ("please help", "!!", "cheaper") is not enough to call it

_ASK_OUTCOME = (
    "seed 003 (If you don't understand the customer's intention clearly, ask what they want to achieve)"
)
_ASK_DETAILS = (
    "seed 004 (More details!: carefully ask about the sharp edges; could you please give more details?)"
)
_ASK_CERTAIN = "seed 003 (Be certain that you have understood the customer's request correctly)"


@dataclass(slots=True)
class Request:
    type: str
    confidence: float
    evidence: list[Span] = field(default_factory=list)
    candidates: list[tuple[str, float]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "type": self.type,
            "confidence": round(self.confidence, 2),
            "evidence": [[s, e] for s, e in self.evidence],
            "candidates": [{"type": t, "score": round(sc, 2)} for t, sc in self.candidates],
        }


@dataclass(slots=True)
class Mood:
    label: str
    confidence: float
    evidence: list[Span] = field(default_factory=list)
    scores: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "confidence": round(self.confidence, 2),
            "evidence": [[s, e] for s, e in self.evidence],
            "scores": {k: round(v, 2) for k, v in self.scores.items()},
        }


@dataclass(slots=True)
class Escalation:
    kind: str
    spans: list[Span]
    advice: str
    source: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "spans": [[s, e] for s, e in self.spans],
            "advice": self.advice,
            "source": self.source,
        }


@dataclass(slots=True)
class Question:
    """Something missing to answer well, as the question to ask the customer."""

    what: str
    question: str
    source: str

    def to_dict(self) -> dict[str, str]:
        return {"what": self.what, "question": self.question, "source": self.source}


@dataclass(slots=True)
class Understanding:
    """The result of :func:`understand`; ``to_dict`` is the stable JSON contract (module docstring)."""

    text: str
    status: str
    language: str
    is_english: bool
    words: int = 0
    note: str | None = None
    request: Request | None = None
    mood: Mood | None = None
    escalation: list[Escalation] = field(default_factory=list)
    details: list[Detail] = field(default_factory=list)
    missing: list[Question] = field(default_factory=list)
    today: dt.date | None = None  # what relative dates ("40 days ago") were read against

    @property
    def understood(self) -> bool:
        return self.status == "ok"

    @property
    def clarifying_question(self) -> str | None:
        return self.missing[0].question if self.missing else None

    def details_of(self, kind: str) -> list[Detail]:
        return [d for d in self.details if d.kind == kind]

    @property
    def facts(self) -> dict[str, str | int]:
        """What the customer's dates establish: ``purchase_date`` and ``days_since_purchase`` for
        "I bought it 40 days ago", ``delivery_date`` and ``days_since_delivery`` for "it arrived
        on Monday" — the first past day of each kind; a key only when the message says so."""
        out: dict[str, str | int] = {}
        for d in self.details_of("date"):
            if d.event is None or d.date is None or d.days_ago is None or f"{d.event}_date" in out:
                continue  # "I'll pay by Friday" is no purchase yet
            out[f"{d.event}_date"] = d.date
            out[f"days_since_{d.event}"] = d.days_ago
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "understood": self.understood,
            "language": self.language,
            "is_english": self.is_english,
            "words": self.words,
            "note": self.note,
            "request": self.request.to_dict() if self.request else None,
            "mood": self.mood.to_dict() if self.mood else None,
            "escalation": [e.to_dict() for e in self.escalation],
            "details": [d.to_dict() for d in self.details],
            "facts": self.facts,
            "clarifying_question": self.clarifying_question,
            "missing": [q.to_dict() for q in self.missing],
        }


def _confidence(ranked: list[tuple[str, float]]) -> float:
    top = ranked[0][1]
    second = ranked[1][1] if len(ranked) > 1 else 0.0
    return min(0.95, top / (top + second + 0.5))


def _score(
    family: str, text: str, folded: str, starts: WordStarts
) -> tuple[dict[str, float], dict[str, list[Span]]]:
    found = load_family(family).find(text, folded, starts)
    # The same words said twice ("credits … credits") count once: a cue, not a tally.
    scores = {
        name: sum(w for _, w in {(folded[h.start : h.end], h.weight) for h in hits})
        for name, hits in found.items()
    }
    evidence = {name: [h.span for h in hits] for name, hits in found.items()}
    return scores, evidence


def _rank(scores: dict[str, float], order: tuple[str, ...]) -> list[tuple[str, float]]:
    return sorted(scores.items(), key=lambda kv: (-kv[1], order.index(kv[0])))


def _request(text: str, folded: str, starts: WordStarts) -> Request:
    scores, evidence = _score("requests", text, folded, starts)
    ranked = _rank(scores, REQUEST_TYPES)
    if not ranked or ranked[0][1] < _MIN_SCORE:  # a weak cue alone ("a coupon", "my password")
        return Request("other", 0.5, [], ranked)
    best = ranked[0][0]
    # Asking for an exception qualifies a concrete ask ("refund me, though it's past the window")
    # rather than competing with it, so it does not lower that ask's confidence.
    rivals = [kv for kv in ranked if kv[0] != "policy_exception" or best == "policy_exception"]
    return Request(best, _confidence(rivals), evidence[best], ranked)


def _escalation(text: str, folded: str, starts: WordStarts) -> list[Escalation]:
    family = load_family("escalation")
    found = {name: [h.span for h in hits] for name, hits in family.find(text, folded, starts).items()}
    if "  " in folded:  # a cue written as hashtags ("#no #standard #bs #answers") reads with the marks out
        compact, where = _without_hashtag_gaps(folded)
        for name, hits in family.find(compact, compact).items():
            found.setdefault(name, []).extend((where[h.start], where[h.end - 1] + 1) for h in hits)
    return [
        Escalation(name, sorted(set(found[name])), entry.advice, entry.source)
        for name, entry in family.entries.items()
        if found.get(name)
    ]


def _without_hashtag_gaps(scan: str) -> tuple[str, list[int]]:
    """``scan`` with each double space (a hashtag's mark turned to a space) made single, and for each
    character kept its offset in ``scan``, so a cue found there maps back to the message."""
    kept = [i for i, c in enumerate(scan) if not (c == " " and i and scan[i - 1] == " ")]
    return "".join(scan[i] for i in kept), kept


_MOOD_ORDER = ("angry", "frustrated", "anxious", "disappointed")  # ties go to the stronger feeling


def _shouting(text: str) -> tuple[list[Span], list[Span]]:
    """(runs of two or more shouted words, single shouted words of five letters or more).
    A greeting ("HI YOUTUBE") and an acronym ("BSOD", two vowels needed) are not shouting."""
    runs: list[Span] = []
    if _CAPS.search(text) is None:
        return runs, []
    for m in _SHOUT.finditer(text):
        s, e = m.span()
        if (s and text[s - 1].isalpha()) or (e < len(text) and text[e].isalpha()):
            continue
        words = m.group().split()
        while words and words[0] in _GREETINGS:
            words.pop(0)
        if len(words) >= 2 and sum(len(w) for w in words) >= 6:
            runs.append((s, e))
    singles: list[Span] = []
    i = 0  # runs and words are both in text order: one pointer, no nested scan
    for m in _SHOUT_WORD.finditer(text):
        while i < len(runs) and runs[i][1] <= m.start():
            i += 1
        if sum(c in "AEIOU" for c in m.group()) >= 2 and not (i < len(runs) and runs[i][0] <= m.start()):
            singles.append(m.span())
    return runs, singles


def _stretched(folded: str) -> list[Span]:
    """Words with a letter stretched ("pleaseeee"), not in a link or a number ("www", "aaa1")."""
    out: list[Span] = []
    end = 0
    for m in _TRIPLE.finditer(folded):
        if m.start() < end:
            continue
        s = m.start()
        while s > 0 and folded[s - 1].isalpha() and m.start() - s < 20:
            s -= 1
        w = _STRETCHED.match(folded, s)
        if w is None:  # pragma: no cover - the triple itself always matches
            continue
        end = w.end()
        before, after = folded[s - 1 : s], folded[end : end + 1]
        in_link = bool(before) and (before.isalnum() or before in "/._")
        in_link = in_link or (bool(after) and (after.isalnum() or after in "/_"))
        if not in_link and w.group() not in _STRETCH_OK:
            out.append((s, end))
        if len(out) >= 2:
            break
    return out


def _marks(text: str) -> list[Span]:
    """ "!!", "?!", "???" runs: impatience, unless the message is cheerful (checked by the caller)."""
    out = []
    for m in _MARKS.finditer(text):
        run = m.group()
        if run.count("!") >= 2 or ("!" in run and "?" in run) or run.count("?") >= 3:
            out.append(m.span())
    return out


def _mood(text: str, folded: str, starts: WordStarts, escalation: list[Escalation]) -> Mood:
    """Score each feeling; anger needs hostility of its own (a full cue), and "upset" (angry plus
    frustrated) competes as one with anxious and disappointed. Under ``_MIN_SCORE``: neutral."""
    family = load_family("moods")
    scores, evidence = _score("moods", text, folded, starts)

    def add(label: str, weight: float, spans: list[Span]) -> None:
        scores[label] = scores.get(label, 0.0) + weight
        evidence.setdefault(label, []).extend(spans)

    if family.faces is not None and not (folded.isascii() and ":" not in folded and "_" not in folded):
        for label, weight, span in family.faces.find(folded):
            add(label, weight, [span])
    runs, singles = _shouting(text)
    if runs:
        add("frustrated", 0.75 * min(len(runs), 3), runs[:3])
    if singles:
        add("frustrated", 0.5 * min(len(singles), 2), singles[:2])
    marks = _marks(text) if ("!" in text or "??" in text) else []
    stretched = _stretched(folded)
    if (marks or stretched) and not (family.calm and family.calm.found(folded)):
        if marks:
            add("frustrated", 0.5 * min(len(marks), 2), marks[:2])
        if stretched:
            add("frustrated", 0.5, stretched[:1])
    for esc in escalation:
        label, weight = _ESCALATION_MOOD[esc.kind]
        add(label, weight, esc.spans)
    upset = scores.get("angry", 0.0) + scores.get("frustrated", 0.0)
    feelings = [("upset", upset)] + [(m, scores.get(m, 0.0)) for m in ("anxious", "disappointed")]
    feelings.sort(key=lambda kv: -kv[1])  # stable: upset, anxious, disappointed on a tie
    if feelings[0][1] < _MIN_SCORE:
        return Mood("neutral", 0.6, [], dict(_rank(scores, _MOOD_ORDER)))
    best = feelings[0][0]
    if best == "upset":
        best = "angry" if scores.get("angry", 0.0) >= 1.0 else "frustrated"
        spans = evidence.get("angry", []) + evidence.get("frustrated", [])
    else:
        spans = evidence[best]
    ranked = [(best, feelings[0][1]), *feelings[1:]]
    return Mood(best, _confidence(ranked), sorted(set(spans)), dict(_rank(scores, _MOOD_ORDER)))


def _questions(request: Request, details: list[Detail], folded: str) -> list[Question]:
    kinds = {d.kind for d in details}
    kind = request.type
    out: list[Question] = []
    if kind == "other":
        out.append(
            Question(
                "desired_outcome",
                "What would you like us to do — what outcome are you hoping for?",
                _ASK_OUTCOME,
            )
        )
        return out
    if kind in ("refund", "return", "exchange", "deadline") and "order_number" not in kinds:
        out.append(
            Question("order_number", "Could you share your order number so I can look it up?", _ASK_CERTAIN)
        )
    if kind == "cancellation" and not kinds & {"order_number", "email"}:
        out.append(
            Question(
                "order_number",
                "Could you share your order number, or the email address on your account, so I can find it?",
                _ASK_CERTAIN,
            )
        )
    if kind == "account_change" and "email" not in kinds:
        out.append(
            Question(
                "account",
                "Which account is it (the email address on it), and what should it change to?",
                _ASK_CERTAIN,
            )
        )
    if kind in ("refund", "return", "exchange") and "reason" not in kinds:
        out.append(Question("reason", "What went wrong with it?", _ASK_DETAILS))
    if kind == "exchange" and "product" not in kinds:
        out.append(
            Question(
                "product",
                "Which item is it, and what would you like instead (size, colour, model)?",
                _ASK_DETAILS,
            )
        )
    if kind == "discount" and "amount" not in kinds:
        out.append(
            Question(
                "amount",
                "Which price are you comparing with — how much was it, and where did you see it?",
                _ASK_DETAILS,
            )
        )
    if kind == "deadline" and "date" not in kinds:
        out.append(Question("date", "By when do you need it?", _ASK_CERTAIN))
    has_goal = kind in ("feature_request", "customization") and _GOAL.search(folded) is not None
    if kind == "feature_request" and not has_goal:
        out.append(
            Question(
                "goal",
                "What are you trying to achieve with it? Knowing that helps us suggest a way to do it today.",
                _ASK_OUTCOME,
            )
        )
    if kind == "customization" and not has_goal:
        out.append(Question("goal", "What exactly would you like changed, and what is it for?", _ASK_OUTCOME))
    if kind == "policy_exception":
        out.append(
            Question(
                "desired_outcome",
                "What would you like us to do — what outcome are you hoping for?",
                _ASK_OUTCOME,
            )
        )
    return out[:3]


def understand(message: str, *, max_chars: int = MAX_CHARS, today: dt.date | None = None) -> Understanding:
    """Read a customer's message: request type, mood, escalation, details and what to ask.

    Never raises on a string: an empty message, a non-English one and one longer than
    ``max_chars`` come back with ``status`` saying so and a ``note`` that explains it.
    Relative dates ("40 days ago", "last Tuesday") are read against ``today`` (default: the
    machine's date); :attr:`Understanding.facts` sums them up.
    """
    if not isinstance(message, str):
        raise TypeError(f"understand() takes a str, not {type(message).__name__}")
    if len(message) > max_chars:
        return Understanding(
            message,
            "too_large",
            "unknown",
            False,
            note=f"message is {len(message):,} characters; the limit is {max_chars:,}",
        )
    if not message.strip():
        return Understanding(
            message, "empty", "unknown", False, note="nothing to understand: the message is empty"
        )
    today = today or dt.date.today()
    folded = fold(message)
    scan = folded.translate(_SCAN).replace("&amp;", " and ")
    starts = WordStarts(scan)
    words = word_count(message)
    language = detect_language(folded, {w: len(p) for w, p in starts.by_word.items()})
    if language != "en":
        name = NAMES.get(language, language)
        note = (
            f"the message looks like {name} ({language}); tactful reads English only, so the request "
            "and mood are not guessed — translate it or answer in the customer's language"
        )
        if language == "unknown":
            note = (
                "the message does not look like English; tactful reads English only, so the request "
                "and mood are not guessed"
            )
        details = extract(message, folded, starts, english=False, today=today)
        return Understanding(
            message, "not_english", language, False, words, note, details=details, today=today
        )
    request = _request(message, scan, starts)
    escalation = _escalation(message, scan, starts)
    mood = _mood(message, scan, starts, escalation)
    details = extract(message, folded, starts, today=today)
    missing = _questions(request, details, scan)
    return Understanding(
        message, "ok", "en", True, words, None, request, mood, escalation, details, missing, today
    )
