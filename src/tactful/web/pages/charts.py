"""Inline SVG charts computed on the server: geometry here, markup in ``_charts.html``.

No chart library and no script: the numbers become coordinates, every point and bar is a link
to the conversations behind it, and labels go through autoescape like any other text.
"""

from __future__ import annotations

from dataclasses import dataclass, field

PALETTE = (
    "#2457c5",
    "#d9480f",
    "#2b8a3e",
    "#862e9c",
    "#e67700",
    "#0b7285",
    "#c2255c",
    "#5c940d",
    "#364fc7",
    "#a61e4d",
    "#495057",
)


@dataclass(frozen=True, slots=True)
class Point:
    label: str
    value: float | None
    href: str = ""
    note: str = ""


@dataclass(slots=True)
class Series:
    name: str
    points: list[Point]


@dataclass(frozen=True, slots=True)
class Dot:
    x: float
    y: float
    value: float
    label: str
    href: str
    title: str


@dataclass(slots=True)
class Line:
    name: str
    color: str
    swatch: int
    path: str
    dots: list[Dot] = field(default_factory=list)


@dataclass(slots=True)
class LineChart:
    width: int
    height: int
    lines: list[Line]
    xlabels: list[tuple[float, str]]
    ygrid: list[tuple[float, str]]
    left: int
    bottom: float
    right: float

    @property
    def empty(self) -> bool:
        return not any(line.dots for line in self.lines)


@dataclass(frozen=True, slots=True)
class Bar:
    label: str
    value: float
    text: str
    href: str
    x: float
    y: float
    w: float
    h: float
    color: str


@dataclass(slots=True)
class BarChart:
    width: int
    height: int
    bars: list[Bar]
    label_width: int

    @property
    def empty(self) -> bool:
        return not self.bars


def _fmt(value: float) -> str:
    return f"{value:.0f}" if abs(value - round(value)) < 1e-9 or abs(value) >= 10 else f"{value:.1f}"


def line_chart(
    series: list[Series], *, y_max: float = 100.0, width: int = 460, height: int = 220, unit: str = ""
) -> LineChart:
    """Lines over shared x labels (in the order first seen); ``None`` values leave a gap."""
    left, right, top, bottom = 34, 34, 10, height - 26
    labels: list[str] = []
    for s in series:
        for p in s.points:
            if p.label not in labels:
                labels.append(p.label)
    n = max(len(labels), 1)
    step = (width - left - right) / max(n - 1, 1)
    xs = {lab: left + (i * step if n > 1 else (width - left - right) / 2) for i, lab in enumerate(labels)}

    def y_of(v: float) -> float:
        return bottom - (min(max(v, 0.0), y_max) / y_max) * (bottom - top)

    lines: list[Line] = []
    for i, s in enumerate(series):
        dots: list[Dot] = []
        parts: list[str] = []
        pen_down = False
        for p in s.points:
            if p.value is None:
                pen_down = False
                continue
            x, y = round(xs[p.label], 1), round(y_of(p.value), 1)
            parts.append(f"{'L' if pen_down else 'M'}{x},{y}")
            pen_down = True
            title = f"{s.name} · {p.label}: {_fmt(p.value)}{unit}" + (f" ({p.note})" if p.note else "")
            dots.append(Dot(x, y, p.value, p.label, p.href, title))
        color = PALETTE[i % len(PALETTE)]
        lines.append(Line(s.name, color, i % len(PALETTE), " ".join(parts), dots))
    every = max(1, -(-len(labels) // 6))
    xlabels = [(round(xs[lab], 1), lab) for j, lab in enumerate(labels) if j % every == 0]
    ygrid = [(round(y_of(y_max * f), 1), _fmt(y_max * f)) for f in (0, 0.25, 0.5, 0.75, 1.0)]
    return LineChart(width, height, lines, xlabels, ygrid, left, bottom, width - right)


def bar_chart(
    points: list[Point],
    *,
    max_value: float | None = None,
    width: int = 640,
    label_width: int = 180,
    unit: str = "",
) -> BarChart:
    """Horizontal bars, one per point, in the order given; values are printed at the bar's end."""
    row, gap = 22, 6
    usable = width - label_width - 50
    top = max((p.value or 0.0 for p in points), default=0.0)
    scale = max_value if max_value else (top or 1.0)
    bars: list[Bar] = []
    for i, p in enumerate(points):
        value = p.value or 0.0
        w = max(1.0, usable * min(value, scale) / scale)
        bars.append(
            Bar(
                label=p.label,
                value=value,
                text=_fmt(value) + unit,
                href=p.href,
                x=label_width,
                y=i * (row + gap),
                w=round(w, 1),
                h=row,
                color=PALETTE[0],
            )
        )
    return BarChart(width, max(len(points) * (row + gap), row), bars, label_width)
