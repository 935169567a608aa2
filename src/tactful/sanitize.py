"""Text from customers, agents and helpdesks made harmless where tactful writes it: a spreadsheet
cell (CSV formula injection) and a terminal (escape sequences).

An agent's name such as ``=HYPERLINK("http://evil","click")`` is a live formula when a CSV opens in
Excel or LibreOffice; a customer id holding ``ESC[2J`` clears the screen of whoever lists it.
"""

from __future__ import annotations

import json
import re
from typing import Any

# OWASP: a cell starting with one of these is read as a formula (tab and CR as its prefix too).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# C0 controls but tab and line feed, DEL, and the C1 controls (U+009B is a one-character CSI).
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_C1 = re.compile("[\x7f-\x9f]")


def csv_cell(value: Any) -> Any:
    """``value`` as a CSV cell a spreadsheet shows as text: a string that would start a formula gets
    a leading ``'`` (OWASP's advice); numbers, and strings that are plain numbers, stay as they are."""
    if not isinstance(value, str) or not value.startswith(_FORMULA_START):
        return value
    try:
        float(value)
    except ValueError:
        return "'" + value
    return value  # "-3.5": a number, not a formula


def csv_row(values: Any) -> list[Any]:
    return [csv_cell(v) for v in values]


_NOT_TEXT = re.compile("[\x00\ud800-\udfff]")


def text_problem(value: Any, depth: int = 0) -> str | None:
    """Why ``value`` (a string, or strings in lists and mappings) cannot be stored as text: a NUL
    (PostgreSQL refuses it; SQLite keeps it, and its export would not load into PostgreSQL) or a
    lone surrogate (no UTF-8 encoding); None when it can."""
    if isinstance(value, str):
        found = _NOT_TEXT.search(value)
        if found is None:
            return None
        if found.group() == "\x00":
            return "must not contain a NUL character (\\u0000)"
        return f"holds a lone surrogate (\\u{ord(found.group()):04x}), which is not text"
    if depth < 32 and isinstance(value, dict):
        return next(filter(None, (text_problem(v, depth + 1) for kv in value.items() for v in kv)), None)
    if depth < 32 and isinstance(value, (list, tuple)):
        return next(filter(None, (text_problem(v, depth + 1) for v in value)), None)
    return None


def _shown(match: re.Match[str]) -> str:
    return " " if match.group() == "\r" else "\ufffd"


def for_terminal(text: str) -> str:
    """``text`` with each control character a terminal would act on (escape sequences, bell,
    backspace, C1) shown as U+FFFD, and carriage returns as spaces; tabs and line breaks stay. One
    character for one, so offsets into ``text`` (findings, highlights) still hold."""
    return _CONTROL.sub(_shown, text)


def json_for_terminal(data: Any) -> str:
    """``data`` as indented JSON for a terminal: non-ASCII text as written, but DEL and the C1
    controls escaped (``json`` escapes C0 itself), so no byte of it is a terminal command."""
    text = json.dumps(data, ensure_ascii=False, indent=2)
    return _C1.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
