"""What routes share: the app's services (kept on ``app.state``) and turning library errors into
JSON errors."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from fastapi import Request
from starlette.concurrency import run_in_threadpool

from tactful.web.errors import APIError

if TYPE_CHECKING:
    from tactful.config import Config
    from tactful.kb import KnowledgeBase
    from tactful.web.offload import Offload

T = TypeVar("T")
# Work on texts longer than this leaves the event loop, so one huge request cannot stall the others
# (drafts and rewrites of long texts go to another process: tactful.web.offload).
INLINE_CHARS = 20_000


def store_of(request: Request) -> Any:
    return request.app.state.store


def config_of(request: Request) -> Config:
    return request.app.state.config


def kb_of(request: Request) -> KnowledgeBase | None:
    """The policy KB the server was started with, or None: then nothing is decided."""
    return request.app.state.kb


def required_kb(request: Request) -> KnowledgeBase:
    """The KB for routes that only make sense with one (``/v1/policies``): a 404 naming how to set it."""
    kb = request.app.state.kb
    if kb is None:
        raise APIError(
            404,
            "no_kb",
            "no policy KB is configured: start the server with --kb, [kb] in tactful.toml or TACTFUL_KB",
        )
    return kb


def offload_of(request: Request) -> Offload:
    return request.app.state.offload


def invalid(exc: Exception) -> APIError:
    """A library ``ValueError`` (empty message, a fact of the wrong type…) as a 422 naming the problem."""
    return APIError(422, "invalid_input", str(exc) or type(exc).__name__)


def check_text_sizes(request: Request, texts: dict[str, str | None]) -> None:
    """413 ``text_too_large`` naming the first field longer than the server's per-text limit
    (``max_text_chars``, ``TACTFUL_MAX_TEXT``): a reply or a message longer than any real email."""
    limit = request.app.state.settings.max_text_chars
    if limit <= 0:
        return
    for field, text in texts.items():
        if text is not None and len(text) > limit:
            raise APIError(
                413,
                "text_too_large",
                f"{field} is {len(text):,} characters; this server takes at most {limit:,} per text "
                "(longer than any real email; TACTFUL_MAX_TEXT sets it)",
                field=field,
            )


def page_links(request: Request, shown: int, limit: int, offset: int) -> dict[str, str]:
    """``Link: <…?offset=N>; rel="next"`` when the page is full (there may be more)."""
    if shown < limit:
        return {}
    url = request.url.include_query_params(limit=limit, offset=offset + limit)
    return {"Link": f'<{url.path}?{url.query}>; rel="next"'}


async def run_sized(size: int, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run ``fn`` inline when the input is small (fast), in the thread pool when it is large."""
    if size <= INLINE_CHARS:
        return fn(*args, **kwargs)
    return await run_in_threadpool(fn, *args, **kwargs)


async def in_thread(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Store calls block on the database: keep them off the event loop."""
    return await run_in_threadpool(fn, *args, **kwargs)
