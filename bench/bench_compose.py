"""Benchmark understand + decide + compose (deterministic) and rewrite, per customer message.

Run from the repository root with the project's virtualenv (vaderSentiment installed:
``pip install -e '.[bench]'``)::

    .venv/bin/python bench/bench_compose.py            # 300 runs per step
    .venv/bin/python bench/bench_compose.py --runs 50  # quicker

Target: the median of understand + decide + compose under 20 ms per message. The peer, on the
same messages in the same run, is VADER's ``polarity_scores`` (a sentiment read of the message
only): the ratio says how many VADER reads one full tactful draft costs, which carries from a
noisy machine to another better than absolute times do. Messages are written here, covering
refunds in and out of the window, a discount, a feature request and a public threat.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

from tactful.composer import compose, rewrite
from tactful.kb import STORE_EXAMPLE, load_kb

MESSAGES = [
    (
        "Hi, I bought the Aurora blender (order 5521) on March 3 and it stopped heating last week. It's "
        "been six weeks. Money is tight right now, so I'd really like a refund.",
        {"purchase_date": "2026-09-01", "today": "2026-11-23", "amount": 89.0},
    ),
    (
        "I want a refund for order #A1234, the blue jacket does not fit. I only got it last week.",
        {"purchase_date": "2026-11-15", "today": "2026-11-23", "amount": 80},
    ),
    (
        "Can I get a 20% discount on my next order? Your competitor sells it cheaper.",
        {"today": "2026-11-23"},
    ),
    (
        "Please add dark mode to the app, I use it at night and it hurts my eyes.",
        {"today": "2026-11-23"},
    ),
    (
        "This is ridiculous. Refund order 7781 now or I'll post a review everywhere and call my bank!",
        {"purchase_date": "2026-08-01", "today": "2026-11-23", "amount": 240},
    ),
]
DRAFT = (
    "Unfortunately we CANNOT refund this, as I already said it's against our policy. Sorry! So sorry again."
)
TARGET_MS = 20.0


def timed(fn: Callable[[], object], runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=300, help="runs per message and step")
    args = parser.parse_args()
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    kb = load_kb(STORE_EXAMPLE)
    vader = SentimentIntensityAnalyzer()
    for message, facts in MESSAGES:  # warm caches: lexicons, templates, compiled patterns
        compose(message, facts, kb)
        vader.polarity_scores(message)
    per_run = max(1, args.runs // len(MESSAGES))
    draft_ms: list[float] = []
    rewrite_ms: list[float] = []
    vader_ms: list[float] = []
    for message, facts in MESSAGES:
        draft_ms += timed(lambda m=message, f=facts: compose(m, f, kb), per_run)
        rewrite_ms += timed(lambda m=message, f=facts: rewrite(DRAFT, m, f, kb), per_run)
        vader_ms += timed(lambda m=message: vader.polarity_scores(m), per_run)
    draft_med, vader_med = statistics.median(draft_ms), statistics.median(vader_ms)
    print(f"messages: {len(MESSAGES)}, runs per step: {per_run * len(MESSAGES)}")
    print(f"understand + decide + compose   median {draft_med:6.2f} ms   p95 {_p95(draft_ms):6.2f} ms")
    print(
        f"rewrite (agent draft + KB)      median {statistics.median(rewrite_ms):6.2f} ms   "
        f"p95 {_p95(rewrite_ms):6.2f} ms"
    )
    print(f"peer: VADER polarity_scores     median {vader_med:6.3f} ms")
    print(f"ratio compose / VADER: {draft_med / vader_med:.1f}x")
    verdict = "met" if draft_med < TARGET_MS else "NOT met"
    print(f"target: compose median < {TARGET_MS:g} ms: {verdict}")


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1]


if __name__ == "__main__":
    main()
