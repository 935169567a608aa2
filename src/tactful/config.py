"""``tactful.toml``: house style, which rules run, thresholds, limits and channel SLAs.

Every table is validated with ``extra="forbid"`` so a typo is an error that names the
key instead of a setting that silently does nothing.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

from annotated_types import Ge, Gt, Le

from tactful.errors import ConfigError as ConfigError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

CONFIG_FILENAME = "tactful.toml"
Level = Literal["suggestion", "warning", "error"]
# Plain dataclasses keep `import tactful` free of pydantic; pydantic validates them (extra keys
# forbidden, the constraints below enforced) only when a config file is actually read.
_STRICT: Any = {"extra": "forbid"}


@dataclass(frozen=True, slots=True)
class Style:
    __pydantic_config__ = _STRICT
    # "Unfortunately" is a softener in the polite-refusal guide (seeds/001) and fake regret in
    # "How Support Should Say 'No' to Customers" (seeds/004): house style decides.
    regret_words: Literal["off", "suggestion", "warning"] = "off"
    formality: Literal["formal", "neutral", "casual"] = "neutral"
    sign_off: str = "Best regards"
    agent_name: str = ""


@dataclass(frozen=True, slots=True)
class Rules:
    __pydantic_config__ = _STRICT
    # Rule ids are dotted paths, so "tactful.tone" switches off a whole family.
    disable: tuple[str, ...] = ()
    enable: tuple[str, ...] = ()
    levels: dict[str, Level] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Thresholds:
    __pydantic_config__ = _STRICT
    max_apologies: Annotated[int, Ge(0)] = 1
    max_alternatives: Annotated[int, Ge(1)] = 3
    over_explain_words: Annotated[int, Ge(20)] = 150
    max_reason_sentences: Annotated[int, Ge(1)] = 3
    min_score: Annotated[int, Ge(0), Le(100)] = 70


@dataclass(frozen=True, slots=True)
class Limits:
    __pydantic_config__ = _STRICT
    max_chars: Annotated[int, Ge(1)] = 1_000_000


@dataclass(frozen=True, slots=True)
class Channel:
    __pydantic_config__ = _STRICT
    sla_minutes: Annotated[float, Gt(0)]


@dataclass(frozen=True, slots=True)
class Llm:
    """An OpenAI-compatible chat endpoint (vLLM, Ollama, llama.cpp server, hosted) that polishes
    drafts; off unless ``endpoint`` is set. Its output must pass ``tactful.composer.guard``."""

    __pydantic_config__ = _STRICT
    endpoint: str = ""  # e.g. "http://127.0.0.1:8080/v1"
    model: str = "default"
    api_key_env: str = ""  # name of the environment variable holding the key, never the key itself
    timeout_s: Annotated[float, Gt(0)] = 30.0
    max_tokens: Annotated[int, Ge(16)] = 400
    temperature: Annotated[float, Ge(0), Le(2)] = 0.0


@dataclass(frozen=True, slots=True)
class StoreConfig:
    """Where tactful remembers cases; ``$TACTFUL_DATABASE_URL`` and ``--db`` override it."""

    __pydantic_config__ = _STRICT
    url: str = "tactful.db"  # a SQLite file path, or a postgresql:// URL


@dataclass(frozen=True, slots=True)
class KBConfig:
    """The policy KB that draft, rewrite and the server use: a folder, or "example" for the example
    store. Empty: none (``--kb`` and ``$TACTFUL_KB`` override it); nothing is decided without one."""

    __pydantic_config__ = _STRICT
    path: str = ""


def _default_channels() -> dict[str, Channel]:
    return {"email": Channel(24 * 60), "chat": Channel(2), "social": Channel(60)}


@dataclass(frozen=True, slots=True)
class Config:
    __pydantic_config__ = _STRICT
    style: Style = field(default_factory=Style)
    rules: Rules = field(default_factory=Rules)
    thresholds: Thresholds = field(default_factory=Thresholds)
    limits: Limits = field(default_factory=Limits)
    channels: dict[str, Channel] = field(default_factory=_default_channels)
    llm: Llm = field(default_factory=Llm)
    store: StoreConfig = field(default_factory=StoreConfig)
    kb: KBConfig = field(default_factory=KBConfig)

    def rule_enabled(self, rule_id: str) -> bool:
        """The longest matching prefix in ``enable``/``disable`` wins; rules are on by default."""

        def longest(prefixes: tuple[str, ...]) -> int:
            return max((len(p) for p in prefixes if _has_prefix(rule_id, p)), default=-1)

        return longest(self.rules.enable) >= longest(self.rules.disable)


def _has_prefix(rule_id: str, prefix: str) -> bool:
    return rule_id == prefix or rule_id.startswith(prefix.rstrip(".") + ".")


def parse_config(data: dict[str, object], source: str = CONFIG_FILENAME) -> Config:
    from pydantic import TypeAdapter, ValidationError

    try:
        return TypeAdapter(Config).validate_python(data)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            key = ".".join(str(p) for p in err["loc"])
            if err["type"] in ("extra_forbidden", "unexpected_keyword_argument"):
                problems.append(f"unknown key '{key}'")
            else:
                problems.append(f"'{key}': {err['msg']}")
        raise ConfigError(f"{source}: " + "; ".join(problems)) from None


def load_config(path: str | Path | None = None) -> Config:
    """Read ``path``, else ``$TACTFUL_CONFIG``, else ``./tactful.toml``; defaults when none exists."""
    explicit = path is not None or "TACTFUL_CONFIG" in os.environ
    candidate = Path(path if path is not None else os.environ.get("TACTFUL_CONFIG", CONFIG_FILENAME))
    if not candidate.exists():
        if explicit:
            raise ConfigError(f"{candidate}: config file not found")
        return Config()
    try:
        data = tomllib.loads(candidate.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{candidate}: not valid TOML: {exc}") from None
    return parse_config(data, str(candidate))
