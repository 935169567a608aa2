"""Benchmark ``tactful qa`` (local engine, 2 worker processes) against a plain per-reply loop.

Builds an export of N conversations (default 1,000,000) from the real samples in
``../shared/data/real-replies`` (or ``$TACTFUL_SHARED_DATA/real-replies``): each customer tweet of the
TWCS sample and of the IBM customer-care dev set paired with the agent reply that answers it (the real
response delay kept), cycled to N, written as tactful's neutral JSONL format. Then, in the same run:

* ``tactful qa EXPORT --from jsonl --out DIR --workers 2`` as a subprocess (start-up, reading,
  pairing, analysis, checkpointing and the report included): time, agent replies/s, and peak memory
  (the whole process tree's RSS sampled every 0.2 s, and the largest single process from
  ``resource.getrusage(RUSAGE_CHILDREN)``);
* the peers, one process each, on the first ``--peer-n`` conversations of the same file: a plain loop
  that ``json.loads`` each line and calls ``tactful.analyze(reply, customer)`` on every agent reply, and
  the same loop with tactful's ``is_refusal`` pre-filter (what ``tactful qa`` does per reply).

Ratios are printed because these shared machines are noisy. Text is never printed.

    .venv/bin/python bench/bench_qa.py              # 1,000,000 replies
    .venv/bin/python bench/bench_qa.py --n 100000   # smaller
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("TACTFUL_SHARED_DATA", ROOT.parent / "shared" / "data"))
TARGET_SECONDS = 600.0  # 1,000,000 replies in under 10 minutes on 2 cores


def real_pairs() -> list[tuple[str, str, float]]:
    """(customer text, agent reply, delay in seconds) from the two real samples."""
    folder = SHARED_DATA / "real-replies"
    pairs: list[tuple[str, str, float]] = []
    fmt = "%a %b %d %H:%M:%S %z %Y"
    with open(folder / "twcs_first_1000_rows.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    by_id = {r["tweet_id"]: r for r in rows}
    for r in rows:
        parent = by_id.get(r["in_response_to_tweet_id"].removesuffix(".0"))
        if r["inbound"] == "False" and parent is not None and parent["inbound"] == "True":
            delay = datetime.strptime(r["created_at"], fmt) - datetime.strptime(parent["created_at"], fmt)
            pairs.append((parent["text"], r["text"], max(0.0, delay.total_seconds())))
    for dialog in json.loads((folder / "ibm_twitter_care_dev.json").read_text(encoding="utf-8")):
        last = None
        for u in dialog["dialogContent"]:
            at = datetime.fromisoformat(u["datetime"].replace("Z", "+00:00"))
            if "agent" in u and last is not None:
                pairs.append((last[0], u["message"], max(0.0, (at - last[1]).total_seconds())))
                last = None
            elif "agent" not in u:
                last = (u["message"], at)
    return pairs


def build_export(path: Path, n: int, pairs: list[tuple[str, str, float]]) -> int:
    start = datetime(2026, 1, 1, tzinfo=timezone.utc)
    with open(path, "w", encoding="utf-8") as f:
        for i in range(n):
            customer, reply, delay = pairs[i % len(pairs)]
            asked = start + timedelta(minutes=i % 525_600)
            record = {
                "id": f"c{i}",
                "channel": "social",
                "messages": [
                    {"role": "customer", "text": customer, "author": f"u{i}", "created_at": _iso(asked)},
                    {
                        "role": "agent",
                        "text": reply,
                        "author": f"agent{i % 40}",
                        "created_at": _iso(asked + timedelta(seconds=delay)),
                    },
                ],
            }
            f.write(json.dumps(record, ensure_ascii=False) + "\n")
    return path.stat().st_size


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")


class TreeMemory(threading.Thread):
    """Samples the summed RSS of a process and its descendants (psutil) until stopped."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.peak = 0
        self.stop = threading.Event()

    def run(self) -> None:
        import psutil

        try:
            root = psutil.Process(self.pid)
        except psutil.NoSuchProcess:
            return
        while not self.stop.is_set():
            try:
                procs = [root, *root.children(recursive=True)]
                total = 0
                for p in procs:
                    with contextlib.suppress(psutil.NoSuchProcess):
                        total += p.memory_info().rss
                self.peak = max(self.peak, total)
            except psutil.NoSuchProcess:
                return
            time.sleep(0.2)


