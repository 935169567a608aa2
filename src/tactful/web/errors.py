"""Every failure answers ``{"error": {"code": "...", "message": "..."}}`` with the right status.

A :class:`~tactful.errors.TactfulError` is answered by its ``code``, with the status :data:`STATUS`
gives that code: one table, and no message is ever read to choose a status.

Never a stack trace: validation errors are summarised without echoing the (hostile, possibly
huge) input, and an unhandled exception becomes a 500 with a reference the operator finds in
the log. Browsers asking a page they may not see are sent to ``/login`` instead of a JSON 401.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

import orjson
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import RedirectResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tactful.errors import StoreError, TactfulError

log = logging.getLogger("tactful.web")

CODES: dict[int, str] = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_error",
    429: "rate_limited",
    500: "internal_error",
    501: "not_implemented",
    503: "unavailable",
}


#: The HTTP status for each code of :mod:`tactful.errors` a request can run into. A store error whose
#: code is not here (there is none today) is 503, as for a store that cannot be used.
STATUS: dict[str, int] = {
    "not_found": 404,
    "conflict": 409,
    "text_too_large": 413,
    "invalid_input": 422,
    "store_unavailable": 503,
}


class APIError(TactfulError):
    """Raise from any route or dependency to answer with a JSON error (``code`` is the JSON's)."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        headers: Mapping[str, str] | None = None,
        *,
        field: str | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.headers = dict(headers or {})
        self.field = field  # the request field at fault, when one is: sent as error.field


def api_error(exc: TactfulError) -> APIError:
    """The JSON error for ``exc``: its code, the status :data:`STATUS` gives it, its message and, for
    :class:`~tactful.errors.InvalidInput`, the field at fault."""
    message = exc.message or type(exc).__name__
    return APIError(STATUS.get(exc.code, 503), exc.code, message, field=getattr(exc, "field", None))


def json_response(data: Any, status: int = 200, headers: Mapping[str, str] | None = None) -> Response:
    """orjson-encoded JSON (dataclasses, datetimes and tuples written natively, fast)."""
    return Response(
        orjson.dumps(data, option=orjson.OPT_NON_STR_KEYS),
        status_code=status,
        media_type="application/json",
        headers=dict(headers) if headers else None,
    )


def error_body(code: str, message: str, **extra: Any) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, **extra}}


def error_response(
    status: int, code: str, message: str, headers: Mapping[str, str] | None = None, **extra: Any
) -> Response:
    return json_response(error_body(code, message, **extra), status, headers)


def _wants_login_page(request: Request) -> bool:
    path = request.url.path
    return not path.startswith("/v1/") and "text/html" in request.headers.get("accept", "")


def _login_redirect(request: Request) -> Response:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)


async def _api_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, APIError)
    if exc.status == 401 and _wants_login_page(request):
        return _login_redirect(request)
    extra = {"field": exc.field} if exc.field else {}
    return error_response(exc.status, exc.code, exc.message, exc.headers, **extra)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == 401 and _wants_login_page(request):
        return _login_redirect(request)
    message = exc.detail if isinstance(exc.detail, str) else CODES.get(exc.status_code, "error")
    if exc.status_code == 404 and message == "Not Found":
        message = f"no such route: {request.method} {request.url.path}"
    elif exc.status_code == 405 and message == "Method Not Allowed":
        message = f"{request.method} is not allowed on {request.url.path}"
    return error_response(
        exc.status_code, CODES.get(exc.status_code, "error"), message, getattr(exc, "headers", None)
    )


def _where(loc: tuple[Any, ...] | list[Any]) -> str:
    parts = [str(p) for p in loc if p != "body"] or ["body"]
    return ".".join(parts)


async def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    errors = list(exc.errors())
    if any(e.get("type") == "json_invalid" for e in errors):
        return error_response(400, "invalid_json", "the request body is not valid JSON")
    details = [{"field": _where(e.get("loc", ())), "problem": str(e.get("msg", ""))} for e in errors[:20]]
    summary = "; ".join(f"{d['field']}: {d['problem']}" for d in details[:3])
    more = f" (and {len(errors) - 3} more)" if len(errors) > 3 else ""
    return error_response(422, "validation_error", f"invalid request: {summary}{more}", details=details)


async def _store_error(request: Request, exc: Exception) -> Response:
    """A store failure outside ``store_call`` (a page, the token lookup): JSON with a code, not a 500."""
    assert isinstance(exc, StoreError)
    return await _api_error(request, api_error(exc))


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(APIError, _api_error)
    app.add_exception_handler(StoreError, _store_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)


class CatchAllMiddleware:
    """Turns any exception that escaped the app into a JSON 500 (logged with a reference id).

    Installed inside the security-headers middleware so that even a 500 carries the CSP.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception:
            ref = secrets.token_hex(6)
            log.exception("unhandled error on %s %s (ref %s)", scope.get("method"), scope.get("path"), ref)
            if started:  # too late to answer cleanly; the server closes the connection
                return
            response = error_response(
                500, "internal_error", f"internal server error; the log has the details (ref {ref})"
            )
            await response(scope, receive, send)
