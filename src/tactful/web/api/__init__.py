"""The ``/v1`` routers; ``tactful.web.app`` mounts ``router`` under ``/v1``."""

from __future__ import annotations

from fastapi import APIRouter

from tactful.web.api import cases, policies, team, text, webhooks

router = APIRouter()
router.include_router(text.fast_router)
router.include_router(text.router)
router.include_router(policies.router)
router.include_router(cases.router)
router.include_router(team.router)
router.include_router(webhooks.router)

__all__ = ["router"]
