"""Benchmark tactful's analyzer: cold start, single-reply latency, batch throughput, and peers.

Run from the repository root with the project's virtualenv (proselint and vaderSentiment installed,
``pip install -e '.[bench]'``)::

    .venv/bin/python bench/bench_analyze.py            # full run (100,000 replies through `tactful batch`)
    .venv/bin/python bench/bench_analyze.py --quick    # smaller run, a minute or so
    .venv/bin/python bench/bench_analyze.py --profile  # also cProfile the single-reply loop

Peers run on the same texts in the same run, and the script prints ratios: these machines are noisy,
absolute times do not carry from one run to the next. The replies are the agent tweets of the TWCS
sample (``inbound == False``) and the agent turns of the IBM customer-care dev set, from
``../shared/data/real-replies`` (or ``$TACTFUL_SHARED_DATA/real-replies``). Their text is never printed.
"""

from __future__ import annotations

import argparse
import cProfile
import csv
import io
import json
import os
import platform
import pstats
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("TACTFUL_SHARED_DATA", ROOT.parent / "shared" / "data"))

# An ~80-word refusal that exercises most of the rubric (ack, reason, alternatives, follow-up, thanks).
REPLY = (
    "Hi Dana, thank you for reaching out about order #4521 and the blue wool jacket. I understand how "
    "frustrating it is when a gift arrives after the birthday. Unfortunately we can't refund orders after "
    "30 days, because our returns policy only covers the first month after delivery. What I can do is "
    "exchange it for another size or colour, or give you store credit for the full amount. Just reply "
    "with the option you prefer and I'll set it up today."
)
CUSTOMER = (
    "My order 4521, the blue wool jacket, came two weeks late and missed the birthday. I want a refund."
)

_THIRD_PARTY = ("pydantic", "pydantic_core", "yaml", "click", "rich", "typing_extensions")
HEAVY = ("numpy", "scipy", "sklearn", "torch", "pandas", "tensorflow", "spacy", "nltk", "transformers")

TARGETS = {
    "cold": 0.5,  # s, import tactful + first analyze()
    "median_ms": 1.0,  # single reply
    "batch_2": 5000.0,  # replies/s through `tactful batch` on 2 cores
    "vs_proselint": 10.0,  # tactful single-process / proselint
}

_COLD_CODE = """
import json, sys, time
t0 = time.perf_counter()
import tactful
t1 = time.perf_counter()
tactful.analyze({reply!r}, {customer!r})
t2 = time.perf_counter()
heavy = sorted(m for m in {heavy!r} if m in sys.modules)
print(json.dumps({{"import": t1 - t0, "first": t2 - t1, "heavy": heavy, "modules": len(sys.modules)}}))
"""


# --------------------------------------------------------------------------------------------------
# Data


def load_replies() -> list[str]:
    """Agent replies from the shared real-replies folder (TWCS outbound tweets + IBM agent turns)."""
    folder = SHARED_DATA / "real-replies"
    if not folder.is_dir():
        sys.exit(f"error: {folder} is missing; set TACTFUL_SHARED_DATA to the shared data folder")
    replies: list[str] = []
    with open(folder / "twcs_first_1000_rows.csv", encoding="utf-8", newline="") as f:
        replies += [r["text"] for r in csv.DictReader(f) if r["inbound"] == "False" and r["text"].strip()]
    with open(folder / "ibm_twitter_care_dev.json", encoding="utf-8") as f:
        for conv in json.load(f):
            replies += [t["message"] for t in conv.get("dialogContent", []) if "agent" in t and t["message"]]
            utterance = (conv.get("agentURL") or {}).get("url_utterance")
            if utterance:
                replies.append(utterance)
    return replies


def cycle(items: list[str], n: int) -> list[str]:
    return [items[i % len(items)] for i in range(n)]


# --------------------------------------------------------------------------------------------------
# Measurements


