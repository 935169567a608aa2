"""SQLAlchemy 2 models of the store; the migrations in ``migrations/versions`` create these tables.

Timestamps are stored as naive UTC (the same on SQLite and PostgreSQL, so exports match);
:mod:`tactful.store.records` hands them out timezone-aware.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    role: Mapped[str] = mapped_column(String(20))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]


class Customer(Base):
    __tablename__ = "customers"
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    name: Mapped[str | None] = mapped_column(String(200))
    helpdesk_ids: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime]


class Conversation(Base):
    __tablename__ = "conversations"
    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    key: Mapped[str] = mapped_column(String(200))
    channel: Mapped[str | None] = mapped_column(String(50))
    created_at: Mapped[datetime]


class Case(Base):
    """One sent reply, with the customer's message it answered and its analysis."""

    __tablename__ = "cases"
    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id"))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    agent: Mapped[str | None] = mapped_column(String(200))
    channel: Mapped[str | None] = mapped_column(String(50))
    customer_message: Mapped[str | None] = mapped_column(Text)
    reply: Mapped[str] = mapped_column(Text)
    received_at: Mapped[datetime | None]
    sent_at: Mapped[datetime]
    request_type: Mapped[str | None] = mapped_column(String(50))
    policy_id: Mapped[str | None] = mapped_column(String(200))
    topic: Mapped[str | None] = mapped_column(String(200))
    is_refusal: Mapped[bool]
    exception_granted: Mapped[bool]
    score: Mapped[int]
    response_minutes: Mapped[float | None]
    sla_minutes: Mapped[float | None]
    analysis: Mapped[dict[str, Any]] = mapped_column(JSON)


class CaseScore(Base):
    __tablename__ = "case_scores"
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), primary_key=True)
    characteristic: Mapped[str] = mapped_column(String(50), primary_key=True)
    score: Mapped[float]


class Refusal(Base):
    __tablename__ = "refusals"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), unique=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    request_type: Mapped[str] = mapped_column(String(50))
    policy_id: Mapped[str | None] = mapped_column(String(200))
    reason: Mapped[str | None] = mapped_column(Text)


class Alternative(Base):
    __tablename__ = "alternatives"
    id: Mapped[int] = mapped_column(primary_key=True)
    refusal_id: Mapped[int] = mapped_column(ForeignKey("refusals.id"))
    position: Mapped[int]
    text: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(50))
    accepted: Mapped[bool]


class Promise(Base):
    __tablename__ = "promises"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    text: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(20))
    topic: Mapped[str | None] = mapped_column(String(200))
    due_at: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(String(20))
    kept_at: Mapped[datetime | None]


class FollowUp(Base):
    __tablename__ = "followups"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    promise_id: Mapped[int | None] = mapped_column(ForeignKey("promises.id"))
    due_at: Mapped[datetime]
    owner: Mapped[str | None] = mapped_column(String(200))
    note: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20))
    done_at: Mapped[datetime | None]


class RequestTopic(Base):
    __tablename__ = "request_topics"
    id: Mapped[int] = mapped_column(primary_key=True)
    topic: Mapped[str] = mapped_column(String(200), unique=True)
    request_type: Mapped[str | None] = mapped_column(String(50))
    status: Mapped[str] = mapped_column(String(20))
    shipped_at: Mapped[datetime | None]


class DeclinedRequest(Base):
    __tablename__ = "declined_requests"
    id: Mapped[int] = mapped_column(primary_key=True)
    topic_id: Mapped[int] = mapped_column(ForeignKey("request_topics.id"))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    asked_at: Mapped[datetime]
    notified_at: Mapped[datetime | None]


class Feedback(Base):
    __tablename__ = "feedback"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    csat: Mapped[int]
    comment: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]


class Outcome(Base):
    __tablename__ = "outcomes"
    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    outcome: Mapped[str] = mapped_column(String(20))
    at: Mapped[datetime]


class Scenario(Base):
    __tablename__ = "scenarios"
    id: Mapped[str] = mapped_column(String(200), primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    customer_message: Mapped[str] = mapped_column(Text)
    facts: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_by: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime]


class Attempt(Base):
    __tablename__ = "attempts"
    id: Mapped[int] = mapped_column(primary_key=True)
    user: Mapped[str] = mapped_column(String(200))
    scenario_id: Mapped[str] = mapped_column(ForeignKey("scenarios.id"))
    reply: Mapped[str] = mapped_column(Text)
    score: Mapped[int]
    analysis: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime]


class PageSession(Base):
    """A signed-in page session: the cookie names it, a logout ends it (``ended_at``)."""

    __tablename__ = "page_sessions"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime] = mapped_column(index=True)
    ended_at: Mapped[datetime | None]


class WebhookDelivery(Base):
    """A helpdesk delivery already processed, by the helpdesk's own id for it (a replay is ignored)."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (UniqueConstraint("source", "key", name="uq_webhook_deliveries_source_key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(50))
    key: Mapped[str] = mapped_column(String(200))
    received_at: Mapped[datetime] = mapped_column(index=True)


# Parents before children: the order export writes and import reads. Page sessions and webhook
# deliveries are the server's short-lived state, not the store's memory: they are not exported.
TABLES: tuple[type[Base], ...] = (
    User,
    Customer,
    Conversation,
    Case,
    CaseScore,
    Refusal,
    Alternative,
    Promise,
    FollowUp,
    RequestTopic,
    DeclinedRequest,
    Feedback,
    Outcome,
    Scenario,
    Attempt,
)
