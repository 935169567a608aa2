"""Full-text search over policies with SQLite FTS5 (stdlib ``sqlite3``), with a LIKE fallback.

The index lives in memory unless the caller gives a file. Queries are split into words and
each word is quoted, so user text can never inject FTS5 syntax; words are OR-ed and ranked
by BM25 (title and reason weigh more than the body), with Porter stemming
("refunds" finds "refund").
"""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path
from typing import NamedTuple

from tactful.kb.policy import KnowledgeBase

_WORD = re.compile(r"\w+", re.UNICODE)
MAX_QUERY_WORDS = 32


class SearchHit(NamedTuple):
    policy_id: str
    title: str
    snippet: str
    score: float


def fts5_available() -> bool:
    """Whether this Python's sqlite3 was built with FTS5 (and the Porter tokenizer)."""
    try:
        con = sqlite3.connect(":memory:")
        try:
            con.execute("CREATE VIRTUAL TABLE probe USING fts5(a, tokenize='porter unicode61')")
        finally:
            con.close()
    except sqlite3.Error:
        return False
    return True


class SearchIndex:
    """An index of ``kb``; ``path`` is ``":memory:"`` or a database file the caller owns (rebuilt)."""

    def __init__(self, kb: KnowledgeBase, path: str | Path = ":memory:") -> None:
        self.uses_fts5 = fts5_available()
        self._con = sqlite3.connect(str(path), check_same_thread=False)
        self._con.execute("DROP TABLE IF EXISTS tactful_policies")
        if self.uses_fts5:
            self._con.execute(
                "CREATE VIRTUAL TABLE tactful_policies USING fts5("
                "policy_id UNINDEXED, title, reason, alternatives, request_types, body, "
                "tokenize='porter unicode61')"
            )
        else:
            self._con.execute(
                "CREATE TABLE tactful_policies (policy_id TEXT, title TEXT, reason TEXT, "
                "alternatives TEXT, request_types TEXT, body TEXT)"
            )
        rows = [
            (
                p.id,
                p.title,
                p.reason,
                "\n".join(a.text for a in p.alternatives),
                " ".join(t.replace("_", " ") for t in p.request_types),
                p.body,
            )
            for p in kb.policies.values()
        ]
        self._con.executemany("INSERT INTO tactful_policies VALUES (?, ?, ?, ?, ?, ?)", rows)
        self._con.commit()

    def close(self) -> None:
        self._con.close()

    def search(self, query: str, limit: int = 10) -> list[SearchHit]:
        words = [w.lower() for w in _WORD.findall(query)][:MAX_QUERY_WORDS]
        if not words or limit <= 0:
            return []
        if self.uses_fts5:
            match = " OR ".join('"' + w.replace('"', '""') + '"' for w in words)
            cur = self._con.execute(
                "SELECT policy_id, title, snippet(tactful_policies, -1, '[', ']', '…', 12), "
                "bm25(tactful_policies, 0.0, 8.0, 4.0, 2.0, 3.0, 1.0) AS rank "
                "FROM tactful_policies WHERE tactful_policies MATCH ? ORDER BY rank, policy_id LIMIT ?",
                (match, limit),
            )
            return [
                SearchHit(pid, title, " ".join(snip.split()), round(-rank, 4))
                for pid, title, snip, rank in cur
            ]
        return self._like(words, limit)

    def _like(self, words: list[str], limit: int) -> list[SearchHit]:
        hits: list[SearchHit] = []
        for pid, title, reason, alternatives, types, body in self._con.execute(
            "SELECT * FROM tactful_policies"
        ):
            text = " ".join((title, reason, alternatives, types, body)).lower()
            score = sum(text.count(w) + 4 * title.lower().count(w) for w in words)
            if score:
                first = min((text.find(w) for w in words if w in text), default=0)
                snippet = " ".join(text[max(0, first - 40) : first + 80].split())
                hits.append(SearchHit(pid, title, snippet, float(score)))
        hits.sort(key=lambda h: (-h.score, h.policy_id))
        return hits[:limit]
