"""The ``tactful`` command line: a thin click layer over the Python API.

One module per command or command group; what several share lives in :mod:`.common` (errors, the
config), :mod:`.options` (the shared options), :mod:`.inputs` (texts, policies, facts) and
:mod:`.progress`. Each command imports its heavy parts when it runs, so ``tactful --help`` stays light.
"""

from __future__ import annotations

import click

from tactful import __version__


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="tactful")
def main() -> None:
    """tactful: say no to customers and keep them."""


def _register_commands() -> None:
    from tactful.cli.batch import batch
    from tactful.cli.check import check
    from tactful.cli.draft import draft
    from tactful.cli.evaluate import eval_command
    from tactful.cli.kb import kb
    from tactful.cli.pull import pull
    from tactful.cli.qa import qa
    from tactful.cli.rewrite import rewrite
    from tactful.cli.rules import rules_command
    from tactful.cli.serve import serve
    from tactful.cli.store import COMMANDS as STORE_COMMANDS  # log, history, followups, users…
    from tactful.cli.understand import understand

    for command in (
        batch,
        check,
        draft,
        eval_command,
        kb,
        pull,
        qa,
        rewrite,
        rules_command,
        serve,
        understand,
    ):
        main.add_command(command)
    for command in STORE_COMMANDS:
        main.add_command(command)


_register_commands()

__all__ = ["main"]
