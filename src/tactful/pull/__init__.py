"""``tactful pull``: fetch a helpdesk's conversations by API into tactful's neutral JSONL.

Each vendor module walks the helpdesk's list of changed conversations a page at a time (Zendesk's
incremental ticket export, Freshdesk's tickets by ``updated_since``, Chatwoot's conversations by last
activity), fetches every changed conversation's messages, reads them with the same vendor reader as
``tactful qa`` (roles, bots, notes, names, channels: one place) and commits the page with the cursor
past it (:mod:`tactful.pull.store`). So a pull is:

- incremental: a rerun fetches only what changed since the cursor the last run committed;
- resumable: killed at any point, the rerun continues from the last committed page, and a
  conversation fetched twice replaces itself: no duplicates;
- polite: 429 waits as long as ``Retry-After`` says, server errors are retried with backoff
  (:mod:`tactful.pull.client`).

The output, ``OUT``, is what ``tactful qa OUT --from jsonl`` reads. Internal notes are not written
(only their count, ``notes``): they stay in the helpdesk.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from tactful.errors import PullError
from tactful.pull.client import Client
from tactful.pull.credentials import load
from tactful.pull.store import PullStore
from tactful.qa.conversation import Conversation, Problem
from tactful.qa.formats._vendor import Person

VENDORS = ("zendesk", "freshdesk", "chatwoot")

__all__ = ["VENDORS", "PullError", "PullOptions", "PullSummary", "pull"]


@dataclass(frozen=True, slots=True)
class PullOptions:
    url: str
    out: str | Path
    credentials_file: str | None = None
    since: str | None = None  # the first pull only: changes since then (ISO 8601); default everything
    pagination: str = "cursor"  # Zendesk: cursor, or offset (the time-based export, next_page links)
    account: str | None = None  # Chatwoot's account id
    restart: bool = False


@dataclass(slots=True)
class PullSummary:
    out: Path
    pages: int = 0
    changed: int = 0  # conversations new or changed, written
    deleted: int = 0
    total: int = 0  # conversations in OUT
    requests: int = 0
    problems: list[Problem] = field(default_factory=list)
    elapsed: float = 0.0


class Session:
    """One run: the client, the store, and the page-by-page commits the walkers make."""

    def __init__(self, vendor: str, client: Client, store: PullStore, options: PullOptions) -> None:
        self.vendor, self.client, self.store, self.options = vendor, client, store, options
        self.summary = PullSummary(out=store.out)
        self.people: list[
            Person
        ] = []  # users every conversation's authors are named from (Freshdesk's agents)
        self.on_problem: Callable[[Problem], None] = lambda _p: None

    @property
    def since(self) -> datetime:
        if not self.options.since:
            return datetime(1970, 1, 1, tzinfo=timezone.utc)
        from tactful.qa.formats._common import timestamp

        try:
            stamp = timestamp(self.options.since, "--since")
        except ValueError:
            raise PullError(
                f"--since {self.options.since!r}: not a date (expected ISO 8601, 2026-01-31)"
            ) from None
        assert stamp is not None
        return datetime.fromisoformat(stamp.replace("Z", "+00:00"))

    def conversations(self, documents: Iterable[tuple[str, Any]]) -> list[dict[str, Any]]:
        """The neutral records of what ``documents`` (one conversation's pages) say; problems noted."""
        from tactful.qa.formats import vendor_reader
        from tactful.qa.formats._vendor import assemble

        records = []
        for item in assemble(vendor_reader(self.vendor), documents, self.people):
            if isinstance(item, Problem):
                self.summary.problems.append(item)
                self.on_problem(item)
            else:
                records.append(neutral(item, self.vendor))
        return records

    def read_people(self, documents: Iterable[tuple[str, Any]]) -> None:
        """Read the users in ``documents`` once, to name the authors of every conversation."""
        from tactful.qa.formats import vendor_reader
        from tactful.qa.formats._vendor import Where, fragments

        for label, document in documents:
            found = fragments(vendor_reader(self.vendor), document, Where(label, "", show_file=True))
            self.people += [f for f in found if isinstance(f, Person)]

    def commit(
        self, records: list[dict[str, Any]], cursor: dict[str, Any], deleted: Iterable[str] = ()
    ) -> None:
        deleted = list(deleted)
        self.summary.changed += self.store.commit(records, cursor, deleted)
        self.summary.deleted += len(deleted)
        self.summary.pages += 1


def neutral(conversation: Conversation, vendor: str) -> dict[str, Any]:
    """A conversation in ``tactful qa --from jsonl``'s format (notes only counted)."""
    return {
        "id": conversation.id,
        "channel": conversation.channel,
        "helpdesk": vendor,
        "notes": conversation.notes,
        "messages": [
            {"id": t.id, "role": t.role, "text": t.text, "author": t.author, "created_at": t.at}
            for t in conversation.turns
        ],
    }


def pull(
    vendor: str,
    options: PullOptions,
    *,
    environ: Mapping[str, str] | None = None,
    client_options: Mapping[str, Any] | None = None,
    on_problem: Callable[[Problem], None] | None = None,
) -> PullSummary:
    """Pull ``vendor``'s changed conversations into ``options.out``; rerun to continue after a crash.

    Raises :class:`PullError` (one line, no secret in it) when the pull cannot start or go on; what
    was committed before stays, and the same command continues from there.
    """
    from tactful.pull import chatwoot, freshdesk, zendesk

    walkers = {"zendesk": zendesk.walk, "freshdesk": freshdesk.walk, "chatwoot": chatwoot.walk}
    if vendor not in walkers:
        raise PullError(f"unknown helpdesk {vendor!r}; expected one of: {', '.join(VENDORS)}")
    if options.pagination not in ("cursor", "offset"):
        raise PullError(f"--pagination {options.pagination!r}: expected cursor or offset")
    started = time.perf_counter()
    out = Path(options.out)
    if out.is_dir():
        raise PullError(f"{out}: is a folder; --out names the JSONL file to write")
    credentials = load(vendor, options.credentials_file, environ)
    client = Client(options.url, credentials, **dict(client_options or {}))
    try:
        store = PullStore(out, vendor, client.base, restart=options.restart)
        try:
            session = Session(vendor, client, store, options)
            if on_problem is not None:
                session.on_problem = on_problem
            walkers[vendor](session)
            session.summary.total = store.export()
        finally:
            store.close()
    finally:
        client.close()
    session.summary.requests = client.requests
    session.summary.elapsed = time.perf_counter() - started
    return session.summary
