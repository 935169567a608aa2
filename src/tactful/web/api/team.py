"""``/v1/followups``, ``/v1/requests``, ``/v1/reports``, ``/v1/users``: the team's to-do and numbers."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request
from starlette.responses import Response

from tactful.store.records import UserInfo
from tactful.store.report_queries import REPORTS as STORE_REPORTS
from tactful.web.api.deps import page_links, store_of
from tactful.web.api.schemas import NewUserOut, TableOut, UserIn, UserOut
from tactful.web.api.store_calls import store_call
from tactful.web.auth import current_user, forget_cached_users, is_manager, require_role
from tactful.web.errors import APIError, json_response

# The store's own list, so a report it adds (e.g. sla_breaches) is served without a second edit.
REPORTS: tuple[str, ...] = tuple(STORE_REPORTS)

router = APIRouter()
signed_in = [Depends(current_user)]
managers = [Depends(require_role("manager"))]


@router.get("/followups", tags=["follow-ups"], summary="Follow-ups (due first), one page at a time")
async def list_followups(
    request: Request,
    status: Literal["open", "done", "all"] = Query("open"),
    due_before: Annotated[datetime | None, Query(description="ISO 8601; e.g. now for what is due.")] = None,
    limit: int = Query(100, ge=1, le=500, description="Follow-ups per page; Link: rel=next names the next."),
    offset: int = Query(0, ge=0),
    user: UserInfo = Depends(current_user),  # noqa: B008
) -> Response:
    """Managers see every follow-up; an agent sees theirs and those nobody owns."""
    owner = None if is_manager(user) else user.name
    items = await store_call(
        store_of(request).followups, due_before, status, owner=owner, limit=limit, offset=offset
    )
    return json_response([f.to_dict() for f in items], headers=page_links(request, len(items), limit, offset))


@router.post("/followups/{followup_id}/complete", tags=["follow-ups"], summary="Mark one done")
async def complete_followup(
    followup_id: int,
    request: Request,
    user: UserInfo = Depends(current_user),  # noqa: B008
) -> Response:
    """An agent completes their own follow-ups and those nobody owns; managers any."""
    store = store_of(request)
    if not is_manager(user):
        found = await store_call(store.followup, followup_id)
        if found.owner not in (None, user.name):
            raise APIError(403, "forbidden", "agents complete their own follow-ups; this is someone else's")
    await store_call(store.complete_followup, followup_id)
    return json_response({"id": followup_id, "status": "done"})


@router.get("/requests", tags=["declined requests"], dependencies=signed_in, summary="Declined requests")
async def declined_requests(request: Request) -> Response:
    topics = await store_call(store_of(request).declined_requests)
    return json_response([t.to_dict() for t in topics])


@router.post(
    "/requests/{topic}/ship",
    tags=["declined requests"],
    dependencies=managers,
    summary="Mark a declined request as now possible; a drafted notification for each customer who asked",
)
async def ship_request(topic: str, request: Request) -> Response:
    notices = await store_call(store_of(request).ship_request, topic)
    return json_response([n.to_dict() for n in notices])


@router.get("/reports", tags=["reports"], dependencies=managers, summary="The report names")
async def report_names() -> Response:
    return json_response(list(REPORTS))


@router.get("/reports/{name}", tags=["reports"], dependencies=managers, response_model=TableOut)
async def report(name: str, request: Request) -> Response:
    """One report as a table (columns + rows), as ``tactful report NAME`` prints it."""
    if name not in REPORTS:
        raise APIError(404, "not_found", f"no report {name!r}; one of: {', '.join(REPORTS)}")
    table = await store_call(store_of(request).report, name)
    return json_response(table.to_dict())


@router.get("/users", tags=["users"], dependencies=managers, response_model=list[UserOut])
async def list_users(request: Request) -> Response:
    users = await store_call(store_of(request).list_users)
    return json_response([u.to_dict() for u in users])


@router.post(
    "/users",
    tags=["users"],
    status_code=201,
    dependencies=[Depends(require_role("admin"))],
    response_model=NewUserOut,
)
async def add_user(body: UserIn, request: Request) -> Response:
    """Make a user and their API token (shown once; the store keeps only its hash)."""
    user, token = await store_call(store_of(request).add_user, body.name, body.role)
    return json_response({"user": user.to_dict(), "token": token}, 201)


admins = [Depends(require_role("admin"))]


@router.delete("/users/{name}", tags=["users"], dependencies=admins, response_model=UserOut)
async def revoke_user(name: str, request: Request) -> Response:
    """Revoke a user: their API token and page sessions stop working at once (on this server; other
    processes within ``token_cache_s``). ``POST /v1/users/{name}/token`` restores them."""
    user = await store_call(store_of(request).revoke_user, name)
    forget_cached_users(request)
    return json_response(user.to_dict())


@router.post("/users/{name}/token", tags=["users"], dependencies=admins, response_model=NewUserOut)
async def rotate_token(name: str, request: Request) -> Response:
    """A new API token for a user (shown once); the old token and its page sessions stop working."""
    user, token = await store_call(store_of(request).rotate_token, name)
    forget_cached_users(request)
    return json_response({"user": user.to_dict(), "token": token})
