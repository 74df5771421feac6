"""A short load test of `kg serve`: requests per second and latency for a SELECT and for a model page.

    python -m bench.endpoint_load --store out/store             # starts kg serve on a free loopback port
    python -m bench.endpoint_load --url http://127.0.0.1:8000   # or measures a server already running

Bounded and loopback-only: each scenario runs `--clients` threads (2) for at most `--duration` seconds
(10) or `--requests` requests (2,000), whichever comes first; `--url` must name 127.0.0.0/8, localhost
or [::1]. The scenarios: the bundled query `models-per-risk` (POST, SPARQL JSON), the same query with a
different comment each time (so each worker parses it again: rdflib's parser, the guard, costs tens of
ms; repeated texts hit the workers' cache), one model's HTML page, and the same model as Turtle.
Exit status 1 when any request failed (a status other than 200, or an exception), so a run that
prints figures also shows there were no errors.
"""

from __future__ import annotations

import argparse
import ipaddress
import itertools
import json
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from kg.namespaces import DEFAULT_BASE
from kg.queries import bundled_queries

Send = Callable[[httpx.Client], httpx.Response]


@dataclass(frozen=True, slots=True)
class Figures:
    scenario: str
    requests: int
    errors: int
    seconds: float
    per_second: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float


def percentile(sorted_values: list[float], fraction: float) -> float:
    """Nearest-rank percentile of an ascending list (0 for an empty one)."""
    if not sorted_values:
        return 0.0
    rank = max(1, round(fraction * len(sorted_values)))
    return sorted_values[min(rank, len(sorted_values)) - 1]


def run_scenario(name: str, url: str, send: Send, clients: int, duration: float, limit: int) -> Figures:
    """`clients` threads send requests until `duration` seconds pass or `limit` requests were sent."""
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    budget = [limit]

    def take() -> bool:
        with lock:
            budget[0] -= 1
            return budget[0] >= 0

    def client_loop(deadline: float) -> None:
        with httpx.Client(base_url=url, timeout=30) as http:
            while time.monotonic() < deadline and take():
                started = time.perf_counter()
                try:
                    ok = send(http).status_code == 200
                except httpx.HTTPError:
                    ok = False
                elapsed = time.perf_counter() - started
                with lock:
                    latencies.append(elapsed)
                    errors[0] += not ok

    with httpx.Client(base_url=url, timeout=30) as http:  # warm-up: every worker's first query
        for _ in range(2 * clients):
            send(http)
    started = time.monotonic()
    threads = [threading.Thread(target=client_loop, args=(started + duration,)) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.monotonic() - started
    ms = sorted(v * 1000 for v in latencies)
    return Figures(
        name,
        len(ms),
        errors[0],
        round(seconds, 2),
        round(len(ms) / seconds, 1) if seconds else 0.0,
        round(percentile(ms, 0.50), 2),
        round(percentile(ms, 0.90), 2),
        round(percentile(ms, 0.99), 2),
        round(ms[-1], 2) if ms else 0.0,
    )


def loopback_only(url: str) -> str:
    host = urlsplit(url).hostname or ""
    try:
        is_loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        is_loopback = False
    if not is_loopback:
        raise SystemExit(f"refusing {url}: this load test only targets loopback addresses (127.0.0.0/8, ::1)")
    return url.rstrip("/")


def start_server(store: Path, workers: int) -> tuple[subprocess.Popen, str, Path]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    log = Path(tempfile.mkstemp(prefix="kg-serve-", suffix=".log")[1])
    command = [sys.executable, "-m", "kg", "serve", "--store", str(store), "--port", str(port)]
    with open(log, "wb") as stderr:
        process = subprocess.Popen([*command, "--workers", str(workers)], stdout=subprocess.DEVNULL, stderr=stderr)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        try:
            health = httpx.get(url + "/healthz", timeout=2).json()
            if health["workers"]["idle"] == health["workers"]["size"]:
                return process, url, log
        except (httpx.HTTPError, ValueError, KeyError):
            pass
        time.sleep(0.1)
    process.kill()
    raise SystemExit(f"kg serve did not start:\n{log.read_text()}")


def scenarios(url: str, base: str) -> list[tuple[str, Send]]:
    select = bundled_queries()["models-per-risk"].text
    first = httpx.post(
        url + "/sparql",
        data={"query": "SELECT ?m WHERE { ?m a mc:Model } ORDER BY ?m LIMIT 1"},
        headers={"Accept": "application/sparql-results+json"},
        timeout=30,
    )
    first.raise_for_status()
    iri = first.json()["results"]["bindings"][0]["m"]["value"]
    path = "/" + iri.removeprefix(base)  # the serving rule: BASE + p is served at /p
    fresh = itertools.count()
    json_results = {"Accept": "application/sparql-results+json"}
    return [
        (
            "SELECT models-per-risk (JSON)",
            lambda http: http.post(
                "/sparql", data={"query": select}, headers={"Accept": "application/sparql-results+json"}
            ),
        ),
        (
            "same SELECT, new text each time",  # a comment defeats the workers' parse cache
            lambda http: http.post("/sparql", data={"query": f"{select}# {next(fresh)}"}, headers=json_results),
        ),
        (f"model page {path} (HTML)", lambda http: http.get(path, headers={"Accept": "text/html"})),
        (f"model page {path} (Turtle)", lambda http: http.get(path, headers={"Accept": "text/turtle"})),
    ]


def report(figures: list[Figures], clients: int) -> str:
    header = f"{'scenario':<40} {'requests':>8} {'errors':>6} {'req/s':>7} {'p50 ms':>7} {'p90 ms':>7} {'p99 ms':>7}"
    lines = [f"{clients} concurrent clients on loopback", header, "-" * len(header)]
    for f in figures:
        lines.append(
            f"{f.scenario:<40} {f.requests:>8} {f.errors:>6} {f.per_second:>7.1f} {f.p50_ms:>7.2f} "
            f"{f.p90_ms:>7.2f} {f.p99_ms:>7.2f}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.endpoint_load", description=__doc__.split("\n")[0])
    target = parser.add_mutually_exclusive_group()
    target.add_argument("--store", type=Path, default=Path("out/store"), help="store to serve (default out/store)")
    target.add_argument("--url", help="a kg serve already running on loopback, e.g. http://127.0.0.1:8000")
    parser.add_argument("--clients", type=int, default=2, help="concurrent clients (default 2)")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per scenario at most (default 10)")
    parser.add_argument("--requests", type=int, default=2000, help="requests per scenario at most (default 2000)")
    parser.add_argument("--workers", type=int, default=2, help="query workers of the started server (default 2)")
    parser.add_argument("--base", default=DEFAULT_BASE, help="base IRI of the store (default the kg default)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    if not 1 <= args.clients <= 16 or not 0 < args.duration <= 60 or not 1 <= args.requests <= 100_000:
        parser.error("keep it short: 1-16 clients, at most 60 s and 100,000 requests per scenario")
    process = None
    if args.url:
        url = loopback_only(args.url)
    else:
        process, url, _ = start_server(args.store, args.workers)
    try:
        figures = [
            run_scenario(name, url, send, args.clients, args.duration, args.requests)
            for name, send in scenarios(url, args.base)
        ]
    finally:
        if process is not None:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=30)
    print(json.dumps([asdict(f) for f in figures], indent=2) if args.json else report(figures, args.clients))
    return 1 if any(f.errors for f in figures) else 0


if __name__ == "__main__":
    sys.exit(main())
