"""``/v1/policies``: the policy knowledge base the server was started with — list, search, decide."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from starlette.responses import Response

from tactful.kb.policy import Policy
from tactful.web.api.deps import invalid, required_kb
from tactful.web.api.schemas import DecideIn, DecisionOut, PolicyOut
from tactful.web.auth import current_user
from tactful.web.errors import APIError, json_response

router = APIRouter(prefix="/policies", tags=["policies"], dependencies=[Depends(current_user)])


def policy_dict(p: Policy, match: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "id": p.id,
        "title": p.title,
        "request_types": list(p.request_types),
        "reason": p.reason,
        "alternatives": [{"id": a.id, "text": a.text, "order": a.order} for a in p.alternatives],
        "channels": dict(p.channels),
        "priority": p.priority,
        "source": p.source,
        "match": match,
    }


@router.get("", response_model=list[PolicyOut], summary="List the policies, or search them with ?q=")
async def list_policies(
    request: Request,
    q: str | None = Query(None, max_length=1000, description="Full-text search (best match first)."),
    request_type: str | None = Query(None, description="Only policies covering this request type."),
    limit: int = Query(50, ge=1, le=500),
) -> Response:
    kb = required_kb(request)
    if q is not None and q.strip():
        hits = kb.search(q, limit)
        found = [
            policy_dict(kb.policies[h.policy_id], {"snippet": h.snippet, "score": h.score})
            for h in hits
            if h.policy_id in kb.policies
        ]
    else:
        policies = kb.for_request(request_type) if request_type else list(kb.policies.values())
        found = [policy_dict(p) for p in policies]
    if request_type and q:
        found = [p for p in found if request_type in p["request_types"]]
    return json_response(found[:limit])


@router.get("/{policy_id}", response_model=PolicyOut, summary="One policy")
async def get_policy(policy_id: str, request: Request) -> Response:
    policy = required_kb(request).policies.get(policy_id)
    if policy is None:
        raise APIError(404, "not_found", f"no policy with id {policy_id!r}")
    return json_response(policy_dict(policy))


@router.post("/decide", response_model=DecisionOut, summary="Decide a request (the CLI's kb decide)")
async def decide_request(body: DecideIn, request: Request) -> Response:
    facts = dict(body.facts)
    if body.channel:
        facts["channel"] = body.channel
    try:
        decision = required_kb(request).decide(body.request_type, facts)
    except ValueError as exc:
        raise invalid(exc) from None
    return json_response(decision.to_dict())
