"""Resumable output: chunks are committed in order, so a crash or Ctrl-C loses at most the chunks in
flight and a rerun of the same command continues where the last commit ended.

DIR holds ``turns.jsonl`` and ``problems.jsonl`` (appended) and ``.tactful-qa/`` with ``manifest.json``
(what input and settings this run is over) and ``progress.jsonl`` (one line per committed chunk: its
id, both files' sizes after it, and the running totals). A commit writes and fsyncs the data first and
the progress line second; on resume both files are cut back to the sizes of the last complete
progress line, so a half-written chunk disappears and is redone, never duplicated.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import IO, Any

from tactful.qa.conversation import QAError

STATE_DIR = ".tactful-qa"
#: Held (flock) by the run writing into DIR; outside STATE_DIR, which ``--restart`` deletes.
LOCK_FILE = ".tactful-qa.lock"
TURNS = "turns.jsonl"
PROBLEMS = "problems.jsonl"
OUTPUTS = (TURNS, PROBLEMS, "agents.csv", "characteristics.csv", "report.html", "summary.json")
#: Test hook: commit this many chunks, write half of the next one, then die as a crash would.
CRASH_ENV = "TACTFUL_QA_CRASH_AFTER"
#: Test hook: commit this many chunks, then wait (at most PAUSE_S) for a Ctrl-C, so that a test's
#: SIGINT lands mid-run however fast or slow the machine is.
PAUSE_ENV = "TACTFUL_QA_PAUSE_AFTER"
PAUSE_S = 600


@dataclass(slots=True)
class Totals:
    conversations: int = 0
    agent_turns: int = 0
    refusals: int = 0
    problems: int = 0
    chunks: int = 0
    customer_turns: int = 0
    bot_turns: int = 0
    notes: int = 0  # internal notes left out


def fingerprint(files: list[str], fmt: str, chunk_size: int, config: Any) -> dict[str, Any]:
    """What must match for a rerun to continue rather than start over: every input file's path, size
    and modification time, and the settings."""
    from tactful import __version__

    stats = [os.stat(path) for path in files]
    single = len(files) == 1
    return {
        "input": os.path.abspath(files[0]) if single else [os.path.abspath(f) for f in files],
        "size": stats[0].st_size if single else [s.st_size for s in stats],
        "mtime_ns": stats[0].st_mtime_ns if single else [s.st_mtime_ns for s in stats],
        "format": fmt,
        "chunk_size": chunk_size,
        "config": hashlib.sha256(repr(config).encode()).hexdigest()[:16],
        "tactful": __version__,
    }


def lock_folder(out_dir: Path) -> IO[str] | None:
    """Take DIR for this run: an exclusive lock, held until the returned file is closed. A second
    run into the same DIR would append every turn again (and a rerun would keep the duplicates),
    so it is refused at once, naming the run that holds the folder."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX: no advisory locks to take
        return None
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        handle = open(out_dir / LOCK_FILE, "a+", encoding="utf-8")  # noqa: SIM115 - held by the caller
    except OSError as exc:
        raise QAError(f"{out_dir}: cannot use the output folder: {exc.strerror}") from None
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        handle.seek(0)
        holder = handle.read().strip() or "another process"
        handle.close()
        raise QAError(
            f"{out_dir}: another tactful qa ({holder}) is writing this folder; wait for it to finish "
            "or use another --out"
        ) from None
    handle.seek(0)
    handle.truncate()
    handle.write(f"pid {os.getpid()}")
    handle.flush()
    return handle


