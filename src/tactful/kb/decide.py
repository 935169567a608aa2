"""``decide``: which policy applies to a request, is the answer a no, and what may be offered instead."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from tactful.contract import REQUEST_TYPES
from tactful.errors import FactError as FactError
from tactful.kb.conditions import FactType, evaluate_all
from tactful.kb.policy import (
    Decision,
    KnowledgeBase,
    OfferedAlternative,
    Outcome,
    Policy,
    PolicyRef,
)

MAX_ALTERNATIVES = 3
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}\Z")
_TRUE = {"true", "yes", "y", "1", "on"}
_FALSE = {"false", "no", "n", "0", "off"}


def _as_date(name: str, value: object) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and _ISO_DATE.match(value.strip()):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise FactError(f"fact '{name}': expected an ISO date like 2026-03-01, got {value!r}")


def _coerce(name: str, value: object, ftype: FactType) -> Any:
    if ftype == "date":
        return _as_date(name, value)
    if ftype == "number":
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return value
        if isinstance(value, str):
            text = value.strip().lstrip("$").replace(",", "")
            try:
                return int(text)
            except ValueError:
                try:
                    number = float(text)
                except ValueError:
                    pass
                else:
                    if number == number and number not in (float("inf"), float("-inf")):
                        return number
        raise FactError(f"fact '{name}': expected a number, got {value!r}")
    if ftype == "bool":
        if isinstance(value, bool):
            return value
        if isinstance(value, (str, int)) and str(value).strip().lower() in _TRUE | _FALSE:
            return str(value).strip().lower() in _TRUE
        raise FactError(f"fact '{name}': expected true or false, got {value!r}")
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    raise FactError(f"fact '{name}': expected text, got {value!r}")


def coerce_facts(
    facts: dict[str, Any], fact_types: dict[str, FactType], today: dt.date | None = None
) -> dict[str, Any]:
    """Type-check ``facts`` against the KB and add ``days_since_X`` / ``days_until_X`` for each ``X_date``.

    ``today`` comes from ``facts["today"]``, else the argument, else the system clock.
    """
    out: dict[str, Any] = {}
    for name, value in facts.items():
        if value is None:
            continue  # an explicit None means "not known yet"
        ftype = fact_types.get(name)
        if name == "today" or name.endswith("_date"):
            ftype = "date"
        elif name.startswith(("days_since_", "days_until_")):
            ftype = "number"
        out[name] = _coerce(name, value, ftype) if ftype else value
    now = out.get("today") or today or dt.date.today()
    out["today"] = now
    for name, value in list(out.items()):
        if name.endswith("_date") and isinstance(value, dt.date):
            stem = name[: -len("_date")]
            out.setdefault(f"days_since_{stem}", (now - value).days)
            out.setdefault(f"days_until_{stem}", (value - now).days)
    return out


def _ask_for(fact: str) -> str:
    """A derived fact is asked for by its source: ``days_since_purchase`` → ``purchase_date``."""
    for prefix in ("days_since_", "days_until_"):
        if fact.startswith(prefix):
            return fact[len(prefix) :] + "_date"
    return fact


def _missing(facts: list[str]) -> tuple[str, ...]:
    out: list[str] = []
    for f in facts:
        name = _ask_for(f)
        if name not in out:
            out.append(name)
    return tuple(out)


def _ref(policy: Policy) -> PolicyRef:
    return PolicyRef(policy.id, policy.title, policy.reason)


def decide(
    request_type: str,
    facts: dict[str, Any],
    kb: KnowledgeBase,
    *,
    today: dt.date | None = None,
    max_alternatives: int = MAX_ALTERNATIVES,
) -> Decision:
    """Decide ``request_type`` for a customer described by ``facts`` under the policies in ``kb``.

    Outcomes: ``allow``; ``refuse`` (with up to ``max_alternatives`` allowed alternatives, closest
    to the original ask first); ``needs_approval`` (an approval rule holds for a yes, an escalation
    rule for a no, or no policy covers the request); ``needs_info`` (``missing`` lists the facts
    to ask for). Raises :class:`FactError` for a fact of the wrong type.
    """
    if request_type not in REQUEST_TYPES:
        raise ValueError(f"unknown request type {request_type!r} (one of: {', '.join(REQUEST_TYPES)})")
    known = coerce_facts(facts, kb.fact_types, today)
    channel = str(known.get("channel", "")).strip().lower()
    checked: list[dict[str, Any]] = []

    def result(outcome: Outcome, policy: Policy | None, **kw: Any) -> Decision:
        note = policy.channels.get(channel) if policy is not None and channel else None
        return Decision(
            outcome,
            request_type,
            _ref(policy) if policy else None,
            channel_note=note,
            checked=tuple(checked),
            **kw,
        )

    chosen: Policy | None = None
    for policy in kb.for_request(request_type):
        scope = evaluate_all(policy.applies_when, known)
        if scope.value is None:
            return result("needs_info", policy, missing=_missing(scope.missing))
        if scope.value:
            chosen = policy
            evaluate_all(policy.applies_when, known, checked)  # the chosen policy's scope goes in the trace
            break
    if chosen is None:
        return result(
            "needs_approval",
            None,
            notes=(f"no policy covers this {request_type} request; ask a manager before answering",),
        )

    verdict = evaluate_all(chosen.conditions, known, checked)
    if verdict.value is None:
        return result("needs_info", chosen, missing=_missing(verdict.missing))
    if verdict.value:
        notes, unsure = [], []
        for rule in chosen.approval:
            r = evaluate_all(rule.when, known, checked)
            if r.value:
                notes.append(rule.note)
            elif r.value is None:
                unsure.extend(r.missing)
        if notes:
            return result("needs_approval", chosen, notes=tuple(notes))
        if unsure:
            return result("needs_info", chosen, missing=_missing(unsure))
        return result("allow", chosen)

    offered = []
    for index, alt in enumerate(chosen.alternatives):
        if evaluate_all(alt.conditions, known).value:
            offered.append((alt.order, index, alt))
    offered.sort(key=lambda t: (t[0], t[1]))
    alternatives = tuple(OfferedAlternative(a.id, a.text, a.order) for _, _, a in offered[:max_alternatives])
    escalations = tuple(r.note for r in chosen.escalate if evaluate_all(r.when, known, checked).value)
    if escalations:
        return result("needs_approval", chosen, alternatives=alternatives, notes=escalations)
    return result("refuse", chosen, alternatives=alternatives)
