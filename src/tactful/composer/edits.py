"""Edits to an agent's reply, one per analyzer finding: what ``rewrite`` applies, and what each
one-click fix on the page applies, so both follow the same rules in any order.

- An edit changes what its finding points at and leaves the rest of the reply as the agent wrote it.
- No stock acknowledgement, thanks or closing is ever inserted (``stock.yml``): an acknowledgement
  names what the customer asked (``topic.py``) or is left out.
- A refusal and its reason are never deleted: blame is rephrased into the rule, or left with a note.
- Nothing is repeated; the agent's own thanks and sign-off stay; the @handle stays first.
- A reason, an alternative or a promise comes only from the agent's text or from a policy whose
  request type and conditions match (``Context.policy_applies``); otherwise a note says what is missing.
"""

from __future__ import annotations

import re
import sys
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tactful.composer.frame import Frame, lower_first, opens_sentence, sentence_end
from tactful.composer.topic import CONFIDENT
from tactful.config import Config
from tactful.contract import Span
from tactful.yamldata import load_yaml

if TYPE_CHECKING:
    from tactful.analyzer.features import Features
    from tactful.composer.topic import Topic
    from tactful.kb.policy import Decision, KnowledgeBase
    from tactful.understanding import Understanding

REWRITES_PATH = Path(__file__).with_name("rewrites.yml")
_STOCK_THANKS = re.compile(
    r"\b(thank(?:s| you)) for (?:reaching out|contacting us|getting in touch|your message|your tweet|the tag)"
    r"(?: (?:to|with) us)?\b",
    re.IGNORECASE,
)
_BANG_RUN = re.compile(r"!{2,}|[!?]*![!?]*!")
_VAGUE_REASON = re.compile(r"\bpolic(?:y|ies)\b", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Edit:
    """Replace ``text[start:end]`` with ``new``. ``kind`` says what it does, ``source`` where its
    words came from (``draft``, ``message``, ``kb:POLICY``, ``template``), ``label`` is the page's button."""

    start: int
    end: int
    new: str
    rule: str
    kind: str = "edit"
    source: str = "draft"
    label: str = ""
    fallbacks: tuple[str, ...] = ()  # shorter texts for ``new``, tried when it does not fit


@dataclass(slots=True)
class Context:
    """What edits may draw on besides the reply itself."""

    message: str | None = None
    understanding: Understanding | None = None
    decision: Decision | None = None  # whatever the KB decided, shown to the agent
    policy_applies: bool = False  # the decision is a no under a policy whose type and conditions match
    channel: str = "email"
    config: Config = field(default_factory=Config)
    topic: Topic | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def angry(self) -> bool:
        u = self.understanding
        return bool(u is not None and u.mood is not None and u.mood.label == "angry")


def build_context(
    draft: str,
    message: str | None,
    facts: dict[str, Any] | None = None,
    kb: KnowledgeBase | None = None,
    *,
    config: Config | None = None,
    request_type: str | None = None,
    channel: str = "email",
) -> Context:
    """Understand the message, find what the customer asked, and decide under the KB when one applies.
    Raises ``ValueError`` (``FactError``) for a fact of the wrong type."""
    from tactful.composer.facts import stated_facts, today_of
    from tactful.composer.topic import topic_for
    from tactful.understanding import understand

    ctx = Context(message=message, channel=channel, config=config or Config())
    u = understand(message, today=today_of(facts or {})) if message else None
    if u is not None and not u.understood:
        ctx.notes.append(f"The customer's message was not used: {u.note}")
        u = None
    ctx.understanding = u
    facts = dict(facts or {})
    given = request_type or facts.get("request_type") or None  # the agent's word on what they ask
    facts.pop("request_type", None)
    ctx.topic = topic_for(u, message, draft, channel, str(given) if given else None)
    if kb is None:
        from tactful.kb.decide import coerce_facts

        coerce_facts(facts, {})  # a malformed fact is an error with or without policies
        return ctx
    from tactful.kb.decide import decide

    rtype = str(given) if given else None
    clear = u is not None and u.request is not None and u.request.confidence >= CONFIDENT
    if rtype is None and clear and u.request.type != "other":  # type: ignore[union-attr]
        rtype = u.request.type  # type: ignore[union-attr]
    if rtype is None:
        ctx.notes.append("The request type is unclear, so no policy was applied: give it with --type.")
        return ctx
    facts.update({name: value for name, value, _ in stated_facts(u, facts)})  # "bought it 40 days ago"
    decision = decide(rtype, {**facts, "channel": channel}, kb, max_alternatives=3)
    ctx.decision = decision
    policy = decision.policy
    if decision.outcome == "refuse" and policy is not None:
        ctx.policy_applies = True
    elif decision.outcome == "needs_info" and policy is not None:
        missing = ", ".join(decision.missing)
        ctx.notes.append(f"Policy {policy.id} needs {missing} to decide: nothing from it was added.")
    elif policy is None:
        ctx.notes.append(
            f"No policy in the KB covers this {rtype.replace('_', ' ')} request: nothing was added."
        )
    return ctx


# ── the phrase edits: rewrites.yml, per rule ────────────────────────────────────────────────


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


def _cased(text: str, pos: int, new: str) -> str:
    """Capitalize a replacement that opens a sentence; leave one mid-sentence as written."""
    return new[:1].upper() + new[1:] if opens_sentence(text, pos) else new


def _lower_shouting(text: str) -> str:
    words = re.sub(r"\b[A-Z][A-Z'’]+\b", lambda m: m.group(0).lower() if m.group(0) != "I" else "I", text)
    return _BANG_RUN.sub("!", words)


def sentence_of(feats: Features, span: Span) -> Span:
    """The sentence holding ``span`` (by bisection: an edit per finding stays linear in the text)."""
    sentences = feats.sentences
    i = bisect_right(sentences, (span[0], sys.maxsize)) - 1
    if i >= 0 and sentences[i][0] <= span[0] < sentences[i][1]:
        return sentences[i]
    return span


def _has_substance(feats: Features, sentence: Span, span: Span, signals: list[str]) -> bool:
    """Does the sentence say something besides the flagged phrase (a no, an option, a reason)?"""
    for signal in signals:
        found = feats.spans(signal)
        at = bisect_left(found, (sentence[0], -1))
        while at < len(found) and found[at][0] < sentence[1]:
            if not span[0] <= found[at][0] < span[1]:
                return True
            at += 1
    return False


def phrase_edit(rule: str, span: Span, feats: Features) -> Edit | None:
    """The edit ``rewrites.yml`` gives for one finding, or None to leave it to the agent."""
    spec = load_rewrites().get(rule)
    if spec is None:
        return None
    text = feats.text
    action = spec.get("action", "keep")
    found = text[span[0] : span[1]]
    if action == "rephrase":  # blame: say the rule instead, in the sentence itself
        sentence = sentence_of(feats, span)
        said = text[sentence[0] : sentence[1]]
        for pattern, new in _replacements(rule):
            m = pattern.search(said)
            if m:
                out = said[: m.start()] + m.expand(new) + said[m.end() :]
                return Edit(
                    sentence[0], sentence[1], _cased(text, sentence[0], out) if m.start() == 0 else out, rule
                )
        action = spec.get("otherwise", "keep")
    keep_before = spec.get("keep_before")
    if keep_before and re.match(keep_before, text[span[1] :], re.IGNORECASE):
        return None
    if action == "replace":
        one_line = " ".join(found.split())  # the analyzer matches across a wrapped line too
        for pattern, new in _replacements(rule):
            if pattern.fullmatch(one_line):
                return Edit(span[0], span[1], _cased(text, span[0], new), rule)
        action = spec.get("otherwise", "keep")
    if action == "lower":
        return Edit(span[0], span[1], _cased(text, span[0], _lower_shouting(found)), rule)
    if action == "sentence":
        sentence = sentence_of(feats, span)
        if not _has_substance(feats, sentence, span, spec.get("keep_if", [])):
            start = sentence[0]
            if feats.sentences and sentence == feats.sentences[0]:  # the handle and greeting stay
                start = max(start, min(Frame.of(text).body_start, span[0]))
            return Edit(start, sentence[1], "", rule)
        if spec.get("then", "drop") == "keep":
            return None  # the sentence says no or why: never cut into it
        action = "drop"
    if action == "drop":
        end = span[1]
        tail = re.match(r",?\s*(?:but\s+)?", text[end:])
        if tail and text[end : end + 1] in ", ":
            end += tail.end()
        return Edit(span[0], end, "", rule)
    return None


# ── what is missing: acknowledgement, thanks, the policy's reason and options, a next step ──


_FRAGMENT = re.compile(r"\A(?:\.\.\.|…|[a-z][\w'’-]*[.,;:](?:\s|\Z))")  # "caused. We're unable …"
_LATER_PART = re.compile(r"\b([2-9])/\d\b")


def acknowledgement_edit(
    text: str, rules: set[str], ctx: Context, *, thanked: bool, generic: Span | None = None
) -> Edit | None:
    """Name what the customer asked: a stock acknowledgement (``generic``, "I see what you're saying")
    or a stock thanks becomes specific, else one sentence opens the body. ``thanked``: the reply
    thanks them already (then only the acknowledgement is added). Nothing goes before a reply that
    is the second part of a thread or starts mid-sentence."""
    topic = ctx.topic
    if topic is None:
        return None
    low = text.lower()
    if any(say.lower() in low for say in topic.says):
        return None  # said already
    named = ("tactful.empathy.generic_acknowledgement", "tactful.empathy.no_acknowledgement")
    rule = next((r for r in named if r in rules), "tactful.gratitude.no_thanks")
    thanks = not (thanked or ctx.angry)
    kind = "added_thanks" if thanks else "added_acknowledgement"
    label = "Thank them for what they asked" if thanks else "Name what they asked"
    sentences = [topic.thanks_for(say) if thanks else topic.acknowledgement_for(say) for say in topic.says]
    if generic is not None and generic[0] < generic[1]:  # the stock line gives way to a specific one
        said = text[generic[0] : generic[1]].rstrip()
        end = said[-1] if said[-1] in ",.!" else ""
        start = opens_sentence(text, generic[0])
        out = [(s if start else lower_first(s))[:-1] + end for s in sentences]
        return Edit(generic[0], generic[0] + len(said), out[0], rule, kind, "message", label, tuple(out[1:]))
    frame = Frame.of(text)
    stock = _STOCK_THANKS.search(text, frame.lead_end, frame.body_end)
    if stock is not None and not ctx.angry:
        lead = f"{stock.group(1)} {topic.thanks_lead.split(' ', 1)[1]}"  # their "Thanks", cased as written
        says = [f"{lead} {say}" for say in topic.says]
        return Edit(stock.start(), stock.end(), says[0], rule, kind, "message", label, tuple(says[1:]))
    body = text[frame.body_start : frame.body_end]
    if _FRAGMENT.match(body) or _LATER_PART.search(text[frame.body_end :]):
        return None
    mine = topic.acknowledgement_for(topic.say).lower()[:-1]
    if mine in low and not thanked:  # "You asked …" is there: it becomes the thanks
        at = low.index(mine)
        return Edit(at, at + len(mine), topic.thanks[:-1], rule, "added_thanks", "message", label)
    if frame.clause and frame.body_start < len(text):
        sentences = [lower_first(s) for s in sentences]
    at = frame.body_start
    return Edit(at, at, sentences[0], rule, kind, "message", label, tuple(sentences[1:]))


def _refusal_end(feats: Features) -> int | None:
    if not feats.refusals:
        return None
    return sentence_end(feats.text, feats.refusals[0][1])


def only_names_the_policy(feats: Features) -> bool:
    """Is every reason given just "our policy" (no window, amount or cause)? Then the KB's says more."""
    text = feats.text
    reasons = feats.spans("reason")
    sentences = []
    for span in reasons:  # the sentence, and the reason itself where it runs over a line break
        sentence = sentence_of(feats, span)
        sentences.append(text[min(sentence[0], span[0]) : max(sentence[1], span[1])])
    return bool(sentences) and all(_VAGUE_REASON.search(s) and not re.search(r"\d", s) for s in sentences)


def reason_edit(feats: Features, ctx: Context) -> Edit | None:
    """The matching policy's reason, right after the no."""
    if not ctx.policy_applies or ctx.decision is None or ctx.decision.policy is None:
        return None
    reason = " ".join(ctx.decision.policy.reason.split())
    at = _refusal_end(feats)
    if not reason or at is None or reason.lower()[:40] in " ".join(feats.text.split()).lower():
        return None
    if ctx.channel == "chat":  # chat: one sentence of it
        reason = reason.split(";")[0].split(". ")[0].rstrip(".") + "."
    policy = ctx.decision.policy.id
    return Edit(
        at, at, reason, "tactful.reason.missing", "added_reason", f"kb:{policy}", "Add the policy's reason"
    )


def _one_of(options: list[str]) -> str:
    """``a``, ``a; or b``, ``a; b; or c``: options inline (they may hold commas themselves)."""
    low = [o[:1].lower() + o[1:] for o in options]
    return "; ".join(low[:-1]) + (f"; or {low[-1]}" if len(low) > 1 else low[0])


def alternatives_text(ctx: Context, text: str) -> tuple[list[str], str]:
    """The policy's alternatives the reply doesn't name yet, and how to write them on this channel."""
    from tactful.composer.templates import load_templates

    if not ctx.policy_applies or ctx.decision is None:
        return [], ""
    flat = " ".join(text.split()).lower()
    alts = [a.text for a in ctx.decision.alternatives if a.text.rstrip(".").lower()[1:] not in flat]
    if not alts:
        return [], ""
    intro = load_templates()["alternatives_intro"]["one" if len(alts) == 1 else "many"]
    if "\n\n" in text.strip() and ctx.channel == "email":
        return alts, "\n\n" + intro + "\n" + "\n".join(f"- {a}" for a in alts)
    return alts, f"{intro} {_one_of([a.rstrip('.') for a in alts])}."


def alternatives_edit(feats: Features, ctx: Context) -> Edit | None:
    alts, block = alternatives_text(ctx, feats.text)
    at = _refusal_end(feats)
    if not alts or at is None:
        return None
    if block.startswith("\n\n"):  # after the paragraph that says no
        m = re.compile(r"\n\s*\n").search(feats.text, at)
        at = m.start() if m else Frame.of(feats.text).body_end
    policy = ctx.decision.policy.id if ctx.decision and ctx.decision.policy else "kb"
    return Edit(
        at,
        at,
        block,
        "tactful.alternatives.none",
        "added_alternative",
        f"kb:{policy}",
        "Add the allowed alternatives",
    )


def next_step_edit(text: str, ctx: Context, offered: int) -> Edit | None:
    """After options the policy allows: ask which they'd like (no promise beyond what was offered)."""
    from tactful.composer.templates import load_templates

    if not offered:
        return None
    step = str(load_templates()["next_steps_one" if offered == 1 else "next_steps"][0])
    if step.lower()[:20] in text.lower():
        return None
    at = Frame.of(text).body_end
    sep = "\n\n" if ("\n\n" in text.strip() and ctx.channel == "email") else ""
    return Edit(
        at, at, sep + step, "tactful.follow_up.dead_end", "added_next_step", "template", "Add a next step"
    )


def detail_edit(text: str, span: Span, ctx: Context) -> Edit | None:
    """A wrong order number, name or amount: the customer's own, when their message holds exactly one."""
    from tactful.composer.customer import customer_values

    wrong = text[span[0] : span[1]]
    kind = (
        "amount" if re.match(r"[$£€]|\d[\d,]*(?:\.\d\d)?\s?(?:dollars|euros|pounds)", wrong, re.I) else None
    )
    kind = kind or ("order_number" if any(c.isdigit() for c in wrong) else "name")
    values = customer_values(ctx.message or "", ctx.understanding, kind)
    if len(values) != 1:
        return None
    label = {
        "amount": "Use their amount",
        "order_number": "Use their order number",
        "name": "Use their name",
    }[kind]
    return Edit(
        span[0],
        span[1],
        values[0],
        "tactful.consistency.customer_details",
        "corrected_detail",
        "message",
        label,
    )


# ── one finding, or every finding ────────────────────────────────────────────────────────────

_THANKS_RULES = (
    "tactful.gratitude.no_thanks",
    "tactful.empathy.no_acknowledgement",
    "tactful.empathy.generic_acknowledgement",
)


def fix_for(text: str, finding: dict[str, Any], ctx: Context, feats: Features | None = None) -> Edit | None:
    """The edit for one finding (a finding dict of the analysis contract) in ``text``, or None."""
    from tactful.analyzer.features import extract

    rule = str(finding.get("rule", ""))
    try:
        span = (int(finding["start"]), int(finding["end"]))
    except (KeyError, TypeError, ValueError):
        return None
    if not 0 <= span[0] <= span[1] <= len(text):
        return None
    feats = feats or extract(text, ctx.message)
    if rule in _THANKS_RULES:
        thanked = bool(feats.spans("thanks")) and not _STOCK_THANKS.search(text)
        generic = span if rule == "tactful.empathy.generic_acknowledgement" else None
        return acknowledgement_edit(text, {rule}, ctx, thanked=thanked, generic=generic)
    if rule == "tactful.reason.missing":
        return reason_edit(feats, ctx)
    if rule == "tactful.alternatives.none":
        return alternatives_edit(feats, ctx)
    if rule == "tactful.follow_up.dead_end":
        return next_step_edit(
            text, ctx, len(alternatives_text(ctx, "")[0]) if _names_policy_options(text, ctx) else 0
        )
    if rule == "tactful.consistency.customer_details":
        return detail_edit(text, span, ctx) if span[0] < span[1] else None
    if span[0] == span[1]:
        return None
    edit = phrase_edit(rule, span, feats)
    if edit is None:
        edit = _swap_edit(text, finding)
    return edit


def _names_policy_options(text: str, ctx: Context) -> bool:
    """Does the reply name every option the matching policy allows (so a next step can ask which)?"""
    if not ctx.policy_applies or ctx.decision is None or not ctx.decision.alternatives:
        return False
    flat = " ".join(text.split()).lower()
    return all(a.text.rstrip(".").lower()[1:] in flat for a in ctx.decision.alternatives)


_QUOTED = re.compile(r"[\"“](.+?)[\"”]\s*$")


def _swap_edit(text: str, finding: dict[str, Any]) -> Edit | None:
    """A substitution rule's own wording (its suggestion ends with ``Try: "…"``)."""
    from tactful.rules.engine import load_rules

    rule = str(finding.get("rule", ""))
    if not any(r.id == rule and r.kind == "substitution" for r in load_rules()):
        return None
    m = _QUOTED.search(str(finding.get("suggestion", "")))
    start, end = int(finding["start"]), int(finding["end"])
    if m is None or start == end:
        return None
    swap = m.group(1)
    swap = swap[:1].upper() + swap[1:] if opens_sentence(text, start) else lower_first(swap)
    return Edit(start, end, swap, rule, label="Use the suggested wording")


def note_for(rule: str, ctx: Context) -> str | None:
    """Why a finding got no edit: what only the agent (or a policy) can add."""
    if rule == "tactful.reason.missing":
        return "No policy that applies gives a reason for this no: add an honest one."
    if rule == "vague_reason":
        return 'The only reason given is "our policy": say what the rule is (or give tactful the KB).'
    if rule == "tactful.alternatives.none":
        return "No policy that applies allows an alternative: offer one you really can, or none."
    if rule == "tactful.follow_up.dead_end":
        return "The reply ends at the no: add a way forward you can really offer (a channel, a link, a date)."
    if rule in _THANKS_RULES and ctx.topic is None:
        return "The customer's message asks nothing specific to name: acknowledge it in your own words."
    if rule == "tactful.tone.blame_customer":
        return "Blame left as written: explain the rule instead of their mistake."
    return None
