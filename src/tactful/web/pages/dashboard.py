"""The manager dashboard and its drill-down: every number links to the conversations behind it.

The store's reports give the per-agent and per-week numbers and the CSAT and declined-request
tables; the per-characteristic trend is averaged here from the recent cases (``TREND_CASES``).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from tactful.contract import CHARACTERISTICS
from tactful.store.db import StoreError
from tactful.web.pages.charts import Point, Series, bar_chart, line_chart
from tactful.web.pages.common import CurrentUser, forbidden, is_manager, not_found, render, store_of
from tactful.web.pages.highlight import segments

router = APIRouter(include_in_schema=False)
TREND_CASES = 2000
DRILL_LIMIT = 500
PAGE_ROWS = 50  # rows per page of the dashboard's lists (follow-ups, declined topics)
SHORT = {
    "empathy": "empathy",
    "clarity": "clarity",
    "professional_tone": "tone",
    "reason": "reason",
    "alternatives": "altern.",
    "gratitude": "thanks",
    "consistency": "consist.",
    "timeliness": "timely",
    "apology_balance": "apology",
    "positive_language": "positive",
    "follow_up": "follow-up",
}


def cases_href(**filters: Any) -> str:
    """The drill-down link for a set of filters (empty values dropped)."""
    query = {k: v for k, v in filters.items() if v not in (None, "")}
    return "/cases" + (f"?{urlencode(query)}" if query else "")


def _week(at: datetime) -> str:
    year, week, _ = at.isocalendar()
    return f"{year}-W{week:02d}"


def _heat(value: float | None) -> str:
    if value is None:
        return ""
    return "h3" if value >= 0.85 else "h2" if value >= 0.7 else "h1" if value >= 0.5 else "h0"


def _pages(total: int, page: int) -> dict[str, Any]:
    """Where one page of a list stands: its rows (1-based), and the previous and next page."""
    last = max(1, -(-total // PAGE_ROWS))
    page = min(max(1, page), last)
    first = (page - 1) * PAGE_ROWS
    return {
        "page": page,
        "offset": first,
        "shown": (first + 1, min(total, first + PAGE_ROWS)),
        "total": total,
        "previous": page - 1 if page > 1 else None,
        "next": page + 1 if page < last else None,
    }


def _links(page: dict[str, Any], name: str, others: dict[str, Any]) -> dict[str, Any]:
    """The page with the dashboard links to its previous and next pages (the other list kept)."""

    def href(number: int | None) -> str | None:
        return None if number is None else "/dashboard?" + urlencode({**others, name: number})

    return {**page, "previous_href": href(page["previous"]), "next_href": href(page["next"])}


def dashboard_data(store: Any, char: str | None, fpage: int = 1, dpage: int = 1) -> dict[str, Any]:
    """Everything the dashboard shows, read from the store in one go (runs in a worker thread).
    The follow-ups and declined topics come ``PAGE_ROWS`` at a time (pages ``fpage``, ``dpage``)."""
    by_agent = store.report("scores_by_agent").records()
    over_time = store.report("scores_over_time").records()
    csat = store.report("csat_after_refusals").records()
    declined_all = store.report("declined_ranked").records()
    open_count, overdue_count = store.followup_counts()
    followup_page = _pages(open_count, fpage)
    followups = store.followups(status="open", limit=PAGE_ROWS, offset=followup_page["offset"])
    declined_page = _pages(len(declined_all), dpage)
    declined = declined_all[declined_page["offset"] : declined_page["offset"] + PAGE_ROWS]
    recent = store.cases(limit=TREND_CASES)

    # Score over time, one line per agent (the store's weekly report).
    weeks = sorted({r["week"] for r in over_time})
    agents = sorted({r["agent"] for r in over_time})
    cell = {(r["week"], r["agent"]): r for r in over_time}
    agent_lines = [
        Series(
            a,
            [
                Point(
                    w,
                    cell[(w, a)]["mean_score"] if (w, a) in cell else None,
                    cases_href(agent=a, week=w),
                    f"{cell[(w, a)]['cases']} cases" if (w, a) in cell else "",
                )
                for w in weeks
            ],
        )
        for a in agents
    ]
    # Per characteristic over time, from the recent cases.
    sums: dict[tuple[str, str], list[float]] = defaultdict(list)
    for c in recent:
        for name, score in c.characteristics.items():
            sums[(_week(c.sent_at), name)].append(float(score))
    char_weeks = sorted({w for w, _ in sums})
    if char == "all":
        shown = list(CHARACTERISTICS)
    elif char in CHARACTERISTICS:
        shown = [char]
    else:  # the three weakest overall: eleven lines at once are unreadable
        overall = {
            name: sum(v for (_, n), vals in sums.items() if n == name for v in vals)
            / max(1, sum(len(vals) for (_, n), vals in sums.items() if n == name))
            for name in CHARACTERISTICS
            if any(n == name for _, n in sums)
        }
        shown = sorted(overall, key=lambda n: overall[n])[:3]
    char_lines = []
    for name in shown:
        pts = []
        for w in char_weeks:
            vals = sums.get((w, name))
            value = round(100 * sum(vals) / len(vals), 1) if vals else None
            pts.append(Point(w, value, cases_href(characteristic=name, week=w), f"{len(vals or [])} cases"))
        if any(p.value is not None for p in pts):
            char_lines.append(Series(name.replace("_", " "), pts))

    agent_rows = [
        {
            "agent": r["agent"],
            "cases": r["cases"],
            "mean_score": r["mean_score"],
            "href": cases_href(agent=r["agent"]),
            "cells": [
                (c, r.get(c), _heat(r.get(c)), cases_href(agent=r["agent"], characteristic=c))
                for c in CHARACTERISTICS
            ],
        }
        for r in by_agent
    ]
    agent_bars = bar_chart(
        [Point(r["agent"], r["mean_score"] or 0, cases_href(agent=r["agent"])) for r in by_agent],
        max_value=100,
    )
    declined_bars = bar_chart(
        [Point(r["topic"], r["customers"], cases_href(topic=r["topic"])) for r in declined_all[:10]],
        width=440,
        label_width=150,
    )
    csat_rows = [
        {
            **r,
            "href": cases_href(refusal=1 if r["replies"] == "refusal" else 0, feedback=1),
        }
        for r in csat
    ]
    total = sum(int(r["cases"]) for r in by_agent)
    mean = (
        round(sum(float(r["mean_score"] or 0) * int(r["cases"]) for r in by_agent) / total, 1)
        if total
        else None
    )
    return {
        "kpis": {
            "cases": total,
            "mean_score": mean,
            "followups_open": open_count,
            "followups_overdue": overdue_count,
            "declined_topics": len(declined_all),
        },
        "agent_chart": line_chart(agent_lines),
        "char_chart": line_chart(char_lines),
        "char": char if char in (*CHARACTERISTICS, "all") else "",
        "shown": shown,
        "characteristics": CHARACTERISTICS,
        "short": SHORT,
        "agent_rows": agent_rows,
        "agent_bars": agent_bars,
        "declined": declined,
        "declined_bars": declined_bars,
        "csat_rows": csat_rows,
        "followups": followups,
        "followup_page": _links(followup_page, "fpage", {"char": char or "", "dpage": declined_page["page"]}),
        "declined_page": _links(declined_page, "dpage", {"char": char or "", "fpage": followup_page["page"]}),
        "cases_href": cases_href,
    }


@router.get("/dashboard")
async def dashboard(
    request: Request, user: CurrentUser, char: str = "", fpage: int = 1, dpage: int = 1
) -> Response:
    if not is_manager(user):
        return forbidden(request, "The dashboard is for managers and admins.")
    data = await run_in_threadpool(dashboard_data, store_of(request), char or None, fpage, dpage)
    return render(request, "dashboard.html", data)


def _filter(cases: list[Any], q: dict[str, str]) -> list[Any]:
    out = []
    for c in cases:
        if q.get("week") and _week(c.sent_at) != q["week"]:
            continue
        if q.get("refusal") in ("0", "1") and c.is_refusal != (q["refusal"] == "1"):
            continue
        if q.get("feedback") == "1" and not c.feedback:
            continue
        if q.get("topic") and c.topic != q["topic"]:
            continue
        if q.get("customer") and c.customer != q["customer"]:
            continue
        if q.get("followup") == "open" and not any(f.status == "open" for f in c.followups):
            continue
        out.append(c)
    return out


@router.get("/cases")
async def cases_page(request: Request, user: CurrentUser) -> Response:
    if not is_manager(user):
        return forbidden(request, "The drill-down is for managers and admins.")
    q = {k: str(v)[:200] for k, v in request.query_params.items()}
    char = q.get("characteristic") if q.get("characteristic") in CHARACTERISTICS else None
    store = store_of(request)
    found = await run_in_threadpool(store.cases, q.get("agent") or None, char, DRILL_LIMIT)
    rows = _filter(found, q)
    described = ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in q.items() if v) or "all cases"
    return render(request, "cases.html", {"cases": rows, "filters": described, "char": char, "q": q})


@router.get("/cases/{case_id}")
async def case_page(request: Request, case_id: int, user: CurrentUser) -> Response:
    store = store_of(request)
    try:
        case = await run_in_threadpool(store.case, case_id)
    except StoreError:
        return not_found(request, f"There is no case #{case_id}.")
    if not is_manager(user) and case.agent != user.name:
        return forbidden(request, "Agents see their own cases; this one is someone else's.")
    findings = list(case.findings)
    return render(
        request,
        "case.html",
        {"case": case, "segments": segments(case.reply, findings), "findings": findings},
    )
