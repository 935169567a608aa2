"""Batch analysis: JSONL or CSV in, one analysis per record out (JSONL), streaming and in parallel.

The library half of ``tactful batch`` (no click here). The input is read incrementally, cut into
chunks of at most :data:`CHUNK_RECORDS` records (or :data:`CHUNK_BYTES` of text), and each chunk is
analyzed by a worker process that loaded the rules once. At most a few chunks per worker are in
flight, and results are written the moment they come back in input order, so memory stays flat
however large the file is. Workers do the JSON parsing, the analysis and the JSON encoding; the
parent only reads lines and writes bytes.

Each output line is the analysis contract (``Analysis.to_dict()``) with ``"id"`` first: the input
record's id field, or its 1-based line number (JSONL) / record number (CSV, header excluded) when it
has none. A record that cannot be analyzed is a *reject* (line number and reason), never a crash.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
import json
import os
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Literal

import orjson

from tactful.bulk.pool import default_jobs, ordered_map
from tactful.bulk.reader import BinaryInput, InputFile
from tactful.config import Config
from tactful.errors import BatchError as BatchError
from tactful.textio import InputError

__all__ = [
    "CHUNK_BYTES",
    "CHUNK_RECORDS",
    "BatchError",
    "BatchOptions",
    "BatchSummary",
    "Reject",
    "detect_format",
    "run_batch",
]

CHUNK_RECORDS = 500
CHUNK_BYTES = 1024 * 1024

Format = Literal["auto", "jsonl", "csv"]
_EXTENSIONS = {".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl", ".csv": "csv"}


@dataclass(frozen=True, slots=True)
class BatchOptions:
    text_field: str = "text"
    customer_field: str | None = None
    id_field: str = "id"
    context_field: str | None = None
    format: Format = "auto"
    jobs: int | None = None  # None: every core this process may use
    config: Config = field(default_factory=Config)


@dataclass(frozen=True, slots=True)
class Reject:
    """A record that was read but not analyzed: where it is and why."""

    line: int
    reason: str
    id: Any = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"line": self.line}
        if self.id is not None:
            out["id"] = self.id
        out["reason"] = self.reason
        return out


@dataclass(slots=True)
class BatchSummary:
    read: int = 0
    written: int = 0
    rejected: int = 0
    elapsed: float = 0.0
    format: str = "jsonl"
    rejects_path: Path | None = None

    @property
    def rate(self) -> float:
        return self.read / self.elapsed if self.elapsed > 0 else 0.0


def detect_format(path: str, head: bytes) -> str:
    """``jsonl`` or ``csv`` by extension; for ``-`` or an unknown one, a leading ``{`` means JSONL."""
    if path != "-":
        suffix = Path(path).suffix.lower()
        if suffix in _EXTENSIONS:
            return _EXTENSIONS[suffix]
    if head.lstrip(codecs.BOM_UTF8 + b" \t\r\n").startswith(b"{") or not head.strip():
        return "jsonl"
    raise BatchError(
        f"{path}: cannot tell the format from the name (expected .jsonl or .csv); pass --format jsonl|csv"
    )


# --------------------------------------------------------------------------------------------------
# Worker side: one analysis per record, errors become rejects.

_worker: dict[str, Any] = {}
#: (line number, output line or None, the record's id when known, reject reason or None)
_Result = tuple[int, bytes | None, Any, str | None]


def _init_worker(options: BatchOptions, fmt: str, columns: dict[str, int] | None) -> None:
    """Per-process setup: remember the options and warm the analyzer (rules, signals, model) once."""
    from tactful.analyzer.core import analyze

    _worker.update(options=options, fmt=fmt, columns=columns, analyze=analyze)
    # A failing warm-up must not kill the pool (it would respawn workers forever); the real records
    # report any problem themselves.
    with contextlib.suppress(Exception):
        analyze("Thanks! Sorry, no.", "Refund?", config=options.config)


def _field_error(kind: str, name: str, value: Any) -> str:
    return f"{kind} field '{name}' must be a string, not {_json_type(value)}"


def _json_type(value: Any) -> str:
    return {
        dict: "an object",
        list: "an array",
        bool: "a boolean",
        int: "a number",
        float: "a number",
        type(None): "null",
    }.get(type(value), type(value).__name__)


def _record_from_jsonl(raw: bytes, line: int) -> tuple[dict[str, Any] | None, str | None]:
    try:
        rec = orjson.loads(raw)  # fast path; anything it refuses gets the exact stdlib verdict below
    except orjson.JSONDecodeError:
        pass
    else:
        return (
            (rec, None) if isinstance(rec, dict) else (None, f"expected a JSON object, got {_json_type(rec)}")
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return None, f"not valid UTF-8 (byte 0x{raw[exc.start]:02x} at column {exc.start + 1})"
    try:
        rec = json.loads(text)
    except json.JSONDecodeError as exc:
        return None, f"not valid JSON: {exc.msg} at column {exc.colno}"
    except RecursionError:
        return None, "not valid JSON: nested too deeply"
    if not isinstance(rec, dict):
        return None, f"expected a JSON object, got {_json_type(rec)}"
    return rec, None


def _record_from_csv(row: list[str], line: int) -> tuple[dict[str, Any] | None, str | None]:
    columns = _worker["columns"]
    if len(row) != len(columns):
        return None, f"expected {len(columns)} fields (as in the header), got {len(row)}"
    rec: dict[str, Any] = {}
    for name, i in columns.items():
        value = row[i]
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return None, f"field '{name}' is not valid UTF-8"
        rec[name] = value
    opts: BatchOptions = _worker["options"]
    if opts.context_field and rec.get(opts.context_field):
        try:
            rec[opts.context_field] = json.loads(rec[opts.context_field])
        except json.JSONDecodeError as exc:
            return None, f"context field '{opts.context_field}' is not valid JSON: {exc.msg}"
    elif opts.context_field:
        rec[opts.context_field] = None
    if rec.get(opts.id_field) == "":
        del rec[opts.id_field]
    return rec, None


def _analyze_record(rec: dict[str, Any], line: int) -> tuple[bytes | None, Any, str | None]:
    """Returns (output line, id, None) or (None, id, reason)."""
    opts: BatchOptions = _worker["options"]
    rid = rec.get(opts.id_field)
    if rid is None:
        rid = line
    if opts.text_field not in rec or rec[opts.text_field] is None:
        return None, rid, f"missing text field '{opts.text_field}'"
    text = rec[opts.text_field]
    if not isinstance(text, str):
        return None, rid, _field_error("text", opts.text_field, text)
    customer = rec.get(opts.customer_field) if opts.customer_field else None
    if customer is not None and not isinstance(customer, str):
        return None, rid, _field_error("customer", opts.customer_field or "", customer)
    context = rec.get(opts.context_field) if opts.context_field else None
    if context is not None and not isinstance(context, dict):
        return (
            None,
            rid,
            f"context field '{opts.context_field}' must be a JSON object, not {_json_type(context)}",
        )
    try:
        analysis = _worker["analyze"](text, customer, context, config=opts.config)
    except (ValueError, TypeError) as exc:  # TextTooLarge, bad context values
        return None, rid, str(exc)
    except Exception as exc:  # noqa: BLE001 - one broken record must not sink a million-line run
        return None, rid, f"internal error while analyzing: {type(exc).__name__}: {exc}"
    try:
        return orjson.dumps({"id": rid, **analysis.to_wire()}, option=orjson.OPT_APPEND_NEWLINE), rid, None
    except (orjson.JSONEncodeError, TypeError):  # e.g. lone surrogates, huge ints: the stdlib copes
        pass
    out = {"id": rid, **analysis.to_dict()}
    try:
        return json.dumps(out, ensure_ascii=False, separators=(",", ":")).encode("utf-8") + b"\n", rid, None
    except UnicodeEncodeError:  # lone surrogates from \ud800-style escapes: keep them escaped
        return json.dumps(out, separators=(",", ":")).encode("ascii") + b"\n", rid, None


# --------------------------------------------------------------------------------------------------
# Parent side: read, chunk, dispatch, write in order.


def _open_input(path: str) -> InputFile:
    """The input, its first bytes checked: a missing or binary file stops the run, naming it."""
    try:
        return InputFile(path)
    except BinaryInput as exc:
        raise BatchError(
            f"{exc.name}: looks like a binary file (compressed, or UTF-16, or not text); "
            "expected UTF-8 JSONL or CSV"
        ) from None
    except InputError as exc:
        raise BatchError(str(exc)) from None


def _jsonl_items(src: InputFile) -> Iterator[tuple[int, bytes]]:
    for line_no, raw in enumerate(src.stream, start=1):
        if line_no == 1 and raw.startswith(codecs.BOM_UTF8):
            raw = raw[len(codecs.BOM_UTF8) :]
        raw = raw.rstrip(b"\r\n")
        if raw.strip():
            yield line_no, raw


def _csv_open(
    src: InputFile, options: BatchOptions
) -> tuple[Iterator[tuple[int, Any]], dict[str, int] | None]:
    """The CSV rows (start line, fields) and the column map; checks the named columns exist."""
    text = io.TextIOWrapper(src.stream, encoding="utf-8-sig", errors="surrogateescape", newline="")
    # A long reply is rejected with the analyzer's own size message rather than csv's "field larger
    # than field limit"; the cap still stops a stray quote from swallowing the whole file.
    csv.field_size_limit(min(sys.maxsize, options.config.limits.max_chars * 4 + 65536))
    reader = csv.reader(text)
    try:
        header = next(reader, None)
    except csv.Error as exc:
        raise BatchError(f"{src.name}: cannot read the CSV header: {exc}") from None
    if header is None:
        return iter(()), None
    columns: dict[str, int] = {}
    for i, name in enumerate(header):
        columns.setdefault(name.strip(), i)
    wanted = [("--text-field", options.text_field)]
    wanted += [
        (flag, v)
        for flag, v in (
            ("--customer-field", options.customer_field),
            ("--context-field", options.context_field),
        )
        if v
    ]
    for flag, name in wanted:
        if name not in columns:
            shown = ", ".join(repr(c) for c in columns) or "none"
            raise BatchError(f"{src.name}: no column '{name}' ({flag}); the header has: {shown}")
    # Keep only the columns the analysis needs; the rest stay in the parent and are never pickled.
    keep = {
        n: columns[n]
        for n in (options.text_field, options.customer_field, options.context_field, options.id_field)
        if n and n in columns
    }
    width = len(header)

    def rows() -> Iterator[tuple[int, Any]]:
        record_no = 0
        start = reader.line_num + 1
        while True:
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                record_no += 1
                yield start, _BadRow(record_no, f"bad CSV row: {exc}")
                start = reader.line_num + 1
                continue
            line, start = start, reader.line_num + 1
            if not row or (len(row) == 1 and not row[0].strip()):
                continue  # blank line
            record_no += 1
            if len(row) != width:
                yield line, _BadRow(record_no, f"expected {width} fields (as in the header), got {len(row)}")
                continue
            yield line, _CsvRow(record_no, [row[i] for i in keep.values()])

    return rows(), {n: i for i, n in enumerate(keep)}


@dataclass(slots=True)
class _BadRow:
    record: int
    reason: str


@dataclass(slots=True)
class _CsvRow:
    record: int
    fields: list[str]


def _chunks(
    items: Iterator[tuple[int, Any]], on_bad: Callable[[Reject], None], stats: BatchSummary
) -> Iterator[list[tuple[int, Any]]]:
    """Group records into chunks bounded in count and bytes; rows the CSV reader rejected go to ``on_bad``."""
    chunk: list[tuple[int, Any]] = []
    size = 0
    for line, payload in items:
        stats.read += 1
        if isinstance(payload, _BadRow):
            on_bad(Reject(line, payload.reason))
            continue
        if isinstance(payload, _CsvRow):
            # CSV ids default to the record number, not the physical line: pass both along.
            chunk.append((line, (payload.record, payload.fields)))
            size += sum(len(f) for f in payload.fields)
        else:
            chunk.append((line, payload))
            size += len(payload)
        if len(chunk) >= CHUNK_RECORDS or size >= CHUNK_BYTES:
            yield chunk
            chunk, size = [], 0
    if chunk:
        yield chunk


def _work(items: list[tuple[int, Any]]) -> list[_Result]:
    """Parse and analyze one chunk: JSONL items are (line, raw bytes), CSV items are
    (line, (record number, fields)); the record number stands in for a missing id."""
    csv_mode = _worker["fmt"] == "csv"
    results: list[_Result] = []
    for line, payload in items:
        if csv_mode:
            number, fields = payload
            rec, reason = _record_from_csv(fields, line)
        else:
            number = line
            rec, reason = _record_from_jsonl(payload, line)
        if rec is None:
            results.append((line, None, None, reason))
            continue
        data, rid, reason = _analyze_record(rec, number)
        results.append((line, data, rid, reason))
    return results


class _Output:
    """OUT.part, renamed to OUT only when the run completes (``-`` writes straight to stdout)."""

    def __init__(self, path: str, input_path: str) -> None:
        self.path = path
        if path == "-":
            self.final = None
            self.part = None
            self.stream: IO[bytes] = sys.stdout.buffer
            return
        self.final = Path(path)
        if input_path != "-" and self.final.exists() and self.final.resolve() == Path(input_path).resolve():
            raise BatchError(f"{path}: the output would overwrite the input; choose another OUT")
        self.part = self.final.with_name(self.final.name + ".part")
        try:
            self.stream = open(self.part, "wb", buffering=1 << 20)  # noqa: SIM115 - closed by finish()
        except OSError as exc:
            raise BatchError(f"{path}: cannot write: {exc.strerror}") from None

    def finish(self) -> None:
        if self.final is None:
            self.stream.flush()
            return
        self.stream.close()
        assert self.part is not None
        os.replace(self.part, self.final)

    def abandon(self) -> None:
        if self.final is not None:
            self.stream.close()


class _Rejects:
    """``OUT.rejects.jsonl`` (one ``{"line", "id", "reason"}`` per reject), created on the first reject."""

    def __init__(self, out_path: str) -> None:
        self.final = None if out_path == "-" else Path(out_path + ".rejects.jsonl")
        self.part = None if self.final is None else Path(str(self.final) + ".part")
        self.stream: IO[str] | None = None

    def write(self, reject: Reject) -> None:
        if self.part is None:
            return
        if self.stream is None:
            self.stream = open(self.part, "w", encoding="utf-8")  # noqa: SIM115 - closed by finish()
        self.stream.write(json.dumps(reject.to_dict(), ensure_ascii=False) + "\n")

    def finish(self) -> Path | None:
        if self.final is None:
            return None
        if self.stream is None:
            self.final.unlink(missing_ok=True)  # a stale list from an earlier run would mislead
            return None
        self.stream.close()
        assert self.part is not None
        os.replace(self.part, self.final)
        return self.final

    def abandon(self) -> None:
        if self.stream is not None:
            self.stream.close()


def run_batch(
    input_path: str,
    output_path: str,
    options: BatchOptions | None = None,
    *,
    on_reject: Callable[[Reject], None] | None = None,
    on_progress: Callable[[int, int | None], None] | None = None,
) -> BatchSummary:
    """Analyze every record of ``input_path`` into ``output_path`` (JSONL); ``-`` is stdin/stdout.

    Raises :class:`BatchError` when the run cannot start (missing or binary input, unknown format,
    a CSV without the text column, unwritable output). Bad records do not raise: each one is passed
    to ``on_reject``, written to ``OUT.rejects.jsonl`` and counted in the summary. ``on_progress``
    gets (bytes read, input size or None) after each chunk. On an exception or Ctrl-C the partial
    output stays in ``OUT.part``; ``OUT`` itself appears only when the whole input was processed.
    """
    options = options or BatchOptions()
    started = time.perf_counter()
    src = _open_input(input_path)
    try:
        fmt = options.format if options.format != "auto" else detect_format(input_path, src.head)
        if fmt not in ("jsonl", "csv"):
            raise BatchError(f"unknown format '{fmt}'; expected auto, jsonl or csv")
        columns: dict[str, int] | None = None
        if fmt == "csv":
            items, columns = _csv_open(src, options)
        else:
            items = _jsonl_items(src)
        summary = BatchSummary(format=fmt)
        out = _Output(output_path, input_path)
        rejects = _Rejects(output_path)

        def reject(r: Reject) -> None:
            summary.rejected += 1
            rejects.write(r)
            if on_reject is not None:
                on_reject(r)

        def write(results: list[_Result]) -> None:
            for line, data, rid, reason in results:
                if data is None:
                    reject(Reject(line, reason or "rejected", rid))
                else:
                    out.stream.write(data)
                    summary.written += 1
            if on_progress is not None:
                on_progress(src.counter.count, src.size)

        try:
            _dispatch(_chunks(items, reject, summary), options, fmt, columns, write)
            out.finish()
        except BaseException:
            out.abandon()
            rejects.abandon()
            raise
        summary.rejects_path = rejects.finish()
    finally:
        src.close()
    summary.elapsed = time.perf_counter() - started
    return summary


def _dispatch(
    chunks: Iterator[list[tuple[int, Any]]],
    options: BatchOptions,
    fmt: str,
    columns: dict[str, int] | None,
    write: Callable[[list[Any]], None],
) -> None:
    """Run the chunks in order through the pool or, for one job / one chunk, in-process."""
    jobs = options.jobs or default_jobs()
    first = next(chunks, None)
    if first is None:
        return
    second = next(chunks, None) if jobs > 1 else None
    head = (first,) if second is None else (first, second)
    if second is None:
        jobs = 1  # one job, or input that fits one chunk: a pool would only add start-up time
    results = ordered_map(
        _work, _prepend(head, chunks), jobs, initializer=_init_worker, initargs=(options, fmt, columns)
    )
    with contextlib.closing(results):
        for result in results:
            write(result)


def _prepend(head: tuple[Any, ...], rest: Iterator[Any]) -> Iterator[Any]:
    yield from head
    yield from rest
