"""From conversations to analyzed refusals: pair each agent turn with the customer turn it answers,
and the one pure function every engine runs over a chunk of such pairs.

Pairing: an agent turn answers the turn its export says it replies to (TWCS' reply links), else the
customer turns since the previous agent turn (joined; the customer waited since the first of them,
which is what timeliness measures). An agent turn with nothing pending (a second reply in a row) gets
the last customer message as context but no timeliness. Bot turns are passed over: a bot's "we'll be
right with you" neither counts as an agent's reply nor stops the customer's wait.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple

import orjson

from tactful.config import Config
from tactful.qa.conversation import Conversation, Turn


class WorkItem(NamedTuple):
    """One agent turn to check, with what it answers (plain tuple: cheap to pickle to workers)."""

    conversation: str
    turn: str
    agent: str
    channel: str
    text: str
    customer: str | None
    received_at: str | None
    replied_at: str | None


@dataclass(slots=True)
class ChunkResult:
    """What one chunk gave: output lines (JSONL bytes), counts, and turns that could not be analyzed."""

    lines: list[bytes] = field(default_factory=list)
    agent_turns: int = 0
    refusals: int = 0
    problems: list[dict[str, str]] = field(default_factory=list)


def work_items(conversation: Conversation) -> Iterator[WorkItem]:
    """Each non-empty agent turn of ``conversation`` with the customer text it answers."""
    turns = conversation.turns
    customers: dict[str, Turn] = (
        {t.id: t for t in turns if t.role == "customer"} if any(t.reply_to for t in turns) else {}
    )
    pending: list[Turn] = []
    last: list[Turn] = []
    for turn in turns:
        if turn.role == "bot":
            continue  # bots and automations: neither scored nor what the agent answers
        if turn.role == "customer":
            if turn.text.strip():
                pending.append(turn)
            continue
        if not turn.text.strip():
            continue
        answered = customers.get(turn.reply_to) if turn.reply_to else None
        if answered is not None:
            block, received = [answered], answered.at
        elif pending:
            block, received = pending, pending[0].at
        else:
            block, received = last, None
        yield WorkItem(
            conversation.id,
            turn.id,
            turn.author,
            conversation.channel,
            turn.text,
            "\n".join(t.text for t in block) or None,
            received,
            turn.at,
        )
        if pending:
            last, pending = pending, []


def _context(item: WorkItem) -> dict[str, Any]:
    """Timeliness needs both stamps in order; without them the channel alone changes nothing."""
    context: dict[str, Any] = {"channel": item.channel}
    if item.received_at and item.replied_at and item.received_at <= item.replied_at:
        context["received_at"] = item.received_at
        context["replied_at"] = item.replied_at
    return context


def analyze_chunk(items: list[WorkItem], config: Config) -> ChunkResult:
    """Analyze the refusing agent turns of one chunk. Pure: same items and config, same bytes out,
    on any machine; this is what the local and the Dask engines both run."""
    from tactful.analyzer.core import analyze
    from tactful.analyzer.refusal import is_refusal

    result = ChunkResult(agent_turns=len(items))
    for item in items:
        if not is_refusal(item.text):  # cheap: most replies carry no refusal cue at all
            continue
        try:
            analysis = analyze(item.text, item.customer, _context(item), config=config)
        except (ValueError, TypeError) as exc:
            where = f"conversation {item.conversation}, turn {item.turn}"
            result.problems.append({"position": where, "reason": str(exc)})
            continue
        if not analysis.is_refusal:
            continue
        result.refusals += 1
        record = {
            "conversation": item.conversation,
            "turn": item.turn,
            "agent": item.agent,
            "channel": item.channel,
            "received_at": item.received_at,
            "replied_at": item.replied_at,
            "customer": item.customer,
            "text": item.text,
            "analysis": analysis.to_wire(),
        }
        result.lines.append(_dump(record, analysis))
    return result


def _dump(record: dict[str, Any], analysis: Any) -> bytes:
    try:
        return orjson.dumps(record, option=orjson.OPT_APPEND_NEWLINE)
    except (orjson.JSONEncodeError, TypeError):  # lone surrogates from \ud800 escapes: the stdlib copes
        record["analysis"] = analysis.to_dict()
        return json.dumps(record, separators=(",", ":")).encode("ascii") + b"\n"


def period(stamp: str | None) -> str | None:
    """The day (YYYY-MM-DD) of an ISO timestamp, for trends."""
    if not stamp:
        return None
    try:
        return datetime.fromisoformat(stamp.replace("Z", "+00:00")).date().isoformat()
    except ValueError:
        return None
