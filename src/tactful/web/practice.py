"""Practice mode: scenarios where an agent writes a reply and is scored and coached on the rubric.

Scenarios ship as YAML (``web/scenarios/*.yml``) and managers add their own through the page;
both live in the store so attempts can refer to them. Coaching is the analyzer's verdict put in
the order an agent can act on: the weakest characteristics first, each with what a good reply
does (the method), the findings that cost points and their fixes, the customer's details the
reply should have mirrored, and the scenario's own tips.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from tactful.contract import CHARACTERISTICS
from tactful.errors import ScenarioError as ScenarioError

SCENARIOS_DIR = Path(__file__).parent / "scenarios"
_ID = re.compile(r"[a-z0-9][a-z0-9-]{1,62}\Z")
# Keys inside a stored scenario's ``facts`` that hold practice settings rather than KB facts.
_RESERVED = ("_tips", "_channel", "_context")

# What a good refusal does, per characteristic (DESIGN.md's table, from the polite-refusal guide's
# table in seeds/001 and what the other seed articles add).
RUBRIC: dict[str, tuple[str, str]] = {
    "empathy": ("Empathy", "Acknowledge their specific request and feelings; mirror their details."),
    "clarity": ("Clarity", "State the no unambiguously, once; no false hope."),
    "professional_tone": ("Professional tone", "Stay respectful and calm; never blame the customer."),
    "reason": ("Reason", "Give one concise, honest reason, ideally the policy."),
    "alternatives": ("Alternatives", "Offer one to three real alternatives, closest to the ask first."),
    "gratitude": ("Gratitude", "Thank them for the request, the feedback or their loyalty."),
    "consistency": ("Consistency", "Agree with the policy and with what they were told before."),
    "timeliness": ("Timeliness", "Answer promptly, within the channel's response time."),
    "apology_balance": ("Apology balance", "At most one sincere apology; no pretend regret."),
    "positive_language": ("Positive language", "Frame the answer around what can be done."),
    "follow_up": ("Follow-up", "Offer a next step or a way back; ask for what is missing."),
}


@dataclass(frozen=True, slots=True)
class Scenario:
    """One practice situation: the customer's message, what the agent knows, and coaching tips."""

    id: str
    title: str
    customer_message: str
    facts: dict[str, Any] = field(default_factory=dict)
    tips: tuple[str, ...] = ()
    channel: str = "email"
    context: dict[str, Any] = field(default_factory=dict)
    created_by: str | None = None

    def store_facts(self) -> dict[str, Any]:
        """``facts`` as the store keeps them: KB facts plus the practice settings under reserved keys."""
        out = dict(self.facts)
        out["_tips"] = list(self.tips)
        out["_channel"] = self.channel
        if self.context:
            out["_context"] = self.context
        return out

    @classmethod
    def from_store(cls, data: dict[str, Any]) -> Scenario:
        """Rebuild from a stored scenario's ``to_dict()`` (id, title, customer_message, facts, created_by)."""
        facts = dict(data.get("facts") or {})
        tips = facts.pop("_tips", None) or []
        channel = facts.pop("_channel", None) or "email"
        context = facts.pop("_context", None) or {}
        return cls(
            id=str(data["id"]),
            title=str(data.get("title") or data["id"]),
            customer_message=str(data.get("customer_message") or ""),
            facts=facts,
            tips=tuple(str(t) for t in tips) if isinstance(tips, list) else (),
            channel=str(channel) if channel in ("email", "chat", "social") else "email",
            context=context if isinstance(context, dict) else {},
            created_by=data.get("created_by"),
        )


def parse_scenario(data: Any, where: str) -> Scenario:
    """Validate one scenario mapping (from YAML or the form); errors name ``where`` and the field."""
    if not isinstance(data, dict):
        raise ScenarioError(f"{where}: expected a mapping with id, title, customer_message")
    unknown = set(data) - {"id", "title", "customer_message", "facts", "tips", "channel", "context"}
    if unknown:
        raise ScenarioError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
    sid = str(data.get("id") or "").strip()
    if not _ID.match(sid):
        raise ScenarioError(f"{where}: 'id' must be 2-63 lowercase letters, digits or dashes, got {sid!r}")
    title = str(data.get("title") or "").strip()
    message = str(data.get("customer_message") or "").strip()
    if not title:
        raise ScenarioError(f"{where}: 'title' is required")
    if not message:
        raise ScenarioError(f"{where}: 'customer_message' is required")
    facts = data.get("facts") or {}
    context = data.get("context") or {}
    tips = data.get("tips") or []
    if not isinstance(facts, dict):
        raise ScenarioError(f"{where}: 'facts' must be a mapping")
    if not isinstance(context, dict):
        raise ScenarioError(f"{where}: 'context' must be a mapping")
    if not isinstance(tips, list) or not all(isinstance(t, str) for t in tips):
        raise ScenarioError(f"{where}: 'tips' must be a list of strings")
    channel = str(data.get("channel") or "email")
    if channel not in ("email", "chat", "social"):
        raise ScenarioError(f"{where}: 'channel' must be email, chat or social, got {channel!r}")
    clean_facts = {str(k): (v if isinstance(v, (int, float, bool)) else str(v)) for k, v in facts.items()}
    return Scenario(sid, title, message, clean_facts, tuple(tips), channel, context)