def cold_start(runs: int) -> dict[str, object]:
    """Fresh interpreters: import tactful + first analyze(), and the whole process wall time."""
    code = _COLD_CODE.format(reply=REPLY, customer=CUSTOMER, heavy=HEAVY)
    inproc, walls, last = [], [], {}
    for _ in range(runs):
        t = time.perf_counter()
        p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
        if p.returncode != 0:
            sys.exit(f"error: the cold-start probe failed: {p.stderr[-800:]}")
        walls.append(time.perf_counter() - t)
        last = json.loads(p.stdout)
        inproc.append(last["import"] + last["first"])
    # Which top-level imports cost the most (-X importtime, cumulative, one run).
    p = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", "import tactful"],
        capture_output=True,
        text=True,
        check=True,
    )
    top: list[tuple[int, str]] = []
    for line in p.stderr.splitlines():
        if not line.startswith("import time:") or "|" not in line or "cumulative" in line:
            continue
        _, cumulative, name = line[len("import time:") :].split("|")
        name = name.strip()
        # tactful's own modules and the third-party packages it pulls in (not their submodules).
        if name.startswith("tactful.") or (name.split(".")[0] in _THIRD_PARTY and "." not in name):
            top.append((int(cumulative), name))
    top.sort(reverse=True)
    return {
        "median_s": statistics.median(inproc),
        "import_s": last["import"],
        "first_s": last["first"],
        "process_wall_s": statistics.median(walls),
        "heavy": last["heavy"],
        "modules": last["modules"],
        "top_imports": [(name, us / 1e6) for us, name in top[:8]],
    }


def _spin(n: int) -> int:
    total = 0
    for i in range(n):
        total += i
    return total


def parallel_capacity(jobs: int, n: int = 5_000_000) -> float:
    """Speed-up of ``jobs`` busy processes over one: how many cores this (shared) machine gives right now."""
    import multiprocessing

    if jobs < 2:
        return 1.0
    with multiprocessing.Pool(jobs) as pool:
        pool.map(_spin, [1000] * jobs)
        start = time.perf_counter()
        pool.map(_spin, [n] * jobs, chunksize=1)
        parallel = time.perf_counter() - start
    start = time.perf_counter()
    _spin(n)
    serial = time.perf_counter() - start
    return jobs * serial / parallel


