"""A bounded, in-order process pool: what ``tactful batch`` and ``tactful qa`` (its ``local`` engine)
run their chunks on.

Results come back in input order, so the output is byte-identical whatever the number of workers, and
at most a few chunks per worker are in flight, so memory stays flat however large the input is.
"""

from __future__ import annotations

import collections
import os
import signal
from collections.abc import Callable, Generator, Iterable
from typing import Any, TypeVar

__all__ = ["IN_FLIGHT_PER_JOB", "default_jobs", "ordered_map"]

#: Chunks in flight per worker: enough to keep every worker busy while the parent reads and writes.
IN_FLIGHT_PER_JOB = 3

T = TypeVar("T")
R = TypeVar("R")


def default_jobs() -> int:
    """The cores this process may run on (respects CPU affinity / container limits)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - macOS, Windows
        return max(1, os.cpu_count() or 1)


def ordered_map(
    fn: Callable[[T], R],
    items: Iterable[T],
    jobs: int,
    *,
    initializer: Callable[..., object] | None = None,
    initargs: tuple[Any, ...] = (),
) -> Generator[R, None, None]:
    """``fn(item)`` for each of ``items``, yielded in input order.

    One job: in this process (``initializer(*initargs)`` first), no pool to start. More: ``jobs``
    worker processes (forked where the platform can, so they start with everything imported), each set
    up by ``initializer(*initargs)`` and deaf to Ctrl-C (the parent handles it and stops the pool);
    at most ``jobs`` × :data:`IN_FLIGHT_PER_JOB` items are given out ahead of the one awaited. An
    exception, or closing the generator before the end, terminates the workers.
    """
    if jobs <= 1:
        if initializer is not None:
            initializer(*initargs)
        for item in items:
            yield fn(item)
        return

    import multiprocessing

    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    pool = context.Pool(jobs, initializer=_start_worker, initargs=(initializer, initargs))
    try:
        pending: collections.deque[Any] = collections.deque()
        window = jobs * IN_FLIGHT_PER_JOB
        for item in items:
            pending.append(pool.apply_async(fn, (item,)))
            if len(pending) >= window:
                yield pending.popleft().get()
        while pending:
            yield pending.popleft().get()
        pool.close()
    except BaseException:
        pool.terminate()
        raise
    finally:
        pool.join()


def _start_worker(initializer: Callable[..., object] | None, initargs: tuple[Any, ...]) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C and stops the pool
    if initializer is not None:
        initializer(*initargs)
