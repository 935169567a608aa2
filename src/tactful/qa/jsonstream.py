"""Read a JSON export one document at a time, whatever its formatting, in bounded memory.

A *document* is one top-level JSON value as the user saved it: a line of JSON Lines, an element of a
top-level array, or a whole object. What a document is (an API page, one record, a webhook) is for the
format's reader to tell from its fields: this module only finds the documents, and finds the same ones
whether the file is indented or on one line.

Positions: ``line N`` (JSON Lines), ``item N`` (elements of a top-level array), ``document N`` (the
second and later of several values saved one after another); a file that holds a single document
gives it the empty position, so its records are numbered ``item N`` however it was formatted.

The stdlib parser only reads whole documents, so arrays are streamed here with
``JSONDecoder.raw_decode`` over a sliding text window: one element is in memory at a time (up to
:data:`MAX_RECORD_CHARS`). An object larger than that (an API page of a million tickets) is streamed
too: each element of its first list becomes a :class:`Slice`, a document of its own with the object's
other members (those before the list) copied alongside.

A corrupt JSON Lines line is a :class:`Problem` and the next line is read. Inside an array or object
a syntax error leaves no safe place to resume, so the reader reports where it broke and stops; the
documents before it have been yielded already.
"""

from __future__ import annotations

import codecs
import io
import json
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from typing import IO, Any

import orjson

from tactful.qa.conversation import Problem, QAError

#: The largest single document the reader holds whole; a larger object is streamed by its list.
MAX_RECORD_CHARS = 64 * 1024 * 1024
_READ_CHARS = 1 << 20
_HEAD_BYTES = 65536
_WS = " \t\r\n"
#: Objects a big document's list may sit in (HAL's ``_embedded``, Chatwoot's ``data``).
_NESTS = ("_embedded", "data")

Document = tuple[str, Any]  # (position, parsed value) or (position, Problem)


def at(parent: str, child: str) -> str:
    """The position ``child`` inside ``parent`` (``line 3, item 2``; just ``item 2`` at the top)."""
    return f"{parent}, {child}" if parent else child


@dataclass(frozen=True, slots=True)
class Slice:
    """The ``index``-th element of the list of a document too large to hold, as a document of its own:
    the members read before the list, and the list holding just this element."""

    index: int
    document: dict[str, Any]


class _TooLarge(Exception):
    """An object did not end within :data:`MAX_RECORD_CHARS`."""


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

    def value(self, decoder: json.JSONDecoder, *, whole_object: bool = False) -> Any:
        """Decode the next value, reading more text until it is complete (or plainly corrupt).

        With ``whole_object``, an object still open after :data:`MAX_RECORD_CHARS` raises
        :class:`_TooLarge` with the window left at its start, so it can be streamed instead.
        """
        self.peek()
        while True:
            try:
                value, end = decoder.raw_decode(self.buf, self.pos)
            except json.JSONDecodeError as exc:
                within = len(self.buf) - self.pos < MAX_RECORD_CHARS
                if not self.eof and within and self.fill():
                    continue
                if whole_object and not within and not self.eof:
                    raise _TooLarge from None
                raise ValueError(f"{exc.msg} at character {self.base + exc.pos:,}") from None
            except RecursionError:
                raise ValueError(f"nested too deeply at character {self.base + self.pos:,}") from None
            # A number or literal that ends at the window's edge may continue in the next read.
            if end == len(self.buf) and not self.eof and self.fill():
                continue
            self.pos = end
            return value


def iter_documents(stream: IO[bytes], name: str) -> Iterator[Document]:
    """Yield ``(position, document)`` for each top-level JSON document of ``stream``.

    A document that cannot be parsed comes as a :class:`Problem`. Raises :class:`QAError` when the
    file is not JSON at all.
    """
    buffered: Any = stream if isinstance(stream, io.BufferedReader) else io.BufferedReader(stream)
    head = buffered.peek(_HEAD_BYTES)[:_HEAD_BYTES].lstrip(codecs.BOM_UTF8 + b" \t\r\n")
    if not head:
        return
    lines = head.split(b"\n")
    if head[:1] in (b"{", b"["):
        try:
            orjson.loads(lines[0])
            jsonl = True
        except orjson.JSONDecodeError:
            jsonl = False  # one document over several lines, or a line longer than the head
    elif any(line.lstrip().startswith((b"{", b"[")) for line in lines[1:]):
        jsonl = True  # JSON Lines whose first line is corrupt
    else:
        raise QAError(f"{name}: not JSON (expected JSON Lines, a JSON array or an object, got {head[:20]!r})")
    if jsonl:
        yield from _lines(buffered)
    else:
        yield from _values(io.TextIOWrapper(buffered, encoding="utf-8-sig", errors="strict"), name)


