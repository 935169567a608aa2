"""What the importers share: opening the export, CSV rows, required fields, turns, timestamps, HTML
bodies (the channels are :mod:`tactful.channels`)."""

from __future__ import annotations

import csv
import html
import io
import os
import re
import sys
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from tactful.bulk.reader import BinaryInput, InputFile
from tactful.qa.conversation import Conversation, MissingField, Problem, QAError, Role, Turn
from tactful.qa.jsonstream import Slice, at, iter_documents
from tactful.textio import InputError

Item = Conversation | Problem
Convert = Callable[[dict[str, Any], str], Conversation | None]
#: What a format reads from one message: who wrote it, the text, the author; None skips the message.
Said = tuple[Role, str, str]
Speaker = Callable[[Any, str], Said | None]


#: The files a folder given as the export contributes (hidden files and other names are left out).
JSON_SUFFIXES = (".json", ".jsonl", ".ndjson")


class Source:
    """The export: one file, several, or folders of them (one export's pages), opened one at a time
    for bytes; ``done``/``size`` drive the progress bar. Every file is checked up front: a missing,
    binary or compressed one stops the run before anything is read."""

    def __init__(self, paths: str | Sequence[str]) -> None:
        given = [paths] if isinstance(paths, str) else list(paths)
        if not given:
            raise QAError("no export given")
        self.name = ", ".join(given)
        self.files = [f for path in given for f in _expand(path)]
        self.multiple = len(self.files) > 1
        self.size = 0
        for path in self.files:
            with _open(path) as f:
                self.size += f.size or 0
        self._done = 0
        self._file: InputFile | None = None

    def parts(self) -> Iterator[tuple[str, bool, io.BufferedReader]]:
        """Each file in turn as ``(name, whether positions name it, stream)``."""
        for path in self.files:
            yield path, self.multiple, self._open_next(path)

    @property
    def stream(self) -> io.BufferedReader:
        """The one file of a format that reads a single file (CSV, TWCS)."""
        if self._file is None:
            if self.multiple:
                raise QAError(f"{self.name}: this format reads one file, not {len(self.files)}")
            return self._open_next(self.files[0])
        return self._file.stream

    def _open_next(self, path: str) -> io.BufferedReader:
        if self._file is not None:
            self._done += self._file.counter.count
            self._file.close()
        self._file = _open(path)
        return self._file.stream

    @property
    def done(self) -> int:
        return self._done + (self._file.counter.count if self._file else 0)

    def close(self) -> None:
        if self._file is not None:
            self._file.close()


def _expand(path: str) -> list[str]:
    """A file as itself; a folder as its JSON files, recursively, in name order."""
    if not os.path.isdir(path):
        return [path]
    root = Path(path)
    found = sorted(
        str(p)
        for p in root.rglob("*")
        if p.suffix.lower() in JSON_SUFFIXES
        and p.is_file()
        and not any(part.startswith(".") for part in p.relative_to(root).parts)
    )
    if not found:
        raise QAError(f"{path}: a folder with no {'/'.join(JSON_SUFFIXES)} files in it")
    return found


def _open(path: str) -> InputFile:
    """One file of the export (``-`` is a file name here), its first bytes checked to be text."""
    try:
        return InputFile(path, stdin=False)
    except BinaryInput:
        message = f"{path}: looks like a binary or compressed file; expected a UTF-8 text export"
        raise QAError(message) from None
    except InputError as exc:
        raise QAError(str(exc)) from None


def json_conversations(source: Source, fmt: str, convert: Convert) -> Iterator[Item]:
    """Run ``convert`` over each record of a JSON export in tactful's own shapes (``jsonl``, ``ibm``);
    bad records become problems.

    A record is a document (a line, an array's element, the file's one object) or an element of the
    list a document wraps (``{"conversations": [...]}``, ...: :data:`WRAPPER_KEYS`). A required field
    missing from the very first record most likely means the wrong ``--from``: that stops the run with
    the file and the field named, instead of rejecting every record.
    """
    seen_good = False
    for name, show, stream in source.parts():
        for document_position, document in iter_documents(stream, name):
            for position, record in _records(document_position, document):
                shown = f"{name}: {position}" if show else position
                if isinstance(record, Problem):
                    yield Problem(shown, record.reason)
                    continue
                try:
                    if not isinstance(record, dict):
                        raise ValueError(f"expected a JSON object, got {type(record).__name__}")
                    conversation = convert(record, shown)
                except MissingField as exc:
                    if not seen_good:
                        raise QAError(f"{name}: {position}: {exc} (is this a {fmt} export?)") from None
                    yield Problem(shown, str(exc))
                    continue
                except (ValueError, TypeError, KeyError, AttributeError) as exc:
                    reason = str(exc) if isinstance(exc, ValueError) else f"{type(exc).__name__}: {exc}"
                    yield Problem(shown, reason)
                    continue
                seen_good = True
                if conversation is not None:
                    conversation.position = shown
                    yield conversation


