"""One-click fixes, the "Rewrite my draft" changes, and how findings read on the page.

A fix is the edit ``tactful rewrite`` would make for that one finding (``tactful.composer.edits``),
so the page and the rewrite follow the same rules in any order: nothing stock is inserted, a no and
its reason are never deleted, nothing is repeated, and a reason or an alternative comes only from a
policy whose request type and conditions match. A finding with no honest edit has no button; the
agent gets the suggestion. Findings are shown most severe first, under a title an agent reads, with
the rule id in a tooltip (``titles.yml``).
"""

from __future__ import annotations

import difflib
import re
from dataclasses import asdict, dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tactful.yamldata import load_yaml

if TYPE_CHECKING:
    from tactful.composer.edits import Context
    from tactful.config import Config

TITLES_PATH = Path(__file__).with_name("titles.yml")
SEVERITY = {"error": 0, "warning": 1, "suggestion": 2}
_THANKS = (
    "tactful.gratitude.no_thanks",
    "tactful.empathy.no_acknowledgement",
    "tactful.empathy.generic_acknowledgement",
)
_POLICY = ("tactful.reason.missing", "tactful.alternatives.none", "tactful.follow_up.dead_end")
LABELS = {
    "tactful.tone.shouting": "Calm it down",
    "tactful.tone.condescending": "Remove the phrase",
    "tactful.tone.blame_customer": "Say the rule instead",
    "tactful.apology.fake_regret": "Remove the phrase",
    "tactful.apology.over_apology": "Remove the extra apology",
    "tactful.clarity.false_hope": "Remove the false hope",
    "tactful.clarity.jargon": "Use plain words",
    "tactful.positive.negative_framing": "Reframe it",
    "tactful.gratitude.no_thanks": "Thank them for what they asked",
    "tactful.empathy.no_acknowledgement": "Name what they asked",
    "tactful.empathy.generic_acknowledgement": "Name what they asked",
    "tactful.reason.missing": "Add the policy's reason",
    "tactful.alternatives.none": "Add the allowed alternatives",
    "tactful.follow_up.dead_end": "Add a next step",
    "tactful.consistency.customer_details": "Use their details",
}
_WORDS = re.compile(r"\S+\s*")
DIFF_BUDGET = 250_000  # word pairs a change's word diff may compare (~10 ms)


@cache
def titles() -> dict[str, str]:
    data = load_yaml(TITLES_PATH.read_text(encoding="utf-8"))
    return {str(k): str(v) for k, v in data.items()}


def title_of(rule: str) -> str:
    return titles().get(rule) or rule.rsplit(".", 1)[-1].replace("_", " ").capitalize()


def ordered(findings: list[dict[str, Any]]) -> list[tuple[int, dict[str, Any]]]:
    """``(index in the analysis, finding)``, errors first, then warnings, then suggestions, each in
    the order they appear in the reply."""
    return sorted(
        enumerate(findings),
        key=lambda p: (SEVERITY.get(str(p[1].get("level")), 3), int(p[1].get("start", 0))),
    )


@dataclass(frozen=True, slots=True)
class Fix:
    """The reply after one fix (``text``), the range that changed in it, and the button's label."""

    rule: str
    label: str
    start: int
    end: int
    text: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def page_context(
    draft: str,
    message: str,
    channel: str,
    facts: dict[str, Any],
    kb: Any,
    config: Config | None,
) -> Context:
    """What fixes may draw on: the customer's message understood, what they asked, and the decision
    under the app's KB when one is configured. Raises ValueError (FactError) for a malformed fact."""
    from tactful.composer.edits import build_context

    request_type = str(facts.get("request_type") or "") or None
    kb_facts = {k: v for k, v in facts.items() if k != "request_type"}
    return build_context(
        draft, message or None, kb_facts, kb, config=config, request_type=request_type, channel=channel
    )


def _changed(before: str, after: str) -> tuple[int, int]:
    """The range of ``after`` that differs from ``before`` (common prefix and suffix left out)."""
    start = 0
    while start < min(len(before), len(after)) and before[start] == after[start]:
        start += 1
    end_a, end_b = len(after), len(before)
    while end_a > start and end_b > start and after[end_a - 1] == before[end_b - 1]:
        end_a -= 1
        end_b -= 1
    return start, end_a


def fix_for(text: str, finding: dict[str, Any] | None, ctx: Context) -> Fix | None:
    """The one-click fix for ``finding`` (a finding of the analysis contract) in ``text``, or None."""
    from tactful.composer import edits
    from tactful.composer.frame import apply

    if not finding:
        return None
    rule = str(finding.get("rule", ""))
    edit = edits.fix_for(text, finding, ctx)
    if edit is None:
        return None
    new = apply(text, [(edit.start, edit.end, edit.new)])
    if new == text:
        return None
    start, end = _changed(text, new)
    return Fix(rule, edit.label or LABELS.get(rule, "Use the suggested wording"), start, end, new)