class Checkpoint:
    """The output folder of one run; ``next_chunk`` and ``totals`` say where a resumed run stands."""

    def __init__(self, out_dir: Path, manifest: dict[str, Any], *, restart: bool = False) -> None:
        self.out = out_dir
        self.state = out_dir / STATE_DIR
        try:
            out_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise QAError(f"{out_dir}: cannot create the output folder: {exc.strerror}") from None
        if not out_dir.is_dir():
            raise QAError(f"{out_dir}: not a folder")
        if restart:
            self._clear()
        self.next_chunk = 0
        self.totals = Totals()
        self.resumed = False
        self.complete = False
        sizes = (0, 0)
        manifest_path = self.state / "manifest.json"
        if manifest_path.exists():
            try:
                old = json.loads(manifest_path.read_text(encoding="utf-8"))
            except (OSError, json.JSONDecodeError):
                old = None
            log = self.state / "progress.jsonl"
            committed = log.exists() and log.stat().st_size > 0
            if committed and (not isinstance(old, dict) or old.get("run") != manifest):
                other = old.get("run", {}).get("input") if isinstance(old, dict) else "unreadable manifest"
                raise QAError(
                    f"{out_dir}: holds a run over another input or settings ({other}); "
                    "use another --out, or --restart to start over"
                )
            if not committed:  # an earlier run stopped before its first commit: start afresh
                self._clear()
                self.state.mkdir(exist_ok=True)
                self._write_manifest({"run": manifest, "complete": False})
            else:
                self.complete = bool(old.get("complete")) if isinstance(old, dict) else False
                sizes = self._last_commit()
        elif any((out_dir / name).exists() for name in (TURNS, PROBLEMS)):
            raise QAError(f"{out_dir}: already holds {TURNS} from elsewhere; use another --out or --restart")
        else:
            self.state.mkdir(exist_ok=True)
            self._write_manifest({"run": manifest, "complete": False})
        self.turns = self._open(TURNS, sizes[0])
        self.problems = self._open(PROBLEMS, sizes[1])
        self.log = open(self.state / "progress.jsonl", "a", encoding="utf-8")  # noqa: SIM115 - close()
        self._crash_after = int(os.environ.get(CRASH_ENV, "0") or 0)
        self._pause_after = int(os.environ.get(PAUSE_ENV, "0") or 0)

    def _clear(self) -> None:
        shutil.rmtree(self.state, ignore_errors=True)
        for name in OUTPUTS:
            (self.out / name).unlink(missing_ok=True)

    def _write_manifest(self, data: dict[str, Any]) -> None:
        tmp = self.state / "manifest.json.tmp"
        tmp.write_text(json.dumps(data, indent=2), encoding="utf-8")
        os.replace(tmp, self.state / "manifest.json")

    def _last_commit(self) -> tuple[int, int]:
        """Read the progress log; a torn last line (crash mid-write) is dropped."""
        path = self.state / "progress.jsonl"
        last: dict[str, Any] | None = None
        good_bytes = 0
        if path.exists():
            with open(path, "rb") as f:
                for raw in f:
                    try:
                        entry = json.loads(raw)
                    except json.JSONDecodeError:
                        break
                    if not raw.endswith(b"\n"):
                        break
                    last = entry
                    good_bytes += len(raw)
            with open(path, "r+b") as f:
                f.truncate(good_bytes)
        if last is None:
            return 0, 0
        self.next_chunk = int(last["chunk"]) + 1
        self.totals = Totals(**last["totals"])
        self.resumed = True
        return int(last["turns_bytes"]), int(last["problems_bytes"])

    def _open(self, name: str, size: int) -> IO[bytes]:
        path = self.out / name
        f = open(path, "ab")  # noqa: SIM115 - closed by close()
        if f.tell() != size:
            f.truncate(size)  # drop what a crashed run wrote after its last commit
            f.seek(size)
        return f

    def commit(self, chunk_id: int, lines: Iterable[bytes], problems: Iterable[dict[str, str]]) -> None:
        """Append one chunk's lines and problems durably, then record the chunk as done."""
        data = b"".join(lines)
        if self._crash_after and chunk_id >= self._crash_after:
            self.turns.write(data[: len(data) // 2])
            self.turns.flush()
            os._exit(99)
        self.turns.write(data)
        written = [self.turns]
        for problem in problems:
            self.problems.write(json.dumps(problem, ensure_ascii=False).encode("utf-8") + b"\n")
            written = [self.turns, self.problems]
        for f in written:
            f.flush()
            os.fsync(f.fileno())
        self.totals.chunks = chunk_id + 1
        entry = {
            "chunk": chunk_id,
            "turns_bytes": self.turns.tell(),
            "problems_bytes": self.problems.tell(),
            "totals": asdict(self.totals),
        }
        self.log.write(json.dumps(entry) + "\n")
        self.log.flush()
        os.fsync(self.log.fileno())
        self.next_chunk = chunk_id + 1
        if self._pause_after and self.next_chunk == self._pause_after:
            time.sleep(PAUSE_S)  # a Ctrl-C raises KeyboardInterrupt here

    def finish(self) -> None:
        self.close()
        manifest = json.loads((self.state / "manifest.json").read_text(encoding="utf-8"))
        manifest["complete"] = True
        self._write_manifest(manifest)
        self.complete = True

    def close(self) -> None:
        for f in (self.turns, self.problems):
            if not f.closed:
                f.close()
        if not self.log.closed:
            self.log.close()
