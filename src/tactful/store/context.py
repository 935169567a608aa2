"""What every part of the store works through: the engines, transactions and the config.

The :class:`~tactful.store.facade.Store` owns one; the modules behind it (users, cases, follow-ups,
…) take it, so none of them needs the facade. Reads use the engine's pool; writes go through the
writer engine, which on SQLite takes the write lock up front (see :mod:`tactful.store.db`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from . import db
from .db import StoreError

if TYPE_CHECKING:
    from tactful.config import Config


class StoreContext:
    """One store's engines and config; each ``read``/``write`` block is one transaction."""

    def __init__(self, engine: Engine, config: Config | None = None) -> None:
        self.engine = engine
        self._writer = db.writer(engine)
        self._config = config

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @property
    def config(self) -> Config:
        """The config given to :func:`~tactful.store.open_store`, else ``tactful.toml`` read on first
        use (a broken one is a :class:`StoreError`)."""
        if self._config is None:
            from tactful.config import ConfigError, load_config

            try:
                self._config = load_config()
            except ConfigError as exc:
                raise StoreError(str(exc)) from None
        return self._config

    @contextmanager
    def read(self) -> Iterator[Session]:
        with Session(self.engine, expire_on_commit=False) as s, s.begin():
            yield s

    @contextmanager
    def write(self) -> Iterator[Session]:
        with Session(self._writer, expire_on_commit=False) as s, s.begin():
            yield s
