"""The team report, written from ``turns.jsonl`` in one streaming pass: per-agent and
per-characteristic CSV tables, ``summary.json``, and ``report.html`` (offline, inline SVG charts,
the worst and best refusals with their findings highlighted).

Memory is bounded by the number of agents and days, not by the number of turns: only running sums,
a histogram and the few worst/best turns are kept.
"""

from __future__ import annotations

import csv
import heapq
import json
import os
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from tactful.contract import CHARACTERISTICS
from tactful.qa.checkpoint import PROBLEMS, TURNS, Totals
from tactful.qa.pipeline import period
from tactful.sanitize import csv_row

SHOWN = 5  # worst and best refusals shown in full
PROBLEMS_SHOWN = 50
AGENTS_SHOWN = 20
FINDINGS_SHOWN = 12


@dataclass(slots=True)
class _Means:
    sums: dict[str, float] = field(default_factory=lambda: dict.fromkeys(CHARACTERISTICS, 0.0))
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(CHARACTERISTICS, 0))

    def add(self, characteristics: dict[str, Any]) -> None:
        for name, value in characteristics.items():
            score = value.get("score") if isinstance(value, dict) else None
            if score is not None and name in self.sums:
                self.sums[name] += score
                self.counts[name] += 1

    def mean(self, name: str) -> float | None:
        return self.sums[name] / self.counts[name] if self.counts[name] else None


@dataclass(slots=True)
class _Agent:
    refusals: int = 0
    score_sum: int = 0
    means: _Means = field(default_factory=_Means)
    levels: Counter[str] = field(default_factory=Counter)
    rules: Counter[str] = field(default_factory=Counter)


