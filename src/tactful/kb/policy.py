"""The policy knowledge base as the rest of tactful sees it: policies, alternatives, decisions."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from tactful.errors import KBError as KBError
from tactful.kb.conditions import FactType, Node

if TYPE_CHECKING:
    from tactful.kb.search import SearchHit, SearchIndex

CHANNELS: tuple[str, ...] = ("email", "chat", "social")
Outcome = Literal["allow", "refuse", "needs_approval", "needs_info"]


@dataclass(frozen=True, slots=True)
class KBIssue:
    """One problem in a policy file, printed as ``FILE:LINE: message``."""

    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


@dataclass(frozen=True, slots=True)
class Alternative:
    id: str
    text: str
    order: int
    conditions: tuple[Node, ...] = ()
    source: str = ""  # "policy-id/alt-id" when it was taken from another policy by ``ref``


@dataclass(frozen=True, slots=True)
class Rule:
    """An approval or escalation rule: when every condition in ``when`` holds, a manager is asked."""

    when: tuple[Node, ...]
    note: str


@dataclass(frozen=True, slots=True)
class Policy:
    id: str
    title: str
    request_types: tuple[str, ...]
    reason: str
    path: Path
    line: int = 1
    applies_when: tuple[Node, ...] = ()
    conditions: tuple[Node, ...] = ()
    alternatives: tuple[Alternative, ...] = ()
    approval: tuple[Rule, ...] = ()
    escalate: tuple[Rule, ...] = ()
    channels: dict[str, str] = field(default_factory=dict)
    priority: int = 0
    source: str = ""
    body: str = ""


@dataclass(slots=True)
class KnowledgeBase:
    policies: dict[str, Policy]
    fact_types: dict[str, FactType]
    root: Path | None = None
    _index: SearchIndex | None = field(default=None, repr=False)

    def __len__(self) -> int:
        return len(self.policies)

    def get(self, policy_id: str) -> Policy:
        return self.policies[policy_id]

    def for_request(self, request_type: str) -> list[Policy]:
        """Policies covering ``request_type``, highest ``priority`` first, then in file order."""
        found = [p for p in self.policies.values() if request_type in p.request_types]
        return sorted(found, key=lambda p: -p.priority)

    def search(self, query: str, limit: int = 10) -> list[SearchHit]:
        """Full-text search (SQLite FTS5, in memory, built on first use)."""
        from tactful.kb.search import SearchIndex

        if self._index is None:
            self._index = SearchIndex(self)
        return self._index.search(query, limit)

    def decide(self, request_type: str, facts: dict[str, Any], **kwargs: Any) -> Decision:
        from tactful.kb.decide import decide

        return decide(request_type, facts, self, **kwargs)


@dataclass(frozen=True, slots=True)
class PolicyRef:
    id: str
    title: str
    reason: str


@dataclass(frozen=True, slots=True)
class OfferedAlternative:
    id: str
    text: str
    order: int


@dataclass(frozen=True, slots=True)
class Decision:
    outcome: Outcome
    request_type: str
    policy: PolicyRef | None
    alternatives: tuple[OfferedAlternative, ...] = ()
    missing: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    channel_note: str | None = None
    checked: tuple[dict[str, Any], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "outcome": self.outcome,
            "request_type": self.request_type,
            "policy": None
            if self.policy is None
            else {"id": self.policy.id, "title": self.policy.title, "reason": self.policy.reason},
            "alternatives": [{"id": a.id, "text": a.text, "order": a.order} for a in self.alternatives],
            "missing": list(self.missing),
            "notes": list(self.notes),
            "channel_note": self.channel_note,
            "checked": [dict(c) for c in self.checked],
        }
