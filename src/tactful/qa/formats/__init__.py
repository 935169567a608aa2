"""One importer per helpdesk export format; each yields :class:`~tactful.qa.conversation.Conversation`
objects (and :class:`~tactful.qa.conversation.Problem` records for what it could not read), streaming.

The five helpdesks (``zendesk``, ``freshdesk``, ``helpscout``, ``intercom``, ``chatwoot``) are read
as the vendors send their data, in pieces joined by conversation id (:mod:`._vendor`); the others
(``twcs``, ``ibm``, ``csv``, ``jsonl``) are one conversation (or row) per record.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from tactful.qa.conversation import QAError
from tactful.qa.formats._common import Item, Source, json_conversations

if TYPE_CHECKING:
    from tactful.qa.formats._vendor import VendorReader

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
VENDORS: tuple[str, ...] = FORMATS[:5]

__all__ = ["FORMATS", "VENDORS", "Item", "Source", "read_export"]


def read_export(source: Source, fmt: str, workdir: Path) -> Iterator[Item]:
    """The conversations of ``source`` read as ``fmt``; ``workdir`` holds any on-disk index."""
    from tactful.qa.formats import generic, ibm, twcs
    from tactful.qa.formats._vendor import read_vendor

    if fmt in VENDORS:
        return read_vendor(source.parts(), vendor_reader(fmt), workdir)
    if fmt == "twcs":
        return twcs.read(source, workdir)
    if fmt == "csv":
        return generic.read_csv(source)
    if fmt == "ibm":
        return json_conversations(source, fmt, ibm.convert)
    if fmt == "jsonl":
        return json_conversations(source, fmt, generic.convert)
    raise QAError(f"{source.name}: unknown format '{fmt}'; expected one of: {', '.join(FORMATS)}")


def vendor_reader(fmt: str) -> VendorReader:
    """The module that reads ``fmt``'s shapes (``split``, ``build``, ``NAME``, ``HINT``)."""
    from tactful.qa.formats import chatwoot, freshdesk, helpscout, intercom, zendesk

    modules: dict[str, VendorReader] = {
        "zendesk": zendesk,
        "freshdesk": freshdesk,
        "helpscout": helpscout,
        "intercom": intercom,
        "chatwoot": chatwoot,
    }
    return modules[fmt]
