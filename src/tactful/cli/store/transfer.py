"""``tactful export FILE`` and ``tactful import FILE``: the whole store as JSONL and back."""

from __future__ import annotations

import click

from tactful.cli.options import config_option, db_option
from tactful.cli.store.common import echo, open_store_or_fail, store_errors


@click.command("export")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--no-redact", is_flag=True, help="Keep emails, phone and card numbers as stored.")
@click.option(
    "--with-token-hashes",
    is_flag=True,
    help="Keep users' API token hashes, so they sign in with the same tokens after an import "
    "(default: left out; imported users then need `tactful users rotate NAME`).",
)
@db_option()
@config_option
@store_errors
def export_command(
    file: str, no_redact: bool, with_token_hashes: bool, db_url: str | None, config_path: str | None
) -> None:
    """Write the whole store to FILE (JSONL)."""
    with open_store_or_fail(db_url, config_path) as store:
        count = store.export_jsonl(file, redact=not no_redact, token_hashes=with_token_hashes)
    kept = [] if no_redact else ["redacted"]
    kept += ["with token hashes"] if with_token_hashes else []
    echo(f"exported {count} rows to {file}" + (f" ({', '.join(kept)})" if kept else ""))


@click.command("import")
@click.argument("file", type=click.Path(dir_okay=False))
@db_option()
@config_option
@store_errors
def import_command(file: str, db_url: str | None, config_path: str | None) -> None:
    """Load an export (JSONL) into an empty store."""
    with open_store_or_fail(db_url, config_path) as store:
        count = store.import_jsonl(file)
    echo(f"imported {count} rows from {file}")
