"""Rewrite an agent's own draft: fix what the analyzer flags, add what the method says is missing.

Two passes. The phrase pass edits the findings in place, as ``rewrites.yml`` says per rule
(extra apologies out, shouting lowered, negative framings reframed). The additions pass
then fills what is still missing: an acknowledgement that mirrors the customer's details,
thanks, the policy's reason, the KB's alternatives and a next step. Both take their words
from the draft, the message, the KB and the templates only, and the result must pass the
same guard as an LLM's polish: the decision never changes.
"""

from __future__ import annotations

import difflib
import re
from bisect import bisect_left
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tactful.analyzer.signals import load_yaml
from tactful.config import Config
from tactful.model import Span

if TYPE_CHECKING:
    from tactful.analyzer.features import Features
    from tactful.kb.models import Decision, KnowledgeBase
    from tactful.model import Analysis
    from tactful.understanding import Understanding

REWRITES_PATH = Path(__file__).with_name("rewrites.yml")
_GREETING = re.compile(
    r"\A\s*(?:hi|hello|hey|dear|good (?:morning|afternoon|evening)|greetings)\b[^\n,.!?]{0,30}[,!]?[ \t]*\n*",
    re.IGNORECASE,
)
_SIGN_OFF = re.compile(
    r"(?:\n|\A)[ \t]*(?:best(?: regards| wishes)?|kind regards|warm regards|regards|thanks(?: again)?"
    r"|thank you|many thanks|cheers|sincerely|all the best|take care)[ \t]*[,.!]?[ \t]*"
    r"(?:\n[^\n]{1,40})?\s*\Z",
    re.IGNORECASE,
)
# Runs are matched from their first character only ((?<!…)): tried from every character of a long
# run of blanks or "!!!", each attempt would rescan the rest of the run (quadratic).
_SPACE_BEFORE_PUNCT = re.compile(r"(?<![ \t])[ \t]+([,.!?;:])")
_PUNCT_RUN = re.compile(r"([,;:])\s*([.!?])|,\s*,")
_SPACES = re.compile(r"[ \t]{2,}")
_BLANK_LINES = re.compile(r"\n[ \t]*\n(?:[ \t]*\n)+")
_LEAD_PUNCT = re.compile(r"(^|\n|[.!?][ \t]+)[,;:][ \t]*")
_SENTENCE_END = re.compile(r"(?<![.!?])[.!?]+(?=\s|\Z)|\n[ \t]*\n")
_SENTENCE_START = re.compile(r"(\A\s*|[.!?]\s+|\n[ \t]*\n[ \t]*)([a-z])")
_BANG_RUN = re.compile(r"!{2,}|[!?]*![!?]*!")


@dataclass(frozen=True, slots=True)
class Change:
    """One edit: what it fixes (``rule``), the text before and after, where the words came from."""

    kind: str
    before: str
    after: str
    rule: str = ""
    source: str = "draft"

    def to_dict(self) -> dict[str, str]:
        return {
            "kind": self.kind,
            "rule": self.rule,
            "before": self.before,
            "after": self.after,
            "source": self.source,
        }


@dataclass(slots=True)
class Rewrite:
    original: str
    text: str
    changes: list[Change]
    before: dict[str, Any]
    analysis: dict[str, Any]
    below_threshold: bool
    decision: dict[str, Any] | None = None
    notes: list[str] = field(default_factory=list)
    guard: list[str] = field(default_factory=list)  # reasons the guard gave; the original is kept then
    polish: dict[str, Any] | None = None  # the LLM step, when asked for: accepted or why not

    @property
    def score(self) -> int:
        return int(self.analysis.get("score", 0))

    @property
    def diff(self) -> str:
        return "".join(
            difflib.unified_diff(
                self.original.splitlines(keepends=True),
                self.text.splitlines(keepends=True),
                "draft",
                "rewrite",
            )
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "original": self.original,
            "diff": self.diff,
            "changes": [c.to_dict() for c in self.changes],
            "score_before": self.before.get("score"),
            "score": self.analysis.get("score"),
            "analysis": self.analysis,
            "below_threshold": self.below_threshold,
            "decision": self.decision,
            "notes": list(self.notes),
            "guard": list(self.guard),
            "polish": self.polish,
        }


