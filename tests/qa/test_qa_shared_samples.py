"""Every recorded helpdesk sample in ../shared/data/helpdesk-samples reads with ``tactful qa``: exit 0,
at least one conversation, and the roles the vendor recorded (counted by hand from each file's fields:
who wrote each message, which are notes, which a bot or an automation sent).

Needs the shared data folder (``$TACTFUL_SHARED_DATA``, else ``../shared/data``): skipped, saying so,
without it. The other tests use payloads written for them (tests/test_qa_vendors.py).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from tactful.cli import main

# file: (conversations, agent turns, customer turns, bot turns, internal notes left out)
EXPECTED = {
    "zendesk/z1_ticket_comments_api.json": (1, 0, 1, 0, 0),
    "zendesk/z2_show_ticket_api.json": (1, 0, 1, 0, 0),
    "zendesk/z3_ticket_audits_list_api.json": (86, 3, 84, 0, 1),
    "zendesk/z4_incremental_tickets_api.json": (87, 2, 85, 0, 0),
    "zendesk/z6_ticket_4633_audits_api.json": (1, 0, 1, 2, 0),
    "zendesk/z8_airbyte_expected_records_zendesk.jsonl": (3, 3, 2, 0, 0),
    "freshdesk/f1a_pyfreshdesk_ticket_1.json": (1, 0, 1, 0, 0),
    "freshdesk/f1b_pyfreshdesk_conversations.json": (1, 1, 0, 0, 1),
    "freshdesk/f1c_pyfreshdesk_all_tickets.json": (1, 0, 1, 0, 0),
    "freshdesk/f2_pbrane_ticket99_conversations_list.json": (1, 2, 0, 0, 10),
    "freshdesk/f3_airbyte_expected_records_freshdesk.jsonl": (3, 3, 3, 0, 1),
    "freshdesk/f4a_chatwoot_fixture_ticket_with_conversations.json": (1, 1, 2, 0, 1),
    "helpscout/hs1_laslabs_v1_get_conversation.json": (1, 1, 1, 0, 0),
    "helpscout/hs3a_php_sdk_list_conversations_embed_threads.json": (3, 0, 3, 0, 0),
    "helpscout/hs3b_php_sdk_list_threads.json": (1, 0, 2, 0, 0),
    "intercom/i1a_openapi_2.11_get_conversation_example.json": (1, 1, 0, 0, 0),
    "intercom/i1c_openapi_2.11_reply_examples_array.json": (3, 3, 2, 0, 1),
    "intercom/i2_airbyte_expected_records_intercom.jsonl": (3, 0, 2, 4, 0),
    "intercom/i3_webhook_conversation_user_replied_2019.json": (1, 1, 1, 0, 0),
    "intercom/i4_intercom_ruby_spec_conversation_list.json": (1, 1, 0, 0, 0),
    "chatwoot/c1_webhook_conversation_status_changed_whatsapp.json": (1, 0, 0, 1, 0),
    "chatwoot/c2_webhook_message_created_whatsapp.json": (1, 0, 1, 0, 0),
}


@pytest.fixture
def samples(shared_data: Path) -> Path:
    folder = shared_data / "helpdesk-samples"
    if not folder.is_dir():
        pytest.skip(f"shared data folder missing: {folder} (set TACTFUL_SHARED_DATA)")
    return folder


def qa(args: list[str], out: Path) -> tuple[int, dict[str, object]]:
    result = CliRunner().invoke(main, ["qa", *args, "--out", str(out), "--workers", "1", "--no-progress"])
    summary = out / "summary.json"
    return result.exit_code, json.loads(summary.read_text()) if summary.exists() else {
        "output": result.output
    }


def test_every_shared_sample_reads_with_the_roles_recorded(samples: Path, tmp_path: Path) -> None:
    found = sorted(f"{p.parent.name}/{p.name}" for p in samples.glob("*/*") if p.is_file())
    assert found == sorted(EXPECTED), "a sample was added or removed: count its roles by hand first"
    for name, expected in EXPECTED.items():
        code, summary = qa([str(samples / name), "--from", name.split("/")[0]], tmp_path / name)
        counts = tuple(
            summary.get(k)
            for k in ("conversations", "agent_turns", "customer_turns", "bot_turns", "notes_skipped")
        )
        assert (code, counts, summary.get("problems")) == (0, expected, 0), name


def test_audits_and_incremental_tickets_of_one_account_join_by_ticket_id(
    samples: Path, tmp_path: Path
) -> None:
    # z3 holds the audits of 86 of z4's 87 tickets: each ticket once, the audits' first comment and the
    # ticket's description (the same message) told once, ticket 4034 (no audit) by its description.
    z = samples / "zendesk"
    args = [str(z / "z3_ticket_audits_list_api.json"), str(z / "z4_incremental_tickets_api.json")]
    code, summary = qa([*args, "--from", "zendesk"], tmp_path / "z")
    counts = tuple(
        summary.get(k) for k in ("conversations", "agent_turns", "customer_turns", "notes_skipped")
    )
    assert (code, counts, summary["problems"]) == (0, (87, 3, 85, 1), 0)
