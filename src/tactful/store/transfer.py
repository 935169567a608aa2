"""Export the whole store to JSONL and load it back, row for row.

Line 1 is a header (format, schema revision, table order); every other line is
``{"table": ..., "row": {...}}`` in primary-key order, so export → import → export gives
byte-identical files. Free-text columns are redacted on export unless asked otherwise, and users'
token hashes are left out unless asked for (a leaked hash must not open the API to anyone who can
match it); users imported without one hold a token nobody has until ``tactful users rotate``.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import DateTime, Integer, func, insert, inspect, select, text
from sqlalchemy import Table as SATable
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from . import db
from .context import StoreContext
from .db import StoreError
from .redact import redact
from .tables import TABLES, Base

FORMAT = "tactful-store"
VERSION = 1
# Columns that hold what people wrote: these are redacted in an export.
FREE_TEXT: dict[str, tuple[str, ...]] = {
    "cases": ("customer_message", "reply"),
    "refusals": ("reason",),
    "alternatives": ("text",),
    "promises": ("text",),
    "followups": ("note",),
    "feedback": ("comment",),
    "scenarios": ("customer_message",),
    "attempts": ("reply",),
}
_BATCH = 500


def _table(model: type[Base]) -> SATable:
    table = model.__table__
    assert isinstance(table, SATable)
    return table


def _encode(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def _redacted(table: str, row: dict[str, Any]) -> dict[str, Any]:
    for col in FREE_TEXT.get(table, ()):
        if isinstance(row.get(col), str):
            row[col] = redact(row[col])
    if table in ("cases", "attempts") and isinstance(row.get("analysis"), dict):
        # Findings may quote the reply ("'call 555-…' differs from …"), practice attempts' too.
        analysis = dict(row["analysis"])
        findings = analysis.get("findings")
        if isinstance(findings, list):
            analysis["findings"] = [_redacted_finding(f) for f in findings]
        row["analysis"] = analysis
    return row


def _redacted_finding(finding: Any) -> Any:
    if not isinstance(finding, dict):
        return finding
    return {
        k: redact(v) if k in ("message", "suggestion") and isinstance(v, str) else v
        for k, v in finding.items()
    }


def export_rows(
    s: Session, path: Path, *, redact: bool, revision: str | None, token_hashes: bool = False
) -> int:
    count = 0
    names = [m.__tablename__ for m in TABLES]
    try:
        out = path.open("w", encoding="utf-8", newline="\n")
    except OSError as exc:
        raise StoreError(f"{path}: cannot write: {exc.strerror}") from None
    with out:
        header = {
            "format": FORMAT,
            "version": VERSION,
            "revision": revision,
            "tables": names,
            "redacted": redact,
            "token_hashes": token_hashes,
        }
        out.write(json.dumps(header, sort_keys=True) + "\n")
        for model in TABLES:
            table = _table(model)
            order = list(table.primary_key.columns)
            query = select(table).order_by(*order).execution_options(yield_per=_BATCH)
            for row in s.execute(query).mappings():
                data = {k: _encode(v) for k, v in row.items()}
                if table.name == "users" and not token_hashes:
                    del data["token_hash"]
                if redact:
                    data = _redacted(table.name, data)
                out.write(
                    json.dumps({"row": data, "table": table.name}, sort_keys=True, ensure_ascii=False) + "\n"
                )
                count += 1
    return count


def _decode(model: type[Base], row: dict[str, Any], where: str) -> dict[str, Any]:
    table = _table(model)
    out: dict[str, Any] = {}
    for key, value in row.items():
        if key not in table.columns:
            raise StoreError(f"{where}: table {table.name} has no column {key!r}")
        column = table.columns[key]
        if isinstance(column.type, DateTime) and isinstance(value, str):
            try:
                value = datetime.fromisoformat(value)
            except ValueError:
                raise StoreError(
                    f"{where}: {table.name}.{key}: not an ISO 8601 timestamp: {value!r}"
                ) from None
        out[key] = value
    return out


def _open(path: Path) -> Any:
    try:
        return path.open("r", encoding="utf-8")
    except FileNotFoundError:
        raise StoreError(f"{path}: no such file") from None
    except OSError as exc:
        raise StoreError(f"{path}: cannot read: {exc.strerror}") from None


def _header(item: Any, where: str) -> dict[str, Any]:
    """Line 1 of an export, checked: a tactful store export in a format version this code reads."""
    if not isinstance(item, dict) or item.get("format") != FORMAT:
        raise StoreError(f"{where}: not a tactful store export (no {FORMAT!r} header)")
    if item.get("version") != VERSION:
        raise StoreError(f"{where}: export format version {item.get('version')} is not supported")
    return item


def export_revision(path: Path) -> str | None:
    """The schema revision an export was written at, from its header line."""
    with _open(path) as handle:
        try:
            first = json.loads(handle.readline())
        except (json.JSONDecodeError, UnicodeDecodeError):
            first = None
    revision = _header(first, f"{path}:1").get("revision")
    return revision if isinstance(revision, str) else None


def _present(s: Session | Connection) -> list[type[Base]]:
    """The store's tables that exist at its current revision (an older one lacks later tables)."""
    names = set(inspect(s.connection() if isinstance(s, Session) else s).get_table_names())
    return [m for m in TABLES if m.__tablename__ in names]


