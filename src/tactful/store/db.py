"""Engines, URL resolution, schema upgrades and error translation for the store.

SQLite gets WAL, a busy timeout and ``BEGIN IMMEDIATE`` for writes so two processes
writing at once wait for each other instead of failing; every database error leaves the
store as a :class:`StoreError` with a one-line message, never a driver traceback.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, create_engine, event, exc, text

# The store's errors (tactful.errors), importable from here as before.
from tactful.errors import Conflict as Conflict
from tactful.errors import InvalidInput as InvalidInput
from tactful.errors import NotFound as NotFound
from tactful.errors import StoreError as StoreError
from tactful.errors import StoreUnavailable as StoreUnavailable
from tactful.errors import TooLarge as TooLarge

DEFAULT_PATH = "tactful.db"
ENV_URL = "TACTFUL_DATABASE_URL"
ENV_TIMEOUT = "TACTFUL_DB_TIMEOUT"
DEFAULT_TIMEOUT_S = 30.0
MIGRATIONS = Path(__file__).resolve().parent / "migrations"
# Any two sessions migrating at once serialise on this PostgreSQL advisory lock.
_PG_LOCK_KEY = 0x7AC7F0


T = TypeVar("T")


def resolve_url(url: str | None = None, configured: str | None = None) -> str:
    """``url``, else ``$TACTFUL_DATABASE_URL``, else ``configured`` (``[store] url`` in
    tactful.toml), else the SQLite file ``./tactful.db``.

    A plain path means a SQLite file; ``postgresql://`` is given the psycopg 3 driver.
    """
    raw = url or os.environ.get(ENV_URL) or configured or DEFAULT_PATH
    if "://" not in raw:
        return f"sqlite:///{raw}"
    if raw.startswith("postgresql://") or raw.startswith("postgres://"):
        return "postgresql+psycopg://" + raw.split("://", 1)[1]
    return raw


def display_url(url: str) -> str:
    """The URL without its user name and password, for error messages (which may reach a client)."""
    return re.sub(r"://[^/@]*@", "://", url)


def sqlite_path(url: str) -> str | None:
    if not url.startswith("sqlite"):
        return None
    return url.split(":///", 1)[1] if ":///" in url else ":memory:"


def busy_timeout() -> float:
    raw = os.environ.get(ENV_TIMEOUT)
    if raw is None:
        return DEFAULT_TIMEOUT_S
    try:
        value = float(raw)
    except ValueError:
        raise StoreError(f"${ENV_TIMEOUT}: not a number of seconds: {raw!r}") from None
    if value < 0:
        raise StoreError(f"${ENV_TIMEOUT}: must not be negative")
    return value


def make_engine(url: str, timeout_s: float | None = None) -> Engine:
    """An engine for ``url`` (already resolved); SQLite gets its pragmas on every connection."""
    timeout = busy_timeout() if timeout_s is None else timeout_s
    scheme = url.split("://", 1)[0].split("+", 1)[0].lower()
    if scheme not in ("sqlite", "postgresql"):
        raise StoreError(
            f"{display_url(url)}: not a usable database URL (tactful keeps its store in SQLite or "
            "PostgreSQL: a file path, sqlite:///FILE or postgresql://HOST/DB)"
        )
    try:
        if url.startswith("sqlite"):
            path = sqlite_path(url)
            if path and path != ":memory:" and not Path(path).parent.exists():
                raise StoreError(f"{path}: the folder {Path(path).parent} does not exist")
            engine = create_engine(url, connect_args={"timeout": timeout})
            _sqlite_events(engine, timeout)
        else:
            args: dict[str, Any] = {"connect_timeout": max(1, int(timeout))} if "psycopg" in url else {}
            engine = create_engine(url, connect_args=args, pool_pre_ping=True)
    except (exc.ArgumentError, exc.NoSuchModuleError) as err:
        raise StoreError(f"{display_url(url)}: not a usable database URL ({err})") from None
    except ImportError as err:  # the dialect is known but its driver is not installed
        raise StoreError(f"{display_url(url)}: the database driver is not installed ({err})") from None
    return engine


def _sqlite_events(engine: Engine, timeout: float) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves (below)
        cur = dbapi_conn.cursor()
        try:
            cur.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
            cur.execute("PRAGMA foreign_keys = ON")
            mode = cur.execute("PRAGMA journal_mode").fetchone()
            if mode and str(mode[0]).lower() != "wal":
                cur.execute("PRAGMA journal_mode = WAL")
            cur.execute("PRAGMA synchronous = NORMAL")
        finally:
            cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        # A write takes the write lock up front: a deferred BEGIN that upgrades later fails
        # with SQLITE_BUSY at once, without waiting for the busy timeout.
        immediate = conn.get_execution_options().get("tactful_write")
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def writer(engine: Engine) -> Engine:
    """The same engine, marked so SQLite transactions begin with the write lock held."""
    return engine.execution_options(tactful_write=True)


def describe(err: BaseException, url: str) -> str:
    """A one-line, user-facing reason for a database error."""
    orig = getattr(err, "orig", None) or err
    detail = str(orig).strip().splitlines()[0] if str(orig).strip() else type(orig).__name__
    where = sqlite_path(url) or display_url(url)
    low = detail.lower()
    if "file is not a database" in low or "malformed" in low or "not a database" in low:
        return f"{where}: not a readable tactful database (the file is corrupt or not SQLite)"
    if "database is locked" in low or "database table is locked" in low:
        return f"{where}: the database is locked by another process; try again when it is done"
    if "unable to open database file" in low:
        return f"{where}: cannot open the database file (check the path and its permissions)"
    if "readonly" in low or "read-only" in low:
        return f"{where}: the database is read-only"
    if isinstance(err, exc.OperationalError) and not url.startswith("sqlite"):
        return f"cannot use the database at {display_url(url)}: {detail}"
    return f"{where}: database error: {detail}"


@contextmanager
def translated(url: str) -> Iterator[None]:
    """Turn driver and migration errors into :class:`StoreUnavailable` (whatever the driver says)."""
    from alembic.util import CommandError

    try:
        yield
    except StoreError:
        raise
    except exc.SQLAlchemyError as err:
        raise StoreUnavailable(describe(err, url)) from None
    except CommandError as err:
        raise StoreUnavailable(f"{display_url(url)}: migration failed: {err}") from None


def alembic_config(connection: Connection | None = None) -> Any:
    """An Alembic config pointing at the packaged migrations; no alembic.ini needed."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def revisions() -> list[str]:
    """Every schema revision this tactful knows, oldest first."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config())
    return [rev.revision for rev in reversed(list(script.walk_revisions()))]


def at_revision(
    engine: Engine,
    revision: str,
    work: Callable[[Connection], T],
    before: Callable[[Connection], None] | None = None,
) -> T:
    """``work(conn)`` with the schema taken back to ``revision``, then migrated to head again, all
    in one write transaction (SQLite and PostgreSQL both have transactional DDL): if anything fails,
    the store is exactly as it was. ``before(conn)`` runs first in that transaction (e.g. to lock
    and check the tables the schema change would drop). For loading an older export."""
    from alembic import command

    with writer(engine).begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_LOCK_KEY})
        if before is not None:
            before(conn)
        command.downgrade(alembic_config(conn), revision)
        result = work(conn)
        command.upgrade(alembic_config(conn), "head")
        return result


def current_revision(conn: Connection) -> str | None:
    from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> str | None:
    """Bring the schema to ``revision`` in one transaction (data kept); returns the new revision."""
    from alembic import command

    target = head_revision() if revision == "head" else revision
    with engine.connect() as conn:  # the usual case, up to date: a read, no write lock needed
        if current_revision(conn) == target:
            return target
    with writer(engine).begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_LOCK_KEY})
        if current_revision(conn) != target:
            command.upgrade(alembic_config(conn), revision)
        return current_revision(conn)
