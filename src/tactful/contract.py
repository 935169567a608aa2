"""Wire types shared by every front door (the JSON contract lives in ``to_dict``).

Plain slotted dataclasses rather than pydantic models: an analysis is built
thousands of times a second in batch mode and construction cost matters there.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

CHARACTERISTICS: tuple[str, ...] = (
    "empathy",
    "clarity",
    "professional_tone",
    "reason",
    "alternatives",
    "gratitude",
    "consistency",
    "timeliness",
    "apology_balance",
    "positive_language",
    "follow_up",
)

LEVELS: tuple[str, ...] = ("suggestion", "warning", "error")

# What a customer can ask for: understanding classifies into these, policies cover them.
REQUEST_TYPES: tuple[str, ...] = (
    "refund",
    "return",
    "exchange",
    "discount",
    "feature_request",
    "customization",
    "deadline",
    "cancellation",
    "policy_exception",
    "account_change",
    "other",
)

Span = tuple[int, int]


@dataclass(slots=True)
class Finding:
    """One problem in a reply: which rule, where, why, and what to write instead."""

    rule: str
    characteristic: str
    level: str
    start: int
    end: int
    message: str
    suggestion: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "characteristic": self.characteristic,
            "level": self.level,
            "start": self.start,
            "end": self.end,
            "message": self.message,
            "suggestion": self.suggestion,
        }


@dataclass(slots=True)
class CharacteristicScore:
    """A 0–1 score for one rubric characteristic, or ``applicable=False`` when it cannot be judged.

    ``score`` is kept rounded to 3 decimals, as the contract shows it."""

    score: float | None
    applicable: bool = True
    evidence: list[Span] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "score": None if self.score is None else round(self.score, 3),
            "applicable": self.applicable,
            "evidence": [[s, e] for s, e in self.evidence],
        }


@dataclass(slots=True)
class Counts:
    apologies: int = 0
    alternatives: int = 0
    refusals: int = 0
    words: int = 0

    def to_dict(self) -> dict[str, int]:
        return {
            "apologies": self.apologies,
            "alternatives": self.alternatives,
            "refusals": self.refusals,
            "words": self.words,
        }


@dataclass(slots=True)
class Analysis:
    """The result of :func:`tactful.analyze`; ``to_dict`` is the stable JSON contract."""

    text: str
    score: int
    is_refusal: bool
    politeness: float
    characteristics: dict[str, CharacteristicScore]
    counts: Counts
    findings: list[Finding]
    empty: bool = False

    def to_wire(self) -> dict[str, Any]:
        """The contract with its nested parts left as dataclasses, which orjson writes natively
        (batch mode saves a few dozen method calls per reply); ``to_dict`` is the plain form."""
        out: dict[str, Any] = {
            "score": self.score,
            "is_refusal": self.is_refusal,
            "politeness": round(self.politeness, 4),
            "characteristics": self.characteristics,
            "counts": self.counts,
            "findings": self.findings,
        }
        if self.empty:
            out["empty"] = True
            out["message"] = "nothing to analyze: the reply is empty"
        return out

    def to_dict(self) -> dict[str, Any]:
        out = self.to_wire()
        out["characteristics"] = {k: v.to_dict() for k, v in self.characteristics.items()}
        out["counts"] = self.counts.to_dict()
        out["findings"] = [f.to_dict() for f in self.findings]
        return out
