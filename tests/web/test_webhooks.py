"""Helpdesk webhooks with payloads shaped like Chatwoot's and Zendesk's documented ones:
signatures checked, agent replies analyzed, customer messages drafted, notes to post."""

from __future__ import annotations

import copy
import hashlib
import hmac
import json
import time
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tactful.web.api.webhooks import zendesk_signature

CHATWOOT_SECRET = "chatwoot-shared-secret"  # as in conftest.web_settings
ZENDESK_SECRET = "zendesk-signing-secret"
CUSTOMER = "Hi, I want a refund for order #A1234, the blue jacket does not fit. This is ridiculous!"
AGENT_REPLY = "We can't refund this. It's against our policy."

# Chatwoot's documented message_created payload (docs: "Webhook events", message_created).
CHATWOOT_MESSAGE: dict[str, Any] = {
    "id": 118,
    "content": CUSTOMER,
    "created_at": "2021-07-23T18:02:48.000Z",
    "message_type": "incoming",
    "content_type": "text",
    "private": False,
    "content_attributes": {},
    "source_id": None,
    "sender": {"id": 14, "name": "little-haze-776", "avatar": "", "type": "contact"},
    "inbox": {"id": 1, "name": "Acme Support"},
    "conversation": {
        "additional_attributes": {"referer": "http://localhost:3000/widget_tests"},
        "can_reply": True,
        "channel": "Channel::WebWidget",
        "id": 10,
        "inbox_id": 1,
        "contact_inbox": {"id": 12, "contact_id": 14, "inbox_id": 1, "source_id": "405f1d30"},
        "messages": [
            {
                "id": 117,
                "content": CUSTOMER,
                "account_id": 1,
                "inbox_id": 1,
                "conversation_id": 10,
                "message_type": 0,
                "created_at": 1627063369,
                "private": False,
                "status": "sent",
                "content_type": "text",
                "sender_type": "Contact",
                "sender_id": 14,
            }
        ],
        "meta": {"sender": {"id": 14, "name": "little-haze-776", "type": "contact"}},
        "status": "open",
        "unread_count": 1,
        "timestamp": 1627063369,
    },
    "account": {"id": 1, "name": "Acme Inc"},
    "event": "message_created",
}

# Zendesk's event webhook for a new ticket comment (zen:event-type:ticket.comment_added).
ZENDESK_EVENT: dict[str, Any] = {
    "account_id": 22129848,
    "detail": {
        "actor_id": "8447388090494",
        "brand_id": "8447346621310",
        "created_at": "2025-01-08T10:12:07Z",
        "id": "5158",
        "is_public": True,
        "priority": "HIGH",
        "requester_id": "8447388090494",
        "status": "OPEN",
        "subject": "Refund for my jacket",
        "type": "QUESTION",
        "updated_at": "2025-01-08T14:25:30Z",
        "via": {"channel": "web_service"},
    },
    "event": {
        "comment": {
            "id": "9876543210",
            "body": CUSTOMER,
            "is_public": True,
            "author": {"id": "8447388090494", "is_staff": False, "name": "Dana Customer"},
        }
    },
    "id": "d4f5c389-8f4a-4c2e-a1b9-8e4f39c71d52",
    "subject": "zen:ticket:5158",
    "time": "2025-01-08T14:25:30.123456789Z",
    "type": "zen:event-type:ticket.comment_added",
    "zendesk_event_version": "2022-11-06",
}


def _chatwoot(**changes: Any) -> dict[str, Any]:
    payload = copy.deepcopy(CHATWOOT_MESSAGE)
    payload.update(changes)
    return payload


def _agent_reply(message_id: int = 119) -> dict[str, Any]:
    return _chatwoot(
        id=message_id,
        content=AGENT_REPLY,
        message_type="outgoing",
        sender={"id": 1, "name": "John", "email": "john@acme.inc", "type": "user"},
    )


def _post_chatwoot(client: TestClient, payload: Any, **kwargs: Any) -> Any:
    return client.post(
        "/v1/webhooks/chatwoot",
        params={"token": CHATWOOT_SECRET},
        content=json.dumps(payload).encode(),
        headers={"Content-Type": "application/json"},
        **kwargs,
    )


def _signed_zendesk(
    client: TestClient, body: bytes, secret: str = ZENDESK_SECRET, stamp: str | None = None
) -> Any:
    stamp = stamp or datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    return client.post(
        "/v1/webhooks/zendesk",
        content=body,
        headers={
            "Content-Type": "application/json",
            "X-Zendesk-Webhook-Signature": zendesk_signature(secret, stamp, body),
            "X-Zendesk-Webhook-Signature-Timestamp": stamp,
        },
    )


