"""The agent workspace: the customer's message, what tactful understood and decided, the agent's reply
with live analysis (findings most severe first, highlighted in the editor itself) and one-click fixes,
"Rewrite my draft" with each change to accept or reject, and save (records the case in the store).

A composed draft goes into an empty reply box; when the agent has written something it is shown
beside theirs, and replaces it only when they say so. Without JavaScript every button is a plain form
post that re-renders the page; with it, the page script analyzes as the agent types (``/v1/analyze``),
applies fixes via ``/workspace/fix`` and shows the rewrite via ``/workspace/rewrite``.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import JSONResponse, Response

from tactful.store.db import StoreError
from tactful.web.auth import UserInfo
from tactful.web.errors import APIError
from tactful.web.pages.common import CurrentUser, check_csrf, is_manager, render, store_of
from tactful.web.pages.fixes import (
    apply_accepted,
    contradictions,
    fix_for,
    fix_table,
    ordered,
    page_context,
    rewrite_panel,
    title_of,
    titles,
)
from tactful.web.pages.highlight import segments
from tactful.web.practice import ScenarioError, all_scenarios, parse_facts

router = APIRouter(include_in_schema=False)
MAX_TEXT = 20_000
CHANNELS = ("email", "chat", "social")
NO_KB = (
    "No policy KB is configured, so nothing is decided: start the server with --kb (or [kb] in tactful.toml)."
)


def kb_of(request: Request) -> Any:
    """The app's policy KB (``app.state.kb``), or None: then nothing is decided."""
    return getattr(request.app.state, "kb", None)


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
    decision_note: str | None = None
    context: dict[str, Any] = field(default_factory=dict)
    ctx: Any = None  # the composer's Context: what fixes may draw on
    analysis: dict[str, Any] | None = None
    proposed: str = ""  # a composed draft waiting beside the agent's own
    proposed_notes: list[str] = field(default_factory=list)
    rewrite: dict[str, Any] | None = None  # the "Rewrite my draft" panel
    history: Any = None
    saved_case: int | None = None

    def view(self) -> dict[str, Any]:
        findings = (self.analysis or {}).get("findings", [])
        shown = [
            (i, f, title_of(f["rule"]), fix_for(self.draft, f, self.ctx) if self.ctx else None)
            for i, f in ordered(findings)
        ]
        u = self.ctx.understanding if self.ctx else None
        return {
            "ws": self,
            "segments": segments(self.draft, findings) if self.analysis else [],
            "findings": shown,
            "contradictions": contradictions(self.draft, findings, self.message, u),
            "page_data": {
                "customer_message": self.message,
                "customer": self.customer,
                "context": self.context,
                "fixable": fix_table(self.ctx),
                "titles": titles(),
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


def _form_state(form: dict[str, str]) -> Workspace:
    return Workspace(
        message=form.get("message", "")[:MAX_TEXT],
        channel=form.get("channel", "email") if form.get("channel") in CHANNELS else "email",
        facts_text=form.get("facts", "")[:2000],
        customer=form.get("customer", "").strip()[:200],
        draft=form.get("draft", "")[:MAX_TEXT].replace("\r\n", "\n"),
    )


def _context(request: Request, ws: Workspace, facts: dict[str, Any]) -> None:
    """Understand the message, and decide under the KB when one is configured."""
    from tactful.kb import FactError

    config = getattr(request.app.state, "config", None)
    kb = kb_of(request)
    try:
        ws.ctx = page_context(ws.draft, ws.message, ws.channel, facts, kb, config)
    except (FactError, ValueError) as exc:
        ws.errors.append(f"Could not decide: {exc}")
        ws.ctx = page_context(ws.draft, ws.message, ws.channel, {}, None, config)
    u = ws.ctx.understanding
    if u is not None:
        ws.understanding = u.to_dict()
    if ws.ctx.decision is not None:
        ws.decision = ws.ctx.decision.to_dict()
        if ws.decision.get("policy"):
            ws.context = {"policy": ws.decision["policy"]["reason"], "channel": ws.channel}
    ws.decision_note = NO_KB if kb is None else (ws.ctx.notes[-1] if ws.ctx.notes else None)


def build(request: Request, form: dict[str, str], *, compose_draft: bool) -> Workspace:
    """Understand the message, decide under the KB, draft (when asked) and analyze the agent's reply."""
    import tactful

    config = getattr(request.app.state, "config", None)
    ws = _form_state(form)
    if not ws.message.strip():
        if compose_draft:
            ws.errors.append("Paste or choose the customer's message first.")
        elif ws.draft.strip():  # a reply on its own can still be analyzed
            ws.analysis = tactful.analyze(ws.draft, config=config).to_dict()
            ws.ctx = page_context(ws.draft, "", ws.channel, {}, None, config)
        return ws
    facts = _facts(ws)
    _context(request, ws, facts)
    if compose_draft:
        try:
            drafts = tactful.compose(ws.message, facts, kb_of(request), channel=ws.channel, config=config)
        except ValueError as exc:
            ws.errors.append(f"Could not draft a reply: {exc}")
        else:
            if not ws.draft.strip():  # an empty box takes the draft; the agent's own text is never replaced
                ws.draft = drafts[0].text
                ws.ctx = None
                _context(request, ws, facts)
            else:
                ws.proposed = drafts[0].text
            ws.proposed_notes = list(drafts[0].notes)
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


def _rewrite(request: Request, draft: str, message: str, channel: str, facts_text: str) -> Any:
    """The agent's draft rewritten under this page's message, channel, facts and KB."""
    import tactful

    facts: dict[str, Any] = dict(parse_facts(facts_text))
    facts.setdefault("today", dt.date.today().isoformat())
    request_type = str(facts.pop("request_type", "") or "") or None
    return tactful.rewrite(
        draft,
        message or None,
        facts=facts,
        kb=kb_of(request),
        config=getattr(request.app.state, "config", None),
        request_type=request_type,
        channel=channel if channel in CHANNELS else "email",
    )


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
    if action == "use_draft":  # the agent chose the composed draft over their own
        form["draft"] = form.get("proposed", "")
    if action == "apply_rewrite":
        accepted = {int(v) for v in raw.getlist("accept") if isinstance(v, str) and v.isdigit()}
        try:
            result = await run_in_threadpool(
                _rewrite,
                request,
                form.get("original", ""),
                form.get("message", ""),
                form.get("channel", ""),
                form.get("facts", ""),
            )
            form["draft"] = apply_accepted(result, accepted)
        except (ValueError, ScenarioError) as exc:
            form["draft"] = form.get("original", form.get("draft", ""))
            form.setdefault("error", str(exc))
    ws = await run_in_threadpool(build, request, form, compose_draft=action == "draft")
    if action.startswith("fix:") and ws.analysis and ws.ctx is not None:
        finding = _pick_finding(ws.analysis["findings"], action)
        fix = fix_for(ws.draft, finding, ws.ctx) if finding else None
        if fix is not None:
            form["draft"] = fix.text
            ws = await run_in_threadpool(build, request, form, compose_draft=False)
    elif action == "rewrite":
        if not ws.draft.strip():
            ws.errors.append("Write a reply first: there is nothing to rewrite.")
        else:
            try:
                result = await run_in_threadpool(
                    _rewrite, request, ws.draft, ws.message, ws.channel, ws.facts_text
                )
                ws.rewrite = rewrite_panel(result)
            except (ValueError, ScenarioError) as exc:
                ws.errors.append(f"Could not rewrite: {exc}")
    elif action == "save":
        if not ws.draft.strip():
            ws.errors.append("Write or draft a reply before saving.")
        else:
            try:
                ws.saved_case = await run_in_threadpool(_save, request, ws, user)
            except StoreError as exc:
                ws.errors.append(f"Could not save: {exc}")
    if form.get("error"):
        ws.errors.append(f"Could not rewrite: {form['error']}")
    examples = await run_in_threadpool(all_scenarios, store_of(request))
    return render(request, "workspace.html", {"examples": examples, **ws.view()})


async def _json_body(request: Request, *required: str) -> dict[str, Any]:
    check_csrf(request, request.headers.get("x-csrf-token"))
    try:
        body = await request.json()
    except ValueError as exc:
        raise APIError(400, "invalid_json", "the request body is not valid JSON") from exc
    if not isinstance(body, dict) or not all(isinstance(body.get(k), str) for k in required):
        raise APIError(422, "validation_error", f"expected an object with {', '.join(required)} as text")
    return body


def _page_state(body: dict[str, Any]) -> tuple[str, str, str]:
    """The page's message, channel and facts, as the script sends them with each call."""
    message = str(body.get("message") or "")[:MAX_TEXT]
    channel = str(body.get("channel") or "email")
    return message, channel if channel in CHANNELS else "email", str(body.get("facts") or "")[:2000]


@router.post("/workspace/fix")
async def workspace_fix(request: Request, user: CurrentUser) -> Response:
    """Apply one finding's fix. JSON in: text, finding, and the page's message, channel and facts;
    out: the new text and the range that changed."""
    body = await _json_body(request, "text")
    text = body["text"][:MAX_TEXT]
    finding = body.get("finding")
    if not isinstance(finding, dict):
        raise APIError(422, "validation_error", "finding must be an object from the analysis")
    message, channel, facts_text = _page_state(body)
    try:
        facts: dict[str, Any] = dict(parse_facts(facts_text))
        facts.setdefault("today", dt.date.today().isoformat())
        config = getattr(request.app.state, "config", None)
        ctx = await run_in_threadpool(page_context, text, message, channel, facts, kb_of(request), config)
    except (ValueError, ScenarioError) as exc:
        raise APIError(422, "invalid_input", str(exc)) from None
    fix = await run_in_threadpool(fix_for, text, finding, ctx)
    if fix is None:
        raise APIError(422, "no_fix", f"no one-click fix for {finding.get('rule')!r} here")
    return JSONResponse({"text": fix.text, "start": fix.start, "end": fix.end})


@router.post("/workspace/rewrite")
async def workspace_rewrite(request: Request, user: CurrentUser) -> Response:
    """The agent's draft rewritten: JSON in text, message, channel, facts; out the panel (each change
    as a word diff, the scores, the notes)."""
    body = await _json_body(request, "text")
    text = body["text"][:MAX_TEXT]
    message, channel, facts_text = _page_state(body)
    try:
        result = await run_in_threadpool(_rewrite, request, text, message, channel, facts_text)
    except (ValueError, ScenarioError) as exc:
        raise APIError(422, "invalid_input", str(exc)) from None
    return JSONResponse(rewrite_panel(result))


@router.post("/workspace/rewrite/apply")
async def workspace_rewrite_apply(request: Request, user: CurrentUser) -> Response:
    """The draft with only the accepted changes: JSON in original, accept (indices), and the page's
    message, channel and facts (the rewrite is deterministic, so it is made again); out the text."""
    body = await _json_body(request, "original")
    accept = body.get("accept")
    if not isinstance(accept, list) or not all(isinstance(i, int) for i in accept):
        raise APIError(422, "validation_error", "accept must be a list of change indices")
    original = body["original"][:MAX_TEXT]
    message, channel, facts_text = _page_state(body)
    try:
        result = await run_in_threadpool(_rewrite, request, original, message, channel, facts_text)
    except (ValueError, ScenarioError) as exc:
        raise APIError(422, "invalid_input", str(exc)) from None
    return JSONResponse({"text": apply_accepted(result, set(accept))})
