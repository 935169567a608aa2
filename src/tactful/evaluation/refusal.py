"""How well does ``find_refusals`` tell a failure notice from a success confirmation?

The protocol is the one ``shared/tools/devcheck.py refusal`` runs (and an independent evaluation runs on
unseen dialogues): every Schema-Guided Dialogue system turn that notifies a failure, plus as many
success confirmations drawn with ``random.Random(7).shuffle``; precision and recall of "is a refusal".
On top of it: the false-positive rate over *all* success turns, how many of the other (neither) turns
are flagged, and how many agent turns of the unlabelled real replies (TWCS + IBM) are flagged.

Run: ``python -m tactful.evaluation.refusal [DATA_DIR]`` (default ``../shared/data`` or
``$TACTFUL_SHARED_DATA``); prints a Markdown report.
"""

from __future__ import annotations

import csv
import json
import random
import sys
from pathlib import Path
from typing import Any

from tactful.analyzer.refusal import is_refusal
from tactful.evaluation import default_data_dir

__all__ = ["evaluate", "format_report", "real_reply_turns"]

SGD_FILE = Path("sgd-outcomes") / "system_turns.dev.csv"
TWCS_FILE = Path("real-replies") / "twcs_first_1000_rows.csv"
IBM_FILE = Path("real-replies") / "ibm_twitter_care_dev.json"


def _require(data_dir: Path, rel: Path) -> Path:
    path = data_dir / rel
    if not path.is_file():
        raise FileNotFoundError(
            f"refusal evaluation needs {rel} inside the shared data folder {data_dir} "
            f"(missing: {path}); set TACTFUL_SHARED_DATA or pass the folder explicitly"
        )
    return path


def _flagged(text: str) -> bool:
    return is_refusal(text)  # exactly what ``analyze`` decides


def real_reply_turns(data_dir: Path) -> dict[str, list[str]]:
    """Agent turns of the real replies: TWCS tweets with ``inbound=False``; IBM agent messages and the
    agent's closing ``url_utterance`` of each conversation."""
    with _require(data_dir, TWCS_FILE).open(encoding="utf-8", newline="") as f:
        twcs = [r["text"] for r in csv.DictReader(f) if r.get("inbound") == "False"]
    conversations = json.loads(_require(data_dir, IBM_FILE).read_text(encoding="utf-8"))
    ibm: list[str] = []
    for conv in conversations:
        ibm.extend(t["message"] for t in conv.get("dialogContent", []) if "agent" in t)
        closing = (conv.get("agentURL") or {}).get("url_utterance")
        if closing:
            ibm.append(closing)
    return {"twcs": twcs, "ibm": ibm}


def evaluate(data_dir: Path | None = None) -> dict[str, Any]:
    """Figures for the refusal detector on the shared data (raises FileNotFoundError if absent)."""
    data_dir = Path(data_dir) if data_dir is not None else default_data_dir()
    if not data_dir.is_dir():
        raise FileNotFoundError(f"shared data folder not found: {data_dir} (set TACTFUL_SHARED_DATA)")
    with _require(data_dir, SGD_FILE).open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    fail = [r for r in rows if r["notify_failure"] == "1"]
    succ = [r for r in rows if r["notify_success"] == "1"]
    other = [r for r in rows if r["notify_failure"] != "1" and r["notify_success"] != "1"]
    random.Random(7).shuffle(succ)
    sample_succ = succ[: len(fail)]

    tp = sum(_flagged(r["system_utterance"]) for r in fail)
    fp = sum(_flagged(r["system_utterance"]) for r in sample_succ)
    fp_all = sum(_flagged(r["system_utterance"]) for r in succ)
    other_flagged = sum(_flagged(r["system_utterance"]) for r in other)
    missed = [r["system_utterance"] for r in fail if not _flagged(r["system_utterance"])]

    real: dict[str, dict[str, int]] = {}
    for name, turns in real_reply_turns(data_dir).items():
        real[name] = {"turns": len(turns), "flagged": sum(_flagged(t) for t in turns)}

    return {
        "data_dir": str(data_dir),
        "sgd": {
            "failures": len(fail),
            "successes_sampled": len(sample_succ),
            "tp": tp,
            "fp": fp,
            "precision": tp / max(tp + fp, 1),
            "recall": tp / max(len(fail), 1),
            "success_turns": len(succ),
            "success_flagged": fp_all,
            "success_fp_rate": fp_all / max(len(succ), 1),
            "other_turns": len(other),
            "other_flagged": other_flagged,
            "other_flag_rate": other_flagged / max(len(other), 1),
            "missed_examples": missed[:10],
        },
        "real_replies": real,
        "real_flagged_total": sum(v["flagged"] for v in real.values()),
        "real_turns_total": sum(v["turns"] for v in real.values()),
    }


def format_report(result: dict[str, Any]) -> str:
    """The figures as Markdown."""
    s = result["sgd"]
    lines = [
        "### Schema-Guided Dialogue outcomes (devcheck protocol)",
        "",
        f"{s['failures']} failure notices + {s['successes_sampled']} success confirmations "
        "(`random.Random(7).shuffle`):",
        "",
        "| measure | value |",
        "|---|---|",
        f"| precision | **{s['precision']:.3f}** ({s['tp']} TP, {s['fp']} FP) |",
        f"| recall | **{s['recall']:.3f}** ({s['tp']} of {s['failures']}) |",
        f"| FP rate, all success turns | {s['success_fp_rate']:.4f} ({s['success_flagged']} of "
        f"{s['success_turns']}) |",
        f"| flagged among other (neither) turns | {s['other_flag_rate']:.4f} ({s['other_flagged']} of "
        f"{s['other_turns']}) |",
        "",
        "### Real replies (unlabelled agent turns)",
        "",
        "| corpus | agent turns | flagged |",
        "|---|---|---|",
    ]
    for name, v in result["real_replies"].items():
        lines.append(f"| {name} | {v['turns']} | {v['flagged']} |")
    lines.append(f"| total | {result['real_turns_total']} | {result['real_flagged_total']} |")
    if s["missed_examples"]:
        lines += ["", "### Some missed failure notices", ""]
        lines += [f"- {t}" for t in s["missed_examples"]]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    data_dir = Path(args[0]) if args else None
    try:
        result = evaluate(data_dir)
    except FileNotFoundError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(format_report(result), end="")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