@dataclass(slots=True)
class Aggregate:
    """Running sums over the analyzed turns."""

    refusals: int = 0
    score_sum: int = 0
    histogram: list[int] = field(default_factory=lambda: [0] * 10)
    means: _Means = field(default_factory=_Means)
    findings: Counter[str] = field(default_factory=Counter)
    rule_characteristic: dict[str, str] = field(default_factory=dict)
    characteristic_findings: Counter[str] = field(default_factory=Counter)
    agents: dict[str, _Agent] = field(default_factory=dict)
    days: dict[str, list[int]] = field(default_factory=dict)
    worst: list[tuple[int, int, dict[str, Any]]] = field(default_factory=list)
    best: list[tuple[int, int, dict[str, Any]]] = field(default_factory=list)
    bad_lines: int = 0

    def add(self, record: dict[str, Any], index: int) -> None:
        analysis = record["analysis"]
        score = int(analysis["score"])
        self.refusals += 1
        self.score_sum += score
        self.histogram[min(9, score // 10)] += 1
        self.means.add(analysis["characteristics"])
        agent = self.agents.setdefault(str(record.get("agent") or "(unknown)"), _Agent())
        agent.refusals += 1
        agent.score_sum += score
        agent.means.add(analysis["characteristics"])
        for finding in analysis["findings"]:
            rule = finding["rule"]
            self.findings[rule] += 1
            self.rule_characteristic[rule] = finding["characteristic"]
            self.characteristic_findings[finding["characteristic"]] += 1
            agent.levels[finding["level"]] += 1
            agent.rules[rule] += 1
        day = period(record.get("replied_at"))
        if day is not None:
            slot = self.days.setdefault(day, [0, 0])
            slot[0] += 1
            slot[1] += score
        # Keep the SHOWN lowest and highest scores; ties go to the earlier turn.
        _keep(self.worst, (-score, -index, record))
        _keep(self.best, (score, -index, record))


def _keep(heap: list[tuple[int, int, dict[str, Any]]], entry: tuple[int, int, dict[str, Any]]) -> None:
    if len(heap) < SHOWN:
        heapq.heappush(heap, entry)
    elif entry[:2] > heap[0][:2]:
        heapq.heapreplace(heap, entry)


def aggregate(out_dir: Path) -> Aggregate:
    agg = Aggregate()
    path = out_dir / TURNS
    if not path.exists():
        return agg
    with open(path, "rb") as f:
        for index, raw in enumerate(f):
            try:
                agg.add(orjson.loads(raw), index)
            except (orjson.JSONDecodeError, KeyError, TypeError, ValueError):
                agg.bad_lines += 1
    return agg


def _fmt(value: float | None, digits: int = 3) -> str:
    return "" if value is None else f"{value:.{digits}f}"


def write_tables(out_dir: Path, agg: Aggregate) -> None:
    """agents.csv and characteristics.csv (written to a temporary name, then renamed)."""
    rows = sorted(agg.agents.items(), key=lambda kv: (-kv[1].refusals, kv[0]))
    with _Atomic(out_dir / "agents.csv") as f:
        w = csv.writer(f)
        w.writerow(
            [
                "agent",
                "refusals",
                "mean_score",
                *CHARACTERISTICS,
                "errors",
                "warnings",
                "suggestions",
                "most_common_finding",
            ]
        )
        for name, a in rows:
            top = a.rules.most_common(1)
            levels = [a.levels["error"], a.levels["warning"], a.levels["suggestion"]]
            w.writerow(
                csv_row(  # the agent's name comes from the export: never a live formula
                    [name, a.refusals, f"{a.score_sum / a.refusals:.1f}"]
                    + [_fmt(a.means.mean(c)) for c in CHARACTERISTICS]
                    + [*levels, top[0][0] if top else ""]
                )
            )
    with _Atomic(out_dir / "characteristics.csv") as f:
        w = csv.writer(f)
        w.writerow(
            ["characteristic", "judged_turns", "mean_score", "findings", "most_common_finding", "count"]
        )
        for c in CHARACTERISTICS:
            rules = Counter({r: n for r, n in agg.findings.items() if agg.rule_characteristic[r] == c})
            top = rules.most_common(1)
            w.writerow(
                csv_row(
                    [
                        c,
                        agg.means.counts[c],
                        _fmt(agg.means.mean(c)),
                        agg.characteristic_findings[c],
                        top[0][0] if top else "",
                        top[0][1] if top else 0,
                    ]
                )
            )


class _Atomic:
    """Write to NAME.tmp and rename on success, so a report file is never half written."""

    def __init__(self, path: Path, mode: str = "w") -> None:
        self.path = path
        self.tmp = path.with_name(path.name + ".tmp")
        self.mode = mode

    def __enter__(self) -> Any:
        self.f = open(self.tmp, self.mode, encoding="utf-8", newline="")  # noqa: SIM115
        return self.f

    def __exit__(self, kind: object, *rest: object) -> None:
        self.f.close()
        if kind is None:
            os.replace(self.tmp, self.path)
        else:
            self.tmp.unlink(missing_ok=True)


def segments(text: str, findings: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """Split ``text`` at finding boundaries: (piece, rules covering it or '')."""
    spans = [
        (int(f["start"]), int(f["end"]), f["rule"])
        for f in findings
        if 0 <= f["start"] < f["end"] <= len(text)
    ]
    cuts = sorted({0, len(text), *(s for s, _, _ in spans), *(e for _, e, _ in spans)})
    out = []
    for a, b in zip(cuts, cuts[1:], strict=False):
        rules = sorted({r for s, e, r in spans if s <= a and b <= e})
        out.append((text[a:b], ", ".join(rules)))
    return out


def _trend_points(days: dict[str, list[int]]) -> tuple[str, list[tuple[str, int, float]]]:
    if not days:
        return "day", []
    unit, key = ("day", 10) if len(days) <= 90 else ("month", 7)
    grouped: dict[str, list[int]] = {}
    for day, (n, total) in days.items():
        slot = grouped.setdefault(day[:key], [0, 0])
        slot[0] += n
        slot[1] += total
    return unit, [(k, n, total / n) for k, (n, total) in sorted(grouped.items())]


def _problems(out_dir: Path) -> list[dict[str, Any]]:
    path = out_dir / PROBLEMS
    shown: list[dict[str, Any]] = []
    if path.exists():
        with open(path, encoding="utf-8", errors="replace") as f:
            for line in f:
                if len(shown) >= PROBLEMS_SHOWN:
                    break
                try:
                    shown.append(json.loads(line))
                except json.JSONDecodeError:
                    continue
    return shown


def _example(record: dict[str, Any]) -> dict[str, Any]:
    analysis = record["analysis"]
    return {
        "record": record,
        "score": analysis["score"],
        "segments": segments(record.get("text") or "", analysis["findings"]),
        "findings": sorted(analysis["findings"], key=lambda f: (f["start"], f["rule"])),
    }


def write_report(out_dir: Path, totals: Totals, *, export: str | list[str], fmt: str) -> Aggregate:
    """Write agents.csv, characteristics.csv, summary.json and report.html into ``out_dir``."""
    from jinja2 import Environment, PackageLoader, select_autoescape

    from tactful.qa import charts

    agg = aggregate(out_dir)
    write_tables(out_dir, agg)
    unit, points = _trend_points(agg.days)
    agents = sorted(agg.agents.items(), key=lambda kv: (-kv[1].refusals, kv[0]))
    mean = agg.score_sum / agg.refusals if agg.refusals else None
    summary = {
        "export": os.path.abspath(export)
        if isinstance(export, str)
        else [os.path.abspath(e) for e in export],
        "format": fmt,
        "conversations": totals.conversations,
        "agent_turns": totals.agent_turns,
        "customer_turns": totals.customer_turns,
        "bot_turns": totals.bot_turns,
        "notes_skipped": totals.notes,
        "refusals": totals.refusals,
        "problems": totals.problems,
        "mean_score": None if mean is None else round(mean, 1),
        "agents": len(agg.agents),
        "empty": totals.conversations == 0,
    }
    with _Atomic(out_dir / "summary.json") as f:
        json.dump(summary, f, indent=2)
    worst = [r for _, _, r in sorted(agg.worst, key=lambda e: (-e[0], -e[1]))]
    shown = {(r["conversation"], r["turn"]) for r in worst}
    # With few refusals the two lists would overlap: a turn is shown once, among the worst.
    best = [
        r
        for _, _, r in sorted(agg.best, key=lambda e: (-e[0], -e[1]))
        if (r["conversation"], r["turn"]) not in shown
    ]
    env = Environment(
        loader=PackageLoader("tactful.qa", "templates"), autoescape=select_autoescape(["html", "j2"])
    )
    html = env.get_template("report.html.j2").render(
        summary=summary,
        characteristics=CHARACTERISTICS,
        char_rows=[
            (c, agg.means.mean(c), agg.means.counts[c], agg.characteristic_findings[c])
            for c in CHARACTERISTICS
        ],
        agents=[(name, a.refusals, a.score_sum / a.refusals) for name, a in agents[:AGENTS_SHOWN]],
        agent_count=len(agents),
        histogram=charts.histogram(agg.histogram),
        profile=charts.heatmap(
            [(name, [a.means.mean(c) for c in CHARACTERISTICS]) for name, a in agents[:AGENTS_SHOWN]],
            list(CHARACTERISTICS),
            "each agent's mean score per characteristic",
        ),
        trend=charts.trend(points, f"mean score per {unit}"),
        trend_unit=unit,
        findings=charts.bars(agg.findings.most_common(FINDINGS_SHOWN), "most common findings"),
        worst=[_example(r) for r in worst],
        best=[_example(r) for r in best],
        problems=_problems(out_dir),
        color=charts.color,
    )
    with _Atomic(out_dir / "report.html") as f:
        f.write(html)
    return agg
