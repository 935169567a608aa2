"""Deterministic drafts: understand the message, decide under the KB, fill templates, analyze.

Nothing is made up: the templates (``templates.yml``) hold no numbers; every number, date,
amount and alternative in a draft comes from the customer's message, the KB's decision or
the facts. Every draft is analyzed; one under ``config.thresholds.min_score`` is flagged
with ``below_threshold=True``, never dropped.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tactful.analyzer.signals import load_yaml
from tactful.composer.facts import purchase_date
from tactful.config import Config

if TYPE_CHECKING:
    from tactful.kb.models import Decision, KnowledgeBase
    from tactful.understanding import Understanding

CHANNELS: tuple[str, ...] = ("email", "chat", "social")
TEMPLATES_PATH = Path(__file__).with_name("templates.yml")
MAX_VARIANTS = 3


@dataclass(slots=True)
class Draft:
    """One composed reply. ``sources`` lists each part with where it came from
    (``message``, ``kb``, ``facts`` or ``template``) and the text it contributed."""

    text: str
    channel: str
    decision: dict[str, Any]
    analysis: dict[str, Any]
    below_threshold: bool
    sources: list[dict[str, str]] = field(default_factory=list)
    variant: int = 0
    polish: dict[str, Any] | None = None  # the LLM step, when asked for: accepted or why not

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
        }


@cache
def load_templates(path: Path = TEMPLATES_PATH) -> dict[str, Any]:
    data = load_yaml(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected a mapping of template sets")
    return data


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


def _question_for(missing: tuple[str, ...], u: Understanding, t: dict[str, Any]) -> str:
    questions: dict[str, str] = t["questions"]
    asked: list[str] = []
    for what in missing:
        q = questions.get(what) or questions["generic"].format(what=what.replace("_", " "))
        if q not in asked:
            asked.append(q)
    if not asked and u.clarifying_question:
        asked.append(u.clarifying_question)
    if not asked:
        asked.append(questions["generic"].format(what="details of your order"))
    return " ".join(asked[:2])


def _request_type(u: Understanding, facts: dict[str, Any], request_type: str | None) -> str:
    if request_type:
        return request_type
    if isinstance(facts.get("request_type"), str):
        return str(facts["request_type"])
    if u.request is not None and u.request.type:
        return u.request.type
    return "other"


def _compose_one(
    u: Understanding,
    decision: Decision,
    facts: dict[str, Any],
    channel: str,
    config: Config,
    variant: int,
) -> tuple[str, list[dict[str, str]]]:
    t = load_templates()
    parts = _Parts()
    rtype = decision.request_type
    ask = t["asks"].get(rtype, t["asks"]["other"])
    about = mirrored_about(u, channel)
    if about:
        parts.add("details", "message", about.strip())
    reason = decision.policy.reason.strip() if decision.policy else ""
    outcome = decision.outcome
    follow_up = str(facts.get("follow_up_by") or t["follow_up_default"])
    question = _question_for(decision.missing, u, t) if outcome == "needs_info" else ""

    if channel == "social":
        s = t["social"]
        opener = _pick(s[outcome], variant).format(ask=ask, ask_cap=_cap(ask))
        lines = [parts.add("opening", "template", opener)]
        if outcome == "refuse" and decision.policy is not None:
            title = decision.policy.title.strip().rstrip(".")
            parts.add("reason", "kb", title)
            lines.append(s["refuse_reason"].format(title=title[:1].lower() + title[1:]))
        lines.append(parts.add("next_step", "template", _pick(s["private"], variant)))
        return " ".join(lines), parts.sources

    sentences: list[str] = []
    if outcome == "allow":
        sentences.append(
            parts.add("confirm", "template", _pick(t["allow"], variant).format(ask=ask, about=about))
        )
    elif outcome != "needs_info":
        opening = _pick(t["openings"], variant).format(ask=ask, about=about)
        sentences.append(parts.add("acknowledgement", "template", opening))
    mood = u.mood.label if u.mood is not None else "neutral"
    if mood in t["moods"]:
        sentences.append(parts.add("mood", "message", t["moods"][mood]))
    for d in u.details_of("reason"):
        if d.label and d.label in t["reasons"]:
            sentences.append(parts.add("reason_mirror", "message", t["reasons"][d.label]))
            break
    sentences.append(parts.add("thanks", "template", _pick(t["thanks"], variant)))
    if outcome == "needs_info":
        text = _pick(t["needs_info"], variant).format(ask=ask, question=question)
        sentences.append(parts.add("question", "template", text))

    body: list[str] = [" ".join(sentences)]
    if outcome == "refuse":
        no = _pick(t["refuse"], variant).format(ask=ask, reason="").strip()
        parts.add("no", "template", no)
        if reason:
            parts.add("reason", "kb", reason)
        chat_reason = reason.split(";")[0].split(". ")[0].rstrip(".") + "." if reason else ""
        body.append(f"{no} {chat_reason if channel == 'chat' else reason}".strip())
        alts = list(decision.alternatives)
        if alts:
            for a in alts:
                parts.add("alternative", "kb", a.text)
            if channel == "chat":
                listed = " ".join(f"({i}) {a.text}" for i, a in enumerate(alts, 1))
                body.append(f"{t['alternatives_intro']['one']} {listed}")
            else:
                intro = t["alternatives_intro"]["one" if len(alts) == 1 else "many"]
                body.append(intro + "\n" + "\n".join(f"- {a.text}" for a in alts))
            steps = t["next_steps_one"] if len(alts) == 1 else t["next_steps"]
            nxt = _pick(t["chat"]["refuse_next"] if channel == "chat" else steps, variant)
        else:
            nxt = _pick(t["needs_info_next"], variant)
        body.append(parts.add("next_step", "template", nxt))
    elif outcome == "allow":
        body.append(parts.add("next_step", "template", _pick(t["allow_next"], variant)))
    elif outcome == "needs_info":
        body.append(parts.add("next_step", "template", _pick(t["needs_info_next"], variant)))
    else:  # needs_approval: say who decides and when we follow up; promise no outcome
        body.append(parts.add("approval", "template", _pick(t["needs_approval"], variant)))
        origin = "facts" if facts.get("follow_up_by") else "template"
        parts.add("follow_up", origin, follow_up)
        body.append(_pick(t["needs_approval_next"], variant).format(follow_up=follow_up))

    if channel == "chat":
        hello = parts.add("greeting", "template", _pick(t["chat"]["hello"], variant))
        return hello + " " + " ".join(b.replace("\n", " ") for b in body), parts.sources

    greeting = parts.add("greeting", "template", _pick(t["greetings"][config.style.formality], variant))
    sign = config.style.sign_off.strip()
    if config.style.agent_name.strip():
        sign += ",\n" + config.style.agent_name.strip()
    elif sign and not sign.endswith((",", ".", "!")):
        sign += ","
    parts.add("sign_off", "config", sign)
    return "\n\n".join([greeting, *body, sign]).strip(), parts.sources


def compose(
    message: str,
    facts: dict[str, Any],
    kb: KnowledgeBase,
    *,
    channel: str = "email",
    config: Config | None = None,
    variants: int = 1,
    request_type: str | None = None,
    polish: bool = False,
) -> list[Draft]:
    """Draft ``variants`` replies (1–3, distinct, in a fixed order) to ``message`` on ``channel``.

    ``facts`` are what the agent knows (``purchase_date``, ``today``, ``amount``…) and go to
    :func:`tactful.kb.decide`; ``request_type`` overrides what :func:`tactful.understand` read.
    Same inputs, same drafts. ``polish`` asks the LLM in ``config.llm`` to reword each draft;
    its text replaces the draft's only if it passes the guard (see ``Draft.polish``).
    Raises ``ValueError`` for an empty message, an unknown channel or a variant count outside 1–3.
    """
    from tactful.analyzer.core import analyze
    from tactful.kb.decide import decide
    from tactful.understanding import understand

    if not isinstance(message, str) or not message.strip():
        raise ValueError("compose needs the customer's message; got an empty one")
    if channel not in CHANNELS:
        raise ValueError(f"unknown channel {channel!r} (one of: {', '.join(CHANNELS)})")
    if not 1 <= variants <= MAX_VARIANTS:
        raise ValueError(f"variants must be between 1 and {MAX_VARIANTS}, got {variants}")
    config = config or Config()
    facts = dict(facts or {})
    u = understand(message)
    if u.status in ("not_english", "too_large"):  # never answer a message as if it were understood
        raise ValueError(f"cannot draft a reply: {u.note}")
    rtype = _request_type(u, facts, request_type)
    facts.pop("request_type", None)
    stated = purchase_date(u, facts)
    if stated is not None:  # the customer said when they bought it
        facts["purchase_date"] = stated[0]
    decision = decide(
        rtype,
        {**facts, "channel": channel},
        kb,
        max_alternatives=min(3, config.thresholds.max_alternatives),
    )
    wire = decision.to_dict()
    drafts: list[Draft] = []
    seen: set[str] = set()
    for variant in range(variants):
        text, sources = _compose_one(u, decision, facts, channel, config, variant)
        if stated is not None:
            sources.append({"part": "purchase_date", "from": "message", "text": stated[1]})
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
            )
        )
    return drafts
