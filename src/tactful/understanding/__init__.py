"""Customer-message understanding: request type, mood, escalation, details, what to ask.

``understand(message)`` is pure Python (regex lexicons in ``lexicons/*.yml``), never raises on a
string, and answers in well under a millisecond for a typical message. See ``core`` for the
JSON contract of :meth:`Understanding.to_dict`.
"""

from tactful.understanding.core import (
    ESCALATIONS,
    MAX_CHARS,
    MOODS,
    REQUEST_TYPES,
    STATUSES,
    Escalation,
    Mood,
    Question,
    Request,
    Understanding,
    understand,
)
from tactful.understanding.details import KINDS as DETAIL_KINDS
from tactful.understanding.details import Detail

__all__ = [
    "DETAIL_KINDS",
    "ESCALATIONS",
    "MAX_CHARS",
    "MOODS",
    "REQUEST_TYPES",
    "STATUSES",
    "Detail",
    "Escalation",
    "Mood",
    "Question",
    "Request",
    "Understanding",
    "understand",
]
