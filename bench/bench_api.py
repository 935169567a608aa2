"""Benchmark the REST API: ``POST /v1/analyze`` against ``GET /healthz`` on the same server, same run.

Starts ``tactful serve`` (uvicorn, a temporary SQLite store) in a subprocess and generates load
from a *separate process* on loopback with a small asyncio HTTP/1.1 client on keep-alive
connections. Two measurements per route, in alternating rounds (so a change in the machine's
load hits both routes):

- **capacity** (closed loop): ``--concurrency`` connections, each sending its next request as
  soon as the previous answer arrives: the most requests/s the server gives.
- **at the target rate** (open loop): requests are *scheduled* at ``--rate`` a second whatever the
  server does, on a pool of connections, and each latency is counted from the scheduled time
  (a slow answer delays the ones queued behind it, and that delay is counted).

The route measured is an ~80-word refusal with its customer message (the analyzer bench's text);
the peer is ``/healthz``, the framework with no work at all.

    .venv/bin/python bench/bench_api.py                     # 1 worker; 15 s per route and mode
    .venv/bin/python bench/bench_api.py --workers 2 --rate 400

Target (issue 5): /v1/analyze sustains >= 300 requests/s with p99 < 50 ms on a 2-core machine;
the verdict is printed (exit status 0 either way).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_analyze import CUSTOMER, REPLY  # noqa: E402  (the same ~80-word refusal as the analyzer bench)

TARGET_RPS = 300.0
TARGET_P99_MS = 50.0
OPEN_LOOP_POOL = 64  # connections available to the open-loop generator
HEADER = "   req/s   p50 ms   p90 ms   p99 ms   max ms  requests  errors"


# --------------------------------------------------------------------------------------------------
# The load generator (runs in its own process: `bench_api.py --load ...`)


async def _read_response(reader: asyncio.StreamReader) -> int:
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    if length:
        await reader.readexactly(length)
    return status


def _request(method: str, path: str, host: str, token: str, body: bytes | None) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}", f"Authorization: Bearer {token}"]
    if body is not None:
        lines += ["Content-Type: application/json", f"Content-Length: {len(body)}"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + (body or b"")


class Result:
    def __init__(self) -> None:
        self.latencies: list[float] = []
        self.errors: list[int] = []

    def record(self, started: float, status: int) -> None:
        self.latencies.append(time.perf_counter() - started)
        if status != 200:
            self.errors.append(status)


async def closed_loop(
    host: str, port: int, request: bytes, concurrency: int, duration: float
) -> tuple[Result, float]:
    result = Result()
    start = time.perf_counter()
    stop_at = start + duration

    async def connection() -> None:
        reader, writer = await asyncio.open_connection(host, port)
        try:
            while time.perf_counter() < stop_at:
                t = time.perf_counter()
                writer.write(request)
                result.record(t, await _read_response(reader))
        finally:
            writer.close()

    await asyncio.gather(*(connection() for _ in range(concurrency)))
    return result, time.perf_counter() - start


async def open_loop(
    host: str, port: int, request: bytes, rate: float, duration: float
) -> tuple[Result, float]:
    """Requests scheduled every 1/rate s; latency from the scheduled time (no coordinated omission)."""
    result = Result()
    pool: asyncio.Queue[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = asyncio.Queue()
    for _ in range(OPEN_LOOP_POOL):
        pool.put_nowait(await asyncio.open_connection(host, port))

    async def one(scheduled: float) -> None:
        reader, writer = await pool.get()
        try:
            writer.write(request)
            result.record(scheduled, await _read_response(reader))
        finally:
            pool.put_nowait((reader, writer))

    start = time.perf_counter()
    tasks = []
    for i in range(int(rate * duration)):
        scheduled = start + i / rate
        delay = scheduled - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(scheduled)))
    await asyncio.gather(*tasks)
    elapsed = time.perf_counter() - start
    while not pool.empty():
        pool.get_nowait()[1].close()
    return result, elapsed


def run_load(args: argparse.Namespace) -> None:
    body = None if args.body is None else args.body.encode()
    request = _request(args.method, args.path, f"{args.host}:{args.port}", args.token, body)
    asyncio.run(closed_loop(args.host, args.port, request, args.concurrency, args.warmup))  # warm up
    if args.rate:
        result, elapsed = asyncio.run(open_loop(args.host, args.port, request, args.rate, args.duration))
    else:
        result, elapsed = asyncio.run(
            closed_loop(args.host, args.port, request, args.concurrency, args.duration)
        )
    print(json.dumps({"latencies": result.latencies, "errors": result.errors, "elapsed": elapsed}))


def summarize(rounds: list[dict[str, Any]]) -> dict[str, float]:
    """Requests/s over all rounds and latency percentiles over every request of every round."""
    latencies = sorted(x for r in rounds for x in r["latencies"])
    elapsed = sum(r["elapsed"] for r in rounds)

    def pct(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000 if latencies else 0.0

    return {
        "requests": len(latencies),
        "rps": len(latencies) / elapsed if elapsed else 0.0,
        "p50_ms": pct(0.50),
        "p90_ms": pct(0.90),
        "p99_ms": pct(0.99),
        "max_ms": latencies[-1] * 1000 if latencies else 0.0,
        "mean_ms": statistics.fmean(latencies) * 1000 if latencies else 0.0,
        "errors": sum(len(r["errors"]) for r in rounds),
    }


# --------------------------------------------------------------------------------------------------
# The driver: server subprocess + load subprocesses


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_healthy(proc: subprocess.Popen[bytes], port: int, timeout_s: float = 60.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            sys.exit(f"error: tactful serve exited with {proc.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
                s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                if s.recv(64).startswith(b"HTTP/1.1 200"):
                    return
        except OSError:
            pass
        time.sleep(0.2)
    sys.exit("error: tactful serve did not answer /healthz in time")


def _measure(
    args: argparse.Namespace, port: int, token: str, method: str, path: str, body: str | None, rate: float
) -> dict[str, Any]:
    cmd = [sys.executable, __file__, "--load", "--port", str(port), f"--token={token}"]  # may start with -
    cmd += ["--method", method, "--path", path, "--concurrency", str(args.concurrency)]
    cmd += ["--duration", str(args.duration / args.rounds), "--warmup", str(args.warmup), "--rate", str(rate)]
    if body is not None:
        cmd += [f"--body={body}"]
    out = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if out.returncode != 0:
        sys.exit(f"error: the load generator failed:\n{out.stderr[-2000:]}")
    return json.loads(out.stdout)  # type: ignore[no-any-return]


def _row(name: str, r: dict[str, float]) -> str:
    return (
        f"{name:<28} {r['rps']:>7.0f} {r['p50_ms']:>8.2f} {r['p90_ms']:>8.2f} {r['p99_ms']:>8.2f} "
        f"{r['max_ms']:>8.1f} {int(r['requests']):>9} {int(r['errors']):>7}"
    )


def _start_server(args: argparse.Namespace) -> tuple[subprocess.Popen[bytes], int, str]:
    sys.path.insert(0, str(ROOT / "src"))
    from tactful.store import open_store

    url = f"sqlite:///{Path(tempfile.mkdtemp(prefix='tactful-bench-api-')) / 'bench.db'}"
    store = open_store(url)
    _, token = store.add_user("bench", "agent")
    store.close()
    port = _free_port()
    cmd = [sys.executable, "-m", "tactful", "serve", "--port", str(port), "--db", url, "--no-demo"]
    cmd += ["--no-access-log", "--log-level", "warning", "--rate-limit", "0", "--workers", str(args.workers)]
    server = subprocess.Popen(cmd, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    _wait_healthy(server, port)
    return server, port, token


def drive(args: argparse.Namespace) -> None:
    load_before = os.getloadavg()[0]
    server, port, token = _start_server(args)
    body = json.dumps({"reply": REPLY, "customer_message": CUSTOMER})
    runs: dict[str, list[dict[str, Any]]] = {}
    try:
        for _ in range(args.rounds):
            for rate in (0.0, args.rate):
                for name, method, path, payload in (
                    ("/v1/analyze", "POST", "/v1/analyze", body),
                    ("/healthz (peer)", "GET", "/healthz", None),
                ):
                    key = f"{name} @ {rate:g}/s" if rate else f"{name}"
                    runs.setdefault(key, []).append(_measure(args, port, token, method, path, payload, rate))
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
    load_after = os.getloadavg()[0]
    results = {key: summarize(rounds) for key, rounds in runs.items()}
    print(
        f"tactful serve: {args.workers} uvicorn worker(s); load: separate processes on loopback; "
        f"{args.duration:g} s per route and mode in {args.rounds} alternating rounds; "
        f"{os.cpu_count()} CPUs; Python {sys.version.split()[0]}; "
        f"{len(REPLY.split())}-word reply + customer message"
    )
    print(
        f"load average before/after: {load_before:.2f} / {load_after:.2f} "
        "(above the CPU count means other work shared the cores: compare the ratios)"
    )
    print(f"{f'capacity, {args.concurrency} connections':<28}{HEADER}")
    analyze, health = results["/v1/analyze"], results["/healthz (peer)"]
    print(_row("/v1/analyze", analyze))
    print(_row("/healthz (peer)", health))
    print(f"ratio: /v1/analyze gives {analyze['rps'] / health['rps']:.2f}x the requests/s of /healthz")
    print(f"{f'open loop at {args.rate:g}/s':<28}{HEADER}")
    at_rate = results[f"/v1/analyze @ {args.rate:g}/s"]
    health_at_rate = results[f"/healthz (peer) @ {args.rate:g}/s"]
    print(_row("/v1/analyze", at_rate))
    print(_row("/healthz (peer)", health_at_rate))
    ok = (
        args.rate >= TARGET_RPS
        and at_rate["rps"] >= 0.98 * args.rate
        and at_rate["p99_ms"] < TARGET_P99_MS
        and not at_rate["errors"]
    )
    print(
        f"target (/v1/analyze keeps up with >= {TARGET_RPS:.0f} req/s, p99 < {TARGET_P99_MS:.0f} ms, "
        "no errors): " + ("MET" if ok else "NOT MET")
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--workers", type=int, default=1, help="uvicorn worker processes (default 1)")
    parser.add_argument("--concurrency", type=int, default=8, help="connections for capacity (default 8)")
    parser.add_argument("--rate", type=float, default=TARGET_RPS, help="open-loop requests/s (default 300)")
    parser.add_argument("--duration", type=float, default=15.0, help="seconds per route and mode")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds (default 3)")
    parser.add_argument("--warmup", type=float, default=1.0, help="seconds of load before each round")
    # Internal: the load-generator process.
    parser.add_argument("--load", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--host", default="127.0.0.1", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--token", help=argparse.SUPPRESS)
    parser.add_argument("--method", default="GET", help=argparse.SUPPRESS)
    parser.add_argument("--path", default="/healthz", help=argparse.SUPPRESS)
    parser.add_argument("--body", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.load:
        run_load(args)
    else:
        drive(args)


if __name__ == "__main__":
    main()
