"""``tactful.bulk``: the input reader and the process pool ``tactful batch`` and ``tactful qa`` share."""

from __future__ import annotations

import ast
import os
from pathlib import Path

import pytest

import tactful
from tactful.bulk import BatchError, InputFile, ordered_map, run_batch
from tactful.bulk.reader import BINARY_MAGIC, BinaryInput
from tactful.qa.conversation import QAError
from tactful.qa.formats import Source

BINARY_STARTS = [*BINARY_MAGIC, b'{\x00"id\x00']


@pytest.mark.parametrize("start", BINARY_STARTS, ids=lambda b: b[:4].hex())
def test_batch_and_qa_refuse_the_same_binary_files(tmp_path: Path, start: bytes) -> None:
    path = tmp_path / "export.jsonl"
    path.write_bytes(start + b'{"id": 1, "text": "No."}\n' * 4)
    with pytest.raises(BinaryInput):
        InputFile(str(path))
    with pytest.raises(BatchError, match="looks like a binary file"):
        run_batch(str(path), str(tmp_path / "out.jsonl"))
    with pytest.raises(QAError, match="looks like a binary or compressed file"):
        Source(str(path))
    assert not (tmp_path / "out.jsonl").exists()


def test_the_reader_counts_what_it_hands_out(tmp_path: Path) -> None:
    path = tmp_path / "in.jsonl"
    path.write_bytes(b'{"id": 1}\n' * 1000)
    with InputFile(str(path)) as f:
        assert f.size == 10_000 and f.head.startswith(b'{"id": 1}')
        assert sum(1 for _ in f.stream) == 1000
        assert f.counter.count == 10_000


def _square(n: int) -> int:
    return n * n


def _pid(_: int) -> int:
    return os.getpid()


_started: list[str] = []


def _remember(name: str) -> None:
    _started.append(name)


def test_the_pool_answers_in_input_order_whatever_the_jobs() -> None:
    for jobs in (1, 2):
        assert list(ordered_map(_square, iter(range(40)), jobs)) == [n * n for n in range(40)]


def test_one_job_runs_here_after_the_initializer() -> None:
    _started.clear()
    assert set(ordered_map(_pid, range(3), 1, initializer=_remember, initargs=("here",))) == {os.getpid()}
    assert _started == ["here"]


def test_closing_the_pool_early_stops_its_workers() -> None:
    results = ordered_map(_pid, range(100), 2)
    worker = next(results)
    assert worker != os.getpid()
    results.close()
    with pytest.raises(StopIteration):
        next(results)


def test_qa_reads_and_runs_through_bulk_not_through_batch() -> None:
    qa = Path(tactful.__file__).parent / "qa"
    for module in sorted(qa.rglob("*.py")):
        for node in ast.walk(ast.parse(module.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                assert node.module not in ("tactful.batch", "tactful.bulk.batch"), module
                assert not (node.module == "tactful.bulk" and any(a.name == "batch" for a in node.names))