def is_empty(s: Session | Connection) -> bool:
    return all(s.scalar(select(func.count()).select_from(_table(m))) == 0 for m in _present(s))


def require_empty(s: Session | Connection) -> None:
    """Refuse a store with rows. On PostgreSQL the tables are locked against writers first, so none
    can slip in before the import (or the schema change before it) commits."""
    dialect = s.get_bind().dialect.name if isinstance(s, Session) else s.dialect.name
    if dialect == "postgresql":
        names = ", ".join(f'"{_table(m).name}"' for m in _present(s))
        s.execute(text(f"LOCK TABLE {names} IN SHARE ROW EXCLUSIVE MODE"))
    if not is_empty(s):
        raise StoreError("the store already holds data; import into an empty database (nothing was changed)")


def import_rows(s: Session, path: Path, *, revision: str | None) -> int:
    """Insert every row of an export; the store must be empty (nothing is overwritten)."""
    by_name = {m.__tablename__: m for m in TABLES}
    require_empty(s)
    handle = _open(path)
    pending: dict[str, list[dict[str, Any]]] = {}
    count = 0
    order: list[str] = []

    def flush(name: str) -> None:
        rows = pending.pop(name, [])
        if rows:
            s.execute(insert(_table(by_name[name])), rows)

    with handle:
        for number, line in enumerate(handle, 1):
            where = f"{path}:{number}"
            if not line.strip():
                continue
            try:
                item = json.loads(line)
            except json.JSONDecodeError as exc:
                raise StoreError(f"{where}: not valid JSON: {exc.msg}") from None
            if number == 1:
                if _header(item, where).get("revision") != revision:
                    raise StoreError(
                        f"{where}: the export is from schema revision {item.get('revision')}, "
                        f"this store is at {revision}; upgrade the exporting store, export again"
                    )
                continue
            if (
                not isinstance(item, dict)
                or item.get("table") not in by_name
                or not isinstance(item.get("row"), dict)
            ):
                raise StoreError(f'{where}: expected {{"table": <store table>, "row": {{...}}}}')
            name = item["table"]
            if not order or order[-1] != name:
                if order:
                    flush(order[-1])
                order.append(name)
            row = _decode(by_name[name], item["row"], where)
            if name == "users" and "token_hash" not in row:  # exported without: a token nobody holds
                row["token_hash"] = hashlib.sha256(secrets.token_bytes(32)).hexdigest()
            pending.setdefault(name, []).append(row)
            if len(pending[name]) >= _BATCH:
                flush(name)
            count += 1
    if order:
        flush(order[-1])
    if s.get_bind().dialect.name == "postgresql":
        _reset_sequences(s)
    return count


def _reset_sequences(s: Session) -> None:
    """After explicit ids, PostgreSQL's sequences must move past them."""
    for model in _present(s):
        table = _table(model)
        pk = list(table.primary_key.columns)
        if len(pk) != 1 or not isinstance(pk[0].type, Integer):
            continue
        s.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{table.name}', '{pk[0].name}'), "
                f"coalesce((SELECT max({pk[0].name}) FROM {table.name}), 0) + 1, false)"
            )
        )


def export_store(ctx: StoreContext, path: Path, *, redact: bool, token_hashes: bool) -> int:
    """Every row of the store written to ``path`` (JSONL), with the schema revision it is at."""
    with ctx.read() as s:
        revision = db.current_revision(s.connection())
        return export_rows(s, path, redact=redact, revision=revision, token_hashes=token_hashes)


def import_store(ctx: StoreContext, path: Path) -> int:
    """Load an export into this (empty) store in one transaction; returns the number of rows.

    An export written by an older tactful (an earlier schema revision) loads too: in one write
    transaction the empty store goes back to that revision, takes the rows, and the migrations
    bring it (and them) to head; a failure anywhere leaves the store as it was."""
    written_at = export_revision(path)
    with ctx.read() as s:
        current = db.current_revision(s.connection())
        empty = is_empty(s)
    if written_at is not None and written_at != current and empty:
        known = db.revisions()
        if written_at not in known:
            raise StoreError(
                f"{path}: the export is from schema revision {written_at}, which this tactful does not "
                f"know (it knows {', '.join(known)}); use the tactful that wrote it, or a newer one"
            )
        if current in known and known.index(written_at) < known.index(current):

            def load(conn: Any) -> int:
                with Session(bind=conn) as s:
                    return import_rows(s, path, revision=written_at)

            # still empty, checked (and on PostgreSQL locked) in the transaction that drops tables
            return db.at_revision(ctx.engine, written_at, load, before=require_empty)
    with ctx.write() as s:
        return import_rows(s, path, revision=current)
