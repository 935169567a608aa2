"""Home, sign-in and sign-out pages (the session itself is the API engineer's ``tactful.web.auth``)."""

from __future__ import annotations

from urllib.parse import urlsplit

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse, Response

from tactful.web import auth
from tactful.web.errors import APIError
from tactful.web.pages.common import CurrentUser, check_csrf, render

router = APIRouter(include_in_schema=False)


def _safe_next(target: str | None) -> str:
    """Only same-site paths: ``next`` comes from the query string and must not redirect elsewhere."""
    if not target:
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target


@router.get("/")
async def home(request: Request, user: CurrentUser) -> Response:
    return render(request, "home.html", {})


@router.get("/login")
async def login_page(request: Request, next: str = "/") -> Response:
    return render(request, "login.html", {"next": _safe_next(next), "error": None})


@router.post("/login")
async def login_post(request: Request) -> Response:
    form = await request.form()
    check_csrf(request, str(form.get("csrf") or ""))
    target = _safe_next(str(form.get("next") or "/"))
    try:
        user = await run_in_threadpool(auth.login, request, str(form.get("token") or ""))
    except APIError as exc:  # too many unknown tokens from this address
        page = render(request, "login.html", {"next": target, "error": exc.message}, status=exc.status)
        page.headers.update(exc.headers)
        return page
    if user is None:
        return render(
            request, "login.html", {"next": target, "error": "That token is unknown or revoked."}, status=401
        )
    return RedirectResponse(target, status_code=303)


@router.post("/logout")
async def logout_post(request: Request) -> Response:
    form = await request.form()
    check_csrf(request, str(form.get("csrf") or ""))
    await run_in_threadpool(auth.logout, request)
    return RedirectResponse("/login", status_code=303)
