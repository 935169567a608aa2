"""Read a JSON export one record at a time, whatever its shape, in bounded memory.

Helpdesk exports come as JSON Lines (one record per line), as one JSON array of records, or as an
API-style object that wraps the array (``{"tickets": [...], "next_page": ...}``). The stdlib parser
only reads whole documents, so arrays are streamed here with ``JSONDecoder.raw_decode`` over a
sliding text window: one element is in memory at a time (up to :data:`MAX_RECORD_CHARS`).

A corrupt JSON Lines line is a :class:`Problem` and the next line is read. Inside an array a syntax
error leaves no safe place to resume, so the reader reports where it broke and stops; the records
before it have been yielded already.
"""

from __future__ import annotations

import codecs
import io
import json
from collections.abc import Callable, Iterator
from typing import IO, Any

import orjson

from tactful.qa.model import Problem, QAError

#: The largest single record (conversation) the array reader will hold while looking for its end.
MAX_RECORD_CHARS = 64 * 1024 * 1024
_READ_CHARS = 1 << 20
_WS = " \t\r\n"
#: Members of an API-style wrapper object that hold the list of records.
WRAPPER_KEYS = ("tickets", "conversations", "results", "data", "payload", "items", "records")

Record = tuple[str, Any]  # (position, parsed value) or (position, Problem)


class _Window:
    """A text window over the stream: ``buf[pos:]`` is unread; ``base`` is ``buf[0]``'s offset."""

    def __init__(self, text: IO[str]) -> None:
        self.text = text
        self.buf = ""
        self.pos = 0
        self.base = 0
        self.eof = False

    def fill(self) -> bool:
        if self.eof:
            return False
        if self.pos > _READ_CHARS:
            self.base += self.pos
            self.buf = self.buf[self.pos :]
            self.pos = 0
        # At least as much as is pending: a record longer than one read is re-parsed from its start
        # after each read, so reads that double keep a long record's cost linear, not quadratic.
        chunk = self.text.read(max(_READ_CHARS, len(self.buf) - self.pos))
        if not chunk:
            self.eof = True
            return False
        self.buf += chunk
        return True

    def peek(self) -> str:
        """The next non-blank character ('' at the end), without consuming it."""
        while True:
            while self.pos < len(self.buf) and self.buf[self.pos] in _WS:
                self.pos += 1
            if self.pos < len(self.buf):
                return self.buf[self.pos]
            if not self.fill():
                return ""

    def take(self, char: str) -> bool:
        if self.peek() == char:
            self.pos += 1
            return True
        return False

    def value(self, decoder: json.JSONDecoder) -> Any:
        """Decode the next value, reading more text until it is complete (or plainly corrupt)."""
        self.peek()
        while True:
            try:
                value, end = decoder.raw_decode(self.buf, self.pos)
            except json.JSONDecodeError as exc:
                incomplete = not self.eof and len(self.buf) - self.pos < MAX_RECORD_CHARS
                if incomplete and self.fill():
                    continue
                raise ValueError(f"{exc.msg} at character {self.base + exc.pos:,}") from None
            except RecursionError:
                raise ValueError(f"nested too deeply at character {self.base + self.pos:,}") from None
            # A number or literal that ends at the window's edge may continue in the next read.
            if end == len(self.buf) and not self.eof and self.fill():
                continue
            self.pos = end
            return value


