"""A local helpdesk API for the ``tactful pull`` tests: a real HTTP server on 127.0.0.1 answering the
Zendesk, Freshdesk and Chatwoot endpoints the pull uses, in the vendors' response shapes (envelopes,
sideloaded users, ``Link`` headers; cursor and offset pagination; incremental exports), over made-up
conversations (no recorded data). Pages are kept small (2 items) so every walk spans several.

Faults on demand: a 429 with ``Retry-After``, a 500, or a request that hangs until the test lets it
go (to ``kill -9`` the client mid-pull). Every request is logged.
"""

from __future__ import annotations

import base64
import json
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

PAGE = 2
BASE_TIME = 1767225600  # 2026-01-01T00:00:00Z
TOKEN = "tk-9f1c7e-do-not-print"  # distinctive: the tests look for it in every output
EMAIL = "lead@example.com"
ASKS = [
    "I want a refund for order {n}, it arrived broken.",
    "Can you extend my trial by another month?",
    "Please ship order {n} to Norway.",
    "Can I get a discount on the yearly plan?",
    "Where is my parcel {n}?",
]
REPLIES = [
    "Unfortunately we can't refund order {n} because it is past our 30-day window. I can offer store credit.",
    "We cannot extend the trial. No.",
    "I'm sorry, we are unable to ship order {n} to Norway at the moment. You could use a forwarding service.",
    "Sorry, that is not possible. Read the policy.",
    "Your parcel {n} left the warehouse today and arrives Friday.",
]


def iso(epoch: int) -> str:
    return datetime.fromtimestamp(epoch, tz=timezone.utc).isoformat().replace("+00:00", "Z")


@dataclass
class Msg:
    id: int
    role: str  # customer, agent, note, bot
    text: str
    at: int


@dataclass
class Conv:
    id: int
    requester: int
    requester_name: str
    created: int
    updated: int
    messages: list[Msg] = field(default_factory=list)


@dataclass
class Fault:
    kind: str  # "429", "500" or "hang"
    pattern: str  # a substring of the request's path and query
    times: int = 1


class World:
    """The made-up helpdesk: conversations with a customer, an agent, a note and a bot."""

    AGENT, AGENT_NAME, BOT, BOT_NAME = 7001, "Sam Helper", 7900, "Helper Bot"

    def __init__(self, count: int = 5) -> None:
        self.next_id = 1000
        self.convs: dict[int, Conv] = {}
        for i in range(1, count + 1):
            self.add_conversation(i)

    def _mid(self) -> int:
        self.next_id += 1
        return self.next_id

    def add_conversation(self, i: int) -> Conv:
        start = BASE_TIME + 3600 * i
        conv = Conv(i, 9000 + i, f"Customer {i}", start, start)
        self.convs[i] = conv
        self.add(i, "customer", ASKS[i % len(ASKS)].format(n=5500 + i), start)
        self.add(i, "bot", "Thanks, a person will answer soon.", start + 10)
        self.add(i, "note", "Check the policy before answering.", start + 60)
        self.add(i, "agent", REPLIES[i % len(REPLIES)].format(n=5500 + i), start + 600)
        return conv

    def add(self, conv_id: int, role: str, text: str, at: int | None = None) -> None:
        conv = self.convs[conv_id]
        at = at if at is not None else max(c.updated for c in self.convs.values()) + 100
        conv.messages.append(Msg(self._mid(), role, text, at))
        conv.updated = max(conv.updated, at)

    def author(self, conv: Conv, msg: Msg) -> tuple[int, str]:
        if msg.role == "customer":
            return conv.requester, conv.requester_name
        return (self.BOT, self.BOT_NAME) if msg.role == "bot" else (self.AGENT, self.AGENT_NAME)

    def by_update(self) -> list[Conv]:
        return sorted(self.convs.values(), key=lambda c: (c.updated, c.id))


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client killed mid-request (the kill -9 test) is expected here


