"""Helpdesk data as the vendors send it: envelopes, bare arrays, pages, audits, webhooks, connector
records, several files joined by ticket id, compact or indented alike; roles from the vendors' own
fields (bots apart), author names, channels; bad records as problems with their positions.

The payloads are written for these tests in the vendors' documented shapes (no recorded data): ids,
names and texts are made up. ``test_qa_shared_samples.py`` reads the recorded samples.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tactful.channels import CHATWOOT, vendor_channel
from tactful.qa.conversation import Conversation, Problem, QAError
from tactful.qa.formats import Source, read_export
from tactful.qa.pipeline import work_items

ASK = "My blender from order 5521 broke after six weeks. I want a refund."
NO = (
    "Unfortunately we can't refund order 5521 because it is past our 30-day window. I can offer store credit."
)


def write(path: Path, document: Any, *, compact: bool = False) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(document, separators=(",", ":")) if compact else json.dumps(document, indent=2)
    path.write_text(text, encoding="utf-8")
    return path


def read(fmt: str, *paths: Path, workdir: Path) -> tuple[list[Conversation], list[Problem]]:
    """Read ``paths`` as one export; every ``.json`` file is also read on one line (compact) and must
    give the same conversations and problems: the shape comes from the data, not the formatting."""
    found = _read(fmt, paths, workdir)
    if paths and all(p.is_file() and p.suffix == ".json" for p in paths):
        twins = []
        for i, path in enumerate(paths):
            twin = workdir / "compact-twins" / str(i) / path.name
            try:
                document = json.loads(path.read_text(encoding="utf-8"))
            except json.JSONDecodeError:
                return found  # several documents in one file: nothing to compact
            twins.append(write(twin, document, compact=True))
        again = _read(fmt, twins, workdir)
        assert content(again[0]) == content(found[0])
        assert [p.reason for p in again[1]] == [p.reason for p in found[1]]
    return found


def _read(fmt: str, paths: Any, workdir: Path) -> tuple[list[Conversation], list[Problem]]:
    source = Source([str(p) for p in paths])
    try:
        items = list(read_export(source, fmt, workdir))
    finally:
        source.close()
    return [i for i in items if isinstance(i, Conversation)], [i for i in items if isinstance(i, Problem)]


def turns(conversation: Conversation) -> list[tuple[str, str, str]]:
    return [(t.role, t.author, t.text) for t in conversation.turns]


def content(conversations: list[Conversation]) -> list[tuple[Any, ...]]:
    """What was read, whatever file or position it came from."""
    return [(c.id, c.channel, c.notes, c.turns) for c in conversations]


# ── Zendesk ──────────────────────────────────────────────────────────────────────────────

ZD_TICKET = {
    "id": 501,
    "url": "https://acme.zendesk.com/api/v2/tickets/501.json",
    "via": {"channel": "email", "source": {"from": {}, "to": {}, "rel": None}},
    "created_at": "2026-02-01T09:00:00Z",
    "subject": "Blender refund",
    "description": ASK,
    "requester_id": 9001,
    "submitter_id": 9001,
    "assignee_id": 7001,
    "status": "open",
}
ZD_COMMENTS = {
    "comments": [
        {
            "id": 1,
            "type": "Comment",
            "author_id": 9001,
            "body": ASK,
            "plain_body": ASK,
            "public": True,
            "via": {"channel": "email"},
            "created_at": "2026-02-01T09:00:00Z",
        },
        {
            "id": 2,
            "type": "Comment",
            "author_id": -1,
            "body": "We got your request.",
            "public": True,
            "via": {"channel": "rule", "source": {"rel": "trigger"}},
            "created_at": "2026-02-01T09:00:30Z",
        },
        {
            "id": 3,
            "type": "Comment",
            "author_id": 7001,
            "body": "Past the window, say no.",
            "public": False,
            "via": {"channel": "web"},
            "created_at": "2026-02-01T09:30:00Z",
        },
        {
            "id": 4,
            "type": "Comment",
            "author_id": 7001,
            "html_body": f"<p>{NO}</p>",
            "public": True,
            "via": {"channel": "web"},
            "created_at": "2026-02-01T10:00:00Z",
        },
    ],
    "users": [
        {"id": 9001, "name": "Ann Buyer", "role": "end-user"},
        {"id": 7001, "name": "Sam Helper", "role": "agent"},
    ],
    "meta": {"has_more": False, "after_cursor": "xyz", "before_cursor": "abc"},
    "links": {
        "prev": "https://acme.zendesk.com/api/v2/tickets/501/comments.json?page%5Bbefore%5D=abc&page%5Bsize%5D=100",
        "next": "https://acme.zendesk.com/api/v2/tickets/501/comments.json?page%5Bafter%5D=xyz&page%5Bsize%5D=100",
    },
}
ZD_AUDITS = {
    "audits": [
        {
            "id": 81,
            "ticket_id": 502,
            "created_at": "2026-02-02T08:00:00Z",
            "author_id": 9002,
            "via": {"channel": "twitter"},
            "events": [
                {
                    "id": 811,
                    "type": "Comment",
                    "author_id": 9002,
                    "body": "Can I get the trial extended?",
                    "public": True,
                },
                {"id": 812, "type": "Create", "field_name": "requester_id", "value": "9002"},
                {
                    "id": 813,
                    "type": "Notification",
                    "subject": "Received",
                    "body": "We got it: {{ticket.id}}",
                    "recipients": [9002],
                    "via": {"channel": "rule", "source": {"from": {"id": 5, "title": "Notify requester"}}},
                },
                {
                    "id": 814,
                    "type": "Notification",
                    "subject": "New ticket",
                    "body": "A ticket came in",
                    "recipients": [7001],
                    "via": {"channel": "rule", "source": {"from": {"id": 6, "title": "Notify agents"}}},
                },
            ],
        },
        {
            "id": 82,
            "ticket_id": 502,
            "created_at": "2026-02-02T08:45:00Z",
            "author_id": 7002,
            "via": {"channel": "twitter"},
            "events": [
                {
                    "id": 821,
                    "type": "Comment",
                    "author_id": 7002,
                    "body": "We cannot extend the trial.",
                    "public": True,
                }
            ],
        },
    ],
    "meta": {"has_more": False},
}


def test_zendesk_ticket_and_its_comments_in_two_files_join_by_ticket_id(tmp_path: Path) -> None:
    ticket = write(tmp_path / "export" / "ticket.json", {"ticket": ZD_TICKET})
    comments = write(tmp_path / "export" / "comments" / "page1.json", ZD_COMMENTS)
    convs, problems = read("zendesk", ticket, comments, workdir=tmp_path)
    assert problems == []
    (conv,) = convs
    assert conv.id == "501" and conv.channel == "email"
    # The description repeats comment 1: told once. The trigger's comment is a bot; the note is counted.
    assert turns(conv) == [
        ("customer", "Ann Buyer", ASK),
        ("bot", "-1", "We got your request."),
        ("agent", "Sam Helper", NO),
    ]
    assert conv.notes == 1
    # A folder of the same files reads the same.
    assert content(read("zendesk", tmp_path / "export", workdir=tmp_path)[0]) == content(convs)


def test_zendesk_audits_give_requester_bots_and_channel(tmp_path: Path) -> None:
    convs, problems = read("zendesk", write(tmp_path / "a.json", ZD_AUDITS), workdir=tmp_path)
    assert problems == []
    (conv,) = convs
    assert conv.channel == "social"  # via twitter, from the vendor's table
    # The notification to the requester is an automation's turn; the one to the agents is no turn.
    assert [(t.role, t.author) for t in conv.turns] == [
        ("customer", "9002"),
        ("bot", "Notify requester"),
        ("agent", "7002"),
    ]
    item = next(work_items(conv))
    assert item.customer == "Can I get the trial extended?" and item.received_at == "2026-02-02T08:00:00Z"


def test_zendesk_incremental_pages_one_per_line_and_a_comments_page_alone(tmp_path: Path) -> None:
    page1 = {
        "tickets": [ZD_TICKET],
        "next_page": "https://acme.zendesk.com/api/v2/incremental/tickets.json?start_time=2",
        "end_of_stream": False,
        "end_time": 2,
        "count": 1,
    }
    other = {**ZD_TICKET, "id": 503, "submitter_id": 7001, "description": "Calling about my order."}
    page2 = {"tickets": [other], "after_cursor": "c2", "end_of_stream": True}
    pages = tmp_path / "pages.jsonl"
    pages.write_text(json.dumps(page1) + "\n" + json.dumps(page2) + "\n", encoding="utf-8")
    convs, _ = read("zendesk", pages, workdir=tmp_path)
    assert [c.id for c in convs] == ["501", "503"]
    assert turns(convs[0]) == [("customer", "9001", ASK)]  # the description opens it
    assert convs[1].turns[0].role == "agent"  # an agent submitted it for the requester
    # A comments page without links names no ticket: it stands alone, the first author the requester.
    alone = {k: v for k, v in ZD_COMMENTS.items() if k not in ("links", "users")}
    convs, _ = read("zendesk", write(tmp_path / "t777_comments.json", alone), workdir=tmp_path)
    assert convs[0].id == "t777_comments"
    assert [t.role for t in convs[0].turns] == ["customer", "bot", "agent"]


def test_pages_saved_one_after_another_indented_as_jq_prints_them(tmp_path: Path) -> None:
    second = {**ZD_TICKET, "id": 504, "requester_id": "not-a-number", "created_at": "yesterday"}
    export = tmp_path / "pages.json"
    pages = [{"tickets": [ZD_TICKET]}, {"tickets": [{**ZD_TICKET, "id": 503}, second]}]
    export.write_text("\n".join(json.dumps(page, indent=2) for page in pages), encoding="utf-8")
    convs, problems = read("zendesk", export, workdir=tmp_path)
    assert [c.id for c in convs] == ["501", "503"]
    assert [p.position for p in problems] == ["document 2, item 2"]


def test_zendesk_airbyte_records_join_tickets_and_comments(tmp_path: Path) -> None:
    export = tmp_path / "airbyte.jsonl"
    lines = [
        {"stream": "tickets", "data": ZD_TICKET, "emitted_at": 1},
        {
            "stream": "ticket_comments",
            "data": {**ZD_COMMENTS["comments"][3], "ticket_id": 501},
            "emitted_at": 2,
        },
        {"stream": "users", "data": ZD_COMMENTS["users"][1], "emitted_at": 3},
        {"stream": "brands", "data": {"id": 1, "name": "Acme"}, "emitted_at": 4},
    ]
    export.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    (conv,), problems = read("zendesk", export, workdir=tmp_path)
    assert problems == [] and turns(conv) == [("customer", "9001", ASK), ("agent", "Sam Helper", NO)]


def test_zendesk_event_webhooks_join_by_ticket(tmp_path: Path) -> None:
    detail = {
        "id": "502",
        "requester_id": "9002",
        "submitter_id": "9002",
        "via": {"channel": "web_service"},
        "created_at": "2026-02-02T08:00:00Z",
        "description": "Can I get the trial extended?",
    }

    def event(n: int, staff: bool, body: str, public: bool = True) -> dict[str, Any]:
        author = {
            "id": "7002" if staff else "9002",
            "is_staff": staff,
            "name": "Lu Chen" if staff else "Bo Ek",
        }
        comment = {"id": str(n), "author": author, "body": body, "is_public": public}
        return {
            "type": "zen:event-type:ticket.comment_added",
            "subject": "zen:ticket:502",
            "detail": detail,
            "event": {"comment": comment},
            "time": f"2026-02-02T08:0{n}:00Z",
        }

    hooks = tmp_path / "hooks"
    write(hooks / "1.json", event(0, False, "Can I get the trial extended?"))
    write(hooks / "2.json", event(1, True, "Past the window.", public=False))
    write(hooks / "3.json", event(2, True, "We cannot extend the trial, but I can offer a discount."))
    (conv,), problems = read("zendesk", hooks, workdir=tmp_path)
    assert problems == [] and conv.id == "502" and conv.notes == 1
    assert [(t.role, t.author) for t in conv.turns] == [("customer", "Bo Ek"), ("agent", "Lu Chen")]


# ── compact vs indented, pages one per line, big documents ──────────────────────────────


FRESHDESK_TICKET = {
    "id": 31,
    "subject": "Chat about delivery",
    "source": 15,
    "requester_id": 4001,
    "responder_id": 5001,
    "created_at": "2026-03-01T12:00:00Z",
    "description": "<div>Where is my parcel 88?</div>",
    "description_text": "Where is my parcel 88?",
    "requester": {"id": 4001, "name": "Kim Lee", "email": "kim@example.org"},
    "conversations": [
        {
            "id": 1,
            "body_text": "We cannot deliver before Friday, sorry.",
            "incoming": False,
            "private": False,
            "user_id": 5001,
            "source": 0,
            "ticket_id": 31,
            "created_at": "2026-03-01T12:01:00Z",
        },
        {
            "id": 2,
            "body_text": "Checked with the carrier.",
            "incoming": True,
            "private": False,
            "user_id": 5001,
            "source": 2,
            "ticket_id": 31,
            "created_at": "2026-03-01T12:02:00Z",
        },
        {
            "id": 3,
            "body_text": "Thanks for waiting! This is an automatic reply.",
            "incoming": False,
            "private": False,
            "user_id": 5001,
            "source": 0,
            "ticket_id": 31,
            "automation_id": 77,
            "created_at": "2026-03-01T12:03:00Z",
        },
        {
            "id": 4,
            "body_text": "Fine.",
            "incoming": True,
            "private": False,
            "user_id": 4001,
            "source": 0,
            "ticket_id": 31,
            "created_at": "2026-03-01T12:04:00Z",
        },
    ],
}


def test_compact_and_indented_read_the_same(tmp_path: Path) -> None:
    # ``read`` checks every .json file both ways; here the three Zendesk shapes once more, by hand.
    for i, document in enumerate([{"ticket": ZD_TICKET}, ZD_COMMENTS, ZD_AUDITS, [FRESHDESK_TICKET]]):
        fmt = "freshdesk" if i == 3 else "zendesk"
        indented = _read(fmt, [write(tmp_path / f"{i}-i.json", document)], tmp_path)
        compact = _read(fmt, [write(tmp_path / f"{i}-c.json", document, compact=True)], tmp_path)
        assert indented == compact and indented[0], i
        assert (tmp_path / f"{i}-c.json").read_text().count("\n") == 0


def test_a_document_too_large_to_hold_is_streamed_by_its_list(tmp_path: Path, monkeypatch: Any) -> None:
    import tactful.qa.jsonstream as js

    page = {"count": 30, "tickets": [{**ZD_TICKET, "id": 600 + i} for i in range(30)], "end_of_stream": True}
    whole = read("zendesk", write(tmp_path / "p.json", page), workdir=tmp_path)
    monkeypatch.setattr(js, "MAX_RECORD_CHARS", 3000)
    monkeypatch.setattr(js, "_READ_CHARS", 1000)
    streamed = read("zendesk", write(tmp_path / "p.json", page), workdir=tmp_path)
    assert streamed == whole and len(whole[0]) == 30


# ── Freshdesk ────────────────────────────────────────────────────────────────────────────


def test_freshdesk_roles_from_incoming_source_and_automation(tmp_path: Path) -> None:
    (conv,), _ = read("freshdesk", write(tmp_path / "t.json", FRESHDESK_TICKET), workdir=tmp_path)
    assert conv.channel == "chat"  # source 15: web chat, 2-minute SLA, not email's 24 hours
    # The API note marked incoming is a note, not the customer; the automation's reply is a bot's.
    assert [(t.role, t.author) for t in conv.turns] == [
        ("customer", "Kim Lee"),
        ("agent", "5001"),
        ("bot", "5001"),
        ("customer", "Kim Lee"),
    ]
    assert conv.notes == 1


def test_freshdesk_outbound_email_and_conversations_apart(tmp_path: Path) -> None:
    outbound = {k: v for k, v in FRESHDESK_TICKET.items() if k != "conversations"}
    outbound |= {
        "id": 32,
        "source": 10,
        "description_text": "Your order 91 is delayed, we cannot ship it this week.",
    }
    convs_of_32 = [{**c, "ticket_id": 32} for c in FRESHDESK_TICKET["conversations"][3:]]
    tickets = write(tmp_path / "tickets.json", [outbound])
    conversations = write(tmp_path / "conversations.json", convs_of_32)
    (conv,), _ = read("freshdesk", tickets, conversations, workdir=tmp_path)
    assert conv.channel == "email" and [t.role for t in conv.turns] == ["agent", "customer"]
    assert conv.turns[0].author == "5001"  # an outbound email is the agent's, not the customer's turn


# ── Help Scout ───────────────────────────────────────────────────────────────────────────


def test_helpscout_v1_v2_and_threads_pages(tmp_path: Path) -> None:
    v1 = {
        "item": {
            "id": 71,
            "type": "email",
            "subject": "Dark mode",
            "threads": [
                {
                    "id": 2,
                    "type": "message",
                    "createdAt": "2026-04-01T11:00:00Z",
                    "body": "We won't add dark mode this year.",
                    "createdBy": {"id": 11, "firstName": "Mia", "lastName": "Lopez", "type": "user"},
                },
                {
                    "id": 1,
                    "type": "customer",
                    "createdAt": "2026-04-01T10:00:00Z",
                    "body": "Please add dark mode.",
                    "createdBy": {"id": 11, "firstName": "Mia", "lastName": "Lopez", "type": "user"},
                    "customer": {"id": 900, "firstName": "Sam", "lastName": "Reed", "type": "customer"},
                },
            ],
        }
    }
    (conv,), _ = read("helpscout", write(tmp_path / "v1.json", v1), workdir=tmp_path)
    # Entered by an agent, the customer thread is still the customer's, under the customer's name.
    assert [(t.role, t.author) for t in conv.turns] == [("customer", "Sam Reed"), ("agent", "Mia Lopez")]
    listed = {
        "_embedded": {"conversations": [{"id": 72, "type": "chat", "threads": 2, "subject": "Hi"}]},
        "page": {"number": 1, "totalPages": 1},
    }
    threads = {
        "_embedded": {
            "threads": [
                {
                    "id": 5,
                    "type": "chat",
                    "createdAt": "2026-04-02T10:00:00Z",
                    "body": "Can I pay later?",
                    "createdBy": {"id": 901, "type": "customer", "first": "Ola", "last": "Berg"},
                },
                {
                    "id": 6,
                    "type": "reply",
                    "createdAt": "2026-04-02T10:01:00Z",
                    "body": "Not on this plan, sorry.",
                    "createdBy": {"id": 12, "type": "user", "first": "Lu", "last": "Chen"},
                    "action": {"type": "automatic-workflow", "text": "Workflow ran"},
                },
            ]
        },
        "_links": {"self": {"href": "https://api.helpscout.net/v2/conversations/72/threads"}},
    }
    listed_path = write(tmp_path / "list.json", listed)
    convs, problems = read("helpscout", listed_path, workdir=tmp_path)
    assert convs == [] and "embed=threads" in problems[0].reason  # says how to get the threads
    (conv,), _ = read("helpscout", listed_path, write(tmp_path / "threads.json", threads), workdir=tmp_path)
    assert conv.channel == "chat" and [t.role for t in conv.turns] == ["customer", "bot"]


# ── Intercom ─────────────────────────────────────────────────────────────────────────────


def test_intercom_opening_message_webhook_wrapper_bots_and_parts_apart(tmp_path: Path) -> None:
    webhook = {
        "type": "notification_event",
        "topic": "conversation.user.replied",
        "data": {
            "type": "notification_event_data",
            "item": {
                "type": "conversation",
                "id": "9001",
                "created_at": 1767261600,
                "user": {"type": "user", "id": "u1", "name": "Dana Kim"},
                "conversation_message": {
                    "type": "conversation_message",
                    "body": "<p>I was charged twice.</p>",
                    "author": {"type": "user", "id": "u1"},
                },
                "conversation_parts": {
                    "type": "conversation_part.list",
                    "conversation_parts": [
                        {
                            "type": "conversation_part",
                            "id": "p1",
                            "part_type": "comment",
                            "body": "<p>A human will reply soon.</p>",
                            "created_at": 1767261610,
                            "author": {"type": "bot", "id": "b1", "name": "Operator"},
                        },
                    ],
                },
            },
        },
    }
    part = {
        "type": "conversation_part",
        "id": "p2",
        "part_type": "comment",
        "conversation_id": "9001",
        "body": "<p>We can't refund it twice, but I have reversed the second charge.</p>",
        "created_at": 1767261900,
        "author": {"type": "admin", "id": "a1", "name": "Lee Park"},
    }
    hook, parts = write(tmp_path / "hook.json", webhook), write(tmp_path / "parts.json", [part])
    (conv,), _ = read("intercom", hook, parts, workdir=tmp_path)
    assert [(t.role, t.author) for t in conv.turns] == [
        ("customer", "Dana Kim"),  # the old API's opening message, named from the conversation's user
        ("bot", "Operator"),
        ("agent", "Lee Park"),
    ]
    # The bot is no agent and does not answer the customer: the agent's reply does.
    (item,) = work_items(conv)
    assert item.agent == "Lee Park" and item.customer == "I was charged twice."
    automated = {
        "type": "conversation.list",
        "conversations": [
            {
                "type": "conversation",
                "id": "9002",
                "created_at": 1767261600,
                "source": {
                    "type": "email",
                    "delivered_as": "automated",
                    "body": "<p>Hello!</p>",
                    "author": {"type": "admin", "id": "a1", "name": "Team"},
                },
            }
        ],
    }
    (conv,), _ = read("intercom", write(tmp_path / "list.json", automated), workdir=tmp_path)
    assert conv.channel == "email" and [t.role for t in conv.turns] == ["bot"]


# ── Chatwoot ─────────────────────────────────────────────────────────────────────────────


def _chatwoot_message(message_id: int, kind: int, text: str, sender: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": message_id,
        "content": text,
        "message_type": kind,
        "private": False,
        "created_at": 1767348000 + message_id,
        "conversation_id": 40,
        "sender": sender,
    }


def test_chatwoot_message_webhooks_join_into_their_conversation(tmp_path: Path) -> None:
    contact = {"id": 3, "name": "Alex", "type": "contact"}
    conversation = {"id": 40, "channel": "Channel::Api", "meta": {"sender": contact}, "messages": []}
    ask = _chatwoot_message(1, 0, "Can I get a discount on the yearly plan?", contact)
    bot = _chatwoot_message(
        2, 1, "An agent will be with you shortly.", {"id": 1, "name": "Helper Bot", "type": "agent_bot"}
    )
    bot["sender_type"] = "AgentBot"
    reply = _chatwoot_message(
        3, 1, "We cannot give discounts on the yearly plan.", {"id": 5, "name": "Jo", "type": "user"}
    )
    hooks = tmp_path / "hooks"
    for message in (ask, bot, reply):
        event = {
            **message,
            "event": "message_created",
            "message_type": ["incoming", "outgoing"][message["message_type"]],
            "conversation": {**conversation, "messages": [message]},
        }
        write(hooks / f"{message['id']}.json", event, compact=True)
    write(
        hooks / "status.json", {**conversation, "event": "conversation_status_changed", "messages": [reply]}
    )
    (conv,), problems = read("chatwoot", hooks, workdir=tmp_path)
    assert problems == []
    assert [(t.role, t.author) for t in conv.turns] == [
        ("customer", "Alex"),
        ("bot", "Helper Bot"),
        ("agent", "Jo"),
    ]
    assert conv.channel == "chat" == CHATWOOT["Channel::Api"]  # the one table the webhooks use too


def test_the_webhooks_use_the_vendors_channel_tables() -> None:
    from tactful.web.api.webhooks import chatwoot, flow, zendesk

    assert chatwoot.vendor_channel is vendor_channel and zendesk.vendor_channel is vendor_channel
    for module in (chatwoot, flow, zendesk):
        assert not any(isinstance(v, dict) and "Channel::Api" in v for v in vars(module).values())
    assert vendor_channel("chatwoot", "Channel::Api") == "chat"
    assert vendor_channel("zendesk", "native_messaging") == "chat"
    assert vendor_channel("zendesk", "Twitter") == "social"
    assert vendor_channel("freshdesk", 15) == "chat" and vendor_channel("freshdesk", 99) == "email"
    assert vendor_channel("intercom", None) == "chat" and vendor_channel("helpscout", "phone") == "email"


# ── what is not understood, and broken records ───────────────────────────────────────────


def test_a_shape_not_understood_says_which_shapes_and_how_to_get_them(tmp_path: Path) -> None:
    odd = write(tmp_path / "odd.json", {"widgets": [{"id": 1}]})
    with pytest.raises(
        QAError, match=r"odd\.json: item 1: expected a Zendesk ticket.*comments\.json\?include=users"
    ):
        read("zendesk", odd, workdir=tmp_path)
    good = write(tmp_path / "a" / "1.json", {"ticket": ZD_TICKET})
    write(tmp_path / "a" / "2.json", {"widgets": [{"id": 1}]})
    convs, problems = read("zendesk", tmp_path / "a", workdir=tmp_path)
    assert [c.id for c in convs] == ["501"] and good.exists()
    assert problems[0].position.endswith("2.json: item 1") and "GET /api/v2/" in problems[0].reason


def test_broken_records_are_problems_with_positions_never_a_stop(tmp_path: Path) -> None:
    bad_comment = {"id": 9, "type": "Comment", "body": "no author"}
    page = {
        "comments": [
            ZD_COMMENTS["comments"][0],
            bad_comment,
            {**ZD_COMMENTS["comments"][3], "created_at": "soon"},
        ],
        "links": ZD_COMMENTS["links"],
    }
    lines = tmp_path / "pages.jsonl"
    lines.write_text(
        json.dumps({"ticket": ZD_TICKET}) + "\n{broken\n" + json.dumps(page) + "\n", encoding="utf-8"
    )
    convs, problems = read("zendesk", lines, workdir=tmp_path)
    assert [(p.position, p.reason) for p in problems] == [
        ("line 2", problems[0].reason),
        ("line 3, item 2", "missing required field 'author_id'"),
        ("line 3, item 3", "field 'created_at': not a timestamp: 'soon'"),
    ]
    assert problems[0].reason.startswith("not valid JSON")
    assert [c.id for c in convs] == ["501"] and [t.role for t in convs[0].turns] == ["customer"]
