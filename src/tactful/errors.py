"""Every error tactful raises on purpose, in one place: one base, :class:`TactfulError`, and one stable
``code`` per kind of failure.

The code, not the wording, is what a front door acts on: the web layer answers each code with its HTTP
status from one table (:data:`tactful.web.errors.STATUS`), the message is one line for a person. Codes
are part of the API (the JSON errors carry them): a new kind of failure gets a new code, an existing
code is never renamed. The modules that raise these errors re-export the ones they use
(``tactful.store.StoreError``, ``tactful.config.ConfigError``, ...), so older imports keep working.

An error that is also a ``ValueError`` or a ``RuntimeError`` stays one: code that catches those goes on
catching it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tactful.kb.policy import KBIssue

__all__ = [
    "BatchError",
    "BinaryInput",
    "ConditionError",
    "ConfigError",
    "Conflict",
    "FactError",
    "InputError",
    "InvalidInput",
    "KBError",
    "MissingField",
    "NotFound",
    "PullError",
    "QAError",
    "RuleError",
    "ScenarioError",
    "ShapeError",
    "StoreError",
    "StoreUnavailable",
    "TactfulError",
    "TextTooLarge",
    "TooLarge",
    "WebhookError",
]


class TactfulError(Exception):
    """The base of every error tactful raises on purpose; ``code`` says which kind it is."""

    code: str = "tactful_error"

    @property
    def message(self) -> str:
        """The one-line message (what ``str()`` gives)."""
        return self.args[0] if len(self.args) == 1 and isinstance(self.args[0], str) else str(self)


# ── input: files and text ────────────────────────────────────────────────────────────────


class InputError(TactfulError, ValueError):
    """Input that cannot be read as text; the message names where it came from."""

    code = "input_unreadable"


class BinaryInput(InputError):
    """An input that is not text (NUL bytes, a compressed file, an archive, a PDF); each command says
    so in its own words, naming ``name``."""

    code = "input_binary"

    def __init__(self, name: str) -> None:
        super().__init__(f"{name}: looks like a binary file")
        self.name = name


class TextTooLarge(TactfulError, ValueError):
    """The reply is longer than ``limits.max_chars``; refused rather than analyzed slowly."""

    code = "text_too_large"


# ── configuration, rules, policies ───────────────────────────────────────────────────────


class ConfigError(TactfulError, ValueError):
    """A config file that cannot be used; the message names the file and the key."""

    code = "config_invalid"


class RuleError(TactfulError, ValueError):
    """A rule file that does not follow the schema; the message names the file."""

    code = "rule_invalid"


class KBError(TactfulError, ValueError):
    """A knowledge base that cannot be used; ``issues`` holds every problem found, not just the first."""

    code = "kb_invalid"

    def __init__(self, issues: list[KBIssue]) -> None:
        self.issues = issues
        super().__init__("\n".join(str(i) for i in issues))


class ConditionError(TactfulError, ValueError):
    """A condition that is not in the language; the message says what is wrong."""

    code = "condition_invalid"


class FactError(TactfulError, ValueError):
    """A fact of the wrong type (a date that isn't one, a number that isn't one); names the field."""

    code = "fact_invalid"


class ScenarioError(TactfulError, ValueError):
    """A practice scenario file or form that cannot be used; the message says which field and why."""

    code = "scenario_invalid"


# ── bulk runs: batch, qa, pull ───────────────────────────────────────────────────────────


class BatchError(TactfulError):
    """The batch cannot run at all (bad input file, unknown format, missing column); names the file."""

    code = "batch_failed"


class QAError(TactfulError):
    """The QA run cannot start or go on (unknown format, missing required field, unusable DIR)."""

    code = "qa_failed"


class MissingField(TactfulError, ValueError):
    """A record lacks a field its format requires; ``field`` names it."""

    code = "missing_field"

    def __init__(self, field_name: str, message: str | None = None) -> None:
        super().__init__(message or f"missing required field '{field_name}'")
        self.field = field_name


class ShapeError(TactfulError, ValueError):
    """A document that no shape of the vendor fits (the message says which shapes are read)."""

    code = "shape_unknown"


class PullError(TactfulError):
    """The pull cannot start or go on; what was committed before stays, and a rerun continues."""

    code = "pull_failed"


# ── the store ────────────────────────────────────────────────────────────────────────────


class StoreError(TactfulError, RuntimeError):
    """The store cannot do what was asked; the message says why in one line.

    Raised as itself, it means the store cannot be used as asked (a database that is locked, missing its
    tables, unreachable, a bad export file): ``store_unavailable``, which a helpdesk may retry. What is
    the caller's doing has its own subclass: :class:`NotFound`, :class:`Conflict`, :class:`InvalidInput`,
    :class:`TooLarge`."""

    code = "store_unavailable"


class StoreUnavailable(StoreError):
    """The database cannot be used: locked, corrupt, unreachable, without its tables, a failed migration."""

    code = "store_unavailable"


class NotFound(StoreError):
    """No such record (customer, user, case, follow-up, declined request, report, scenario)."""

    code = "not_found"


class Conflict(StoreError):
    """What was asked clashes with what the store holds (a name taken, the last admin)."""

    code = "conflict"


class InvalidInput(StoreError):
    """A value the store will not keep (blank, out of order, not text); ``field`` names it when one
    argument is at fault. The API answers 422 naming the field: a helpdesk must not retry it as it
    would a 503."""

    code = "invalid_input"

    def __init__(self, field: str | None, message: str) -> None:
        super().__init__(message)
        self.field = field


class TooLarge(StoreError):
    """A text longer than ``limits.max_chars`` given to the store."""

    code = "text_too_large"


class WebhookError(TactfulError, RuntimeError):
    """The follow-up reminder webhook could not be reached or refused the reminder."""

    code = "webhook_failed"
