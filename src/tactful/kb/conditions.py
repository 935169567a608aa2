"""The policy condition language: ``fact OP literal``, parsed by hand, never evaluated as code.

Grammar (one condition per string)::

    condition := FACT                      # FACT == true
               | "not" FACT                # FACT == false
               | FACT OP LITERAL           # OP: == != < <= > >=
               | FACT ("in" | "not in") "[" LITERAL ("," LITERAL)* "]"
               | "always" | "never"        # constant true / false
    FACT      := [a-z][a-z0-9_]*
    LITERAL   := number | YYYY-MM-DD | true | false | bare word | "quoted" | 'quoted'

Groups (``any:`` / ``all:`` mappings) are built from these in the loader. Evaluation is
three-valued: a condition on a fact nobody supplied is *unknown*, and ``decide`` turns unknowns
into the facts it still needs.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from tactful.errors import ConditionError as ConditionError

Op = Literal["==", "!=", "<", "<=", ">", ">=", "in", "not in"]
OPERATORS: tuple[str, ...] = ("==", "!=", "<", "<=", ">", ">=", "in", "not in")
FactType = Literal["number", "date", "bool", "text"]
Value = int | float | bool | str | dt.date

MAX_CONDITION_CHARS = 500
MAX_LIST_ITEMS = 100
RESERVED = frozenset({"always", "never", "not", "in", "true", "false", "any", "all"})

_FACT = re.compile(r"[a-z][a-z0-9_]*\Z")
_NUMBER = re.compile(r"-?\d{1,15}(\.\d{1,15})?\Z")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}\Z")
_TOKEN = re.compile(
    r"""\s*(?:
      (?P<str>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')
    | (?P<op>[<>=!~]+)
    | (?P<punct>[\[\],])
    | (?P<word>[A-Za-z0-9_.:+\-/]+)
    )""",
    re.VERBOSE,
)


def normalize_text(value: str) -> str:
    """Text facts and literals compare case-insensitively, with spaces and hyphens as ``_``."""
    return re.sub(r"[\s\-]+", "_", value.strip()).casefold()


@dataclass(frozen=True, slots=True)
class Condition:
    """One parsed condition. ``value`` is a tuple for ``in``/``not in``; ``None`` for constants."""

    source: str
    fact: str | None
    op: Op | None = None
    value: Value | tuple[Value, ...] | None = None
    constant: bool | None = None

    @property
    def fact_type(self) -> FactType | None:
        """The type a fact must have for this condition to make sense (None for constants)."""
        if self.fact is None:
            return None
        sample = self.value[0] if isinstance(self.value, tuple) else self.value
        return literal_type(sample)


@dataclass(frozen=True, slots=True)
class Group:
    """``all`` (every item holds) or ``any`` (at least one holds)."""

    kind: Literal["all", "any"]
    items: tuple[Node, ...]


Node = Condition | Group


def literal_type(value: object) -> FactType:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, dt.date):
        return "date"
    return "text"


def _tokens(text: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    pos = 0
    while pos < len(text):
        if text[pos:].strip() == "":
            break
        m = _TOKEN.match(text, pos)
        if m is None or m.end() == pos:
            bad = text[pos:].lstrip()[:1]
            raise ConditionError(f"unexpected character {bad!r} in condition {text!r}")
        kind = m.lastgroup
        assert kind is not None
        out.append((kind, m.group(kind)))
        pos = m.end()
    return out


def _literal(kind: str, raw: str, source: str) -> Value:
    if kind == "str":
        body = raw[1:-1]
        return normalize_text(re.sub(r"\\(.)", r"\1", body))
    if kind != "word":
        raise ConditionError(f"expected a value, got {raw!r} in condition {source!r}")
    low = raw.lower()
    if low in ("true", "false"):
        return low == "true"
    if _NUMBER.match(raw):
        return float(raw) if "." in raw else int(raw)
    if _DATE.match(raw):
        try:
            return dt.date.fromisoformat(raw)
        except ValueError:
            raise ConditionError(f"{raw!r} is not a real date in condition {source!r}") from None
    return normalize_text(raw)


def parse_condition(text: object) -> Condition:
    """Parse one condition; anything outside the grammar raises :class:`ConditionError`."""
    if not isinstance(text, str):
        raise ConditionError(f"a condition must be text like 'amount <= 200', got {text!r}")
    source = text.strip()
    if not source:
        raise ConditionError("empty condition")
    if len(source) > MAX_CONDITION_CHARS:
        raise ConditionError(f"condition longer than {MAX_CONDITION_CHARS} characters")
    toks = _tokens(source)
    if len(toks) == 1 and toks[0] == ("word", "always"):
        return Condition(source, None, constant=True)
    if len(toks) == 1 and toks[0] == ("word", "never"):
        return Condition(source, None, constant=False)
    negate = False
    if len(toks) == 2 and toks[0] == ("word", "not"):
        negate, toks = True, toks[1:]
    kind, fact = toks[0]
    if kind != "word" or not _FACT.match(fact) or fact in RESERVED:
        raise ConditionError(
            f"{fact!r} is not a fact name (lowercase letters, digits and _, starting with a letter) "
            f"in condition {source!r}"
        )
    if len(toks) == 1:
        return Condition(source, fact, "==", not negate)
    if negate:
        raise ConditionError(f"'not' only goes before a bare fact name, in condition {source!r}")
    rest = toks[1:]
    op_kind, op = rest[0]
    if op_kind == "word" and op == "not" and len(rest) > 1 and rest[1] == ("word", "in"):
        op, rest = "not in", rest[2:]
    elif op_kind == "word" and op == "in" or op_kind == "op" and op in OPERATORS:
        rest = rest[1:]
    else:
        raise ConditionError(
            f"unknown operator {op!r} in condition {source!r} (use one of: {', '.join(OPERATORS)})"
        )
    if op in ("in", "not in"):
        return Condition(source, fact, op, _parse_list(rest, source))  # type: ignore[arg-type]
    if len(rest) != 1:
        raise ConditionError(f"expected exactly one value after {op!r} in condition {source!r}")
    value = _literal(rest[0][0], rest[0][1], source)
    if op in ("<", "<=", ">", ">=") and literal_type(value) not in ("number", "date"):
        raise ConditionError(f"{op!r} compares numbers or dates, not {value!r}, in condition {source!r}")
    return Condition(source, fact, op, value)  # type: ignore[arg-type]


def _parse_list(rest: list[tuple[str, str]], source: str) -> tuple[Value, ...]:
    if len(rest) < 2 or rest[0] != ("punct", "[") or rest[-1] != ("punct", "]"):
        raise ConditionError(f"'in' needs a list like [a, b] in condition {source!r}")
    inner = rest[1:-1]
    values: list[Value] = []
    for i, (kind, raw) in enumerate(inner):
        if i % 2 == 1:
            if (kind, raw) != ("punct", ","):
                raise ConditionError(f"expected ',' between list items in condition {source!r}")
            continue
        values.append(_literal(kind, raw, source))
    if not values or len(inner) % 2 == 0:
        raise ConditionError(f"empty list or trailing ',' in condition {source!r}")
    if len(values) > MAX_LIST_ITEMS:
        raise ConditionError(f"more than {MAX_LIST_ITEMS} list items in condition {source!r}")
    types = {literal_type(v) for v in values}
    if len(types) > 1:
        raise ConditionError(f"list mixes {' and '.join(sorted(types))} values in condition {source!r}")
    return tuple(values)


# --------------------------------------------------------------------------- evaluation

Truth = bool | None  # None: unknown (a fact is missing)


@dataclass(slots=True)
class Evaluation:
    """The result of a node: True / False / None (unknown), and the facts that would settle it."""

    value: Truth
    missing: list[str] = field(default_factory=list)


def evaluate(node: Node, facts: Mapping[str, Any], trace: list[dict[str, Any]] | None = None) -> Evaluation:
    """Kleene three-valued logic over already-coerced facts (see :func:`tactful.kb.decide.coerce_facts`)."""
    if isinstance(node, Condition):
        if node.constant is not None:
            return Evaluation(node.constant)
        assert node.fact is not None
        if node.fact not in facts:
            if trace is not None:
                trace.append({"condition": node.source, "result": None, "value": None})
            return Evaluation(None, [node.fact])
        actual = facts[node.fact]
        result = _compare(actual, node.op, node.value)
        if trace is not None:
            shown = actual.isoformat() if isinstance(actual, dt.date) else actual
            trace.append({"condition": node.source, "result": result, "value": shown})
        return Evaluation(result)
    results = [evaluate(item, facts, trace) for item in node.items]
    decisive = node.kind == "any"  # any: one True decides; all: one False decides
    if any(r.value is decisive for r in results):
        return Evaluation(decisive)
    if all(r.value is not None for r in results):
        return Evaluation(not decisive)
    missing: list[str] = []
    for r in results:
        if r.value is None:
            missing.extend(m for m in r.missing if m not in missing)
    return Evaluation(None, missing)


def evaluate_all(
    nodes: Iterable[Node], facts: Mapping[str, Any], trace: list[dict[str, Any]] | None = None
) -> Evaluation:
    return evaluate(Group("all", tuple(nodes)), facts, trace)


def _compare(actual: Any, op: Op | None, expected: Any) -> bool:
    if isinstance(actual, str):
        actual = normalize_text(actual)
    if op == "==":
        return bool(actual == expected)
    if op == "!=":
        return bool(actual != expected)
    if op == "in":
        return actual in expected
    if op == "not in":
        return actual not in expected
    if op == "<":
        return bool(actual < expected)
    if op == "<=":
        return bool(actual <= expected)
    if op == ">":
        return bool(actual > expected)
    return bool(actual >= expected)


def leaves(nodes: Iterable[Node]) -> Iterable[Condition]:
    for node in nodes:
        if isinstance(node, Condition):
            yield node
        else:
            yield from leaves(node.items)


# --------------------------------------------------------------------------- contradictions


@dataclass(frozen=True, slots=True)
class _Constraint:
    allowed: frozenset[Any] | None = None  # a finite set of values, or None for "no finite set"
    lo: Any = None
    lo_incl: bool = True
    hi: Any = None
    hi_incl: bool = True
    excluded: frozenset[Any] = frozenset()


def _constraint(c: Condition) -> _Constraint:
    v = c.value
    if c.op == "==":
        return _Constraint(allowed=frozenset([v]))
    if c.op == "in":
        return _Constraint(allowed=frozenset(v if isinstance(v, tuple) else (v,)))
    if c.op == "!=":
        return _Constraint(excluded=frozenset([v]))
    if c.op == "not in":
        return _Constraint(excluded=frozenset(v if isinstance(v, tuple) else (v,)))
    if c.op in ("<", "<="):
        return _Constraint(hi=v, hi_incl=c.op == "<=")
    return _Constraint(lo=v, lo_incl=c.op == ">=")


def _in_range(x: Any, k: _Constraint) -> bool:
    try:
        if k.lo is not None and (x < k.lo or (x == k.lo and not k.lo_incl)):
            return False
        if k.hi is not None and (x > k.hi or (x == k.hi and not k.hi_incl)):
            return False
    except TypeError:
        return False
    return True


def compatible(a: Condition, b: Condition) -> bool:
    """Whether some value of the (shared) fact satisfies both conditions."""
    if a.fact != b.fact or a.fact is None or a.fact_type != b.fact_type:
        return True
    ka, kb = _constraint(a), _constraint(b)
    excluded = ka.excluded | kb.excluded
    allowed = ka.allowed if ka.allowed is not None else kb.allowed
    if ka.allowed is not None and kb.allowed is not None:
        allowed = ka.allowed & kb.allowed
    if allowed is not None:
        return any(_in_range(x, ka) and _in_range(x, kb) and x not in excluded for x in allowed)
    lo_src = max((k for k in (ka, kb) if k.lo is not None), key=lambda k: (k.lo, not k.lo_incl), default=None)
    hi_src = min((k for k in (ka, kb) if k.hi is not None), key=lambda k: (k.hi, k.hi_incl), default=None)
    if lo_src is None or hi_src is None:
        return True
    if lo_src.lo > hi_src.hi:
        return False
    if lo_src.lo == hi_src.hi:
        return lo_src.lo_incl and hi_src.hi_incl and lo_src.lo not in excluded
    return True


def contradictions(conditions: Iterable[Condition]) -> list[tuple[Condition, Condition]]:
    """Pairs ``(earlier, later)`` of conditions in one conjunction that no value can satisfy together."""
    seen: list[Condition] = []
    found: list[tuple[Condition, Condition]] = []
    for c in conditions:
        if c.constant is None:
            found.extend((prev, c) for prev in seen if not compatible(prev, c))
            seen.append(c)
    return found
