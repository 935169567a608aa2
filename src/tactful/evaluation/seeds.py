"""Does the overall score order every before/after phrasing in the seeds correctly?"""

from __future__ import annotations

from importlib import resources
from typing import Any

from tactful.analyzer.core import analyze
from tactful.yamldata import load_yaml


def load_pairs() -> list[dict[str, Any]]:
    text = (resources.files("tactful.evaluation") / "seed_pairs.yml").read_text(encoding="utf-8")
    pairs: list[dict[str, Any]] = load_yaml(text)
    return pairs


def evaluate() -> dict[str, Any]:
    rows = []
    for pair in load_pairs():
        customer = pair.get("customer")
        before = analyze(pair["before"], customer).score
        after = analyze(pair["after"], customer).score
        rows.append({**pair, "before_score": before, "after_score": after, "ordered": after > before})
    return {"pairs": rows, "ordered": sum(r["ordered"] for r in rows), "total": len(rows)}


def format_report(result: dict[str, Any]) -> str:
    lines = [
        f"Seed before/after pairs ordered correctly: **{result['ordered']} of {result['total']}**",
        "",
        "| source | before | score | after | score |",
        "|---|---|---:|---|---:|",
    ]
    for r in result["pairs"]:
        lines.append(
            f"| {r['source']} | {r['before']} | {r['before_score']} | {r['after']} | {r['after_score']} |"
        )
    return "\n".join(lines)
