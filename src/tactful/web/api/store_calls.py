"""Calling the store from a route: off the event loop, with its errors as JSON errors."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, TypeVar

from starlette.concurrency import run_in_threadpool

from tactful.analyzer.core import TextTooLarge
from tactful.store.db import Conflict, InvalidInput, StoreError
from tactful.web.errors import APIError

T = TypeVar("T")
_MISSING = re.compile(r"^(no |unknown )|\b(not found|does not exist|is not a recorded)\b", re.IGNORECASE)
_CONFLICT = re.compile(r"\balready exists\b", re.IGNORECASE)
_INVALID = re.compile(r"\b(must be|needs|expected)\b", re.IGNORECASE)
_TOO_LARGE = re.compile(r"\bthe limit is [\d,]+\b.*max_chars", re.IGNORECASE)


async def store_call(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run a blocking store method in the thread pool; map what it raises to 404/409/422/503.

    The store raises one :class:`StoreError` type with a one-line message; its wording tells a
    missing record from a clash, a bad value or a database that cannot be used."""
    try:
        return await run_in_threadpool(fn, *args, **kwargs)
    except LookupError as exc:
        raise APIError(404, "not_found", _text(exc)) from None
    except StoreError as exc:
        raise store_error(exc) from None
    except TextTooLarge as exc:
        raise APIError(413, "text_too_large", _text(exc)) from None
    except ValueError as exc:
        raise APIError(422, "invalid_input", _text(exc)) from None


def store_error(exc: StoreError) -> APIError:
    """The JSON error for a store failure (also used for one that escapes a page or the auth)."""
    message = _text(exc)
    if isinstance(exc, InvalidInput):
        return APIError(422, "invalid_input", message, field=exc.field)
    if isinstance(exc, Conflict):
        return APIError(409, "conflict", message)
    if _TOO_LARGE.search(message):
        return APIError(413, "text_too_large", message)
    if _MISSING.search(message):
        return APIError(404, "not_found", message)
    if _CONFLICT.search(message):
        return APIError(409, "conflict", message)
    if _INVALID.search(message):
        return APIError(422, "invalid_input", message)
    return APIError(503, "store_unavailable", message)


def _text(exc: BaseException) -> str:
    text = exc.args[0] if len(exc.args) == 1 and isinstance(exc.args[0], str) else str(exc)
    return text or type(exc).__name__
