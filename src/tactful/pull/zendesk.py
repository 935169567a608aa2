"""Zendesk: the incremental ticket export, then each changed ticket's comments with their users.

- ``--pagination cursor`` (the default): ``GET /api/v2/incremental/tickets/cursor.json?start_time=T``
  then ``?cursor=C`` (``after_cursor``, ``end_of_stream``); comments by ``page[size]=100`` and
  ``links.next`` while ``meta.has_more``.
- ``--pagination offset``: the time-based export ``GET /api/v2/incremental/tickets.json?start_time=T``
  (``next_page``, ``end_time``, ``end_of_stream``); comments by ``per_page=100`` and ``next_page``.

The cursor committed with each page is ``after_cursor`` (or ``end_time``): the next pull asks for the
changes after it. Tickets the export lists as ``deleted`` leave the output.
"""

from __future__ import annotations

from typing import Any

from tactful.errors import PullError
from tactful.pull import Session
from tactful.qa.formats._vendor import ident, obj

PAGE_SIZE = 100


def walk(session: Session) -> None:
    offset = session.options.pagination == "offset"
    cursor = session.store.cursor or {"start_time": int(session.since.timestamp())}
    while True:
        if offset:
            path, params = "/api/v2/incremental/tickets.json", {"start_time": cursor["start_time"]}
        elif cursor.get("cursor"):
            path, params = "/api/v2/incremental/tickets/cursor.json", {"cursor": cursor["cursor"]}
        else:
            path, params = "/api/v2/incremental/tickets/cursor.json", {"start_time": cursor["start_time"]}
        data = obj(session.client.get(path, params).data)
        tickets = data.get("tickets")
        if not isinstance(tickets, list):
            raise PullError(f"GET {path}: no 'tickets' list in the response")
        records: list[dict[str, Any]] = []
        deleted: list[str] = []
        for ticket in tickets:
            ticket_id = ident(obj(ticket).get("id"))
            if ticket_id is None:
                continue
            if ticket.get("status") == "deleted":
                deleted.append(ticket_id)
                continue
            documents = [
                (f"GET {path}: ticket {ticket_id}", {"ticket": ticket}),
                *_comments(session, ticket_id, offset),
            ]
            records += session.conversations(documents)
        cursor = _next(cursor, data, offset, path)
        session.commit(records, cursor, deleted)
        if data.get("end_of_stream"):
            return


def _next(cursor: dict[str, Any], data: dict[str, Any], offset: bool, path: str) -> dict[str, Any]:
    if offset:
        if not isinstance(data.get("end_time"), int):
            raise PullError(f"GET {path}: no 'end_time' in the response")
        return {"start_time": data["end_time"]}
    after = data.get("after_cursor")
    return {**cursor, "cursor": after} if isinstance(after, str) and after else cursor


def _comments(session: Session, ticket_id: str, offset: bool) -> list[tuple[str, Any]]:
    """Every page of the ticket's comments, users sideloaded; each comment told its ticket."""
    path = f"/api/v2/tickets/{ticket_id}/comments.json"
    url: str | None = path
    params: dict[str, Any] | None = {"include": "users", "per_page" if offset else "page[size]": PAGE_SIZE}
    pages: list[tuple[str, Any]] = []
    while url:
        data = obj(session.client.get(url, params).data)
        for comment in data.get("comments") or []:
            if isinstance(comment, dict):
                comment.setdefault("ticket_id", ticket_id)
        pages.append((f"GET {path} (page {len(pages) + 1})", data))
        if offset:
            url = data.get("next_page") if isinstance(data.get("next_page"), str) else None
        else:
            more = obj(data.get("meta")).get("has_more")
            url = obj(data.get("links")).get("next") if more else None
        params = None  # the next link carries them
    return pages