def iter_json_records(
    stream: IO[bytes], name: str, on_bytes: Callable[[], None] | None = None
) -> Iterator[Record]:
    """Yield ``(position, record)`` for each record of a JSONL / JSON array / wrapped-array export.

    ``position`` is ``line N`` or ``item N``; a record that cannot be parsed comes as a
    :class:`Problem`. Raises :class:`QAError` when the file is not JSON at all.
    """
    buffered: Any = stream if isinstance(stream, io.BufferedReader) else io.BufferedReader(stream)
    head = buffered.peek(65536)[:65536].lstrip(codecs.BOM_UTF8 + b" \t\r\n")
    if not head:
        return
    if head[:1] == b"[":
        yield from _array(_text(buffered), name, wrapped=False)
        return
    lines = head.split(b"\n")
    if head[:1] != b"{":
        # JSON Lines whose first line is corrupt still has object lines further on.
        if not any(line.lstrip().startswith(b"{") for line in lines[1:]):
            raise QAError(
                f"{name}: not JSON (expected JSON Lines, a JSON array or an object, got {head[:20]!r})"
            )
        jsonl = True
    else:
        try:
            orjson.loads(lines[0])
            jsonl = True
        except orjson.JSONDecodeError:
            jsonl = False
    if jsonl:
        yield from _lines(buffered, on_bytes)
    else:
        yield from _array(_text(buffered), name, wrapped=True)


def _text(stream: IO[bytes]) -> IO[str]:
    return io.TextIOWrapper(stream, encoding="utf-8-sig", errors="strict")


def _lines(stream: IO[bytes], on_bytes: Callable[[], None] | None) -> Iterator[Record]:
    for number, raw in enumerate(stream, start=1):
        if number == 1 and raw.startswith(codecs.BOM_UTF8):
            raw = raw[len(codecs.BOM_UTF8) :]
        raw = raw.rstrip(b"\r\n")
        if not raw.strip():
            continue
        where = f"line {number}"
        try:
            value = orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            try:
                raw.decode("utf-8")
                reason = f"not valid JSON: {exc}"
            except UnicodeDecodeError:
                reason = "not valid UTF-8"
            yield where, Problem(where, reason)
            continue
        yield where, value
        if on_bytes is not None and number % 256 == 0:
            on_bytes()


def _array(text: IO[str], name: str, *, wrapped: bool) -> Iterator[Record]:
    window = _Window(text)
    decoder = json.JSONDecoder()
    index = 0
    try:
        if wrapped and not _enter_wrapped_array(window, decoder):
            # A single object with no list of records inside: it is the one record.
            if window.base:
                raise QAError(f"{name}: a JSON object with no list of records ({', '.join(WRAPPER_KEYS)})")
            window.pos = 0
            yield "item 1", window.value(decoder)
            return
        if not wrapped:
            window.take("[")
        if window.take("]"):
            return
        while True:
            index += 1
            where = f"item {index}"
            try:
                value = window.value(decoder)
            except ValueError as exc:
                what = f"not valid UTF-8 ({exc.reason})" if isinstance(exc, UnicodeDecodeError) else str(exc)
                yield (
                    where,
                    Problem(where, f"the JSON breaks here: {what}; the rest of {name} cannot be read"),
                )
                return
            yield where, value
            if window.take(","):
                continue
            if window.take("]") or window.peek() == "":
                return
            yield (
                where,
                Problem(where, f"expected ',' or ']' after this item; the rest of {name} cannot be read"),
            )
            return
    except UnicodeDecodeError as exc:
        if index <= 1:
            raise QAError(f"{name}: not valid UTF-8 ({exc.reason})") from None
        yield (
            f"item {index}",
            Problem(f"item {index}", f"not valid UTF-8 ({exc.reason}); the rest of {name} cannot be read"),
        )
    except ValueError as exc:
        raise QAError(f"{name}: not valid JSON: {exc}") from None


def _enter_wrapped_array(window: _Window, decoder: json.JSONDecoder) -> bool:
    """Inside ``{...}``, skip members until a known list key (HAL's ``_embedded`` is entered too);
    leave the window just inside that array."""
    if not window.take("{"):
        return False
    while True:
        if window.peek() != '"':
            return False
        key = window.value(decoder)
        if not window.take(":"):
            return False
        if key in WRAPPER_KEYS and window.take("["):
            return True
        if key == "_embedded" and window.peek() == "{":
            return _enter_wrapped_array(window, decoder)
        window.value(decoder)  # a member we do not need
        if not window.take(","):
            return False