def fix_table(ctx: Context | None) -> dict[str, str]:
    """Rule id -> button label for every rule that may have a one-click fix in this context."""
    from tactful.composer.edits import load_rewrites

    out: dict[str, str] = dict(_substitution_rules())
    for rule, spec in load_rewrites().items():  # the rewrite's own edit comes first (fix_for)
        if spec.get("action", "keep") != "keep":
            out[rule] = LABELS.get(rule, "Fix it")
    out["tactful.consistency.customer_details"] = LABELS["tactful.consistency.customer_details"]
    if ctx is not None and ctx.topic is not None:
        out.update({r: LABELS[r] for r in _THANKS})
    if ctx is not None and ctx.policy_applies:
        out.update({r: LABELS[r] for r in _POLICY})
    return out


@cache
def _substitution_rules() -> dict[str, str]:
    """Substitution rules carry their own replacement (``Try: "…"``): all of them are fixable."""
    from tactful.rules.engine import load_rules

    return {r.id: "Use the suggested wording" for r in load_rules() if r.kind == "substitution"}


def word_diff(before: str, after: str) -> list[tuple[str, str]]:
    """``[(op, text)]`` with op ``=``, ``-`` or ``+``: one change, word by word."""
    old, new = _WORDS.findall(before), _WORDS.findall(after)
    if len(old) * len(new) > DIFF_BUDGET:  # matching compares pairs: a huge change is shown whole
        return [("-", before), ("+", after)]
    out: list[tuple[str, str]] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if op == "equal":
            out.append(("=", "".join(old[i1:i2])))
            continue
        if i2 > i1:
            out.append(("-", "".join(old[i1:i2])))
        if j2 > j1:
            out.append(("+", "".join(new[j1:j2])))
    return out


def _context(text: str, start: int, end: int, words: int = 6) -> tuple[str, str]:
    before = text[:start].split()
    after = text[end:].split()
    lead = ("… " if len(before) > words else "") + " ".join(before[-words:])
    tail = " ".join(after[:words]) + (" …" if len(after) > words else "")
    return lead, tail


def rewrite_panel(result: Any) -> dict[str, Any]:
    """The "Rewrite my draft" panel: every change the rewrite made, as a word diff with a little of
    the draft around it, in the order they appear; the agent accepts or rejects each."""
    original = result.original
    changes = []
    for i, e in enumerate(sorted(result.edits, key=lambda e: (e.start, e.end))):
        lead, tail = _context(original, e.start, e.end)
        changes.append(
            {
                "index": i,
                "start": e.start,
                "end": e.end,
                "rule": e.rule,
                "title": title_of(e.rule),
                "kind": e.kind.replace("_", " "),
                "source": e.source,
                "diff": word_diff(original[e.start : e.end], e.new),
                "context_before": lead,
                "context_after": tail,
            }
        )
    return {
        "original": original,
        "text": result.text,
        "score_before": result.before.get("score"),
        "score": result.score,
        "changes": changes,
        "notes": list(result.notes) + [f"Kept your draft: {g}" for g in result.guard],
    }


def apply_accepted(result: Any, accepted: set[int]) -> str:
    """The draft with only the accepted changes (indices of :func:`rewrite_panel`'s list) applied."""
    from tactful.composer.frame import apply

    chosen = [e for i, e in enumerate(sorted(result.edits, key=lambda e: (e.start, e.end))) if i in accepted]
    return apply(result.original, [(e.start, e.end, e.new) for e in chosen])


def contradictions(
    text: str, findings: list[dict[str, Any]], message: str, understanding: Any
) -> list[dict[str, str]]:
    """A name, order number or amount in the reply that is not the customer's: what it says, and what
    the customer wrote (when their message says it once)."""
    from tactful.composer.customer import customer_values

    out: list[dict[str, str]] = []
    for f in findings:
        if f.get("rule") != "tactful.consistency.customer_details":
            continue
        found = text[int(f["start"]) : int(f["end"])]
        kind = (
            "amount"
            if re.match(r"[$£€]", found)
            else ("order_number" if any(c.isdigit() for c in found) else "name")
        )
        theirs = customer_values(message, understanding, kind)
        what = {"amount": "amount", "order_number": "order number", "name": "name"}[kind]
        out.append({"found": found, "what": what, "theirs": ", ".join(theirs)})
    return out
