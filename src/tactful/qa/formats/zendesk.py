"""Zendesk: tickets, their comments, audits and users, in the shapes the API and its exports give.

Read, in any mix, from one file or several (compact or indented, JSON or JSON Lines), joined by
ticket id:

- tickets: ``GET /api/v2/tickets/{id}.json`` (``{"ticket"}``), lists, search results and incremental
  exports, time- or cursor-based (``{"tickets": [...]}``, ``{"results": [...]}``), one per line, or
  with their ``comments`` inside (the full JSON export). A ticket's ``description`` is its first
  comment: it opens the conversation when no comment repeats it;
- comments: ``GET /api/v2/tickets/{id}/comments.json?include=users&page[size]=100``. Comments carry
  no ticket id: the page's ``links`` (cursor pagination) or ``next_page``/``previous_page`` name the
  ticket; a page that names none stands for a ticket of its own;
- audits: ``GET /api/v2/tickets/{id}/audits.json``, ``GET /api/v2/ticket_audits.json``: the
  ``Comment`` events with their ``public`` flag, the requester from the ``Create`` events, and the
  ``Notification`` events triggers sent the requester;
- incremental ticket events with ``include=comment_events`` (``{"ticket_events": [...]}``);
- sideloaded users (``{"users": [...]}`` next to any of these, or on their own);
- ticket event webhooks (``zen:event-type:ticket.comment_added`` and the others: the ticket in
  ``detail``, the comment in ``event.comment``, its author's ``is_staff`` the role);
- Airbyte records of the ``tickets``, ``ticket_comments``, ``ticket_audits`` and ``users`` streams.

Roles: the ticket's requester is the customer; a user whose sideloaded ``role`` is ``end-user`` is a
customer, ``agent``/``admin`` an agent; any other author is an agent. The description is the
submitter's (Zendesk makes the submitter the author of the first comment; its sample tickets record the
requester instead). Without the ticket (a comments page alone) the requester is the author of the
first comment, for the same reason: the submitter is the requester unless an agent opened the ticket.
Comments from triggers and automations (``via.channel`` ``rule``), Answer Bot and the system user (id
-1), and trigger notifications are bots. ``public: false`` comments are internal notes. The channel is
the ticket's ``via.channel`` (:data:`tactful.channels.ZENDESK`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

from tactful.channels import vendor_channel
from tactful.qa.conversation import Conversation, MissingField
from tactful.qa.formats._common import html_to_text, need, need_list, text_of, timestamp
from tactful.qa.formats._vendor import (
    Fragment,
    Message,
    Meta,
    Parts,
    Person,
    ShapeError,
    Where,
    finish,
    guarded,
    ident,
    obj,
    person_name,
    records,
)

NAME = "zendesk"
HINT = (
    "expected a Zendesk ticket, or a page of tickets, comments, audits or ticket events "
    "(GET /api/v2/tickets/{id}/comments.json?include=users, GET /api/v2/tickets/{id}/audits.json, "
    "GET /api/v2/incremental/tickets/cursor.json?start_time=0; or run `tactful pull zendesk`)"
)
#: ``via.channel`` values of comments no person typed: triggers and automations, Answer Bot.
BOT_VIA = {
    "rule",
    "automation",
    "answer_bot",
    "answer_bot_api",
    "answer_bot_for_agents",
    "answer_bot_for_sdk",
    "answer_bot_for_slack",
    "answer_bot_for_web_widget",
}
SYSTEM_USER = "-1"
_COMMENT_TYPES = ("Comment", "VoiceComment")


def split(document: Any, where: Where) -> Iterator[Fragment]:
    if isinstance(document, list):
        yield from records(document, where, _record)
        return
    if not isinstance(document, dict):
        raise ShapeError(HINT)
    if str(document.get("type", "")).startswith("zen:event-type:ticket."):
        yield from guarded(document, where, _event)
        return
    if where.stream is not None:
        reader = _STREAMS.get(where.stream)
        if reader is not None:  # records of the connector's other streams hold no conversation
            yield from guarded(document, where, reader)
        return
    found = False
    for key, reader in _LISTS:
        if isinstance(document.get(key), list):
            found = True
            yield from records(document[key], where, reader)
    if isinstance(document.get("ticket"), dict):
        found = True
        yield from guarded(document["ticket"], where, _ticket)
    if isinstance(document.get("comments"), list) and "id" not in document:
        found = True
        conv = _page_ticket(document) or where.anonymous
        yield from records(
            document["comments"], where, lambda c, w: [_comment(c, w, ident(c.get("ticket_id")) or conv)]
        )
    if not found:
        yield from guarded(document, where, _record)


_COMMENTS_URL = re.compile(r"/tickets/(\d+)/comments")


def _page_ticket(page: dict[str, Any]) -> str | None:
    """The ticket a comments page is of: its comments name none, but its page links do (cursor
    pagination always gives them; offset pagination only when there is another page)."""
    links = obj(page.get("links"))
    for url in (links.get("next"), links.get("prev"), page.get("next_page"), page.get("previous_page")):
        match = _COMMENTS_URL.search(url) if isinstance(url, str) else None
        if match:
            return match.group(1)
    return None


def _record(record: dict[str, Any], where: Where) -> list[Fragment]:
    """A record on its own (a line, an array's element): which one it is, from its fields."""
    if "events" in record and "ticket_id" in record:
        return _audit(record, where)
    if "child_events" in record:
        return _ticket_event(record, where)
    if record.get("type") in _COMMENT_TYPES or (
        "author_id" in record and any(k in record for k in ("body", "plain_body", "html_body"))
    ):
        return [_comment(record, where, ident(record.get("ticket_id")) or where.anonymous)]
    if "id" in record and any(k in record for k in ("requester_id", "comments", "description")):
        return _ticket(record, where)
    if record.get("result_type") is not None:
        return _result(record, where)
    if "role" in record and "name" in record:
        return _user(record, where)
    raise ShapeError(HINT)


def _ticket(ticket: dict[str, Any], where: Where) -> list[Fragment]:
    ticket_id = ident(need(ticket, "id"))
    requester = ident(need(ticket, "requester_id"))
    assert ticket_id is not None
    fields = {
        "requester": requester,
        "submitter": ident(ticket.get("submitter_id")),
        "created_at": timestamp(ticket.get("created_at"), "created_at"),
        "description": text_of(ticket.get("description"), "description") or None,
        "channel": _via(ticket.get("via")),
    }
    out: list[Fragment] = [Meta(ticket_id, fields, where)]
    if "comments" in ticket:
        comments = need_list(ticket, "comments")
        out += [_comment(c, where, ticket_id, f"comments[{i}].") for i, c in enumerate(comments)]
    return out


def _comment(
    comment: Any, where: Where, conv: str, prefix: str = "", at: str | None = None, via: Any = None
) -> Message:
    if not isinstance(comment, dict):
        raise ValueError(f"{prefix[:-1] or 'comment'}: expected an object")
    author = ident(need(comment, "author_id", prefix))
    body = comment.get("plain_body")
    if body is None:
        body = comment.get("body")
        if body is None and comment.get("html_body") is not None:
            body = html_to_text(text_of(comment["html_body"], prefix + "html_body"))
    if body is None:
        raise ValueError(f"missing field '{prefix}body'")
    channel = _via(comment.get("via")) or _via(via)
    public = comment.get("public", comment.get("is_public"))
    role = "note" if public is False else "bot" if channel in BOT_VIA or author == SYSTEM_USER else None
    fields = {
        "id": ident(comment.get("id")),
        "at": timestamp(comment.get("created_at"), prefix + "created_at") or at,
        "text": text_of(body, prefix + "body"),
        "author": author,
        "name": person_name(comment.get("author")),
        "role": role,
        "via": channel,
    }
    return Message(conv, fields, where)


def _audit(audit: dict[str, Any], where: Where) -> list[Fragment]:
    ticket_id = ident(need(audit, "ticket_id"))
    assert ticket_id is not None
    at = timestamp(audit.get("created_at"), "created_at")
    meta: dict[str, Any] = {"channel": _via(audit.get("via"))}
    out: list[Fragment] = []
    for i, event in enumerate(need_list(audit, "events")):
        prefix = f"events[{i}]."
        kind = event.get("type") if isinstance(event, dict) else None
        if kind in _COMMENT_TYPES:
            out.append(_comment(event, where, ticket_id, prefix, at=at, via=audit.get("via")))
        elif kind in ("Create", "Change") and event.get("field_name") == "requester_id":
            meta["requester"] = ident(event.get("value"))
        elif kind == "Notification":
            out.append(_notification(event, where, ticket_id, prefix, at))
        if kind == "Create":
            meta["created_at"] = at  # the audit that created the ticket
    return [Meta(ticket_id, meta, where), *out]


def _notification(event: dict[str, Any], where: Where, conv: str, prefix: str, at: str | None) -> Message:
    """An email a trigger sent: a bot turn when it went to the requester."""
    source = (event.get("via") or {}).get("source") or {}
    sender = source.get("from") if isinstance(source, dict) else None
    title = sender.get("title") if isinstance(sender, dict) else None
    recipients = event.get("recipients")
    if not isinstance(recipients, list):
        recipients = []
    fields = {
        "id": ident(event.get("id")),
        "at": at,
        "text": text_of(event.get("body"), prefix + "body"),
        "author": "trigger",
        "name": title if isinstance(title, str) and title else "trigger",
        "role": None,
        "notification": [ident(r) for r in recipients],
    }
    return Message(conv, fields, where)


def _event(event: dict[str, Any], where: Where) -> list[Fragment]:
    """A ticket event webhook (``zen:event-type:ticket.comment_added``, ...): the ticket in ``detail``,
    a comment in ``event.comment`` (its author's ``is_staff`` says agent or customer)."""
    detail = obj(event.get("detail"))
    ticket_id = ident(detail.get("id")) or ident(str(event.get("subject", "")).rpartition(":")[2])
    if ticket_id is None:
        raise MissingField("detail.id")
    at = timestamp(event.get("time"), "time")
    fields = {
        "requester": ident(detail.get("requester_id")),
        "submitter": ident(detail.get("submitter_id")),
        "created_at": timestamp(detail.get("created_at"), "detail.created_at"),
        "description": text_of(detail.get("description"), "detail.description") or None,
        "channel": _via(detail.get("via")),
    }
    out: list[Fragment] = [Meta(ticket_id, fields, where)]
    comment = obj(obj(event.get("event")).get("comment"))
    if comment:
        author = obj(comment.get("author"))
        staff = author.get("is_staff")
        public = comment.get("is_public", comment.get("public"))
        role = (
            "note"
            if public is False
            else "agent"
            if staff is True
            else "customer"
            if staff is False
            else None
        )
        message = {
            "id": ident(comment.get("id")),
            "at": at,
            "text": text_of(comment.get("body"), "event.comment.body"),
            "author": ident(author.get("id")),
            "name": person_name(author),
            "role": role,
        }
        out.append(Message(ticket_id, message, where))
    return out


def _ticket_event(event: dict[str, Any], where: Where) -> list[Fragment]:
    """An incremental ticket event (``include=comment_events``): its comment child events."""
    ticket_id = ident(need(event, "ticket_id"))
    assert ticket_id is not None
    at = timestamp(event.get("created_at") or event.get("timestamp"), "created_at")
    out: list[Fragment] = []
    for i, child in enumerate(need_list(event, "child_events")):
        if isinstance(child, dict) and child.get("event_type") in _COMMENT_TYPES:
            out.append(_comment(child, where, ticket_id, f"child_events[{i}].", at=at, via=event.get("via")))
    return out


def _result(result: dict[str, Any], where: Where) -> list[Fragment]:
    kind = result.get("result_type")
    return _ticket(result, where) if kind == "ticket" else _user(result, where) if kind == "user" else []


def _user(user: dict[str, Any], where: Where) -> list[Fragment]:
    user_id = ident(need(user, "id"))
    assert user_id is not None
    role = user.get("role")
    return [Person(user_id, person_name(user), role if isinstance(role, str) else None)]


_LISTS = (
    ("users", _user),
    ("tickets", _ticket),
    ("results", _result),
    ("audits", _audit),
    ("ticket_events", _ticket_event),
)
_STREAMS: dict[str, Callable[[dict[str, Any], Where], list[Fragment]]] = {
    "tickets": _ticket,
    "ticket_comments": lambda c, w: [_comment(c, w, ident(need(c, "ticket_id")) or "")],
    "ticket_audits": _audit,
    "users": _user,
}


def _via(via: Any) -> str | None:
    channel = via.get("channel") if isinstance(via, dict) else None
    return channel if isinstance(channel, str) and channel else None


def build(parts: Parts) -> Conversation:
    meta = parts.meta
    messages = list(parts.messages)
    requester = meta.get("requester")
    if requester is None:  # no ticket read: the first comment's author opened it
        people = [m for m in messages if m.get("role") is None and m.get("author") not in (None, "trigger")]
        first = min(people, key=lambda m: m.get("at") or "", default=None)
        requester = first["author"] if first else None
    description = meta.get("description")
    if description and not _told(description, meta.get("created_at"), messages):
        # The submitter writes the first comment, but Zendesk's sample tickets record it as the requester's.
        sample = meta.get("channel") == "sample_ticket"
        author = requester if sample else meta.get("submitter") or requester
        opener = {"id": "description", "at": meta.get("created_at"), "text": description, "author": author}
        messages.insert(0, {**opener, "role": None})

    def role(message: dict[str, Any]) -> str:
        if message.get("notification") is not None:
            recipients = message["notification"]
            return "bot" if requester is None or requester in recipients else "skip"
        if message.get("role") is not None:
            return str(message["role"])
        author = message.get("author")
        if author is not None and author == requester:
            return "customer"
        person = parts.people(author) if author else None
        if person is not None and person.role:
            return "customer" if person.role == "end-user" else "agent"
        return "agent"

    via = meta.get("channel") or next((m["via"] for m in messages if m.get("via")), None)
    return finish(parts, vendor_channel("zendesk", via), [(m, role(m)) for m in messages])


def _told(description: str, created_at: str | None, messages: list[dict[str, Any]]) -> bool:
    """Whether a comment read is the ticket's first one (which the description repeats)."""
    words = description.split()
    return any(
        (created_at is not None and m.get("at") == created_at) or (m.get("text") or "").split() == words
        for m in messages
    )
