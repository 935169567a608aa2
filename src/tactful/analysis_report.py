"""The human-readable analysis report: the reply with each finding marked, then fixes and scores."""

from __future__ import annotations

from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

from tactful.contract import Analysis
from tactful.sanitize import for_terminal

_STYLE = {"error": "bold red underline", "warning": "yellow underline", "suggestion": "cyan underline"}


def _n(count: int, one: str, many: str | None = None) -> str:
    return f"{count} {one if count == 1 else many or one + 's'}"


def render(analysis: Analysis) -> Group:
    if analysis.empty:
        return Group(Text("Nothing to analyze: the reply is empty.", style="bold"))
    reply = Text(for_terminal(analysis.text))  # one character for one: the offsets still hold
    for f in analysis.findings:
        if f.end > f.start:
            reply.stylize(_STYLE[f.level], f.start, f.end)
    parts: list[Text | Table] = [reply, Text("")]
    verdict = "refusal" if analysis.is_refusal else "not a refusal"
    parts.append(
        Text.assemble(
            ("Score ", "bold"),
            (f"{analysis.score}/100", "bold green" if analysis.score >= 70 else "bold red"),
            f"  ·  {verdict}  ·  politeness {analysis.politeness:.2f}  ·  ",
            f"{_n(analysis.counts.words, 'word')}, {_n(analysis.counts.apologies, 'apology', 'apologies')}, "
            f"{_n(analysis.counts.alternatives, 'alternative')}",
        )
    )
    parts.append(Text(""))
    if analysis.findings:
        for i, f in enumerate(analysis.findings, 1):
            quote = for_terminal(analysis.text[f.start : f.end])
            if len(quote) > 70:
                quote = quote[:67] + "…"
            parts.append(
                Text.assemble(
                    (f"{i}. {f.level.upper():<11}", _STYLE[f.level].replace(" underline", "")),
                    (f"{f.rule}", "dim"),
                    f"  [{f.start}:{f.end}] ",
                    (f"“{quote}”", "italic"),
                )
            )
            parts.append(Text(f"   {f.message}"))
            parts.append(Text(f"   → {f.suggestion}", style="green"))
    else:
        parts.append(Text("No findings.", style="green"))
    table = Table(title="Characteristics", show_edge=False, pad_edge=False)
    table.add_column("characteristic")
    table.add_column("score", justify="right")
    table.add_column("", min_width=10)
    for name, cs in analysis.characteristics.items():
        if not cs.applicable or cs.score is None:
            table.add_row(name, "n/a", Text("not judged", style="dim"))
        else:
            bar = "█" * round(cs.score * 10)
            table.add_row(name, f"{cs.score:.2f}", Text(bar, style="green" if cs.score >= 0.7 else "red"))
    parts += [Text(""), table]
    return Group(*parts)


def print_report(analysis: Analysis, console: Console | None = None) -> None:
    (console or Console()).print(render(analysis))
