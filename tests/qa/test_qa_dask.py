"""``--engine dask`` on a real 2-worker ``distributed.LocalCluster`` (worker processes) gives exactly
the local engine's bytes."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_qa_run import FIXTURES, make_export  # tests/ is on sys.path (pytest prepend mode)

from tactful.qa import QAOptions, run_qa

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def scheduler() -> Iterator[str]:
    try:
        from distributed import LocalCluster
    except ImportError:  # pragma: no cover - the dev extra installs it
        if os.environ.get("TACTFUL_CI") == "1":
            pytest.fail("TACTFUL_CI=1 but dask.distributed is not installed")
        pytest.skip("dask.distributed is not installed (pip install 'tactful[cluster]')")
    cluster = LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None, host="127.0.0.1"
    )
    try:
        yield cluster.scheduler_address
    finally:
        cluster.close()


def test_dask_engine_equals_local_engine(tmp_path: Path, scheduler: str) -> None:
    export = make_export(tmp_path / "export.jsonl", 400)
    local = run_qa(str(export), tmp_path / "local", QAOptions(fmt="jsonl", workers=2, chunk_size=30))
    dask = run_qa(
        str(export),
        tmp_path / "dask",
        QAOptions(fmt="jsonl", engine="dask", scheduler=scheduler, chunk_size=30),
    )
    assert local.totals == dask.totals
    assert local.totals.refusals == 320
    for name in ("turns.jsonl", "problems.jsonl", "agents.csv", "characteristics.csv"):
        assert (tmp_path / "dask" / name).read_bytes() == (tmp_path / "local" / name).read_bytes(), name


def test_dask_engine_on_a_vendor_export_with_problems(tmp_path: Path, scheduler: str) -> None:
    local = run_qa(str(FIXTURES / "twcs.csv"), tmp_path / "local", QAOptions(fmt="twcs", workers=1))
    dask = run_qa(
        str(FIXTURES / "twcs.csv"),
        tmp_path / "dask",
        QAOptions(fmt="twcs", engine="dask", scheduler=scheduler),
    )
    assert local.totals == dask.totals and dask.totals.problems == 1
    assert (tmp_path / "dask" / "turns.jsonl").read_bytes() == (
        tmp_path / "local" / "turns.jsonl"
    ).read_bytes()


def test_unreachable_scheduler_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tactful.qa import QAError

    monkeypatch.setattr("tactful.qa.engines.CONNECT_TIMEOUT", "2s")
    with pytest.raises(QAError, match="cannot reach the Dask scheduler"):
        run_qa(
            str(FIXTURES / "zendesk.json"),
            tmp_path / "o",
            QAOptions(fmt="zendesk", engine="dask", scheduler="tcp://127.0.0.1:9"),
        )
