"""Who is asking: API tokens (``Authorization: Bearer …``) or the web page's session cookie.

Tokens are made by ``tactful users add`` and stored hashed by the store; a valid token is
remembered for ``token_cache_s`` seconds (default 30) so that a busy client does not cost a
database read per request. Roles are ordered agent < manager < admin: ``require_role("manager")``
lets managers and admins in.
"""

from __future__ import annotations

import functools
import hashlib
import math
import threading
import time
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import Depends, Request
from starlette.concurrency import run_in_threadpool
from starlette.types import Scope

from tactful.store.db import StoreError
from tactful.store.records import UserInfo
from tactful.web.errors import APIError
from tactful.web.limits import TokenBucket

ROLES: tuple[str, ...] = ("agent", "manager", "admin")
SESSION_MAX_AGE_S = 12 * 3600  # a page session lasts at most this long from sign-in
RANK = {role: i for i, role in enumerate(ROLES)}
SESSION_KEY = "user"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

__all__ = [
    "ROLES",
    "TokenCache",
    "UserInfo",
    "current_user",
    "forget_cached_users",
    "login",
    "logout",
    "optional_user",
    "require_role",
]


class TokenCache:
    """token hash -> (user, expiry). Expiry bounds how long a revoked token keeps working."""

    def __init__(self, ttl_s: float = 30.0, max_entries: int = 10_000) -> None:
        self.ttl_s = ttl_s
        self.max_entries = max_entries
        self._entries: dict[str, tuple[UserInfo, float]] = {}
        self._lock = threading.Lock()
        self.generation = 0  # bumped by clear(): a lookup that began before it must not be cached

    @staticmethod
    def key(token: str) -> str:
        return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()

    def get(self, token: str) -> UserInfo | None:
        if self.ttl_s <= 0:
            return None
        hit = self._entries.get(self.key(token))
        if hit is None or hit[1] < time.monotonic():
            return None
        return hit[0]

    def put(self, token: str, user: UserInfo, generation: int | None = None) -> None:
        """Remember ``user``; skipped when the cache was cleared since ``generation`` was read (the
        store was asked before a revocation that has since committed)."""
        if self.ttl_s <= 0:
            return
        with self._lock:
            if generation is not None and generation != self.generation:
                return
            if len(self._entries) >= self.max_entries:
                self._entries.clear()
            self._entries[self.key(token)] = (user, time.monotonic() + self.ttl_s)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self.generation += 1

    def forget(self, token: str) -> None:
        """Drop one entry (a session just logged out), and any lookup of it still in flight."""
        with self._lock:
            self._entries.pop(self.key(token), None)
            self.generation += 1


def forget_cached_users(request: Request) -> None:
    """Drop this process's remembered tokens and sessions, after a user is revoked or re-keyed."""
    _cache(request).clear()


def _unauthorized(message: str) -> APIError:
    return APIError(401, "unauthorized", message, {"WWW-Authenticate": "Bearer"})


def _cache(request: Request) -> TokenCache:
    cache = getattr(request.app.state, "token_cache", None)
    if cache is None:
        cache = request.app.state.token_cache = TokenCache()
    return cache


def _lookup(request: Request, token: str) -> UserInfo | None:
    cache = _cache(request)
    user = cache.get(token)
    if user is None:
        user = _fetch(cache, token, lambda: request.app.state.store.user_for_token(token))
    return user


def _fetch(cache: TokenCache, key: str, ask_store: Callable[[], UserInfo | None]) -> UserInfo | None:
    """Ask the store and remember the answer, unless a revocation cleared the cache meanwhile."""
    generation = cache.generation
    user = ask_store()
    if user is not None:
        cache.put(key, user, generation)
    return user


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization")
    if header is None:
        return None
    token = _bearer_token(header)
    if token is None:
        raise _unauthorized("expected 'Authorization: Bearer <token>'")
    return token


def _bearer_token(header: str) -> str | None:
    scheme, _, token = header.strip().partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


async def rate_key(scope: Scope) -> str:
    """Whose rate-limit bucket a request spends from: a known API token's, else the signed-in
    session's user's, else the client address's. Unknown credentials — a made-up token, a random
    ``Authorization`` header — spend from their address's bucket: they never get a fresh one."""
    app: Any = scope.get("app")
    client = scope.get("client")
    host = client[0] if client else "unknown"
    header = next((v for k, v in scope["headers"] if k == b"authorization"), None)
    if header is not None:
        token = _bearer_token(header.decode("latin-1"))
        user = None if token is None or app is None else await _known(app.state, token, host)
        return f"token:{TokenCache.key(token)[:32]}" if user is not None and token else f"ip:{host}"
    session = scope.get("session")
    data = session.get(SESSION_KEY) if isinstance(session, dict) else None
    if isinstance(data, dict) and isinstance(data.get("id"), int):  # signed: only we could write it
        return f"user:{data['id']}"
    return f"ip:{host}"


async def _known(state: Any, token: str, host: str) -> UserInfo | None:
    """The token's user (cached, or asked of the store and cached for the auth that follows), or
    None; the store is not asked for an address already over its unknown-token limit."""
    cache: TokenCache = state.token_cache
    user = cache.get(token)
    if user is not None:
        return user
    guard: TokenBucket | None = getattr(state, "auth_failures", None)
    if guard is not None and guard.wait(host) > 0:
        return None
    try:
        return await run_in_threadpool(_fetch, cache, token, lambda: state.store.user_for_token(token))
    except StoreError:  # the auth that follows answers it (503)
        return None