@cache
def load_rewrites(path: Path = REWRITES_PATH) -> dict[str, dict[str, Any]]:
    data = load_yaml(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected a mapping of rule id to edit")
    return data


@cache
def _replacements(rule: str) -> list[tuple[re.Pattern[str], str]]:
    spec = load_rewrites().get(rule, {})
    return [(re.compile(p, re.IGNORECASE), w) for p, w in (spec.get("with") or {}).items()]


def _at_sentence_start(text: str, pos: int) -> bool:
    # Walk back over the blanks rather than copy text[:pos]: this runs once per edit.
    while pos > 0 and text[pos - 1] in " \t":
        pos -= 1
    return pos == 0 or text[pos - 1] in ".!?\n"


def _sentence_case(text: str, pos: int, new: str) -> str:
    """Capitalize a replacement that opens a sentence; leave one mid-sentence as written."""
    return new[:1].upper() + new[1:] if _at_sentence_start(text, pos) else new


def _lower_shouting(text: str) -> str:
    words = re.sub(r"\b[A-Z][A-Z'’]+\b", lambda m: m.group(0).lower() if m.group(0) != "I" else "I", text)
    return _BANG_RUN.sub("!", words)


class _SignalStarts:
    """Where each signal's spans start, sorted once per draft, so that asking whether a sentence
    holds one is two binary searches instead of a pass over every span (quadratic on long drafts)."""

    def __init__(self, feats: Features) -> None:
        self.feats = feats
        self._starts: dict[str, list[int]] = {}

    def count(self, signal: str, lo: int, hi: int) -> int:
        """How many ``signal`` spans start in ``[lo, hi)``."""
        starts = self._starts.get(signal)
        if starts is None:
            starts = self._starts[signal] = sorted(s for s, _ in self.feats.spans(signal))
        return max(0, bisect_left(starts, hi) - bisect_left(starts, lo))


def _sentence_has_substance(starts: _SignalStarts, sentence: Span, span: Span, signals: list[str]) -> bool:
    """Does the sentence say something besides the flagged phrase (a no, an option, a reason)?"""
    inner = (max(sentence[0], span[0]), min(sentence[1], span[1]))
    return any(starts.count(signal, *sentence) > starts.count(signal, *inner) for signal in signals)


def _phrase_edit(
    rule: str, span: Span, feats: Features, starts: _SignalStarts
) -> tuple[int, int, str] | None:
    """The edit (start, end, replacement) that fixes one finding, or None to keep it."""
    spec = load_rewrites().get(rule)
    if spec is None:
        return None
    text = feats.text
    action = spec.get("action", "keep")
    found = text[span[0] : span[1]]
    if action == "replace":
        one_line = " ".join(found.split())  # the analyzer matches across a wrapped line too
        for pattern, new in _replacements(rule):
            if pattern.fullmatch(one_line):
                return span[0], span[1], _sentence_case(text, span[0], new)
        action = spec.get("otherwise", "keep")
    if action == "lower":
        return span[0], span[1], _lower_shouting(found)
    if action == "sentence":
        sentence = feats.sentence_of(span)
        if not _sentence_has_substance(starts, sentence, span, spec.get("keep_if", [])):
            return sentence[0], sentence[1], ""
        action = "drop"
    if action == "drop":
        end = span[1]
        tail = re.match(r",?\s*(?:but\s+)?", text[end:])
        if tail and text[end : end + 1] in ", ":
            end += tail.end()
        return span[0], end, ""
    return None


def _apply(text: str, edits: list[tuple[int, int, str]]) -> str:
    """Apply non-overlapping edits (later ones that overlap an earlier one are skipped)."""
    chosen: list[tuple[int, int, str]] = []
    last_end = -1
    for start, end, new in sorted(edits, key=lambda e: (e[0], e[1])):
        if start < last_end or (start == end and start == last_end and chosen and chosen[-1][2] == ""):
            continue
        chosen.append((start, end, new))
        last_end = max(last_end, end)
    pieces: list[str] = []  # joined once: splicing the string per edit copies it per edit
    at = 0
    for start, end, new in chosen:
        pieces += [text[at:start], new]
        at = end
    pieces.append(text[at:])
    return "".join(pieces)


def _tidy(text: str) -> str:
    """Repair the punctuation and spacing that removals leave behind; capitalize sentence starts."""
    text = _SPACE_BEFORE_PUNCT.sub(r"\1", text)
    text = _PUNCT_RUN.sub(lambda m: m.group(2) or ",", text)
    text = _LEAD_PUNCT.sub(r"\1", text)
    text = _SPACES.sub(" ", text)
    text = _BLANK_LINES.sub("\n\n", text)
    text = "\n".join(line.rstrip() for line in text.split("\n")).strip()
    return _SENTENCE_START.sub(lambda m: m.group(1) + m.group(2).upper(), text)


def edit_phrases(draft: str, customer_message: str | None, config: Config) -> tuple[str, list[Change]]:
    """The phrase pass: fix each finding ``rewrites.yml`` knows how to fix, in place."""
    from tactful.analyzer.features import extract
    from tactful.rules import run_rules

    feats = extract(draft, customer_message)
    starts = _SignalStarts(feats)
    edits: list[tuple[int, int, str, str]] = []
    for apology in feats.spans("apology")[config.thresholds.max_apologies :]:
        if config.rule_enabled("tactful.apology.over_apology"):
            edit = _phrase_edit("tactful.apology.over_apology", apology, feats, starts)
            if edit:
                edits.append((*edit, "tactful.apology.over_apology"))
    for f in run_rules(feats, config):
        if f.rule != "tactful.apology.over_apology":  # done above, one apology at a time
            edit = _phrase_edit(f.rule, (f.start, f.end), feats, starts)
            if edit:
                edits.append((*edit, f.rule))
    changes = [
        Change("edit", draft[s:e], new, rule) for s, e, new, rule in sorted(edits) if draft[s:e] != new
    ]
    text = _tidy(_apply(draft, [(s, e, new) for s, e, new, _ in edits]))
    return text, changes


def _body_bounds(text: str) -> tuple[int, int]:
    """Where the body starts (after a greeting) and ends (before a sign-off)."""
    greeting = _GREETING.match(text)
    start = greeting.end() if greeting else 0
    sign_off = _SIGN_OFF.search(text, start)
    end = sign_off.start() if sign_off else len(text)
    return start, max(start, end)


def _acknowledgement(u: Understanding, decision: Decision | None, templates: dict[str, Any]) -> str:
    from tactful.composer.core import mirrored_about

    rtype = decision.request_type if decision else (u.request.type if u.request else "other")
    ask = templates["asks"].get(rtype, templates["asks"]["other"])
    return str(templates["openings"][0].format(ask=ask, about=mirrored_about(u, "email")))


def add_missing(
    text: str,
    analysis: Analysis,
    u: Understanding | None,
    decision: Decision | None,
    must_refuse: bool,
) -> tuple[str, list[Change], list[str]]:
    """The additions pass: acknowledgement, thanks, reason, alternatives and next step, if missing."""
    from tactful.analyzer.refusal import find_refusals
    from tactful.composer.core import load_templates

    t = load_templates()
    rules = {f.rule for f in analysis.findings}
    changes: list[Change] = []
    notes: list[str] = []
    inserts: list[tuple[int, int, str]] = []
    start, end = _body_bounds(text)
    end = len(text[:end].rstrip())
    paragraphs = "\n\n" in text.strip()  # an email in paragraphs, not a one-line chat message
    lead: list[str] = []
    lead_at = (start, start)
    generic = next(
        (f for f in analysis.findings if f.rule == "tactful.empathy.generic_acknowledgement"), None
    )
    if generic or "tactful.empathy.no_acknowledgement" in rules:
        if u is None or not u.understood:
            notes.append("Give the customer's message to add an acknowledgement that mirrors their details.")
        else:
            ack = _acknowledgement(u, decision, t)
            changes.append(Change("added_acknowledgement", "", ack, "tactful.empathy", "message"))
            lead.append(ack)
            if generic:  # the stock phrase gives way to one that names their specifics
                lead_at = (generic.start, _sentence_end(text, generic.end))
    if "tactful.gratitude.no_thanks" in rules:
        thanks = str(t["thanks"][0])
        lead.append(thanks)
        changes.append(Change("added_thanks", "", thanks, "tactful.gratitude.no_thanks", "template"))
    if lead:
        joined = " ".join(lead)
        if lead_at[0] > 0 and text[: lead_at[0]].rstrip().endswith(","):  # "Hi, thank you …"
            joined = joined[:1].lower() + joined[1:] if not joined.startswith("I ") else joined
        gap = "" if lead_at[1] > lead_at[0] else ("\n\n" if paragraphs else " ")
        inserts.append((*lead_at, joined + gap))

    refusals = find_refusals(text) if must_refuse else []
    if refusals:
        after_no = _sentence_end(text, refusals[0][1])
        policy = decision.policy if decision else None
        if "tactful.reason.missing" in rules or _only_names_the_policy(text):
            if policy is not None and policy.reason.strip():
                reason = policy.reason.strip()
                inserts.append((after_no, after_no, " " + reason))
                changes.append(
                    Change("added_reason", "", reason, "tactful.reason.missing", f"kb:{policy.id}")
                )
            else:
                notes.append("No policy in the KB gives a reason for this no: add an honest one.")
        if "tactful.alternatives.none" in rules:
            alts = list(decision.alternatives) if decision else []
            if alts:
                intro = t["alternatives_intro"]["one" if len(alts) == 1 else "many"]
                if paragraphs:
                    block = "\n\n" + intro + "\n" + "\n".join(f"- {a.text}" for a in alts)
                    at = _paragraph_end(text, after_no, end)
                else:
                    block = " " + intro + " " + _one_of([a.text.rstrip(".") for a in alts]) + "."
                    at = after_no
                inserts.append((at, at, block))
                for a in alts:
                    changes.append(Change("added_alternative", "", a.text, "tactful.alternatives.none", "kb"))
            else:
                notes.append("The KB allows no alternative for this request: offer one you really can.")
    if "tactful.follow_up.dead_end" in rules:
        offered = analysis.counts.alternatives or (
            len(decision.alternatives) if decision and "tactful.alternatives.none" in rules else 0
        )
        step = str(
            t["rewrite_next"] if not offered else t["next_steps_one" if offered == 1 else "next_steps"][0]
        )
        inserts.append((end, end, ("\n\n" if paragraphs else " ") + step))
        changes.append(Change("added_next_step", "", step, "tactful.follow_up.dead_end", "template"))
    return _tidy(_apply_inserts(text, inserts)), changes, notes


_VAGUE_REASON = re.compile(r"\bpolic(?:y|ies)\b", re.IGNORECASE)


def _only_names_the_policy(text: str) -> bool:
    """Is every reason given just "our policy" (no window, amount or cause)? Then the KB's says more."""
    from tactful.analyzer.features import extract

    feats = extract(text)
    reasons = feats.spans("reason")
    # Each sentence once: many reasons in one long sentence must not copy it once per reason.
    sentences = [text[slice(*s)] for s in dict.fromkeys(feats.sentence_of(span) for span in reasons)]
    return bool(sentences) and all(_VAGUE_REASON.search(s) and not re.search(r"\d", s) for s in sentences)


def _one_of(options: list[str]) -> str:
    """``a``, ``a; or b``, ``a; b; or c``: options inline (they may hold commas themselves)."""
    first = options[0][:1].lower() + options[0][1:]
    rest = [o[:1].lower() + o[1:] for o in options[1:]]
    return "; ".join([first, *rest[:-1]]) + (f"; or {rest[-1]}" if rest else "")


def _apply_inserts(text: str, inserts: list[tuple[int, int, str]]) -> str:
    out = text
    # Later inserts at the same place go after earlier ones: apply them first.
    order = sorted(range(len(inserts)), key=lambda i: (inserts[i][0], i), reverse=True)
    for i in order:
        start, end, new = inserts[i]
        out = out[:start] + new + out[end:]
    return out


def _sentence_end(text: str, pos: int) -> int:
    while pos > 0 and text[pos - 1] in ".!?":  # from inside a run of marks: from its first one
        pos -= 1
    m = _SENTENCE_END.search(text, pos)
    if m is None:
        return len(text.rstrip())
    return m.end() if m.group(0)[0] in ".!?" else m.start()


def _paragraph_end(text: str, pos: int, limit: int) -> int:
    m = re.compile(r"\n\s*\n").search(text, pos, limit)
    return m.start() if m else len(text[:limit].rstrip())


def rewrite(
    draft: str,
    customer_message: str | None = None,
    facts: dict[str, Any] | None = None,
    kb: KnowledgeBase | None = None,
    *,
    config: Config | None = None,
    request_type: str | None = None,
    channel: str = "email",
    polish: bool = False,
) -> Rewrite:
    """Rewrite the agent's ``draft`` by the method without changing its decision.

    With ``kb`` (and the ``facts`` it needs) missing reasons and alternatives come from the
    policy that applies; without it only the phrase pass and template parts are added.
    ``polish`` then asks the LLM in ``config.llm`` to reword the result, under the same guard.
    Raises ``ValueError`` for an empty draft or facts of the wrong type.
    """
    from tactful.analyzer.core import analyze
    from tactful.composer.facts import purchase_date
    from tactful.composer.guard import Inputs, check
    from tactful.kb.decide import decide
    from tactful.understanding import understand

    if not isinstance(draft, str) or not draft.strip():
        raise ValueError("rewrite needs the agent's draft; got an empty one")
    config = config or Config()
    message = customer_message if customer_message and customer_message.strip() else None
    before = analyze(draft, message, config=config)
    u = understand(message) if message else None
    notes: list[str] = []
    if u is not None and not u.understood:
        notes.append(f"The customer's message was not used: {u.note}")
        u = None
    decision = None
    if kb is not None:
        rtype = (
            request_type
            or (u.request.type if u and u.request else None)
            or str((facts or {}).get("request_type", "other"))
        )
        fact_values = {k: v for k, v in (facts or {}).items() if k != "request_type"}
        stated = purchase_date(u, fact_values) if u is not None else None
        if stated is not None:  # the customer said when they bought it
            fact_values["purchase_date"] = stated[0]
        decision = decide(rtype, {**fact_values, "channel": channel}, kb, max_alternatives=3)
        if before.is_refusal and decision.outcome == "allow":
            notes.append(
                f"The KB ({decision.policy.id if decision.policy else 'no policy'}) would allow this."
            )
        if not before.is_refusal and decision.outcome == "refuse":
            notes.append("The KB says no to this request, but the draft doesn't: check before sending.")

    text, changes = edit_phrases(draft, message, config)
    middle = analyze(text, message, config=config)
    text, added, more_notes = add_missing(text, middle, u, decision, before.is_refusal)
    changes += added
    notes += more_notes
    sources = [message or "", *(str(v) for v in (facts or {}).values())]
    allowed: list[str] = []
    if decision is not None:
        allowed = [a.text for a in decision.alternatives]
        sources += [decision.policy.reason if decision.policy else "", *allowed]
    inputs = Inputs(draft, tuple(sources), tuple(allowed), before.is_refusal)
    problems = check(text, inputs)
    if problems:  # never hand back a rewrite that changes the decision: keep the draft
        text, changes = draft, []
    after = analyze(text, message, config=config).to_dict()
    polished = None
    if polish:
        from tactful.composer.llm import polish as llm_polish

        guarded = Inputs(text, (draft, *sources), tuple(allowed), before.is_refusal)
        result = llm_polish(text, guarded, message, config, int(after["score"]))
        polished = result.to_dict()
        if result.accepted:
            changes.append(Change("polished", text, result.text, "", f"llm:{result.model}"))
            text = result.text
            after = analyze(text, message, config=config).to_dict()
    return Rewrite(
        original=draft,
        text=text,
        changes=changes,
        before=before.to_dict(),
        analysis=after,
        below_threshold=int(after["score"]) < config.thresholds.min_score,
        decision=decision.to_dict() if decision else None,
        notes=notes,
        guard=problems,
        polish=polished,
    )
