"""``run_qa``: export in, report folder out. Reads, chunks, analyzes (local or Dask), commits each
chunk resumably, then writes the tables and the HTML report from ``turns.jsonl``."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from tactful.config import Config
from tactful.qa.checkpoint import Checkpoint, Totals, fingerprint, lock_folder
from tactful.qa.conversation import Conversation, Problem, QAError
from tactful.qa.engines import Chunk, make_engine
from tactful.qa.formats import FORMATS, Source, read_export
from tactful.qa.pipeline import WorkItem, work_items

#: Agent turns per chunk: the unit of work, of checkpointing and of what a crash can cost.
CHUNK_ITEMS = 1000

Progress = Callable[[int, int, Totals], None]  # (bytes read, export size, totals so far)


@dataclass(frozen=True, slots=True)
class QAOptions:
    fmt: str
    engine: str = "local"
    scheduler: str | None = None
    workers: int | None = None  # local engine: processes (default: every core this process may use)
    chunk_size: int = CHUNK_ITEMS
    restart: bool = False
    config: Config = field(default_factory=Config)


@dataclass(slots=True)
class QASummary:
    out_dir: Path
    totals: Totals
    resumed_from_chunk: int
    elapsed: float

    @property
    def empty(self) -> bool:
        return self.totals.conversations == 0


def run_qa(
    export: str | Sequence[str], out_dir: str | Path, options: QAOptions, on_progress: Progress | None = None
) -> QASummary:
    """Analyze the refusing agent turns of ``export`` into ``out_dir``; rerun to resume after a crash.

    ``export`` is a file, or several files and folders of one export (a helpdesk's tickets and their
    comments apart, a folder of API pages), read as one.

    Raises :class:`QAError` when the run cannot start or the export is of the wrong shape (the message
    names the file and the field). Corrupt records do not raise: they are listed in problems.jsonl.
    """
    name = export if isinstance(export, str) else ", ".join(export)
    if options.fmt not in FORMATS:
        raise QAError(f"{name}: unknown format '{options.fmt}'; expected one of: {', '.join(FORMATS)}")
    if options.chunk_size < 1:
        raise QAError("the chunk size must be at least 1")
    started = time.perf_counter()
    out = Path(out_dir)
    lock = lock_folder(out)  # before anything is read or written in DIR, until the report is out
    try:
        return _run_locked(export, out, options, on_progress, started)
    finally:
        if lock is not None:
            lock.close()


def _run_locked(
    export: str | Sequence[str], out: Path, options: QAOptions, on_progress: Progress | None, started: float
) -> QASummary:
    from tactful.bulk.pool import default_jobs
    from tactful.qa.team_report import write_report

    source = Source(export)
    try:
        manifest = fingerprint(source.files, options.fmt, options.chunk_size, options.config)
        checkpoint = Checkpoint(out, manifest, restart=options.restart)
        resumed_from = checkpoint.next_chunk
        try:
            if not checkpoint.complete:
                items = read_export(source, options.fmt, checkpoint.state)
                engine = make_engine(
                    options.engine, options.config, options.workers or default_jobs(), options.scheduler
                )
                try:
                    _run(items, engine, checkpoint, options.chunk_size, source, on_progress)
                finally:
                    engine.close()
                checkpoint.finish()
        finally:
            checkpoint.close()
        totals = checkpoint.totals
    finally:
        source.close()
    write_report(out, totals, export=source.files if source.multiple else source.files[0], fmt=options.fmt)
    return QASummary(out, totals, resumed_from, time.perf_counter() - started)


@dataclass(slots=True)
class _Pending:
    """Per-chunk reader counts, committed with the chunk's results."""

    conversations: int = 0
    customer_turns: int = 0
    bot_turns: int = 0
    notes: int = 0
    problems: list[Problem] = field(default_factory=list)

    def count(self, conversation: Conversation) -> None:
        self.conversations += 1
        self.notes += conversation.notes
        for turn in conversation.turns:
            if turn.role == "customer":
                self.customer_turns += 1
            elif turn.role == "bot":
                self.bot_turns += 1


def _run(
    items: Iterator[Conversation | Problem],
    engine: object,
    checkpoint: Checkpoint,
    chunk_size: int,
    source: Source,
    on_progress: Progress | None,
) -> None:
    pending: dict[int, _Pending] = {}

    def chunks() -> Iterator[Chunk]:
        chunk_id = 0
        batch: list[WorkItem] = []
        meta = _Pending()
        for item in items:
            if isinstance(item, Problem):
                meta.problems.append(item)
            else:
                meta.count(item)
                batch.extend(work_items(item))
            if (
                len(batch) >= chunk_size
                or len(meta.problems) >= chunk_size
                or meta.conversations >= 4 * chunk_size
            ):
                if chunk_id >= checkpoint.next_chunk:  # chunks before it were committed by an earlier run
                    pending[chunk_id] = meta
                    yield chunk_id, batch
                chunk_id, batch, meta = chunk_id + 1, [], _Pending()
        if (batch or meta.conversations or meta.problems) and chunk_id >= checkpoint.next_chunk:
            pending[chunk_id] = meta
            yield chunk_id, batch

    for chunk_id, result in engine.map(chunks()):  # type: ignore[attr-defined]
        meta = pending.pop(chunk_id)
        totals = checkpoint.totals
        totals.conversations += meta.conversations
        totals.customer_turns += meta.customer_turns
        totals.bot_turns += meta.bot_turns
        totals.notes += meta.notes
        totals.agent_turns += result.agent_turns
        totals.refusals += result.refusals
        problems = [p.to_dict() for p in meta.problems] + result.problems
        totals.problems += len(problems)
        checkpoint.commit(chunk_id, result.lines, problems)
        if on_progress is not None:
            on_progress(source.done, source.size, totals)


__all__ = ["CHUNK_ITEMS", "QAError", "QAOptions", "QASummary", "run_qa"]
