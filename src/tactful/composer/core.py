"""Deterministic drafts: understand the message, decide under the KB, fill templates, analyze.

Nothing is made up: the templates (``templates.yml``) hold no numbers and no stock lines; every
number, date, amount and alternative in a draft comes from the customer's message, the KB's
decision or the facts. With no KB (or no policy whose request type and conditions match) a draft
decides nothing: it acknowledges what they asked, asks what is missing, and its ``notes`` say the
answer is the agent's to write. Every draft is analyzed; one under ``config.thresholds.min_score``
is flagged with ``below_threshold=True``, never dropped.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from tactful.composer.facts import stated_facts, today_of
from tactful.composer.frame import TWEET_LIMIT, tweet_length
from tactful.composer.templates import load_templates
from tactful.composer.topic import CONFIDENT, mirrored_about
from tactful.config import Config

if TYPE_CHECKING:
    from tactful.composer.topic import Topic
    from tactful.kb.policy import Decision, KnowledgeBase
    from tactful.understanding import Understanding

CHANNELS: tuple[str, ...] = ("email", "chat", "social")
MAX_VARIANTS = 3
NO_KB = "No policy KB is configured (--kb, [kb] in tactful.toml or TACTFUL_KB): the draft decides nothing."


@dataclass(slots=True)
class Draft:
    """One composed reply. ``sources`` lists each part with where it came from
    (``message``, ``kb``, ``facts``, ``config`` or ``template``) and the text it contributed."""

    text: str
    channel: str
    decision: dict[str, Any]
    analysis: dict[str, Any]
    below_threshold: bool
    sources: list[dict[str, str]] = field(default_factory=list)
    variant: int = 0
    polish: dict[str, Any] | None = None  # the LLM step, when asked for: accepted or why not
    notes: list[str] = field(default_factory=list)  # what the agent must still do before sending

    @property
    def score(self) -> int:
        return int(self.analysis.get("score", 0))

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "channel": self.channel,
            "variant": self.variant,
            "decision": self.decision,
            "analysis": self.analysis,
            "below_threshold": self.below_threshold,
            "sources": [dict(s) for s in self.sources],
            "polish": self.polish,
            "notes": list(self.notes),
        }


def _pick(options: list[str], variant: int) -> str:
    return options[variant % len(options)]


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


class _Parts:
    """Collects the sentences of a draft with their provenance."""

    def __init__(self) -> None:
        self.sources: list[dict[str, str]] = []

    def add(self, part: str, origin: str, text: str) -> str:
        self.sources.append({"part": part, "from": origin, "text": text})
        return text


def _request_type(u: Understanding, facts: dict[str, Any], request_type: str | None) -> str | None:
    """The type the agent gave, else the one read from the message when it is clear; else None."""
    if request_type:
        return request_type
    if isinstance(facts.get("request_type"), str):
        return str(facts["request_type"])
    if u.request is not None and u.request.type != "other" and u.request.confidence >= CONFIDENT:
        return u.request.type
    return None


def _questions(missing: tuple[str, ...], t: dict[str, Any]) -> str:
    questions: dict[str, str] = t["questions"]
    asked: list[str] = []
    for what in missing:
        q = questions.get(what) or questions["generic"].format(what=what.replace("_", " "))
        if q not in asked:
            asked.append(q)
    return " ".join(asked[:2])


def _opening(topic: Topic | None, channel: str, parts: _Parts) -> list[str]:
    """What they asked, named, with thanks for it, in one sentence ("Thanks for asking for a refund for
    your blue jacket (order A1234)."); nothing when they asked nothing specific (never a stock line).
    In public, no order numbers."""
    if topic is None or (channel == "social" and any(c.isdigit() for c in topic.say)):
        return []
    return [parts.add("acknowledgement", "message", topic.thanks)]


def _sign_off(config: Config) -> str:
    sign = config.style.sign_off.strip()
    if config.style.agent_name.strip():
        return (sign + ",\n" if sign else "") + config.style.agent_name.strip()
    return sign + "," if sign and not sign.endswith((",", ".", "!")) else sign


def _initials(config: Config) -> str:
    name = config.style.agent_name.split()
    return "^" + "".join(w[0].upper() for w in name) if name else ""


def _body(
    u: Understanding,
    decision: Decision,
    facts: dict[str, Any],
    channel: str,
    variant: int,
    topic: Topic | None,
    parts: _Parts,
    notes: list[str],
) -> list[str]:
    """The decision, said: the no with its reason, the options and the question about them; a yes and
    what happens next; the question a policy needs answered; a manager's review; or, with no policy,
    only what to ask (``notes`` says the answer is the agent's). Paragraphs (email) or sentences."""
    t = load_templates()
    outcome, policy = decision.outcome, decision.policy
    ask = t["asks"].get(decision.request_type)
    body: list[str] = []  # paragraphs (email) or sentences joined on one line (chat, social)
    if outcome == "refuse" and policy is not None:
        said_ask = ask or "this"
        if channel == "social":
            no = _pick(t["social"]["refuse"], variant).format(ask=said_ask, ask_cap=_cap(said_ask))
            title = policy.title.strip().rstrip(".")
            reason = t["social"]["refuse_reason"].format(title=title[:1].lower() + title[1:])
        else:
            no = _pick(t["refuse"], variant).format(ask=said_ask)
            reason = " ".join(policy.reason.split())
            if channel == "chat":
                reason = reason.split(";")[0].split(". ")[0].rstrip(".") + "."
        parts.add("no", "template", no)
        parts.add("reason", "kb", reason)
        body.append(f"{no} {reason}")
        alts = [a.text for a in decision.alternatives]
        for a in alts:
            parts.add("alternative", "kb", a)
        if alts:
            intro = t["alternatives_intro"]["one" if len(alts) == 1 else "many"]
            if channel == "email":
                body.append(intro + "\n" + "\n".join(f"- {a}" for a in alts))
            elif channel == "chat":
                body.append(intro + " " + " ".join(f"({i}) {a}" for i, a in enumerate(alts, 1)))
            else:
                body.append(
                    intro
                    + " "
                    + "; or ".join(a.rstrip(".")[:1].lower() + a.rstrip(".")[1:] for a in alts)
                    + "."
                )
            steps = (
                t["chat"]["refuse_next"]
                if channel == "chat"
                else t["next_steps_one" if len(alts) == 1 else "next_steps"]
            )
            body.append(parts.add("next_step", "template", _pick(steps, variant)))
        if channel == "social" and decision.channel_note and "private" in decision.channel_note.lower():
            body.append(parts.add("next_step", "kb", _pick(t["social"]["private"], variant)))
    elif outcome == "allow" and policy is not None:
        confirm = _pick(t["social"]["allow"] if channel == "social" else t["allow"], variant).format(
            ask=ask or "this", about=mirrored_about(u, channel)
        )
        body.append(parts.add("confirm", "template", confirm))
        body.append(parts.add("next_step", "template", _pick(t["allow_next"], variant)))
    elif outcome == "needs_info" and policy is not None:
        question = _questions(decision.missing, t)
        body.append(
            parts.add(
                "question",
                "template",
                _pick(t["needs_info"], variant).format(ask=ask or "this", question=question),
            )
        )
        body.append(parts.add("next_step", "template", _pick(t["needs_info_next"], variant)))
    elif outcome == "needs_approval" and policy is not None:
        body.append(parts.add("approval", "kb", _pick(t["needs_approval"], variant)))
        follow_up = str(facts.get("follow_up_by") or "").strip()
        if follow_up:
            parts.add("follow_up", "facts", follow_up)
            body.append(_pick(t["needs_approval_next_dated"], variant).format(follow_up=follow_up))
        else:
            body.append(_pick(t["needs_approval_next"], variant))
    else:  # no policy decides this: acknowledge, ask what is missing, and leave the answer to the agent
        asked = [q.question for q in u.missing if not (q.what == "desired_outcome" and (topic or ask))]
        if asked:
            body.append(parts.add("question", "message", asked[0]))
        notes.append(
            (decision.notes[0] if decision.notes else "No policy covers this request.")
            + " Write your answer into the draft before sending."
        )

    return body


def _compose_one(
    u: Understanding,
    decision: Decision,
    facts: dict[str, Any],
    channel: str,
    config: Config,
    variant: int,
    topic: Topic | None,
) -> tuple[str, list[dict[str, str]], list[str]]:
    """One draft: what they asked (and, by email, how they feel), the decision, in the channel's frame."""
    from tactful.composer.customer import customer_name

    t = load_templates()
    parts = _Parts()
    notes: list[str] = []
    opening = _opening(topic, channel, parts)
    mood = u.mood.label if u.mood is not None else "neutral"
    feeling: list[str] = []
    if channel == "email" and mood in t["moods"] and u.mood is not None and u.mood.evidence:
        feeling.append(parts.add("mood", "message", t["moods"][mood]))
    for d in u.details_of("reason"):
        if channel == "email" and d.label and d.label in t["reasons"]:
            feeling.append(parts.add("reason_mirror", "message", t["reasons"][d.label]))
            break

    body = _body(u, decision, facts, channel, variant, topic, parts, notes)

    name = str(facts.get("customer_name") or "").strip() or customer_name(u.text) or ""
    if channel == "social":
        handle = str(facts.get("customer_handle") or "").strip().lstrip("@")
        lead = [f"@{handle}"] if handle else []
        sign = _initials(config)
        return _fit_tweet(lead, opening, body, [sign] if sign else []), parts.sources, notes
    if channel == "chat":
        hello = parts.add(
            "greeting",
            "template",
            _pick(t["chat"]["hello_named"] if name else t["chat"]["hello"], variant).format(name=name),
        )
        line = " ".join([hello, *opening, *(b.replace("\n", " ") for b in body)])
        return line.strip(), parts.sources, notes
    greetings = t["greetings_named" if name else "greetings"][config.style.formality]
    greeting = parts.add("greeting", "template", _pick(greetings, variant).format(name=name))
    sign = parts.add("sign_off", "config", _sign_off(config))
    first = " ".join([*opening, *feeling])
    paragraphs = [greeting, *([first] if first else []), *body, sign]
    return "\n\n".join(p for p in paragraphs if p).strip(), parts.sources, notes


def _fit_tweet(lead: list[str], opening: list[str], body: list[str], tail: list[str]) -> str:
    """Handle first, sign-off last, within 280 characters as Twitter counts them. Too long, it gives up
    in this order: the opening, the options after the closest one, the question about them, the
    options, the reason; the no and the step to a private message stay."""
    body = [b.replace("\n", " ") for b in body]

    def text(parts: list[str]) -> str:
        return " ".join([*lead, *parts, *tail])

    def closest(piece: str) -> str:
        return piece.split("; or ")[0].rstrip(".") + "." if "; or " in piece else piece

    no, rest = body[:1], body[1:]
    options = [p for p in rest if p.startswith("Here is what")]
    ask = [p for p in rest if p.startswith(("Let me know", "Just reply"))]
    private = [p for p in rest if p not in options and p not in ask]
    tries = [
        [*opening, *body],
        [*no, *options, *ask, *private],
        [*no, *map(closest, options), *ask, *private],
        [*no, *map(closest, options), *private],
        [*no, *private],
        [no[0].split(". ")[0].rstrip(".") + ".", *private] if no else private,
    ]
    return next((text(p) for p in tries if tweet_length(text(p)) <= TWEET_LIMIT), text(tries[-1]))


def compose(
    message: str,
    facts: dict[str, Any] | None = None,
    kb: KnowledgeBase | None = None,
    *,
    channel: str = "email",
    config: Config | None = None,
    variants: int = 1,
    request_type: str | None = None,
    polish: bool = False,
) -> list[Draft]:
    """Draft ``variants`` replies (1–3, distinct, in a fixed order) to ``message`` on ``channel``.

    ``facts`` are what the agent knows (``purchase_date``, ``today``, ``amount``, ``customer_name``,
    ``customer_handle``…) and go to :func:`tactful.kb.decide`; ``request_type`` overrides what
    :func:`tactful.understand` read. Without ``kb`` nothing is decided (the draft's ``notes`` say so).
    Same inputs, same drafts. ``polish`` asks the LLM in ``config.llm`` to reword each draft; its text
    replaces the draft's only if it passes the guard (see ``Draft.polish``).
    Raises ``ValueError`` for an empty message, an unknown channel or a variant count outside 1–3.
    """
    from tactful.analyzer.core import analyze
    from tactful.composer.topic import topic_for
    from tactful.kb.decide import coerce_facts, decide
    from tactful.kb.policy import Decision
    from tactful.understanding import understand

    if not isinstance(message, str) or not message.strip():
        raise ValueError("compose needs the customer's message; got an empty one")
    if channel not in CHANNELS:
        raise ValueError(f"unknown channel {channel!r} (one of: {', '.join(CHANNELS)})")
    if not 1 <= variants <= MAX_VARIANTS:
        raise ValueError(f"variants must be between 1 and {MAX_VARIANTS}, got {variants}")
    config = config or Config()
    facts = dict(facts or {})
    u = understand(message, today=today_of(facts))
    if u.status in ("not_english", "too_large"):  # never answer a message as if it were understood
        raise ValueError(f"cannot draft a reply: {u.note}")
    rtype = _request_type(u, facts, request_type)
    facts.pop("request_type", None)
    kb_facts = {k: v for k, v in facts.items() if k not in ("customer_name", "customer_handle")}
    stated = stated_facts(u, kb_facts)  # "I bought it 40 days ago": the customer said when
    kb_facts.update({name: value for name, value, _ in stated})
    if kb is None:
        coerce_facts(kb_facts, {})  # a malformed fact is an error with or without policies
        decision = Decision("needs_approval", rtype or "other", None, notes=(NO_KB,))
    elif rtype is None:
        decision = Decision(
            "needs_approval", "other", None, notes=("The request type is unclear: give it with --type.",)
        )
    else:
        decision = decide(
            rtype,
            {**kb_facts, "channel": channel},
            kb,
            max_alternatives=min(3, config.thresholds.max_alternatives),
        )
    wire = decision.to_dict()
    # The request a policy decided is the one to name; without a decision, their own question first.
    topic = topic_for(u, message, "", channel, rtype if decision.policy is not None else None)
    drafts: list[Draft] = []
    seen: set[str] = set()
    for variant in range(variants):
        text, sources, notes = _compose_one(u, decision, facts, channel, config, variant, topic)
        sources += [{"part": name, "from": "message", "text": words} for name, _, words in stated]
        if text in seen:
            continue
        seen.add(text)
        analysis = analyze(text, message, config=config).to_dict()
        polished = None
        if polish:
            from tactful.composer.guard import Inputs
            from tactful.composer.llm import polish as llm_polish

            allowed = tuple(a.text for a in decision.alternatives)
            reason = decision.policy.reason if decision.policy else ""
            known = (message, reason, *allowed, *map(str, facts.values()))
            inputs = Inputs(text, known, allowed, must_refuse=decision.outcome == "refuse")
            result = llm_polish(text, inputs, message, config, int(analysis["score"]))
            polished = result.to_dict()
            if result.accepted:
                text = result.text
                analysis = analyze(text, message, config=config).to_dict()
        drafts.append(
            Draft(
                text=text,
                channel=channel,
                decision=wire,
                analysis=analysis,
                below_threshold=int(analysis["score"]) < config.thresholds.min_score,
                sources=sources,
                variant=variant,
                polish=polished,
                notes=notes,
            )
        )
    return drafts
