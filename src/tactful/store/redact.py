"""Redaction of emails, card numbers and phone numbers in stored texts and exports.

Placeholders (``[email]``, ``[card]``, ``[phone]``) match none of the patterns, so redacting
twice gives the same text and a redacted export round-trips exactly.
"""

from __future__ import annotations

import re

_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}\b")
# 13–19 digits, optionally grouped by spaces or dashes; confirmed with the Luhn checksum.
_CARD = re.compile(r"(?<![\w])(?:\d[ -]?){12,18}\d(?![\w])")
# International (+CC …) or grouped national numbers: 555-123-4567, (020) 7946 0958, and national
# numbers with a trunk 0 as people write them: 07700 900123, 07700900123, 0201 2345678.
_PHONE = re.compile(
    r"(?<![\w#/+])(?:\+\d{1,3}[\s.-]?(?:\(\d{1,4}\)[\s.-]?)?\d[\d\s.-]{5,14}\d"
    r"|\(\d{2,5}\)[\s.-]?\d{3,4}[\s.-]?\d{3,4}"
    r"|\d{3}[.-]\d{3}[.-]\d{4}"
    r"|\d{3,5} \d{3,4} \d{3,4}"
    r"|0\d{3,4} ?\d{6,7})(?![\w])"
)


def _luhn(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def _card(match: re.Match[str]) -> str:
    digits = re.sub(r"\D", "", match.group())
    return "[card]" if 13 <= len(digits) <= 19 and _luhn(digits) else match.group()


def _phone(match: re.Match[str]) -> str:
    digits = re.sub(r"\D", "", match.group())
    return "[phone]" if 7 <= len(digits) <= 15 else match.group()


def redact(text: str) -> str:
    """``text`` with emails, card numbers and phone numbers replaced by placeholders."""
    if not text:
        return text
    text = _EMAIL.sub("[email]", text)
    text = _CARD.sub(_card, text)
    return _PHONE.sub(_phone, text)


def redact_optional(text: str | None) -> str | None:
    return None if text is None else redact(text)
