"""`kg serve` under stress: busy workers, slow clients, shutdown, bad options; and its pure parts.

Each server here is started for one test with the limits that test needs, on a free loopback port.
"""

from __future__ import annotations

import os
import socket
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from kg.cli import cli
from kg.namespaces import DEFAULT_BASE
from kg.query import QueryError, QueryTimeout
from kg.query_pool import PoolBusy, QueryPool
from kg.server.conneg import GRAPHS, PAGES, RESULTS, negotiate, quality
from kg.void import dataset_stats, void_turtle

from .test_server import CARTESIAN, Server, served_out, start_server


@pytest.fixture
def serve() -> Iterator:
    """Start servers with given options; stop them (SIGTERM) after the test."""
    started: list[Server] = []

    def start(*options: str) -> Server:
        out = served_out()
        server = start_server(out / "store", Path(tempfile.mkdtemp(dir=out.parent)) / "server.log", *options)
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


def children(pid: int) -> set[int]:
    """Live child processes of `pid` (Linux /proc; empty elsewhere)."""
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found.update(int(p) for p in (task / "children").read_text().split())
        except OSError:
            continue
    return found


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return Path(f"/proc/{pid}").exists() and "zombie" not in Path(f"/proc/{pid}/status").read_text().lower()


def wait_idle(url: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        workers = httpx.get(url + "/healthz", timeout=5).json()["workers"]
        if workers["idle"] == workers["size"]:
            return
        time.sleep(0.1)
    raise AssertionError("the workers did not come back")


def test_busy_workers_answer_429_with_retry_after(serve):
    server = serve("--workers", "1", "--queue-wait", "0.5", "--timeout", "3")
    slow: list[httpx.Response] = []
    thread = threading.Thread(
        target=lambda: slow.append(httpx.get(server.url + "/sparql", params={"query": CARTESIAN}, timeout=30))
    )
    thread.start()
    time.sleep(0.5)
    started = time.monotonic()
    busy = httpx.get(server.url + "/sparql", params={"query": "ASK {}"}, timeout=30)
    assert busy.status_code == 429 and busy.headers["retry-after"] == "3"
    assert 0.4 <= time.monotonic() - started < 2.5
    thread.join()
    assert slow[0].status_code == 503
    wait_idle(server.url)
    assert httpx.get(server.url + "/sparql", params={"query": "ASK {}"}).json()["boolean"] is True
    assert httpx.get(server.url + "/healthz").json()["workers"]["busy_refusals"] == 1


def read_all(sock: socket.socket, limit: float) -> tuple[bytes, float]:
    """Everything the server sends until it closes the connection; and how long that took."""
    started = time.monotonic()
    sock.settimeout(limit)
    data = b""
    while chunk := sock.recv(4096):
        data += chunk
    return data, time.monotonic() - started


@pytest.mark.parametrize(
    "sent",
    [
        b"",  # connects and says nothing
        b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n",  # a head that never ends (slowloris)
        b"POST /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/sparql-query\r\n"
        b"Content-Length: 100\r\n\r\nASK",  # a body that never comes
    ],
    ids=["silent", "partial head", "partial body"],
)
def test_slow_clients_are_cut_off_and_the_server_goes_on(serve, sent):
    server = serve("--client-timeout", "1")
    port = int(server.url.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(sent)
        data, elapsed = read_all(sock, 10)
    assert data.startswith(b"HTTP/1.1 408"), data
    assert 0.9 <= elapsed < 4, elapsed
    assert httpx.get(server.url + "/healthz").status_code == 200


def test_graceful_shutdown_finishes_the_running_request_and_stops_the_workers(serve):
    server = serve("--timeout", "2")
    workers = children(server.process.pid)
    if sys.platform.startswith("linux"):
        assert len(workers) == 2
    answers: list[httpx.Response] = []
    thread = threading.Thread(
        target=lambda: answers.append(httpx.get(server.url + "/sparql", params={"query": CARTESIAN}, timeout=30))
    )
    thread.start()
    time.sleep(0.5)
    started = time.monotonic()
    assert server.stop() == 0
    thread.join()
    assert answers[0].status_code == 503, "the running request got its answer, not a reset"
    assert time.monotonic() - started < 10
    assert not any(alive(pid) for pid in workers), "no query worker outlives the server"
    lines = server.log_lines()
    assert any("query workers stopped" in line.get("message", "") for line in lines)


def test_cli_refuses_a_missing_store_and_a_bad_base(tmp_path):
    runner = CliRunner()
    missing = runner.invoke(cli, ["serve", "--store", str(tmp_path / "nothing")])
    assert missing.exit_code == 1 and "no store at" in missing.output and "kg build" in missing.output
    bad = runner.invoke(cli, ["serve", "--store", str(served_out() / "store"), "--base", "not an iri/"])
    assert bad.exit_code == 2
    assert "Serving" not in runner.invoke(cli, ["serve", "--help"]).output
    assert "/.well-known/void" in runner.invoke(cli, ["serve", "--help"]).output


# --- pure parts ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("accept", "offers", "chosen"),
    [
        (None, RESULTS, "application/sparql-results+json"),
        ("", GRAPHS, "text/turtle"),
        ("*/*", PAGES, "text/turtle"),
        ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", PAGES, "text/html"),
        ("application/ld+json, text/turtle;q=0.5", PAGES, "application/ld+json"),
        ("text/*", RESULTS, "text/csv"),
        ("text/csv;q=0, */*;q=0.1", RESULTS, "application/sparql-results+json"),
        ("application/json", RESULTS, "application/json"),
        ("image/png", RESULTS, None),
        ("text/turtle;q=0", GRAPHS[:1], None),
        ("garbage, text/turtle;q=nonsense", GRAPHS, "text/turtle"),
    ],
)
def test_negotiate(accept, offers, chosen):
    offer = negotiate(accept, offers)
    assert (offer.media_type if offer else None) == chosen


def test_quality_prefers_the_most_specific_range():
    assert quality("text/*;q=0.2, text/csv;q=0.7, */*;q=0.1", "text/csv") == 0.7
    assert quality("text/*;q=0.2, text/csv;q=0.7, */*;q=0.1", "text/turtle") == 0.2
    assert quality("text/*;q=0.2, */*;q=0.1", "application/json") == 0.1


def test_void_is_deterministic_and_has_no_blank_nodes():
    import pyoxigraph as ox

    triples = {
        ox.Triple(
            ox.NamedNode(DEFAULT_BASE + f"model/m{i}"), ox.NamedNode("https://schema.org/name"), ox.Literal(f"m{i}")
        )
        for i in range(20)
    }
    first = void_turtle(dataset_stats(triples, DEFAULT_BASE), DEFAULT_BASE)
    reordered = sorted(triples, key=str, reverse=True)
    assert first == void_turtle(dataset_stats(reordered, DEFAULT_BASE), DEFAULT_BASE)
    assert b"_:" not in first and b"void:triples 20" in first and b"void:entities 20" in first


FAKE_WORKER = """
import sys, time
sys.stdout.write('{"ready": true, "length": 0}\\n'); sys.stdout.flush()
for line in sys.stdin:
    if "sleep" in line:
        time.sleep(60)
    if "answer" not in line:
        sys.exit(0)
    sys.stdout.write('{"ok": true, "length": 2}\\nhi'); sys.stdout.flush()
"""
"""Speaks the worker protocol: answers "answer", hangs on "sleep", exits (a crash) on anything else."""


def fake_pool(**options: float) -> QueryPool:
    pool = QueryPool(1, command=[sys.executable, "-c", FAKE_WORKER], **options)  # type: ignore[arg-type]
    pool.start()
    return pool


def test_pool_kills_a_worker_past_its_deadline_and_replaces_it():
    pool = fake_pool(timeout=0.5, wait=30)
    try:
        assert pool.run({"q": "answer"}) == ({"ok": True, "length": 2}, b"hi")
        (before,) = pool.pids()
        with pytest.raises(QueryTimeout, match=r"ran past the 0\.5 s timeout"):
            pool.run({"q": "sleep"})
        assert not alive(before)
        assert pool.run({"q": "answer"})[1] == b"hi"
        assert pool.stats().timeouts == 1
    finally:
        pool.close()


def test_pool_reports_a_crashed_worker_and_replaces_it():
    pool = fake_pool(timeout=5, wait=30)
    try:
        with pytest.raises(QueryError, match="the query engine stopped unexpectedly"):
            pool.run({"q": "exit"})
        assert pool.run({"q": "answer"})[1] == b"hi"
        assert pool.stats().crashes == 1
    finally:
        pool.close()


def test_pool_busy_after_the_wait():
    pool = QueryPool(1, timeout=1, wait=0.2, command=[sys.executable, "-c", "import time; time.sleep(60)"])
    pool.start()  # never ready
    try:
        with pytest.raises(PoolBusy) as busy:
            pool.run({"q": "answer"})
        assert busy.value.retry_after == 1
        starting = pool.pids()
        assert len(starting) == 1 and pool.stats().starting == 1
    finally:
        pool.close()
    assert not any(alive(pid) for pid in starting)
