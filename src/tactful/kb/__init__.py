"""The policy knowledge base: Markdown policy files with YAML front matter, validated with
``FILE:LINE`` errors, searched with SQLite FTS5, and used by :func:`decide` to say whether a
request is a yes, a no (with ranked alternatives), a question for a manager, or a question
for the customer. See ``docs/policies.md``.
"""

from __future__ import annotations

from pathlib import Path

from tactful.kb.conditions import Condition, ConditionError, Group, parse_condition
from tactful.kb.decide import FactError, coerce_facts, decide
from tactful.kb.loader import check_kb, load_kb
from tactful.kb.models import (
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
from tactful.model import REQUEST_TYPES

EXAMPLES_DIR = Path(__file__).parent / "examples"
STORE_EXAMPLE = EXAMPLES_DIR / "store"

__all__ = [
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
    "coerce_facts",
    "decide",
    "fts5_available",
    "load_kb",
    "parse_condition",
]
