"""Shared test helpers."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

SHARED_DATA = Path(
    os.environ.get("TACTFUL_SHARED_DATA", Path(__file__).resolve().parents[2] / "shared" / "data")
)
CHROMIUM = Path(os.environ.get("TACTFUL_CHROMIUM", "/usr/bin/chromium"))


@pytest.fixture
def shared_data() -> Path:
    """The team's shared labelled data; tests that need it say so loudly when it is absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"shared data folder missing: {SHARED_DATA} (set TACTFUL_SHARED_DATA)")
    return SHARED_DATA


# Module scope: Playwright's sync API allows one running instance per thread, so each test module
# that needs a browser starts its own after the previous one's is closed.
@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's chromium (or ``$TACTFUL_CHROMIUM``) driven by Playwright, whose own download does not
    work here. Missing: skip with the reason, except under ``TACTFUL_CI=1``, where it is a failure."""
    problem = None
    if not CHROMIUM.exists():
        problem = f"chromium not found at {CHROMIUM} (apt-get install chromium, or set TACTFUL_CHROMIUM)"
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            problem = "the playwright Python package is not installed (pip install playwright)"
    if problem:
        if os.environ.get("TACTFUL_CI") == "1":
            pytest.fail(f"TACTFUL_CI=1 but {problem}")
        pytest.skip(problem)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        # Generous timeout: the shared 2-core machine can be very busy during a full suite run.
        launched = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"], timeout=180_000)
        try:
            yield launched
        finally:
            launched.close()
