"""Load and validate a folder of policy files; every problem is reported as ``FILE:LINE: message``.

A policy file is Markdown with YAML front matter between two ``---`` lines. Validation
collects all problems in all files (broken YAML, unknown or missing keys, conditions outside
the language, contradictory conditions, unknown alternative references, duplicate ids, a
fact compared as a number in one place and as text in another) before it gives up.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from tactful.contract import REQUEST_TYPES
from tactful.kb.conditions import (
    Condition,
    ConditionError,
    FactType,
    Group,
    Node,
    contradictions,
    leaves,
    parse_condition,
)
from tactful.kb.policy import Alternative, KBError, KBIssue, KnowledgeBase, Policy, Rule
from tactful.textio import InputError, read_text

Loc = tuple[Any, ...]
PolicyId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9._-]*$", max_length=120)]
MAX_DEPTH = 4


# Front matter is a few levels deep; a hostile file could nest thousands (RecursionError) or grow a
# kilobyte into gigabytes through aliases (``a: &a [x, x]``, ``b: [*a, *a]``, …). Policies need neither.
MAX_YAML_DEPTH = 32


class _PolicyLoader(yaml.SafeLoader):
    """PyYAML's safe loader, refusing aliases and nesting past ``MAX_YAML_DEPTH``, each as a
    ``MarkedYAMLError`` on its line (reported like any broken YAML)."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        if self.check_event(yaml.AliasEvent):
            mark = self.peek_event().start_mark
            problem = "aliases (*name) are not allowed in a policy"
            raise yaml.MarkedYAMLError(problem=problem, problem_mark=mark)
        if self._depth >= MAX_YAML_DEPTH:
            mark = self.peek_event().start_mark
            problem = f"nested more than {MAX_YAML_DEPTH} levels deep"
            raise yaml.MarkedYAMLError(problem=problem, problem_mark=mark)
        self._depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class RawRule(_Strict):
    when: list[Any] = Field(min_length=1)
    note: str


class RawAlternative(_Strict):
    id: PolicyId | None = None
    ref: str | None = None
    text: str | None = None
    conditions: list[Any] = []
    order: int | None = None


class RawChannels(_Strict):
    email: str | None = None
    chat: str | None = None
    social: str | None = None


class RawPolicy(_Strict):
    id: PolicyId
    title: str = Field(min_length=1)
    request_types: list[Literal[REQUEST_TYPES]] = Field(min_length=1)  # type: ignore[valid-type]
    applies_when: list[Any] = []
    conditions: list[Any] = []
    reason: str = Field(min_length=1)
    alternatives: list[RawAlternative] = []
    approval: list[RawRule] = []
    escalate: list[RawRule] = []
    channels: RawChannels = RawChannels()
    priority: int = 0
    source: str = ""


class _FileState:
    """What one file contributes: the parsed policy, the key → line map, its problems."""

    def __init__(self, path: Path, display: str) -> None:
        self.path = path
        self.display = display
        self.lines: dict[Loc, int] = {}
        self.issues: list[KBIssue] = []
        self.raw: RawPolicy | None = None
        self.body = ""

    def line(self, loc: Loc) -> int:
        for end in range(len(loc), -1, -1):
            if loc[:end] in self.lines:
                return self.lines[loc[:end]]
        return 1

    def error(self, loc: Loc | int, message: str) -> None:
        line = loc if isinstance(loc, int) else self.line(loc)
        self.issues.append(KBIssue(self.display, line, message))


_FENCE = re.compile(r"^---[ \t]*$", re.MULTILINE)


def _split(text: str) -> tuple[str, str] | None:
    """(front matter, body) or None when the file has no front matter."""
    if not (text.startswith("---\n") or text.startswith("---\r\n") or text.rstrip() == "---"):
        return None
    start = text.index("\n") + 1 if "\n" in text else len(text)
    m = _FENCE.search(text, start)
    if m is None:
        return None
    return text[start : m.start()], text[m.end() :].lstrip("\r\n")


