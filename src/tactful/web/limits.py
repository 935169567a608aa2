"""Request size limit and per-token rate limit, both as small pure-ASGI middlewares.

The size limit refuses a body over ``max_bytes`` with 413 before the app reads it (from
``Content-Length``, and by counting a chunked body as it streams). The rate limit is an
in-memory token bucket per credential — a known bearer token (by its hash), else the session's
user, else the client address — answering 429 with ``Retry-After``. In memory it is per process
(with several uvicorn workers each keeps its own buckets); ``RedisTokenBucket`` keeps them in
Redis, shared by every worker and host.
"""

from __future__ import annotations

import inspect
import logging
import math
import threading
import time
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tactful.web.errors import error_response

DEFAULT_MAX_BODY = 1024 * 1024 + 64 * 1024  # a 1 MB reply plus room for the JSON around it
# The longest reply, draft or customer message a route takes (characters): far past a real email,
# the pages' cap too. The analysis is linear, but a limit keeps one request's cost small.
DEFAULT_MAX_TEXT = 20_000
EXEMPT_PREFIXES = ("/healthz", "/static/")


class BodySizeLimitMiddleware:
    def __init__(self, app: ASGIApp, max_bytes: int = DEFAULT_MAX_BODY) -> None:
        self.app = app
        self.max_bytes = max_bytes

    def _too_large(self) -> tuple[int, str, str]:
        return 413, "payload_too_large", f"the request body is over the limit of {self.max_bytes:,} bytes"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self.max_bytes <= 0:
            await self.app(scope, receive, send)
            return
        for name, value in scope["headers"]:
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    await error_response(400, "bad_request", "Content-Length is not a number")(
                        scope, receive, send
                    )
                    return
                if declared > self.max_bytes:
                    await error_response(*self._too_large())(scope, receive, send)
                    return
        seen = 0
        rejected = started = False

        async def counting_receive() -> Message:
            # Over the limit mid-stream: answer 413 now and tell the app the client has gone.
            nonlocal seen, rejected
            if rejected:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    rejected = True
                    if not started:
                        await error_response(*self._too_large())(scope, receive, send)
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if not rejected:  # once the 413 is out, whatever the app answers is dropped
                started = started or message["type"] == "http.response.start"
                await send(message)

        await self.app(scope, counting_receive, guarded_send)


class TokenBucket:
    """``rate`` requests a second on average, bursts up to ``burst``; one bucket per key."""

    MAX_KEYS = 10_000

    def __init__(self, rate: float, burst: int, clock: Callable[[], float] = time.monotonic) -> None:
        if rate <= 0 or burst < 1:
            raise ValueError("rate must be > 0 and burst >= 1")
        self.rate = rate
        self.burst = burst
        self.clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}  # key -> (tokens, last refill)
        self._lock = threading.Lock()

    def take(self, key: str) -> float:
        """Spend one token for ``key``: 0.0 when allowed, else the seconds until one is available."""
        now = self.clock()
        with self._lock:
            tokens, last = self._buckets.get(key, (float(self.burst), now))
            tokens = min(float(self.burst), tokens + (now - last) * self.rate)
            if tokens >= 1.0:
                self._buckets[key] = (tokens - 1.0, now)
                if len(self._buckets) > self.MAX_KEYS:
                    self._prune(now)
                return 0.0
            self._buckets[key] = (tokens, now)
            return (1.0 - tokens) / self.rate

    def wait(self, key: str) -> float:
        """Seconds until ``key`` may spend a token (0.0: now); spends nothing."""
        now = self.clock()
        with self._lock:
            tokens, last = self._buckets.get(key, (float(self.burst), now))
        tokens = min(float(self.burst), tokens + (now - last) * self.rate)
        return 0.0 if tokens >= 1.0 else (1.0 - tokens) / self.rate

    def _prune(self, now: float) -> None:
        """Forget buckets that have refilled completely: they behave exactly like new ones."""
        full = [k for k, (t, last) in self._buckets.items() if t + (now - last) * self.rate >= self.burst]
        for key in full:
            del self._buckets[key]


