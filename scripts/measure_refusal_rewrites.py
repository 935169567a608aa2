"""Rewrite real refusals as tweets, without a KB, and measure what issue 12 (item 7) asks of the result.

Usage:
    .venv/bin/python scripts/measure_refusal_rewrites.py [--labels FILE] [--show N] [--json]

The set: every pair a reviewer labelled ``is_refusal`` in ``../shared/data/real-replies-labelled/
labels.jsonl`` (or ``--labels``, any file of the same shape), each rewritten with
``tactful.rewrite(reply, customer, channel="social")`` and no KB. Figures:

- every no kept: each reply the analyzer reads as a refusal (``is_refusal``) still is one after;
- nothing invented: no number, URL, e-mail address or @handle in a rewrite that is in neither the reply
  nor the customer's message;
- the score never lower than the reply's;
- weak replies changed: a reply is weak when it scores under the team threshold (``min_score``, 70 by
  default); reported for every weak reply, and for the weak ones the analyzer reads as refusals (the
  ones with findings a rewrite may act on);
- the @handles still first, the sign-off or initials still last, every link byte for byte;
- at most 280 characters as Twitter counts them (a link is 23) where the reply was, and never longer
  than a reply that was already over; plain character counts are printed too;
- no stock line added (``composer/stock.yml``).

Prints one line per figure and ``verdict: …`` last; exit status 1 when an aim is missed.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from pathlib import Path

import tactful
from tactful.composer.frame import TWEET_LIMIT, URL, Frame, tweet_length
from tactful.composer.stock import added_stock
from tactful.config import Config

DEFAULT = Path(__file__).resolve().parents[1].parent / "shared/data/real-replies-labelled/labels.jsonl"
_NUMBER = re.compile(r"\d+(?:[.,:/-]\d+)*")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
_HANDLE = re.compile(r"(?<![\w.])@\w+")
_LEAD = re.compile(r"\A\s*(?:\.?@\w+\s*)+")


def invented(reply: str, customer: str, rewritten: str) -> list[str]:
    """Numbers, links, e-mail addresses and handles in ``rewritten`` found in neither input."""
    known = reply + "\n" + customer
    out: list[str] = []
    for pattern in (URL, _EMAIL, _HANDLE):
        out += [m for m in pattern.findall(rewritten) if m not in known]
    masked = URL.sub(" ", rewritten)
    known_numbers = set(_NUMBER.findall(known))
    out += [n for n in _NUMBER.findall(masked) if n not in known_numbers]
    return out


def measure(rows: list[dict], config: Config) -> tuple[dict, list[dict]]:
    threshold = config.thresholds.min_score
    cases: list[dict] = []
    started = time.perf_counter()
    for row in rows:
        reply, customer = row["reply"], row.get("customer") or ""
        r = tactful.rewrite(reply, customer or None, channel="social", config=config)
        before, after = r.before, r.analysis
        frame_before, frame_after = Frame.of(reply), Frame.of(r.text)
        tail_before = reply[frame_before.body_end :].strip()
        cases.append(
            {
                "id": row["id"],
                "reply": reply,
                "customer": customer,
                "rewrite": r.text,
                "changed": r.text != reply,
                "score_before": before["score"],
                "score_after": after["score"],
                "refusal_before": before["is_refusal"],
                "refusal_after": after["is_refusal"],
                "weak": before["score"] < threshold,
                "invented": invented(reply, customer, r.text),
                "handle_first": (_LEAD.match(reply) is None)
                or r.text.startswith(_LEAD.match(reply).group(0).strip()),  # type: ignore[union-attr]
                "sign_off_last": not tail_before or r.text[frame_after.body_end :].strip() == tail_before,
                "links_kept": all(u in r.text for u in URL.findall(reply)),
                "chars": len(r.text),
                "tweet_chars": tweet_length(r.text),
                "tweet_chars_before": tweet_length(reply),
                "stock_added": added_stock(reply, r.text),
                "changes": [c.to_dict() for c in r.changes],
                "notes": r.notes,
            }
        )
    elapsed = time.perf_counter() - started
    n = len(cases)
    read_as_no = [c for c in cases if c["refusal_before"]]
    weak = [c for c in cases if c["weak"]]
    weak_no = [c for c in weak if c["refusal_before"]]
    fits = [c for c in cases if c["tweet_chars_before"] <= TWEET_LIMIT]
    figures = {
        "rewrites": n,
        "no_kept": sum(c["refusal_after"] for c in read_as_no),
        "read_as_no": len(read_as_no),
        "invented": sum(bool(c["invented"]) for c in cases),
        "score_lowered": sum(c["score_after"] < c["score_before"] for c in cases),
        "weak": len(weak),
        "weak_changed": sum(c["changed"] for c in weak),
        "weak_refusals": len(weak_no),
        "weak_refusals_changed": sum(c["changed"] for c in weak_no),
        "changed": sum(c["changed"] for c in cases),
        "mean_score_before": sum(c["score_before"] for c in cases) / max(1, n),
        "mean_score_after": sum(c["score_after"] for c in cases) / max(1, n),
        "handle_moved": sum(not c["handle_first"] for c in cases),
        "sign_off_moved": sum(not c["sign_off_last"] for c in cases),
        "links_changed": sum(not c["links_kept"] for c in cases),
        "over_280_twitter": sum(c["tweet_chars"] > TWEET_LIMIT for c in fits),
        "fit_before": len(fits),
        "grew_past_original": sum(
            c["tweet_chars"] > c["tweet_chars_before"] for c in cases if c["tweet_chars_before"] > TWEET_LIMIT
        ),
        "over_280_plain": sum(c["chars"] > TWEET_LIMIT for c in cases),
        "over_280_plain_before": sum(len(c["reply"]) > TWEET_LIMIT for c in cases),
        "stock_added": sum(bool(c["stock_added"]) for c in cases),
        "ms_per_rewrite": 1000 * elapsed / max(1, n),
    }
    return figures, cases


def report(f: dict) -> tuple[list[str], list[str]]:
    pct = lambda a, b: f"{a}/{b} ({100 * a / b:.0f}%)" if b else "0/0"  # noqa: E731
    lines = [
        f"rewrites: {f['rewrites']} real refusals as tweets, no KB ({f['ms_per_rewrite']:.1f} ms each)",
        f"every no kept: {pct(f['no_kept'], f['read_as_no'])} of the replies the analyzer reads as a no",
        f"invented number, link, e-mail or handle: {f['invented']}",
        f"score lowered: {f['score_lowered']}; mean score {f['mean_score_before']:.1f} -> {f['mean_score_after']:.1f}",
        f"weak (score < threshold) changed: {pct(f['weak_changed'], f['weak'])}; "
        f"of those read as a no: {pct(f['weak_refusals_changed'], f['weak_refusals'])}",
        f"changed overall: {pct(f['changed'], f['rewrites'])}",
        f"@handle moved: {f['handle_moved']}; sign-off moved: {f['sign_off_moved']}; link changed: {f['links_changed']}",
        f"over 280 (Twitter's count, links 23): {f['over_280_twitter']} of the {f['fit_before']} that fitted; "
        f"longer than an original already over: {f['grew_past_original']}",
        f"over 280 plain characters: {f['over_280_plain']} (originals: {f['over_280_plain_before']})",
        f"stock line added: {f['stock_added']}",
    ]
    missed = []
    if f["no_kept"] < f["read_as_no"]:
        missed.append("a no was lost")
    if f["invented"]:
        missed.append("something was invented")
    if f["score_lowered"]:
        missed.append("a score dropped")
    if f["weak_refusals"] and f["weak_refusals_changed"] < 0.9 * f["weak_refusals"]:
        missed.append("fewer than 90% of the weak refusals changed")
    if f["handle_moved"] or f["sign_off_moved"] or f["links_changed"]:
        missed.append("the frame moved")
    if f["over_280_twitter"] or f["grew_past_original"]:
        missed.append("over 280")
    if f["stock_added"]:
        missed.append("a stock line was added")
    return lines, missed


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--labels", type=Path, default=DEFAULT)
    ap.add_argument("--show", type=int, default=0, help="print N changed rewrites, before and after")
    ap.add_argument("--json", action="store_true", help="every case as JSON lines instead of the summary")
    args = ap.parse_args()
    if not args.labels.exists():
        print(f"{args.labels}: not found (the shared data lives in ../shared/data)", file=sys.stderr)
        return 2
    rows = [json.loads(line) for line in args.labels.open(encoding="utf-8") if line.strip()]
    rows = [r for r in rows if r.get("is_refusal")]
    figures, cases = measure(rows, Config())
    if args.json:
        for c in cases:
            print(json.dumps(c, ensure_ascii=False))
        return 0
    lines, missed = report(figures)
    print("\n".join(lines))
    for c in [c for c in cases if c["changed"]][: args.show]:
        print(
            f"\n--- {c['id']}  {c['score_before']} -> {c['score_after']}\n{c['reply']}\n+++\n{c['rewrite']}"
        )
    print("verdict: " + ("all aims met" if not missed else "missed: " + "; ".join(missed)))
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
