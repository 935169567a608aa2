"""One-click fixes: turn a finding into one concrete edit of the reply (replace ``start:end``).

A fix never makes anything up. Wording comes from the rule itself (a substitution's swap), from
the text (sentence case, removing a phrase) or from *snippets* built from what tactful understood
and decided for this customer (their request and details, the policy's reason, its allowed
alternatives). A finding with no honest concrete edit has no fix; the agent gets the suggestion.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from functools import cache
from typing import Any

# How each rule is fixed. Rules not listed (or whose snippet is missing) only get their suggestion.
FIX_KINDS: dict[str, tuple[str, str]] = {
    "tactful.tone.shouting": ("calm", "Calm it down"),
    "tactful.tone.condescending": ("remove", "Remove the phrase"),
    "tactful.apology.fake_regret": ("remove", "Remove the phrase"),
    "tactful.tone.blame_customer": ("remove_sentence", "Remove the sentence"),
    "tactful.apology.over_apology": ("remove_apology", "Remove the extra apology"),
    "tactful.empathy.no_acknowledgement": ("acknowledgement", "Add an acknowledgement"),
    "tactful.empathy.generic_acknowledgement": ("acknowledgement_swap", "Mirror their request"),
    "tactful.gratitude.no_thanks": ("thanks", "Add thanks"),
    "tactful.reason.missing": ("reason", "Add the policy's reason"),
    "tactful.alternatives.none": ("alternatives", "Add the allowed alternatives"),
    "tactful.follow_up.dead_end": ("next_step", "Add a next step"),
}
# Which snippet a kind needs; a kind absent here needs none.
_NEEDS = {
    "acknowledgement": "acknowledgement",
    "acknowledgement_swap": "acknowledgement",
    "thanks": "thanks",
    "reason": "reason",
    "alternatives": "alternatives",
    "next_step": "next_step",
}
_QUOTED = re.compile(r"[\"“](.+?)[\"”]\s*$")
_GREETING = re.compile(
    r"\A\s*(?:(?:hi|hello|hey|dear|good (?:morning|afternoon|evening|day))\b[^\n]{0,60}\n+"
    r"|(?:hi|hello|hey|dear)\b[^.!?\n,]{0,40}[,!][ \t]*)",
    re.I,
)
_SIGN_OFF = re.compile(
    r"\n+\s*(?:best(?: regards| wishes)?|kind regards|regards|thanks|thank you|cheers|sincerely|all the best)"
    r"\b[^\n]*(?:\n[^\n]*)?\s*\Z",
    re.I,
)
_SENTENCE_END = re.compile(r"[.!?](?=\s|\Z)|\n(?=\s*\n|\s*[-*•] )")
_PUNCT_RUN = re.compile(r"[!?]+")


@dataclass(frozen=True, slots=True)
class Snippets:
    """Sentences a fix may insert, built from this customer's message and the policy decision."""

    acknowledgement: str = ""
    thanks: str = ""
    reason: str = ""
    alternatives: str = ""
    next_step: str = ""

    def to_dict(self) -> dict[str, str]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Any) -> Snippets:
        if not isinstance(data, dict):
            return cls()
        return cls(**{k: str(data.get(k) or "")[:2000] for k in cls.__dataclass_fields__})


@dataclass(frozen=True, slots=True)
class Fix:
    """Replace ``text[start:end]`` with ``replacement``; ``label`` is the button text."""

    rule: str
    label: str
    start: int
    end: int
    replacement: str

    def apply(self, text: str) -> str:
        return text[: self.start] + self.replacement + text[self.end :]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def fix_table(snippets: Snippets) -> dict[str, str]:
    """Rule id -> button label for every rule that has a one-click fix with these snippets."""
    out: dict[str, str] = {}
    for rule, (kind, label) in {**FIX_KINDS, **_substitution_rules()}.items():
        need = _NEEDS.get(kind)
        if need is None or getattr(snippets, need):
            out[rule] = label
    return out


@cache
def _substitution_rules() -> dict[str, tuple[str, str]]:
    """Substitution rules carry their own replacement (``Try: "…"``): all of them are fixable."""
    from tactful.rules.engine import load_rules

    return {r.id: ("swap", "Use the suggested wording") for r in load_rules() if r.kind == "substitution"}


def snippets_for(understanding: Any, decision: dict[str, Any] | None) -> Snippets:
    """Build the insertable sentences from :func:`tactful.understand`'s result and a decision dict."""
    from tactful.composer import load_templates

    t = load_templates()
    rtype = (decision or {}).get("request_type") or (
        understanding.request.type if getattr(understanding, "request", None) else "other"
    )
    ask = t["asks"].get(rtype, t["asks"]["other"])
    about = ""
    if understanding is not None and getattr(understanding, "understood", False):
        product = next((d.text for d in understanding.details_of("product")), None)
        order = next((d.value for d in understanding.details_of("order_number")), None)
        if product and order:
            about = f" for your {product} (order {order})"
        elif product:
            about = f" for your {product}"
        elif order:
            about = f" for order {order}"
    ack = t["openings"][0].format(ask=ask, about=about) if understanding is not None else ""
    reason = ""
    alternatives = ""
    next_step = t["needs_info_next"][0]
    if decision:
        policy = decision.get("policy") or {}
        reason = " ".join(str(policy.get("reason") or "").split())
        alts = [str(a.get("text", "")).strip().rstrip(".") for a in decision.get("alternatives") or []]
        alts = [a[:1].lower() + a[1:] for a in alts if a]
        if alts:
            alternatives = "Here is what I can do for you instead: " + "; or ".join(alts) + "."
            next_step = t["next_steps"][0]
    return Snippets(
        acknowledgement=ack,
        thanks=t["thanks"][0],
        reason=reason,
        alternatives=alternatives,
        next_step=next_step,
    )


