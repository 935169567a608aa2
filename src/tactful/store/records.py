"""Plain frozen records the store hands out: usable after the session closes, ``to_dict`` is JSON-ready."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field, fields
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, overload

from tactful.sanitize import csv_row, for_terminal

from .db import InvalidInput


@overload
def utc(value: datetime) -> datetime: ...
@overload
def utc(value: None) -> None: ...
@overload
def utc(value: datetime | None) -> datetime | None: ...
def utc(value: datetime | None) -> datetime | None:
    """A stored (naive UTC) timestamp as an aware UTC datetime."""
    if value is None:
        return None
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


def to_db(value: datetime | None) -> datetime | None:
    """Any timestamp as naive UTC for storage; naive input is taken to be UTC already."""
    if value is None:
        return None
    if value.tzinfo is not None:
        try:
            value = value.astimezone(timezone.utc).replace(tzinfo=None)
        except OverflowError:  # 0001-01-01T00:00+14:00 is before year 1 in UTC
            stamp = value.isoformat()
            raise InvalidInput(None, f"the time {stamp} must be within the years 1 to 9999 in UTC") from None
    return value


def now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Record):
        return value.to_dict()
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


class Record:
    """``to_dict`` for every record: timestamps as ISO 8601, nested records as dicts."""

    def to_dict(self) -> dict[str, Any]:
        return {f.name: _plain(getattr(self, f.name)) for f in fields(self)}  # type: ignore[arg-type]


@dataclass(frozen=True, slots=True)
class UserInfo(Record):
    id: int
    name: str
    role: str
    created_at: datetime
    revoked_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class AlternativeInfo(Record):
    position: int
    text: str
    kind: str
    accepted: bool


@dataclass(frozen=True, slots=True)
class RefusalInfo(Record):
    id: int
    request_type: str
    policy_id: str | None
    reason: str | None
    alternatives: tuple[AlternativeInfo, ...]


@dataclass(frozen=True, slots=True)
class PromiseInfo(Record):
    id: int
    case_id: int
    text: str
    kind: str
    topic: str | None
    due_at: datetime | None
    status: str
    kept_at: datetime | None


@dataclass(frozen=True, slots=True)
class FollowUpInfo(Record):
    id: int
    customer: str
    case_id: int | None
    promise_id: int | None
    due_at: datetime
    owner: str | None
    note: str
    status: str
    done_at: datetime | None
    overdue: bool


@dataclass(frozen=True, slots=True)
class FeedbackInfo(Record):
    case_id: int
    csat: int
    comment: str | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class OutcomeInfo(Record):
    outcome: str
    at: datetime


@dataclass(frozen=True, slots=True)
class CaseRecord(Record):
    """One logged reply with what the store learned from it."""

    id: int
    customer: str
    conversation: str
    channel: str | None
    agent: str | None
    customer_message: str | None
    reply: str
    received_at: datetime | None
    sent_at: datetime
    request_type: str | None
    policy_id: str | None
    topic: str | None
    is_refusal: bool
    exception_granted: bool
    score: int
    response_minutes: float | None
    sla_minutes: float | None
    sla_breached: bool
    findings: tuple[dict[str, Any], ...]
    characteristics: dict[str, float]
    refusal: RefusalInfo | None = None
    promises: tuple[PromiseInfo, ...] = ()
    followups: tuple[FollowUpInfo, ...] = ()
    feedback: tuple[FeedbackInfo, ...] = ()


@dataclass(frozen=True, slots=True)
class CustomerHistory(Record):
    customer: str
    name: str | None
    helpdesk_ids: dict[str, Any]
    cases: tuple[CaseRecord, ...]
    promises: tuple[PromiseInfo, ...]
    followups: tuple[FollowUpInfo, ...]
    feedback: tuple[FeedbackInfo, ...]
    outcomes: tuple[OutcomeInfo, ...]
    declined_topics: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class DeclinedTopic(Record):
    topic: str
    request_type: str | None
    customers: int
    last_asked: datetime
    status: str
    shipped_at: datetime | None


@dataclass(frozen=True, slots=True)
class ShipNotice(Record):
    customer: str
    name: str | None
    topic: str
    asked_at: datetime
    case_id: int
    draft: str
    score: int


@dataclass(frozen=True, slots=True)
class CaseHit(Record):
    case_id: int
    customer: str
    sent_at: datetime
    request_type: str | None
    is_refusal: bool
    score: int
    customer_message: str | None
    reply: str
    rank: float


@dataclass(frozen=True, slots=True)
class ScenarioInfo(Record):
    id: str
    title: str
    customer_message: str
    facts: dict[str, Any]
    created_by: str | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class AttemptInfo(Record):
    id: int
    user: str
    scenario_id: str
    reply: str
    score: int
    analysis: dict[str, Any]
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Table(Record):
    """A report: named columns and rows; printable with rich, writable as CSV."""

    name: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...] = field(default_factory=tuple)

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "columns": list(self.columns), "rows": [list(r) for r in self.rows]}

    def records(self) -> list[dict[str, Any]]:
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]

    def to_csv(self, path: str | Path | None = None) -> str:
        """The table as CSV text; also written to ``path`` when given."""
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(csv_row(self.columns))
        # Agent names, topics and policy ids come from people: never a live formula in a spreadsheet.
        writer.writerows(csv_row("" if v is None else v for v in row) for row in self.rows)
        if path is not None:
            Path(path).write_text(buf.getvalue(), encoding="utf-8")
        return buf.getvalue()

    def to_rich(self) -> Any:
        from rich.table import Table as RichTable
        from rich.text import Text

        table = RichTable(*self.columns, title=self.name)
        for row in self.rows:  # Text: an agent's name is shown as written, never as markup or a command
            table.add_row(*(Text(for_terminal("" if v is None else str(v))) for v in row))
        return table
