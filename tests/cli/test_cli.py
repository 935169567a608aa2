"""The check command, driven as a user would (click's runner and a real subprocess)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from tactful.cli import main

REPLY = "As I already said, we CANNOT refund this. Sorry! Sorry again."


def test_check_text_report_marks_findings(tmp_path: Path) -> None:
    f = tmp_path / "reply.txt"
    f.write_text(REPLY)
    result = CliRunner().invoke(main, ["check", str(f)])
    assert result.exit_code == 0, result.output
    assert "tactful.tone.condescending" in result.output and "→" in result.output
    assert "professional_tone" in result.output


def test_check_json_is_the_contract_and_reads_stdin() -> None:
    result = CliRunner().invoke(main, ["check", "-", "--format", "json"], input=REPLY)
    data = json.loads(result.output)
    assert data["is_refusal"] is True and data["counts"]["apologies"] == 2


def test_check_with_customer_and_context(tmp_path: Path) -> None:
    (tmp_path / "r.txt").write_text("Refunds are possible within 60 days, so we can't refund order 5521.")
    (tmp_path / "c.txt").write_text("Please refund order 5521.")
    (tmp_path / "ctx.json").write_text(json.dumps({"policy": {"refund_window_days": 30}}))
    result = CliRunner().invoke(
        main,
        [
            "check",
            str(tmp_path / "r.txt"),
            "--customer",
            str(tmp_path / "c.txt"),
            "--context",
            str(tmp_path / "ctx.json"),
            "--format",
            "json",
        ],
    )
    rules = [f["rule"] for f in json.loads(result.output)["findings"]]
    assert "tactful.consistency.policy_period" in rules


def test_fail_under_sets_exit_code(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["check", "-", "--fail-under", "90"], input=REPLY)
    assert result.exit_code == 1


def test_bad_inputs_are_clear_errors_naming_the_file(tmp_path: Path) -> None:
    binary = tmp_path / "blob.bin"
    binary.write_bytes(b"\x89PNG\x00\x00\x01")
    latin = tmp_path / "latin.txt"
    latin.write_bytes("Désolé, non.".encode("latin-1"))
    ctx = tmp_path / "ctx.json"
    ctx.write_text("{not json")
    toml = tmp_path / "tactful.toml"
    toml.write_text("[style]\nnope = 1\n")
    cases = [
        (["check", str(binary)], "binary"),
        (["check", str(latin)], "not valid UTF-8"),
        (["check", str(tmp_path / "missing.txt")], "missing.txt"),
        (["check", "-", "--context", str(ctx)], "not valid JSON"),
        (["check", "-", "--config", str(toml)], "unknown key 'style.nope'"),
    ]
    for args, message in cases:
        result = CliRunner().invoke(main, args, input="We can't.")
        assert result.exit_code == 2, (args, result.output)
        assert message in result.output, (args, result.output)
        assert "Traceback" not in result.output


def test_empty_reply_says_nothing_to_analyze() -> None:
    result = CliRunner().invoke(main, ["check", "-"], input="")
    assert result.exit_code == 0 and "Nothing to analyze" in result.output


def test_python_dash_m_entry_point() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "tactful", "check", "-", "--format", "json"],
        input="We can't.",
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(proc.stdout)["is_refusal"] is True


def test_eval_seeds_needs_no_shared_data(tmp_path: Path) -> None:
    out = tmp_path / "eval.md"
    result = CliRunner().invoke(main, ["eval", "seeds", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "ordered correctly: **12 of 12**" in out.read_text()


def test_eval_with_missing_data_folder_is_a_clear_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["eval", "refusal", "--data", str(tmp_path / "nowhere")])
    assert result.exit_code == 2 and "nowhere" in result.output and "Traceback" not in result.output


def test_rules_command_lists_every_rule() -> None:
    result = CliRunner().invoke(main, ["rules", "--format", "markdown"])
    assert result.exit_code == 0 and "tactful.tone.condescending" in result.output


MESSAGE = "Hi, I want a refund for order #A1234, the blue jacket doesn't fit."
FACTS = ["--fact", "purchase_date=2026-09-01", "--fact", "today=2026-11-23", "--fact", "amount=80"]
EXAMPLE_KB = ["--kb", "example"]


def test_draft_writes_a_refusal_that_follows_the_method() -> None:
    result = CliRunner().invoke(main, ["draft", "-", *FACTS, *EXAMPLE_KB], input=MESSAGE)
    assert result.exit_code == 0, result.output
    assert "refuse (refund-window)" in result.output and "A1234" in result.output
    assert "Store credit" in result.output and "BELOW THE TEAM THRESHOLD" not in result.output


def test_without_a_kb_nothing_is_decided_and_the_draft_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TACTFUL_KB", raising=False)
    monkeypatch.chdir(tmp_path)  # no tactful.toml here
    result = CliRunner().invoke(main, ["draft", "-", *FACTS], input=MESSAGE)
    assert result.exit_code == 0, result.output
    assert "no policy applied" in result.output and "No policy KB is configured" in result.output
    assert "30 days" not in result.output and "Store credit" not in result.output
    assert "manager" not in result.output and "business day" not in result.output


def test_the_kb_comes_from_the_environment_or_tactful_toml(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TACTFUL_KB", "example")
    assert "refuse (refund-window)" in CliRunner().invoke(main, ["draft", "-", *FACTS], input=MESSAGE).output
    monkeypatch.delenv("TACTFUL_KB")
    from tactful.kb import STORE_EXAMPLE

    (tmp_path / "tactful.toml").write_text(f'[kb]\npath = "{STORE_EXAMPLE}"\n', encoding="utf-8")
    assert "refuse (refund-window)" in CliRunner().invoke(main, ["draft", "-", *FACTS], input=MESSAGE).output
    missing = CliRunner().invoke(
        main, ["draft", "-", *FACTS, "--kb", str(tmp_path / "nowhere")], input=MESSAGE
    )
    assert missing.exit_code == 2 and "nowhere" in missing.output and "Traceback" not in missing.output


def test_draft_json_variants_and_channels() -> None:
    result = CliRunner().invoke(
        main, ["draft", "-", *FACTS, *EXAMPLE_KB, "--variants", "2", "--format", "json"], input=MESSAGE
    )
    drafts = json.loads(result.output)
    assert len(drafts) == 2 and drafts[0]["text"] != drafts[1]["text"]
    assert all(d["analysis"]["is_refusal"] for d in drafts)
    social = CliRunner().invoke(
        main, ["draft", "-", *FACTS, *EXAMPLE_KB, "--channel", "social", "--format", "json"], input=MESSAGE
    )
    text = json.loads(social.output)[0]["text"]
    assert "A1234" not in text and len(text) < len(drafts[0]["text"])


def test_draft_errors_name_the_problem() -> None:
    bad_fact = CliRunner().invoke(main, ["draft", "-", "--fact", "purchase_date=yesterday"], input=MESSAGE)
    assert bad_fact.exit_code == 2 and "purchase_date" in bad_fact.output
    empty = CliRunner().invoke(main, ["draft", "-"], input="  ")
    assert empty.exit_code == 2 and "empty" in empty.output and "Traceback" not in empty.output


def test_rewrite_shows_the_edit_and_the_new_score(tmp_path: Path) -> None:
    draft = tmp_path / "draft.txt"
    draft.write_text("Unfortunately we CANNOT refund this. Sorry! So sorry again.", encoding="utf-8")
    customer = tmp_path / "customer.txt"
    customer.write_text(MESSAGE, encoding="utf-8")
    result = CliRunner().invoke(
        main, ["rewrite", str(draft), "--customer", str(customer), *FACTS, *EXAMPLE_KB]
    )
    assert result.exit_code == 0, result.output
    assert "[-CANNOT-] {+cannot+}" in result.output  # git-style word diff off a terminal
    assert "added alternative (from kb:refund-window)" in result.output and "Rewritten reply" in result.output
    as_json = CliRunner().invoke(
        main, ["rewrite", str(draft), "--customer", str(customer), *FACTS, *EXAMPLE_KB, "--format", "json"]
    )
    data = json.loads(as_json.output)
    assert data["score"] > data["score_before"] and data["analysis"]["is_refusal"] is True
    diff = CliRunner().invoke(main, ["rewrite", str(draft), *EXAMPLE_KB, "--no-kb", "--format", "diff"])
    assert diff.output.startswith("--- draft\n+++ rewrite\n") and "Store credit" not in diff.output


def test_rewrite_errors_name_the_problem(tmp_path: Path) -> None:
    empty = CliRunner().invoke(main, ["rewrite", "-"], input="\n")
    assert empty.exit_code == 2 and "empty" in empty.output and "Traceback" not in empty.output
    both = CliRunner().invoke(main, ["rewrite", "-", "--customer", "-"], input="x")
    assert both.exit_code == 2 and "standard input" in both.output
    bad = CliRunner().invoke(main, ["rewrite", "-", "--fact", "purchase_date=soon"], input="We can't.")
    assert bad.exit_code == 2 and "purchase_date" in bad.output


def test_rewrite_refuses_binary_and_huge_drafts_with_one_line(tmp_path: Path) -> None:
    binary = tmp_path / "draft.bin"
    binary.write_bytes(b"\x00\x01\x02PNG\xff\xfe" * 100)
    bad = CliRunner().invoke(main, ["rewrite", str(binary)])
    assert bad.exit_code == 2 and "draft.bin" in bad.output and "Traceback" not in bad.output
    huge = tmp_path / "huge.txt"
    huge.write_text("We can't refund this. " * 50_000, encoding="utf-8")  # 1.1 MB, over the limit
    big = CliRunner().invoke(main, ["rewrite", str(huge), "--no-kb"])
    assert big.exit_code == 2 and "limit" in big.output and "Traceback" not in big.output
