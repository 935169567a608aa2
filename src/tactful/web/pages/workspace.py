"""The agent workspace: the customer's message, what tactful understood and decided, a draft the
agent edits with live analysis and one-click fixes, and save (records the case in the store).

Without JavaScript every button is a plain form post that re-renders the page; with it, the
page script analyzes as the agent types (``/v1/analyze``) and applies fixes via ``/workspace/fix``.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import JSONResponse, Response

from tactful.store.db import StoreError
from tactful.web.auth import UserInfo
from tactful.web.errors import APIError
from tactful.web.pages.common import CurrentUser, check_csrf, is_manager, render, store_of
from tactful.web.pages.fixes import Snippets, fix_for, fix_table, snippets_for
from tactful.web.pages.highlight import segments
from tactful.web.practice import ScenarioError, all_scenarios, parse_facts

router = APIRouter(include_in_schema=False)
MAX_TEXT = 20_000
CHANNELS = ("email", "chat", "social")


@cache
def _example_kb() -> Any:
    from tactful.kb import STORE_EXAMPLE, load_kb

    return load_kb(STORE_EXAMPLE)


def kb_of(request: Request) -> Any:
    """The app's policy KB when it has one (``app.state.kb``), else the example store's."""
    kb = getattr(request.app.state, "kb", None)
    return kb if kb is not None else _example_kb()


@dataclass(slots=True)
class Workspace:
    """Everything the workspace page shows; built by :func:`build` from the form fields."""

    message: str = ""
    channel: str = "email"
    facts_text: str = ""
    customer: str = ""
    draft: str = ""
    errors: list[str] = field(default_factory=list)
    understanding: dict[str, Any] | None = None
    decision: dict[str, Any] | None = None
    snippets: Snippets = field(default_factory=Snippets)
    analysis: dict[str, Any] | None = None
    context: dict[str, Any] = field(default_factory=dict)
    history: Any = None
    saved_case: int | None = None

    def view(self) -> dict[str, Any]:
        findings = (self.analysis or {}).get("findings", [])
        fixes = [fix_for(self.draft, f, self.snippets) for f in findings]
        return {
            "ws": self,
            "segments": segments(self.draft, findings) if self.analysis else [],
            "findings": list(zip(findings, fixes, strict=True)),
            "page_data": {
                "customer_message": self.message,
                "customer": self.customer,
                "context": self.context,
                "snippets": self.snippets.to_dict(),
                "fixable": fix_table(self.snippets),
                "findings": findings,
            },
        }


def _facts(ws: Workspace) -> dict[str, Any]:
    try:
        facts: dict[str, Any] = dict(parse_facts(ws.facts_text))
    except ScenarioError as exc:
        ws.errors.append(str(exc))
        facts = {}
    facts.setdefault("today", dt.date.today().isoformat())
    return facts


def build(request: Request, form: dict[str, str], *, compose_draft: bool) -> Workspace:
    """Understand the message, decide under the KB, draft (when asked) and analyze the draft."""
    import tactful
    from tactful.kb import FactError, decide

    config = getattr(request.app.state, "config", None)

    ws = Workspace(
        message=form.get("message", "")[:MAX_TEXT],
        channel=form.get("channel", "email") if form.get("channel") in CHANNELS else "email",
        facts_text=form.get("facts", "")[:2000],
        customer=form.get("customer", "").strip()[:200],
        draft=form.get("draft", "")[:MAX_TEXT].replace("\r\n", "\n"),
    )
    if not ws.message.strip():
        if compose_draft:
            ws.errors.append("Paste or choose the customer's message first.")
        elif ws.draft.strip():  # a reply on its own can still be analyzed
            ws.analysis = tactful.analyze(ws.draft, config=config).to_dict()
        return ws
    facts = _facts(ws)
    u = tactful.understand(ws.message)
    ws.understanding = u.to_dict()
    rtype = str(facts.pop("request_type", "") or (u.request.type if u.request else "other"))
    try:
        decision = decide(rtype, {**facts, "channel": ws.channel}, kb_of(request))
        ws.decision = decision.to_dict()
    except (FactError, ValueError) as exc:
        ws.errors.append(f"Could not decide: {exc}")
    ws.snippets = snippets_for(u, ws.decision)
    if ws.decision and ws.decision.get("policy"):
        ws.context = {"policy": ws.decision["policy"]["reason"], "channel": ws.channel}
    if compose_draft:
        try:
            drafts = tactful.compose(
                ws.message,
                {**facts, "request_type": rtype},
                kb_of(request),
                channel=ws.channel,
                config=config,
            )
            ws.draft = drafts[0].text if drafts else ws.draft
        except ValueError as exc:
            ws.errors.append(f"Could not draft a reply: {exc}")
    if ws.customer:
        ws.history = _history(request, ws.customer)
    if ws.draft.strip():
        if ws.history is not None:  # against what this customer was told before (as /v1/analyze does)
            analysis = store_of(request).analyze(
                ws.customer,
                ws.draft,
                customer_message=ws.message,
                context=ws.context or None,
                request_type=(ws.decision or {}).get("request_type"),
            )
        else:
            analysis = tactful.analyze(ws.draft, ws.message, ws.context or None, config=config)
        ws.analysis = analysis.to_dict()
    return ws


HISTORY_CASES = 20  # the most recent cases the workspace shows


def _history(request: Request, customer: str) -> Any:
    """The customer's story from the store as this user may see it (an agent: the cases they sent),
    or None for a customer it has never seen. The analysis still checks the whole story."""
    user = getattr(request.state, "user", None)
    agent = None if is_manager(user) else getattr(user, "name", "")
    try:
        return store_of(request).history(customer, agent=agent, limit=HISTORY_CASES)
    except StoreError:
        return None


def _save(request: Request, ws: Workspace, user: UserInfo) -> int:
    """Record the reply as a case in the store, scored as the page showed it (the decided request
    type and the policy's reason); a reply for no named customer is a walk-in of its own."""
    decision = ws.decision or {}
    case = store_of(request).log_reply(
        ws.customer or f"walk-in-{secrets.token_hex(6)}",  # no customer named: no shared history
        ws.draft,
        customer_message=ws.message or None,
        channel=ws.channel,
        agent=user.name,
        request_type=decision.get("request_type"),
        policy_id=(decision.get("policy") or {}).get("id"),
        policy=(ws.context or {}).get("policy"),
        customer_name=None if ws.customer else "walk-in",
    )
    return int(case.id)


def _pick_finding(findings: list[dict[str, Any]], action: str) -> dict[str, Any] | None:
    """``fix:INDEX:RULE`` -> that finding; if the draft changed since the page was drawn and the
    index now points at another rule, the first finding of the button's rule instead."""
    _, _, rest = action.partition(":")
    index, _, rule = rest.partition(":")
    try:
        found: dict[str, Any] | None = findings[int(index)]
    except (ValueError, IndexError):
        found = None
    if rule and (found is None or found.get("rule") != rule):
        found = next((f for f in findings if f.get("rule") == rule), None)
    return found


@router.get("/workspace")
async def workspace_page(request: Request, user: CurrentUser) -> Response:
    store = store_of(request)
    scenarios = await run_in_threadpool(all_scenarios, store)
    form = {k: str(v) for k, v in request.query_params.items()}
    pick = form.pop("example", "")
    chosen = next((s for s in scenarios if s.id == pick), None)
    if chosen is not None:
        form["message"] = chosen.customer_message
        form["channel"] = chosen.channel
        form["facts"] = "\n".join(f"{k}={v}" for k, v in chosen.facts.items())
    ws = await run_in_threadpool(build, request, form, compose_draft=bool(form.get("message")))
    return render(request, "workspace.html", {"examples": scenarios, **ws.view()})


@router.post("/workspace")
async def workspace_post(request: Request, user: CurrentUser) -> Response:
    raw = await request.form()
    form = {k: v for k, v in raw.items() if isinstance(v, str)}
    check_csrf(request, form.get("csrf"))
    action = form.get("action", "analyze")
    ws = await run_in_threadpool(build, request, form, compose_draft=action == "draft")
    if action.startswith("fix:") and ws.analysis:
        finding = _pick_finding(ws.analysis["findings"], action)
        fix = fix_for(ws.draft, finding, ws.snippets) if finding else None
        if fix is not None:
            form["draft"] = fix.apply(ws.draft)
            ws = await run_in_threadpool(build, request, form, compose_draft=False)
    elif action == "save":
        if not ws.draft.strip():
            ws.errors.append("Write or draft a reply before saving.")
        else:
            try:
                ws.saved_case = await run_in_threadpool(_save, request, ws, user)
            except StoreError as exc:
                ws.errors.append(f"Could not save: {exc}")
    examples = await run_in_threadpool(all_scenarios, store_of(request))
    return render(request, "workspace.html", {"examples": examples, **ws.view()})


@router.post("/workspace/fix")
async def workspace_fix(request: Request, user: CurrentUser) -> Response:
    """Apply one finding's fix (JSON in: text, finding, snippets; out: text and the changed range)."""
    check_csrf(request, request.headers.get("x-csrf-token"))
    try:
        body = await request.json()
    except ValueError as exc:
        raise APIError(400, "invalid_json", "the request body is not valid JSON") from exc
    if not isinstance(body, dict) or not isinstance(body.get("text"), str):
        raise APIError(422, "validation_error", "expected {text, finding, snippets}")
    text = body["text"][:MAX_TEXT]
    finding = body.get("finding")
    if not isinstance(finding, dict):
        raise APIError(422, "validation_error", "finding must be an object from the analysis")
    fix = fix_for(text, finding, Snippets.from_dict(body.get("snippets")))
    if fix is None:
        raise APIError(422, "no_fix", f"no one-click fix for {finding.get('rule')!r} here")
    new = fix.apply(text)
    return JSONResponse({"text": new, "start": fix.start, "end": fix.start + len(fix.replacement)})
