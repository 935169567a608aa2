"""What the customer asked, turned round into the agent's words, for an acknowledgement that names it.

"can u help me move my playlists to my new phone" becomes "us to help you move your playlists to your
new phone", so a reply can say "Thanks for asking us to help you move your playlists to your new phone."
Only questions and requests are read (``topics.yml``), never statements, so a detail the customer
negated ("it was not a full flight") never comes back as a fact. When nothing specific is asked, there
is no topic, and the composer adds no acknowledgement at all rather than a stock one.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tactful.yamldata import load_yaml

if TYPE_CHECKING:
    from tactful.understanding import Understanding

TOPICS_PATH = Path(__file__).with_name("topics.yml")
# The analyzer's echo: this many words copied verbatim earn nothing (repeating the customer word for
# word risks sounding condescending: "How to say NO and keep the customer", seeds/002).
ECHO_WORDS = 8
READ_CHARS = 2_000  # what the customer asks is near the start: the rest is not read (bounded cost)
CONFIDENT = 0.6  # request-type confidence under which no policy is applied to a message
MAX_MATCHES = 8  # matches of one pattern tried before the next pattern
_URL = re.compile(r"\b(?:https?://|www\.|pic\.twitter\.com/)\S*", re.IGNORECASE)
_HANDLE = re.compile(r"[.@]?@\w+")
_HASH = re.compile(r"#(?=\w)")
_SPACES = re.compile(r"\s+")
_PLACEHOLDER = re.compile(r"\s+link\s*$", re.IGNORECASE)  # exports write an attachment as "link"
_TOKEN = re.compile(r"[\w'’&+.-]*\w|[^\w\s]")
_SUBJECT_LEAD = frozenset("that if when whether and but or so because".split())
_HANDLE_NAME = re.compile(r"(?<=\w )@([A-Za-z]\w*)")  # a name inside a sentence: "get @BigSean's mixtape"


@dataclass(frozen=True, slots=True)
class Topic:
    """The customer's ask (or report) as the agent says it back. ``says`` runs from the fullest wording
    to shorter ones (trailing phrases cut), for a reply that has little room."""

    says: tuple[str, ...]
    kind: str = "ask"  # "ask": their question; "report": a problem they told us; "request": what they want

    @property
    def say(self) -> str:
        return self.says[0]

    @property
    def thanks_lead(self) -> str:
        return _LEADS[self.kind][0]

    def thanks_for(self, say: str) -> str:
        return f"{_LEADS[self.kind][0]} {say}."

    def acknowledgement_for(self, say: str) -> str:
        return f"{_LEADS[self.kind][1]} {say}."

    @property
    def thanks(self) -> str:
        return self.thanks_for(self.say)

    @property
    def acknowledgement(self) -> str:
        return self.acknowledgement_for(self.say)


_LEADS = {
    "ask": ("Thanks for asking", "You asked"),
    "report": ("Thanks for letting us know", "You mentioned"),
    "request": ("Thanks for asking for", "I understand you'd like"),
}


def mirrored_about(u: Understanding, channel: str) -> str:
    """`` for your blue jacket (order A1234)``: the customer's own details, never in public."""
    if channel == "social":
        return ""
    product = next((d.text for d in u.details_of("product")), None)
    order = next((d.value for d in u.details_of("order_number")), None)
    if product and order:
        return f" for your {product} (order {order})"
    if product:
        return f" for your {product}"
    if order:
        return f" for order {order}"
    return ""


def thing_of(u: Understanding) -> str:
    """``your blue jacket`` or ``order A1234``: what thanks may name."""
    product = next((d.text for d in u.details_of("product")), None)
    if product:
        return f"your {product}"
    order = next((d.value for d in u.details_of("order_number")), None)
    return f"order {order}" if order else ""


def request_topic(u: Understanding | None, channel: str, request_type: str | None = None) -> Topic | None:
    """ "a refund for your Aurora blender (order 5521)", "to return your boots": the request type read
    with confidence, with the product or order it is about; None without such details (or in public,
    where they stay private)."""
    from tactful.composer.templates import load_templates

    if u is None or channel == "social":
        return None
    if request_type is None:  # not given: the type read from the message, when it is clear
        if u.request is None or u.request.confidence < CONFIDENT:
            return None
        request_type = u.request.type
    ask = load_templates()["asks"].get(request_type)
    about, thing = mirrored_about(u, channel), thing_of(u)
    if not ask or not about:
        return None
    if ask.startswith("to "):  # "to return your item": the item named instead
        verb = ask.split()[1]
        return Topic((f"to {verb} {thing}",), "ask")
    return Topic((f"{ask}{about}",), "request")


