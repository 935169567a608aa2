"""What a pull keeps between runs, next to its output: ``OUT.pull.sqlite``.

It holds every conversation pulled (by id: a ticket pulled again replaces its older version) and
the cursor that says where the helpdesk's change list was left. Each page of changes is committed in
one SQLite transaction, its conversations and the cursor past it together, so a pull killed at any
moment (even ``kill -9``) has either committed a page or not: the next run refetches from the last
committed cursor and writes each conversation once. The JSONL output is written from it at the end of
each run, to a temporary file renamed over the old one, so ``OUT`` is always a whole, earlier or
newer, pull.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import orjson

from tactful.errors import PullError


class PullStore:
    def __init__(self, out: Path, vendor: str, url: str, *, restart: bool = False) -> None:
        self.out = out
        self.path = out.with_name(out.name + ".pull.sqlite")
        if restart:
            self.path.unlink(missing_ok=True)
        try:
            self.con = sqlite3.connect(self.path, isolation_level=None)
            self.con.execute("PRAGMA journal_mode=WAL")
            self.con.execute("PRAGMA synchronous=FULL")
            self.con.executescript(
                """
                CREATE TABLE IF NOT EXISTS conversation (id TEXT PRIMARY KEY, seq INTEGER NOT NULL,
                                                         record BLOB NOT NULL);
                CREATE TABLE IF NOT EXISTS state (key TEXT PRIMARY KEY, value TEXT NOT NULL);
                """
            )
        except sqlite3.Error as exc:
            raise PullError(f"{self.path}: cannot open the pull's state: {exc}") from None
        source = {"vendor": vendor, "url": url}
        held = self._get("source")
        if held is None:
            self._set("source", source)
        elif held != source:
            raise PullError(
                f"{out} holds a pull from {held['vendor']} at {held['url']}; use another --out, or --restart"
            )

    def _get(self, key: str) -> Any:
        row = self.con.execute("SELECT value FROM state WHERE key = ?", (key,)).fetchone()
        return None if row is None else json.loads(row[0])

    def _set(self, key: str, value: Any) -> None:
        self.con.execute("INSERT OR REPLACE INTO state VALUES (?, ?)", (key, json.dumps(value)))

    @property
    def cursor(self) -> dict[str, Any] | None:
        """Where the last committed page left the helpdesk's change list (None: never pulled)."""
        value = self._get("cursor")
        return value if isinstance(value, dict) else None

    def commit(
        self, records: Iterable[dict[str, Any]], cursor: dict[str, Any], deleted: Iterable[str] = ()
    ) -> int:
        """One page: its conversations (replacing older versions) and the cursor past it, atomically."""
        written = 0
        self.con.execute("BEGIN IMMEDIATE")
        try:
            (seq,) = self.con.execute("SELECT coalesce(max(seq), 0) FROM conversation").fetchone()
            for record in records:
                seq += 1
                self.con.execute(
                    "INSERT INTO conversation VALUES (?, ?, ?)"
                    " ON CONFLICT(id) DO UPDATE SET record = excluded.record",
                    (record["id"], seq, orjson.dumps(record)),
                )
                written += 1
            for conversation_id in deleted:
                self.con.execute("DELETE FROM conversation WHERE id = ?", (conversation_id,))
            self._set("cursor", cursor)
            self.con.execute("COMMIT")
        except BaseException:
            self.con.execute("ROLLBACK")
            raise
        return written

    def count(self) -> int:
        return int(self.con.execute("SELECT count(*) FROM conversation").fetchone()[0])

    def export(self) -> int:
        """Write OUT (tactful's neutral JSONL, first pulled first) whole, then rename it into place."""
        tmp = self.out.with_name(self.out.name + ".tmp")
        count = 0
        try:
            with open(tmp, "wb") as f:
                for (record,) in self.con.execute("SELECT record FROM conversation ORDER BY seq"):
                    f.write(record + b"\n")
                    count += 1
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, self.out)
        except OSError as exc:
            raise PullError(f"{self.out}: cannot write: {exc.strerror}") from None
        return count

    def close(self) -> None:
        self.con.close()
