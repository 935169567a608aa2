"""Helpdesk webhook deliveries already processed, so a replayed delivery is refused."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any

from sqlalchemy import delete

from .context import StoreContext
from .records import now
from .tables import WebhookDelivery

# How long a processed webhook delivery is remembered (replays are refused within it); far past
# the helpdesks' retry schedules and the signed webhooks' 5-minute freshness window.
DELIVERY_DAYS = 7
DELIVERY_KEPT = timedelta(days=DELIVERY_DAYS)


def _delivery_key(key: str) -> str:
    return key if len(key) <= 200 else hashlib.sha256(key.encode()).hexdigest()


def claim_delivery(ctx: StoreContext, source: str, key: str) -> bool:
    key = _delivery_key(key)
    at = now()
    with ctx.write() as s:
        s.execute(delete(WebhookDelivery).where(WebhookDelivery.received_at < at - DELIVERY_KEPT))
        if ctx.dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        else:
            from sqlalchemy.dialects.sqlite import insert  # type: ignore[assignment]
        table: Any = WebhookDelivery.__table__
        statement = insert(table).values(source=source, key=key, received_at=at).on_conflict_do_nothing()
        return s.execute(statement.returning(table.c.id)).first() is not None  # no row: seen before


def release_delivery(ctx: StoreContext, source: str, key: str) -> None:
    match = (WebhookDelivery.source == source, WebhookDelivery.key == _delivery_key(key))
    with ctx.write() as s:
        s.execute(delete(WebhookDelivery).where(*match))