def _lines(stream: IO[bytes]) -> Iterator[Document]:
    """Each line a document; a file of one line is one document (the same as it indented)."""
    held: tuple[int, bytes] | None = None
    seen = 0
    for number, raw in enumerate(stream, start=1):
        if number == 1 and raw.startswith(codecs.BOM_UTF8):
            raw = raw[len(codecs.BOM_UTF8) :]
        raw = raw.rstrip(b"\r\n")
        if not raw.strip():
            continue
        seen += 1
        if held is not None:
            yield _line(*held)
        held = (number, raw)
    if held is not None:
        yield _line(*held, single=seen == 1)


def _line(number: int, raw: bytes, single: bool = False) -> Document:
    where = "" if single else f"line {number}"
    try:
        return where, orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        try:
            raw.decode("utf-8")
            reason = f"not valid JSON: {exc}"
        except UnicodeDecodeError:
            reason = "not valid UTF-8"
        where = where or f"line {number}"
        return where, Problem(where, reason)


def _values(text: IO[str], name: str) -> Iterator[Document]:
    window = _Window(text)
    decoder = json.JSONDecoder()
    count = 0
    try:
        while window.peek():
            count += 1
            where = "" if count == 1 else f"document {count}"
            if window.peek() == "[":
                window.take("[")
                if not (yield from _array(window, decoder, where, name)):
                    return
                continue
            try:
                value = window.value(decoder, whole_object=True)
            except _TooLarge:
                if not (yield from _big_object(window, decoder, where, name)):
                    return
                continue
            except ValueError as exc:
                if count == 1:
                    raise QAError(f"{name}: not valid JSON: {exc}") from None
                yield where, Problem(where, f"the JSON breaks here: {exc}; the rest of {name} cannot be read")
                return
            yield where, value
    except UnicodeDecodeError as exc:
        if count <= 1:
            raise QAError(f"{name}: not valid UTF-8 ({exc.reason})") from None
        where = f"document {count}"
        yield where, Problem(where, f"not valid UTF-8 ({exc.reason}); the rest of {name} cannot be read")


def _array(
    window: _Window, decoder: json.JSONDecoder, parent: str, name: str
) -> Generator[Document, None, bool]:
    """The elements of the array the window is inside of; returns False when the JSON broke."""
    if window.take("]"):
        return True
    index = 0
    while True:
        index += 1
        where = at(parent, f"item {index}")
        try:
            value = window.value(decoder)
        except UnicodeDecodeError as exc:
            if index == 1 and not parent:
                raise
            yield where, Problem(where, f"not valid UTF-8 ({exc.reason}); the rest of {name} cannot be read")
            return False
        except ValueError as exc:
            yield where, Problem(where, f"the JSON breaks here: {exc}; the rest of {name} cannot be read")
            return False
        yield where, value
        if window.take(","):
            continue
        if window.take("]") or window.peek() == "":
            return True
        yield where, Problem(where, f"expected ',' or ']' after this item; the rest of {name} cannot be read")
        return False


def _big_object(
    window: _Window, decoder: json.JSONDecoder, parent: str, name: str
) -> Generator[Document, None, bool]:
    """Stream an object too large to hold: each element of its first list (at the top or in
    ``_embedded``/``data``) becomes a document with the members read before it; returns False when
    the JSON broke."""
    try:
        path, head = _enter_list(window, decoder)
    except ValueError as exc:
        where = parent or "item 1"
        yield where, Problem(where, f"the JSON breaks here: {exc}; the rest of {name} cannot be read")
        return False
    if path is None:
        where = parent or "item 1"
        yield where, Problem(where, f"a JSON object over {MAX_RECORD_CHARS:,} characters with no list in it")
        return False
    for index, (where, value) in enumerate(_array(window, decoder, parent, name), start=1):
        if isinstance(value, Problem):
            yield where, value
            return False
        document: dict[str, Any] = dict(head[0])
        document[path[0]] = [value] if len(path) == 1 else {**head[1], path[1]: [value]}
        yield parent, Slice(index, document)
    try:  # the members after the list (and the closing braces): read past them
        for _ in range(len(path)):
            while window.take(","):
                window.value(decoder)
                window.take(":")
                window.value(decoder)
            window.take("}")
    except ValueError:
        return False
    return True


def _enter_list(window: _Window, decoder: json.JSONDecoder) -> tuple[list[str] | None, list[dict[str, Any]]]:
    """Inside ``{...}``, read members until the first list (one level into ``_embedded``/``data``);
    leave the window just inside it. Returns its key path and the members read on each level."""
    heads: list[dict[str, Any]] = [{}]
    path: list[str] = []
    if not window.take("{"):
        raise ValueError("expected an object")
    while True:
        if window.peek() != '"':
            return None, heads
        key = window.value(decoder)
        if not window.take(":"):
            raise ValueError(f"expected ':' after {key!r}")
        if window.take("["):
            return [*path, key], heads
        if key in _NESTS and not path and window.peek() == "{":
            window.take("{")
            path.append(key)
            heads.append({})
            continue
        heads[-1][key] = window.value(decoder)
        if not window.take(","):
            return None, heads
