"""Stock lines (``stock.yml``): what tactful never adds to a reply, and what a measurement counts."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

from tactful.yamldata import load_yaml

STOCK_PATH = Path(__file__).with_name("stock.yml")


@cache
def stock_data(path: Path = STOCK_PATH) -> dict[str, Any]:
    data = load_yaml(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or not data.get("patterns"):
        raise ValueError(f"{path}: expected 'patterns'")
    return data


@cache
def _regex() -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in stock_data()["patterns"]), re.IGNORECASE)


def stock_phrases(text: str) -> list[str]:
    """Every stock line in ``text``, lower-cased, in order."""
    straight = text.replace("’", "'").replace("‘", "'")
    return [m.group(0).lower() for m in _regex().finditer(straight)]


def added_stock(before: str, after: str) -> list[str]:
    """Stock lines ``after`` holds more often than ``before``: what an edit added."""
    had = stock_phrases(before)
    out: list[str] = []
    for phrase in stock_phrases(after):
        if phrase in had:
            had.remove(phrase)
        else:
            out.append(phrase)
    return out
