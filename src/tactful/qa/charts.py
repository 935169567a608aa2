"""Inline SVG charts for the offline report, drawn on the server: no JavaScript, no CDN.

Every label goes through ``markupsafe.escape`` (agent names and rule ids come from the export)."""

from __future__ import annotations

from markupsafe import Markup, escape

_FONT = 'font-family="system-ui, sans-serif" font-size="11"'


def _svg(width: int, height: int, body: list[str], label: str) -> Markup:
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" role="img" aria-label="{escape(label)}">' + "".join(body) + "</svg>"
    )


def color(value: float | None) -> str:
    """Red (0) through amber to green (1); grey when not judged."""
    if value is None:
        return "#e5e7eb"
    value = min(1.0, max(0.0, value))
    hue = int(120 * value)
    return f"hsl({hue}, 65%, {78 - 18 * value:.0f}%)"


def histogram(counts: list[int], label: str = "score distribution") -> Markup:
    """Bars for score bins 0-9, 10-19, ..., 90-100."""
    width, height, left, bottom = 560, 220, 40, 30
    top = max(counts) or 1
    bar = (width - left - 10) / len(counts)
    body = [
        f'<line x1="{left}" y1="{height - bottom}" x2="{width - 5}" y2="{height - bottom}" stroke="#999"/>'
    ]
    for i, n in enumerate(counts):
        h = (height - bottom - 20) * n / top
        x = left + i * bar
        y = height - bottom - h
        body.append(
            f'<rect x="{x + 2:.1f}" y="{y:.1f}" width="{bar - 4:.1f}" height="{h:.1f}" fill="{color(i / 9)}">'
            f"<title>{i * 10}-{i * 10 + 9 if i < 9 else 100}: {n}</title></rect>"
        )
        body.append(f'<text x="{x + bar / 2:.1f}" y="{y - 4:.1f}" text-anchor="middle" {_FONT}>{n}</text>')
        body.append(
            f'<text x="{x + bar / 2:.1f}" y="{height - bottom + 14}" text-anchor="middle" {_FONT}>'
            f"{i * 10}</text>"
        )
    body.append(f'<text x="{width / 2}" y="{height - 2}" text-anchor="middle" {_FONT}>score</text>')
    return _svg(width, height, body, label)


def heatmap(rows: list[tuple[str, list[float | None]]], columns: list[str], label: str) -> Markup:
    """One row per agent, one cell per characteristic, coloured by the mean score."""
    cell_w, cell_h, left, top = 62, 24, 170, 92
    width = left + cell_w * len(columns) + 10
    height = top + cell_h * len(rows) + 10
    body = []
    for j, name in enumerate(columns):
        x = left + j * cell_w + cell_w / 2
        body.append(
            f'<text transform="translate({x:.0f},{top - 6}) rotate(-40)" {_FONT}>{escape(name)}</text>'
        )
    for i, (agent, values) in enumerate(rows):
        y = top + i * cell_h
        short = agent if len(agent) <= 24 else agent[:23] + "…"
        body.append(f'<text x="{left - 6}" y="{y + 16}" text-anchor="end" {_FONT}>{escape(short)}</text>')
        for j, value in enumerate(values):
            x = left + j * cell_w
            shown = "–" if value is None else f"{value:.2f}"
            body.append(
                f'<rect x="{x}" y="{y}" width="{cell_w - 2}" height="{cell_h - 2}" fill="{color(value)}">'
                f"<title>{escape(agent)} · {escape(columns[j])}: {shown}</title></rect>"
                f'<text x="{x + cell_w / 2 - 1}" y="{y + 16}" text-anchor="middle" {_FONT}>{shown}</text>'
            )
    return _svg(width, height, body, label)


def trend(points: list[tuple[str, int, float]], label: str) -> Markup:
    """Mean score per period (line) over the number of refusals (bars)."""
    width, height, left, bottom, right = 760, 270, 40, 76, 40
    if not points:
        return Markup("")
    plot_h = height - bottom - 20
    step = (width - left - right) / len(points)
    most = max(n for _, n, _ in points) or 1
    body = [
        f'<line x1="{left}" y1="{height - bottom}" x2="{width - right}" y2="{height - bottom}" '
        'stroke="#999"/>',
        f'<text x="{left - 6}" y="24" text-anchor="end" {_FONT}>100</text>',
        f'<text x="{left - 6}" y="{height - bottom}" text-anchor="end" {_FONT}>0</text>',
    ]
    line = []
    every = max(1, len(points) // 12)
    for i, (name, n, mean) in enumerate(points):
        x = left + i * step
        h = plot_h * 0.5 * n / most
        body.append(
            f'<rect x="{x + 1:.1f}" y="{height - bottom - h:.1f}" width="{max(1.0, step - 2):.1f}" '
            f'height="{h:.1f}" fill="#cbd5e1">'
            f"<title>{escape(name)}: {n} refusals, mean {mean:.0f}</title></rect>"
        )
        line.append(f"{x + step / 2:.1f},{height - bottom - plot_h * mean / 100:.1f}")
        if i % every == 0:
            body.append(
                f'<text transform="translate({x + step / 2:.0f},{height - bottom + 12}) rotate(35)" {_FONT}>'
                f"{escape(name)}</text>"
            )
    body.append(f'<polyline points="{" ".join(line)}" fill="none" stroke="#2563eb" stroke-width="2"/>')
    for point in line:
        cx, cy = point.split(",")
        body.append(f'<circle cx="{cx}" cy="{cy}" r="2.5" fill="#2563eb"/>')
    return _svg(width, height, body, label)


def bars(items: list[tuple[str, int]], label: str) -> Markup:
    """Horizontal bars, largest first (the most common findings)."""
    if not items:
        return Markup("")
    row, left, width = 22, 300, 760
    height = row * len(items) + 10
    top = max(n for _, n in items) or 1
    body = []
    for i, (name, n) in enumerate(items):
        y = 5 + i * row
        w = (width - left - 60) * n / top
        body.append(f'<text x="{left - 6}" y="{y + 14}" text-anchor="end" {_FONT}>{escape(name)}</text>')
        body.append(f'<rect x="{left}" y="{y}" width="{w:.1f}" height="{row - 6}" fill="#f59e0b"/>')
        body.append(f'<text x="{left + w + 4:.1f}" y="{y + 13}" {_FONT}>{n}</text>')
    return _svg(width, height, body, label)
