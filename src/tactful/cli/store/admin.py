"""``tactful users …`` and ``tactful db upgrade``: who may use the web app and REST API, and the
store's schema."""

from __future__ import annotations

import click

from tactful.cli.options import config_option, db_option
from tactful.cli.store.common import echo, open_store_or_fail, store_errors


@click.group("users")
def users_group() -> None:
    """Users of the web app and REST API."""


@users_group.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(["agent", "manager", "admin"]), required=True)
@db_option()
@config_option
@store_errors
def users_add(name: str, role: str, db_url: str | None, config_path: str | None) -> None:
    """Add a user and print their API token (shown once; only its hash is stored)."""
    with open_store_or_fail(db_url, config_path) as store:
        user, token = store.add_user(name, role)  # type: ignore[arg-type]
    echo(f"added {user.name} ({user.role}); API token (shown once): {token}")


@users_group.command("list")
@db_option()
@config_option
@store_errors
def users_list(db_url: str | None, config_path: str | None) -> None:
    """List users, their roles and whether they were revoked."""
    with open_store_or_fail(db_url, config_path) as store:
        users = store.list_users()
    if not users:
        echo("no users yet")
    for u in users:
        revoked = f"\trevoked {u.revoked_at:%Y-%m-%d}" if u.revoked_at else ""
        echo(f"{u.name}\t{u.role}\t{u.created_at:%Y-%m-%d}{revoked}")


@users_group.command("revoke")
@click.argument("name")
@db_option()
@config_option
@store_errors
def users_revoke(name: str, db_url: str | None, config_path: str | None) -> None:
    """Stop NAME's API token and page sessions (a running server notices within token_cache_s)."""
    with open_store_or_fail(db_url, config_path) as store:
        user = store.revoke_user(name)
    echo(f"revoked {user.name}; `tactful users rotate {user.name}` gives them a new token")


@users_group.command("rotate")
@click.argument("name")
@db_option()
@config_option
@store_errors
def users_rotate(name: str, db_url: str | None, config_path: str | None) -> None:
    """Give NAME a new API token (shown once); the old one and its page sessions stop working."""
    with open_store_or_fail(db_url, config_path) as store:
        user, token = store.rotate_token(name)
    echo(f"new API token for {user.name} ({user.role}), shown once: {token}")


@click.group("db")
def db_group() -> None:
    """The store's database."""


@db_group.command("upgrade")
@db_option()
@config_option
@store_errors
def db_upgrade(db_url: str | None, config_path: str | None) -> None:
    """Create the schema or upgrade it to the newest revision (data kept)."""
    with open_store_or_fail(db_url, config_path) as store:
        revision = store.revision()
    echo(f"database at revision {revision}")
