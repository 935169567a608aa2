"""What two clients sending the biggest texts do to everyone else: ``POST /v1/analyze`` p99 (open
loop) on a quiet server, then while two clients send ``/v1/rewrite`` drafts back to back — of the
largest size a route takes (``--max-text``, 20,000 characters by default) and of 450 KB (refused
at the door with 413 since issue 14; before it, each took seconds of the server's CPU).

Run from the repository root with the project's virtualenv::

    .venv/bin/python bench/bench_big_requests.py            # 100 analyses/s, 10 s per scenario
    .venv/bin/python bench/bench_big_requests.py --rate 200 --duration 20

Issue 14 measured the p99 of other users' ``/v1/analyze`` going from 4 ms to 176 ms while two
450 KB rewrites ran. The server, the measured load and the noisy clients run as separate processes
(``bench_api.py``'s server start-up and open-loop generator).
"""

from __future__ import annotations

import argparse
import http.client
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_analyze import CUSTOMER, REPLY  # noqa: E402
from bench_api import _measure, _start_server, summarize  # noqa: E402

DRAFT = "Hi, I see what you're saying. Unfortunately we CANNOT refund this, as I already said. Sorry! "


def noise(port: int, token: str, chars: int) -> None:
    """Send rewrites of ``chars`` characters back to back until killed (runs as its own process)."""
    body = json.dumps({"draft": (DRAFT * (chars // len(DRAFT) + 1))[:chars], "customer_message": CUSTOMER})
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    while True:
        conn.request("POST", "/v1/rewrite", body=body, headers=headers)
        conn.getresponse().read()


def scenario(args: argparse.Namespace, port: int, token: str, noisy_chars: int) -> dict[str, Any]:
    clients = [
        subprocess.Popen(
            [sys.executable, __file__, "--noise", str(noisy_chars), f"--port={port}", f"--token={token}"]
        )
        for _ in range(2 if noisy_chars else 0)
    ]
    try:
        time.sleep(1.0 if clients else 0)  # let the noise start
        body = json.dumps({"reply": REPLY, "customer_message": CUSTOMER})
        args.rounds, args.concurrency = 1, 8
        return summarize([_measure(args, port, token, "POST", "/v1/analyze", body, args.rate)])
    finally:
        for c in clients:
            c.kill()
            c.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=100.0, help="analyses a second (open loop)")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per scenario")
    parser.add_argument("--warmup", type=float, default=1.0, help="seconds of load before measuring")
    parser.add_argument("--noise", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--token", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.noise is not None:
        noise(args.port, args.token, args.noise)
        return
    args.workers = 1
    server, port, token = _start_server(args)
    try:
        rows = [
            ("quiet server", scenario(args, port, token, 0)),
            ("2 clients rewriting 20,000 characters", scenario(args, port, token, 20_000)),
            ("2 clients rewriting 450 KB (413)", scenario(args, port, token, 450_000)),
        ]
    finally:
        server.terminate()
        server.wait(timeout=20)
    print(f"POST /v1/analyze at {args.rate:g}/s, open loop, {args.duration:g} s per scenario, 1 worker")
    print("| while | p50 ms | p99 ms | max ms | errors |")
    print("|---|---:|---:|---:|---:|")
    for name, r in rows:
        print(f"| {name} | {r['p50_ms']:.2f} | {r['p99_ms']:.2f} | {r['max_ms']:.1f} | {r['errors']} |")


if __name__ == "__main__":
    main()
