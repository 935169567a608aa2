"""The customer's own name, order numbers and amounts, as they wrote them: what a greeting uses and what
a wrong detail in a reply is corrected to (only when their message holds exactly one)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tactful.understanding import Understanding

# "my name is Anna", "- Anna", "Thanks,\nAnna", "Kind regards,\nChris" at the end of the message.
_SIGNED = re.compile(
    r"(?:\bmy name is|\bthis is|\bname's|(?:^|\s)[-–—~]"
    r"|\b(?i:thanks|thank you|regards|kind regards|best regards|cheers|best|sincerely|many thanks)"
    r",?[ \t]*\n?)"
    r"[ \t]*([A-Z][a-z]{1,20})\b[\W]*$"
)
_NAMED = re.compile(r"\bmy name is ([A-Z][a-z]{1,20})\b")
_AMOUNT = re.compile(r"[$£€]\s?\d[\d,]*(?:\.\d\d)?|\b\d[\d,]*(?:\.\d\d)?\s?(?:dollars|euros|pounds)\b", re.I)
_NOT_NAMES = frozenset(
    "Thanks Thank Regards Cheers Best Please Hi Hello Hey Sincerely Sorry Help Link".split()
)


def customer_name(message: str | None) -> str | None:
    """The name the customer signs or gives ("… Thanks, Anna"), or None."""
    if not message:
        return None
    text = message.strip()
    m = _SIGNED.search(text) or _NAMED.search(text)
    if m is None or m.group(1) in _NOT_NAMES:
        return None
    return m.group(1)


def customer_values(message: str, understanding: Understanding | None, kind: str) -> list[str]:
    """The distinct values of ``kind`` (``name``, ``order_number``, ``amount``) the customer wrote."""
    if kind == "name":
        name = customer_name(message)
        return [name] if name else []
    if kind == "amount":
        return list(dict.fromkeys(m.group(0).strip() for m in _AMOUNT.finditer(message)))
    if understanding is None:
        return []
    return list(dict.fromkeys(d.value for d in understanding.details_of("order_number")))
