"""Past cases like a new ask (search past tickets with similar keywords to see how other customers
were helped, as seeds/003 advises): FTS5 on SQLite, a GIN tsvector index on PostgreSQL.

Any of the query's words matches; rarer words weigh more (bm25 / ts_rank), newest first on ties.
"""

from __future__ import annotations

import re

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from .records import CaseHit, utc
from .tables import Case, Customer

_STOP = frozenset("the a an and or to of for in on is it my i we you your our can could".split())


def search_cases(s: Session, query: str, limit: int = 10, agent: str | None = None) -> list[CaseHit]:
    """Past cases most similar to ``query`` (any of its words; rarer words weigh more); only those
    ``agent`` sent, when given."""
    words = [w for w in re.findall(r"\w+", query.lower()) if w not in _STOP and len(w) > 1]
    if not words:
        return []
    limit = max(1, limit)
    if s.get_bind().dialect.name == "sqlite":
        match = " OR ".join(f'"{w}"' for w in words)
        mine = " AND rowid IN (SELECT id FROM cases WHERE agent = :agent)" if agent is not None else ""
        sql = text(
            f"SELECT rowid, -bm25(cases_fts) AS rank FROM cases_fts WHERE cases_fts MATCH :q{mine} "
            "ORDER BY rank DESC, rowid DESC LIMIT :n"
        )
    else:
        match = " or ".join(words)
        # The same expression as the GIN index of migration 0002, so the index serves it.
        doc = "to_tsvector('english', coalesce(customer_message, '') || ' ' || reply)"
        mine = " AND agent = :agent" if agent is not None else ""
        sql = text(
            f"SELECT id, ts_rank({doc}, q) AS rank FROM cases, "
            f"websearch_to_tsquery('english', :q) AS q "
            f"WHERE {doc} @@ q{mine} ORDER BY rank DESC, id DESC LIMIT :n"
        )
    params = {"q": match, "n": limit, **({"agent": agent} if agent is not None else {})}
    ranked = [(int(i), float(r)) for i, r in s.execute(sql, params).all()]
    if not ranked:
        return []
    found = {c.id: c for c in s.scalars(select(Case).where(Case.id.in_([i for i, _ in ranked])))}
    keys = dict(
        s.execute(
            select(Customer.id, Customer.key).where(Customer.id.in_({c.customer_id for c in found.values()}))
        ).all()
    )
    return [
        CaseHit(
            case_id=i,
            customer=keys[found[i].customer_id],
            sent_at=utc(found[i].sent_at),
            request_type=found[i].request_type,
            is_refusal=found[i].is_refusal,
            score=found[i].score,
            customer_message=found[i].customer_message,
            reply=found[i].reply,
            rank=round(rank, 6),
        )
        for i, rank in ranked
    ]