# ── Chatwoot ─────────────────────────────────────────────────────────────────────────────


def test_chatwoot_incoming_message_is_understood_decided_and_drafted(client: TestClient) -> None:
    r = _post_chatwoot(client, CHATWOOT_MESSAGE)  # no bearer token: the shared secret is the auth
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["action"] == "drafted" and body["conversation"] == "10"
    assert body["understanding"]["request"]["type"] == "refund"
    assert body["decision"]["request_type"] == "refund"
    # The helpdesk sends no purchase date: the draft asks for what the policy needs.
    assert body["decision"]["outcome"] == "needs_info" and body["decision"]["missing"]
    assert body["draft"]["channel"] == "chat" and body["draft"]["text"].strip()
    note = body["note"]
    assert "Needed to decide: " + ", ".join(body["decision"]["missing"]) in note
    assert note.startswith("tactful · the customer asks for: refund")
    assert "Suggested reply" in note and body["draft"]["text"] in note


def test_chatwoot_outgoing_reply_is_analyzed_against_the_customers_message(client: TestClient) -> None:
    import tactful

    r = _post_chatwoot(client, _agent_reply())
    body = r.json()
    assert body["action"] == "analyzed"
    assert body["analysis"] == tactful.analyze(AGENT_REPLY, CUSTOMER).to_dict()
    assert body["note"].startswith(f"tactful · reply score {body['analysis']['score']}/100 (a refusal)")
    assert "Fix first:" in body["note"]


def test_an_agent_reply_to_a_known_contact_is_remembered_and_checked_next_time(client: TestClient) -> None:
    first = _post_chatwoot(client, _agent_reply()).json()
    assert isinstance(first["case"], int)
    store = client.app.state.store  # type: ignore[attr-defined]
    story = store.history("chatwoot:14")  # conversation.meta.sender: the contact
    assert [c.id for c in story.cases] == [first["case"]]
    assert story.cases[0].agent == "John" and story.cases[0].conversation == "chatwoot:10"
    again = _post_chatwoot(client, _agent_reply(message_id=120)).json()  # the agent's next reply
    assert again["analysis"]["characteristics"]["consistency"]["applicable"] is True
    told = [f for f in again["analysis"]["findings"] if f["characteristic"] == "consistency"]
    assert any(f"case #{first['case']}" in f["message"] for f in told), told
    assert len(store.history("chatwoot:14").cases) == 2


def test_the_answer_for_a_known_contact_is_the_analysis_the_store_keeps(client: TestClient) -> None:
    store = client.app.state.store  # type: ignore[attr-defined]
    first = _post_chatwoot(client, _agent_reply()).json()
    assert first["analysis"] == store.case_analysis(first["case"])  # logged once, answered from it
    again = _post_chatwoot(client, _agent_reply(message_id=120)).json()
    assert again["analysis"]["score"] == store.case(again["case"]).score
    assert again["analysis"] == store.case_analysis(again["case"])
    told = [f for f in again["analysis"]["findings"] if f["characteristic"] == "consistency"]
    assert told and all(f"case #{first['case']}" in f["message"] for f in told)


def test_a_reply_the_store_redacts_is_answered_on_the_agents_own_text(client: TestClient) -> None:
    reply = "We can't refund this. It's against our policy. Write to refunds-team@acme.example if you must."
    payload = _agent_reply()
    payload["content"] = reply
    body = _post_chatwoot(client, payload).json()
    store = client.app.state.store  # type: ignore[attr-defined]
    kept = store.case(body["case"]).reply
    assert "refunds-team@acme.example" not in kept  # the store keeps a redacted copy ...
    assert body["analysis"]["score"] == store.case(body["case"]).score or kept != reply
    for f in body["analysis"]["findings"]:  # ... but the spans point into what the agent wrote
        assert 0 <= f["start"] <= f["end"] <= len(reply)
    blame = next(f for f in body["analysis"]["findings"] if reply[f["start"] : f["end"]].startswith("It's"))
    assert blame["characteristic"]


