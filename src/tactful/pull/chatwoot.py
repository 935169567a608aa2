"""Chatwoot: conversations by last activity, newest first, then each one's messages.

``GET /api/v1/accounts/{account}/conversations?status=all&sort_by=last_activity_at_desc&page=N``
(page numbers, until a page comes empty or reaches what the last pull saw), and
``GET /api/v1/accounts/{account}/conversations/{id}/messages``, older messages by ``?before=ID``
(a cursor: the oldest message id of the page before).

A walk ends at the first conversation whose ``last_activity_at`` is not later than the high-water
mark of the last complete walk; the new mark is the newest activity seen when this walk began, so what
changes during a walk is fetched by the next. The cursor committed with each page is the walk's next
page number with both marks.
"""

from __future__ import annotations

from typing import Any

from tactful.errors import PullError
from tactful.pull import Session
from tactful.qa.formats._vendor import ident, obj


def walk(session: Session) -> None:
    account = session.options.account
    if not account or not account.isdigit():
        raise PullError("chatwoot: give the account id: --account N (the number in the app's URLs)")
    base = f"/api/v1/accounts/{account}"
    cursor = session.store.cursor or {"mark": int(session.since.timestamp()), "page": 1, "top": None}
    while True:
        params = {"status": "all", "sort_by": "last_activity_at_desc", "page": cursor["page"]}
        data = obj(session.client.get(f"{base}/conversations", params).data)
        payload = obj(data.get("data")).get("payload")
        if not isinstance(payload, list):
            raise PullError(f"GET {base}/conversations: no 'data.payload' list in the response")
        top, done = cursor["top"], not payload
        records: list[dict[str, Any]] = []
        for conversation in payload:
            conversation_id = ident(obj(conversation).get("id"))
            activity = conversation.get("last_activity_at") if conversation_id else None
            if not isinstance(activity, int):
                continue
            top = activity if top is None else max(top, activity)
            if activity <= cursor["mark"]:
                done = True
                break
            label = f"GET {base}/conversations: conversation {conversation_id}"
            documents = [(label, conversation), *_messages(session, base, str(conversation_id))]
            records += session.conversations(documents)
        if done:
            cursor = {"mark": top if top is not None else cursor["mark"], "page": 1, "top": None}
        else:
            cursor = {**cursor, "page": cursor["page"] + 1, "top": top}
        session.commit(records, cursor)
        if done:
            return


def _messages(session: Session, base: str, conversation_id: str) -> list[tuple[str, Any]]:
    path = f"{base}/conversations/{conversation_id}/messages"
    pages: list[tuple[str, Any]] = []
    before: int | None = None
    while True:
        data = obj(session.client.get(path, {"before": before} if before else None).data)
        payload = data.get("payload")
        if not isinstance(payload, list) or not payload:
            return pages
        for message in payload:
            if isinstance(message, dict):
                message.setdefault("conversation_id", conversation_id)
        pages.append((f"GET {path} (before {before})" if before else f"GET {path}", data))
        ids = [m["id"] for m in payload if isinstance(m, dict) and isinstance(m.get("id"), int)]
        if not ids or (before is not None and min(ids) >= before):
            return pages
        before = min(ids)
