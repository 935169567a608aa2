"""Practice mode pages: pick a scenario, write a reply, get scored and coached, see progress;
managers add scenarios. The logic lives in :mod:`tactful.web.practice`."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse, Response

from tactful.store.db import StoreError
from tactful.web.pages.charts import Point, Series, line_chart
from tactful.web.pages.common import (
    CurrentUser,
    check_csrf,
    forbidden,
    is_manager,
    not_found,
    render,
    store_of,
)
from tactful.web.pages.fixes import contradictions
from tactful.web.pages.highlight import segments
from tactful.web.practice import (
    Scenario,
    ScenarioError,
    all_scenarios,
    coach,
    parse_facts,
    parse_scenario,
    progress,
)

router = APIRouter(include_in_schema=False)
MAX_REPLY = 20_000


def _overview(store: Any, who: str) -> dict[str, Any]:
    scenarios = all_scenarios(store)
    attempts = [a.to_dict() for a in store.attempts(who)]
    prog = progress(attempts)
    titles = {s.id: s.title for s in scenarios}
    points = [
        Point(
            f"#{i}",
            a["score"],
            f"/practice/{a['scenario_id']}",
            titles.get(a["scenario_id"], a["scenario_id"]),
        )
        for i, a in enumerate(attempts, 1)
    ]
    return {
        "scenarios": scenarios,
        "progress": prog,
        "attempts": list(reversed(attempts))[:20],
        "titles": titles,
        "chart": line_chart([Series("score", points)], height=200),
        "who": who,
    }


@router.get("/practice")
async def practice_home(request: Request, user: CurrentUser, agent: str = "") -> Response:
    who = agent if agent and is_manager(user) else user.name
    data = await run_in_threadpool(_overview, store_of(request), who)
    return render(request, "practice.html", data)


def _find(store: Any, scenario_id: str) -> Scenario | None:
    return next((s for s in all_scenarios(store) if s.id == scenario_id), None)


@router.get("/practice/new")
async def new_scenario_page(request: Request, user: CurrentUser) -> Response:
    if not is_manager(user):
        return forbidden(request, "Only managers and admins can add practice scenarios.")
    return render(request, "practice_new.html", {"form": {}, "error": None})


@router.post("/practice/new")
async def new_scenario(request: Request, user: CurrentUser) -> Response:
    if not is_manager(user):
        return forbidden(request, "Only managers and admins can add practice scenarios.")
    raw = await request.form()
    form = {k: str(v) for k, v in raw.items() if isinstance(v, str)}
    check_csrf(request, form.get("csrf"))
    store = store_of(request)
    try:
        data = {
            "id": form.get("id", "").strip(),
            "title": form.get("title", "")[:200],
            "customer_message": form.get("customer_message", "")[:MAX_REPLY],
            "channel": form.get("channel", "email"),
            "facts": parse_facts(form.get("facts", "")),
            "tips": [t.strip() for t in form.get("tips", "").splitlines() if t.strip()],
        }
        scenario = parse_scenario(data, "the form")
        existing = await run_in_threadpool(_find, store, scenario.id)
        if existing is not None:
            raise ScenarioError(f"a scenario with id {scenario.id!r} already exists; pick another id")
        await run_in_threadpool(
            store.add_scenario,
            scenario.id,
            scenario.title,
            scenario.customer_message,
            scenario.store_facts(),
            user.name,
        )
    except (ScenarioError, StoreError) as exc:
        return render(request, "practice_new.html", {"form": form, "error": str(exc)}, status=422)
    return RedirectResponse(f"/practice/{scenario.id}", status_code=303)


def _scenario_view(store: Any, scenario: Scenario, who: str) -> dict[str, Any]:
    mine = [a.to_dict() for a in store.attempts(who) if a.scenario_id == scenario.id]
    return {
        "scenario": scenario,
        "history": list(reversed(mine))[:10],
        "best": max((a["score"] for a in mine), default=None),
    }


@router.get("/practice/{scenario_id}")
async def scenario_page(request: Request, scenario_id: str, user: CurrentUser) -> Response:
    store = store_of(request)
    scenario = await run_in_threadpool(_find, store, scenario_id)
    if scenario is None:
        return not_found(request, f"There is no practice scenario {scenario_id!r}.")
    view = await run_in_threadpool(_scenario_view, store, scenario, user.name)
    return render(request, "practice_scenario.html", {**view, "reply": "", "coaching": None, "segments": []})


def _attempt(store: Any, scenario: Scenario, reply: str, who: str, kb: Any) -> tuple[Any, int]:
    result = coach(scenario, reply, kb)
    attempt_id = store.record_attempt(who, scenario.id, reply, result.score, result.analysis)
    return result, attempt_id


@router.post("/practice/{scenario_id}")
async def scenario_attempt(request: Request, scenario_id: str, user: CurrentUser) -> Response:
    raw = await request.form()
    check_csrf(request, str(raw.get("csrf") or ""))
    reply = str(raw.get("reply") or "")[:MAX_REPLY].replace("\r\n", "\n")
    store = store_of(request)
    scenario = await run_in_threadpool(_find, store, scenario_id)
    if scenario is None:
        return not_found(request, f"There is no practice scenario {scenario_id!r}.")
    error = None
    coaching = None
    try:
        kb = getattr(request.app.state, "kb", None)
        coaching, _ = await run_in_threadpool(_attempt, store, scenario, reply, user.name, kb)
    except (ValueError, StoreError) as exc:
        error = str(exc)
    view = await run_in_threadpool(_scenario_view, store, scenario, user.name)
    segs = segments(reply, coaching.analysis["findings"]) if coaching else []
    wrong = []
    if coaching:
        from tactful import understand

        findings = coaching.analysis["findings"]
        wrong = contradictions(
            reply, findings, scenario.customer_message, understand(scenario.customer_message)
        )
    return render(
        request,
        "practice_scenario.html",
        {
            **view,
            "reply": reply,
            "coaching": coaching,
            "segments": segs,
            "error": error,
            "contradictions": wrong,
        },
        status=200 if error is None else 422,
    )
