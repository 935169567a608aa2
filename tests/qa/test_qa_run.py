"""``tactful qa`` end to end: outputs in DIR, tables, the HTML report (escaped, offline), bad input,
empty exports, and resuming after a crash or Ctrl-C without redoing or duplicating work."""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from tactful.cli import main
from tactful.contract import CHARACTERISTICS
from tactful.qa import QAError, QAOptions, run_qa

FIXTURES = Path(__file__).parents[1] / "fixtures" / "qa"

REPLIES = [
    "Unfortunately we can't refund order {n} because it is past our 30-day window. "
    "I can offer store credit or a 15% discount instead. Thanks for telling us!",
    "Sorry, that is not possible, as I already said. Read the policy.",
    "We cannot extend the trial. No.",
    "Thanks, your parcel {n} left the warehouse today.",
    "I'm sorry, we are unable to ship order {n} to Norway at the moment. "
    "You could use a forwarding service. Let me know if you need anything else.",
]


def make_export(path: Path, conversations: int) -> Path:
    """A generic JSONL export: each conversation a customer ask and an agent reply."""
    with open(path, "w", encoding="utf-8") as f:
        for i in range(conversations):
            record = {
                "id": f"c{i}",
                "channel": ["email", "chat", "social"][i % 3],
                "messages": [
                    {
                        "role": "customer",
                        "text": f"I want a refund for order {i}, it broke.",
                        "author": f"cust{i}",
                        "created_at": f"2026-01-{1 + i % 28:02d}T10:00:00Z",
                    },
                    {
                        "role": "agent",
                        "text": REPLIES[i % len(REPLIES)].format(n=i),
                        "author": f"agent{i % 4}",
                        "created_at": f"2026-01-{1 + i % 28:02d}T10:{i % 60:02d}:00Z",
                    },
                ],
            }
            f.write(json.dumps(record) + "\n")
    return path


def read_lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_outputs_tables_and_report(tmp_path: Path) -> None:
    summary = run_qa(str(FIXTURES / "zendesk.json"), tmp_path / "out", QAOptions(fmt="zendesk", workers=1))
    out = tmp_path / "out"
    assert summary.totals.conversations == 2 and summary.totals.refusals == 2
    turns = read_lines(out / "turns.jsonl")
    assert [(t["conversation"], t["turn"], t["agent"]) for t in turns] == [
        ("101", "3", "501"),
        ("102", "5", "502"),
    ]
    first = turns[0]
    assert first["customer"].startswith("My blender") and first["received_at"] == "2026-03-02T09:00:00Z"
    assert set(first["analysis"]["characteristics"]) == set(CHARACTERISTICS)
    assert first["analysis"]["characteristics"]["timeliness"]["applicable"] is True  # timestamps + channel
    assert any(
        f["rule"] == "tactful.tone.condescension" or f["characteristic"] == "professional_tone"
        for f in first["analysis"]["findings"]
    )
    with open(out / "agents.csv", newline="", encoding="utf-8") as f:
        agents = list(csv.DictReader(f))
    assert {a["agent"] for a in agents} == {"501", "502"}
    assert set(CHARACTERISTICS) <= set(agents[0])
    with open(out / "characteristics.csv", newline="", encoding="utf-8") as f:
        chars = list(csv.DictReader(f))
    assert [c["characteristic"] for c in chars] == list(CHARACTERISTICS)
    assert next(c for c in chars if c["characteristic"] == "consistency")["judged_turns"] == "0"
    html = (out / "report.html").read_text(encoding="utf-8")
    for heading in (
        "Score distribution",
        "profile over the eleven characteristics",
        "Trend over time",
        "Most common findings",
        "The worst refusals",
    ):
        assert heading in html
    assert html.count("<svg") >= 4 and "<mark" in html
    assert "http://" not in html.replace("http://www.w3.org/2000/svg", "") and "https://" not in html
    assert "<script" not in html
    assert json.loads((out / "summary.json").read_text())["refusals"] == 2


def test_worst_and_best_refusals_are_shown_once_each(tmp_path: Path) -> None:
    run_qa(str(make_export(tmp_path / "e.jsonl", 20)), tmp_path / "o", QAOptions(fmt="jsonl", workers=1))
    html = (tmp_path / "o" / "report.html").read_text(encoding="utf-8")
    worst, best = html.split("The worst refusals")[1].split("The best refusals")
    assert worst.count('class="reply"') == 5 and best.count('class="reply"') == 5
    few = tmp_path / "few"
    run_qa(str(FIXTURES / "zendesk.json"), few, QAOptions(fmt="zendesk", workers=1))
    html = (few / "report.html").read_text(encoding="utf-8")
    assert html.count('class="reply"') == 2 and "The best refusals" not in html  # two refusals: no repeats


