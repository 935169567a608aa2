"""Engines run :func:`~tactful.qa.pipeline.analyze_chunk` over chunks and hand results back in chunk
order (so the output is byte-identical whichever engine ran it), with a bounded number in flight
(so memory stays flat however long the export is).

``local``: worker processes on this machine, the pool ``tactful batch`` uses too
(:func:`tactful.bulk.pool.ordered_map`; one process: in-process, no pool). ``dask``: the tasks go
to a ``distributed`` scheduler, so any number of machines running ``dask worker`` share the work.
"""

from __future__ import annotations

import collections
import functools
from collections.abc import Generator, Iterator
from typing import Any, Protocol

from tactful.bulk.pool import IN_FLIGHT_PER_JOB, ordered_map
from tactful.config import Config
from tactful.qa.conversation import QAError
from tactful.qa.pipeline import ChunkResult, WorkItem, analyze_chunk

Chunk = tuple[int, list[WorkItem]]  # (chunk id, items)
#: How long to keep trying to reach a Dask scheduler before giving up with a clear error.
CONNECT_TIMEOUT = "20s"


class Engine(Protocol):
    def map(self, chunks: Iterator[Chunk]) -> Iterator[tuple[int, ChunkResult]]: ...

    def close(self) -> None: ...


class LocalEngine:
    """A process pool (``workers`` > 1) or the calling process itself."""

    def __init__(self, config: Config, workers: int) -> None:
        self.config = config
        self.workers = max(1, workers)
        self._results: Generator[ChunkResult, None, None] | None = None

    def map(self, chunks: Iterator[Chunk]) -> Iterator[tuple[int, ChunkResult]]:
        ids: collections.deque[int] = collections.deque()

        def items() -> Iterator[list[WorkItem]]:
            for chunk_id, chunk in chunks:
                ids.append(chunk_id)
                yield chunk

        run = functools.partial(analyze_chunk, config=self.config)
        self._results = ordered_map(run, items(), self.workers)
        for result in self._results:
            yield ids.popleft(), result

    def close(self) -> None:
        if self._results is not None:
            self._results.close()  # stops the pool
            self._results = None


class DaskEngine:
    """Tasks on a Dask ``distributed`` cluster at ``scheduler`` (``tcp://host:8786``)."""

    def __init__(self, config: Config, scheduler: str, in_flight: int | None = None) -> None:
        try:
            from distributed import Client
        except ImportError:
            raise QAError("--engine dask needs the cluster extra: pip install 'tactful[cluster]'") from None
        try:
            self.client = Client(scheduler, timeout=CONNECT_TIMEOUT, set_as_default=False)
        except (OSError, TimeoutError) as exc:
            raise QAError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from None
        threads = sum(self.client.nthreads().values()) or 1
        self.window = in_flight or max(4, threads * IN_FLIGHT_PER_JOB)
        self.config = self.client.scatter(config, broadcast=True)

    def map(self, chunks: Iterator[Chunk]) -> Iterator[tuple[int, ChunkResult]]:
        pending: collections.deque[tuple[int, Any]] = collections.deque()
        for chunk_id, items in chunks:
            pending.append((chunk_id, self.client.submit(analyze_chunk, items, self.config, pure=False)))
            if len(pending) >= self.window:
                done_id, future = pending.popleft()
                yield done_id, future.result()
                future.release()
        while pending:
            done_id, future = pending.popleft()
            yield done_id, future.result()
            future.release()

    def close(self) -> None:
        self.client.close()


def make_engine(name: str, config: Config, workers: int, scheduler: str | None) -> Engine:
    if name == "local":
        return LocalEngine(config, workers)
    if name == "dask":
        if not scheduler:
            raise QAError("--engine dask needs --scheduler tcp://HOST:PORT (a running dask scheduler)")
        return DaskEngine(config, scheduler)
    raise QAError(f"unknown engine '{name}'; expected local or dask")
