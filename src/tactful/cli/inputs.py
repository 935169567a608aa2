"""Reading what the policy commands (``draft``, ``rewrite``, ``kb``, ``serve``) start from: the text
files, the policy folder and the ``--fact`` pairs, each failing with one line that says why."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tactful.cli.common import fail, load_config_or_fail

if TYPE_CHECKING:
    from tactful.config import Config


def load_inputs_or_fail(
    config_path: str | None, kb_dir: str | None, path: str, other: str | None = None, *, use_kb: bool = True
) -> tuple[Config, str, str | None, Any]:
    """What ``draft`` and ``rewrite`` start from: the config, the text of ``path`` (and of ``other``
    when given), and the KB that is configured (``--kb``, ``$TACTFUL_KB``, ``[kb]``), or None."""
    from tactful.kb import configured_kb
    from tactful.textio import InputError, read_text

    config = load_config_or_fail(config_path)
    try:
        text = read_text(path)
        other_text = read_text(other) if other else None
    except InputError as exc:
        fail(str(exc))
    where = configured_kb(kb_dir, config) if use_kb else None
    knowledge = load_kb_or_fail(str(where)) if where is not None else None
    return config, text, other_text, knowledge


def load_kb_or_fail(directory: str) -> Any:
    """The policies in ``directory``; a broken one ends the command with its first problem."""
    from tactful import load_kb
    from tactful.kb import KBError
    from tactful.textio import InputError

    try:
        return load_kb(directory)
    except InputError as exc:
        fail(str(exc))
    except KBError as exc:
        more = f" (and {len(exc.issues) - 1} more)" if len(exc.issues) > 1 else ""
        fail(f"{exc.issues[0]}{more}; run `tactful kb check {directory}`")


def parse_facts(pairs: tuple[str, ...]) -> dict[str, object]:
    """``--fact NAME=VALUE`` pairs as a dict (values stay strings; the KB's fact types convert them)."""
    facts: dict[str, object] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            fail(f"--fact {pair!r}: expected NAME=VALUE, e.g. --fact purchase_date=2026-01-02")
        facts[name.strip()] = value.strip()
    return facts
