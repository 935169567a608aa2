"""One importer per helpdesk export format; each yields :class:`~tactful.qa.model.Conversation`
objects (and :class:`~tactful.qa.model.Problem` records for what it could not read), streaming."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from tactful.qa.formats._common import Item, Source, json_conversations
from tactful.qa.model import QAError

FORMATS: tuple[str, ...] = (
    "zendesk",
    "freshdesk",
    "helpscout",
    "intercom",
    "chatwoot",
    "twcs",
    "ibm",
    "csv",
    "jsonl",
)

__all__ = ["FORMATS", "Item", "Source", "read_export"]


def read_export(source: Source, fmt: str, workdir: Path) -> Iterator[Item]:
    """The conversations of ``source`` read as ``fmt``; ``workdir`` holds any on-disk index."""
    from tactful.qa.formats import chatwoot, freshdesk, generic, helpscout, ibm, intercom, twcs, zendesk

    if fmt == "twcs":
        return twcs.read(source, workdir)
    if fmt == "csv":
        return generic.read_csv(source)
    converters = {
        "zendesk": zendesk.convert,
        "freshdesk": freshdesk.convert,
        "helpscout": helpscout.convert,
        "intercom": intercom.convert,
        "chatwoot": chatwoot.convert,
        "ibm": ibm.convert,
        "jsonl": generic.convert,
    }
    if fmt not in converters:
        raise QAError(f"{source.name}: unknown format '{fmt}'; expected one of: {', '.join(FORMATS)}")
    return json_conversations(source, fmt, converters[fmt])