class HelpdeskServer:
    def __init__(self, vendor: str, world: World | None = None) -> None:
        self.vendor = vendor
        self.world = world or World()
        self.log: list[tuple[float, str, int]] = []
        self.faults: list[Fault] = []
        self.hung = threading.Event()
        self.release = threading.Event()
        self.lock = threading.Lock()
        self.httpd = _QuietServer(("127.0.0.1", 0), self._handler())
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def __enter__(self) -> HelpdeskServer:
        self.thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()

    def requests(self, pattern: str = "") -> list[str]:
        return [target for _, target, _ in self.log if pattern in target]

    # ── HTTP ──

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_args: Any) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
                status, headers, body = server.answer(self.path, self.headers)
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                data = json.dumps(body).encode()
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        return Handler

    def answer(self, target: str, headers: Any) -> tuple[int, dict[str, str], Any]:
        with self.lock:
            fault = next((f for f in self.faults if f.pattern in target and f.times > 0), None)
            if fault is not None:
                fault.times -= 1
        if not self._authorized(headers):
            self.log.append((time.monotonic(), target, 401))
            return 401, {}, {"error": "Couldn't authenticate you"}
        if fault is not None and fault.kind == "429":
            self.log.append((time.monotonic(), target, 429))
            return 429, {"Retry-After": "1"}, {"error": "APIRateLimitExceeded"}
        if fault is not None and fault.kind == "500":
            self.log.append((time.monotonic(), target, 500))
            return 500, {}, {"error": "InternalError"}
        if fault is not None and fault.kind == "hang":
            self.log.append((time.monotonic(), target, 0))
            self.hung.set()
            self.release.wait(60)
            return 503, {}, {"error": "released"}
        parts = urlsplit(target)
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        with self.lock:
            status, extra, body = getattr(self, f"_{self.vendor}")(parts.path, query)
        self.log.append((time.monotonic(), target, status))
        return status, extra, body

    def _authorized(self, headers: Any) -> bool:
        if self.vendor == "chatwoot":
            return headers.get("api_access_token") == TOKEN
        user = f"{EMAIL}/token" if self.vendor == "zendesk" else TOKEN
        password = TOKEN if self.vendor == "zendesk" else "X"
        expected = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
        return headers.get("Authorization") == expected

    def link(self, path: str, query: dict[str, Any]) -> str:
        return f"{self.url}{path}?{urlencode(query)}"

    # ── Zendesk ──

    def _zendesk(self, path: str, q: dict[str, str]) -> tuple[int, dict[str, str], Any]:
        w = self.world
        if path == "/api/v2/incremental/tickets/cursor.json":
            ordered = w.by_update()
            if "cursor" in q:
                updated, conv_id = (int(x) for x in q["cursor"].split(":"))
                rest = [c for c in ordered if (c.updated, c.id) > (updated, conv_id)]
            else:
                rest = [c for c in ordered if c.updated >= int(q["start_time"])]
            page = rest[:PAGE]
            after = (
                f"{page[-1].updated}:{page[-1].id}"
                if page
                else q.get("cursor", f"{int(q.get('start_time', 0)) - 1}:0")
            )
            body = {
                "tickets": [self._zd_ticket(c) for c in page],
                "after_cursor": after,
                "after_url": self.link(path, {"cursor": after}),
                "end_of_stream": len(rest) <= PAGE,
            }
            return 200, {}, body
        if path == "/api/v2/incremental/tickets.json":
            start = int(q["start_time"])
            rest = [c for c in w.by_update() if c.updated >= start]
            page = rest[:PAGE]
            end = page[-1].updated if page else start
            body = {
                "tickets": [self._zd_ticket(c) for c in page],
                "end_time": end,
                "count": len(page),
                "next_page": self.link(path, {"start_time": end}),
                "end_of_stream": len(rest) <= PAGE,
            }
            return 200, {}, body
        if path.startswith("/api/v2/tickets/") and path.endswith("/comments.json"):
            conv = w.convs[int(path.split("/")[4])]
            comments = [self._zd_comment(conv, m) for m in conv.messages]
            users = [
                {"id": conv.requester, "name": conv.requester_name, "role": "end-user"},
                {"id": w.AGENT, "name": w.AGENT_NAME, "role": "agent"},
            ]
            if "per_page" in q:  # offset pagination
                number = int(q.get("page", 1))
                chunk = comments[(number - 1) * PAGE : number * PAGE]
                more = number * PAGE < len(comments)
                nxt = (
                    self.link(path, {"include": "users", "per_page": PAGE, "page": number + 1})
                    if more
                    else None
                )
                return (
                    200,
                    {},
                    {
                        "comments": chunk,
                        "users": users,
                        "next_page": nxt,
                        "previous_page": None,
                        "count": len(comments),
                    },
                )
            start = int(q.get("page[after]", 0))
            chunk = comments[start : start + PAGE]
            more = start + PAGE < len(comments)
            links = {
                "prev": self.link(path, {"page[before]": start, "page[size]": PAGE}),
                "next": self.link(path, {"page[after]": start + PAGE, "page[size]": PAGE}),
            }
            return 200, {}, {"comments": chunk, "users": users, "meta": {"has_more": more}, "links": links}
        return 404, {}, {"error": "RecordNotFound"}

    def _zd_ticket(self, conv: Conv) -> dict[str, Any]:
        return {
            "id": conv.id,
            "url": f"{self.url}/api/v2/tickets/{conv.id}.json",
            "via": {"channel": "email"},
            "created_at": iso(conv.created),
            "updated_at": iso(conv.updated),
            "subject": f"Ticket {conv.id}",
            "description": conv.messages[0].text,
            "requester_id": conv.requester,
            "submitter_id": conv.requester,
            "status": "open",
            "generated_timestamp": conv.updated,
        }

    def _zd_comment(self, conv: Conv, msg: Msg) -> dict[str, Any]:
        author, _ = self.world.author(conv, msg)
        return {
            "id": msg.id,
            "type": "Comment",
            "author_id": -1 if msg.role == "bot" else author,
            "body": msg.text,
            "plain_body": msg.text,
            "html_body": f"<p>{msg.text}</p>",
            "public": msg.role != "note",
            "created_at": iso(msg.at),
            "via": {"channel": "rule" if msg.role == "bot" else "web"},
        }

    # ── Freshdesk ──

    def _freshdesk(self, path: str, q: dict[str, str]) -> tuple[int, dict[str, str], Any]:
        w = self.world
        if path == "/api/v2/agents":
            return 200, {}, [{"id": w.AGENT, "contact": {"name": w.AGENT_NAME, "email": "sam@example.com"}}]
        if path == "/api/v2/tickets":
            since = datetime.fromisoformat(q["updated_since"].replace("Z", "+00:00")).timestamp()
            rest = [c for c in w.by_update() if c.updated >= since]
            number = int(q.get("page", 1))
            page = rest[(number - 1) * PAGE : number * PAGE]
            more = number * PAGE < len(rest)
            headers = {"Link": f'<{self.link(path, {**q, "page": number + 1})}>; rel="next"'} if more else {}
            return 200, headers, [self._fd_ticket(c) for c in page]
        if path.startswith("/api/v2/tickets/") and path.endswith("/conversations"):
            conv = w.convs[int(path.split("/")[4])]
            entries = [self._fd_conversation(conv, m) for m in conv.messages[1:]]
            number = int(q.get("page", 1))
            more = number * PAGE < len(entries)
            headers = (
                {"Link": f'<{self.link(path, {"per_page": PAGE, "page": number + 1})}>; rel="next"'}
                if more
                else {}
            )
            return 200, headers, entries[(number - 1) * PAGE : number * PAGE]
        return 404, {}, {"code": "not_found"}

    def _fd_ticket(self, conv: Conv) -> dict[str, Any]:
        first = conv.messages[0].text
        return {
            "id": conv.id,
            "subject": f"Ticket {conv.id}",
            "source": 7 if conv.id % 2 else 1,
            "requester_id": conv.requester,
            "responder_id": self.world.AGENT,
            "created_at": iso(conv.created),
            "updated_at": iso(conv.updated),
            "description": f"<div>{first}</div>",
            "description_text": first,
            "requester": {"id": conv.requester, "name": conv.requester_name},
        }

    def _fd_conversation(self, conv: Conv, msg: Msg) -> dict[str, Any]:
        author, _ = self.world.author(conv, msg)
        return {
            "id": msg.id,
            "body": f"<div>{msg.text}</div>",
            "body_text": msg.text,
            "incoming": msg.role == "customer",
            "private": msg.role == "note",
            "user_id": author,
            "source": 2 if msg.role == "note" else 0,
            "ticket_id": conv.id,
            "created_at": iso(msg.at),
            "automation_id": 5 if msg.role == "bot" else None,
        }

    # ── Chatwoot ──

    def _chatwoot(self, path: str, q: dict[str, str]) -> tuple[int, dict[str, str], Any]:
        w = self.world
        base = "/api/v1/accounts/1/conversations"
        if path == base:
            ordered = sorted(w.convs.values(), key=lambda c: (-c.updated, c.id))
            number = int(q.get("page", 1))
            page = ordered[(number - 1) * PAGE : number * PAGE]
            return (
                200,
                {},
                {"data": {"meta": {"all_count": len(ordered)}, "payload": [self._cw_conv(c) for c in page]}},
            )
        if path.startswith(base + "/") and path.endswith("/messages"):
            conv = w.convs[int(path.split("/")[6])]
            before = int(q["before"]) if "before" in q else None
            older = [m for m in conv.messages if before is None or m.id < before]
            page = older[-PAGE:]
            return (
                200,
                {},
                {
                    "meta": {"contact": {"id": conv.requester}},
                    "payload": [self._cw_msg(conv, m) for m in page],
                },
            )
        return 404, {}, {"error": "not found"}

    def _cw_conv(self, conv: Conv) -> dict[str, Any]:
        sender = {"id": conv.requester, "name": conv.requester_name, "type": "contact"}
        return {
            "id": conv.id,
            "inbox_id": 1,
            "status": "open",
            "channel": "Channel::WebWidget",
            "meta": {"sender": sender, "channel": "Channel::WebWidget"},
            "last_activity_at": conv.updated,
            "created_at": conv.created,
            "messages": [self._cw_msg(conv, conv.messages[-1])],
        }

    def _cw_msg(self, conv: Conv, msg: Msg) -> dict[str, Any]:
        author, name = self.world.author(conv, msg)
        kind = {"customer": ("Contact", "contact"), "bot": ("AgentBot", "agent_bot")}.get(
            msg.role, ("User", "user")
        )
        return {
            "id": msg.id,
            "content": msg.text,
            "message_type": 0 if msg.role == "customer" else 1,
            "private": msg.role == "note",
            "created_at": msg.at,
            "conversation_id": conv.id,
            "sender_type": kind[0],
            "sender": {"id": author, "name": name, "type": kind[1]},
        }


def environment(vendor: str) -> dict[str, str]:
    """The variables that sign in to the server."""
    names = {
        "zendesk": {"TACTFUL_ZENDESK_EMAIL": EMAIL, "TACTFUL_ZENDESK_API_TOKEN": TOKEN},
        "freshdesk": {"TACTFUL_FRESHDESK_API_KEY": TOKEN},
        "chatwoot": {"TACTFUL_CHATWOOT_API_TOKEN": TOKEN},
    }
    return names[vendor]
