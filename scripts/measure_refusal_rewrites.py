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
import html
import json
import re
import sys
import time
from functools import cache
from pathlib import Path

import yaml

import tactful
from tactful.config import Config

# The yardstick is defined here, not borrowed from the composer it measures, so the same script
# measures another version of tactful too (PYTHONPATH=that/src): only tactful.rewrite is called.
ROOT = Path(__file__).resolve().parents[1]
DEFAULT = ROOT.parent / "shared/data/real-replies-labelled/labels.jsonl"
STOCK = ROOT / "src/tactful/composer/stock.yml"  # the stock lines, as data
TWEET_LIMIT = 280
URL = re.compile(r"\b(?:https?://|www\.)\S+", re.IGNORECASE)
_NUMBER = re.compile(r"\d+(?:[.,:/-]\d+)*")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
_HANDLE = re.compile(r"(?<![\w.])@\w+")
_LEAD = re.compile(r"\A\s*(?:\.?@\w+\s*)+")
# The agent's sign-off or initials and a thread marker at the very end: "^SA", "/OP", "*SR", "-Becky", "2/2".
_TAIL = re.compile(r"(?:\s[\^*~/][ \t]?[A-Z][A-Za-z]{0,14}|\s[-–—][ \t]?[A-Z][a-z]*)?(?:\s\(?\d/\d\)?)?\s*\Z")


def tweet_length(text: str) -> int:
    """Characters as Twitter counts them: every link is 23 (t.co)."""
    return len(URL.sub("x" * 23, text))


@cache
def _stock() -> re.Pattern[str]:
    patterns = yaml.safe_load(STOCK.read_text(encoding="utf-8"))["patterns"]
    return re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)


def stock_lines(text: str) -> list[str]:
    return [m.group(0).lower() for m in _stock().finditer(text.replace("’", "'"))]


def added_stock(before: str, after: str) -> list[str]:
    had = stock_lines(before)
    out = []
    for line in stock_lines(after):
        if line in had:
            had.remove(line)
        else:
            out.append(line)
    return out


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
        tail = _TAIL.search(reply)
        tail_before = tail.group(0).strip() if tail else ""
        cases.append(
            {
                "id": row["id"],
                "company": row.get("company", ""),
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
                "sign_off_last": not tail_before or r.text.rstrip().endswith(tail_before),
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
        f"score lowered: {f['score_lowered']}; "
        f"mean score {f['mean_score_before']:.1f} -> {f['mean_score_after']:.1f}",
        f"weak (score < threshold) changed: {pct(f['weak_changed'], f['weak'])}; "
        f"of those read as a no: {pct(f['weak_refusals_changed'], f['weak_refusals'])}",
        f"changed overall: {pct(f['changed'], f['rewrites'])}",
        f"@handle moved: {f['handle_moved']}; sign-off moved: {f['sign_off_moved']}; "
        f"link changed: {f['links_changed']}",
        f"over 280 (Twitter's count, links 23): {f['over_280_twitter']} "
        f"of the {f['fit_before']} that fitted; "
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


_GREETED = re.compile(
    r"(?i:\b(?:hi|hey|hello|dear|good (?:morning|afternoon|evening))\b)[ \t]+(?!there\b|again\b)([A-Z][a-z]+)"
)
_SIGNED = re.compile(r"(\s[\^\-–])([A-Z][a-z]{3,})(\s+\d/\d)?\s*\Z")


def anonymised(text: str, lead: str) -> str:
    """A case as the gallery shows it: handles, greeted names and signed names replaced, links elided."""
    text = URL.sub("<link>", html.unescape(text))
    text = _LEAD.sub(lead + " ", text) if _LEAD.match(text) else text
    text = _HANDLE.sub(lambda m: m.group(0) if m.group(0) == lead else "@…", text)
    text = _GREETED.sub(lambda m: m.group(0)[: m.start(1) - m.start(0)] + "[name]", text)
    text = _SIGNED.sub(lambda m: m.group(1) + "[agent]" + (m.group(3) or ""), text)
    return " ".join(text.split())


def gallery(cases: list[dict], n: int) -> str:
    """Markdown for ``n`` changed cases, one per company, in file order (docs/compose.md)."""
    seen: set[str] = set()
    out = []
    for c in cases:
        if not c["changed"] or c["company"] in seen or len(out) == n:
            continue
        seen.add(c["company"])
        out.append(
            f"{len(out) + 1}. `{c['id']}` · score {c['score_before']} → {c['score_after']}\n\n"
            f"   - **Customer:** {anonymised(c['customer'], '@brand')}\n"
            f"   - **Before:** {anonymised(c['reply'], '@customer')}\n"
            f"   - **After:** {anonymised(c['rewrite'], '@customer')}\n"
        )
    return "\n".join(out)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--labels", type=Path, default=DEFAULT)
    ap.add_argument("--show", type=int, default=0, help="print N changed rewrites, before and after")
    ap.add_argument("--json", action="store_true", help="every case as JSON lines instead of the summary")
    ap.add_argument("--gallery", type=int, default=0, help="print N changed cases as anonymised Markdown")
    args = ap.parse_args()
    if not args.labels.exists():
        print(f"{args.labels}: not found (the shared data lives in ../shared/data)", file=sys.stderr)
        return 2
    rows = [json.loads(line) for line in args.labels.open(encoding="utf-8") if line.strip()]
    rows = [r for r in rows if r.get("is_refusal")]
    figures, cases = measure(rows, Config())
    if args.gallery:
        print(gallery(cases, args.gallery))
        return 0
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
