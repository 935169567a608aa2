"""The human-readable understanding report (rich): the message with its evidence marked, then
request, mood, escalation with the seeds' advice, details to mirror back, and what to ask."""

from __future__ import annotations

from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

from tactful.sanitize import for_terminal
from tactful.understanding.core import Understanding
from tactful.understanding.details import Detail
from tactful.understanding.language import NAMES

_SHOWN = 2_000  # characters of the message shown; spans past it are still listed


def _quote(text: str, start: int, end: int, width: int = 60) -> str:
    q = " ".join(for_terminal(text[start:end]).split())
    return q if len(q) <= width else q[: width - 1] + "…"


def _meaning(d: Detail) -> str:
    """The value with what the words mean: "49.99 USD", "2026-01-31 (40 days ago, purchase)",
    "damaged_or_defective: sole peeling"."""
    if d.currency:
        return f"{d.value} {d.currency}"
    if d.kind == "date" and d.date:
        ago = f"{d.days_ago} days ago" if d.days_ago is not None else "ahead"
        return f"{d.date} ({ago}{', ' + d.event if d.event else ''})"
    if d.problem:
        return f"{d.value}: {d.item + ' ' if d.item else ''}{d.problem}"
    return d.value


def render(u: Understanding) -> Group:
    if u.status in ("empty", "too_large"):
        return Group(Text(f"Nothing understood: {u.note}.", style="bold"))
    shown = Text(for_terminal(u.text[:_SHOWN]) + ("…" if len(u.text) > _SHOWN else ""))

    def mark(spans: list[tuple[int, int]], style: str) -> None:
        for s, e in spans:
            if s < _SHOWN:
                shown.stylize(style, s, min(e, _SHOWN))

    parts: list[Text | Table] = []
    if u.status == "not_english":
        parts += [
            shown,
            Text(""),
            Text(f"Language: {NAMES.get(u.language, u.language)} ({u.language})", "bold"),
        ]
        parts.append(Text(f"Not understood: {u.note}.", style="yellow"))
    else:
        assert u.request is not None and u.mood is not None
        mark([(d.start, d.end) for d in u.details], "cyan underline")
        mark(u.request.evidence, "bold")
        mark(u.mood.evidence, "yellow")
        for esc in u.escalation:
            mark(esc.spans, "bold red")
        parts += [shown, Text("")]
        others = ", ".join(t for t, _ in u.request.candidates[1:])
        parts.append(
            Text.assemble(
                ("Request  ", "bold"),
                (u.request.type, "bold green"),
                f"  (confidence {u.request.confidence:.2f})",
                (f"  also: {others}" if others else "", "dim"),
            )
        )
        quotes = ", ".join(f"“{_quote(u.text, s, e, 30)}”" for s, e in u.mood.evidence[:4])
        parts.append(
            Text.assemble(
                ("Mood     ", "bold"),
                (u.mood.label, "bold yellow" if u.mood.label != "neutral" else "bold"),
                f"  (confidence {u.mood.confidence:.2f})",
                (f"  {quotes}" if quotes else "", "italic"),
            )
        )
        parts.append(Text.assemble(("Words    ", "bold"), str(u.words), "  ·  language: English"))
        if u.escalation:
            parts += [Text(""), Text("Escalation", style="bold red")]
            for esc in u.escalation:
                s, e = esc.spans[0]
                parts.append(
                    Text.assemble(("  ⚠ ", "red"), (esc.kind, "bold"), f"  “{_quote(u.text, s, e)}”")
                )
                parts.append(Text(f"    → {esc.advice}", style="green"))
                parts.append(Text(f"    ({esc.source})", style="dim"))
    if u.details:
        table = Table(title="Details to mirror back", show_edge=False, pad_edge=False, title_justify="left")
        for col in ("kind", "text", "value", "span"):
            table.add_column(col)
        for d in u.details:
            table.add_row(d.kind, _quote(u.text, d.start, d.end, 50), _meaning(d), f"{d.start}:{d.end}")
        parts += [Text(""), table]
    if u.facts:
        facts = ", ".join(f"{k} {v}" for k, v in u.facts.items())
        parts.append(Text.assemble(("Facts    ", "bold"), facts, (f"  (today {u.today})", "dim")))
    if u.missing:
        parts += [Text(""), Text("Ask", style="bold")]
        for q in u.missing:
            parts.append(Text.assemble("  ? ", (q.question, "bold"), (f"  [{q.what}; {q.source}]", "dim")))
    return Group(*parts)


def print_report(u: Understanding, console: Console | None = None) -> None:
    (console or Console()).print(render(u))