def single_reply(runs: int) -> dict[str, float]:
    import tactful

    for _ in range(50):
        tactful.analyze(REPLY, CUSTOMER)
    times = []
    clock = time.perf_counter_ns
    for _ in range(runs):
        t = clock()
        tactful.analyze(REPLY, CUSTOMER)
        times.append(clock() - t)
    times.sort()
    return {
        "words": len(REPLY.split()),
        "median_ms": times[len(times) // 2] / 1e6,
        "p99_ms": times[int(len(times) * 0.99)] / 1e6,
        "mean_ms": sum(times) / len(times) / 1e6,
    }


def throughput(fn: Callable[[str], object], texts: list[str], passes: int = 3) -> float:
    """Replies per second of ``fn`` over ``texts`` in this process (after a short warm-up): the best of
    ``passes`` passes, so one burst of another process's work does not decide the ratio."""
    for t in texts[:20]:
        fn(t)
    best = float("inf")
    for _ in range(passes):
        start = time.process_time()
        for t in texts:
            fn(t)
        best = min(best, time.process_time() - start)
    return len(texts) / best


def proselint_fn() -> Callable[[str], object]:
    """proselint's Python API: 0.16+ (LintFile + CheckRegistry), else the older ``tools.lint``."""
    try:
        from proselint.checks import __register__
        from proselint.registry import CheckRegistry
        from proselint.tools import LintFile

        CheckRegistry().register_many(__register__)
        return lambda text: LintFile("<reply>", text).lint()
    except ImportError:  # proselint < 0.16
        from proselint.tools import lint  # type: ignore[attr-defined]

        return lint


def vader_fn() -> Callable[[str], object]:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer().polarity_scores


def batch_run(texts: list[str], jobs: int, workdir: Path) -> dict[str, float]:
    """``tactful batch`` over ``texts`` in a subprocess (start-up included), returns replies/s."""
    src, out = workdir / "replies.jsonl", workdir / "out.jsonl"
    if not src.exists():
        with open(src, "w", encoding="utf-8") as f:
            for i, t in enumerate(texts, 1):
                f.write(json.dumps({"id": i, "text": t}) + "\n")
    cmd = [sys.executable, "-m", "tactful", "batch", str(src), str(out), "--no-progress", "--jobs", str(jobs)]
    start = time.perf_counter()
    p = subprocess.run(cmd, capture_output=True, text=True)
    wall = time.perf_counter() - start
    if p.returncode != 0:
        sys.exit(f"error: tactful batch failed (exit {p.returncode}): {p.stderr[-500:]}")
    with open(out, "rb") as f:
        written = sum(1 for _ in f)
    assert written == len(texts), (written, len(texts))
    return {"jobs": jobs, "wall_s": wall, "rate": len(texts) / wall, "mib": src.stat().st_size / 2**20}


def profile_single(runs: int, top: int = 25) -> str:
    import tactful

    tactful.analyze(REPLY, CUSTOMER)
    prof = cProfile.Profile()
    prof.enable()
    for _ in range(runs):
        tactful.analyze(REPLY, CUSTOMER)
    prof.disable()
    buf = io.StringIO()
    pstats.Stats(prof, stream=buf).strip_dirs().sort_stats("tottime").print_stats(top)
    return buf.getvalue()


# --------------------------------------------------------------------------------------------------
# Report


def _version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "not installed"


def _ok(passed: bool) -> str:
    return "yes" if passed else "**no**"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="smaller run (10,000 batch replies, fewer repeats)")
    ap.add_argument("--batch-size", type=int, help="replies through `tactful batch` (default 100,000)")
    ap.add_argument(
        "--sample", type=int, help="replies for the single-process peer comparison (default 2,000)"
    )
    ap.add_argument("--jobs", type=int, help="batch workers for the all-cores run (default: all cores)")
    ap.add_argument("--profile", action="store_true", help="print a cProfile of the single-reply loop")
    args = ap.parse_args()

    quick = args.quick
    n_batch = args.batch_size or (10_000 if quick else 100_000)
    n_sample = args.sample or (500 if quick else 2_000)
    cold_runs = 3 if quick else 7
    single_runs = 1_000 if quick else 5_000

    from tactful.bulk import default_jobs

    cores = args.jobs or default_jobs()
    replies = load_replies()
    sample = cycle(replies, n_sample)
    print(
        f"machine: {cores} cores usable ({os.cpu_count()} online), Python {platform.python_version()}, "
        f"{platform.platform()}, load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}",
        file=sys.stderr,
    )
    print(
        f"data: {len(replies):,} distinct agent replies; sample {n_sample:,}, batch {n_batch:,}",
        file=sys.stderr,
    )

    print("cold start …", file=sys.stderr)
    cold = cold_start(cold_runs)
    print("single reply …", file=sys.stderr)
    single = single_reply(single_runs)

    print("single process: tactful, proselint, VADER on the same sample …", file=sys.stderr)
    import tactful

    tactful_sp = throughput(tactful.analyze, sample)
    prose_sp = throughput(proselint_fn(), sample)
    vader_sp = throughput(vader_fn(), sample)

    print("tactful batch …", file=sys.stderr)
    capacity = parallel_capacity(cores)
    runs = []
    with tempfile.TemporaryDirectory(prefix="tactful-bench-") as d:
        texts = cycle(replies, n_batch)
        for jobs in sorted({cores, min(2, cores), 1}, reverse=True):
            if jobs == 1 and quick and cores > 1:
                continue
            runs.append(batch_run(texts, jobs, Path(d)))
    all_cores = runs[0]
    two = next((r for r in runs if r["jobs"] == 2), None)

    rows = [
        (
            "cold start: `import tactful` + first `analyze()` (median)",
            f"{cold['median_s']:.3f} s",
            f"< {TARGETS['cold']} s",
            _ok(cold["median_s"] < TARGETS["cold"]),
        ),
        ("  of which import / first analyze", f"{cold['import_s']:.3f} s / {cold['first_s']:.3f} s", "", ""),
        ("  whole fresh process (interpreter start included)", f"{cold['process_wall_s']:.3f} s", "", ""),
        (
            "heavy modules imported by `import tactful`",
            ", ".join(cold["heavy"]) or "none",
            "none",
            _ok(not cold["heavy"]),
        ),
        (
            f"single reply ({single['words']} words), median",
            f"{single['median_ms']:.3f} ms",
            f"< {TARGETS['median_ms']:.0f} ms",
            _ok(single["median_ms"] < TARGETS["median_ms"]),
        ),
        ("single reply, p99", f"{single['p99_ms']:.3f} ms", "", ""),
        ("tactful `analyze()`, one process", f"{tactful_sp:,.0f} replies/s", "", ""),
        ("proselint, one process", f"{prose_sp:,.0f} replies/s", "", ""),
        ("VADER `polarity_scores`, one process", f"{vader_sp:,.0f} replies/s", "", ""),
        (
            "**tactful / proselint**, one process each",
            f"{tactful_sp / prose_sp:.1f}×",
            f"≥ {TARGETS['vs_proselint']:.0f}×",
            _ok(tactful_sp / prose_sp >= TARGETS["vs_proselint"]),
        ),
        ("**tactful / VADER**, one process each", f"{tactful_sp / vader_sp:.2f}×", "", ""),
    ]
    for r in runs:
        label = (
            f"`tactful batch --jobs {r['jobs']}`, {n_batch:,} replies ({r['mib']:.0f} MiB, start-up included)"
        )
        target, ok = "", ""
        if r["jobs"] == 2:
            target, ok = f"≥ {TARGETS['batch_2']:,.0f}/s", _ok(r["rate"] >= TARGETS["batch_2"])
        rows.append((label, f"{r['rate']:,.0f} replies/s", target, ok))
    rows += [
        (
            f"machine check: {cores} busy processes vs 1 (cores actually free during the run)",
            f"{capacity:.2f}×",
            f"{cores}×",
            "",
        ),
        (
            f"tactful batch ({all_cores['jobs']} cores) / proselint (1 process)",
            f"{all_cores['rate'] / prose_sp:.1f}×",
            "",
            "",
        ),
        (
            f"tactful batch ({all_cores['jobs']} cores) / VADER (1 process)",
            f"{all_cores['rate'] / vader_sp:.2f}×",
            "",
            "",
        ),
    ]

    print()
    print(
        f"Machine: {cores} usable cores, Python {platform.python_version()} ({platform.machine()}), "
        f"load average before the run {os.getloadavg()[0]:.2f}; "
        f"tactful {tactful.__version__}, proselint {_version('proselint')}, "
        f"vaderSentiment {_version('vaderSentiment')}."
    )
    print(f"Data: {len(replies):,} distinct real agent replies, cycled to the sizes below.")
    print()
    print("| measurement | result | target | met |")
    print("|---|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")
    print()
    print(
        "Slowest imports under `import tactful` (cumulative): "
        + ", ".join(f"{name} {s * 1000:.0f} ms" for name, s in cold["top_imports"])
    )
    if two is None and cores < 2:
        print("(one core only: no 2-core batch figure)")

    if args.profile:
        print()
        print("cProfile of the single-reply loop (tottime):")
        print("```")
        print(profile_single(single_runs).rstrip())
        print("```")


if __name__ == "__main__":
    main()