@cache
def shipped_scenarios(folder: Path = SCENARIOS_DIR) -> tuple[Scenario, ...]:
    """The scenarios that ship with tactful, in file-name order."""
    out: list[Scenario] = []
    for path in sorted(folder.glob("*.yml")):
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except yaml.YAMLError as exc:
            raise ScenarioError(f"{path}: not valid YAML: {exc}") from exc
        out.append(parse_scenario(data, str(path)))
    return tuple(out)


def parse_facts(text: str) -> dict[str, str]:
    """``key=value`` lines from the manager's form (blank lines and ``#`` comments ignored)."""
    facts: dict[str, str] = {}
    for n, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        key, sep, value = line.partition("=")
        if not sep or not key.strip():
            raise ScenarioError(f"facts line {n}: expected key=value, got {line!r}")
        facts[key.strip()] = value.strip()
    return facts


def sync_shipped(store: Any) -> None:
    """Add the shipped scenarios the store does not have yet (a manager's edits are never overwritten)."""
    have = {str(s.to_dict()["id"]) for s in store.scenarios()}
    for s in shipped_scenarios():
        if s.id not in have:
            store.add_scenario(s.id, s.title, s.customer_message, s.store_facts(), created_by=None)


def all_scenarios(store: Any) -> list[Scenario]:
    sync_shipped(store)
    return [Scenario.from_store(s.to_dict()) for s in store.scenarios()]


@dataclass(slots=True)
class CharacteristicNote:
    characteristic: str
    label: str
    does: str
    score: float | None
    findings: list[dict[str, Any]]


@dataclass(slots=True)
class Coaching:
    """The verdict on one attempt: the analysis, the notes in the order to act on, and a model draft."""

    score: int
    verdict: str
    analysis: dict[str, Any]
    notes: list[CharacteristicNote]
    strengths: list[str]
    unmirrored: list[str]
    tips: tuple[str, ...]
    model_draft: str | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "score": self.score,
            "verdict": self.verdict,
            "analysis": self.analysis,
            "notes": [
                {
                    "characteristic": n.characteristic,
                    "label": n.label,
                    "does": n.does,
                    "score": n.score,
                    "findings": n.findings,
                }
                for n in self.notes
            ],
            "strengths": self.strengths,
            "unmirrored": self.unmirrored,
            "tips": list(self.tips),
            "model_draft": self.model_draft,
        }


def _verdict(score: int, errors: int = 0) -> str:
    if errors:
        return "Fix the error first: the customer would notice it before anything else."
    if score >= 90:
        return "Excellent: this no keeps the customer."
    if score >= 75:
        return "Good: a few touches would make it better."
    if score >= 50:
        return "Getting there: work on the notes below, top first."
    return "Needs work: start with the first notes below."


def _model_draft(scenario: Scenario, kb: Any) -> str | None:
    """How tactful itself would answer (the deterministic composer on the app's KB), or None."""
    from tactful import compose
    from tactful.kb import FactError

    try:
        drafts = compose(scenario.customer_message, dict(scenario.facts), kb, channel=scenario.channel)
    except (ValueError, FactError):
        return None
    return drafts[0].text if drafts else None


def coach(scenario: Scenario, reply: str, kb: Any = None) -> Coaching:
    """Score ``reply`` to ``scenario`` and say, in order, what to improve. Raises ValueError when empty."""
    from tactful import analyze, understand

    if not reply.strip():
        raise ValueError("write a reply first: it is empty")
    analysis = analyze(reply, scenario.customer_message, scenario.context or None).to_dict()
    by_char: dict[str, list[dict[str, Any]]] = {}
    for f in analysis["findings"]:
        by_char.setdefault(f["characteristic"], []).append(f)
    notes: list[CharacteristicNote] = []
    strengths: list[str] = []
    for c in CHARACTERISTICS:
        cs = analysis["characteristics"].get(c, {})
        label, does = RUBRIC[c]
        if not cs.get("applicable", False):
            continue
        score = cs.get("score")
        if by_char.get(c) or (score is not None and score < 0.75):
            notes.append(CharacteristicNote(c, label, does, score, by_char.get(c, [])))
        else:
            strengths.append(label)
    # What the customer would notice first (an error: a wrong name or order number, blame) leads;
    # then the weakest characteristics.
    notes.sort(
        key=lambda n: (
            not any(f["level"] == "error" for f in n.findings),
            n.score if n.score is not None else 1.0,
            -len(n.findings),
        )
    )
    u = understand(scenario.customer_message)
    folded = reply.casefold()
    unmirrored: list[str] = []
    for d in u.details if u.understood else []:
        if d.kind in ("product", "order_number") and str(d.value or d.text).casefold() not in folded:
            unmirrored.append(d.text)
    errors = sum(f["level"] == "error" for f in analysis["findings"])
    return Coaching(
        score=int(analysis["score"]),
        verdict=_verdict(int(analysis["score"]), errors),
        analysis=analysis,
        notes=notes,
        strengths=strengths,
        unmirrored=unmirrored,
        tips=scenario.tips,
        model_draft=_model_draft(scenario, kb),
    )


def progress(attempts: list[dict[str, Any]]) -> dict[str, Any]:
    """Per-scenario and overall progress from ``store.attempts(user)`` dicts, oldest first."""
    ordered = sorted(attempts, key=lambda a: str(a.get("created_at") or ""))
    per: dict[str, list[int]] = {}
    for a in ordered:
        per.setdefault(str(a.get("scenario_id")), []).append(int(a.get("score") or 0))
    return {
        "scores": [int(a.get("score") or 0) for a in ordered],
        "per_scenario": {
            sid: {"attempts": len(s), "best": max(s), "last": s[-1], "first": s[0]} for sid, s in per.items()
        },
    }
