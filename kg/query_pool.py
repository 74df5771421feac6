"""A pool of warm query workers: a deadline on every query without a Python start per query.

`kg.query` keeps a pool of one worker for the calling process; `kg serve` keeps one worker per core.

Each worker is a `kg.query_worker.serve_forever` process (network dropped, store read-only, guard on the
parse tree). A request takes an idle worker, or waits `wait` seconds for one and then fails with
`PoolBusy` (HTTP 429); the worker must answer within `timeout` seconds of receiving the query, or it is
killed and a fresh one starts in the background. A worker that crashes is replaced the same way, and one
that has answered `recycle_after` queries retires, so a slow leak in an engine cannot grow forever.

Replies are read on a thread per worker into a queue, so waiting for one with a deadline is portable
(no `select` on pipes). Workers run in their own session: a Ctrl-C in the terminal reaches the server,
which shuts them down in order, instead of killing them under a running request.
"""

from __future__ import annotations

import collections
import contextlib
import json
import logging
import queue
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Final

from kg.sparql_guard import QueryError, QueryTimeout

log = logging.getLogger("kg.server")

BOOT_TIMEOUT: Final = 60.0
"""Seconds a new worker may take to import its modules and say it is ready."""
TIMEOUT_MESSAGE: Final = (
    "query stopped after {elapsed:.1f} s: it ran past the {timeout:g} s timeout "
    "(raise it with --timeout or timeout=, or narrow the query)"
)
"""What a caller is told when its query overran (`QueryPool(timeout_message=...)` words it for a server)."""
_POLL: Final = 0.1
"""Seconds between looks at whether workers failed to start, while waiting for an idle one."""
RESTART_DELAY: Final = 1.0
"""Pause before retrying after a worker failed to start, so a broken install does not spin."""


# The child starts isolated (-I: no PYTHON* variables, no user site, not the current folder on sys.path),
# takes the parent's sys.path, and registers a bare `kg` package so that importing the worker skips
# kg/__init__.py, which loads the whole build pipeline (seconds of imports otherwise).
_BOOT = """
import json, sys, types
sys.path[:] = json.loads(sys.argv[1])
package = types.ModuleType("kg")
package.__path__ = [sys.argv[2]]
sys.modules["kg"] = package
from kg.query_worker import serve_forever
serve_forever(sys.stdin.buffer, sys.stdout.buffer)
"""


def worker_command() -> list[str]:
    """The command line of a query worker process (`kg.query_worker.serve_forever`)."""
    return [sys.executable, "-I", "-c", _BOOT, json.dumps(sys.path), str(Path(__file__).resolve().parent)]


class PoolBusy(QueryError):
    """Every worker stayed busy for the whole wait; `retry_after` is a hint in seconds."""

    def __init__(self, wait: float, retry_after: int) -> None:
        self.retry_after = retry_after
        super().__init__(f"all query workers are busy (waited {wait:g} s); retry in {retry_after} s")


def _read_exactly(stream: IO[bytes], size: int) -> bytes | None:
    data = stream.read(size) if size else b""
    return data if len(data) == size else None


