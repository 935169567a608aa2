"""What every command shares: one-line errors on stderr with exit code 2, never a traceback, and the
one way a command loads its ``tactful.toml``."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, NoReturn

import click

if TYPE_CHECKING:
    from tactful.config import Config


def fail(message: str, code: int = 2) -> NoReturn:
    from tactful.sanitize import for_terminal

    click.echo(f"error: {for_terminal(message)}", err=True)  # it may quote a customer id or a file
    sys.exit(code)


def load_config_or_fail(path: str | None) -> Config:
    """``--config PATH``, else ``$TACTFUL_CONFIG``, else ``./tactful.toml``, else the defaults; a file
    that cannot be used ends the command with the error that names the file and the key."""
    from tactful import ConfigError, load_config

    try:
        return load_config(path)
    except ConfigError as exc:
        fail(str(exc))


def check_config_or_fail(path: str | None) -> None:
    """For the commands that read nothing from ``tactful.toml``: a ``--config`` given is still checked,
    so a script may pass the team's config to every command and a typo in it is still caught."""
    if path is not None:
        load_config_or_fail(path)
