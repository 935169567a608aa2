"""Reading helpdesk data as the vendors send it: documents in, fragments out, conversations joined.

A vendor's data comes apart: a Zendesk ticket in one API response and its comments in another, a
Chatwoot webhook carrying one message, an Intercom list without the conversation parts, users
sideloaded next to the comments they wrote. So each vendor module reads every document it is given
(whatever its shape: an API page, one record, a webhook, a connector record) into *fragments*:

- :class:`Meta`: what a conversation-level record says (requester, channel, the opening message);
- :class:`Message`: one message of a conversation, keyed by its id so a message seen twice (in a
  webhook and in the page it later appears in) counts once;
- :class:`Person`: a user's name and role (sideloaded users, a ticket's requester).

Fragments go into a SQLite file in the run's work folder (disk, not memory: an incremental export of a
million tickets stays flat), and once every file is read each conversation is rebuilt from all of its
fragments, whichever files they came from, by the vendor's ``build``, in the order conversations were
first seen. A document no shape of the vendor fits is a problem whose reason says which shapes are read
and the API call that gives one; the first document of the run stops it instead (most likely the
wrong ``--from``).
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Protocol

import orjson

from tactful.errors import ShapeError as ShapeError
from tactful.qa.conversation import Conversation, MissingField, Problem, QAError, Role, Turn
from tactful.qa.jsonstream import Slice, at, iter_documents

#: How a message's role is decided: by the vendor's own fields at read time, or at build time (None).
#: ``note``: an internal note (counted, left out); ``skip``: not a message (activity, assignment).
ROLES = ("agent", "customer", "bot", "note", "skip")
_TURN_ROLES: dict[str, Role] = {"agent": "agent", "customer": "customer", "bot": "bot"}
_BATCH = 5_000


@dataclass(frozen=True, slots=True)
class Where:
    """Where a document or record sits: its file (named in positions when the run reads several),
    its position in it, and the Airbyte stream it came from (connector records name their stream)."""

    file: str
    position: str
    stream: str | None = None
    show_file: bool = False
    first_item: int = 1  # a Slice of a big document: its one element's number in the whole list

    def item(self, index: int) -> Where:
        number = index + self.first_item - 1
        return replace(self, position=at(self.position, f"item {number}"), first_item=1)

    @property
    def text(self) -> str:
        """The position as problems show it; a file's single record is its ``item 1``."""
        position = self.position or "item 1"
        return f"{self.file}: {position}" if self.show_file else position

    @property
    def anonymous(self) -> str:
        """An id for a conversation whose data names none (a comments page fetched per ticket): the
        file it was saved in, and the document's place in it."""
        name = self.file if self.show_file else Path(self.file).name
        stem = re.sub(r"\.(json|jsonl|ndjson)$", "", name, flags=re.I) or "conversation"
        return f"{stem} {self.position}".strip()


@dataclass(slots=True)
class Meta:
    conv: str
    fields: dict[str, Any]
    where: Where


@dataclass(slots=True)
class Message:
    """One message, already in neutral fields: ``id``, ``at`` (ISO or None), ``text``, ``author`` (the
    vendor's id), ``name`` (when given inline), ``role`` (one of :data:`ROLES`, or None to decide at
    build time) and whatever else the vendor's ``build`` needs to decide it."""

    conv: str
    fields: dict[str, Any]
    where: Where


@dataclass(slots=True)
class Person:
    id: str
    name: str | None = None
    role: str | None = None


@dataclass(slots=True)
class Unread:
    """A record that could not be read: a problem at its position (or the run's stop, if first)."""

    where: Where
    error: Exception


Fragment = Meta | Message | Person | Unread


@dataclass(slots=True)
class Parts:
    """Everything read about one conversation, for the vendor's ``build``."""

    id: str
    meta: dict[str, Any] = field(default_factory=dict)  # merged: the first value given for each field wins
    messages: list[dict[str, Any]] = field(default_factory=list)  # in the order read
    position: str = ""
    people: Callable[[str], Person | None] = lambda _id: None


class VendorReader(Protocol):
    NAME: str
    #: One line: the shapes this vendor's reader takes, and the API calls that give them.
    HINT: str

    def split(self, document: Any, where: Where) -> Iterator[Fragment]: ...

    def build(self, parts: Parts) -> Conversation: ...


# ── helpers the vendor modules share ──────────────────────────────────────────────────────


def ident(value: Any) -> str | None:
    """An id as text (``12`` and ``"12"`` are the same user), or None."""
    if value is None or isinstance(value, bool) or value == "":
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value) if isinstance(value, int | str) else None


def records(items: Any, where: Where, read: Callable[[Any, Where], Iterable[Fragment]]) -> Iterator[Fragment]:
    """``read`` each element of a list, each at its own position; a record that fails adds nothing
    but its problem (its fragments are collected before any is let out)."""
    if not isinstance(items, list):
        yield Unread(where, ValueError("expected a list"))
        return
    for index, item in enumerate(items, start=1):
        yield from guarded(item, where.item(index), read)


