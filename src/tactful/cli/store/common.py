"""What the store commands share: opening the store (``--db``, ``--config``), their errors as one
line, ISO 8601 options, and printing what customers and agents wrote without running its control
characters."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import wraps
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

import click

from tactful.cli.common import fail, load_config_or_fail
from tactful.sanitize import for_terminal

if TYPE_CHECKING:
    from tactful.store import Store

P = ParamSpec("P")
R = TypeVar("R")


def open_store_or_fail(db_url: str | None, config_path: str | None) -> Store:
    """The store at ``--db`` (else ``$TACTFUL_DATABASE_URL``, else ``[store] url``), with the config."""
    from tactful.store import StoreError, open_store

    config = load_config_or_fail(config_path)
    try:
        return open_store(db_url, config=config)
    except StoreError as exc:
        fail(str(exc))


def store_errors(fn: Callable[P, R]) -> Callable[P, R]:
    """Store and input errors end the command with ``error: ...`` (exit 2), never a traceback."""

    @wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        from tactful.store import StoreError
        from tactful.textio import InputError

        try:
            return fn(*args, **kwargs)
        except (StoreError, InputError) as exc:
            fail(str(exc))

    return wrapper


def parse_when(value: str | None, option: str) -> datetime | None:
    if value is None:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        fail(f"{option}: not an ISO 8601 timestamp: {value!r} (e.g. 2026-03-01T10:00:00Z)")


def echo(text: str = "", **options: Any) -> None:
    """``click.echo`` for text that holds what customers, agents and helpdesks wrote: their control
    characters are shown, never run by the terminal (a customer id with ESC[2J clears no screen)."""
    click.echo(for_terminal(text), **options)


def styled(*parts: str | tuple[str, str]) -> Any:
    """A rich ``Text`` of ``parts`` (plain strings or (string, style)), with no markup read from
    them and their control characters shown: a name like ``[link=…]`` stays text."""
    from rich.text import Text

    return Text.assemble(
        *((for_terminal(p), "") if isinstance(p, str) else (for_terminal(p[0]), p[1]) for p in parts)
    )


def console() -> Any:
    from rich.console import Console

    return Console(highlight=False)


def stamp(value: datetime | None) -> str:
    return "" if value is None else f"{value:%Y-%m-%d %H:%M}"
