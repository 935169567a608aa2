"""What every command shares: one-line errors on stderr with exit code 2, never a traceback."""

from __future__ import annotations

import sys
from typing import NoReturn

import click


def fail(message: str, code: int = 2) -> NoReturn:
    click.echo(f"error: {message}", err=True)
    sys.exit(code)
