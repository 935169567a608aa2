"""Server-rendered pages: agent workspace, manager dashboard with drill-down, practice mode.

``create_app`` includes :data:`router` and mounts ``/static``. Pages are Jinja2 with autoescape
on everywhere; the only script is ``/static/workspace.js`` (no inline code, so the app's CSP
can forbid it).
"""

from __future__ import annotations

from fastapi import APIRouter

from tactful.web.pages import dashboard, practice_pages, session, workspace

router = APIRouter(include_in_schema=False)
router.include_router(session.router)
router.include_router(workspace.router)
router.include_router(dashboard.router)
router.include_router(practice_pages.router)

__all__ = ["router"]