def guarded(item: Any, where: Where, read: Callable[[Any, Where], Iterable[Fragment]]) -> Iterator[Fragment]:
    try:
        if not isinstance(item, dict):
            raise ValueError(f"expected a JSON object, got {type(item).__name__}")
        fragments = list(read(item, where))
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        yield Unread(where, exc)
        return
    yield from fragments


def obj(value: Any) -> dict[str, Any]:
    """``value`` when it is an object, else an empty one (an optional nested field)."""
    return value if isinstance(value, dict) else {}


def person_name(person: Any) -> str | None:
    """A person's display name from ``name``, ``first``/``last`` or ``firstName``/``lastName``."""
    if not isinstance(person, dict):
        return None
    name = person.get("name")
    if isinstance(name, str) and name.strip():
        return name.strip()
    parts = [person.get(k) for k in ("first", "last")] + [person.get(k) for k in ("firstName", "lastName")]
    joined = " ".join(p.strip() for p in parts if isinstance(p, str) and p.strip())
    return joined or None


def finish(parts: Parts, channel: str, roles: Iterable[tuple[dict[str, Any], str]]) -> Conversation:
    """The conversation from messages whose roles are decided: agent, customer and bot turns in time
    order, notes counted, the rest left out. Authors are named from the message, else the people read
    (sideloaded users), else their id."""
    turns: list[Turn] = []
    notes = 0
    for message, role in roles:
        if role == "note":
            notes += 1
        elif role in _TURN_ROLES:
            author = str(message.get("author") or "")
            name = message.get("name")
            if not name and author:
                known = parts.people(author)
                name = known.name if known is not None else None
            turns.append(
                Turn(
                    role=_TURN_ROLES[role],
                    text=message.get("text") or "",
                    author=name or author,
                    at=message.get("at"),
                    id=str(message["id"]),
                )
            )
    ordered = sorted(turns, key=lambda t: t.at or "") if all(t.at for t in turns) else turns
    return Conversation(id=parts.id, channel=channel, turns=ordered, position=parts.position, notes=notes)


# ── the read loop and the join ────────────────────────────────────────────────────────────


def unwrap_connector(document: Any, where: Where) -> tuple[Any, Where]:
    """Airbyte connector records (``{"stream", "data", "emitted_at"}``, or the ``RECORD`` message that
    holds one): the record, with its stream noted."""
    if (
        isinstance(document, dict)
        and document.get("type") == "RECORD"
        and isinstance(document.get("record"), dict)
    ):
        document = document["record"]
    if (
        isinstance(document, dict)
        and isinstance(document.get("stream"), str)
        and isinstance(document.get("data"), dict)
        and set(document) <= {"stream", "data", "emitted_at", "namespace", "meta"}
    ):
        return document["data"], replace(where, stream=document["stream"])
    return document, where


def read_vendor(
    files: Iterable[tuple[str, bool, Any]], vendor: VendorReader, workdir: Path
) -> Iterator[Conversation | Problem]:
    """Read every document of ``files`` (``(name, show the name in positions, binary stream)``) with
    ``vendor``, then yield the joined conversations. Problems come as met, conversations at the end."""
    index = workdir / f"{vendor.NAME}-join.sqlite"
    index.unlink(missing_ok=True)
    joiner = Joiner(index)
    understood = False
    try:
        for name, show, stream in files:
            for position, document in iter_documents(stream, name):
                where = Where(name, position, show_file=show)
                if isinstance(document, Slice):
                    where = replace(where, first_item=document.index)
                    document = document.document
                if isinstance(document, Problem):
                    yield Problem(replace(where, position=document.position).text, document.reason)
                    continue
                for fragment in fragments(vendor, document, where):
                    if isinstance(fragment, Unread):
                        reason = _reason(fragment.error)
                        if isinstance(fragment.error, MissingField | ShapeError) and not understood:
                            where_text = replace(fragment.where, show_file=False).text
                            raise QAError(f"{name}: {where_text}: {reason} (is this a {vendor.NAME} export?)")
                        yield Problem(fragment.where.text, reason)
                        continue
                    understood = True
                    joiner.add(fragment)
        yield from joiner.build(vendor)
    finally:
        joiner.close()
        index.unlink(missing_ok=True)


def assemble(
    vendor: VendorReader, documents: Iterable[tuple[str, Any]], people: Iterable[Person] = ()
) -> list[Conversation | Problem]:
    """The conversations of documents already parsed, each labelled with where it came from (``GET
    /api/v2/tickets/7/comments.json``), joined in memory: what ``tactful pull`` makes of the pages it
    fetched for one ticket (``people``: users read once for every ticket). Records that cannot be read
    are problems at their position."""
    joiner = Joiner(":memory:")
    problems: list[Conversation | Problem] = []
    try:
        for person in people:
            joiner.add(person)
        for label, document in documents:
            for fragment in fragments(vendor, document, Where(label, "", show_file=True)):
                if isinstance(fragment, Unread):
                    problems.append(Problem(fragment.where.text, _reason(fragment.error)))
                else:
                    joiner.add(fragment)
        return problems + list(joiner.build(vendor))
    finally:
        joiner.close()


