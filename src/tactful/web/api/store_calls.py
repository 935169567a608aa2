"""Calling the store from a route: off the event loop, with its errors as JSON errors."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from starlette.concurrency import run_in_threadpool

from tactful.errors import StoreError, TextTooLarge
from tactful.web.errors import APIError, api_error

T = TypeVar("T")


async def store_call(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run a blocking store method in the thread pool; answer what it raises with the status of its
    code (:data:`tactful.web.errors.STATUS`: 404, 409, 413, 422 or 503)."""
    try:
        return await run_in_threadpool(fn, *args, **kwargs)
    except LookupError as exc:
        raise APIError(404, "not_found", _text(exc)) from None
    except (StoreError, TextTooLarge) as exc:
        raise api_error(exc) from None
    except ValueError as exc:
        raise APIError(422, "invalid_input", _text(exc)) from None


def _text(exc: BaseException) -> str:
    text = exc.args[0] if len(exc.args) == 1 and isinstance(exc.args[0], str) else str(exc)
    return text or type(exc).__name__
