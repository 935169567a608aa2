"""Security headers on every response, errors and static files included.

Customer text is hostile input. The pages escape it; this Content-Security-Policy makes sure
that even a slip cannot run a script: only same-origin scripts and styles, no inline code,
no plugins, no framing. API responses carry customer data, so they are not cached. A request
that came over HTTPS (directly, or through a proxy uvicorn trusts with ``--proxy-headers``) gets
its cookies marked ``Secure`` and a Strict-Transport-Security header, with no setting to forget.
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)
HEADERS: dict[str, str] = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
}


HSTS = "max-age=31536000"


def _secure(name: bytes, value: bytes) -> tuple[bytes, bytes]:
    """A cookie sent over HTTPS is marked Secure, so the browser never sends it over plain HTTP."""
    if name.lower() != b"set-cookie":
        return name, value
    attributes = {part.strip().lower() for part in value.split(b";")[1:]}  # not the name=value
    return (name, value) if b"secure" in attributes else (name, value + b"; secure")


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        static = scope["path"].startswith("/static/")
        https = scope.get("scheme") == "https"

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                if https:
                    message["headers"] = [_secure(name, value) for name, value in message.get("headers", [])]
                headers = MutableHeaders(scope=message)
                if https:
                    headers["Strict-Transport-Security"] = HSTS
                for name, value in HEADERS.items():
                    headers[name] = value  # ours win: a route cannot loosen the policy
                if not static and "cache-control" not in headers:
                    headers["Cache-Control"] = "no-store"
            await send(message)

        await self.app(scope, receive, send_with_headers)
