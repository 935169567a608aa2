"""``tactful serve``: the REST API, the webhooks and the web page, on uvicorn.

The first run on an empty store loads the demo data (example policies, a few customers and
cases) and makes an ``admin`` user whose token is printed once.
"""

from __future__ import annotations

import os
import secrets
import socket
from pathlib import Path

import click

from tactful.cli.common import fail, load_config_or_fail
from tactful.cli.options import config_option, db_option, kb_option


def _check_port(host: str, port: int) -> None:
    """Fail with one line when the address is taken, instead of uvicorn's log and exit."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            fail(f"cannot listen on {host}:{port}: {exc.strerror or exc}")


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True)
@db_option()
@kb_option
@config_option
@click.option(
    "--workers", type=click.IntRange(1, 64), default=1, show_default=True, help="uvicorn processes."
)
@click.option("--max-body", type=click.IntRange(0), help="Largest request body in bytes (0: no limit).")
@click.option(
    "--max-text",
    type=click.IntRange(0),
    help="Longest reply, draft or message a route takes, in characters (default 20,000; 0: no limit).",
)
@click.option("--rate-limit", type=click.FloatRange(0), help="Requests a second per token (0: no limit).")
@click.option("--rate-burst", type=click.IntRange(1), help="Requests a token may send in a burst.")
@click.option(
    "--rate-limit-redis",
    metavar="URL",
    help="Keep the rate-limit buckets in Redis (redis://host:6379/0), shared by all workers and hosts.",
)
@click.option("--no-demo", is_flag=True, help="Do not load the demo data on the first run.")
@click.option("--access-log/--no-access-log", default=True, show_default=True)
@click.option(
    "--log-level",
    type=click.Choice(["critical", "error", "warning", "info", "debug"]),
    default="info",
    show_default=True,
)
def serve(
    host: str,
    port: int,
    db_url: str | None,
    kb_dir: str | None,
    config_path: str | None,
    workers: int,
    max_body: int | None,
    max_text: int | None,
    rate_limit: float | None,
    rate_burst: int | None,
    rate_limit_redis: str | None,
    no_demo: bool,
    access_log: bool,
    log_level: str,
) -> None:
    """Serve the REST API (/v1, docs at /docs), the webhooks and the web page."""
    import uvicorn

    from tactful.cli.inputs import load_kb_or_fail
    from tactful.kb import configured_kb
    from tactful.store import StoreError, open_store
    from tactful.store.demo import load_demo
    from tactful.web.app import NoDelayH11Protocol, WebSettings, create_app, warm_up

    config = load_config_or_fail(config_path)
    where = configured_kb(kb_dir, config)  # --kb, $TACTFUL_KB, [kb]; "example" is the example store
    if where is not None:
        load_kb_or_fail(str(where))  # a broken KB is reported as FILE:LINE before anything starts
    try:
        settings = WebSettings.from_env(
            kb_dir=where,
            max_body_bytes=max_body,
            max_text_chars=max_text,
            rate_limit=rate_limit,
            rate_burst=rate_burst,
            rate_limit_redis=rate_limit_redis,
        )
        if settings.rate_limit_redis:  # a bad URL or a missing package: say so before anything starts
            from tactful.web.limits import RedisTokenBucket

            RedisTokenBucket(settings.rate_limit_redis, 1.0, 1)
    except ValueError as exc:
        fail(str(exc))
    _check_port(host, port)
    try:
        store = open_store(db_url, config=config)
        if not store.list_users():
            if not no_demo:
                added = load_demo(store)
                click.echo(f"first run: loaded the demo data ({added} cases)")
            _, token = store.add_user("admin", "admin")
            click.echo(
                "first run: made the user 'admin' (role admin). Its API token, shown only now:\n"
                f"  {token}\n"
                "Sign in to the web page with it; make more with `tactful users add NAME --role agent`."
            )
    except StoreError as exc:
        fail(str(exc))
    click.echo(f"tactful: http://{host}:{port}/  (API docs at /docs, health at /healthz)")
    click.echo(
        f"policies: {where}" if where else "policies: none configured, nothing is decided (--kb DIR|example)"
    )
    if workers == 1:
        app = create_app(store, config, settings=settings)
        warm_up(app)
        uvicorn.run(
            app, host=host, port=port, log_level=log_level, access_log=access_log, http=NoDelayH11Protocol
        )
        return
    # Several processes: each builds its own app from the environment (uvicorn's factory mode).
    os.environ["TACTFUL_DATABASE_URL"] = store.url
    store.close()
    os.environ.setdefault("TACTFUL_SECRET_KEY", secrets.token_urlsafe(32))  # one key: sessions work in all
    if config_path:
        os.environ["TACTFUL_CONFIG"] = str(Path(config_path).resolve())
    for name, value in (
        ("TACTFUL_KB", str(where.resolve()) if where is not None else None),
        ("TACTFUL_MAX_BODY", max_body),
        ("TACTFUL_MAX_TEXT", max_text),
        ("TACTFUL_RATE_LIMIT", rate_limit),
        ("TACTFUL_RATE_BURST", rate_burst),
        ("TACTFUL_RATE_LIMIT_REDIS", rate_limit_redis),
    ):
        if value is not None:
            os.environ[name] = str(value)
    uvicorn.run(
        "tactful.web.app:app_from_env",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        http=NoDelayH11Protocol,
        log_level=log_level,
        access_log=access_log,
    )
