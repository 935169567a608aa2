"""Cut a reply into segments for inline highlighting (the server-side twin of the page script).

Templates print each segment's text through autoescape, so hostile text stays text; a segment
that falls under one or more findings carries their indexes and the most severe level.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

_SEVERITY = {"suggestion": 1, "warning": 2, "error": 3}


@dataclass(frozen=True, slots=True)
class Segment:
    text: str
    findings: tuple[int, ...] = ()
    level: str = ""

    @property
    def ids(self) -> str:
        return " ".join(f"f{i}" for i in self.findings)


def segments(text: str, findings: list[dict[str, Any]]) -> list[Segment]:
    """Split ``text`` at every finding boundary; empty and out-of-range spans are ignored."""
    spans = [
        (i, int(f["start"]), int(f["end"]), str(f.get("level", "")))
        for i, f in enumerate(findings)
        if 0 <= int(f["start"]) < int(f["end"]) <= len(text)
    ]
    cuts = sorted({0, len(text), *(s for _, s, _, _ in spans), *(e for _, _, e, _ in spans)})
    out: list[Segment] = []
    for a, b in zip(cuts, cuts[1:], strict=False):
        covering = [(i, lvl) for i, s, e, lvl in spans if s <= a and b <= e]
        if not covering:
            out.append(Segment(text[a:b]))
            continue
        level = max((lvl for _, lvl in covering), key=lambda lvl: _SEVERITY.get(lvl, 0))
        out.append(Segment(text[a:b], tuple(i for i, _ in covering), level))
    return out
