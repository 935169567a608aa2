"""Rewrite an agent's own draft: fix what the analyzer's findings point at, and nothing else.

Each finding gets at most one edit (``edits.py``, the same edits the page's one-click fixes make):
extra apologies out, shouting lowered, blame rephrased into the rule, what the customer asked named
instead of a stock line, and — only when a policy's request type and conditions match — the policy's
reason, its alternatives and a question about which they'd like. Edits are kept one by one, in order
of severity, only while the score does not drop, so a rewrite never scores below its draft. The @handle
stays first, the sign-off last, a tweet within 280 characters (or a numbered thread when asked). The
result must pass the guard that an LLM's polish passes: the decision never changes.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from tactful.composer.edits import (
    Context,
    Edit,
    acknowledgement_edit,
    alternatives_edit,
    alternatives_text,
    build_context,
    fix_for,
    load_rewrites,
    next_step_edit,
    note_for,
    only_names_the_policy,
    phrase_edit,
    reason_edit,
)
from tactful.composer.frame import TWEET_LIMIT, apply, as_thread, tweet_length
from tactful.config import Config

if TYPE_CHECKING:
    from tactful.analyzer.features import Features
    from tactful.contract import Analysis
    from tactful.kb.policy import KnowledgeBase

__all__ = ["Change", "Rewrite", "edit_phrases", "load_rewrites", "rewrite"]
_SEVERITY = {"error": 0, "warning": 1, "suggestion": 2}


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
    thread: list[str] | None = None  # a public reply over 280 characters, as numbered tweets
    edits: list[Edit] = field(default_factory=list)  # what was changed, in the draft's offsets

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
            "thread": self.thread,
            "edits": [
                {
                    "start": e.start,
                    "end": e.end,
                    "new": e.new,
                    "rule": e.rule,
                    "kind": e.kind,
                    "source": e.source,
                }
                for e in self.edits
            ],
        }


def edit_phrases(draft: str, customer_message: str | None, config: Config) -> tuple[str, list[Change]]:
    """Every phrase edit ``rewrites.yml`` gives for the draft's findings, applied at once."""
    from tactful.analyzer.features import extract
    from tactful.rules import run_rules

    feats = extract(draft, customer_message)
    edits = [e for e in _phrase_edits(feats, run_rules(feats, config), config) if e is not None]
    changes = [Change("edit", draft[e.start : e.end], e.new, e.rule) for e in sorted(edits, key=_at)]
    return apply(draft, [(e.start, e.end, e.new) for e in edits]), changes


def _at(edit: Edit) -> tuple[int, int]:
    return edit.start, edit.end


def _phrase_edits(feats: Features, findings: list[Any], config: Config) -> list[Edit | None]:
    out: list[Edit | None] = []
    if config.rule_enabled("tactful.apology.over_apology"):  # one apology at a time, after the first
        for apology in feats.spans("apology")[config.thresholds.max_apologies :]:
            out.append(phrase_edit("tactful.apology.over_apology", apology, feats))
    for f in findings:
        if f.rule != "tactful.apology.over_apology" and f.start < f.end:
            out.append(phrase_edit(f.rule, (f.start, f.end), feats))
    return out


def plan(draft: str, analysis: Analysis, ctx: Context) -> tuple[list[Edit], list[str]]:
    """Every edit the findings call for, most severe first, and notes for those nobody can make."""
    from tactful.analyzer.features import extract

    feats = extract(draft, ctx.message)
    findings = sorted(analysis.findings, key=lambda f: (_SEVERITY.get(f.level, 3), f.start))
    rules = {f.rule for f in findings}
    edits: list[Edit] = []
    notes: list[str] = []
    done: set[str] = set()
    for f in findings:
        if f.rule == "tactful.apology.over_apology":
            continue
        if f.rule in done and f.rule not in ("tactful.consistency.customer_details", "tactful.tone.shouting"):
            continue
        done.add(f.rule)
        if f.rule in (
            "tactful.gratitude.no_thanks",
            "tactful.empathy.no_acknowledgement",
            "tactful.empathy.generic_acknowledgement",
        ):
            if "thanks-group" in done:
                continue
            done.add("thanks-group")
            generic = next(
                ((g.start, g.end) for g in findings if g.rule == "tactful.empathy.generic_acknowledgement"),
                None,
            )
            thanked = "tactful.gratitude.no_thanks" not in rules
            edit = acknowledgement_edit(draft, rules, ctx, thanked=thanked, generic=generic)
        elif f.rule in ("tactful.reason.missing", "tactful.alternatives.none", "tactful.follow_up.dead_end"):
            continue  # after the phrase edits, below
        else:
            edit = fix_for(draft, f.to_dict(), ctx, feats)
        if edit is not None:
            edits.append(edit)
        elif (note := note_for(f.rule, ctx)) is not None:
            notes.append(note)
    for edit in _phrase_edits(feats, [], ctx.config):  # the apologies after the first
        if edit is not None:
            edits.append(edit)
    if feats.refusals and ("tactful.reason.missing" in rules or only_names_the_policy(feats)):
        edit = reason_edit(feats, ctx)
        if edit is not None:
            edits.append(edit)
        else:
            notes.append(
                note_for(
                    "tactful.reason.missing" if "tactful.reason.missing" in rules else "vague_reason", ctx
                )
                or ""
            )
    offered = 0
    if feats.refusals and "tactful.alternatives.none" in rules:
        edit = alternatives_edit(feats, ctx)
        if edit is not None:
            edits.append(edit)
            offered = len(alternatives_text(ctx, draft)[0])
        else:
            notes.append(note_for("tactful.alternatives.none", ctx) or "")
    if "tactful.follow_up.dead_end" in rules:
        edit = next_step_edit(draft, ctx, offered)
        if edit is not None:
            edits.append(edit)
        else:
            notes.append(note_for("tactful.follow_up.dead_end", ctx) or "")
    return edits, [n for n in dict.fromkeys(notes) if n]