def _map_lines(node: yaml.Node, loc: Loc, state: _FileState, offset: int, depth: int = 0) -> None:
    state.lines.setdefault(loc, node.start_mark.line + offset)
    if depth > 20:
        return
    if isinstance(node, yaml.MappingNode):
        seen: dict[Any, int] = {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else str(key_node.start_mark)
            line = key_node.start_mark.line + offset
            if key in seen:
                state.error(line, f"duplicate key '{key}' (first on line {seen[key]})")
                continue
            seen[key] = line
            state.lines[(*loc, key)] = line
            _map_lines(value_node, (*loc, key), state, offset, depth + 1)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            state.lines[(*loc, i)] = item.start_mark.line + offset
            _map_lines(item, (*loc, i), state, offset, depth + 1)


def _read(path: Path, display: str) -> _FileState:
    state = _FileState(path, display)
    try:
        text = read_text(path)
    except InputError as exc:
        state.error(1, str(exc).removeprefix(f"{path}: "))
        return state
    parts = _split(text)
    if parts is None:
        state.error(
            1, "no YAML front matter: a policy file starts with a '---' line and closes it with another"
        )
        return state
    front, state.body = parts
    offset = 2  # the front matter starts on the file's second line
    try:
        loader = _PolicyLoader(front)  # one parse: the node gives line numbers, the data comes from it
        try:
            node = loader.get_single_node()
            data = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + offset if mark is not None else 1
        state.error(line, f"broken YAML: {exc.problem or exc.context}")
        return state
    except yaml.YAMLError as exc:
        state.error(1, f"broken YAML: {exc}")
        return state
    if not isinstance(data, dict) or node is None:
        state.error(1, "the front matter must be a YAML mapping (key: value lines)")
        return state
    _map_lines(node, (), state, offset)
    state.lines[()] = 1
    try:
        state.raw = RawPolicy.model_validate(data)
    except ValidationError as exc:
        for err in exc.errors():
            loc = tuple(err["loc"])
            key = ".".join(str(p) for p in loc)
            if err["type"] == "extra_forbidden":
                state.error(loc, f"unknown field '{key}'")
            elif err["type"] == "missing":
                state.error(loc[:-1], f"missing required field '{key}'")
            elif err["type"] == "literal_error":
                state.error(
                    loc,
                    f"'{key}': unknown request type {err['input']!r} (one of: {', '.join(REQUEST_TYPES)})",
                )
            else:
                state.error(loc, f"'{key}': {err['msg']}")
        _compile_loose(data, state)
    return state


def _compile_loose(data: dict[str, Any], state: _FileState) -> None:
    """When the front matter fails validation, still check its conditions, so every error shows."""

    def check(items: object, loc: Loc) -> None:
        if isinstance(items, list):
            _compile(items, loc, state)

    for key in ("applies_when", "conditions"):
        check(data.get(key), (key,))
    for key, inner in (("alternatives", "conditions"), ("approval", "when"), ("escalate", "when")):
        entries = data.get(key)
        for i, entry in enumerate(entries if isinstance(entries, list) else []):
            if isinstance(entry, dict):
                check(entry.get(inner), (key, i, inner))


def _compile(items: list[Any], loc: Loc, state: _FileState, depth: int = 0) -> tuple[Node, ...]:
    out: list[Node] = []
    for i, item in enumerate(items):
        here = (*loc, i)
        if isinstance(item, dict):
            if (
                len(item) != 1
                or next(iter(item)) not in ("any", "all")
                or not isinstance(next(iter(item.values())), list)
            ):
                state.error(
                    here, "a condition group is one key, 'any' or 'all', holding a list of conditions"
                )
                continue
            if depth >= MAX_DEPTH:
                state.error(here, f"condition groups nest at most {MAX_DEPTH} deep")
                continue
            kind = next(iter(item))
            inner = _compile(item[kind], (*here, kind), state, depth + 1)
            if not inner:
                state.error(here, f"empty '{kind}' group")
                continue
            out.append(Group(kind, inner))
            continue
        try:
            out.append(parse_condition(item))
        except ConditionError as exc:
            state.error(here, str(exc))
    return tuple(out)


def _check_conjunction(nodes: Iterable[Node], where: dict[int, int], state: _FileState) -> None:
    """Contradictions among the direct conditions of one conjunction, and inside each ``all`` group."""
    direct = [n for n in nodes if isinstance(n, Condition)]
    for earlier, later in contradictions(direct):
        state.error(
            where.get(id(later), 1),
            f"contradictory conditions: '{later.source}' can never hold together with "
            f"'{earlier.source}' (line {where.get(id(earlier), 1)})",
        )
    for n in nodes:
        if isinstance(n, Group) and n.kind == "all":
            _check_conjunction(n.items, where, state)
        elif isinstance(n, Group):  # each branch of an 'any' is a conjunction of its own
            for branch in n.items:
                if isinstance(branch, Group):
                    _check_conjunction([branch], where, state)


def _index_lines(nodes: tuple[Node, ...], loc: Loc, state: _FileState, where: dict[int, int]) -> None:
    for i, n in enumerate(nodes):
        if isinstance(n, Condition):
            where[id(n)] = state.line((*loc, i))
        else:
            _index_lines(n.items, (*loc, i, n.kind), state, where)


class _Built:
    def __init__(self, state: _FileState, policy: Policy, where: dict[int, int], refs: list[tuple[int, str]]):
        self.state = state
        self.policy = policy
        self.where = where
        self.refs = refs  # (alternative index, "policy/alt")


def _build(state: _FileState) -> _Built | None:
    raw = state.raw
    if raw is None:
        return None
    where: dict[int, int] = {}

    def compile_at(items: list[Any], loc: Loc) -> tuple[Node, ...]:
        nodes = _compile(items, loc, state)
        _index_lines(nodes, loc, state, where)
        return nodes

    applies = compile_at(raw.applies_when, ("applies_when",))
    conditions = compile_at(raw.conditions, ("conditions",))
    _check_conjunction(applies + conditions, where, state)
    alternatives: list[Alternative] = []
    refs: list[tuple[int, str]] = []
    seen_alt: dict[str, int] = {}
    for i, alt in enumerate(raw.alternatives):
        loc = ("alternatives", i)
        alt_conditions = compile_at(alt.conditions, (*loc, "conditions"))
        _check_conjunction(applies + alt_conditions, where, state)
        if alt.ref is not None:
            if alt.id is not None or alt.text is not None:
                state.error(loc, "an alternative has either 'ref' or its own 'id' and 'text', not both")
            refs.append((i, alt.ref))
            alternatives.append(
                Alternative("", "", alt.order if alt.order is not None else 100, alt_conditions)
            )
            continue
        if alt.id is None or alt.text is None:
            state.error(loc, "an alternative needs 'id' and 'text' (or 'ref: policy-id/alternative-id')")
            continue
        if alt.id in seen_alt:
            state.error(
                (*loc, "id"), f"duplicate alternative id '{alt.id}' (first on line {seen_alt[alt.id]})"
            )
        seen_alt.setdefault(alt.id, state.line((*loc, "id")))
        order = alt.order if alt.order is not None else 100
        alternatives.append(Alternative(alt.id, alt.text.strip(), order, alt_conditions))

    def rules(name: str, items: list[RawRule]) -> tuple[Rule, ...]:
        out = []
        for i, r in enumerate(items):
            when = compile_at(r.when, (name, i, "when"))
            _check_conjunction(applies + when, where, state)
            out.append(Rule(when, r.note.strip()))
        return tuple(out)

    policy = Policy(
        id=raw.id,
        title=raw.title.strip(),
        request_types=tuple(raw.request_types),
        reason=raw.reason.strip(),
        path=state.path,
        line=state.line(("id",)),
        applies_when=applies,
        conditions=conditions,
        alternatives=tuple(alternatives),
        approval=rules("approval", raw.approval),
        escalate=rules("escalate", raw.escalate),
        channels={k: v.strip() for k, v in raw.channels.model_dump().items() if v},
        priority=raw.priority,
        source=raw.source,
        body=state.body,
    )
    return _Built(state, policy, where, refs)


def _resolve_refs(built: list[_Built], by_id: dict[str, _Built]) -> None:
    for b in built:
        if not b.refs:
            continue
        alts = list(b.policy.alternatives)
        for index, ref in b.refs:
            loc = ("alternatives", index, "ref")
            pid, _, aid = ref.partition("/")
            target = by_id.get(pid)
            found = (
                next((a for a in target.policy.alternatives if a.id == aid and not a.source), None)
                if target
                else None
            )
            if target is None:
                b.state.error(loc, f"alternative reference '{ref}': no policy with id '{pid}'")
            elif found is None:
                b.state.error(
                    loc, f"alternative reference '{ref}': policy '{pid}' has no alternative '{aid}'"
                )
            if found is None:
                alts[index] = Alternative("", "", 0, source="<missing>")
                continue
            mine = alts[index]
            order = (
                mine.order
                if b.state.raw and b.state.raw.alternatives[index].order is not None
                else found.order
            )
            alts[index] = Alternative(
                found.id, found.text, order, found.conditions + mine.conditions, source=ref
            )
        kept = tuple(a for a in alts if a.source != "<missing>")
        b.policy = replace(b.policy, alternatives=kept)


def _fact_types(built: list[_Built]) -> tuple[dict[str, FactType], list[tuple[_FileState, int, str]]]:
    types: dict[str, tuple[FactType, str, int]] = {}
    problems: list[tuple[_FileState, int, str]] = []
    for b in built:
        p = b.policy
        groups = [p.applies_when, p.conditions, *(a.conditions for a in p.alternatives)]
        groups += [r.when for r in p.approval + p.escalate]
        for group in groups:
            for c in leaves(group):
                ftype = c.fact_type
                if c.fact is None or ftype is None:
                    continue
                line = b.where.get(id(c), 1)
                expected = _implied_type(c.fact)
                if expected and ftype != expected:
                    problems.append((b.state, line, f"'{c.source}': '{c.fact}' is a {expected}, not {ftype}"))
                    continue
                known = types.get(c.fact)
                if known is None:
                    types[c.fact] = (ftype, b.state.display, line)
                elif known[0] != ftype:
                    problems.append(
                        (
                            b.state,
                            line,
                            f"'{c.source}' treats '{c.fact}' as {ftype}, but {known[1]}:{known[2]} treats it "
                            f"as {known[0]}",
                        )
                    )
    return {k: v[0] for k, v in types.items()}, problems


def _implied_type(fact: str) -> FactType | None:
    if fact == "today" or fact.endswith("_date"):
        return "date"
    if fact.startswith(("days_since_", "days_until_")):
        return "number"
    return None


def check_kb(directory: str | Path) -> tuple[KnowledgeBase | None, list[KBIssue]]:
    """Validate every ``*.md`` policy under ``directory``; (the KB or None, all issues in file order)."""
    root = Path(directory)
    if not root.is_dir():
        raise InputError(f"{root}: not a folder of policy files")
    files = sorted(p for p in root.rglob("*.md") if p.is_file() and p.name.lower() != "readme.md")
    states = [_read(p, str(p)) for p in files]
    built = [b for b in (_build(s) for s in states) if b is not None]
    by_id: dict[str, _Built] = {}
    for b in built:
        first = by_id.get(b.policy.id)
        if first is not None:
            b.state.error(
                ("id",),
                f"duplicate policy id '{b.policy.id}' (also in {first.state.display}:{first.policy.line})",
            )
        else:
            by_id[b.policy.id] = b
    _resolve_refs(built, by_id)
    fact_types, problems = _fact_types(built)
    for state, line, message in problems:
        state.error(line, message)
    if not files:
        states.append(_FileState(root, str(root)))
        states[-1].error(1, "no policy files (*.md) in this folder")
    issues = [i for s in states for i in sorted(s.issues, key=lambda i: i.line)]
    if issues:
        return None, issues
    policies = {b.policy.id: b.policy for b in built}
    return KnowledgeBase(policies, fact_types, root), []


def load_kb(directory: str | Path) -> KnowledgeBase:
    """Load the policy files under ``directory``; raises :class:`KBError` listing every problem."""
    kb, issues = check_kb(directory)
    if kb is None:
        raise KBError(issues)
    return kb