#: Members of an API-style wrapper object that hold the list of records (tactful's own shapes).
WRAPPER_KEYS = ("tickets", "conversations", "results", "data", "payload", "items", "records")


def _records(position: str, document: Any, first: int = 1) -> Iterator[tuple[str, Any]]:
    if isinstance(document, Slice):
        yield from _records(position, document.document, document.index)
        return
    if isinstance(document, list):
        for index, item in enumerate(document, start=first):
            yield at(position, f"item {index}"), item
        return
    if isinstance(document, dict):
        listed = document
        if isinstance(listed.get("_embedded"), dict):
            listed = listed["_embedded"]
        for key in WRAPPER_KEYS:
            if isinstance(listed.get(key), list):
                yield from _records(position, listed[key], first)
                return
    yield position or "item 1", document


def csv_rows(
    source: Source, required: Sequence[str], field_limit: int, hint: str = ""
) -> tuple[dict[str, int], Iterator[tuple[int, list[str]] | Problem]] | None:
    """The header's columns and the rows (line number, fields) of a CSV export; None when it is empty.

    A bad header or a missing ``required`` column stops the run (``hint`` ends that message; by default
    it lists the header); a row that cannot be read is a problem naming its line.
    """
    # surrogateescape: a bad byte spoils its own row (reported below), not the whole 8 KiB block it sits in.
    text = io.TextIOWrapper(source.stream, encoding="utf-8-sig", errors="surrogateescape", newline="")
    csv.field_size_limit(min(sys.maxsize, field_limit))
    reader = csv.reader(text)
    try:
        header = next(reader, None)
    except (csv.Error, UnicodeDecodeError) as exc:
        raise QAError(f"{source.name}: cannot read the CSV header: {exc}") from None
    if header is None:
        return None
    if not utf8(header):
        raise QAError(f"{source.name}: the CSV header is not valid UTF-8")
    columns = {name.strip(): i for i, name in enumerate(header)}
    for name in required:
        if name not in columns:
            why = hint or f"the header has: {', '.join(header)}"
            raise QAError(f"{source.name}: missing required column '{name}' ({why})")
    return columns, _rows(reader, len(header))


def _rows(reader: Any, width: int) -> Iterator[tuple[int, list[str]] | Problem]:
    while True:
        line = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except (csv.Error, UnicodeDecodeError) as exc:
            yield Problem(f"line {line}", f"bad CSV row: {exc}")
            continue
        if not row or (len(row) == 1 and not row[0].strip()):
            continue
        if len(row) != width:
            yield Problem(f"line {line}", f"expected {width} fields (as in the header), got {len(row)}")
            continue
        if not utf8(row):
            yield Problem(f"line {line}", "not valid UTF-8")
            continue
        yield line, row


def utf8(fields: list[str]) -> bool:
    """Whether CSV fields decoded with ``surrogateescape`` were valid UTF-8 (no escaped bytes)."""
    try:
        for value in fields:
            value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def need(record: dict[str, Any], key: str, where: str = "") -> Any:
    """``record[key]``, or :class:`MissingField` naming the field (with its parent path)."""
    if not isinstance(record, dict) or record.get(key) is None:
        raise MissingField(f"{where}{key}")
    return record[key]


def need_list(record: dict[str, Any], key: str) -> list[Any]:
    """``record[key]``, which must be a list (a conversation's messages)."""
    value = need(record, key)
    if not isinstance(value, list):
        raise ValueError(f"field '{key}' must be a list")
    return value


