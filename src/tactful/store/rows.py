"""Row helpers the store's parts share: ids, pages, customers found or created."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from .db import InvalidInput, NotFound
from .records import now
from .tables import Customer

# Row ids are 64-bit signed integers in SQLite and PostgreSQL: a larger number names no row (and
# would make the driver raise OverflowError / NumericValueOutOfRange instead of finding nothing).
MAX_ID = 2**63 - 1


def is_id(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= MAX_ID


def page(query: Any, limit: int | None, offset: int) -> Any:
    """``query`` cut to one page (``limit`` None: all of it)."""
    if offset < 0 or (limit is not None and limit < 1):
        raise InvalidInput("limit", "limit must be at least 1 and offset at least 0")
    return query.offset(offset or None).limit(limit)


def get_or_create(s: Session, model: type[Any], values: dict[str, Any], keys: list[str]) -> int:
    """The id of the row matching ``keys``, inserted if missing; safe against a concurrent insert
    (``ON CONFLICT DO NOTHING`` then read back), so two writers never fail on the unique key."""
    match = select(model.id).where(*(getattr(model, k) == values[k] for k in keys))
    found = s.scalar(match)
    if found is not None:
        return int(found)
    if s.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        s.execute(pg_insert(model).values(**values).on_conflict_do_nothing(index_elements=keys))
    else:
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        s.execute(sqlite_insert(model).values(**values).on_conflict_do_nothing(index_elements=keys))
    found = s.scalar(match)
    assert found is not None
    return int(found)


def customer_id(s: Session, key: str, name: str | None = None) -> int:
    """The customer ``key``'s row id, the customer added if new; a name fills in a missing one."""
    key = key.strip()
    if not key:
        raise InvalidInput("customer", "the customer id must not be empty")
    values: dict[str, Any] = {"key": key, "name": name, "helpdesk_ids": {}, "created_at": now()}
    cid = get_or_create(s, Customer, values, ["key"])
    if name:
        s.execute(update(Customer).where(Customer.id == cid, Customer.name.is_(None)).values(name=name))
    return cid


def find_customer(s: Session, key: str) -> Customer:
    customer = s.scalar(select(Customer).where(Customer.key == key))
    if customer is None:
        raise NotFound(f"no customer {key!r} in the store")
    return customer