def test_hostile_text_is_escaped_in_the_report(tmp_path: Path) -> None:
    export = tmp_path / "evil.jsonl"
    evil = "<script>alert(1)</script><img src=x onerror=alert(2)>"
    export.write_text(
        json.dumps(
            {
                "id": evil,
                "messages": [
                    {"role": "customer", "text": f"refund {evil}"},
                    {"role": "agent", "author": evil, "text": f"We cannot extend the trial. No. {evil}"},
                ],
            }
        )
        + "\n",
        encoding="utf-8",
    )
    run_qa(str(export), tmp_path / "out", QAOptions(fmt="jsonl", workers=1))
    html = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert "<script>" not in html and "<img" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_empty_export_gives_an_empty_report_that_says_so(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main, ["qa", str(FIXTURES / "bad" / "empty.jsonl"), "--from", "jsonl", "--out", str(tmp_path / "o")]
    )
    assert result.exit_code == 0, result.output
    assert "is empty" in result.output
    html = (tmp_path / "o" / "report.html").read_text(encoding="utf-8")
    assert "This export is empty" in html
    assert (tmp_path / "o" / "turns.jsonl").read_text() == ""
    assert json.loads((tmp_path / "o" / "summary.json").read_text())["empty"] is True


def test_corrupt_records_are_counted_listed_and_the_run_goes_on(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main, ["qa", str(FIXTURES / "messages.csv"), "--from", "csv", "--out", str(tmp_path / "o")]
    )
    assert result.exit_code == 0, result.output
    assert "2 problems" in result.output
    problems = read_lines(tmp_path / "o" / "problems.jsonl")
    assert [p["position"] for p in problems] == ["line 7", "line 8"]
    html = (tmp_path / "o" / "report.html").read_text(encoding="utf-8")
    assert "line 7" in html and "expected 7 fields" in html
    assert len(read_lines(tmp_path / "o" / "turns.jsonl")) == 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--from", "kayako"], "conversations.jsonl: unknown format 'kayako'; expected one of: zendesk"),
        (
            ["--from", "zendesk", "EXPORT=bad/zendesk_no_requester.json"],
            "missing required field 'requester_id'",
        ),
        (["--from", "twcs", "EXPORT=bad/twcs_missing_column.csv"], "missing required column 'inbound'"),
        (["--from", "jsonl", "EXPORT=missing.jsonl"], "no such file"),
        (["--from", "jsonl", "--scheduler", "tcp://x:1"], "--scheduler only applies to --engine dask"),
        (["--from", "jsonl", "--engine", "dask"], "needs --scheduler"),
    ],
)
def test_cli_errors_exit_2_and_name_the_problem(tmp_path: Path, args: list[str], message: str) -> None:
    export = str(FIXTURES / "conversations.jsonl")
    rest = []
    for a in args:
        if a.startswith("EXPORT="):
            export = str(FIXTURES / a.split("=", 1)[1])
        else:
            rest.append(a)
    result = CliRunner().invoke(main, ["qa", export, "--out", str(tmp_path / "o"), *rest])
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Traceback" not in result.output


def test_cli_lists_the_library_formats() -> None:
    from tactful import qa
    from tactful.cli.qa import FORMATS

    assert FORMATS == qa.FORMATS


def test_library_rejects_unknown_format(tmp_path: Path) -> None:
    with pytest.raises(QAError, match="unknown format"):
        run_qa(str(FIXTURES / "zendesk.json"), tmp_path / "o", QAOptions(fmt="kayako"))


def test_rerun_of_a_finished_run_changes_nothing_and_other_input_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "o"
    run_qa(str(FIXTURES / "zendesk.json"), out, QAOptions(fmt="zendesk", workers=1))
    before = (out / "turns.jsonl").read_bytes()
    run_qa(str(FIXTURES / "zendesk.json"), out, QAOptions(fmt="zendesk", workers=1))
    assert (out / "turns.jsonl").read_bytes() == before
    with pytest.raises(QAError, match="holds a run over another input"):
        run_qa(str(FIXTURES / "freshdesk.json"), out, QAOptions(fmt="freshdesk", workers=1))
    run_qa(str(FIXTURES / "freshdesk.json"), out, QAOptions(fmt="freshdesk", workers=1, restart=True))
    assert read_lines(out / "turns.jsonl")[0]["conversation"] == "20"


