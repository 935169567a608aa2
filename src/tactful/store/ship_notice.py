"""Drafting the "what you asked for is here" message when a declined request ships (customers are
told they were heard and their request taken care of: "You shall be heard!", seeds/004).

The draft uses only facts the store holds: the customer's name (when known), the topic and
the date they asked; nothing is invented.
"""

from __future__ import annotations

from datetime import datetime


def draft_notification(name: str | None, topic: str, asked_at: datetime, promised: bool) -> str:
    """The notification text; greets by name when the store knows it."""
    greeting = f"Hi {name}," if name else "Hello,"
    promise = (
        " I promised to let you know as soon as it was ready, so you are among the first to hear."
        if promised
        else ""
    )
    return (
        f"{greeting}\n\n"
        f"Thank you for asking us about {topic} on {asked_at:%B} {asked_at.day}, {asked_at:%Y}. "
        f"Good news: {topic} is now available, and requests like yours are a big part of why we built it."
        f"{promise}\n\n"
        "If you would like a hand getting started, just reply to this message and I will gladly walk you "
        "through it.\n\n"
        "Thanks again for sharing your idea with us,\nThe support team"
    )
