"""The options every command shares: each takes ``--config``, the store commands read their
``[store]`` from it, and a config file that cannot be used is one line and exit 2 everywhere."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from tactful.cli import main


def _commands(
    group: click.Group, path: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], click.Command]]:
    for name, command in sorted(group.commands.items()):
        if isinstance(command, click.Group):
            yield from _commands(command, (*path, name))
        else:
            yield (*path, name), command


COMMANDS = list(_commands(main))


def test_the_tree_has_every_command() -> None:
    names = {" ".join(path) for path, _ in COMMANDS}
    assert {"check", "batch", "qa", "pull", "serve", "kb decide", "users add", "db upgrade"} <= names
    assert len(names) >= 30


@pytest.mark.parametrize("path", [p for p, _ in COMMANDS], ids=" ".join)
def test_every_command_takes_config(path: tuple[str, ...]) -> None:
    command = dict(COMMANDS)[path]
    assert any("--config" in p.opts for p in command.params), f"tactful {' '.join(path)} has no --config"


@pytest.mark.parametrize(
    "args",
    [
        ["rules"],
        ["understand", "-"],
        ["kb", "check", "."],
        ["users", "list"],
        ["history", "C-1"],
        ["check", "-"],
    ],
    ids=lambda a: " ".join(a),
)
def test_a_config_that_cannot_be_used_is_one_line_and_exit_2(tmp_path: Path, args: list[str]) -> None:
    bad = tmp_path / "tactful.toml"
    bad.write_text("[style]\nno_such_key = 1\n", encoding="utf-8")
    result = CliRunner().invoke(main, [*args, "--config", str(bad)], input="We can't refund this.")
    assert result.exit_code == 2, result.output
    assert result.output == f"error: {bad}: unknown key 'style.no_such_key'\n"


def test_store_commands_open_the_store_named_in_the_config(tmp_path: Path) -> None:
    db = tmp_path / "team.db"
    config = tmp_path / "team.toml"
    config.write_text(f'[store]\nurl = "{db}"\n', encoding="utf-8")
    runner = CliRunner()
    added = runner.invoke(main, ["users", "add", "sam", "--role", "agent", "--config", str(config)])
    assert added.exit_code == 0, added.output
    assert db.exists()
    listed = runner.invoke(main, ["users", "list", "--config", str(config)])
    assert listed.output.startswith("sam\tagent\t")
    assert runner.invoke(main, ["db", "upgrade", "--config", str(config)]).exit_code == 0
