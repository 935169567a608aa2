"""``/v1/analyze``, ``/v1/understand``, ``/v1/compose``, ``/v1/rewrite``: the library over HTTP.

Each answers the same JSON as the CLI's ``--format json``. ``/v1/analyze`` is the hot path (the
page's live analysis calls it as the agent types): it serialises the analysis with orjson
straight from the dataclasses.
"""

from __future__ import annotations

from typing import Any, TypeVar

from fastapi import APIRouter, Depends, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ValidationError
from starlette.responses import Response

from tactful.analyzer.core import TextTooLarge, analyze
from tactful.composer import compose, rewrite
from tactful.web.api.deps import (
    check_text_sizes,
    config_of,
    invalid,
    kb_of,
    offload_of,
    run_sized,
    store_of,
)
from tactful.web.api.schemas import (
    AnalysisOut,
    AnalyzeIn,
    ComposeIn,
    DraftOut,
    RewriteIn,
    RewriteOut,
    UnderstandIn,
    UnderstandingOut,
)
from tactful.web.api.store_calls import store_call
from tactful.web.auth import current_user
from tactful.web.errors import APIError, json_response
from tactful.web.offload import OFFLOAD_CHARS

router = APIRouter(tags=["analysis"], dependencies=[Depends(current_user)])
# The hot path authenticates inline rather than through FastAPI's dependency machinery.
fast_router = APIRouter(tags=["analysis"])
M = TypeVar("M", bound=BaseModel)


def _too_large(exc: TextTooLarge) -> APIError:
    return APIError(413, "text_too_large", str(exc))


def _json_body(model: type[BaseModel]) -> dict[str, Any]:
    """OpenAPI for a route that parses its own body (the schema FastAPI would have written)."""
    schema = {"application/json": {"schema": model.model_json_schema()}}
    return {"requestBody": {"required": True, "content": schema}}


def _context_texts(context: dict[str, Any] | None) -> dict[str, str | None]:
    """The texts an analysis context carries (the policy, each earlier reply), for the size limit."""
    texts: dict[str, str | None] = {}
    policy = (context or {}).get("policy")
    if isinstance(policy, str):
        texts["context.policy"] = policy
    for i, earlier in enumerate((context or {}).get("history") or []):
        texts[f"context.history[{i}]"] = earlier
    return texts


async def _parse(request: Request, model: type[M]) -> M:
    """One pass from bytes to a validated model (pydantic's JSON parser). The hot path skips
    FastAPI's generic body handling: about 0.08 ms of a 0.9 ms request, measured in-process."""
    try:
        return model.model_validate_json(await request.body())
    except ValidationError as exc:
        raise RequestValidationError(exc.errors(include_input=False)) from None


@fast_router.post(
    "/analyze",
    response_model=AnalysisOut,
    summary="Analyze a reply (the CLI's check --format json)",
    openapi_extra=_json_body(AnalyzeIn),
)
async def analyze_reply(request: Request) -> Response:
    await current_user(request)
    body = await _parse(request, AnalyzeIn)
    texts = {"reply": body.reply, "customer_message": body.customer_message}
    check_text_sizes(request, {**texts, **_context_texts(body.context)})
    size = len(body.reply) + len(body.customer_message or "")
    if body.customer:  # checked against what this customer was told before, as log_reply scores it
        analysis = await store_call(
            store_of(request).analyze,
            body.customer,
            body.reply,
            customer_message=body.customer_message,
            context=body.context,
        )
        return json_response(analysis.to_wire())
    try:
        analysis = await run_sized(
            size, analyze, body.reply, body.customer_message, body.context, config=config_of(request)
        )
    except TextTooLarge as exc:
        raise _too_large(exc) from None
    except ValueError as exc:
        raise invalid(exc) from None
    return json_response(analysis.to_wire())


@router.post("/understand", response_model=UnderstandingOut, summary="Read a customer's message")
async def understand_message(body: UnderstandIn, request: Request) -> Response:
    from tactful.understanding import understand

    check_text_sizes(request, {"message": body.message})
    result = await run_sized(len(body.message), understand, body.message)
    return json_response(result.to_dict())


@router.post(
    "/compose",
    response_model=list[DraftOut],
    summary="Understand, decide from the policies and draft 1-3 replies (the CLI's draft --format json)",
)
async def compose_drafts(body: ComposeIn, request: Request) -> Response:
    check_text_sizes(request, {"message": body.message})
    options: dict[str, Any] = {"channel": body.channel, "variants": body.variants}
    options["request_type"] = body.request_type
    facts = dict(body.facts)
    try:
        if len(body.message) > OFFLOAD_CHARS:  # in another process: it would hold the others up
            drafts = await offload_of(request).compose(body.message, facts, options)
        else:
            found = compose(body.message, facts, kb_of(request), config=config_of(request), **options)
            drafts = [d.to_dict() for d in found]
    except TextTooLarge as exc:
        raise _too_large(exc) from None
    except ValueError as exc:
        raise invalid(exc) from None
    return json_response(drafts)


@router.post(
    "/rewrite",
    response_model=RewriteOut,
    summary="Improve an agent's own draft without changing its decision",
)
async def rewrite_draft(body: RewriteIn, request: Request) -> Response:
    options: dict[str, Any] = {
        "customer_message": body.customer_message,
        "facts": dict(body.facts or {}),
        "request_type": body.request_type,
        "channel": body.channel,
        "thread": body.thread,
    }
    check_text_sizes(request, {"draft": body.draft, "customer_message": body.customer_message})
    try:
        if len(body.draft) + len(body.customer_message or "") > OFFLOAD_CHARS:  # another process
            result = await offload_of(request).rewrite(body.draft, options)
        else:
            result = rewrite(body.draft, kb=kb_of(request), config=config_of(request), **options).to_dict()
    except TextTooLarge as exc:
        raise _too_large(exc) from None
    except ValueError as exc:
        raise invalid(exc) from None
    return json_response(result)
