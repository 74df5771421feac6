"""SPARQL servers over HTTP on 127.0.0.1: `kg serve` and its peers, measured the same way.

The peers a user could pick: the `oxigraph` server (PyPI package `oxigraph`), which loads graph.nt with
`oxigraph load` and serves it read-only, and `rdflib-endpoint` (PyPI), which parses graph.nt into rdflib
at start-up. Each listens on a free loopback port and is asked the reference queries over the SPARQL 1.1
Protocol; then a bounded load (a fixed number of requests from a few threads, loopback only, with a
deadline) gives requests/s, p50/p99 and errors.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import statistics
import subprocess
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.queries import QUERIES, query_text, time_query

LOOPBACK = "127.0.0.1"


def find_binary(name: str, explicit: str | None = None) -> str | None:
    """A peer's command (`oxigraph`, `rdflib-endpoint`): the explicit path, else on PATH, else next to this Python."""
    if explicit:
        return explicit if Path(explicit).exists() else None
    return shutil.which(name) or shutil.which(name, path=str(Path(os.sys.executable).parent))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((LOOPBACK, 0))
        return int(sock.getsockname()[1])


def ask(url: str, query: str, timeout: float = 120.0) -> int:
    """POST one query (SPARQL 1.1 Protocol); return the size of the answer in bytes (HTTP errors raise)."""
    accept = "application/n-triples" if "CONSTRUCT" in query else "application/sparql-results+json"
    request = urllib.request.Request(
        url, data=query.encode(), headers={"Content-Type": "application/sparql-query", "Accept": accept}
    )
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return len(response.read())


@dataclass(slots=True)
class LoadResult:
    requests: int
    errors: int
    seconds: float
    p50_ms: float
    p99_ms: float

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def sparql_load(url: str, query: str, requests: int = 200, threads: int = 4, deadline_s: float = 60.0) -> LoadResult:
    """A bounded loopback load: `requests` queries from `threads` threads, stopped at `deadline_s`."""
    stop = time.perf_counter() + deadline_s
    latencies: list[float] = []
    errors = 0

    def one(_: int) -> float | None:
        if time.perf_counter() > stop:
            return None
        t0 = time.perf_counter()
        try:
            ask(url, query, timeout=max(1.0, stop - t0))
        except (urllib.error.URLError, OSError):
            return -1.0
        return time.perf_counter() - t0

    t0 = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        for latency in pool.map(one, range(requests)):
            if latency is None:
                continue
            if latency < 0:
                errors += 1
            else:
                latencies.append(latency)
    seconds = time.perf_counter() - t0
    ordered = sorted(latencies) or [0.0]
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return LoadResult(len(latencies) + errors, errors, seconds, statistics.median(ordered) * 1000, p99 * 1000)


@dataclass(slots=True)
class ServerRun:
    load_s: float
    load_maxrss_kb: int
    server_maxrss_kb: int
    queries: dict[str, dict[str, float]] = field(default_factory=dict)
    load: dict[str, Any] = field(default_factory=dict)


def _wait_ready(url: str, process: subprocess.Popen[bytes], timeout_s: float) -> None:
    deadline = time.perf_counter() + timeout_s
    while time.perf_counter() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}")
        try:
            ask(url, "ASK {}", timeout=2.0)
            return
        except (urllib.error.URLError, OSError):
            time.sleep(0.1)
    raise RuntimeError(f"the server did not answer within {timeout_s:.0f} s")


def run_endpoint(
    argv: list[str],
    url: str,
    model_name: str,
    requests: int,
    query_runs: int = 7,
    ready_timeout_s: float = 60.0,
    **popen: Any,
) -> ServerRun:
    """Start a SPARQL server (`argv`), measure it over HTTP at `url`, stop it and read its peak RSS.

    `load_s` is the time until the server first answered (its start-up, loading included).
    """
    t0 = time.perf_counter()
    server = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **popen)
    run = ServerRun(0.0, 0, 0)
    try:
        _wait_ready(url, server, ready_timeout_s)
        run.load_s = time.perf_counter() - t0
        for name in QUERIES:
            text = query_text(name, model_name)
            lat = time_query(lambda text=text: ask(url, text), runs=query_runs)
            run.queries[name] = {"median_ms": lat.median_ms, "runs": lat.runs, "rows": lat.rows}
        result = sparql_load(url, query_text("one-model", model_name), requests=requests)
        run.load = {
            "query": "one-model",
            "requests": result.requests,
            "errors": result.errors,
            "per_second": result.per_second,
            "p50_ms": result.p50_ms,
            "p99_ms": result.p99_ms,
        }
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            _, _, usage = os.wait4(server.pid, 0)
            server.returncode = 0
            run.server_maxrss_kb = usage.ru_maxrss
        except ChildProcessError:
            pass
    return run


def run_oxigraph_server(
    binary: str, nt: Path, location: Path, model_name: str, requests: int, query_runs: int = 7
) -> ServerRun:
    """Load graph.nt into a fresh oxigraph database, serve it read-only and measure it over HTTP."""
    shutil.rmtree(location, ignore_errors=True)
    t0 = time.perf_counter()
    loader = subprocess.Popen(
        [binary, "load", "--location", str(location), "--file", str(nt)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    _, status, usage = os.wait4(loader.pid, 0)
    loader.returncode = os.waitstatus_to_exitcode(status)
    load_s = time.perf_counter() - t0
    if loader.returncode:
        raise RuntimeError(f"oxigraph load exited with {loader.returncode}")
    port = free_port()
    argv = [binary, "serve-read-only", "--location", str(location), "--bind", f"{LOOPBACK}:{port}"]
    try:
        run = run_endpoint(argv, f"http://{LOOPBACK}:{port}/query", model_name, requests, query_runs)
    finally:
        shutil.rmtree(location, ignore_errors=True)
    run.load_s, run.load_maxrss_kb = load_s, usage.ru_maxrss
    return run


def run_rdflib_endpoint(binary: str, nt: Path, model_name: str, requests: int, query_runs: int = 7) -> ServerRun:
    """`rdflib-endpoint serve graph.nt`: rdflib parses the file at start-up (its load), then serves at `/`."""
    port = free_port()
    argv = [binary, "serve", str(nt), "--host", LOOPBACK, "--port", str(port)]
    run = run_endpoint(argv, f"http://{LOOPBACK}:{port}/", model_name, requests, query_runs, ready_timeout_s=1800)
    run.load_maxrss_kb = run.server_maxrss_kb
    return run
