"""``tactful.toml``: house style, which rules run, thresholds, limits and channel SLAs.

Every table is a pydantic model with ``extra="forbid"`` so a typo is an error that
names the key instead of a setting that silently does nothing.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

CONFIG_FILENAME = "tactful.toml"
Level = Literal["suggestion", "warning", "error"]


class ConfigError(ValueError):
    """A config file that cannot be used; the message names the file and the key."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Style(_Strict):
    # Seed 001 recommends "unfortunately" as a softener, seed 004 calls it fake regret.
    regret_words: Literal["off", "suggestion", "warning"] = "off"
    formality: Literal["formal", "neutral", "casual"] = "neutral"
    sign_off: str = "Best regards"
    agent_name: str = ""


class Rules(_Strict):
    # Rule ids are dotted paths, so "tactful.tone" switches off a whole family.
    disable: tuple[str, ...] = ()
    enable: tuple[str, ...] = ()
    levels: dict[str, Level] = Field(default_factory=dict)


class Thresholds(_Strict):
    max_apologies: int = Field(1, ge=0)
    max_alternatives: int = Field(3, ge=1)
    over_explain_words: int = Field(150, ge=20)
    max_reason_sentences: int = Field(3, ge=1)
    min_score: int = Field(70, ge=0, le=100)


class Limits(_Strict):
    max_chars: int = Field(1_000_000, ge=1)


class Channel(_Strict):
    sla_minutes: float = Field(gt=0)


def _default_channels() -> dict[str, Channel]:
    return {
        "email": Channel(sla_minutes=24 * 60),
        "chat": Channel(sla_minutes=2),
        "social": Channel(sla_minutes=60),
    }


class Config(_Strict):
    style: Style = Field(default_factory=Style)
    rules: Rules = Field(default_factory=Rules)
    thresholds: Thresholds = Field(default_factory=Thresholds)
    limits: Limits = Field(default_factory=Limits)
    channels: dict[str, Channel] = Field(default_factory=_default_channels)

    def rule_enabled(self, rule_id: str) -> bool:
        """The longest matching prefix in ``enable``/``disable`` wins; rules are on by default."""

        def longest(prefixes: tuple[str, ...]) -> int:
            return max((len(p) for p in prefixes if _has_prefix(rule_id, p)), default=-1)

        return longest(self.rules.enable) >= longest(self.rules.disable)


def _has_prefix(rule_id: str, prefix: str) -> bool:
    return rule_id == prefix or rule_id.startswith(prefix.rstrip(".") + ".")


def parse_config(data: dict[str, object], source: str = CONFIG_FILENAME) -> Config:
    try:
        return Config.model_validate(data)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            key = ".".join(str(p) for p in err["loc"])
            if err["type"] == "extra_forbidden":
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
