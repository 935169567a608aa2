"""Practice mode: scenarios to answer and each user's scored attempts (progress over time)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from .context import StoreContext
from .db import InvalidInput, NotFound
from .records import AttemptInfo, ScenarioInfo, now, utc
from .tables import Attempt, Scenario


def add_scenario(
    ctx: StoreContext,
    id: str,
    title: str,
    customer_message: str,
    facts: dict[str, Any],
    created_by: str | None,
) -> None:
    if not id.strip() or not title.strip() or not customer_message.strip():
        raise InvalidInput(None, "a scenario needs an id, a title and a customer message")
    with ctx.write() as s:
        found = s.get(Scenario, id)
        if found is None:
            s.add(
                Scenario(
                    id=id,
                    title=title,
                    customer_message=customer_message,
                    facts=dict(facts),
                    created_by=created_by,
                    created_at=now(),
                )
            )
        else:
            found.title, found.customer_message, found.facts = title, customer_message, dict(facts)


def scenarios(ctx: StoreContext) -> list[ScenarioInfo]:
    with ctx.read() as s:
        return [
            ScenarioInfo(x.id, x.title, x.customer_message, dict(x.facts), x.created_by, utc(x.created_at))
            for x in s.scalars(select(Scenario).order_by(Scenario.created_at, Scenario.id))
        ]


def record_attempt(
    ctx: StoreContext, user: str, scenario_id: str, reply: str, score: int, analysis: dict[str, Any]
) -> int:
    with ctx.write() as s:
        if s.get(Scenario, scenario_id) is None:
            raise NotFound(f"no practice scenario {scenario_id!r}")
        attempt = Attempt(
            user=user,
            scenario_id=scenario_id,
            reply=reply,
            score=int(score),
            analysis=analysis,
            created_at=now(),
        )
        s.add(attempt)
        s.flush()
        return attempt.id


def attempts(ctx: StoreContext, user: str) -> list[AttemptInfo]:
    with ctx.read() as s:
        return [
            AttemptInfo(a.id, a.user, a.scenario_id, a.reply, a.score, dict(a.analysis), utc(a.created_at))
            for a in s.scalars(
                select(Attempt).where(Attempt.user == user).order_by(Attempt.created_at, Attempt.id)
            )
        ]