async def _session_user(request: Request) -> UserInfo | None:
    """The user the session cookie names, checked against the store (through the token cache, so
    at most ``token_cache_s`` late): a logout, a revoked user or a rotated token ends the session."""
    data: Any = request.scope.get("session", {}).get(SESSION_KEY)
    if not isinstance(data, dict):
        return None
    user_id, key, session_id = data.get("id"), data.get("key"), data.get("sid")
    if not isinstance(user_id, int) or not isinstance(key, str) or not isinstance(session_id, str):
        request.session.clear()  # a cookie from before sessions were recorded: sign in again
        return None
    cache = _cache(request)
    cache_key = _session_cache_key(session_id, user_id, key)
    user = cache.get(cache_key)
    if user is None:
        ask = functools.partial(request.app.state.store.session_user, user_id, key, session_id)
        user = await run_in_threadpool(_fetch, cache, cache_key, ask)
        if user is None:
            request.session.clear()
    return user


def _session_cache_key(session_id: str, user_id: object, key: object) -> str:
    return f"session:{session_id}:{user_id}:{key}"


def _is_json(content_type: str) -> bool:
    media = content_type.split(";", 1)[0].strip().lower()
    return media == "application/json" or (media.startswith("application/") and media.endswith("+json"))


def _check_cookie_write(request: Request) -> None:
    """A cookie-authenticated write to the API must be JSON: a cross-site form (or a ``no-cors``
    fetch) can only send form or text bodies, and a JSON one needs a CORS preflight this app never
    grants. SameSite=Lax already keeps the cookie off cross-site posts; this also covers same-site
    origins and body-less POSTs (``/v1/requests/{topic}/ship``) that FastAPI would not check."""
    if request.method in SAFE_METHODS or not request.url.path.startswith("/v1/"):
        return
    if not _is_json(request.headers.get("content-type", "")):
        raise APIError(
            403,
            "csrf_failed",
            "a signed-in browser must send API writes as application/json (or use a bearer token)",
        )


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def check_failures(request: Request) -> None:
    """A client whose recent credentials (API tokens, tokens pasted into the login page, webhook
    secrets) were wrong waits before another one is checked: 429, not a free guess."""
    guard: TokenBucket | None = getattr(request.app.state, "auth_failures", None)
    wait = guard.wait(_client(request)) if guard is not None else 0.0
    if wait > 0:
        retry = max(1, math.ceil(wait))
        raise APIError(
            429,
            "rate_limited",
            f"too many unknown API tokens from this address; retry in {retry} s",
            {"Retry-After": str(retry)},
        )


def count_failure(request: Request) -> None:
    """One wrong credential from this client's address (see :func:`check_failures`)."""
    guard: TokenBucket | None = getattr(request.app.state, "auth_failures", None)
    if guard is not None:
        guard.take(_client(request))


async def optional_user(request: Request) -> UserInfo | None:
    """The caller, or ``None`` when there are no credentials at all (a bad token is still a 401)."""
    token = _bearer(request)
    if token is not None:
        user = _cache(request).get(token)
        if user is None:
            check_failures(request)
            user = await run_in_threadpool(_lookup, request, token)
        if user is None:
            count_failure(request)
            raise _unauthorized("unknown or revoked API token")
        request.state.user = user
        request.state.by_token = True  # not cookie-authenticated: no cross-site form can forge it
        return user
    user = await _session_user(request)
    if user is not None:
        _check_cookie_write(request)
        request.state.user = user
    return user


async def current_user(request: Request) -> UserInfo:
    """FastAPI dependency: the authenticated caller, else 401 (a browser is sent to ``/login``)."""
    user = await optional_user(request)
    if user is None:
        raise _unauthorized(
            "sign in: send 'Authorization: Bearer <token>' (make one with `tactful users add`)"
        )
    return user


def is_manager(user: object) -> bool:
    """A manager or an admin: sees every case, not only the ones they sent (docs/security.md)."""
    return RANK.get(getattr(user, "role", None) or "", -1) >= RANK["manager"]


def require_role(*roles: str) -> Callable[..., Awaitable[UserInfo]]:
    """Dependency factory: the caller must hold one of ``roles`` or a higher one."""
    unknown = [r for r in roles if r not in RANK]
    if not roles or unknown:
        raise ValueError(f"require_role needs roles from {ROLES}, got {roles!r}")
    lowest = min(RANK[r] for r in roles)

    async def dependency(user: UserInfo = Depends(current_user)) -> UserInfo:  # noqa: B008
        if RANK.get(user.role, -1) < lowest:
            raise APIError(
                403, "forbidden", f"this needs the {ROLES[lowest]} role or higher; you are {user.role}"
            )
        return user

    dependency.__name__ = f"require_{ROLES[lowest]}"
    return dependency


def login(request: Request, token: str) -> UserInfo | None:
    """Check an API token pasted into the login page; on success the session remembers the user.
    Unknown tokens count against the address as on the API (429 once it is over the limit)."""
    token = (token or "").strip()
    if not token:
        return None
    user = _cache(request).get(token)
    if user is None:
        check_failures(request)
        user = _lookup(request, token)
    if user is None:
        count_failure(request)
        return None
    store = request.app.state.store
    session_id = store.open_session(user.id, SESSION_MAX_AGE_S)  # recorded, so a logout can end it
    request.session.clear()  # a fresh session on every login (no fixation)
    request.session[SESSION_KEY] = {"id": user.id, "key": store.session_key(token), "sid": session_id}
    return user


def logout(request: Request) -> None:
    """End the session in the store, not only in this browser: a copy of the cookie, saved before,
    signs nobody in afterwards (on this server at once; other processes within ``token_cache_s``)."""
    data: Any = request.scope.get("session", {}).get(SESSION_KEY)
    if isinstance(data, dict) and isinstance(data.get("sid"), str):
        request.app.state.store.end_session(data["sid"])
        _cache(request).forget(_session_cache_key(data["sid"], data.get("id"), data.get("key")))
    request.session.clear()
