"""``tactful batch``: JSONL/CSV in, one contract object per record out, streaming, rejects by line."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

import tactful
from tactful.bulk import BatchOptions, Reject, run_batch
from tactful.bulk import batch as batch_mod
from tactful.cli import main

REFUSAL = (
    "Unfortunately we can't refund orders after 30 days, but I can offer an exchange. Thanks for asking!"
)
CUSTOMER = "Can I get a refund for the blue jacket from order 4521? It arrived torn."
MIRRORING = (
    "I'm sorry the blue jacket from order 4521 arrived torn. We can't refund it, but we can replace it."
)
REPLIES = [
    REFUSAL,
    MIRRORING,
    "As I already said, we CANNOT refund this. Sorry! Sorry again.",
    "Your order has shipped and will arrive on Monday.",
    "Ce n'est pas possible, désolé — but we can offer store credit.",
]


def _write_jsonl(path: Path, records: list[Any]) -> Path:
    with path.open("w", encoding="utf-8") as f:
        for r in records:
            f.write((r if isinstance(r, str) else json.dumps(r)) + "\n")
    return path


def _read_jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def _batch(*args: str) -> Result:
    return CliRunner().invoke(main, ["batch", "--no-progress", *args])


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "tactful", "batch", *args], capture_output=True, text=True)


def _contract(
    text: str, customer: str | None = None, context: dict[str, Any] | None = None
) -> dict[str, Any]:
    return tactful.analyze(text, customer, context).to_dict()


def test_jsonl_round_trip_carries_ids(tmp_path: Path) -> None:
    src = _write_jsonl(
        tmp_path / "in.jsonl",
        [{"id": "a-1", "text": REPLIES[0]}, {"id": 7, "text": REPLIES[2]}, {"text": REPLIES[3]}],
    )
    out = tmp_path / "out.jsonl"
    result = _batch(str(src), str(out), "--text-field", "text", "--id-field", "id")
    assert result.exit_code == 0, result.output
    rows = _read_jsonl(out)
    assert [r["id"] for r in rows] == ["a-1", 7, 3]  # no id field: the 1-based line number
    for row, text in zip(rows, [REPLIES[0], REPLIES[2], REPLIES[3]], strict=True):
        assert list(row)[0] == "id"
        assert {k: v for k, v in row.items() if k != "id"} == _contract(text)
    assert not (tmp_path / "out.jsonl.part").exists()
    assert not (tmp_path / "out.jsonl.rejects.jsonl").exists()
    assert "3 lines read, 3 written, 0 rejected" in result.stderr


def test_csv_round_trip_with_ids_quotes_and_newlines(tmp_path: Path) -> None:
    src = tmp_path / "replies.csv"
    with src.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["ticket", "body", "note"])
        w.writerow(["T-1", REPLIES[0], "x"])
        w.writerow(["T-2", 'Line one, "quoted".\nWe can\'t do that, sorry.', "y"])
        w.writerow(["", REPLIES[3], "z"])  # an empty id falls back to the record number
    out = tmp_path / "out.jsonl"
    result = _batch(str(src), str(out), "--text-field", "body", "--id-field", "ticket")
    assert result.exit_code == 0, result.output
    rows = _read_jsonl(out)
    assert [r["id"] for r in rows] == ["T-1", "T-2", 3]
    assert rows[1]["is_refusal"] == _contract('Line one, "quoted".\nWe can\'t do that, sorry.')["is_refusal"]
    assert {k: v for k, v in rows[0].items() if k != "id"} == _contract(REPLIES[0])
    assert "3 rows read, 3 written" in result.stderr


def test_csv_without_the_text_column_names_column_and_file(tmp_path: Path) -> None:
    src = tmp_path / "replies.csv"
    src.write_text("id,body\n1,hello\n", encoding="utf-8")
    result = _batch(str(src), str(tmp_path / "out.jsonl"), "--text-field", "text")
    assert result.exit_code == 2
    assert "'text'" in result.stderr and str(src) in result.stderr and "'body'" in result.stderr
    assert not (tmp_path / "out.jsonl").exists()


def test_customer_field_lets_empathy_mirror_the_details(tmp_path: Path) -> None:
    src = _write_jsonl(
        tmp_path / "in.jsonl",
        [{"id": 1, "text": MIRRORING, "customer": CUSTOMER}, {"id": 2, "text": MIRRORING}],
    )
    out = tmp_path / "out.jsonl"
    result = _batch(str(src), str(out), "--customer-field", "customer")
    assert result.exit_code == 0, result.output
    with_customer, without = _read_jsonl(out)
    assert {k: v for k, v in with_customer.items() if k != "id"} == _contract(MIRRORING, CUSTOMER)
    empathy = with_customer["characteristics"]["empathy"]
    assert empathy["score"] > without["characteristics"]["empathy"]["score"]
    quoted = {MIRRORING[s:e].lower() for s, e in empathy["evidence"]}
    assert {"jacket", "4521"} <= quoted


def test_context_field_is_passed_to_the_analyzer(tmp_path: Path) -> None:
    text = "Refunds are possible within 60 days, so we can't refund order 5521."
    ctx = {"policy": {"refund_window_days": 30}}
    src = _write_jsonl(
        tmp_path / "in.jsonl", [{"id": 1, "text": text, "ctx": ctx}, {"id": 2, "text": text, "ctx": 5}]
    )
    out = tmp_path / "out.jsonl"
    result = _batch(str(src), str(out), "--context-field", "ctx")
    assert result.exit_code == 1
    (row,) = _read_jsonl(out)
    assert {k: v for k, v in row.items() if k != "id"} == _contract(text, None, ctx)
    assert "in.jsonl:2: rejected: context field 'ctx' must be a JSON object" in result.stderr


def test_malformed_lines_are_reported_by_line_and_the_rest_is_written(tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    lines = [
        json.dumps({"id": "ok-1", "text": REPLIES[0]}),
        "{not json",
        "[1, 2, 3]",
        json.dumps({"id": "no-text", "body": "x"}),
        "",  # blank lines are skipped, not rejected, but they still count for line numbers
        json.dumps({"id": "num", "text": 42}),
        json.dumps({"id": "empty", "text": ""}),
        json.dumps({"id": "ok-2", "text": REPLIES[2]}),
    ]
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    result = _batch(str(src), str(out))
    assert result.exit_code == 1  # finished, but something was rejected
    rows = _read_jsonl(out)
    assert [r["id"] for r in rows] == ["ok-1", "empty", "ok-2"]
    assert rows[1]["empty"] is True and rows[1]["score"] == 0  # empty text: the empty analysis
    err = result.stderr
    assert "in.jsonl:2: rejected: not valid JSON" in err
    assert "in.jsonl:3: rejected: expected a JSON object, got an array" in err
    assert "in.jsonl:4: rejected: missing text field 'text'" in err
    assert "in.jsonl:6: rejected: text field 'text' must be a string, not a number" in err
    assert "7 lines read, 3 written, 4 rejected" in err
    rejects = _read_jsonl(tmp_path / "out.jsonl.rejects.jsonl")
    assert [r["line"] for r in rejects] == [2, 3, 4, 6]
    assert rejects[2] == {"line": 4, "id": "no-text", "reason": "missing text field 'text'"}


def test_invalid_utf8_line_is_rejected_alone(tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    src.write_bytes(
        json.dumps({"id": 1, "text": REPLIES[0]}).encode()
        + b"\n"
        + b'{"id": 2, "text": "caf\xe9 ferm\xe9"}\n'
        + json.dumps({"id": 3, "text": REPLIES[4]}, ensure_ascii=False).encode()
        + b"\n"
    )
    out = tmp_path / "out.jsonl"
    result = _batch(str(src), str(out))
    assert result.exit_code == 1
    assert [r["id"] for r in _read_jsonl(out)] == [1, 3]
    assert "in.jsonl:2: rejected: not valid UTF-8 (byte 0xe9" in result.stderr


def test_bad_csv_row_is_rejected_by_line(tmp_path: Path) -> None:
    src = tmp_path / "in.csv"
    src.write_bytes(b'id,text\n1,We can\'t do that.\n2,too,many,fields\n3,caf\xe9\n4,"Sorry, no."\n')
    out = tmp_path / "out.jsonl"
    result = _batch(str(src), str(out))
    assert result.exit_code == 1
    assert [r["id"] for r in _read_jsonl(out)] == ["1", "4"]
    assert "in.csv:3: rejected: expected 2 fields (as in the header), got 4" in result.stderr
    assert "in.csv:4: rejected: field 'text' is not valid UTF-8" in result.stderr
    assert "4 rows read, 2 written, 2 rejected" in result.stderr


def test_text_over_the_limit_is_rejected_with_the_message(tmp_path: Path) -> None:
    (tmp_path / "tactful.toml").write_text("[limits]\nmax_chars = 40\n", encoding="utf-8")
    src = _write_jsonl(tmp_path / "in.jsonl", [{"id": 1, "text": "No."}, {"id": 2, "text": REPLIES[0]}])
    out = tmp_path / "out.jsonl"
    result = _batch(str(src), str(out), "--config", str(tmp_path / "tactful.toml"))
    assert result.exit_code == 1
    assert [r["id"] for r in _read_jsonl(out)] == [1]
    assert f"in.jsonl:2: rejected: reply is {len(REPLIES[0])} characters; the limit is 40" in result.stderr


def test_binary_missing_and_unknown_inputs_exit_2_without_traceback(tmp_path: Path) -> None:
    binary = tmp_path / "data.jsonl"
    binary.write_bytes(b"\x1f\x8b\x08\x00" + bytes(range(256)) * 8)
    p = _cli(str(binary), str(tmp_path / "out.jsonl"))
    assert p.returncode == 2 and "Traceback" not in p.stderr
    assert str(binary) in p.stderr and "binary" in p.stderr
    assert not (tmp_path / "out.jsonl").exists()

    p = _cli(str(tmp_path / "missing.jsonl"), str(tmp_path / "out.jsonl"))
    assert p.returncode == 2 and "Traceback" not in p.stderr
    assert "missing.jsonl: no such file" in p.stderr

    text = tmp_path / "replies.txt"
    text.write_text("just some words\n", encoding="utf-8")
    result = _batch(str(text), str(tmp_path / "out.jsonl"))
    assert result.exit_code == 2 and "replies.txt" in result.stderr and "--format" in result.stderr

    result = _batch(str(text), str(tmp_path / "out.jsonl"), "--format", "xml")
    assert result.exit_code == 2 and "xml" in result.output


def test_empty_file_gives_empty_output(tmp_path: Path) -> None:
    for name in ("empty.jsonl", "empty.csv"):
        src = tmp_path / name
        src.write_bytes(b"")
        out = tmp_path / (name + ".out.jsonl")
        result = _batch(str(src), str(out))
        assert result.exit_code == 0, result.output
        assert out.exists() and out.read_bytes() == b""
        assert "0 " in result.stderr and "0 written, 0 rejected" in result.stderr


def test_stdin_to_stdout() -> None:
    data = "".join(json.dumps({"id": i, "text": t}) + "\n" for i, t in enumerate(REPLIES))
    result = CliRunner().invoke(main, ["batch", "-", "-", "--jobs", "1"], input=data)
    assert result.exit_code == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["id"] for r in rows] == list(range(len(REPLIES)))


def test_two_jobs_equal_one_job_exactly(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Small chunks so that a few hundred records still go through the pool as many chunks.
    monkeypatch.setattr(batch_mod, "CHUNK_RECORDS", 7)
    records: list[Any] = [
        {"id": f"r{i}", "text": REPLIES[i % len(REPLIES)] + f" Ref {i}."} for i in range(150)
    ]
    records[40] = "{broken"
    src = _write_jsonl(tmp_path / "in.jsonl", records)
    seen: dict[int, list[Reject]] = {1: [], 2: []}
    for jobs in (1, 2):
        summary = run_batch(
            str(src), str(tmp_path / f"out{jobs}.jsonl"), BatchOptions(jobs=jobs), on_reject=seen[jobs].append
        )
        assert (summary.read, summary.written, summary.rejected) == (150, 149, 1)
    one, two = (tmp_path / "out1.jsonl").read_bytes(), (tmp_path / "out2.jsonl").read_bytes()
    assert one == two
    assert [json.loads(x)["id"] for x in one.splitlines()][39:42] == ["r39", "r41", "r42"]
    assert seen[1] == seen[2] and seen[1][0].line == 41


def test_a_failed_run_leaves_no_out_that_looks_complete(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    src = _write_jsonl(tmp_path / "in.jsonl", [{"id": i, "text": REPLIES[0]} for i in range(20)])
    out = tmp_path / "out.jsonl"

    def boom(results: Any) -> Any:
        raise KeyboardInterrupt

    monkeypatch.setattr(batch_mod, "_work", boom)
    with pytest.raises(KeyboardInterrupt):
        run_batch(str(src), str(out), BatchOptions(jobs=1))
    assert not out.exists()
    assert (tmp_path / "out.jsonl.part").exists()


_RSS_PROBE = textwrap.dedent(
    """
    import resource, subprocess, sys
    p = subprocess.run([sys.executable, "-m", "tactful", "batch", "--no-progress", "--jobs", "2",
                        sys.argv[1], sys.argv[2]], capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
    """
)


def _peak_rss_kib(src: Path, out: Path) -> int:
    """Peak RSS of the batch process and its workers (the largest of them), in a fresh probe process."""
    p = subprocess.run([sys.executable, "-c", _RSS_PROBE, str(src), str(out)], capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    return int(p.stdout.strip())


def _big_input(path: Path, lines: int) -> Path:
    # Each record carries 48 KiB the analysis ignores: the file is big, the work stays small.
    blob = "x" * (48 * 1024)
    with path.open("w", encoding="utf-8") as f:
        for i in range(lines):
            f.write(json.dumps({"id": i, "text": REPLIES[i % len(REPLIES)], "attachment": blob}) + "\n")
    return path


@pytest.mark.slow
def test_streaming_memory_stays_flat(tmp_path: Path) -> None:
    small = _big_input(tmp_path / "small.jsonl", 100)  # ~5 MB
    big = _big_input(tmp_path / "big.jsonl", 1200)  # ~60 MB
    small_rss = _peak_rss_kib(small, tmp_path / "small.out.jsonl")
    big_rss = _peak_rss_kib(big, tmp_path / "big.out.jsonl")
    assert sum(1 for _ in (tmp_path / "big.out.jsonl").open()) == 1200
    # Reading the whole file would add at least its 60 MB; bounded chunks add a few MB at most.
    grown_mib = (big_rss - small_rss) / 1024
    assert grown_mib < 20, f"peak RSS grew by {grown_mib:.0f} MiB from a 5 MB to a 60 MB input"
