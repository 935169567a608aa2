"""Request and response shapes for the REST API (pydantic), so ``/docs`` and ``/openapi.json`` say
exactly what each route takes and gives. Responses are the library's own ``to_dict()`` forms —
the same JSON as the CLI's ``--format json``; these models document them."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from tactful.sanitize import text_problem

Channel = Literal["email", "chat", "social"]
Role = Literal["agent", "manager", "admin"]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")

    @field_validator("*")
    @classmethod
    def _is_text(cls, value: Any) -> Any:
        """A NUL or a lone surrogate in any text (nested too) is a 422 naming the field: no store
        keeps it, and no JSON answer could carry it back."""
        problem = text_problem(value)
        if problem:
            raise ValueError(problem)
        return value


# ── analysis ──────────────────────────────────────────────────────────────────────────────


class AnalyzeIn(_In):
    reply: str = Field(description="The agent's reply to analyze.")
    customer_message: str | None = Field(None, description="The customer's message (rewards mirroring).")
    context: dict[str, Any] | None = Field(
        None, description="policy/history (consistency) and channel, received_at, replied_at (timeliness)."
    )
    customer: str | None = Field(
        None, description="A known customer's id: the reply is also checked against what they were told."
    )

    @field_validator("context")
    @classmethod
    def _history_is_texts(cls, context: dict[str, Any] | None) -> dict[str, Any] | None:
        """The analyzer iterates ``history`` as earlier replies: anything else would crash it."""
        history = (context or {}).get("history")
        texts = isinstance(history, list) and all(isinstance(h, str) for h in history)
        if history is not None and not texts:
            raise ValueError("context.history must be a list of earlier replies (strings)")
        return context


class CharacteristicOut(BaseModel):
    score: float | None
    applicable: bool
    evidence: list[tuple[int, int]]


class CountsOut(BaseModel):
    apologies: int
    alternatives: int
    refusals: int
    words: int


class FindingOut(BaseModel):
    rule: str
    characteristic: str
    level: Literal["suggestion", "warning", "error"]
    start: int = Field(description="Python string offset into the reply.")
    end: int
    message: str
    suggestion: str


class AnalysisOut(BaseModel):
    score: int = Field(ge=0, le=100)
    is_refusal: bool
    politeness: float
    characteristics: dict[str, CharacteristicOut]
    counts: CountsOut
    findings: list[FindingOut]
    empty: bool | None = None
    message: str | None = None


# ── understanding, drafts, rewrites ──────────────────────────────────────────────────────


class UnderstandIn(_In):
    message: str = Field(description="The customer's message.")


class UnderstandingOut(BaseModel):
    status: Literal["ok", "empty", "not_english", "too_large"]
    understood: bool
    language: str
    is_english: bool
    words: int
    note: str | None
    request: dict[str, Any] | None
    mood: dict[str, Any] | None
    escalation: list[dict[str, Any]]
    details: list[dict[str, Any]]
    facts: dict[str, Any] = Field(
        default_factory=dict, description="What the message's dates say: purchase_date, days_since_purchase…"
    )
    clarifying_question: str | None
    missing: list[dict[str, Any]]


class ComposeIn(_In):
    message: str = Field(description="The customer's message.")
    facts: dict[str, Any] = Field(
        default_factory=dict, description="What the agent knows: purchase_date, today, amount…"
    )
    channel: Channel = "email"
    variants: int = Field(1, ge=1, le=3)
    request_type: str | None = Field(None, description="Overrides the request type read from the message.")


class DecisionOut(BaseModel):
    outcome: Literal["allow", "refuse", "needs_approval", "needs_info"]
    request_type: str
    policy: dict[str, Any] | None
    alternatives: list[dict[str, Any]]
    missing: list[str]
    notes: list[str]
    channel_note: str | None
    checked: list[dict[str, Any]]


class DraftOut(BaseModel):
    text: str
    channel: Channel
    variant: int
    decision: DecisionOut
    analysis: AnalysisOut
    below_threshold: bool
    sources: list[dict[str, str]]
    notes: list[str] = Field(default_factory=list, description="What the agent must still do (e.g. no KB).")


class RewriteIn(_In):
    draft: str = Field(description="The agent's own draft to improve.")
    customer_message: str | None = None
    facts: dict[str, Any] | None = None
    request_type: str | None = Field(None, description="Overrides the request type read from the message.")
    channel: Channel = "email"
    thread: bool = Field(
        False, description="A public reply over 280 characters comes back as numbered tweets."
    )


class RewriteOut(BaseModel):
    text: str
    original: str
    diff: Any
    changes: list[dict[str, Any]]
    score_before: int
    score: int
    analysis: AnalysisOut
    below_threshold: bool
    decision: DecisionOut | None
    notes: list[str]
    guard: Any
    polish: Any
    edits: list[dict[str, Any]] = Field(
        default_factory=list, description="Each change in the draft's offsets and the rule it fixes."
    )
    thread: list[str] | None = None


# ── policies ──────────────────────────────────────────────────────────────────────────────


class AlternativeOut(BaseModel):
    id: str
    text: str
    order: int


class PolicyMatch(BaseModel):
    snippet: str
    score: float


class PolicyOut(BaseModel):
    id: str
    title: str
    request_types: list[str]
    reason: str
    alternatives: list[AlternativeOut]
    channels: dict[str, str]
    priority: int
    source: str
    match: PolicyMatch | None = Field(None, description="Set when listed by a search (?q=).")


class DecideIn(_In):
    request_type: str
    facts: dict[str, Any] = Field(default_factory=dict)
    channel: Channel | None = None


# ── the store ─────────────────────────────────────────────────────────────────────────────


class CaseIn(_In):
    customer: str = Field(min_length=1, max_length=200, description="The customer's id (e.g. helpdesk id).")
    reply: str = Field(min_length=1, description="The reply that was sent.")
    customer_message: str | None = None
    channel: Channel | None = None
    agent: str | None = Field(None, description="Defaults to the caller; only managers may log for others.")
    received_at: datetime | None = None
    sent_at: datetime | None = None
    conversation: str | None = None
    request_type: str | None = None
    policy_id: str | None = None
    topic: str | None = Field(None, description="For a declined feature request: what was asked for.")


class FeedbackIn(_In):
    case_id: int
    csat: int = Field(ge=1, le=5)
    comment: str | None = Field(None, max_length=5000)


class UserIn(_In):
    name: str = Field(min_length=1, max_length=100)
    role: Role


class UserOut(BaseModel):
    id: int
    name: str
    role: Role
    created_at: datetime
    revoked_at: datetime | None = Field(None, description="Set when the user was revoked.")


class NewUserOut(BaseModel):
    user: UserOut
    token: str = Field(description="Shown once; only its hash is stored.")


class TableOut(BaseModel):
    name: str
    columns: list[str]
    rows: list[list[Any]]


class Health(BaseModel):
    status: Literal["ok"]
    version: str


# ── webhooks ──────────────────────────────────────────────────────────────────────────────


class WebhookOut(BaseModel):
    action: Literal["analyzed", "drafted", "understood", "ignored"]
    reason: str | None = Field(None, description="Why the event was ignored, or why no draft was made.")
    note: str | None = Field(None, description="Plain text for a private note the helpdesk can post.")
    conversation: str | None = None
    case: int | None = Field(None, description="The store's case for an agent reply to a known customer.")
    analysis: AnalysisOut | None = None
    understanding: UnderstandingOut | None = None
    decision: DecisionOut | None = None
    draft: DraftOut | None = None
