"""The FastAPI app: ``/v1`` REST API, helpdesk webhooks, the pages, ``/healthz`` and ``/docs``.

Middleware, outermost first: security headers (CSP on every response) → catch-all (a JSON
500, never a traceback) → body size limit (413) → session cookie (the web page's login) →
rate limit per token (429). Only ``/healthz``, ``/login`` and ``/static`` are anonymous;
the webhooks authenticate with their helpdesk's shared secret instead of a token.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import os
import secrets
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, FastAPI
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment
from starlette.middleware.sessions import SessionMiddleware
from starlette.responses import HTMLResponse, Response
from uvicorn.protocols.http.h11_impl import H11Protocol

from tactful import __version__
from tactful.config import Config
from tactful.kb import configured_kb
from tactful.store.records import UserInfo
from tactful.web.api import router as api_router
from tactful.web.api.schemas import Health, UserOut
from tactful.web.auth import SESSION_MAX_AGE_S, TokenCache, current_user, rate_key
from tactful.web.errors import CatchAllMiddleware, install_error_handlers, json_response
from tactful.web.limits import (
    DEFAULT_MAX_BODY,
    DEFAULT_MAX_TEXT,
    BodySizeLimitMiddleware,
    RateLimitMiddleware,
    RedisTokenBucket,
    TokenBucket,
)
from tactful.web.logs import install_log_redaction
from tactful.web.offload import Offload
from tactful.web.security import SecurityHeadersMiddleware

WEB_DIR = Path(__file__).resolve().parent
STATIC_DIR = WEB_DIR / "static"
SESSION_COOKIE = "tactful_session"


def _env_float(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        return float(raw)
    except ValueError:
        raise ValueError(f"${name} must be a number, got {raw!r}") from None


@dataclass(frozen=True)
class WebSettings:
    """What an operator tunes; ``from_env`` reads the ``TACTFUL_*`` variables (see docs/api.md)."""

    kb_dir: Path | None = None  # None: [kb] in tactful.toml, else no KB (nothing is decided)
    max_body_bytes: int = DEFAULT_MAX_BODY  # 0 disables the limit
    max_text_chars: int = DEFAULT_MAX_TEXT  # per reply, draft or message: longer than any email; 0: off
    rate_limit: float = 20.0  # requests a second per token; 0 disables the limit
    rate_burst: int = 60
    rate_limit_redis: str | None = None  # redis://… keeps the buckets in Redis, shared by all workers
    token_cache_s: float = 30.0  # how long a checked token is trusted before asking the store again
    chatwoot_secret: str | None = None
    zendesk_secret: str | None = None
    webhook_tolerance_s: float = 300.0  # signed webhooks older than this are refused (replays)
    https_only_cookies: bool = False

    @classmethod
    def from_env(cls, **overrides: Any) -> WebSettings:
        env = os.environ
        values: dict[str, Any] = {
            "kb_dir": configured_kb(env.get("TACTFUL_KB")),
            "max_body_bytes": int(_env_float("TACTFUL_MAX_BODY", DEFAULT_MAX_BODY)),
            "max_text_chars": int(_env_float("TACTFUL_MAX_TEXT", DEFAULT_MAX_TEXT)),
            "rate_limit": _env_float("TACTFUL_RATE_LIMIT", 20.0),
            "rate_burst": int(_env_float("TACTFUL_RATE_BURST", 60)),
            "rate_limit_redis": env.get("TACTFUL_RATE_LIMIT_REDIS") or None,
            "chatwoot_secret": env.get("TACTFUL_CHATWOOT_SECRET") or None,
            "zendesk_secret": env.get("TACTFUL_ZENDESK_SECRET") or None,
            "webhook_tolerance_s": _env_float("TACTFUL_WEBHOOK_TOLERANCE", 300.0),
            "https_only_cookies": env.get("TACTFUL_HTTPS_ONLY", "") in ("1", "true", "yes"),
        }
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)


_DOCS = Environment(autoescape=True).from_string(
    """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{ title }} API</title>
