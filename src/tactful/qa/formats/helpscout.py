"""Help Scout: conversations and their threads, Mailbox API 2.0 and 1.0, and webhooks.

Read, in any mix, joined by conversation id:

- v2: ``GET /v2/conversations?embed=threads`` (``{"_embedded": {"conversations": [...]}}``, each with
  ``_embedded.threads``), ``GET /v2/conversations/{id}?embed=threads``, and
  ``GET /v2/conversations/{id}/threads`` (``{"_embedded": {"threads": [...]}}``; the conversation is
  the one its ``_links.self`` names). A list fetched without ``embed=threads`` carries no threads:
  each conversation of it is a problem saying so;
- v1: ``GET /v1/conversations/{id}.json`` (``{"item"}``) and lists (``{"items": [...]}``), threads
  inside, people named ``firstName``/``lastName``; webhook bodies (a conversation object).

Roles come from the thread's ``type``: ``customer`` threads are the customer's, whoever entered them
(an agent often types in a customer's email or call); ``message``/``reply`` threads are an agent's, a
bot's when a workflow sent them; ``chat`` and ``phone`` threads go by ``createdBy.type`` (``customer``,
``user``; anything else is a bot). ``note`` threads are internal notes; line items and forwards are
activity, and drafts are not sent: both left out. The API lists threads newest first: turns are put
back in time order. The channel is the conversation's ``type`` (:data:`tactful.channels.HELPSCOUT`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from tactful.channels import vendor_channel
from tactful.qa.conversation import Conversation
from tactful.qa.formats._common import html_to_text, need, text_of, timestamp
from tactful.qa.formats._vendor import (
    Fragment,
    Message,
    Meta,
    Parts,
    ShapeError,
    Where,
    finish,
    guarded,
    ident,
    obj,
    person_name,
    records,
)

NAME = "helpscout"
HINT = (
    "expected a Help Scout conversation with its threads, or a page of them "
    "(GET /v2/conversations?embed=threads, GET /v2/conversations/{id}/threads; "
    "v1: GET /v1/conversations/{id}.json)"
)
_ACTIVITY = {"lineitem", "forwardparent", "forwardchild"}
_AGENT_THREADS = {"message", "reply"}
_WORKFLOW = {"automatic-workflow", "manual-workflow", "workflow"}
_THREADS_LINK = re.compile(r"/conversations/(\d+)/threads")


def split(document: Any, where: Where) -> Iterator[Fragment]:
    if isinstance(document, list):
        yield from records(document, where, _record)
        return
    if not isinstance(document, dict):
        raise ShapeError(HINT)
    embedded = obj(document.get("_embedded"))
    if isinstance(embedded.get("conversations"), list):
        yield from records(embedded["conversations"], where, _conversation)
    elif isinstance(embedded.get("threads"), list) and "id" not in document:
        conv = _linked_conversation(document) or where.anonymous
        yield from records(embedded["threads"], where, lambda t, w: [_thread(t, w, conv)])
    elif isinstance(document.get("items"), list):
        yield from records(document["items"], where, _record)
    elif isinstance(document.get("item"), dict):
        yield from guarded(document["item"], where, _record)
    else:
        yield from guarded(document, where, _record)


def _record(record: dict[str, Any], where: Where) -> list[Fragment]:
    conversation = any(k in record for k in ("threads", "mailboxId", "mailbox", "subject")) or (
        "threads" in obj(record.get("_embedded"))
    )
    if "id" in record and conversation:
        return _conversation(record, where)
    if "createdBy" in record and "type" in record:
        return [_thread(record, where, where.anonymous)]
    raise ShapeError(HINT)


def _linked_conversation(document: dict[str, Any]) -> str | None:
    links = document.get("_links")
    self_link = links.get("self") if isinstance(links, dict) else None
    href = self_link.get("href") if isinstance(self_link, dict) else None
    match = _THREADS_LINK.search(href) if isinstance(href, str) else None
    return match.group(1) if match else None


def _conversation(conversation: dict[str, Any], where: Where) -> list[Fragment]:
    conv = ident(need(conversation, "id"))
    assert conv is not None
    embedded = conversation.get("_embedded")
    threads = embedded.get("threads") if isinstance(embedded, dict) else conversation.get("threads")
    fields = {"channel": conversation.get("type"), "threads_embedded": isinstance(threads, list)}
    out: list[Fragment] = [Meta(conv, fields, where)]
    if isinstance(threads, list):
        out += [_thread(t, where, conv, f"threads[{i}].") for i, t in enumerate(threads)]
    elif threads is not None and not isinstance(threads, int):
        raise ValueError("field '_embedded.threads' must be a list")
    return out


def _thread(thread: Any, where: Where, conv: str, prefix: str = "") -> Message:
    if not isinstance(thread, dict):
        raise ValueError(f"{prefix[:-1] or 'thread'}: expected an object")
    kind = need(thread, "type", prefix)
    created_by = obj(thread.get("createdBy"))
    by = created_by.get("type")
    action = obj(thread.get("action"))
    workflow = action.get("type") in _WORKFLOW or thread.get("actionType") in _WORKFLOW
    customer = obj(thread.get("customer"))
    role: str
    if kind in _ACTIVITY or thread.get("state") in ("draft", "hidden") or thread.get("isDraft"):
        role = "skip"
    elif kind == "note":
        role = "note"
    elif kind == "customer":
        role = "customer"
    elif kind in _AGENT_THREADS:
        role = "bot" if workflow or by not in (None, "user", "customer") else "agent"
    else:  # chat, phone, beaconchat: whoever wrote it
        role = "customer" if by == "customer" else "agent" if by == "user" else "bot"
    person = customer if role == "customer" and customer else created_by
    fields = {
        "id": ident(thread.get("id")),
        "at": timestamp(thread.get("createdAt"), prefix + "createdAt"),
        "text": html_to_text(text_of(thread.get("body"), prefix + "body")),
        "author": ident(person.get("id")) or ident(person.get("email")),
        "name": person_name(person)
        or (person.get("email") if isinstance(person.get("email"), str) else None),
        "role": role,
    }
    return Message(conv, fields, where)


def build(parts: Parts) -> Conversation:
    if not parts.messages and parts.meta.get("threads_embedded") is False:
        raise ValueError(
            "listed without its threads: fetch the list with embed=threads (GET /v2/conversations?"
            f"embed=threads), or the conversation (GET /v2/conversations/{parts.id}?embed=threads;"
            f" v1: GET /v1/conversations/{parts.id}.json)"
        )
    channel = vendor_channel("helpscout", parts.meta.get("channel"))
    return finish(parts, channel, [(m, m["role"]) for m in parts.messages])
