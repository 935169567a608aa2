"""One Chatwoot channel map: a code gets the same channel (and so the same SLA) live, through the
webhook, and in QA, through the Chatwoot reader and tactful's own JSONL."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tactful.channels import CHATWOOT, generic_channel, vendor_channel
from tactful.qa.conversation import Conversation
from tactful.qa.formats import Source, read_export

CODES: list[str | None] = [*CHATWOOT, "Channel::SomethingNew", None]
CUSTOMER = "Hi, I want a refund for order #A1234, the jacket does not fit."


def _webhook_channels(client: TestClient) -> dict[str | None, str]:
    seen = {}
    for n, code in enumerate(CODES):
        conversation: dict[str, Any] = {"id": 100 + n, "meta": {"sender": {"id": 14, "type": "contact"}}}
        if code is not None:
            conversation["channel"] = code
        payload = {
            "event": "message_created",
            "id": 1000 + n,
            "content": CUSTOMER,
            "message_type": "incoming",
            "conversation": conversation,
        }
        r = client.post(
            "/v1/webhooks/chatwoot",
            params={"token": "chatwoot-shared-secret"},  # as in conftest.web_settings
            content=json.dumps(payload).encode(),
            headers={"Content-Type": "application/json"},
        )
        assert r.status_code == 200 and r.json()["action"] == "drafted", r.text
        seen[code] = r.json()["draft"]["channel"]
    return seen


def _qa_channels(tmp_path: Path, fmt: str, records: list[dict[str, Any]]) -> dict[str | None, str]:
    path = tmp_path / f"{fmt}.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    (tmp_path / fmt).mkdir()
    source = Source(str(path))
    try:
        read = [c for c in read_export(source, fmt, tmp_path / fmt) if isinstance(c, Conversation)]
    finally:
        source.close()
    assert len(read) == len(CODES)
    by_id = {c.id: c.channel for c in read}
    return {code: by_id[str(100 + n)] for n, code in enumerate(CODES)}


def _chatwoot_export(n: int, code: str | None) -> dict[str, Any]:
    message = {
        "id": 1,
        "content": CUSTOMER,
        "message_type": 0,
        "created_at": 1767348000,
        "sender": {"id": 14, "name": "Alex", "type": "contact"},
    }
    record: dict[str, Any] = {"id": 100 + n, "meta": {"sender": {"id": 14}}, "messages": [message]}
    if code is not None:
        record["channel"] = code
    return record


def _generic_export(n: int, code: str | None) -> dict[str, Any]:
    record: dict[str, Any] = {"id": str(100 + n), "messages": [{"role": "customer", "text": CUSTOMER}]}
    if code is not None:
        record["channel"] = code
    return record


def test_every_chatwoot_code_gets_one_channel_live_and_in_qa(client: TestClient, tmp_path: Path) -> None:
    live = _webhook_channels(client)
    in_qa = _qa_channels(tmp_path, "chatwoot", [_chatwoot_export(n, c) for n, c in enumerate(CODES)])
    in_jsonl = _qa_channels(tmp_path, "jsonl", [_generic_export(n, c) for n, c in enumerate(CODES)])
    table = {code: vendor_channel("chatwoot", code) for code in CODES}
    assert live == in_qa == table
    # tactful's own format has its own default for a missing channel; every Chatwoot code is read alike.
    assert {c: ch for c, ch in in_jsonl.items() if c is not None} == {c: ch for c, ch in table.items() if c}
    assert live["Channel::Api"] == "chat"


@pytest.mark.parametrize("code", [c for c in CODES if c])
def test_tactfuls_own_formats_read_chatwoot_codes_by_the_chatwoot_table(code: str) -> None:
    assert generic_channel(code) == vendor_channel("chatwoot", code)
    assert generic_channel(f"  {code} ") == vendor_channel("chatwoot", code)
