"""The policy knowledge base: Markdown policy files with YAML front matter, validated with
``FILE:LINE`` errors, searched with SQLite FTS5, and used by :func:`decide` to say whether a
request is a yes, a no (with ranked alternatives), a question for a manager, or a question
for the customer. See ``docs/policies.md``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from tactful.contract import REQUEST_TYPES
from tactful.kb.conditions import Condition, ConditionError, Group, parse_condition
from tactful.kb.decide import FactError, coerce_facts, decide
from tactful.kb.loader import check_kb, load_kb
from tactful.kb.policy import (
    Alternative,
    Decision,
    KBError,
    KBIssue,
    KnowledgeBase,
    OfferedAlternative,
    Policy,
    PolicyRef,
    Rule,
)
from tactful.kb.search import SearchHit, SearchIndex, fts5_available

if TYPE_CHECKING:
    from tactful.config import Config

EXAMPLES_DIR = Path(__file__).parent / "examples"
STORE_EXAMPLE = EXAMPLES_DIR / "store"
EXAMPLE = "example"  # what --kb, $TACTFUL_KB and [kb] path accept for the example store


def configured_kb(option: str | Path | None, config: Config | None = None) -> Path | None:
    """Where the policies are: ``option`` (``--kb``), else ``$TACTFUL_KB``, else ``[kb] path`` in
    tactful.toml; ``"example"`` is the example store. None when none is configured: then nothing is
    decided, and no other company's policy is ever applied."""
    value = str(option or "") or os.environ.get("TACTFUL_KB", "") or (config.kb.path if config else "")
    if not value.strip():
        return None
    return STORE_EXAMPLE if value.strip() == EXAMPLE else Path(value.strip())


__all__ = [
    "EXAMPLE",
    "EXAMPLES_DIR",
    "REQUEST_TYPES",
    "STORE_EXAMPLE",
    "Alternative",
    "Condition",
    "ConditionError",
    "Decision",
    "FactError",
    "Group",
    "KBError",
    "KBIssue",
    "KnowledgeBase",
    "OfferedAlternative",
    "Policy",
    "PolicyRef",
    "Rule",
    "SearchHit",
    "SearchIndex",
    "check_kb",
    "configured_kb",
    "coerce_facts",
    "decide",
    "fts5_available",
    "load_kb",
    "parse_condition",
]
