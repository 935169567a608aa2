"""What customers did after a reply: CSAT, the alternative they took, whether they came back."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from .context import StoreContext
from .db import InvalidInput, NotFound
from .records import now, to_db
from .redact import redact_optional
from .rows import find_customer, is_id
from .tables import Alternative, Case, Feedback, Outcome, Refusal

OUTCOMES = ("came_back", "bought_again", "churned")


def add_feedback(ctx: StoreContext, case_id: int, csat: int, comment: str | None, *, redact: bool) -> None:
    if isinstance(csat, bool) or not isinstance(csat, int) or not 1 <= csat <= 5:
        raise InvalidInput("csat", f"CSAT must be a whole number from 1 to 5, not {csat!r}")
    with ctx.write() as s:
        if not is_id(case_id) or s.get(Case, case_id) is None:
            raise NotFound(f"no case #{case_id} in the store")
        text_ = redact_optional(comment) if redact else comment
        s.add(Feedback(case_id=case_id, csat=csat, comment=text_, created_at=now()))


def accept_alternative(ctx: StoreContext, case_id: int, position: int) -> None:
    with ctx.write() as s:
        refusal = s.scalar(select(Refusal).where(Refusal.case_id == case_id)) if is_id(case_id) else None
        if refusal is None:
            raise NotFound(f"case #{case_id} is not a recorded refusal")
        alt = s.scalar(
            select(Alternative).where(Alternative.refusal_id == refusal.id, Alternative.position == position)
        )
        if alt is None:
            raise NotFound(f"case #{case_id} has no alternative #{position}")
        alt.accepted = True


def record_outcome(ctx: StoreContext, customer: str, outcome: str, at: datetime | None) -> None:
    if outcome not in OUTCOMES:
        raise InvalidInput("outcome", f"outcome must be one of {', '.join(OUTCOMES)}, not {outcome!r}")
    with ctx.write() as s:
        c = find_customer(s, customer)
        s.add(Outcome(customer_id=c.id, outcome=outcome, at=to_db(at) or now()))
