"""How each entry point's time grows with its input: the ratio of its time on ten (or twenty) times
the text. Linear code gives about the size ratio; a quadratic step gives its square.

Run from the repository root with the project's virtualenv::

    .venv/bin/python bench/bench_scaling.py                       # 20,000 -> 200,000 characters
    .venv/bin/python bench/bench_scaling.py --small 20000 --large 400000 --shapes reply
    .venv/bin/python bench/bench_scaling.py --entries rewrite      # one entry point

The issue that asked for it (14) measured ``tactful.rewrite`` on 400,000 characters at 92x its time
on 20,000, where linear is 20x. Shapes: a real reply repeated (``reply``), the same in paragraphs,
and hostile texts (a long run of blanks, of exclamation marks, apologies, distinct links, unclosed
tags). Each time is the best of ``--runs`` runs. ``tests/test_linear_cost.py`` checks the same
thing at smaller sizes against a generous bound.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import tempfile
import time
from collections.abc import Callable
from itertools import count
from pathlib import Path

import tactful
from tactful.config import Config, Limits
from tactful.kb import STORE_EXAMPLE, load_kb
from tactful.store import open_store

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
REPLY = (EXAMPLES / "reply.txt").read_text(encoding="utf-8")
MESSAGE = (EXAMPLES / "customer.txt").read_text(encoding="utf-8")
FACTS = {"purchase_date": "2026-09-01", "today": "2026-11-23", "amount": 80}


def _repeat(unit: str, n: int, sep: str = " ") -> str:
    return (sep.join([unit] * (n // (len(unit) + len(sep)) + 1)))[:n]


SHAPES: dict[str, Callable[[int], str]] = {
    "reply": lambda n: _repeat(REPLY, n),
    "paragraphs": lambda n: _repeat(REPLY, n, "\n\n"),
    "blanks": lambda n: "We can't refund this" + " " * n + "sorry.",
    "marks": lambda n: "We CANNOT refund this" + "!" * n,
    "apologies": lambda n: _repeat("Sorry!", n),
    "links": lambda n: "".join(f"see http://a{i}.example.com/x " for i in range(n // 30)),
    "tags": lambda n: "<" * n,  # unclosed: what HTML bodies are read through
}


def entries(folder: str) -> dict[str, Callable[[str], object]]:
    from tactful.qa.formats._common import html_to_text
    from tactful.qa.pipeline import WorkItem, analyze_chunk

    kb = load_kb(STORE_EXAMPLE)
    config = Config(limits=Limits(max_chars=10_000_000))
    store = open_store(f"sqlite:///{folder}/bench.db", config=config)
    customers = count()

    def qa_turn(text: str) -> object:
        item = WorkItem("c1", "t1", "sam", "email", html_to_text(text), MESSAGE, None, None)
        return analyze_chunk([item], config)

    return {
        "analyze": lambda t: tactful.analyze(t, MESSAGE, config=config),
        "understand": tactful.understand,
        "compose": lambda t: tactful.compose(t, FACTS, kb, config=config),
        "rewrite": lambda t: tactful.rewrite(t, MESSAGE, facts=FACTS, kb=kb, config=config),
        "log_reply": lambda t: store.log_reply(f"c-{next(customers)}", t, customer_message=MESSAGE),
        "qa per turn": qa_turn,
    }


def best(fn: Callable[[str], object], text: str, runs: int) -> float:
    times = []
    for _ in range(runs):
        gc.collect()
        gc.disable()  # a collection of the whole heap would land on one run or the other
        start = time.perf_counter()
        with contextlib.suppress(ValueError):
            fn(text)
        times.append(time.perf_counter() - start)
        gc.enable()
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=20_000, help="characters of the small text")
    parser.add_argument("--large", type=int, default=200_000, help="characters of the large text")
    parser.add_argument("--runs", type=int, default=2, help="runs per size (the best counts)")
    parser.add_argument("--entries", help="comma-separated entry points (default: all)")
    parser.add_argument("--shapes", help=f"comma-separated shapes (default: all of {', '.join(SHAPES)})")
    args = parser.parse_args()
    size_ratio = args.large / args.small
    with tempfile.TemporaryDirectory() as folder:
        table = entries(folder)
        names = args.entries.split(",") if args.entries else list(table)
        shapes = args.shapes.split(",") if args.shapes else list(SHAPES)
        print(f"{args.small:,} -> {args.large:,} characters: linear is about x{size_ratio:g}")
        print(f"| entry point | shape | {args.small:,} ms | {args.large:,} ms | ratio |")
        print("|---|---|---:|---:|---:|")
        worst = 0.0
        for name in names:
            fn = table[name]
            fn(REPLY)  # warm caches
            for shape in shapes:
                small, large = SHAPES[shape](args.small), SHAPES[shape](args.large)
                t_small = best(fn, small, args.runs)
                t_large = best(fn, large, args.runs)
                ratio = t_large / max(t_small, 1e-3)
                worst = max(worst, ratio / size_ratio)
                print(f"| {name} | {shape} | {t_small * 1000:.1f} | {t_large * 1000:.1f} | {ratio:.1f}x |")
        print(f"\nworst ratio / size ratio: {worst:.2f} (1: linear; a quadratic step gives ~{size_ratio:g})")


if __name__ == "__main__":
    main()
