"""The web front door: a FastAPI app (REST API under ``/v1``, helpdesk webhooks, the pages).

``create_app`` is imported lazily so that ``import tactful.web.auth`` (used by the pages) does
not build an app, and ``import tactful`` never pulls in FastAPI.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tactful.web.app import WebSettings, create_app

__all__ = ["WebSettings", "create_app"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from tactful.web import app

        return getattr(app, name)
    raise AttributeError(f"module 'tactful.web' has no attribute {name!r}")