def message_turns(
    messages: list[Any], key: str, speaker: Speaker, at: str = "created_at", id_key: str = "id"
) -> list[Turn]:
    """A turn for each message ``speaker`` keeps, in the export's order.

    ``speaker`` states what differs between formats (who wrote it, the text, what is skipped); the time
    is the ``at`` field and the id the ``id_key`` field (else the message's index).
    """
    turns = []
    for i, message in enumerate(messages):
        where = f"{key}[{i}]."
        said = speaker(message, where)
        if said is not None:
            turns.append(make_turn(message, where, str(message.get(id_key, i)), said, at))
    return turns


def make_turn(message: dict[str, Any], where: str, turn_id: str, said: Said, at: str = "created_at") -> Turn:
    """The turn ``said`` describes, stamped from the message's ``at`` field."""
    role, text, author = said
    return Turn(role=role, text=text, author=author, at=timestamp(message.get(at), where + at), id=turn_id)


def text_of(value: Any, field: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValueError(f"field '{field}' must be a string, not {type(value).__name__}")
    return value


_TAG_BREAK = re.compile(r"<\s*(br|/p|/div|/li|/h\d)\b[^>]*>", re.I)
# "<[^>]*>" would rescan to the end of the body from every "<" that is never closed (quadratic).
_TAG = re.compile(r"<[^<>]*>")
_BLANKS = re.compile(r"[ \t\r\f\v]+")


def html_to_text(body: str) -> str:
    """A plain-text reading of an HTML message body (Intercom, Help Scout, Freshdesk ``body``)."""
    if "<" not in body and "&" not in body:
        return body.strip()
    text = _TAG.sub("", _TAG_BREAK.sub("\n", body))
    text = html.unescape(text)
    lines = [_BLANKS.sub(" ", line).strip() for line in text.split("\n")]
    return "\n".join(line for line in lines if line)


_TWITTER_TIME = "%a %b %d %H:%M:%S %z %Y"
_MONTHS = {m: f"{i:02d}" for i, m in enumerate("Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split(), 1)}
_TWITTER_UTC = re.compile(
    r"(Mon|Tue|Wed|Thu|Fri|Sat|Sun) (" + "|".join(_MONTHS) + r") (0[1-9]|[12]\d|3[01]) "
    r"((?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d) \+0000 (\d{4})\Z"
)
_CANONICAL = re.compile(r"\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:[0-5]\dZ\Z")


def timestamp(value: Any, field: str) -> str | None:
    """An ISO 8601 UTC timestamp from ISO text, Unix seconds (or milliseconds) or Twitter's format."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        if _CANONICAL.match(value):
            return value  # already what we write: skip the parse (a million-row export has two per turn)
        twitter = _TWITTER_UTC.match(value)
        if twitter:  # TWCS: strptime would be the slowest step of the whole import
            _, month, day, clock, year = twitter.groups()
            return f"{year}-{_MONTHS[month]}-{day}T{clock}Z"
    if isinstance(value, bool):
        raise ValueError(f"field '{field}': not a timestamp: {value!r}")
    try:
        if isinstance(value, int | float):
            seconds = value / 1000 if value > 1e11 else value
            moment = datetime.fromtimestamp(seconds, tz=timezone.utc)
        elif isinstance(value, str):
            raw = value.strip()
            if raw[:1].isalpha():
                moment = datetime.strptime(raw, _TWITTER_TIME)
            else:
                moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=timezone.utc)  # exports without a zone are UTC
        else:
            raise ValueError
    except (ValueError, OverflowError, OSError):
        raise ValueError(f"field '{field}': not a timestamp: {value!r}") from None
    # Whole seconds: helpdesks stamp at that precision, and equal-width strings sort in time order.
    return moment.astimezone(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


def ordered(turns: list[Any]) -> list[Any]:
    """Turns in time order (stable: same-time or undated turns keep the export's order)."""
    return sorted(turns, key=lambda t: t.at) if all(t.at for t in turns) else turns


# Support accounts on Twitter sign each tweet: "... -KC", "... ^JP", "... *SR", "... -Becky".
_SIGNATURE = re.compile(r"(?:\^|\*|(?<=\s)[-\u2013\u2014~/])\s?([A-Z][A-Za-z]{1,11})\s*\Z")


def signed_agent(handle: str, text: str) -> str:
    """``handle`` plus the agent's signature when the tweet ends with one (``Delta ^HCK``), so a team
    sharing one account is still reported per person; unsigned tweets stay under the handle."""
    match = _SIGNATURE.search(text)
    return f"{handle} ^{match.group(1)}" if match else handle