def topic_for(
    u: Understanding | None, message: str | None, draft: str, channel: str, request_type: str | None
) -> Topic | None:
    """What to say back: the request the agent named (with its details), else the customer's own
    question, else the request read from the message, else a problem they reported."""
    if u is None:
        return None
    if request_type:
        given = request_topic(u, channel, request_type)
        if given is not None:
            return given
    own = topic_of(message, draft)
    if own is not None and own.kind == "ask":
        return own
    return request_topic(u, channel) or own


@dataclass(frozen=True, slots=True)
class _Rules:
    patterns: tuple[tuple[re.Pattern[str], str, str], ...]
    clause_end: re.Pattern[str]
    trailing: re.Pattern[str]
    pronouns: dict[str, str]
    agreement: tuple[tuple[re.Pattern[str], str], ...]
    casing: dict[str, str]
    cut_before: frozenset[str]
    cut_then: frozenset[str]
    dangling: frozenset[str]
    max_words: int
    examples: tuple[dict[str, Any], ...]


@cache
def rules(path: Path = TOPICS_PATH) -> _Rules:
    data = load_yaml(path.read_text(encoding="utf-8"))
    return _Rules(
        patterns=tuple(
            (re.compile(p["match"], re.IGNORECASE), str(p["say"]), str(p.get("kind", "ask")))
            for p in data["patterns"]
        ),
        clause_end=re.compile(data["clause_end"], re.IGNORECASE),
        trailing=re.compile(rf"(?:\s+(?:{data['trailing']}))+\s*$", re.IGNORECASE),
        pronouns={str(k): str(v) for k, v in data["pronouns"].items()},
        agreement=tuple(
            (re.compile(rf"\b{re.escape(k)}\b", re.IGNORECASE), str(v)) for k, v in data["agreement"].items()
        ),
        casing={w.lower(): w for w in str(data["casing"]).split()},
        cut_before=frozenset(str(data["cut_before"]).split()),
        cut_then=frozenset(str(data["cut_then"]).split()),
        dangling=frozenset(str(data["dangling"]).split()),
        max_words=int(data["max_words"]),
        examples=tuple(data.get("examples") or ()),
    )


def clean(message: str) -> str:
    """The message as words: no links, handles, hashtag marks, emoji or attachment placeholders."""
    text = html.unescape(message)
    text = _URL.sub(" ", text)
    text = _HANDLE_NAME.sub(r"\1", text)
    text = _HANDLE.sub(" ", text)
    text = _HASH.sub("", text)
    text = text.replace("’", "'").replace("‘", "'")
    text = "".join(c for c in text if c.isspace() or not unicodedata.category(c).startswith(("S", "C")))
    text = _PLACEHOLDER.sub("", text)
    return _SPACES.sub(" ", text).strip()


def _swap(words: list[str]) -> list[str]:
    """The customer's I/my/you/your as the agent says them ("you" is "we" as a subject, else "us")."""
    table = rules().pronouns
    out: list[str] = []
    for i, word in enumerate(words):
        low = word.lower()
        if low in ("guys", "all") and out and out[-1] in ("we", "us"):
            continue  # "you guys", "y'all"
        if low in ("you", "u", "yous", "y'all", "ya"):
            subject = i == 0 or words[i - 1].lower() in _SUBJECT_LEAD
            out.append("we" if subject else "us")
        elif low in table:
            out.append(table[low])
        else:
            out.append(word)
    return out


def _case(word: str, draft_forms: dict[str, str]) -> str:
    low = word.lower()
    if low in draft_forms:
        return draft_forms[low]
    known = rules().casing.get(low)
    if known:
        return known
    letters = [c for c in word if c.isalpha()]
    if len(letters) >= 5 and all(c.isupper() for c in letters):
        return low  # shouted ("CLOSED"), not an acronym
    if re.fullmatch(r"[a-z]{1,3}\d{1,3}", word):
        return word.upper()  # "ps4", "s10"
    return word


def _trim(rest: str) -> str:
    r = rules()
    end = r.clause_end.search(rest)
    if end is not None:
        rest = rest[: end.start()]
    rest = rest.strip(" ,'\"")
    previous = None
    while previous != rest:
        previous = rest
        rest = r.trailing.sub("", " " + rest).strip()
    return rest


def _detail(word: str) -> bool:
    """A word the analyzer would count as the customer's own detail (not generic, not a function word)."""
    from tactful.analyzer.mirroring import generic_stems, stem

    low = word.lower().strip("'")
    if any(c.isdigit() for c in low):
        return True
    letters = [c for c in word if c.isalpha()]
    if 2 <= len(letters) <= 4 and all(c.isupper() for c in letters):
        return True  # an acronym: "GPU", "COD"
    return len(low) >= 4 and stem(low) not in generic_stems()


