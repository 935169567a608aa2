"""The user's helpdesk credentials, from the environment or a file, turned into request headers.

Values are never printed, logged, written to the pull's files or put in an error message: errors name
the variable (``TACTFUL_ZENDESK_API_TOKEN``), never its value.

A credentials file holds the same names as the environment, one ``NAME=value`` per line (``#``
comments and blank lines allowed, quotes around the value optional); the environment wins over it.
"""

from __future__ import annotations

import base64
import os
from collections.abc import Mapping
from pathlib import Path

from tactful.errors import PullError

#: Per helpdesk, the ways to sign in: each a tuple of the variables it needs (the first complete one wins).
VARIABLES: dict[str, tuple[tuple[str, ...], ...]] = {
    "zendesk": (("TACTFUL_ZENDESK_EMAIL", "TACTFUL_ZENDESK_API_TOKEN"), ("TACTFUL_ZENDESK_OAUTH_TOKEN",)),
    "freshdesk": (("TACTFUL_FRESHDESK_API_KEY",),),
    "chatwoot": (("TACTFUL_CHATWOOT_API_TOKEN",),),
}


class Credentials:
    """Request headers that sign in; ``repr`` shows which variables they came from, not their values."""

    def __init__(self, headers: dict[str, str], names: tuple[str, ...]) -> None:
        self.headers = headers
        self.names = names
        self.secrets = tuple(v for v in headers.values())

    def __repr__(self) -> str:
        return f"Credentials(from {', '.join(self.names)})"


def load(vendor: str, file: str | None = None, environ: Mapping[str, str] | None = None) -> Credentials:
    """The credentials for ``vendor`` from ``environ`` (default: the process environment), else ``file``."""
    env = dict(read_file(file)) if file else {}
    env.update(
        {k: v for k, v in (os.environ if environ is None else environ).items() if k.startswith("TACTFUL_")}
    )
    for names in VARIABLES[vendor]:
        values = [env.get(name, "").strip() for name in names]
        if all(values):
            return Credentials(_headers(vendor, names, values), names)
    ways = " or ".join(" + ".join(names) for names in VARIABLES[vendor])
    where = f" or in {file}" if file else " (or give --credentials FILE)"
    raise PullError(f"no {vendor} credentials: set {ways} in the environment{where}")


def _headers(vendor: str, names: tuple[str, ...], values: list[str]) -> dict[str, str]:
    if vendor == "zendesk" and len(values) == 2:
        return {"Authorization": "Basic " + _basic(f"{values[0]}/token", values[1])}
    if vendor == "zendesk":
        return {"Authorization": f"Bearer {values[0]}"}
    if vendor == "freshdesk":
        return {"Authorization": "Basic " + _basic(values[0], "X")}
    return {"api_access_token": values[0]}


def _basic(user: str, password: str) -> str:
    return base64.b64encode(f"{user}:{password}".encode()).decode("ascii")


def read_file(path: str) -> list[tuple[str, str]]:
    """``NAME=value`` lines of a credentials file; a bad line is named by its number, not its content."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PullError(f"{path}: no such credentials file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise PullError(f"{path}: cannot read the credentials file ({type(exc).__name__})") from None
    pairs = []
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, sep, value = line.removeprefix("export ").partition("=")
        if not sep or not name.strip().isidentifier():
            raise PullError(f"{path}: line {number}: expected NAME=value")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        pairs.append((name.strip(), value))
    return pairs
