"""The first schema: users, customers, conversations, cases, refusals, promises, follow-ups, feedback.

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _id() -> sa.Column:
    return sa.Column("id", sa.Integer, primary_key=True, autoincrement=True)


def upgrade() -> None:
    op.create_table(
        "users",
        _id(),
        sa.Column("name", sa.String(200), nullable=False, unique=True),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "customers",
        _id(),
        sa.Column("key", sa.String(200), nullable=False, unique=True),
        sa.Column("name", sa.String(200)),
        sa.Column("helpdesk_ids", sa.JSON, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "conversations",
        _id(),
        sa.Column("customer_id", sa.Integer, sa.ForeignKey("customers.id"), nullable=False, index=True),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("channel", sa.String(50)),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.UniqueConstraint("customer_id", "key", name="uq_conversation_key"),
    )
    op.create_table(
        "cases",
        _id(),
        sa.Column(
            "conversation_id", sa.Integer, sa.ForeignKey("conversations.id"), nullable=False, index=True
        ),
        sa.Column("customer_id", sa.Integer, sa.ForeignKey("customers.id"), nullable=False, index=True),
        sa.Column("agent", sa.String(200), index=True),
        sa.Column("channel", sa.String(50)),
        sa.Column("customer_message", sa.Text),
        sa.Column("reply", sa.Text, nullable=False),
        sa.Column("received_at", sa.DateTime),
        sa.Column("sent_at", sa.DateTime, nullable=False),
        sa.Column("request_type", sa.String(50)),
        sa.Column("policy_id", sa.String(200)),
        sa.Column("topic", sa.String(200)),
        sa.Column("is_refusal", sa.Boolean, nullable=False),
        sa.Column("exception_granted", sa.Boolean, nullable=False),
        sa.Column("score", sa.Integer, nullable=False),
        sa.Column("response_minutes", sa.Float),
        sa.Column("sla_minutes", sa.Float),
        sa.Column("analysis", sa.JSON, nullable=False),
    )
    op.create_table(
        "case_scores",
        sa.Column("case_id", sa.Integer, sa.ForeignKey("cases.id"), primary_key=True),
        sa.Column("characteristic", sa.String(50), primary_key=True),
        sa.Column("score", sa.Float, nullable=False),
    )
    op.create_table(
        "refusals",
        _id(),
        sa.Column("case_id", sa.Integer, sa.ForeignKey("cases.id"), nullable=False, unique=True),
        sa.Column("customer_id", sa.Integer, sa.ForeignKey("customers.id"), nullable=False, index=True),
        sa.Column("request_type", sa.String(50), nullable=False),
        sa.Column("policy_id", sa.String(200)),
        sa.Column("reason", sa.Text),
    )
    op.create_table(
        "alternatives",
        _id(),
        sa.Column("refusal_id", sa.Integer, sa.ForeignKey("refusals.id"), nullable=False, index=True),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("kind", sa.String(50), nullable=False),
        sa.Column("accepted", sa.Boolean, nullable=False),
    )
    op.create_table(
        "promises",
        _id(),
        sa.Column("case_id", sa.Integer, sa.ForeignKey("cases.id"), nullable=False, index=True),
        sa.Column("customer_id", sa.Integer, sa.ForeignKey("customers.id"), nullable=False, index=True),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("topic", sa.String(200)),
        sa.Column("due_at", sa.DateTime),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("kept_at", sa.DateTime),
    )
    op.create_table(
        "followups",
        _id(),
        sa.Column("case_id", sa.Integer, sa.ForeignKey("cases.id"), index=True),
        sa.Column("customer_id", sa.Integer, sa.ForeignKey("customers.id"), nullable=False, index=True),
        sa.Column("promise_id", sa.Integer, sa.ForeignKey("promises.id")),
        sa.Column("due_at", sa.DateTime, nullable=False, index=True),
        sa.Column("owner", sa.String(200)),
        sa.Column("note", sa.Text, nullable=False),
        sa.Column("status", sa.String(20), nullable=False, index=True),
        sa.Column("done_at", sa.DateTime),
    )
    op.create_table(
        "request_topics",
        _id(),
        sa.Column("topic", sa.String(200), nullable=False, unique=True),
        sa.Column("request_type", sa.String(50)),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("shipped_at", sa.DateTime),
    )
    op.create_table(
        "declined_requests",
        _id(),
        sa.Column("topic_id", sa.Integer, sa.ForeignKey("request_topics.id"), nullable=False, index=True),
        sa.Column("customer_id", sa.Integer, sa.ForeignKey("customers.id"), nullable=False, index=True),
        sa.Column("case_id", sa.Integer, sa.ForeignKey("cases.id"), nullable=False),
        sa.Column("asked_at", sa.DateTime, nullable=False),
        sa.Column("notified_at", sa.DateTime),
    )
    op.create_table(
        "feedback",
        _id(),
        sa.Column("case_id", sa.Integer, sa.ForeignKey("cases.id"), nullable=False, index=True),
        sa.Column("csat", sa.Integer, nullable=False),
        sa.Column("comment", sa.Text),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "outcomes",
        _id(),
        sa.Column("customer_id", sa.Integer, sa.ForeignKey("customers.id"), nullable=False, index=True),
        sa.Column("outcome", sa.String(20), nullable=False),
        sa.Column("at", sa.DateTime, nullable=False),
    )


def downgrade() -> None:
    for table in (
        "outcomes feedback declined_requests request_topics followups promises alternatives refusals "
        "case_scores cases conversations customers users"
    ).split():
        op.drop_table(table)
