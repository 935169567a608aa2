"""Reading tactful's own YAML data files (rules, signals, lexicons, templates) fast and safely.

One loader for every package that ships YAML, so none of them has to import another layer
(the analyzer's signals) only to read a file: libyaml's C safe loader when PyYAML has it.
"""

from __future__ import annotations

from typing import Any

import yaml

try:
    _Loader: Any = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - PyYAML built without libyaml
    _Loader = yaml.SafeLoader


def load_yaml(text: str) -> Any:
    """The data in ``text`` (safe: plain mappings, lists and scalars, never objects)."""
    return yaml.load(text, Loader=_Loader)
