"""The Twitter customer-support CSV (TWCS, Kaggle): one tweet per row, threads by reply links.

Columns: ``tweet_id,author_id,inbound,created_at,text,response_tweet_id,in_response_to_tweet_id``.
``inbound`` True is the customer, False the company's support account (the agent). Rows are not in
thread order (a reply often comes before the tweet it answers), so the rows are first indexed into a
SQLite file next to the report (disk, not memory: the full 2.8M-tweet file is ~500 MB), threads are
rooted with a recursive query, and conversations are read back ordered by root and time.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

from tactful.qa.conversation import Conversation, Problem, Turn
from tactful.qa.formats._common import Item, Source, csv_rows, signed_agent, timestamp

REQUIRED = ("tweet_id", "author_id", "inbound", "created_at", "text", "in_response_to_tweet_id")
_BATCH = 10_000


def read(source: Source, workdir: Path) -> Iterator[Item]:
    """Index the CSV into ``workdir/twcs-index.sqlite`` (rebuilt each run), then yield threads."""
    index = workdir / "twcs-index.sqlite"
    index.unlink(missing_ok=True)
    con = sqlite3.connect(index)
    try:
        con.execute("PRAGMA journal_mode=OFF")
        con.execute("PRAGMA synchronous=OFF")
        con.execute(
            "CREATE TABLE tweet (id TEXT PRIMARY KEY, author TEXT, inbound INT, at TEXT, body TEXT,"
            " parent TEXT, line INT) WITHOUT ROWID"
        )
        yield from _index(source, con)
        con.execute("CREATE INDEX tweet_parent ON tweet(parent)")
        yield from _threads(con)
    finally:
        con.close()
        index.unlink(missing_ok=True)


def _index(source: Source, con: sqlite3.Connection) -> Iterator[Problem]:
    table = csv_rows(source, REQUIRED, 16 * 1024 * 1024, "is this the TWCS CSV?")
    if table is None:
        return
    columns, rows = table
    get = [columns[name] for name in REQUIRED]
    batch: list[tuple[object, ...]] = []
    for item in rows:
        if isinstance(item, Problem):
            yield item
            continue
        line, row = item
        tweet_id, author, inbound, created, body, parent = (row[i] for i in get)
        flag = inbound.strip().lower()
        if not tweet_id.strip() or flag not in ("true", "false"):
            yield Problem(f"line {line}", "needs a tweet_id and inbound True/False")
            continue
        try:
            at = timestamp(created, "created_at")
        except ValueError as exc:
            yield Problem(f"line {line}", str(exc))
            continue
        batch.append((_id(tweet_id), author, flag == "true", at, body, _id(parent) or None, line))
        if len(batch) >= _BATCH:
            con.executemany("INSERT OR IGNORE INTO tweet VALUES (?,?,?,?,?,?,?)", batch)
            batch.clear()
    con.executemany("INSERT OR IGNORE INTO tweet VALUES (?,?,?,?,?,?,?)", batch)


def _id(value: str) -> str:
    """``12.0`` (pandas wrote the float) and ``12`` are the same tweet."""
    value = value.strip()
    return value[:-2] if value.endswith(".0") else value


def _threads(con: sqlite3.Connection) -> Iterator[Conversation]:
    con.execute(
        "CREATE TEMP TABLE thread AS WITH RECURSIVE r(id, root) AS ("
        " SELECT id, id FROM tweet WHERE parent IS NULL OR parent NOT IN (SELECT id FROM tweet)"
        " UNION ALL SELECT t.id, r.root FROM tweet t JOIN r ON t.parent = r.id)"
        " SELECT id, root FROM r"
    )
    rows = con.execute(
        "SELECT h.root, t.id, t.author, t.inbound, t.at, t.body, t.parent, t.line"
        " FROM thread h JOIN tweet t ON t.id = h.id ORDER BY h.root, t.at, t.id"
    )
    current: Conversation | None = None
    for root, tweet_id, author, inbound, at, body, parent, line in rows:
        if current is None or current.id != root:
            if current is not None:
                yield current
            current = Conversation(id=root, channel="social", position=f"line {line}")
        current.turns.append(
            Turn(
                role="customer" if inbound else "agent",
                text=body,
                author=author if inbound else signed_agent(author, body),
                at=at,
                id=tweet_id,
                reply_to=parent,
            )
        )
    if current is not None:
        yield current