<link rel="stylesheet" href="/static/tactful.css"></head>
<body><main>
<h1>{{ title }} {{ version }} — REST API</h1>
<p>The machine-readable description is <a href="/openapi.json">/openapi.json</a> (OpenAPI {{ openapi }}).
Send <code>Authorization: Bearer &lt;token&gt;</code>; make a token with <code>tactful users add</code>.
Errors are <code>{"error": {"code": "…", "message": "…"}}</code>.</p>
{% for op in ops %}
<section id="{{ op.id }}">
<h2><code>{{ op.method }} {{ op.path }}</code></h2>
{% if op.summary %}<p><strong>{{ op.summary }}</strong></p>{% endif %}
{% if op.description %}<p>{{ op.description }}</p>{% endif %}
{% if op.params %}<p>Parameters:</p><ul>{% for p in op.params %}
<li><code>{{ p.name }}</code> ({{ p.where }}{% if p.required %}, required{% endif %})
{%- if p.description %}: {{ p.description }}{% endif %}</li>
{% endfor %}</ul>{% endif %}
{% if op.body %}<details><summary>Request body</summary><pre>{{ op.body }}</pre></details>{% endif %}
{% if op.response %}<details><summary>Response</summary><pre>{{ op.response }}</pre></details>{% endif %}
</section>
{% endfor %}
</main></body></html>
"""
)


def _schema_text(schema: dict[str, Any] | None, components: dict[str, Any], depth: int = 0) -> Any:
    """A JSON schema with its ``$ref``s resolved (a few levels deep) for reading."""
    if not isinstance(schema, dict):
        return schema
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        if depth > 3:
            return name
        return _schema_text(components.get(name, {}), components, depth + 1)
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key in ("title",):
            continue
        if isinstance(value, dict):
            out[key] = (
                {k: _schema_text(v, components, depth) for k, v in value.items()}
                if key == "properties"
                else _schema_text(value, components, depth)
            )
        elif isinstance(value, list):
            out[key] = [_schema_text(v, components, depth) for v in value]
        else:
            out[key] = value
    return out


def _docs_page(spec: dict[str, Any]) -> str:
    import json

    components = spec.get("components", {}).get("schemas", {})
    ops = []
    for path, methods in spec.get("paths", {}).items():
        for method, op in methods.items():
            body = op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
            ok: dict[str, Any] = next(
                (r for code, r in op.get("responses", {}).items() if code.startswith("2")), {}
            )
            response = ok.get("content", {}).get("application/json", {}).get("schema")
            ops.append(
                {
                    "id": op.get("operationId", f"{method}-{path}"),
                    "method": method.upper(),
                    "path": path,
                    "summary": op.get("summary", ""),
                    "description": op.get("description", ""),
                    "params": [
                        {
                            "name": p["name"],
                            "where": p.get("in", ""),
                            "required": p.get("required", False),
                            "description": p.get("description", ""),
                        }
                        for p in op.get("parameters", [])
                    ],
                    "body": json.dumps(_schema_text(body, components), indent=2) if body else "",
                    "response": json.dumps(_schema_text(response, components), indent=2) if response else "",
                }
            )
    info = spec.get("info", {})
    return _DOCS.render(
        title=info.get("title", "tactful"),
        version=info.get("version", ""),
        openapi=spec.get("openapi"),
        ops=ops,
    )


def _meta_router(app: FastAPI) -> APIRouter:
    router = APIRouter()

    @router.get("/healthz", response_model=Health, tags=["meta"], summary="Liveness (anonymous)")
    async def healthz() -> Response:
        return json_response({"status": "ok", "version": __version__})

    @router.get("/v1/me", response_model=UserOut, tags=["meta"], summary="Who the token belongs to")
    async def me(user: UserInfo = Depends(current_user)) -> Response:  # noqa: B008
        return json_response(user.to_dict())

    @router.get("/openapi.json", include_in_schema=False, dependencies=[Depends(current_user)])
    async def openapi() -> Response:
        return json_response(app.openapi())

    @router.get("/docs", include_in_schema=False, dependencies=[Depends(current_user)])
    async def docs() -> HTMLResponse:
        # Swagger UI would need a CDN and inline scripts, both ruled out by the CSP: a plain page.
        return HTMLResponse(_docs_page(app.openapi()))

    return router


def create_app(
    store: Any = None,
    config: Config | None = None,
    *,
    secret_key: str | None = None,
    settings: WebSettings | None = None,
) -> FastAPI:
    """Build the app on ``store`` (default: ``open_store()``, i.e. ``$TACTFUL_DATABASE_URL`` or
    ``./tactful.db``), analysing with ``config`` (default: built-in defaults).

    ``secret_key`` signs the session cookie (default ``$TACTFUL_SECRET_KEY``, else a random key
    per process: sessions then end when the server restarts).
    """
    from tactful.kb import load_kb

    settings = settings or WebSettings.from_env()
    config = config or Config()
    install_log_redaction()  # the Chatwoot webhook's ?token= must not reach the access log
    owns_store = store is None
    if store is None:
        from tactful.store import open_store

        store = open_store(config=config)
    where = settings.kb_dir if settings.kb_dir is not None else configured_kb(None, config)
    knowledge = load_kb(where) if where is not None else None

    bucket: TokenBucket | RedisTokenBucket | None = None
    if settings.rate_limit > 0 and settings.rate_limit_redis:
        bucket = RedisTokenBucket(settings.rate_limit_redis, settings.rate_limit, settings.rate_burst)
    elif settings.rate_limit > 0:
        bucket = TokenBucket(settings.rate_limit, settings.rate_burst)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        try:
            app.state.offload.close()
            if isinstance(bucket, RedisTokenBucket):
                with contextlib.suppress(Exception):  # e.g. connections opened on a loop now closed
                    await bucket.close()
        finally:
            close = getattr(store, "close", None)
            if owns_store and callable(close):
                close()

    app = FastAPI(
        title="tactful",
        version=__version__,
        description="Say no to customers and keep them: analyze, compose and remember refusals.",
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        lifespan=lifespan,
    )
    app.state.store = store
    app.state.config = config
    app.state.kb = knowledge
    app.state.offload = Offload(where, config)  # long drafts and rewrites
    app.state.settings = settings
    app.state.token_cache = TokenCache(settings.token_cache_s)
    # Unknown tokens per client address (see auth.check_failures): a burst of 10, then one a second.
    app.state.auth_failures = TokenBucket(1.0, 10) if settings.rate_limit > 0 else None

    install_error_handlers(app)
    app.include_router(_meta_router(app))
    app.include_router(api_router, prefix="/v1")
    from tactful.web.pages import router as pages_router

    app.include_router(pages_router)
    if STATIC_DIR.is_dir():
        app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    # add_middleware puts each one outside the previous: this is innermost first.
    if bucket is not None:
        app.add_middleware(RateLimitMiddleware, bucket=bucket, key=rate_key)
    app.add_middleware(
        SessionMiddleware,
        secret_key=secret_key or os.environ.get("TACTFUL_SECRET_KEY") or secrets.token_urlsafe(32),
        session_cookie=SESSION_COOKIE,
        max_age=SESSION_MAX_AGE_S,
        same_site="lax",
        https_only=settings.https_only_cookies,
    )
    app.add_middleware(BodySizeLimitMiddleware, max_bytes=settings.max_body_bytes)
    app.add_middleware(CatchAllMiddleware)
    app.add_middleware(SecurityHeadersMiddleware)
    return app


def warm_up(app: FastAPI) -> None:
    """Load what the first request would (rules, signals, the politeness model, the OpenAPI
    schema), then move everything alive into the permanent GC generation: a server's start-up
    objects never die, and leaving them to full collections costs ~50-100 ms pauses (p99)."""
    from tactful.analyzer.core import analyze

    analyze("Thank you for asking. We can't refund this, but I can offer store credit.", "Refund me?")
    app.openapi()
    gc.collect()
    gc.freeze()


class NoDelayH11Protocol(H11Protocol):
    """uvicorn's h11 protocol with TCP_NODELAY on every connection (what ``tactful serve`` runs).

    With ``--workers`` uvicorn hands the workers a listening socket whose ``proto`` is 0, so
    asyncio leaves Nagle's algorithm on for the connections they accept, and each response
    then waits ~40 ms for the client's delayed ACK (measured with bench/bench_api.py).
    """

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        sock = transport.get_extra_info("socket")
        if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        super().connection_made(transport)


def app_from_env() -> FastAPI:
    """Factory for ``uvicorn --factory`` (what ``tactful serve --workers N`` runs in each worker)."""
    from tactful.config import load_config

    app = create_app(None, load_config(os.environ.get("TACTFUL_CONFIG")), settings=WebSettings.from_env())
    warm_up(app)
    return app
