"""IBM Twitter customer-care dialogs (``dialogHeader`` / ``dialogContent`` / ``agentURL``).

Each utterance in ``dialogContent`` has either a ``client`` or an ``agent`` key (the handle), a
``datetime`` and a ``message``. ``agentURL.url_utterance`` is the agent's last reply; the dataset gives
no time for it, so it is stamped ``conversationDateTime + duration`` (the dialog's end).
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from tactful.qa.conversation import Conversation, Turn
from tactful.qa.formats._common import Said, message_turns, need, need_list, signed_agent, text_of, timestamp

_DURATION = re.compile(r"^(\d+):(\d{2}):(\d{2})(?:\.\d+)?$")


def convert(dialog: dict[str, Any], position: str) -> Conversation:
    header = need(dialog, "dialogHeader")
    content = need_list(dialog, "dialogContent")
    session = need(header, "sessionID", "dialogHeader.")
    company = str(header.get("company") or "")
    turns = message_turns(content, "dialogContent", _utterance, at="datetime", id_key="tweet_ID")
    final = dialog.get("agentURL")
    if isinstance(final, dict) and final.get("url_utterance"):
        final_id = str(final.get("tweet_ID", "agentURL"))
        if all(t.id != final_id for t in turns):
            turns.append(
                Turn(
                    role="agent",
                    text=text_of(final["url_utterance"], "agentURL.url_utterance"),
                    author=signed_agent(company, final["url_utterance"]),
                    at=_end_time(header),
                    id=final_id,
                )
            )
    return Conversation(id=str(session), channel="social", turns=turns)


def _utterance(utterance: Any, where: str) -> Said:
    if not isinstance(utterance, dict):
        raise ValueError(f"{where[:-1]}: expected an object")
    # The speaker's key is "agent", "client" or, for further users in a thread, "client1", "client2"...
    speaker = next((k for k in utterance if k == "agent" or k.startswith("client")), None)
    if speaker is None:
        raise ValueError(f"{where[:-1]}: needs a 'client' or an 'agent' field")
    text = text_of(need(utterance, "message", where), where + "message")
    author = str(utterance[speaker] or "")
    if speaker == "agent":
        return "agent", text, signed_agent(author, text)
    return "customer", text, author


def _end_time(header: dict[str, Any]) -> str | None:
    start = timestamp(header.get("conversationDateTime"), "dialogHeader.conversationDateTime")
    match = _DURATION.match(str(header.get("duration") or ""))
    if start is None or match is None:
        return None
    hours, minutes, seconds = (int(g) for g in match.groups())
    end = datetime.fromisoformat(start.replace("Z", "+00:00")) + timedelta(
        hours=hours, minutes=minutes, seconds=seconds
    )
    return timestamp(end.isoformat(), "dialogHeader.duration")
