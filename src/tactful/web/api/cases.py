"""``/v1/cases``, ``/v1/customers/{id}/history``, ``/v1/feedback``: what each customer was told."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request
from starlette.responses import Response

from tactful.store.records import UserInfo
from tactful.web.api.deps import check_text_sizes, page_links, store_of
from tactful.web.api.schemas import CaseIn, FeedbackIn
from tactful.web.api.store_calls import store_call
from tactful.web.auth import RANK, current_user, is_manager
from tactful.web.errors import APIError, json_response

router = APIRouter(tags=["cases"])


@router.post("/cases", status_code=201, summary="Record a sent reply (analyzed; refusals, promises kept)")
async def log_case(body: CaseIn, request: Request, user: UserInfo = Depends(current_user)) -> Response:  # noqa: B008
    check_text_sizes(request, {"reply": body.reply, "customer_message": body.customer_message})
    agent = body.agent or user.name
    if agent != user.name and RANK[user.role] < RANK["manager"]:
        raise APIError(403, "forbidden", "only managers may log a reply on behalf of another agent")
    record = await store_call(
        store_of(request).log_reply,
        body.customer,
        body.reply,
        customer_message=body.customer_message,
        channel=body.channel,
        agent=agent,
        received_at=body.received_at,
        sent_at=body.sent_at,
        conversation=body.conversation,
        request_type=body.request_type,
        policy_id=body.policy_id,
        topic=body.topic,
    )
    return json_response(record.to_dict(), 201)


@router.get(
    "/cases",
    summary="Cases: search past answers with ?q=, or list (filter by agent / weak characteristic)",
)
async def list_cases(
    request: Request,
    q: str | None = Query(None, max_length=1000, description="Full-text search over messages and replies."),
    agent: str | None = Query(None, description="Managers: any agent; an agent lists only their own."),
    characteristic: str | None = Query(None, description="Cases where this characteristic scored low."),
    limit: int = Query(50, ge=1, le=500),
    user: UserInfo = Depends(current_user),  # noqa: B008
) -> Response:
    store = store_of(request)
    if q is not None and q.strip():
        # An agent sees the cases they sent, here as on the /cases pages (docs/security.md).
        mine = None if is_manager(user) else user.name
        hits = await store_call(store.search_cases, q, limit=limit, agent=mine)
    else:
        # The listing is the manager's drill-down (per agent, weakest first): an agent lists their
        # own cases only, as on the /cases pages.
        if not is_manager(user):
            if agent not in (None, "", user.name):
                raise APIError(403, "forbidden", "agents list their own cases; managers see everyone's")
            agent = user.name
        hits = await store_call(store.cases, agent=agent, characteristic=characteristic, limit=limit)
    return json_response([h.to_dict() for h in hits])


@router.get(
    "/customers/{customer}/history",
    summary="A customer's story: cases, refusals, promises, follow-ups, feedback, outcomes",
)
async def customer_history(
    customer: str,
    request: Request,
    limit: int = Query(100, ge=1, le=500, description="The most recent cases; Link: rel=next names more."),
    offset: int = Query(0, ge=0, description="Skip this many of the most recent cases."),
    user: UserInfo = Depends(current_user),  # noqa: B008
) -> Response:
    """Managers see every case; an agent sees the cases they sent (and their promises and
    follow-ups), as on the /cases pages."""
    mine = None if is_manager(user) else user.name
    history = await store_call(store_of(request).history, customer, agent=mine, limit=limit, offset=offset)
    headers = page_links(request, len(history.cases), limit, offset)
    return json_response(history.to_dict(), headers=headers)


@router.post("/feedback", status_code=201, summary="CSAT on a case")
async def add_feedback(
    body: FeedbackIn,
    request: Request,
    user: UserInfo = Depends(current_user),  # noqa: B008
) -> Response:
    store = store_of(request)
    if not is_manager(user) and (await store_call(store.case, body.case_id)).agent != user.name:
        raise APIError(403, "forbidden", "agents record feedback on their own cases; this is someone else's")
    await store_call(store.add_feedback, body.case_id, body.csat, body.comment)
    return json_response({"case_id": body.case_id, "csat": body.csat, "comment": body.comment}, 201)