class Worker:
    """One `serve_forever` process and the thread that reads its replies."""

    def __init__(self, command: list[str]) -> None:
        self.process = subprocess.Popen(
            command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
        self.replies: queue.SimpleQueue[tuple[dict, bytes] | None] = queue.SimpleQueue()
        self.stderr_tail: collections.deque[str] = collections.deque(maxlen=5)
        self.answered = 0
        self.network_isolated = False
        threading.Thread(target=self._read_replies, daemon=True, name="kg-pool-reader").start()
        self._stderr = threading.Thread(target=self._read_stderr, daemon=True, name="kg-pool-stderr")
        self._stderr.start()

    @property
    def pid(self) -> int:
        return self.process.pid

    def _read_replies(self) -> None:
        stream = self.process.stdout
        assert stream is not None
        try:
            while line := stream.readline():
                header = json.loads(line)
                payload = _read_exactly(stream, int(header.get("length", 0)))
                if payload is None:
                    break
                self.replies.put((header, payload))
        except (OSError, ValueError):
            pass
        self.replies.put(None)  # end of output: the worker is gone

    def _read_stderr(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.stderr_tail.append(line.decode("utf-8", "replace").rstrip())

    def wait_ready(self, timeout: float) -> bool:
        try:
            reply = self.replies.get(timeout=timeout)
        except queue.Empty:
            return False
        if reply is None or not reply[0].get("ready"):
            return False
        self.network_isolated = bool(reply[0].get("network_isolated"))
        return True

    timeout_message = TIMEOUT_MESSAGE

    def ask(self, request: dict, timeout: float) -> tuple[dict, bytes]:
        """Send one request; the reply, or QueryTimeout / QueryError (the caller then kills this worker)."""
        started = time.monotonic()
        try:
            assert self.process.stdin is not None
            self.process.stdin.write(json.dumps(request).encode("utf-8") + b"\n")
            self.process.stdin.flush()
            reply = self.replies.get(timeout=timeout)
        except queue.Empty:
            raise QueryTimeout(
                self.timeout_message.format(elapsed=time.monotonic() - started, timeout=timeout)
            ) from None
        except OSError:
            reply = None
        if reply is None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=5)
            detail = self.stderr_tail[-1] if self.stderr_tail else f"exit status {self.process.returncode}"
            raise QueryError(f"the query engine stopped unexpectedly ({detail})")
        self.answered += 1
        return reply

    def failure(self) -> str:
        """Why this (dead) worker stopped: the last line it wrote to stderr, or its exit status."""
        self._stderr.join(timeout=1.0)
        return self.stderr_tail[-1] if self.stderr_tail else f"exit status {self.process.poll()}"

    def close(self, grace: float = 2.0) -> None:
        """End of input lets an idle worker exit by itself; kill it if it does not."""
        try:
            if self.process.stdin is not None:
                self.process.stdin.close()
        except OSError:
            pass
        try:
            self.process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            self.kill()

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()


@dataclass(slots=True)
class PoolStats:
    size: int
    idle: int
    starting: int
    answered: int
    timeouts: int
    crashes: int
    busy_refusals: int
    network_isolated: bool


class QueryPool:
    """`size` warm workers once started; `run(request)` is thread-safe and blocking (call it off the event loop)."""

    def __init__(
        self,
        size: int,
        *,
        timeout: float,
        wait: float = 2.0,
        recycle_after: int = 1000,
        command: list[str] | None = None,
        timeout_message: str = TIMEOUT_MESSAGE,
    ) -> None:
        if size < 1 or timeout <= 0 or wait < 0:
            raise ValueError("a pool needs at least one worker, a positive timeout and a wait >= 0")
        self.size, self.timeout, self.wait, self.recycle_after = size, timeout, wait, recycle_after
        self._command = command or worker_command()
        self._idle: queue.Queue[Worker] = queue.Queue()
        self._lock = threading.Lock()
        self._live: set[Worker] = set()
        self._starting = 0
        self._closed = False
        self._counts = collections.Counter[str]()
        self._isolated = False
        self._boot_failure: str | None = None
        self._timeout_message = timeout_message

    def start(self) -> None:
        """Start the workers (in the background: `run` waits for the first one that is ready)."""
        for _ in range(self.size):
            self._replace()

    def _replace(self) -> None:
        """Start a worker in the background; it joins the idle queue once it says it is ready."""
        with self._lock:
            if self._closed:
                return
            self._starting += 1
        threading.Thread(target=self._start_one, daemon=True, name="kg-pool-start").start()

    def _start_one(self) -> None:
        while True:
            worker = Worker(self._command)
            worker.timeout_message = self._timeout_message
            with self._lock:
                self._live.add(worker)
            ready = worker.wait_ready(BOOT_TIMEOUT)
            with self._lock:
                if ready and not self._closed:
                    self._starting -= 1
                    if not worker.network_isolated and self._counts["not_isolated"] == 0:
                        log.warning(
                            "query workers cannot drop network access here (no unprivileged network "
                            "namespaces); SERVICE and LOAD are still refused from the parsed query"
                        )
                    self._counts["not_isolated"] += not worker.network_isolated
                    self._isolated = worker.network_isolated
                    self._boot_failure = None
                    self._idle.put(worker)
                    return
                self._live.discard(worker)
                closed = self._closed
                if closed:
                    self._starting -= 1
            worker.kill()
            with self._lock:
                self._boot_failure = worker.failure()
            if closed:
                return
            time.sleep(RESTART_DELAY)

    def _retire(self, worker: Worker, *, kill: bool) -> None:
        with self._lock:
            self._live.discard(worker)
        worker.kill() if kill else worker.close()
        self._replace()

    def run(self, request: dict, timeout: float | None = None) -> tuple[dict, bytes]:
        """The worker's reply header and payload; QueryTimeout, QueryError (crash) or PoolBusy.

        `timeout` (seconds from sending the query) overrides the pool's for this request.
        """
        worker = self._take()
        try:
            reply = worker.ask(request, timeout or self.timeout)
        except QueryTimeout:
            self._count("timeouts")
            self._retire(worker, kill=True)
            raise
        except BaseException:
            self._count("crashes")
            self._retire(worker, kill=True)
            raise
        self._count("answered")
        if worker.answered >= self.recycle_after:
            self._retire(worker, kill=False)
        else:
            self._idle.put(worker)
        return reply

    def _take(self) -> Worker:
        """An idle worker within `wait` seconds; PoolBusy, or QueryError when workers cannot start at all."""
        deadline = time.monotonic() + self.wait
        while True:
            try:
                return self._idle.get(timeout=max(0.0, min(_POLL, deadline - time.monotonic())))
            except queue.Empty:
                with self._lock:
                    failure = self._boot_failure
                if failure is not None:
                    raise QueryError(f"the query engine could not start ({failure})") from None
                if time.monotonic() >= deadline:
                    self._count("busy_refusals")
                    raise PoolBusy(self.wait, retry_after=max(1, round(self.timeout))) from None

    def _count(self, name: str) -> None:
        with self._lock:
            self._counts[name] += 1

    def stats(self) -> PoolStats:
        with self._lock:
            return PoolStats(
                size=self.size,
                idle=self._idle.qsize(),
                starting=self._starting,
                answered=self._counts["answered"],
                timeouts=self._counts["timeouts"],
                crashes=self._counts["crashes"],
                busy_refusals=self._counts["busy_refusals"],
                network_isolated=self._isolated,
            )

    def pids(self) -> list[int]:
        with self._lock:
            return sorted(w.pid for w in self._live)

    def close(self) -> None:
        """Stop every worker: idle ones exit at end of input, busy or stuck ones are killed."""
        with self._lock:
            self._closed = True
            workers = list(self._live)
            self._live.clear()
        for worker in workers:
            worker.close(grace=1.0)
