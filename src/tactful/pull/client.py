"""GET JSON from a helpdesk API the way its rate limits ask: 429 waits for ``Retry-After``, server
errors and dropped connections are retried with backoff, and the credentials go only to the helpdesk.

Credentials are sent to the base URL's own scheme and host and nowhere else: a ``next`` link that
points elsewhere is refused, redirects are not followed, and plain ``http`` is refused except to this
machine (a local test server).
"""

from __future__ import annotations

import email.utils
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx

from tactful.errors import PullError
from tactful.pull.credentials import Credentials

LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1"}
RETRIED = {500, 502, 503, 504}
#: Consecutive 429 answers to one request before giving up (each waited out as Retry-After says).
MAX_RATE_LIMITED = 20


@dataclass(frozen=True, slots=True)
class Page:
    """A JSON response and the headers that tell where the next page is (``Link``)."""

    url: str
    data: Any
    headers: Mapping[str, str]

    def link(self, rel: str = "next") -> str | None:
        """The ``Link: <url>; rel="next"`` target (Freshdesk's pagination), if any."""
        for part in self.headers.get("link", "").split(","):
            target, _, params = part.partition(";")
            if f'rel="{rel}"' in params.replace(" ", "") or f"rel={rel}" in params.replace(" ", ""):
                return target.strip().strip("<>")
        return None


class Client:
    """One helpdesk's API; ``sleep`` and the waits are parameters so tests need not wait long."""

    def __init__(
        self,
        base_url: str,
        credentials: Credentials,
        *,
        tries: int = 6,
        backoff_s: float = 1.0,
        max_wait_s: float = 300.0,
        timeout_s: float = 60.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        parts = urlsplit(base_url)
        if parts.username or parts.password:  # not echoed: it holds a secret
            raise PullError("--url holds credentials: give them in the environment or --credentials FILE")
        if parts.scheme not in ("https", "http") or not parts.hostname:
            raise PullError(f"{base_url}: not a URL (expected https://HOST)")
        if parts.scheme == "http" and parts.hostname not in LOCAL_HOSTS:
            raise PullError(f"{base_url}: use https (over http the credentials would travel in the clear)")
        self.base = f"{parts.scheme}://{parts.netloc}"
        self.origin = (parts.scheme, parts.netloc)
        self.credentials = credentials
        self.tries, self.backoff_s, self.max_wait_s, self.sleep = tries, backoff_s, max_wait_s, sleep
        self.http = httpx.Client(
            headers={**credentials.headers, "Accept": "application/json", "User-Agent": "tactful-pull"},
            timeout=timeout_s,
            follow_redirects=False,
        )
        self.requests = 0

    def get(self, path_or_url: str, params: Mapping[str, Any] | None = None) -> Page:
        """GET a path (or a ``next`` URL the API gave) as JSON, waiting and retrying as the API asks."""
        url = urljoin(self.base + "/", path_or_url)
        target = urlsplit(url)
        if (target.scheme, target.netloc) != self.origin:
            raise PullError(f"the API sent a link to another host ({target.netloc}); not following it")
        shown = target.path
        failures = limited = 0
        while True:
            self.requests += 1
            try:
                response = self.http.get(url, params=params)
            except httpx.HTTPError as exc:
                failures += 1
                if failures >= self.tries:
                    raise PullError(f"GET {shown}: {type(exc).__name__} after {failures} tries") from None
                self.sleep(self._backoff(failures))
                continue
            if response.status_code == 429:
                limited += 1
                if limited > MAX_RATE_LIMITED:
                    raise PullError(f"GET {shown}: still rate limited (HTTP 429) after {limited - 1} waits")
                self.sleep(self._retry_after(response.headers.get("retry-after"), limited))
                continue
            if response.status_code in RETRIED:
                failures += 1
                if failures >= self.tries:
                    raise PullError(f"GET {shown}: HTTP {response.status_code} after {failures} tries")
                self.sleep(self._backoff(failures))
                continue
            if response.status_code in (401, 403):
                names = " + ".join(self.credentials.names)
                raise PullError(f"GET {shown}: HTTP {response.status_code}: the helpdesk refused {names}")
            if response.status_code != 200:
                raise PullError(f"GET {shown}: HTTP {response.status_code}")
            try:
                return Page(str(response.url), response.json(), response.headers)
            except ValueError:
                raise PullError(f"GET {shown}: the response is not JSON") from None

    def _backoff(self, failures: int) -> float:
        return min(self.backoff_s * 2 ** (failures - 1), self.max_wait_s)

    def _retry_after(self, value: str | None, limited: int) -> float:
        """Seconds to wait: ``Retry-After`` as seconds or an HTTP date, else the backoff."""
        wait: float | None = None
        if value:
            try:
                wait = float(value)
            except ValueError:
                try:
                    wait = email.utils.parsedate_to_datetime(value).timestamp() - time.time()
                except (TypeError, ValueError):
                    wait = None
        if wait is None or wait < 0:
            wait = self._backoff(limited)
        return min(wait, self.max_wait_s)

    def close(self) -> None:
        self.http.close()
