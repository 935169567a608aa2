"""The private note a webhook answers with: plain text the helpdesk can post on the conversation.

The same for every helpdesk. A private note never triggers another round: the webhooks ignore
private messages and notes.
"""

from __future__ import annotations

from typing import Any

MAX_NOTE_FINDINGS = 3


def analysis_note(analysis: dict[str, Any]) -> str:
    kind = "a refusal" if analysis.get("is_refusal") else "not a refusal"
    lines = [f"tactful · reply score {analysis['score']}/100 ({kind})"]
    order = {"error": 0, "warning": 1, "suggestion": 2}
    findings = sorted(analysis.get("findings", []), key=lambda f: (order.get(f["level"], 3), f["start"]))
    if findings:
        lines.append("Fix first:")
        for f in findings[:MAX_NOTE_FINDINGS]:
            lines.append(f"- [{f['level']}] {f['message']} → {f['suggestion']}")
        if len(findings) > MAX_NOTE_FINDINGS:
            lines.append(f"(and {len(findings) - MAX_NOTE_FINDINGS} more)")
    else:
        lines.append("Nothing to fix: the reply follows the method.")
    weak = [
        f"{name.replace('_', ' ')} {c['score']:.2f}"
        for name, c in analysis.get("characteristics", {}).items()
        if c.get("applicable") and c.get("score") is not None and c["score"] < 0.5
    ]
    if weak:
        lines.append("Weakest: " + ", ".join(weak))
    return "\n".join(lines)


def draft_note(understanding: dict[str, Any], draft: dict[str, Any] | None, reason: str | None) -> str:
    request = understanding.get("request") or {}
    mood = (understanding.get("mood") or {}).get("label", "unknown")
    lines = [f"tactful · the customer asks for: {request.get('type', 'unclear')} · mood: {mood}"]
    for e in understanding.get("escalation", []):
        lines.append(f"! {e['kind'].replace('_', ' ')}: {e['advice']}")
    if understanding.get("clarifying_question"):
        lines.append(f"Ask: {understanding['clarifying_question']}")
    if draft is None:
        lines.append(f"No draft: {reason}")
        return "\n".join(lines)
    decision = draft["decision"]
    policy = decision.get("policy") or {}
    if policy:
        lines.append(
            f"Decision: {decision['outcome'].replace('_', ' ')} under {policy['id']} ({policy['title']})"
        )
    else:  # no KB, or no policy covers it: nothing was decided, and the note says why
        lines.append("Decision: none. " + " ".join(draft.get("notes") or decision.get("notes") or []))
    if decision.get("missing"):
        lines.append("Needed to decide: " + ", ".join(decision["missing"]))
    flag = " — below the team threshold, edit before sending" if draft["below_threshold"] else ""
    lines.append(f"Suggested reply (score {draft['analysis']['score']}/100{flag}):")
    lines.append("")
    lines.append(draft["text"])
    return "\n".join(lines)
