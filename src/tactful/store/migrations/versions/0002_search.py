"""Full-text search over past cases: FTS5 on SQLite, a GIN tsvector index on PostgreSQL.

Existing cases are indexed as part of the upgrade, so a store upgraded from 0001 finds them.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

PG_DOCUMENT = "to_tsvector('english', coalesce(customer_message, '') || ' ' || reply)"


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "CREATE VIRTUAL TABLE cases_fts USING fts5("
            "customer_message, reply, content='cases', content_rowid='id', tokenize='porter unicode61')"
        )
        op.execute(
            "CREATE TRIGGER cases_fts_ai AFTER INSERT ON cases BEGIN "
            "INSERT INTO cases_fts(rowid, customer_message, reply) "
            "VALUES (new.id, new.customer_message, new.reply); END"
        )
        op.execute(
            "CREATE TRIGGER cases_fts_ad AFTER DELETE ON cases BEGIN "
            "INSERT INTO cases_fts(cases_fts, rowid, customer_message, reply) "
            "VALUES ('delete', old.id, old.customer_message, old.reply); END"
        )
        op.execute(
            "CREATE TRIGGER cases_fts_au AFTER UPDATE ON cases BEGIN "
            "INSERT INTO cases_fts(cases_fts, rowid, customer_message, reply) "
            "VALUES ('delete', old.id, old.customer_message, old.reply); "
            "INSERT INTO cases_fts(rowid, customer_message, reply) "
            "VALUES (new.id, new.customer_message, new.reply); END"
        )
        op.execute("INSERT INTO cases_fts(cases_fts) VALUES ('rebuild')")
    else:
        op.execute(f"CREATE INDEX ix_cases_search ON cases USING GIN ({PG_DOCUMENT})")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for trigger in ("cases_fts_ai", "cases_fts_ad", "cases_fts_au"):
            op.execute(f"DROP TRIGGER {trigger}")
        op.execute("DROP TABLE cases_fts")
    else:
        op.execute("DROP INDEX ix_cases_search")
