"""The analyzer's history-period findings, re-worded to name the earlier case that said otherwise.

The analyzer sees the customer's earlier replies only as text (``context["history"]``), so its
``tactful.consistency.history_period`` finding says "differs from what this customer was told
before"; the store knows which case said it and when. The store's other consistency findings
(an exception reversed, a repeated no, a promise not kept) are rules on the customer's memory:
``styles/tactful/store/`` and :mod:`tactful.rules.memory`.
"""

from __future__ import annotations

import re

from tactful.contract import Finding
from tactful.rules.memory import PastCase, case_label

_PERIOD = re.compile(r"\b(\d{1,4})[- ]?(day|week|month|year|hour)s?\b", re.IGNORECASE)
HISTORY_PERIOD_RULE = "tactful.consistency.history_period"


def period_findings(reply: str, analyzer_findings: list[Finding], past: list[PastCase]) -> list[Finding]:
    """The analyzer's history-period findings, re-worded to name the case that said otherwise."""
    out = []
    for f in analyzer_findings:
        if f.rule != HISTORY_PERIOD_RULE:
            continue
        m = _PERIOD.search(reply[f.start : f.end])
        unit = m.group(2).lower() if m else ""
        earlier = next(
            (
                (p, pm.group())
                for p in sorted(past, key=lambda c: c.sent_at, reverse=True)
                for pm in _PERIOD.finditer(p.reply)
                if pm.group(2).lower() == unit
            ),
            None,
        )
        if earlier is None:
            out.append(f)
            continue
        case, said = earlier
        out.append(
            Finding(
                rule=f.rule,
                characteristic="consistency",
                level=f.level,
                start=f.start,
                end=f.end,
                message=f"'{reply[f.start : f.end]}' differs from what this customer was told in "
                f"{case_label(case.id, case.sent_at)}: '{said}'.",
                suggestion=f.suggestion,
            )
        )
    return out
