"""What reading a helpdesk's own shapes costs ``tactful qa`` next to tactful's neutral format.

Builds N Zendesk tickets as the full JSON export gives them (one ticket per line, its comments inside:
the customer's ask, an internal note, the agent's reply; texts made up, a third of the replies
refusing) and the same conversations in the neutral JSONL, then runs ``tactful qa --workers 2`` on each
as a subprocess and prints the wall time and the peak RSS of its largest process (``getrusage`` of
a wrapper process around each run).
Reading the Zendesk file goes through the join index (:mod:`tactful.qa.formats._vendor`); the time
to read each file alone, without the analysis, is printed too.

    .venv/bin/python bench/bench_qa_helpdesk.py [N]      # default 100,000
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ASKS = [
    "I want a refund for order {n}, it broke.",
    "Can you extend my trial?",
    "Please ship order {n} to Norway.",
]
REPLIES = [
    "Unfortunately we can't refund order {n} because it is past our 30-day window. I can offer store credit.",
    "We cannot extend the trial. No.",
    "Thanks, your parcel {n} left the warehouse today.",
]


def build(folder: Path, count: int) -> tuple[Path, Path]:
    zendesk, neutral = folder / "zendesk.jsonl", folder / "neutral.jsonl"
    with open(zendesk, "w", encoding="utf-8") as z, open(neutral, "w", encoding="utf-8") as n:
        for i in range(count):
            at = 1767225600 + i * 60
            ask, reply = ASKS[i % 3].format(n=i), REPLIES[i % 3].format(n=i)
            agent = 7 + i % 5
            comments = [
                {"id": i * 10 + 1, "author_id": 100000 + i, "public": True, "body": ask, "created_at": at},
                {
                    "id": i * 10 + 2,
                    "author_id": agent,
                    "public": False,
                    "body": "note",
                    "created_at": at + 30,
                },
                {"id": i * 10 + 3, "author_id": agent, "public": True, "body": reply, "created_at": at + 600},
            ]
            ticket = {"id": i, "requester_id": 100000 + i, "via": {"channel": "email"}, "comments": comments}
            z.write(json.dumps(ticket) + "\n")
            messages = [
                {"role": "customer", "text": ask, "author": str(100000 + i), "created_at": at},
                {"role": "agent", "text": reply, "author": str(agent), "created_at": at + 600},
            ]
            n.write(json.dumps({"id": str(i), "channel": "email", "messages": messages}) + "\n")
    return zendesk, neutral


def run(export: Path, fmt: str, out: Path) -> tuple[float, float, str]:
    """Wall time, the largest process's peak RSS (MiB) and the summary line of one ``tactful qa``."""
    tactful = Path(sys.executable).with_name("tactful")
    measure = (
        "import resource, subprocess, sys; r = subprocess.run(sys.argv[1:], capture_output=True, text=True,"
        " check=True); print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss); print(r.stderr.strip())"
    )
    args = [str(tactful), "qa", str(export), "--from", fmt, "--out", str(out)]
    args += ["--workers", "2", "--no-progress"]
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", measure, *args], capture_output=True, text=True, check=True)
    wall = time.perf_counter() - started
    peak_kib, line = done.stdout.split("\n", 1)
    return wall, int(peak_kib) / 1024, line.strip()


def read_only(export: Path, fmt: str, workdir: Path) -> float:
    """Seconds to read (and for a helpdesk, join) the export in this process, without analysis."""
    from tactful.qa.formats import Source, read_export

    started = time.perf_counter()
    source = Source(str(export))
    try:
        for _ in read_export(source, fmt, workdir):
            pass
    finally:
        source.close()
    return time.perf_counter() - started


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        zendesk, neutral = build(folder, count)
        for export, fmt in ((zendesk, "zendesk"), (neutral, "jsonl")):
            wall, peak, line = run(export, fmt, folder / f"out-{fmt}")
            size = export.stat().st_size / 1e6
            print(
                f"--from {fmt}: {count:,} conversations, {size:.0f} MB: {wall:.1f} s, "
                f"largest process {peak:.0f} MiB"
            )
            print(f"  {line}")
            print(f"  reading alone (in-process, no analysis): {read_only(export, fmt, folder):.1f} s")


if __name__ == "__main__":
    main()
