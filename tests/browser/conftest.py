"""Browser tests: the real app served by uvicorn on a free loopback port (a temporary SQLite store
with the demo data), driven by Playwright on Debian's chromium.

The ``browser`` fixture (tests/conftest.py) is ``/usr/bin/chromium`` (or ``$TACTFUL_CHROMIUM``); when
it is missing the tests skip with the reason, except under ``TACTFUL_CI=1``, where a missing browser
is a failure. Screenshots go to ``tests/browser/artifacts/`` (or ``$TACTFUL_ARTIFACTS``).
"""

from __future__ import annotations

import os
import re
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

# Console errors per page (CSP violations show up here): id(page) -> messages.
_CONSOLE_ERRORS: dict[int, list[str]] = {}
ARTIFACTS = Path(os.environ.get("TACTFUL_ARTIFACTS", Path(__file__).parent / "artifacts"))


@dataclass
class LiveServer:
    url: str
    store: Any
    tokens: dict[str, str]


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory, browser: Any) -> Iterator[LiveServer]:
    """The whole app on a real socket; one per test module (its tests share the store). It asks for
    ``browser`` (tests/conftest.py) first, so a missing browser skips, or fails, before the app starts."""
    import uvicorn

    from tactful.kb import STORE_EXAMPLE
    from tactful.store import open_store
    from tactful.store.demo import load_demo
    from tactful.web.app import WebSettings, create_app

    db = tmp_path_factory.mktemp("browser") / "tactful.db"
    store = open_store(f"sqlite:///{db}")
    load_demo(store)
    tokens = {}
    for name, role in (("ana", "agent"), ("mia", "manager")):
        _, tokens[role] = store.add_user(name, role)
    settings = WebSettings(kb_dir=STORE_EXAMPLE, rate_limit=0)  # the demo: --kb example
    app = create_app(store, secret_key="browser-tests", settings=settings)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the app did not start under uvicorn")
        time.sleep(0.05)
    try:
        yield LiveServer(f"http://127.0.0.1:{port}", store, tokens)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
        store.close()


@pytest.fixture
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


def sign_in(browser: Any, server: LiveServer, role: str) -> Any:
    """A new browser page signed in through the login form with ``role``'s token."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    errors = _CONSOLE_ERRORS.setdefault(id(page), [])
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(server.url + "/login")
    page.fill("#token", server.tokens[role])
    page.click("form[action='/login'] button[type=submit]")
    page.wait_for_url(re.compile(re.escape(server.url) + r"/$"))
    return page


@pytest.fixture
def signed_in(browser: Any, live_server: LiveServer) -> Iterator[Any]:
    """``signed_in(role)``: a new page signed in as ``role``; its context is closed after the test."""
    pages: list[Any] = []

    def make(role: str) -> Any:
        page = sign_in(browser, live_server, role)
        pages.append(page)
        return page

    yield make
    for page in pages:
        page.context.close()


@pytest.fixture
def agent_page(browser: Any, live_server: LiveServer) -> Iterator[Any]:
    page = sign_in(browser, live_server, "agent")
    yield page
    page.context.close()


@pytest.fixture
def manager_page(browser: Any, live_server: LiveServer) -> Iterator[Any]:
    page = sign_in(browser, live_server, "manager")
    yield page
    page.context.close()


@pytest.fixture
def console_errors() -> Any:
    """``console_errors(page)``: the console errors and uncaught exceptions the page has seen so far."""
    return lambda page: list(_CONSOLE_ERRORS.get(id(page), []))


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every browser test is slow (a server, a browser, screenshots): ``-m "not slow"`` leaves them out."""
    here = Path(__file__).parent
    for item in items:
        if here in item.path.parents:
            item.add_marker(pytest.mark.slow)
