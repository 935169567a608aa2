"""The composer's wording as data (``templates.yml``): greetings, intros, asks, next steps, closings.

Its own module because three parts read it: the drafts (``core``), the edits and topic lines of a
rewrite, and the guard (which must recognise the composer's own words around options).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from tactful.yamldata import load_yaml

TEMPLATES_PATH = Path(__file__).with_name("templates.yml")


@cache
def load_templates(path: Path = TEMPLATES_PATH) -> dict[str, Any]:
    data = load_yaml(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected a mapping of template sets")
    return data
