"""Options that several commands share, declared once so their names, types and help agree:
``--format``, ``--config``, ``--db``, ``--kb`` and ``--fact``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])

KB_HELP = (
    "Policy folder, or 'example' for the example store "
    "(default: $TACTFUL_KB, [kb] in tactful.toml, else none)."
)
DB_HELP = (
    "Database URL or SQLite path (default: $TACTFUL_DATABASE_URL, else [store] url in "
    "tactful.toml, else ./tactful.db)."
)


def format_option(*choices: str, help: str | None = None) -> Callable[[F], F]:
    """``--format`` (passed as ``fmt``) with ``choices``; the first is the default."""
    return click.option(
        "--format", "fmt", type=click.Choice(choices), default=choices[0], show_default=True, help=help
    )


#: ``--config PATH`` (passed as ``config_path``): every command takes it, this or the next one.
config_option = click.option(
    "--config", "config_path", type=click.Path(dir_okay=False), help="tactful.toml to use."
)
#: ``--config PATH`` for a command that reads nothing from it: given, it is checked (see
#: :func:`~.common.check_config_or_fail`), so a script may pass the team's config to every command.
checked_config_option = click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False),
    help="tactful.toml to check (this command reads nothing from it).",
)


def db_option(help: str = DB_HELP) -> Callable[[F], F]:
    """``--db URL`` (passed as ``db_url``): the store to use."""
    return click.option("--db", "db_url", metavar="URL", help=help)


#: ``--kb DIR|example`` (passed as ``kb_dir``): the policies to decide by.
kb_option = click.option("--kb", "kb_dir", help=KB_HELP)


def fact_option(help: str = "A fact you know (repeatable).") -> Callable[[F], F]:
    """``--fact NAME=VALUE``, repeatable (passed as ``facts``; read by :func:`~.inputs.parse_facts`)."""
    return click.option("--fact", "facts", multiple=True, metavar="NAME=VALUE", help=help)
