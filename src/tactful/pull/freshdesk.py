"""Freshdesk: tickets by ``updated_since``, oldest change first, then each ticket's conversations.

``GET /api/v2/agents`` once (their names), ``GET /api/v2/tickets?updated_since=S&order_by=updated_at
&order_type=asc&per_page=100&page=N&include=requester``, and ``GET /api/v2/tickets/{id}/conversations
?per_page=100&page=N``; the next
page is the one the ``Link: <...>; rel="next"`` header names (or, without the header, the next page
number while pages come full). Freshdesk serves at most 300 pages of a list: past that the walk
starts again from the latest change seen.

The cursor committed with each page is ``updated_since`` and the next page number; at the end of a
walk it becomes the latest ``updated_at`` seen (with the tickets changed at that very moment, which
the next pull does not fetch again unless they change).
"""

from __future__ import annotations

from typing import Any

from tactful.errors import PullError
from tactful.pull import Session
from tactful.qa.formats._common import timestamp
from tactful.qa.formats._vendor import ident, obj

PER_PAGE = 100
MAX_PAGES = 300


def walk(session: Session) -> None:
    session.read_people(_agents(session))  # their names, for every ticket's replies
    since = session.since.isoformat().replace("+00:00", "Z")
    cursor = session.store.cursor or {"since": since, "page": 1, "latest": None, "at_latest": []}
    while True:
        params = {
            "updated_since": cursor["since"],
            "order_by": "updated_at",
            "order_type": "asc",
            "per_page": PER_PAGE,
            "page": cursor["page"],
            "include": "requester",
        }
        page = session.client.get("/api/v2/tickets", params)
        if not isinstance(page.data, list):
            raise PullError("GET /api/v2/tickets: expected a list of tickets")
        latest, at_latest = cursor["latest"], list(cursor["at_latest"])
        records: list[dict[str, Any]] = []
        for ticket in page.data:
            ticket_id = ident(obj(ticket).get("id"))
            if ticket_id is None:
                continue
            updated = timestamp(ticket.get("updated_at"), "updated_at")
            if updated == cursor["latest"] and ticket_id in cursor["at_latest"]:
                continue  # fetched by the last walk, unchanged since
            documents = [
                (f"GET /api/v2/tickets: ticket {ticket_id}", ticket),
                *_conversations(session, ticket_id),
            ]
            records += session.conversations(documents)
            if updated and (latest is None or updated > latest):
                latest, at_latest = updated, [ticket_id]
            elif updated == latest:
                at_latest.append(ticket_id)
        more = page.link("next") is not None if "link" in page.headers else len(page.data) >= PER_PAGE
        if more and cursor["page"] < MAX_PAGES:
            cursor = {**cursor, "page": cursor["page"] + 1, "latest": latest, "at_latest": at_latest}
        else:
            cursor = {"since": latest or cursor["since"], "page": 1, "latest": latest, "at_latest": at_latest}
        session.commit(records, cursor)
        if not more:
            return


def _agents(session: Session) -> list[tuple[str, Any]]:
    pages = []
    for number in range(1, MAX_PAGES + 1):
        page = session.client.get("/api/v2/agents", {"per_page": PER_PAGE, "page": number})
        entries = page.data if isinstance(page.data, list) else []
        pages.append((f"GET /api/v2/agents (page {number})", entries))
        more = page.link("next") is not None if "link" in page.headers else len(entries) >= PER_PAGE
        if not more:
            break
    return pages


def _conversations(session: Session, ticket_id: str) -> list[tuple[str, Any]]:
    path = f"/api/v2/tickets/{ticket_id}/conversations"
    url: str | None = path
    params: dict[str, Any] | None = {"per_page": PER_PAGE}
    pages = []
    number = 1
    while url:
        page = session.client.get(url, params)
        entries = page.data if isinstance(page.data, list) else []
        for entry in entries:
            if isinstance(entry, dict):
                entry.setdefault("ticket_id", ticket_id)
        pages.append((f"GET {path} (page {number})", entries))
        if "link" in page.headers:
            url, params = page.link("next"), None
        elif len(entries) >= PER_PAGE:
            number += 1
            url, params = path, {"per_page": PER_PAGE, "page": number}
        else:
            url = None
    return pages
