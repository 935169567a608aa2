"""Normalized conversations every importer yields, whatever the helpdesk it came from.

Importers turn a vendor's export into :class:`Conversation` objects (turns in time order, each an
agent, customer or bot turn; internal notes already dropped and counted) or :class:`Problem` records
for the parts they could not read. Everything after the importer only knows these types.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from tactful.errors import MissingField as MissingField
from tactful.errors import QAError as QAError

#: ``bot``: a bot or an automation (trigger, workflow, auto-reply): read, never scored as an agent.
Role = Literal["agent", "customer", "bot"]


@dataclass(slots=True)
class Turn:
    """One message: who wrote it, when (ISO 8601 UTC or None), and what it says."""

    role: Role
    text: str
    author: str = ""
    at: str | None = None
    id: str = ""
    reply_to: str | None = None  # the message this one answers, when the export says so (TWCS)


@dataclass(slots=True)
class Conversation:
    """A ticket / thread / chat rebuilt in time order; ``position`` says where it was in the export."""

    id: str
    channel: str  # one of the channels tactful.toml knows: email, chat, social
    turns: list[Turn] = field(default_factory=list)
    position: str = ""
    notes: int = 0  # internal notes left out (counted, never analyzed nor exported)


@dataclass(slots=True)
class Problem:
    """A corrupt line, row or conversation: counted, listed with its position, and skipped."""

    position: str
    reason: str

    def to_dict(self) -> dict[str, str]:
        return {"position": self.position, "reason": self.reason}