def _sentence_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """The sentence around ``start:end`` (with its trailing space), by ., ! ? or a line break."""
    left = start
    while left > 0 and not (
        (text[left - 1] in ".!?" and text[left].isspace()) or text[left - 1 : left + 1] == "\n\n"
    ):
        left -= 1
    while left < start and text[left] in " \t":
        left += 1
    m = _SENTENCE_END.search(text, max(start, end - 1))
    right = m.end() if m else len(text)
    while right < len(text) and text[right] in " \t":
        right += 1
    return left, right


def _body_start(text: str) -> int:
    m = _GREETING.match(text)
    return m.end() if m else len(text) - len(text.lstrip())


def _body_end(text: str) -> int:
    m = _SIGN_OFF.search(text)
    stripped = len(text.rstrip())
    return min(m.start(), stripped) if m else stripped


def _at_sentence_start(text: str, pos: int) -> bool:
    before = text[:pos].rstrip(" \t")
    return not before or before[-1] in ".!?\n"


def _remove(text: str, start: int, end: int, rule: str, label: str) -> Fix:
    """Remove a phrase and tidy the punctuation and capitals around it."""
    tail = re.match(r"[,;:]?[ \t]*", text[end:])
    end += tail.end() if tail else 0
    replacement = ""
    if start >= 2 and text[start - 2 : start] == ", " and (end >= len(text) or text[end] in ".!?\n"):
        start -= 2
    elif start >= 1 and text[start - 1] == " " and (end >= len(text) or text[end] in ".!?,\n"):
        start -= 1
    if _at_sentence_start(text, start) and end < len(text) and text[end].islower():
        replacement = text[end].upper()
        end += 1
    return Fix(rule, label, start, end, replacement)


def _remove_sentences(text: str, start: int, end: int, rule: str, label: str) -> Fix:
    """Remove the sentence(s) around ``start:end``; at the end of the text, the space before goes too."""
    left, right = _sentence_bounds(text, start, end)
    if not text[right:].strip(" \t"):
        while left > 0 and text[left - 1] in " \t":
            left -= 1
    return Fix(rule, label, left, right, "")


def _calm(text: str, start: int, end: int, rule: str, label: str) -> Fix:
    span = text[start:end]
    if _PUNCT_RUN.fullmatch(span.strip()):
        return Fix(rule, label, start, end, "?" if "?" in span else "!")
    lowered = span.lower()
    if _at_sentence_start(text, start):
        lowered = lowered[:1].upper() + lowered[1:]
    return Fix(rule, label, start, end, lowered)


def _insert(text: str, pos: int, sentence: str, rule: str, label: str) -> Fix:
    """Insert ``sentence`` at ``pos`` with the spacing its neighbours need."""
    before = text[:pos]
    after = text[pos:]
    lead = "" if not before or before[-1].isspace() else " "
    trail = "" if not after or after[0].isspace() else " "
    return Fix(rule, label, pos, pos, lead + sentence + trail)


def fix_for(text: str, finding: dict[str, Any], snippets: Snippets) -> Fix | None:
    """The one-click fix for ``finding`` (a finding dict from the analysis contract) in ``text``."""
    rule = str(finding.get("rule", ""))
    kinds = {**FIX_KINDS, **_substitution_rules()}
    if rule not in kinds:
        return None
    kind, label = kinds[rule]
    need = _NEEDS.get(kind)
    if need is not None and not getattr(snippets, need):
        return None
    try:
        start, end = int(finding["start"]), int(finding["end"])
    except (KeyError, TypeError, ValueError):
        return None
    if not 0 <= start <= end <= len(text):
        return None
    if kind == "swap":
        m = _QUOTED.search(str(finding.get("suggestion", "")))
        if m is None or start == end:
            return None
        swap = m.group(1)
        if not _at_sentence_start(text, start):
            swap = swap[:1].lower() + swap[1:]
        return Fix(rule, label, start, end, swap)
    if kind == "calm" and start < end:
        return _calm(text, start, end, rule, label)
    if kind == "remove" and start < end:
        return _remove(text, start, end, rule, label)
    if kind == "remove_sentence" and start < end:
        return _remove_sentences(text, start, end, rule, label)
    if kind == "remove_apology" and start < end:
        left, right = _sentence_bounds(text, start, end)
        if len(text[left:right].split()) <= 8:  # short "Sorry again." sentences go whole
            return _remove_sentences(text, start, end, rule, label)
        return _remove(text, start, end, rule, label)
    if kind == "acknowledgement_swap" and start < end:
        swap = snippets.acknowledgement.rstrip(".")
        return Fix(rule, label, start, end, swap)
    if kind == "acknowledgement":
        return _insert(text, _body_start(text), snippets.acknowledgement, rule, label)
    if kind == "thanks":
        pos = _body_start(text)
        return _insert(text, pos, snippets.thanks, rule, label)
    if kind in ("reason", "alternatives"):
        _, right = _sentence_bounds(text, start, end)
        right = len(text[:right].rstrip(" \t")) if right < len(text) else len(text.rstrip())
        return _insert(text, right, getattr(snippets, kind), rule, label)
    if kind == "next_step":
        return _insert(text, _body_end(text), snippets.next_step, rule, label)
    return None
