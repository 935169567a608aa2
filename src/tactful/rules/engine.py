"""The rule engine: a small closed set of rule kinds, each loaded from one YAML file.

A rule's id is its path under ``styles/`` (``styles/tactful/tone/blame.yml`` is
``tactful.tone.blame``), so config can switch a whole family off by prefix. Rules of kind
``memory`` read what the store remembers of the customer (:mod:`tactful.rules.memory`): the
analyzer skips them and the store runs them (:func:`run_memory_rules`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from typing import TYPE_CHECKING, Any

from tactful.analyzer.features import Features
from tactful.analyzer.signals import load_signals
from tactful.config import Config
from tactful.contract import CHARACTERISTICS, LEVELS, Finding, Span
from tactful.errors import RuleError as RuleError
from tactful.text.patterns import PhraseSet, compile_patterns
from tactful.yamldata import load_yaml

if TYPE_CHECKING:
    from tactful.rules.memory import Hit, Memory

KINDS = ("existence", "substitution", "occurrence", "conditional", "metric", "code", "memory")
_COMMON_KEYS = {
    "extends",
    "characteristic",
    "level",
    "message",
    "suggestion",
    "source",
    "examples",
    "when",
    "style",
    "description",
}
_KIND_KEYS = {
    "existence": {"tokens", "ignorecase"},
    "substitution": {"swap", "ignorecase"},
    "occurrence": {"signal", "max", "max_from"},
    "conditional": {"missing"},
    "metric": {"metric", "max", "max_from"},
    "code": {"check"},
    "memory": {"check"},
}
METRICS: dict[str, Callable[[Features], int]] = {
    "words": lambda f: f.words,
    "sentences": lambda f: len(f.sentences),
    "reason_sentences": lambda f: len({f.sentence_of(s) for s in f.spans("reason")}),
    "alternatives": lambda f: len(f.alternatives),
}


@dataclass(slots=True)
class Rule:
    id: str
    kind: str
    characteristic: str
    level: str
    message: str
    suggestion: str
    source: str
    examples: dict[str, list[Any]]
    when: str | None = None
    style: str | None = None
    regex: PhraseSet | None = None
    swaps: list[str] = field(default_factory=list)  # replacement per named group p0, p1, …
    ignorecase: bool = True
    signal: str | None = None
    metric: str | None = None
    limit: int | None = None
    limit_from: str | None = None
    missing: tuple[str, ...] = ()
    check: Callable[[Features, Config], list[Span]] | None = None
    memory_check: Callable[[Memory], list[Hit]] | None = None

    def effective_level(self, config: Config) -> str | None:
        """The level after house style and config overrides; ``None`` means the rule is off."""
        if not config.rule_enabled(self.id):
            return None
        level = self.level
        if self.style:
            level = getattr(config.style, self.style)
            if level == "off":
                return None
        return config.rules.levels.get(self.id, level)

    def _limit(self, config: Config) -> int:
        if self.limit_from:
            return int(getattr(config.thresholds, self.limit_from))
        return self.limit if self.limit is not None else 0

    def _gated(self, feats: Features) -> bool:
        if self.when is None:
            return True
        if self.when.startswith("not "):
            return not feats.has(self.when[4:])
        return feats.has(self.when)

    def run(self, feats: Features, config: Config, level: str) -> list[Finding]:
        """Findings of this rule; the caller has checked ``when`` (see :func:`run_rules`)."""
        text = feats.text
        hits: list[tuple[Span, str]] = []
        if self.regex is not None:  # existence and substitution
            if self.ignorecase:
                matches = self.regex.scan(feats.folded, feats.starts)
            else:
                matches = list(self.regex.finditer(text))
            if self.kind == "existence":
                hits = [(m.span(), "") for m in matches]
            else:
                hits = [(m.span(), self.swaps[int(m.lastgroup[1:])]) for m in matches if m.lastgroup]
        elif self.kind == "occurrence":
            assert self.signal is not None
            spans = feats.spans(self.signal)
            limit = self._limit(config)
            if len(spans) > limit:
                hits = [((spans[limit][0], spans[-1][1]), "")]
        elif self.kind == "conditional":
            if not any(feats.has(sig) for sig in self.missing):
                hits = [(_anchor(feats), "")]
        elif self.kind == "metric":
            assert self.metric is not None
            if METRICS[self.metric](feats) > self._limit(config):
                hits = [((0, len(text)), "")]
        elif self.kind == "code":
            assert self.check is not None
            hits = [(span, "") for span in self.check(feats, config)]
        return [self._finding(text, span, swap, level, config) for span, swap in hits]

    def run_memory(self, memory: Memory, config: Config, level: str) -> list[Finding]:
        """Findings of this ``memory`` rule on a reply and what the store remembers of its customer."""
        assert self.memory_check is not None
        return [
            self._finding(memory.reply, span, "", level, config, named)
            for span, named in self.memory_check(memory)
        ]

    def _finding(
        self,
        text: str,
        span: Span,
        swap: str,
        level: str,
        config: Config,
        named: dict[str, str] | None = None,
    ) -> Finding:
        match = text[span[0] : span[1]]
        fields = {"match": match, "swap": swap, "limit": self._limit(config), **(named or {})}
        return Finding(
            rule=self.id,
            characteristic=self.characteristic,
            level=level,
            start=span[0],
            end=span[1],
            message=self.message.format(**fields),
            suggestion=self.suggestion.format(**fields),
        )


def _anchor(feats: Features) -> Span:
    """Where a "something is missing" finding points: the refusal, else the first sentence."""
    if feats.refusals:
        return feats.sentence_of(feats.refusals[0])
    if feats.sentences:
        return feats.sentences[0]
    return (0, len(feats.text))


def _rule_from_data(rule_id: str, data: Any, where: str) -> Rule:
    from tactful.rules import checks, memory

    if not isinstance(data, dict):
        raise RuleError(f"{where}: a rule is a YAML mapping")
    kind = data.get("extends")
    if kind not in KINDS:
        raise RuleError(f"{where}: 'extends' must be one of {', '.join(KINDS)}, not {kind!r}")
    unknown = set(data) - _COMMON_KEYS - _KIND_KEYS[kind]
    if unknown:
        raise RuleError(f"{where}: unknown key(s) {', '.join(sorted(unknown))} for a {kind} rule")
    for key in ("characteristic", "message", "suggestion", "source", "examples"):
        if not data.get(key):
            raise RuleError(f"{where}: missing '{key}'")
    if data["characteristic"] not in CHARACTERISTICS:
        raise RuleError(f"{where}: unknown characteristic {data['characteristic']!r}")
    level = data.get("level", "warning")
    if level not in LEVELS:
        raise RuleError(f"{where}: level must be one of {', '.join(LEVELS)}")
    examples = data["examples"]
    if not (isinstance(examples, dict) and examples.get("bad") and examples.get("good")):
        raise RuleError(f"{where}: examples need both 'bad' and 'good' lists")
    if kind == "memory" and not all(
        isinstance(ex, dict) and ex.get("text") and ex.get("earlier")
        for ex in [*examples["bad"], *examples["good"]]
    ):
        raise RuleError(f"{where}: a memory rule's examples each need a 'text' and the 'earlier' replies")
    when = data.get("when")
    signals = set(load_signals()) | {"refusal", "mirrored", "topic", "context"}
    for name in [when.removeprefix("not ")] if when else []:
        if name not in signals:
            raise RuleError(f"{where}: 'when' names unknown signal {name!r}")
    rule = Rule(
        id=rule_id,
        kind=kind,
        characteristic=data["characteristic"],
        level=level,
        message=data["message"],
        suggestion=data["suggestion"],
        source=data["source"],
        examples=examples,
        when=when,
        style=data.get("style"),
    )
    rule.ignorecase = bool(data.get("ignorecase", True))
    try:
        if kind == "existence":
            rule.regex = compile_patterns(list(data["tokens"]), rule.ignorecase)
        elif kind == "substitution":
            # One scan for all swaps: each pattern is a named group whose name indexes its replacement.
            swap = dict(data["swap"])
            rule.swaps = list(swap.values())
            rule.regex = compile_patterns(list(swap), rule.ignorecase, named=True)
    except re.error as exc:
        raise RuleError(f"{where}: bad pattern: {exc}") from None
    if kind == "occurrence":
        rule.signal = data["signal"]
        if rule.signal not in signals:
            raise RuleError(f"{where}: unknown signal {rule.signal!r}")
    elif kind == "conditional":
        missing = data["missing"]
        rule.missing = tuple([missing] if isinstance(missing, str) else missing)
        for name in rule.missing:
            if name not in signals:
                raise RuleError(f"{where}: unknown signal {name!r}")
    elif kind == "metric":
        rule.metric = data["metric"]
        if rule.metric not in METRICS:
            raise RuleError(f"{where}: unknown metric {rule.metric!r}")
    elif kind == "code":
        rule.check = checks.REGISTRY.get(data["check"])
        if rule.check is None:
            raise RuleError(f"{where}: unknown check {data['check']!r}")
    elif kind == "memory":
        rule.memory_check = memory.REGISTRY.get(data["check"])
        if rule.memory_check is None:
            raise RuleError(f"{where}: unknown memory check {data['check']!r}")
    if kind in ("occurrence", "metric"):
        rule.limit = data.get("max")
        rule.limit_from = data.get("max_from")
        if (rule.limit is None) == (rule.limit_from is None):
            raise RuleError(f"{where}: give exactly one of 'max' or 'max_from'")
    return rule


def _walk(folder: Traversable, prefix: str) -> list[tuple[str, Traversable]]:
    found = []
    for entry in sorted(folder.iterdir(), key=lambda p: p.name):
        if entry.is_dir():
            found.extend(_walk(entry, f"{prefix}{entry.name}."))
        elif entry.name.endswith(".yml"):
            found.append((prefix + entry.name[:-4], entry))
    return found


@cache
def load_rules() -> tuple[Rule, ...]:
    """Every rule shipped in ``tactful/styles``, validated; cached for the process."""
    root = resources.files("tactful") / "styles"
    rules = []
    for rule_id, entry in _walk(root, ""):
        try:
            data = load_yaml(entry.read_text(encoding="utf-8"))
        except Exception as exc:  # yaml.YAMLError carries the line number in its text
            raise RuleError(f"styles/{rule_id.replace('.', '/')}.yml: {exc}") from None
        rules.append(_rule_from_data(rule_id, data, f"styles/{rule_id.replace('.', '/')}.yml"))
    return tuple(rules)


_ACTIVE: dict[int, tuple[Config, tuple[tuple[Rule, str], ...]]] = {}


def _active(config: Config) -> tuple[tuple[Rule, str], ...]:
    """The enabled rules with their levels, resolved once per config object."""
    hit = _ACTIVE.get(id(config))
    if hit is not None and hit[0] is config:
        return hit[1]
    if len(_ACTIVE) > 32:
        _ACTIVE.clear()
    active = tuple(
        (r, lvl)
        for r in load_rules()
        if r.kind != "memory" and (lvl := r.effective_level(config)) is not None  # the store runs those
    )
    _ACTIVE[id(config)] = (config, active)
    return active


def run_rules(feats: Features, config: Config) -> list[Finding]:
    findings: list[Finding] = []
    refusal = bool(feats.refusals)
    for rule, level in _active(config):
        when = rule.when
        if when is not None and not (refusal if when == "refusal" else rule._gated(feats)):
            continue
        found = rule.run(feats, config, level)
        if found:
            findings.extend(found)
    findings.sort(key=lambda f: (f.start, f.end, f.rule))
    return findings


def run_memory_rules(memory: Memory, config: Config) -> list[Finding]:
    """Findings of the enabled ``memory`` rules: the store's consistency checks on what it remembers
    of the customer (an exception reversed, a promise not kept, the same no again)."""
    findings: list[Finding] = []
    for rule in load_rules():
        if rule.kind == "memory" and (level := rule.effective_level(config)) is not None:
            findings.extend(rule.run_memory(memory, config, level))
    return findings