def _qa(export: Path, out: Path, *extra: str, env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "tactful", "qa", str(export), "--from", "jsonl", "--out", str(out), *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, **(env or {})},
    )


@pytest.mark.slow
def test_crash_then_rerun_continues_without_duplicates(tmp_path: Path) -> None:
    export = make_export(tmp_path / "big.jsonl", 300)
    args = ("--chunk-size", "20", "--workers", "1")
    reference = _qa(export, tmp_path / "ref", *args)
    assert reference.wait(120) == 0, reference.stderr.read()  # type: ignore[union-attr]
    crashed = _qa(export, tmp_path / "o", *args, env={"TACTFUL_QA_CRASH_AFTER": "5"})
    assert crashed.wait(120) == 99
    partial = (tmp_path / "o" / "turns.jsonl").read_bytes()
    assert not partial.endswith(b"\n")  # the crash left half a chunk behind
    assert not (tmp_path / "o" / "report.html").exists()
    rerun = _qa(export, tmp_path / "o", *args)
    _, err = rerun.communicate(timeout=120)
    assert rerun.returncode == 0, err
    assert b"resumed at chunk 5" in err
    final = (tmp_path / "o" / "turns.jsonl").read_bytes()
    assert final == (tmp_path / "ref" / "turns.jsonl").read_bytes()
    keys = [(t["conversation"], t["turn"]) for t in read_lines(tmp_path / "o" / "turns.jsonl")]
    assert len(keys) == len(set(keys)) == 240  # 4 of every 5 replies refuse


@pytest.mark.slow
def test_ctrl_c_then_rerun_continues_without_duplicates(tmp_path: Path) -> None:
    """The run waits after its third commit (a test hook), so the Ctrl-C lands mid-run on any machine:
    then exactly three chunks are kept and the rerun goes on from the fourth."""
    export = make_export(tmp_path / "big.jsonl", 1000)
    args = ("--chunk-size", "25", "--workers", "2")
    proc = _qa(export, tmp_path / "o", *args, env={"TACTFUL_QA_PAUSE_AFTER": "3"})
    log = tmp_path / "o" / ".tactful-qa" / "progress.jsonl"
    try:
        deadline = time.monotonic() + 300
        while not (log.exists() and len(log.read_bytes().splitlines()) >= 3):
            assert proc.poll() is None, proc.communicate()[1]
            assert time.monotonic() < deadline, "the run did not commit three chunks in 300 s"
            time.sleep(0.05)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130, err
    assert b"run the same command to continue" in err
    assert len(log.read_text().splitlines()) == 3  # stopped part-way, nothing committed after the Ctrl-C
    rerun = _qa(export, tmp_path / "o", *args)
    _, err = rerun.communicate(timeout=300)
    assert rerun.returncode == 0, err
    assert b"resumed at chunk 3" in err
    reference = _qa(export, tmp_path / "ref", *args)
    assert reference.wait(300) == 0
    assert (tmp_path / "o" / "turns.jsonl").read_bytes() == (tmp_path / "ref" / "turns.jsonl").read_bytes()
    keys = [(t["conversation"], t["turn"]) for t in read_lines(tmp_path / "o" / "turns.jsonl")]
    assert len(keys) == len(set(keys)) == 800


def test_corrupt_first_line_of_json_lines_is_a_problem_not_a_stop(tmp_path: Path) -> None:
    export = tmp_path / "e.jsonl"
    good = {"id": "j", "messages": [{"role": "agent", "text": "We cannot extend the trial. No."}]}
    export.write_text("garbage\n" + json.dumps(good) + "\n", encoding="utf-8")
    summary = run_qa(str(export), tmp_path / "o", QAOptions(fmt="jsonl", workers=1))
    assert (summary.totals.conversations, summary.totals.refusals, summary.totals.problems) == (1, 1, 1)
    assert read_lines(tmp_path / "o" / "problems.jsonl")[0]["position"] == "line 1"


def test_all_records_corrupt_exits_1_with_a_report_that_says_why(tmp_path: Path) -> None:
    export = tmp_path / "e.jsonl"
    export.write_text('not json\n{"id": 1, "messages": "x"}\n{"broken":\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["qa", str(export), "--from", "jsonl", "--out", str(tmp_path / "o")])
    assert result.exit_code == 1, result.output
    assert "no conversation could be read (3 problems" in result.output
    html = (tmp_path / "o" / "report.html").read_text(encoding="utf-8")
    assert "every record in it was corrupt" in html and "line 3" in html