def _echo(said: list[str], customer: list[str]) -> bool:
    """Would ``said`` copy ECHO_WORDS or more of the customer's words in a row?"""
    if len(said) < ECHO_WORDS:
        return False
    grams = {tuple(customer[i : i + ECHO_WORDS]) for i in range(len(customer) - ECHO_WORDS + 1)}
    low = [w.lower() for w in said]
    return any(tuple(low[i : i + ECHO_WORDS]) in grams for i in range(len(low) - ECHO_WORDS + 1))


_PLAIN = frozenset("do does did get got it this that any all now you your yours we our us can".split())


def _specific(words: list[str], kind: str) -> bool:
    """An ask names one of the customer's details ("PS4", "playlists"); a report, whose verb and
    negation are the point ("you can't log in to your account"), may instead say two things."""
    if any(_detail(w) for w in words):
        return True
    said = [w for w in words if len(w) >= 3 and w.lower() not in _PLAIN and w.lower() not in rules().dangling]
    return kind == "report" and len(said) >= 2


def _fits(words: list[str], kind: str, fits: Callable[[list[str]], bool]) -> list[list[str]]:
    """The clause and its shorter cuts (before a trailing phrase, clause-level cuts first) that say
    something specific and satisfy ``fits``, longest first."""
    r = rules()

    def tidy(ws: list[str]) -> list[str]:
        while ws and ws[-1].lower() in r.dangling:
            ws = ws[:-1]
        return ws if ws and _specific(ws, kind) else []

    candidates = [tidy(words)]
    for tier in (r.cut_before, r.cut_then):
        cuts = sorted((i for i, w in enumerate(words) if w.lower() in tier and i >= 2), reverse=True)
        candidates += [tidy(words[:i]) for i in cuts]
    out: list[list[str]] = []
    for ws in candidates:
        if ws and ws not in out and fits(ws):
            out.append(ws)
    return out[:1] + sorted(out[1:], key=len, reverse=True)  # the first fit, then shorter ones


def _phrase(group: str, draft_forms: dict[str, str]) -> str:
    words = _swap(group.split())
    text = " ".join(_case(w, draft_forms) for w in words)
    for pattern, fixed in rules().agreement:
        text = pattern.sub(fixed, text)
    return text


def _spellings(draft: str) -> dict[str, str]:
    """How the draft spells names mid-sentence ("Xbox One"): not sentence starts, not inside links."""
    words = _URL.sub(" ", draft)
    return {
        m.group(2).lower(): m.group(2)
        for m in re.finditer(r"([a-z,] )([A-Za-z]*[A-Z][\w-]*)", words)
        if not (m.group(2).isupper() and len(m.group(2)) > 4)
    }


def topic_of(message: str | None, draft: str = "") -> Topic | None:
    """The customer's question or request as the agent says it back, or None when there is none.

    ``draft`` lends its spelling of names ("Xbox One" where the customer wrote "xbox one")."""
    if not message or not message.strip():
        return None
    r = rules()
    text = clean(message[:READ_CHARS])
    customer_words = [w.lower() for w in _TOKEN.findall(text)]
    draft_forms = _spellings(draft)
    for pattern, say, kind in r.patterns:
        for n, m in enumerate(pattern.finditer(text)):
            if n == MAX_MATCHES:
                break
            found = _render(m, say, kind, draft_forms, customer_words)
            if found is not None:
                return found
    return None


def _render(
    m: re.Match[str], say: str, kind: str, draft_forms: dict[str, str], customer: list[str]
) -> Topic | None:
    r = rules()
    groups = m.groupdict()
    words = _trim(groups.get("rest") or "").split()[: 3 * r.max_words]
    aux = (groups.get("aux") or "").lower()
    subject = " ".join(_swap((groups.get("subject") or "").split()))
    if subject.split() and subject.split()[0].lower() in ("the", "your", "our", "my"):
        subject = subject[:1].lower() + subject[1:]
    if subject and kind == "report" and subject.split()[0].lower() not in ("the", "your", "our"):
        subject = "the " + subject
    be = (groups.get("be") or "is").replace("'s", "is")

    def said(ws: list[str]) -> str:
        text = say.format(rest=_phrase(" ".join(ws), draft_forms), subject=subject, aux=aux, be=be)
        if aux == "do":  # "why do you charge" -> "why we charge"
            text = text.replace(" do ", " ", 1)
        return _SPACES.sub(" ", text).strip()

    fitted = _fits(words, kind, lambda ws: len(ws) <= r.max_words and not _echo(said(ws).split(), customer))
    return Topic(tuple(said(ws) for ws in fitted), kind) if fitted else None
