"""tactful: say no to customers and keep them.

The public Python API. Everything a front door (CLI, REST, web) can do goes through here.
"""

from typing import TYPE_CHECKING as _TYPE_CHECKING

from tactful.analyzer.core import TextTooLarge, analyze
from tactful.config import Config, ConfigError, load_config
from tactful.contract import CHARACTERISTICS, Analysis, CharacteristicScore, Counts, Finding
from tactful.errors import TactfulError

if _TYPE_CHECKING:
    from datetime import date

    from tactful.composer import Draft, Rewrite
    from tactful.kb import Decision, KnowledgeBase
    from tactful.understanding import Understanding

__version__ = "0.1.0"

__all__ = [
    "CHARACTERISTICS",
    "Analysis",
    "CharacteristicScore",
    "Config",
    "ConfigError",
    "Counts",
    "Finding",
    "TactfulError",
    "TextTooLarge",
    "Understanding",
    "__version__",
    "analyze",
    "compose",
    "decide",
    "load_config",
    "load_kb",
    "rewrite",
    "understand",
]


def understand(message: str, *, today: "date | None" = None) -> "Understanding":
    """Read a customer's message: request, mood, escalation, details to mirror, what to ask.

    Relative dates ("bought it 40 days ago") are read against ``today`` (default: the machine's date).
    Imported on first use so that ``import tactful`` stays fast (see :mod:`tactful.understanding`).
    """
    from tactful.understanding import understand as _understand

    return _understand(message, today=today)


def compose(message: str, facts: dict[str, object], kb: "KnowledgeBase", **options: object) -> "list[Draft]":
    """Draft replies that follow the method, each checked by the analyzer (see :mod:`tactful.composer`)."""
    from tactful.composer import compose as _compose

    return _compose(message, facts, kb, **options)  # type: ignore[arg-type]


def decide(
    request: "Understanding | str", facts: dict[str, object], kb: "KnowledgeBase", **options: object
) -> "Decision":
    """Decide a request (an :class:`Understanding` or a request type) under the policies in ``kb``:
    allow, refuse, needs approval or needs information (see :func:`tactful.kb.decide`)."""
    from tactful.kb.decide import decide as _decide

    if isinstance(request, str):
        request_type = request
    else:
        request_type = request.request.type if request.request is not None else "other"
    return _decide(request_type, dict(facts), kb, **options)  # type: ignore[arg-type]


def load_kb(path: object) -> "KnowledgeBase":
    """Load and validate a policy folder (raises ``tactful.kb.KBError`` naming file and line)."""
    from tactful.kb import load_kb as _load_kb

    return _load_kb(path)  # type: ignore[arg-type]


def rewrite(draft: str, customer_message: str | None = None, **options: object) -> "Rewrite":
    """Rewrite an agent's draft by the method without changing its decision (see :mod:`tactful.composer`)."""
    from tactful.composer import rewrite as _rewrite

    return _rewrite(draft, customer_message, **options)  # type: ignore[arg-type]


def __getattr__(name: str) -> object:
    if name == "Understanding":
        from tactful.understanding import Understanding

        return Understanding
    raise AttributeError(f"module 'tactful' has no attribute {name!r}")