def run_qa(export: Path, out: Path, workers: int) -> tuple[float, int, int, str]:
    cmd = [
        sys.executable,
        "-m",
        "tactful",
        "qa",
        str(export),
        "--from",
        "jsonl",
        "--out",
        str(out),
        "--workers",
        str(workers),
        "--no-progress",
    ]
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    sampler = TreeMemory(proc.pid)
    sampler.start()
    _, err = proc.communicate()
    elapsed = time.perf_counter() - started
    sampler.stop.set()
    sampler.join()
    if proc.returncode != 0:
        sys.exit(f"tactful qa failed ({proc.returncode}): {err.decode(errors='replace')[-2000:]}")
    largest = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024  # KiB on Linux
    return elapsed, sampler.peak, largest, err.decode(errors="replace").strip()


def peer_loop(export: Path, limit: int, prefilter: bool) -> tuple[float, int]:
    """The plain peer: one process, one json.loads and one tactful.analyze per agent reply."""
    import tactful
    from tactful.analyzer.refusal import is_refusal

    tactful.analyze("Thanks! Sorry, no.", "Refund?")  # warm, as the workers are
    started = time.perf_counter()
    done = 0
    with open(export, encoding="utf-8") as f:
        for i, line in enumerate(f):
            if i >= limit:
                break
            record = json.loads(line)
            customer, agent = record["messages"][0]["text"], record["messages"][1]["text"]
            if not prefilter or is_refusal(agent):
                tactful.analyze(agent, customer)
            done += 1
    return time.perf_counter() - started, done


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="conversations (one agent reply each)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--peer-n", type=int, default=20_000, help="replies the single-process peers run")
    parser.add_argument("--keep", type=Path, help="build the export and DIR here instead of a temp folder")
    args = parser.parse_args()
    if not (SHARED_DATA / "real-replies").is_dir():
        sys.exit(f"shared data folder missing: {SHARED_DATA / 'real-replies'} (set TACTFUL_SHARED_DATA)")
    pairs = real_pairs()
    with tempfile.TemporaryDirectory(prefix="bench-qa-") as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        export = folder / "export.jsonl"
        t0 = time.perf_counter()
        size = build_export(export, args.n, pairs)
        build_s = time.perf_counter() - t0
        elapsed, tree_peak, largest, tail = run_qa(export, folder / "qa-out", args.workers)
        summary = json.loads((folder / "qa-out" / "summary.json").read_text())
        peer_n = min(args.peer_n, args.n)
        peer_s, peer_done = peer_loop(export, peer_n, prefilter=False)
        pre_s, pre_done = peer_loop(export, peer_n, prefilter=True)
    qa_rate = summary["agent_turns"] / elapsed
    peer_rate = peer_done / peer_s
    pre_rate = pre_done / pre_s
    load = os.getloadavg()[0]
    print(f"## tactful qa benchmark ({args.n:,} replies, {len(pairs):,} distinct real pairs cycled)\n")
    print(
        f"Machine: {os.cpu_count()} CPUs (affinity {len(os.sched_getaffinity(0))}), Python "
        f"{sys.version.split()[0]}, load average {load:.2f} at the end."
    )
    print(f"Export: {size / 2**20:,.0f} MiB JSONL, built in {build_s:.1f} s (not timed below).\n")
    print("| measurement | result |")
    print("|---|---|")
    if args.n == 1_000_000:
        verdict = f"target < {TARGET_SECONDS:.0f} s: {'met' if elapsed < TARGET_SECONDS else 'NOT met'}"
    else:
        projected = elapsed * 1_000_000 / args.n
        verdict = f"at this rate 1,000,000 take {projected:,.0f} s; target < {TARGET_SECONDS:.0f} s"
    wall = f"`tactful qa --workers {args.workers}`, {args.n:,} agent replies, wall time"
    print(f"| {wall} | {elapsed:,.1f} s ({verdict}) |")
    print(f"|   throughput | {qa_rate:,.0f} agent replies/s |")
    print(f"|   refusals found and analyzed | {summary['refusals']:,} |")
    print(f"|   peak RSS, whole process tree (sampled) | {tree_peak / 2**20:,.0f} MiB |")
    print(f"|   peak RSS, largest single process (getrusage children) | {largest / 2**20:,.0f} MiB |")
    peer = f"plain loop, `analyze()` every reply, 1 process, {peer_done:,} replies"
    print(f"| peer: {peer} | {peer_rate:,.0f} replies/s |")
    print(f"| peer: plain loop with the `is_refusal` pre-filter, 1 process | {pre_rate:,.0f} replies/s |")
    print(f"| **tactful qa (2 workers) / plain loop** | {qa_rate / peer_rate:.2f}× |")
    print(f"| tactful qa (2 workers) / pre-filtered loop | {qa_rate / pre_rate:.2f}× |")
    print(f"\n`tactful qa` said: {tail.splitlines()[-1] if tail else ''}")


if __name__ == "__main__":
    main()
