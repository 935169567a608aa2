"""Importers: each vendor's real field names, turn order, agent vs customer, internal notes skipped,
and bad input named by file and field (tests/fixtures/qa holds one small export per format)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from tactful.qa.conversation import Conversation, Problem, QAError
from tactful.qa.formats import Source, read_export
from tactful.qa.jsonstream import iter_documents
from tactful.qa.pipeline import work_items

FIXTURES = Path(__file__).parents[1] / "fixtures" / "qa"


def load(fmt: str, name: str, tmp_path: Path) -> tuple[list[Conversation], list[Problem]]:
    source = Source(str(FIXTURES / name))
    try:
        items = list(read_export(source, fmt, tmp_path))
    finally:
        source.close()
    return (
        [i for i in items if isinstance(i, Conversation)],
        [i for i in items if isinstance(i, Problem)],
    )


def roles(conversation: Conversation) -> list[tuple[str, str]]:
    return [(t.role, t.id) for t in conversation.turns]


def test_zendesk_public_comments_only_and_requester_is_the_customer(tmp_path: Path) -> None:
    convs, problems = load("zendesk", "zendesk.json", tmp_path)
    assert problems == []
    assert [c.id for c in convs] == ["101", "102"]
    assert roles(convs[0]) == [("customer", "1"), ("agent", "3")]  # comment 2 is public: false
    assert "Internal" not in " ".join(t.text for t in convs[0].turns)
    assert convs[0].channel == "email" and convs[1].channel == "chat"
    # html_body is read as text, entities decoded
    assert convs[1].turns[1].text.startswith("Thanks for asking about the trial! We can't extend it")
    assert convs[0].turns[1].at == "2026-03-02T10:00:00Z"


def test_freshdesk_description_incoming_and_private(tmp_path: Path) -> None:
    convs, problems = load("freshdesk", "freshdesk.json", tmp_path)
    assert problems == []
    assert roles(convs[0]) == [("customer", "description"), ("agent", "2"), ("customer", "3")]
    assert convs[1].channel == "chat"  # source 7


def test_helpscout_threads_back_in_time_order_without_notes(tmp_path: Path) -> None:
    convs, _ = load("helpscout", "helpscout.json", tmp_path)
    (conv,) = convs
    assert roles(conv) == [("customer", "1"), ("agent", "4")]  # note 3 and lineitem 2 skipped
    assert conv.turns[1].author == "Mia Lopez"
    assert not conv.turns[1].text.startswith("<p>")


def test_intercom_source_then_comment_parts(tmp_path: Path) -> None:
    convs, _ = load("intercom", "intercom.json", tmp_path)
    (conv,) = convs
    assert roles(conv) == [("customer", "source"), ("agent", "3")]  # note and assignment skipped
    assert conv.turns[0].at == "2026-01-01T10:00:00Z"  # Unix seconds
    assert conv.channel == "chat"


def test_chatwoot_message_types_private_and_corrupt_line(tmp_path: Path) -> None:
    convs, problems = load("chatwoot", "chatwoot.jsonl", tmp_path)
    assert [c.id for c in convs] == ["51", "53"]
    assert roles(convs[0]) == [("customer", "1"), ("agent", "4")]  # activity 2 and private 3 skipped
    assert convs[0].channel == "chat" and convs[1].channel == "email"
    assert [p.position for p in problems] == ["line 2"]


def test_twcs_threads_rebuilt_from_reply_links(tmp_path: Path) -> None:
    convs, problems = load("twcs", "twcs.csv", tmp_path)
    by_id = {c.id: c for c in convs}
    assert set(by_id) == {"1", "4", "7"}
    assert roles(by_id["1"]) == [("customer", "1"), ("agent", "2"), ("customer", "3")]
    assert by_id["1"].turns[1].reply_to == "1"  # "1.0" in the CSV
    assert [p.position for p in problems] == ["line 7"]
    assert not (tmp_path / "twcs-index.sqlite").exists()  # the on-disk index is removed afterwards


def test_ibm_dialogs_with_final_agent_turn(tmp_path: Path) -> None:
    convs, problems = load("ibm", "ibm.json", tmp_path)
    (conv,) = convs
    assert roles(conv) == [("customer", "1001"), ("agent", "1002"), ("customer", "1004"), ("agent", "1003")]
    assert conv.turns[2].author == "lee_b"  # "client1"
    assert conv.turns[3].at == "2020-02-25T17:49:36Z"  # conversationDateTime + duration
    assert [p.position for p in problems] == ["item 2"]


def test_generic_csv_and_jsonl(tmp_path: Path) -> None:
    convs, problems = load("csv", "messages.csv", tmp_path)
    assert [c.id for c in convs] == ["c1", "c2"]
    assert roles(convs[0]) == [("customer", "2"), ("agent", "4")]  # private row 3 skipped
    assert [p.position for p in problems] == ["line 7", "line 8"]
    convs, problems = load("jsonl", "conversations.jsonl", tmp_path)
    assert [c.id for c in convs] == ["j1", "j2"] and [p.position for p in problems] == ["line 2"]


def test_missing_required_field_in_first_record_names_file_and_field(tmp_path: Path) -> None:
    with pytest.raises(
        QAError, match=r"zendesk_no_requester\.json: item 1: missing required field 'requester_id'"
    ):
        load("zendesk", "bad/zendesk_no_requester.json", tmp_path)
    with pytest.raises(QAError, match=r"twcs_missing_column\.csv: missing required column 'inbound'"):
        load("twcs", "bad/twcs_missing_column.csv", tmp_path)
    with pytest.raises(QAError, match=r"twcs\.csv: missing required column 'conversation_id'"):
        load("csv", "twcs.csv", tmp_path)


def test_missing_field_after_good_records_is_a_problem_not_a_stop(tmp_path: Path) -> None:
    export = tmp_path / "z.jsonl"
    export.write_text(
        '{"id": 1, "requester_id": 2, "comments": []}\n{"id": 2, "comments": []}\n', encoding="utf-8"
    )
    source = Source(str(export))
    items = list(read_export(source, "zendesk", tmp_path))
    source.close()
    # Vendor data is joined by ticket id once every record is read: problems come first.
    assert [i.id for i in items if isinstance(i, Conversation)] == ["1"]
    assert [i for i in items if isinstance(i, Problem)] == [
        Problem("line 2", "missing required field 'requester_id'")
    ]


def test_unknown_format_and_missing_file(tmp_path: Path) -> None:
    source = Source(str(FIXTURES / "zendesk.json"))
    with pytest.raises(QAError, match="unknown format 'kayako'"):
        read_export(source, "kayako", tmp_path)
    source.close()
    with pytest.raises(QAError, match="no such file"):
        Source(str(tmp_path / "nope.json"))


def test_broken_json_array_keeps_what_came_before(tmp_path: Path) -> None:
    convs, problems = load("jsonl", "bad/broken_array.json", tmp_path)
    assert [c.id for c in convs] == ["a1"]
    assert problems[0].position == "item 2" and "cannot be read" in problems[0].reason


def test_array_streaming_crosses_window_boundaries() -> None:
    # Records larger than the read window still come out whole and in order.
    import tactful.qa.jsonstream as js

    body = "[" + ",".join(f'{{"id": {i}, "pad": "{"x" * 5000}"}}' for i in range(50)) + "]"
    old = js._READ_CHARS
    js._READ_CHARS = 1000
    try:
        records = list(iter_documents(io.BytesIO(body.encode()), "mem"))
    finally:
        js._READ_CHARS = old
    assert [r["id"] for _, r in records] == list(range(50))


def test_pairing_answers_the_pending_customer_turns() -> None:
    from tactful.qa.conversation import Turn

    conv = Conversation(
        "c",
        "chat",
        [
            Turn("customer", "first", at="2026-01-01T10:00:00Z", id="1"),
            Turn("customer", "second", at="2026-01-01T10:01:00Z", id="2"),
            Turn("agent", "reply one", at="2026-01-01T10:05:00Z", id="3"),
            Turn("agent", "reply two", at="2026-01-01T10:06:00Z", id="4"),
        ],
    )
    one, two = work_items(conv)
    assert one.customer == "first\nsecond" and one.received_at == "2026-01-01T10:00:00Z"
    assert two.customer == "first\nsecond" and two.received_at is None  # nothing pending: no timeliness


def test_bad_utf8_spoils_only_its_own_csv_row(tmp_path: Path) -> None:
    export = tmp_path / "m.csv"
    export.write_bytes(
        b"conversation_id,role,text\nc1,customer,hello\nc1,agent,We cannot do that.\n"
        b"c2,customer,caf\xe9 bad\nc2,agent,We cannot extend the trial. No.\n"
    )
    source = Source(str(export))
    items = list(read_export(source, "csv", tmp_path))
    source.close()
    assert [i.id for i in items if isinstance(i, Conversation)] == ["c1", "c2"]
    assert [i for i in items if isinstance(i, Problem)] == [Problem("line 4", "not valid UTF-8")]


def test_bad_utf8_inside_a_json_array_after_good_items(tmp_path: Path) -> None:
    good = b'{"id": "a", "messages": [{"role": "agent", "text": "No."}]}'
    export = tmp_path / "a.json"
    export.write_bytes(b"[" + b",".join([good] * 30000) + b',{"id": "b\xff"}]')
    source = Source(str(export))
    items = list(read_export(source, "jsonl", tmp_path))
    source.close()
    assert sum(isinstance(i, Conversation) for i in items) >= 10000  # the first 1 MiB window was read
    assert isinstance(items[-1], Problem) and "not valid UTF-8" in items[-1].reason


def test_twitter_signatures_split_a_shared_account_per_agent() -> None:
    from tactful.qa.formats._common import signed_agent

    assert signed_agent("Delta", "@1 We can't change that fare. -HCK") == "Delta ^HCK"
    assert signed_agent("AmazonHelp", "Sorry, no refunds there. ^KL") == "AmazonHelp ^KL"
    assert signed_agent("Rockstar", "See https://x.y/z *SR") == "Rockstar ^SR"
    assert signed_agent("Chipotle", "Nope! Still just the $3. -Becky") == "Chipotle ^Becky"
    assert signed_agent("Acct", "Call 1-800-AB") == "Acct"  # a dash inside a word is no signature
    assert signed_agent("Acct", "No signature here.") == "Acct"
