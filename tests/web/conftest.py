"""Fixtures for every web test (the API's and the pages'): a real app on a temporary SQLite store,
one user per role with a real API token, and TestClients.

- ``web_store``: the :class:`tactful.store.Store` on a fresh SQLite file.
- ``web_users``: ``{"agent"|"manager"|"admin": WebUser}``; ``WebUser.headers`` carries the bearer token.
- ``web_settings`` / ``web_app``: the app, with webhook secrets set and the rate limit off
  (tests of the limits build their own app with ``make_app``).
- ``client``: an anonymous TestClient; ``client_as(role)``: one that sends that role's token.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tactful.kb import STORE_EXAMPLE
from tactful.store import Store, UserInfo, open_store
from tactful.web.app import WebSettings, create_app

ROLES = ("agent", "manager", "admin")
SECRET_KEY = "test-session-key"
CHATWOOT_SECRET = "chatwoot-shared-secret"
ZENDESK_SECRET = "zendesk-signing-secret"


@dataclass
class WebUser:
    info: UserInfo
    token: str
    headers: dict[str, str] = field(default_factory=dict)


@pytest.fixture
def web_store(tmp_path: Path) -> Iterator[Store]:
    store = open_store(f"sqlite:///{tmp_path / 'web.db'}")
    try:
        yield store
    finally:
        store.close()


@pytest.fixture
def web_users(web_store: Store) -> dict[str, WebUser]:
    users = {}
    for role in ROLES:
        info, token = web_store.add_user(f"{role}-user", role)  # type: ignore[arg-type]
        users[role] = WebUser(info, token, {"Authorization": f"Bearer {token}"})
    return users


@pytest.fixture
def web_settings() -> WebSettings:
    """The demo's setup: the example store's policies (``--kb example``); tests of an app without a
    KB pass ``kb_dir=None`` to ``make_app`` (and no ``[kb]`` or ``$TACTFUL_KB`` applies then)."""
    return WebSettings(
        kb_dir=STORE_EXAMPLE, rate_limit=0, chatwoot_secret=CHATWOOT_SECRET, zendesk_secret=ZENDESK_SECRET
    )


@pytest.fixture
def make_app(web_store: Store, web_settings: WebSettings) -> Callable[..., FastAPI]:
    """``make_app(config=None, **settings_overrides)``: another app on the same store."""

    def make(config: Any = None, **overrides: Any) -> FastAPI:
        settings = dataclasses.replace(web_settings, **overrides)
        return create_app(web_store, config, secret_key=SECRET_KEY, settings=settings)

    return make


@pytest.fixture
def web_app(make_app: Callable[..., FastAPI]) -> FastAPI:
    return make_app()


@pytest.fixture
def client(web_app: FastAPI) -> Iterator[TestClient]:
    with TestClient(web_app, raise_server_exceptions=False) as c:
        yield c


@pytest.fixture
def client_as(web_app: FastAPI, web_users: dict[str, WebUser]) -> Iterator[Callable[[str], TestClient]]:
    made: list[TestClient] = []

    def make(role: str) -> TestClient:
        c = TestClient(web_app, raise_server_exceptions=False, headers=web_users[role].headers)
        made.append(c)
        return c

    yield make
    for c in made:
        c.close()
