"""The documentation is complete, as sqlite-utils and Datasette check theirs: every command, argument
and option of the click tree has its section and line in docs/cli.md (and nothing there is stale),
every ``tactful.toml`` key is in docs/cli.md and examples/tactful.toml, and every rule id is in
docs/rules.md."""

from __future__ import annotations

import dataclasses
import re
import sys
import typing
from collections.abc import Iterator
from pathlib import Path

import click
import pytest

from tactful.cli import main
from tactful.config import Config

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]
CLI_DOC = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
HEADING = re.compile(r"^#{2,4} `(tactful(?: [a-z-]+)*)`\s*$", re.MULTILINE)
#: An option's line in a section: "- `--name METAVAR`: …", "- `-j`, `--jobs N`: …" or, for a flag
#: pair, "- `--on` / `--off`: …".
OPTION_LINE = re.compile(
    r"^- `(-[\w-]+)[^`]*`(?:, `(--[\w-]+)[^`]*`)?(?: / `(--[\w-]+)[^`]*`)?", re.MULTILINE
)


def _commands(
    command: click.Command = main, path: tuple[str, ...] = ("tactful",)
) -> Iterator[tuple[str, click.Command]]:
    yield " ".join(path), command
    if isinstance(command, click.Group):
        for name, sub in sorted(command.commands.items()):
            yield from _commands(sub, (*path, name))


COMMANDS = dict(_commands())


def _sections() -> dict[str, str]:
    """docs/cli.md cut at each heading that names a command: the command's path to its text."""
    marks = list(HEADING.finditer(CLI_DOC))
    out = {}
    for mark, following in zip(marks, [*marks[1:], None], strict=True):
        end = following.start() if following else len(CLI_DOC)
        body = CLI_DOC[mark.end() : end]
        out[mark.group(1)] = re.split(r"^#", body, maxsplit=1, flags=re.MULTILINE)[0]
    return out


SECTIONS = _sections()


def _option_names(command: click.Command) -> set[str]:
    return {
        name
        for param in command.params
        if isinstance(param, click.Option)
        for name in (*param.opts, *param.secondary_opts)
    }


@pytest.mark.parametrize("path", COMMANDS)
def test_every_command_has_a_section(path: str) -> None:
    assert path in SECTIONS, f"docs/cli.md has no section `{path}` (a heading: ## `{path}`)"


@pytest.mark.parametrize("path", COMMANDS)
def test_every_option_and_argument_has_its_line(path: str) -> None:
    command, section = COMMANDS[path], SECTIONS.get(path, "")
    documented = {name for match in OPTION_LINE.finditer(section) for name in match.groups() if name}
    for param in command.params:
        if isinstance(param, click.Argument):
            name = param.human_readable_name
            assert re.search(rf"\b{re.escape(name)}\b", section), (
                f"{path}: argument {name} not in docs/cli.md"
            )
        else:
            for name in (*param.opts, *param.secondary_opts):
                assert name in documented, f"{path}: option {name} has no line (- `{name}`: …) in docs/cli.md"
    assert documented - {"-h", "--help"} <= _option_names(command), (
        f"{path}: docs/cli.md names options it lacks"
    )


def test_no_section_for_a_command_that_does_not_exist() -> None:
    assert set(SECTIONS) <= set(COMMANDS)


def _config_keys(cls: type = Config, prefix: str = "") -> Iterator[str]:
    """Every key ``tactful.toml`` accepts, dotted; a table of named entries is ``channels.<name>``."""
    hints = typing.get_type_hints(cls)
    for f in dataclasses.fields(cls):
        kind = hints[f.name]
        if dataclasses.is_dataclass(kind):
            yield from _config_keys(kind, f"{prefix}{f.name}.")  # type: ignore[arg-type]
        elif typing.get_origin(kind) is dict and dataclasses.is_dataclass(typing.get_args(kind)[1]):
            yield from _config_keys(typing.get_args(kind)[1], f"{prefix}{f.name}.<name>.")
        else:
            yield f"{prefix}{f.name}"


CONFIG_KEYS = list(_config_keys())


def test_the_config_walk_finds_the_keys() -> None:
    assert {"style.regret_words", "channels.<name>.sla_minutes", "store.url", "kb.path"} <= set(CONFIG_KEYS)


@pytest.mark.parametrize("key", CONFIG_KEYS)
def test_every_config_key_is_documented(key: str) -> None:
    assert f"| `{key}` |" in CLI_DOC, f"config key {key} has no row in docs/cli.md's table"


def test_the_example_config_holds_every_key() -> None:
    data = tomllib.loads((ROOT / "examples" / "tactful.toml").read_text(encoding="utf-8"))
    found = set()
    for table, values in data.items():
        for key, value in values.items():
            if table == "channels":
                found |= {f"channels.<name>.{k}" for k in value}
            else:
                found.add(f"{table}.{key}")
    assert set(CONFIG_KEYS) == found


def test_every_rule_is_in_the_rules_reference() -> None:
    from tactful.rules import load_rules

    doc = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    missing = [r.id for r in load_rules() if f"## `{r.id}`" not in doc]
    assert not missing, f"not in docs/rules.md (tactful rules --format markdown > docs/rules.md): {missing}"
