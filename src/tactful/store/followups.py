"""Follow-ups: what an agent promised to come back on, listed, added and completed.

A ``contact`` promise in a logged reply makes one (see :mod:`tactful.store.cases`); completing it
keeps the promise. Reminders for due ones are posted by :mod:`tactful.store.reminders`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import case as when
from sqlalchemy import func, or_, select, update

from .assemble import followup_info
from .context import StoreContext
from .db import InvalidInput, NotFound
from .records import FollowUpInfo, now, to_db
from .rows import customer_id, is_id, page
from .tables import Customer, FollowUp, Promise


def _query(due_before: datetime | None, status: str, owner: str | None) -> Any:
    if status not in ("open", "done", "all"):
        raise InvalidInput("status", f"status must be open, done or all, not {status!r}")
    query = select(FollowUp, Customer.key).join(Customer, Customer.id == FollowUp.customer_id)
    if status != "all":
        query = query.where(FollowUp.status == status)
    if due_before is not None:
        query = query.where(FollowUp.due_at <= to_db(due_before))
    if owner is not None:
        query = query.where(or_(FollowUp.owner == owner, FollowUp.owner.is_(None)))
    return query


def followups(
    ctx: StoreContext,
    due_before: datetime | None,
    status: str,
    *,
    owner: str | None,
    limit: int | None,
    offset: int,
) -> list[FollowUpInfo]:
    query = _query(due_before, status, owner)
    at = now()
    with ctx.read() as s:
        rows = s.execute(page(query.order_by(FollowUp.due_at, FollowUp.id), limit, offset)).all()
        return [followup_info(f, key, at) for f, key in rows]


def followup_counts(ctx: StoreContext, status: str) -> tuple[int, int]:
    query = _query(None, status, None).subquery()
    late = func.sum(when((query.c.due_at < now(), 1), else_=0))
    with ctx.read() as s:
        total, overdue = s.execute(select(func.count(), late).select_from(query)).one()
        return int(total), int(overdue or 0)


def followup(ctx: StoreContext, id: int) -> FollowUpInfo:
    query = _query(None, "all", None).where(FollowUp.id == id)
    with ctx.read() as s:
        row = s.execute(query).first() if is_id(id) else None
        if row is None:
            raise NotFound(f"no follow-up #{id} in the store")
        return followup_info(row[0], row[1], now())


def add_followup(
    ctx: StoreContext, customer: str, due_at: datetime, note: str, *, owner: str | None, case_id: int | None
) -> int:
    with ctx.write() as s:
        cid = customer_id(s, customer)
        f = FollowUp(
            case_id=case_id,
            customer_id=cid,
            promise_id=None,
            due_at=to_db(due_at),
            owner=owner,
            note=note,
            status="open",
        )
        s.add(f)
        s.flush()
        return f.id


def complete_followup(ctx: StoreContext, id: int) -> None:
    with ctx.write() as s:
        f = s.get(FollowUp, id) if is_id(id) else None
        if f is None:
            raise NotFound(f"no follow-up #{id} in the store")
        if f.status == "done":
            return
        f.status, f.done_at = "done", now()
        if f.promise_id is not None:
            s.execute(
                update(Promise)
                .where(Promise.id == f.promise_id, Promise.status == "open")
                .values(status="kept", kept_at=f.done_at)
            )