def test_chatwoot_signed_delivery(client: TestClient) -> None:
    body = json.dumps(_agent_reply()).encode()
    stamp = str(int(time.time()))
    digest = hmac.new(CHATWOOT_SECRET.encode(), stamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    headers = {
        "Content-Type": "application/json",
        "X-Chatwoot-Timestamp": stamp,
        "X-Chatwoot-Signature": f"sha256={digest}",
    }
    assert client.post("/v1/webhooks/chatwoot", content=body, headers=headers).json()["action"] == "analyzed"
    tampered = body.replace(b"refund", b"refunx")
    r = client.post("/v1/webhooks/chatwoot", content=tampered, headers=headers)
    assert r.status_code == 401 and r.json()["error"]["code"] == "bad_signature"
    old = str(int(time.time()) - 3600)
    digest = hmac.new(CHATWOOT_SECRET.encode(), old.encode() + b"." + body, hashlib.sha256).hexdigest()
    stale = {**headers, "X-Chatwoot-Timestamp": old, "X-Chatwoot-Signature": f"sha256={digest}"}
    assert client.post("/v1/webhooks/chatwoot", content=body, headers=stale).status_code == 401


@pytest.mark.parametrize(
    "auth",
    [{}, {"params": {"token": "wrong"}}, {"headers": {"X-Tactful-Token": "wrong"}}],
    ids=["none", "wrong-query-token", "wrong-header-token"],
)
def test_chatwoot_without_the_secret_is_401(client: TestClient, auth: dict[str, Any]) -> None:
    r = client.post("/v1/webhooks/chatwoot", json=CHATWOOT_MESSAGE, **auth)
    assert r.status_code == 401 and r.json()["error"]["code"] == "bad_signature"


def test_chatwoot_header_token_works(client: TestClient) -> None:
    r = client.post(
        "/v1/webhooks/chatwoot", json=CHATWOOT_MESSAGE, headers={"X-Tactful-Token": CHATWOOT_SECRET}
    )
    assert r.json()["action"] == "drafted"


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"private": True, "message_type": "outgoing"}, "a private note"),
        ({"event": "conversation_status_changed"}, "is not message_created"),
        ({"message_type": "activity"}, "neither incoming nor outgoing"),
        ({"content": "   "}, "no text"),
    ],
)
def test_chatwoot_events_we_do_not_act_on_are_ignored(
    client: TestClient, changes: dict[str, Any], reason: str
) -> None:
    body = _post_chatwoot(client, _chatwoot(**changes)).json()
    assert body["action"] == "ignored" and reason in body["reason"] and body["note"] is None


def test_chatwoot_malformed_bodies(client: TestClient) -> None:
    bad = client.post(
        "/v1/webhooks/chatwoot",
        params={"token": CHATWOOT_SECRET},
        content=b"{not json",
        headers={"Content-Type": "application/json"},
    )
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "invalid_json"
    assert _post_chatwoot(client, [CHATWOOT_MESSAGE]).status_code == 422
    no_event = _chatwoot()
    del no_event["event"]
    r = _post_chatwoot(client, no_event)
    assert r.status_code == 422 and "event" in r.json()["error"]["message"]
    assert _post_chatwoot(client, _chatwoot(private="sometimes")).status_code == 422


def test_a_webhook_without_a_configured_secret_is_refused(make_app: Any) -> None:
    app = make_app(chatwoot_secret=None, zendesk_secret=None)
    with TestClient(app, raise_server_exceptions=False) as c:
        r = _post_chatwoot(c, CHATWOOT_MESSAGE)
        assert r.status_code == 503 and "TACTFUL_CHATWOOT_SECRET" in r.json()["error"]["message"]
        assert c.post("/v1/webhooks/zendesk", json=ZENDESK_EVENT).status_code == 503


# ── Zendesk ──────────────────────────────────────────────────────────────────────────────


def test_zendesk_customer_comment_is_drafted(client: TestClient) -> None:
    r = _signed_zendesk(client, json.dumps(ZENDESK_EVENT).encode())
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["action"] == "drafted" and body["conversation"] == "5158"
    assert body["draft"]["channel"] == "email" and "Suggested reply" in body["note"]


def test_zendesk_agent_comment_is_analyzed(client: TestClient) -> None:
    event = copy.deepcopy(ZENDESK_EVENT)
    event["event"]["comment"].update(body=AGENT_REPLY, author={"id": "1", "is_staff": True, "name": "Agent"})
    body = _signed_zendesk(client, json.dumps(event).encode()).json()
    assert body["action"] == "analyzed" and body["analysis"]["is_refusal"] is True
    assert body["note"].startswith("tactful · reply score")
    story = client.app.state.store.history("zendesk:8447388090494")  # type: ignore[attr-defined]
    assert [c.id for c in story.cases] == [body["case"]]  # the ticket's requester
    assert story.cases[0].agent == "Agent" and story.cases[0].conversation.startswith("zendesk:")


