"""Page sessions recorded server-side (so a logout ends the cookie at once) and the helpdesk
webhook deliveries already processed (so a replayed delivery creates nothing twice).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "page_sessions",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False, index=True),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("expires_at", sa.DateTime, nullable=False, index=True),
        sa.Column("ended_at", sa.DateTime, nullable=True),
    )
    op.create_table(
        "webhook_deliveries",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("source", sa.String(50), nullable=False),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("received_at", sa.DateTime, nullable=False, index=True),
        sa.UniqueConstraint("source", "key", name="uq_webhook_deliveries_source_key"),
    )


def downgrade() -> None:
    op.drop_table("webhook_deliveries")
    op.drop_table("page_sessions")
