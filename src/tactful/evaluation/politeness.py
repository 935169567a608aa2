"""Politeness on the Stanford Politeness Corpus with the paper's binary task.

Within each domain: requests in the top and bottom quartile of the normalized score; the
cut is the median prediction (the same protocol as ``../shared/tools/devcheck.py``). The
shipped model was trained on these very files, so its accuracy here is in-sample; the
honest figure is the cross-validated one that ``scripts/train_politeness.py`` measures and
stores in the model file, and both are reported.
"""

from __future__ import annotations

import csv
import json
from importlib import resources
from pathlib import Path
from typing import Any

from tactful.analyzer.core import analyze

DOMAINS = {"wikipedia": "wikipedia.dev.csv", "stack-exchange": "stack-exchange.dev.csv"}
PAPER = {"wikipedia": (0.838, 0.867), "stack-exchange": (0.782, 0.809)}  # classifier, humans


def binary_accuracy(rows: list[tuple[float, float]]) -> tuple[float, int]:
    """``rows`` of (gold normalized score, predicted politeness) for one domain."""
    gold = sorted(g for g, _ in rows)
    q1, q3 = gold[len(gold) // 4], gold[3 * len(gold) // 4]
    extremes = [(g, p) for g, p in rows if g <= q1 or g >= q3]
    preds = sorted(p for _, p in extremes)
    cut = preds[len(preds) // 2]
    correct = sum((p >= cut) == (g >= q3) for g, p in extremes)
    return correct / len(extremes), len(extremes)


def cross_validated() -> dict[str, float]:
    """The per-domain CV accuracy the training script measured and stored beside the weights."""
    raw = (resources.files("tactful.analyzer") / "politeness_model.json").read_text(encoding="utf-8")
    cv = json.loads(raw).get("cv", {})
    return {d: float(cv[d]["accuracy"]) for d in DOMAINS if isinstance(cv.get(d), dict)}


def evaluate(data_dir: Path) -> dict[str, Any]:
    folder = Path(data_dir) / "politeness"
    if not folder.is_dir():
        raise FileNotFoundError(f"{folder}: politeness data folder not found")
    result: dict[str, Any] = {"in_sample": {}, "cross_validated": cross_validated()}
    for domain, name in DOMAINS.items():
        with open(folder / name, encoding="utf-8", newline="") as f:
            rows = [
                (float(r["Normalized Score"]), analyze(r["Request"]).politeness) for r in csv.DictReader(f)
            ]
        acc, n = binary_accuracy(rows)
        result["in_sample"][domain] = {"accuracy": acc, "requests": n}
    return result


def format_report(result: dict[str, Any]) -> str:
    lines = [
        "| domain | cross-validated | shipped model, in-sample | paper classifier | humans |",
        "|---|---:|---:|---:|---:|",
    ]
    for domain in DOMAINS:
        cv = result["cross_validated"].get(domain)
        cv_text = f"**{cv:.3f}**" if isinstance(cv, int | float) else "not recorded"
        ins = result["in_sample"][domain]
        paper, humans = PAPER[domain]
        in_sample = f"{ins['accuracy']:.3f} ({ins['requests']} requests)"
        lines.append(f"| {domain} | {cv_text} | {in_sample} | {paper} | {humans} |")
    return "\n".join(lines)
