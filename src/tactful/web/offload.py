"""Long drafts and rewrites run in a separate process, so one client's heavy requests cannot take the
CPU from everyone else's analyses.

A rewrite of the longest draft a route takes (20,000 characters) costs ~80 ms of CPU. Run on the
event loop it holds every other request for that long; run in a thread it is worse (the loop then
waits for the GIL at each of its reads and writes). Two clients sending such drafts back to back
put other users' ``/v1/analyze`` p99 at ~170 ms (``bench/bench_big_requests.py``). In a process of
its own, the operating system shares the cores instead. Short texts (the usual case) stay inline:
starting the process, and sending the text to it, would cost more than the work.
"""

from __future__ import annotations

import asyncio
import functools
import multiprocessing
import os
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from tactful.config import Config

#: Texts longer than this (characters) are drafted or rewritten in the worker process.
OFFLOAD_CHARS = 2_000

_KB: Any = None
_CONFIG: Config | None = None


def _start(kb_dir: str | None, config: Config) -> None:
    """In the worker: load the policies once (a knowledge base holds a database; it is not sent; none
    when the server has none), and leave when the server does, however it ended (a killed server
    cannot tell its workers)."""
    global _KB, _CONFIG
    from tactful.kb import load_kb

    _KB, _CONFIG = (load_kb(kb_dir) if kb_dir else None), config
    threading.Thread(target=_follow, args=(os.getppid(),), daemon=True).start()


def _follow(server: int) -> None:
    while os.getppid() == server:
        time.sleep(1.0)
    os._exit(0)


def _rewrite(draft: str, options: dict[str, Any]) -> dict[str, Any]:
    from tactful.composer import rewrite

    return rewrite(draft, kb=_KB, config=_CONFIG, **options).to_dict()


def _compose(message: str, facts: dict[str, Any], options: dict[str, Any]) -> list[dict[str, Any]]:
    from tactful.composer import compose

    return [d.to_dict() for d in compose(message, facts, _KB, config=_CONFIG, **options)]


class Offload:
    """The worker processes of one app (``max(1, cores - 1)``), started on first use, closed with it."""

    def __init__(self, kb_dir: Path | None, config: Config) -> None:
        self.kb_dir = str(kb_dir) if kb_dir is not None else None
        self.config = config
        self._pool: ProcessPoolExecutor | None = None

    def _executor(self) -> ProcessPoolExecutor:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(
                max_workers=max(1, (os.cpu_count() or 2) - 1),
                mp_context=multiprocessing.get_context("spawn"),  # the server has threads: no fork
                initializer=_start,
                initargs=(self.kb_dir, self.config),
            )
        return self._pool

    async def rewrite(self, draft: str, options: dict[str, Any]) -> dict[str, Any]:
        """``rewrite(draft, **options).to_dict()`` with the app's policies and config."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor(), functools.partial(_rewrite, draft, options))

    async def compose(
        self, message: str, facts: dict[str, Any], options: dict[str, Any]
    ) -> list[dict[str, Any]]:
        """``[d.to_dict() for d in compose(message, facts, kb, **options)]``."""
        loop = asyncio.get_running_loop()
        call = functools.partial(_compose, message, facts, options)
        return await loop.run_in_executor(self._executor(), call)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None
