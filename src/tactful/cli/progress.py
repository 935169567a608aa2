"""The progress bar of the long-running commands (``batch``, ``qa``), on stderr."""

from __future__ import annotations

import sys
from typing import Any


def progress_bar(enabled: bool, label: str, *columns: str) -> ProgressBar | None:
    """A bar labelled ``label`` (then bytes done, the ``columns`` and the time left), or None when
    ``enabled`` is false or stderr is no TTY."""
    return ProgressBar(label, *columns) if enabled and sys.stderr.isatty() else None


class ProgressBar:
    """rich's bar on stderr, redrawn only by :meth:`show`: no auto-refresh thread, because the workers
    fork after it starts, and forking a threaded process is fragile."""

    def __init__(self, label: str, *columns: str) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn

        self.label = label
        self.progress = Progress(
            TextColumn(label),
            BarColumn(),
            DownloadColumn(),
            *(TextColumn(column) for column in columns),
            TimeRemainingColumn(),
            console=Console(stderr=True),
            auto_refresh=False,
            transient=True,
        )
        self._task: Any = None

    def show(self, done: int, total: int | None, **fields: Any) -> None:
        """Bytes ``done`` of ``total``; ``fields`` fill the ``{task.fields[...]}`` of the columns."""
        if self._task is None:
            self._task = self.progress.add_task(self.label, total=total, **fields)
        self.progress.update(self._task, completed=done, **fields)
        self.progress.refresh()