def fragments(vendor: VendorReader, document: Any, where: Where) -> list[Fragment]:
    """What ``vendor`` reads from one document; a document it cannot read at all is one :class:`Unread`."""
    document, where = unwrap_connector(document, where)
    try:
        return list(vendor.split(document, where))
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        return [Unread(where, exc)]


def _reason(exc: Exception) -> str:
    return str(exc) if isinstance(exc, ValueError) else f"{type(exc).__name__}: {exc}"


class Joiner:
    """Fragments on disk, then conversations rebuilt from them in the order first seen."""

    def __init__(self, path: Path | str) -> None:
        self.con = sqlite3.connect(path)
        self.con.execute("PRAGMA journal_mode=OFF")
        self.con.execute("PRAGMA synchronous=OFF")
        self.con.executescript(
            """
            CREATE TABLE conv (id TEXT PRIMARY KEY, seq INTEGER NOT NULL, position TEXT NOT NULL)
                WITHOUT ROWID;
            CREATE TABLE part (conv TEXT NOT NULL, seq INTEGER NOT NULL, meta INTEGER NOT NULL, key TEXT,
                               position TEXT NOT NULL, data BLOB NOT NULL);
            CREATE UNIQUE INDEX part_key ON part(conv, key);
            CREATE INDEX part_conv ON part(conv, seq);
            CREATE TABLE person (id TEXT PRIMARY KEY, name TEXT, role TEXT) WITHOUT ROWID;
            """
        )
        self.seq = 0
        self.convs: list[tuple[str, int, str]] = []
        self.parts: list[tuple[str, int, int, str | None, str, bytes]] = []
        self.people: list[tuple[str, str | None, str | None]] = []

    def add(self, fragment: Fragment) -> None:
        self.seq += 1
        if isinstance(fragment, Person):
            self.people.append((fragment.id, fragment.name, fragment.role))
        elif isinstance(fragment, Meta | Message):
            where = fragment.where.text
            self.convs.append((fragment.conv, self.seq, where))
            is_meta = isinstance(fragment, Meta)
            key = None if is_meta else str(fragment.fields.get("id") or where)
            if not is_meta:
                fragment.fields.setdefault("id", key)
            self.parts.append(
                (fragment.conv, self.seq, int(is_meta), key, where, orjson.dumps(fragment.fields))
            )
        if len(self.parts) + len(self.people) >= _BATCH:
            self.flush()

    def flush(self) -> None:
        self.con.executemany("INSERT OR IGNORE INTO conv VALUES (?,?,?)", self.convs)
        self.con.executemany("INSERT OR IGNORE INTO part VALUES (?,?,?,?,?,?)", self.parts)
        self.con.executemany(
            "INSERT INTO person VALUES (?,?,?) ON CONFLICT(id) DO UPDATE SET"
            " name = coalesce(person.name, excluded.name), role = coalesce(person.role, excluded.role)",
            self.people,
        )
        self.convs, self.parts, self.people = [], [], []

    def build(self, vendor: VendorReader) -> Iterator[Conversation | Problem]:
        """Each conversation rebuilt by ``vendor`` from all its fragments; one that fails is a problem."""
        self.flush()
        for parts in self.conversations():
            try:
                yield vendor.build(parts)
            except (ValueError, TypeError, KeyError, AttributeError) as exc:
                yield Problem(parts.position, f"conversation {parts.id}: {_reason(exc)}")

    def person(self, person_id: str) -> Person | None:
        row = self.con.execute("SELECT name, role FROM person WHERE id = ?", (person_id,)).fetchone()
        return None if row is None else Person(person_id, row[0], row[1])

    def conversations(self) -> Iterator[Parts]:
        cursor = self.con.cursor()
        ids = self.con.execute("SELECT id, position FROM conv ORDER BY seq")
        for conv_id, position in ids:
            parts = Parts(id=conv_id, position=position, people=self._people_cache())
            for is_meta, data in cursor.execute(
                "SELECT meta, data FROM part WHERE conv = ? ORDER BY seq", (conv_id,)
            ):
                fields = orjson.loads(data)
                if is_meta:
                    for key, value in fields.items():
                        if value is not None and parts.meta.get(key) is None:
                            parts.meta[key] = value
                else:
                    parts.messages.append(fields)
            yield parts

    def _people_cache(self) -> Callable[[str], Person | None]:
        seen: dict[str, Person | None] = {}

        def lookup(person_id: str) -> Person | None:
            if person_id not in seen:
                seen[person_id] = self.person(person_id)
            return seen[person_id]

        return lookup

    def close(self) -> None:
        self.con.close()
