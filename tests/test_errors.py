"""``tactful.errors``: one base, one stable code per kind of failure, and the old import paths still work."""

from __future__ import annotations

import ast
import importlib
import re
from pathlib import Path

import pytest

import tactful
from tactful import errors
from tactful.errors import TactfulError

SRC = Path(tactful.__file__).parent
#: Exceptions defined outside tactful.errors on purpose: the web's JSON error (its code is per instance)
#: and private signals that never leave their module.
ELSEWHERE = {
    ("web/errors.py", "APIError"),
    ("qa/jsonstream.py", "_TooLarge"),
    ("text/patterns.py", "_Unknowable"),
}
#: Where each error was defined before tactful.errors; code imports them from there.
OLD_HOMES = [
    ("tactful.textio", "InputError"),
    ("tactful.config", "ConfigError"),
    ("tactful.web.practice", "ScenarioError"),
    ("tactful.kb.decide", "FactError"),
    ("tactful.kb.conditions", "ConditionError"),
    ("tactful.kb.policy", "KBError"),
    ("tactful.kb", "KBError"),
    ("tactful.bulk.batch", "BatchError"),
    ("tactful.qa.conversation", "QAError"),
    ("tactful.qa.conversation", "MissingField"),
    ("tactful.qa.formats._vendor", "ShapeError"),
    ("tactful.rules.engine", "RuleError"),
    ("tactful.analyzer.core", "TextTooLarge"),
    ("tactful", "TextTooLarge"),
    ("tactful", "ConfigError"),
    ("tactful.store.reminders", "WebhookError"),
    ("tactful.store.db", "StoreError"),
    ("tactful.store.db", "Conflict"),
    ("tactful.store.db", "InvalidInput"),
    ("tactful.store", "StoreError"),
    ("tactful.pull", "PullError"),
]


def _kinds() -> list[type[TactfulError]]:
    return [getattr(errors, name) for name in errors.__all__]


def test_every_error_is_a_tactful_error_with_a_stable_code() -> None:
    owners: dict[str, set[str]] = {}
    for kind in _kinds():
        assert issubclass(kind, TactfulError) and kind.__doc__, kind
        assert re.fullmatch(r"[a-z]+(_[a-z]+)*", kind.code), kind
        owners.setdefault(kind.code, set()).add(kind.__name__)
    shared = {code: names for code, names in owners.items() if len(names) > 1}
    # The same failure, raised by the store as a StoreError (which the store's callers catch).
    assert shared == {
        "store_unavailable": {"StoreError", "StoreUnavailable"},
        "text_too_large": {"TextTooLarge", "TooLarge"},
    }


def test_value_and_runtime_errors_stay_what_they_were() -> None:
    """Code that catches ``ValueError`` or ``RuntimeError`` goes on catching them."""
    assert issubclass(errors.TextTooLarge, ValueError) and issubclass(errors.ConfigError, ValueError)
    assert issubclass(errors.StoreError, RuntimeError) and issubclass(errors.WebhookError, RuntimeError)
    assert not issubclass(errors.QAError, ValueError) and not issubclass(errors.BatchError, ValueError)


@pytest.mark.parametrize(("module", "name"), OLD_HOMES)
def test_the_old_import_paths_still_work(module: str, name: str) -> None:
    assert getattr(importlib.import_module(module), name) is getattr(errors, name)


def test_no_module_defines_an_error_of_its_own() -> None:
    found = set()
    for path in SRC.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef) and any(
                isinstance(b, ast.Name) and (b.id.endswith(("Error", "Exception")) or b.id == "TactfulError")
                for b in node.bases
            ):
                found.add((path.relative_to(SRC).as_posix(), node.name))
    assert {f for f in found if f[0] != "errors.py"} == ELSEWHERE


def test_a_message_and_a_code() -> None:
    exc = errors.NotFound("no case #4 in the store")
    assert (exc.code, exc.message, str(exc)) == ("not_found", "no case #4 in the store", str(exc))
    assert errors.KBError([]).code == "kb_invalid"