def test_zendesk_private_comments_and_other_events_are_ignored(client: TestClient) -> None:
    private = copy.deepcopy(ZENDESK_EVENT)
    private["event"]["comment"]["is_public"] = False
    assert _signed_zendesk(client, json.dumps(private).encode()).json()["action"] == "ignored"
    status = {**ZENDESK_EVENT, "type": "zen:event-type:ticket.status_changed", "event": {"current": "SOLVED"}}
    body = _signed_zendesk(client, json.dumps(status).encode()).json()
    assert body["action"] == "ignored" and "status_changed" in body["reason"]


def test_zendesk_trigger_body_with_placeholder_strings(client: TestClient) -> None:
    """A trigger's JSON body: placeholders render as text, so booleans arrive as "true"/"false"."""
    trigger = {"ticket_id": "5158", "comment": AGENT_REPLY, "public": "true", "author_role": "Agent"}
    body = _signed_zendesk(client, json.dumps(trigger).encode()).json()
    assert body["action"] == "analyzed" and body["conversation"] == "5158"
    customer = {**trigger, "comment": CUSTOMER, "author_role": "End-user"}
    assert _signed_zendesk(client, json.dumps(customer).encode()).json()["action"] == "drafted"
    internal = {**trigger, "public": "false"}
    assert _signed_zendesk(client, json.dumps(internal).encode()).json()["action"] == "ignored"
    nested = {
        "ticket": {"id": 7},
        "comment": {"value": CUSTOMER, "is_public": True, "author": {"role": "end-user"}},
    }
    assert _signed_zendesk(client, json.dumps(nested).encode()).json()["action"] == "drafted"
    anonymous = {"ticket_id": "1", "comment": CUSTOMER}
    r = _signed_zendesk(client, json.dumps(anonymous).encode())
    assert r.status_code == 422 and "author_role" in r.json()["error"]["message"]


def test_zendesk_bad_signatures_are_401(client: TestClient) -> None:
    body = json.dumps(ZENDESK_EVENT).encode()
    wrong = _signed_zendesk(client, body, secret="not-the-secret")
    assert wrong.status_code == 401 and wrong.json()["error"]["code"] == "bad_signature"
    assert client.post("/v1/webhooks/zendesk", content=body).status_code == 401  # no headers at all
    stale = (datetime.now(timezone.utc) - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:%SZ")
    r = _signed_zendesk(client, body, stamp=stale)
    assert r.status_code == 401 and "timestamp" in r.json()["error"]["message"]
    assert _signed_zendesk(client, body, stamp="yesterday").status_code == 401
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    swapped = client.post(
        "/v1/webhooks/zendesk",
        content=body.replace(b"5158", b"6158"),
        headers={
            "X-Zendesk-Webhook-Signature": zendesk_signature(ZENDESK_SECRET, stamp, body),
            "X-Zendesk-Webhook-Signature-Timestamp": stamp,
        },
    )
    assert swapped.status_code == 401


def test_zendesk_signature_matches_the_documented_recipe() -> None:
    # base64(HMACSHA256(TIMESTAMP + BODY)), keyed with the webhook's signing secret.
    import base64

    mac = hmac.new(b"s3cret", b"2025-01-08T14:25:30Z" + b'{"a":1}', hashlib.sha256).digest()
    assert zendesk_signature("s3cret", "2025-01-08T14:25:30Z", b'{"a":1}') == base64.b64encode(mac).decode()


def test_zendesk_malformed_bodies(client: TestClient) -> None:
    assert _signed_zendesk(client, b"{oops").status_code == 400
    assert _signed_zendesk(client, b'"just a string"').status_code == 422
    r = _signed_zendesk(client, json.dumps({"comment": {"is_public": "maybe", "body": 5}}).encode())
    assert r.status_code == 422


def test_without_a_kb_the_incoming_draft_decides_nothing_and_says_so(make_app: Any) -> None:
    with TestClient(make_app(kb_dir=None), raise_server_exceptions=False) as client:
        body = _post_chatwoot(client, CHATWOOT_MESSAGE).json()
    assert body["action"] == "drafted" and body["decision"]["policy"] is None
    assert "Decision: none. No policy KB is configured" in body["note"]
    assert "30 days" not in body["draft"]["text"]