def _improve(
    draft: str, before: Analysis, ctx: Context, limit: int | None
) -> tuple[str, list[Edit], list[str]]:
    """Keep each step of the plan, in order, only if the score does not drop, the no stays a no and the
    text still fits. The edits of one rule are one step (so the cost stays linear in the text: one
    analysis per rule, not per edit); a single edit with shorter wordings tries them in turn."""
    from tactful.analyzer.core import analyze

    edits, notes = plan(draft, before, ctx)
    steps: dict[tuple[str, str], list[Edit]] = {}
    for edit in edits:
        steps.setdefault((edit.rule, edit.kind), []).append(edit)
    chosen: list[Edit] = []
    text, score = draft, before.score
    for step in steps.values():
        first = step[0]
        options = (
            [step]
            if len(step) > 1
            else [[replace(first, new=n, fallbacks=())] for n in (first.new, *first.fallbacks)]
        )
        for option in options:
            candidate = apply(draft, [(e.start, e.end, e.new) for e in [*chosen, *option]])
            if candidate == text:
                break
            if limit is not None and tweet_length(candidate) > limit:
                continue
            result = analyze(candidate, ctx.message, config=ctx.config)
            if result.score >= score and (result.is_refusal or not before.is_refusal):
                chosen += option
                text, score = candidate, result.score
            break
        else:
            notes.append(f"Left out to stay within {limit} characters: “{first.new.strip()}”")
    return text, chosen, notes


def _changes(draft: str, edit: Edit, ctx: Context) -> list[Change]:
    """One change per edit; a block of the policy's alternatives as one change per alternative."""
    if edit.kind == "added_alternative" and ctx.decision is not None:
        offered = [a.text for a in ctx.decision.alternatives if a.text.rstrip(".")[1:] in edit.new]
        return [Change(edit.kind, "", a, edit.rule, edit.source) for a in offered]
    return [Change(edit.kind, draft[edit.start : edit.end], edit.new.strip(), edit.rule, edit.source)]


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
    thread: bool = False,
) -> Rewrite:
    """Rewrite the agent's ``draft`` by the method without changing its decision.

    Without ``kb`` nothing a policy would say is added; with it, only a policy whose request type and
    conditions match lends its reason and alternatives. A draft that opens with an @handle is a public
    post (``channel="social"``): it stays within 280 characters, or becomes numbered tweets with
    ``thread=True``. ``polish`` then asks the LLM in ``config.llm`` to reword it, under the same guard.
    Raises ``ValueError`` for an empty draft or facts of the wrong type.
    """
    from tactful.analyzer.core import analyze
    from tactful.composer.guard import Inputs, check

    if not isinstance(draft, str) or not draft.strip():
        raise ValueError("rewrite needs the agent's draft; got an empty one")
    config = config or Config()
    message = customer_message if customer_message and customer_message.strip() else None
    if channel == "email" and draft.lstrip().startswith("@"):
        channel = "social"  # a reply that opens with a handle is a public post
    before = analyze(draft, message, config=config)
    ctx = build_context(draft, message, facts, kb, config=config, request_type=request_type, channel=channel)
    notes = list(ctx.notes)
    decision = ctx.decision
    if decision is not None:
        policy = decision.policy.id if decision.policy else "no policy"
        if before.is_refusal and decision.outcome == "allow":
            notes.append(f"The KB ({policy}) would allow this.")
        if not before.is_refusal and decision.outcome == "refuse":
            notes.append("The KB says no to this request, but the draft doesn't: check before sending.")
    limit = None
    if channel == "social" and not thread:
        limit = max(TWEET_LIMIT, tweet_length(draft))  # a tweet already over it may not grow
    text, chosen, more = _improve(draft, before, ctx, limit)
    notes += more
    changes = [c for e in sorted(chosen, key=_at) for c in _changes(draft, e, ctx)]

    sources = [message or "", *(str(v) for v in (facts or {}).values())]
    if ctx.topic is not None:
        sources += [ctx.topic.thanks, ctx.topic.acknowledgement]
    allowed: list[str] = []
    if decision is not None and ctx.policy_applies:
        allowed = [a.text for a in decision.alternatives]
        sources += [decision.policy.reason if decision.policy else "", *allowed]
    inputs = Inputs(draft, tuple(sources), tuple(allowed), before.is_refusal)
    problems = check(text, inputs)
    if problems:  # never hand back a rewrite that changes the decision: keep the draft
        text, changes, chosen = draft, [], []
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
    tweets = as_thread(text) if thread and channel == "social" and tweet_length(text) > TWEET_LIMIT else None
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
        thread=tweets,
        edits=sorted(chosen, key=_at),
    )