# Refill and spend in one atomic step on Redis' own clock, so workers on several hosts agree.
_REDIS_TAKE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local rate, burst = tonumber(ARGV[1]), tonumber(ARGV[2])
local saved = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens, last = tonumber(saved[1]), tonumber(saved[2])
if tokens == nil or last == nil then tokens, last = burst, now end
tokens = math.min(burst, tokens + math.max(0, now - last) * rate)
local wait = 0
if tokens >= 1 then tokens = tokens - 1 else wait = (1 - tokens) / rate end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('EXPIRE', KEYS[1], math.ceil(burst / rate) + 1)
return tostring(wait)
"""
_log = logging.getLogger("tactful.web")


class RedisTokenBucket:
    """:class:`TokenBucket`'s rule with the buckets in Redis (``redis://host:port/db``, Redis 5 or
    later): one limit per credential however many workers and hosts serve. If Redis fails, requests
    go through for the next ``PAUSE_S`` seconds without asking it (so a hung Redis costs one
    timeout, not one per request) and a warning is logged at most once a minute: a limiter must
    not take the API down with it."""

    PAUSE_S = 5.0
    TIMEOUT_S = 0.25

    def __init__(self, url: str, rate: float, burst: int, prefix: str = "tactful:rate:") -> None:
        if rate <= 0 or burst < 1:
            raise ValueError("rate must be > 0 and burst >= 1")
        try:
            import redis.asyncio as aioredis
        except ImportError:  # pragma: no cover - depends on the environment
            message = "a Redis rate limit needs the redis package: pip install 'tactful[redis]'"
            raise ValueError(message) from None
        self.rate = rate
        self.burst = burst
        self.prefix = prefix
        self._client: Any = aioredis.Redis.from_url(
            url, socket_timeout=self.TIMEOUT_S, socket_connect_timeout=self.TIMEOUT_S
        )
        self._take: Any = self._client.register_script(_REDIS_TAKE)
        self._warned_at = -math.inf
        self._paused_until = -math.inf

    async def take(self, key: str) -> float:
        """Spend one token for ``key``: 0.0 when allowed, else the seconds until one is available."""
        from redis.exceptions import RedisError

        if time.monotonic() < self._paused_until:
            return 0.0
        try:
            return float(await self._take(keys=[self.prefix + key], args=[self.rate, self.burst]))
        except (RedisError, OSError) as exc:
            now = time.monotonic()
            self._paused_until = now + self.PAUSE_S
            if now - self._warned_at > 60:
                self._warned_at = now
                _log.warning("rate limit not applied: Redis is unavailable (%s)", exc)
            return 0.0

    async def close(self) -> None:
        await self._client.aclose()


class RateLimitMiddleware:
    """Must sit inside the session middleware so that it can see the session's user. ``key`` says
    whose bucket a request spends from (``tactful.web.auth.rate_key``: a known credential's, else the
    client address's, so a made-up credential never gets a fresh bucket)."""

    def __init__(
        self, app: ASGIApp, bucket: TokenBucket | RedisTokenBucket, key: Callable[[Scope], Awaitable[str]]
    ) -> None:
        self.app = app
        self.bucket = bucket
        self.key = key

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(EXEMPT_PREFIXES):
            await self.app(scope, receive, send)
            return
        wait = self.bucket.take(await self.key(scope))
        if inspect.isawaitable(wait):
            wait = await wait
        if wait > 0:
            retry = max(1, math.ceil(wait))
            response = error_response(
                429,
                "rate_limited",
                f"too many requests: the limit is {self.bucket.rate:g} a second "
                f"(bursts of {self.bucket.burst}); retry in {retry} s",
                {"Retry-After": str(retry)},
            )
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)
