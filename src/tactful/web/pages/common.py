"""What every page shares: the Jinja2 environment (autoescape always on), the signed-in user,
the store, a CSRF token for forms, and rendering with the page's status code.
"""

from __future__ import annotations

import hmac
import json
import secrets
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader
from markupsafe import Markup
from starlette.responses import Response

from tactful.web.auth import UserInfo, current_user, is_manager
from tactful.web.errors import APIError

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates"
CSRF_KEY = "csrf"
# The signed-in user; a browser without a session is sent to /login by the app's error handler.
CurrentUser = Annotated[UserInfo, Depends(current_user)]


def _tojson_script(value: Any) -> Markup:
    """JSON for a ``<script type="application/json">`` block: ``<``, ``>``, ``&`` escaped so customer
    text can never close the block; read back by the page's script with ``JSON.parse``."""
    text = json.dumps(value, ensure_ascii=False)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(text)  # noqa: S704 - escaped above; never contains a raw '<'


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES_DIR)),
        autoescape=True,  # every template, whatever its extension: customer text is hostile
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["jsonblock"] = _tojson_script
    env.filters["pct"] = lambda v: "–" if v is None else f"{round(float(v) * 100)}"
    env.filters["rule_title"] = _rule_title
    env.filters["by_severity"] = _by_severity
    return env


def _rule_title(rule: str) -> str:
    from tactful.web.pages.fixes import title_of

    return title_of(rule)


def _by_severity(findings: list[Any]) -> list[tuple[int, Any]]:
    """``(index, finding)`` most severe first (errors, warnings, suggestions), each in text order."""
    from tactful.web.pages.fixes import ordered

    return ordered(list(findings))


templates = Jinja2Templates(env=_environment())


def store_of(request: Request) -> Any:
    """The app's store (``create_app`` keeps it on ``app.state.store``)."""
    store = getattr(request.app.state, "store", None)
    if store is None:
        raise APIError(503, "unavailable", "the server has no store configured")
    return store


def csrf_token(request: Request) -> str:
    """The session's CSRF token, made on first use; every form and the page script send it back."""
    session = request.scope.get("session")
    if session is None:
        return ""
    token = session.get(CSRF_KEY)
    if not isinstance(token, str) or len(token) < 20:
        token = session[CSRF_KEY] = secrets.token_urlsafe(24)
    return token


def check_csrf(request: Request, sent: str | None) -> None:
    """Reject a form post whose token is not this session's (a cross-site form)."""
    expected = request.scope.get("session", {}).get(CSRF_KEY)
    if getattr(request.state, "by_token", False):
        return  # signed in by a valid API token, not the cookie: nothing to forge (a mere header is not)
    if not isinstance(expected, str) or not sent or not hmac.compare_digest(expected, sent):
        raise APIError(403, "csrf_failed", "the form expired or came from another site; reload and retry")


def render(request: Request, name: str, context: dict[str, Any], status: int = 200) -> Response:
    user = getattr(request.state, "user", None)
    ctx = {
        "user": user,
        "is_manager": is_manager(user),
        "csrf": csrf_token(request),
        "path": request.url.path,
        **context,
    }
    return templates.TemplateResponse(request, name, ctx, status_code=status)


def forbidden(request: Request, what: str) -> Response:
    return render(request, "error.html", {"title": "Not allowed", "message": what}, status=403)


def not_found(request: Request, what: str) -> Response:
    return render(request, "error.html", {"title": "Not found", "message": what}, status=404)
