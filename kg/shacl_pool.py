"""Validate cards in batches, in worker processes, each batch with a deadline.

- **Batches.** pySHACL has a fixed cost per call: one card per call is about five times slower than a few
  thousand at once. Cards are cut into batches of at most `BATCH_SIZE`, and into at least as many batches
  as there are cores.
- **Workers.** Each worker is a fresh interpreter (`python -c "…serve()"`) that validates the batches sent
  on its stdin. A fresh interpreter, not a fork: forking a process that may hold threads can deadlock,
  and the spawn and forkserver start methods re-run the caller's script when it has no `__main__` guard.
  Workers stay up for the whole run, one per core, and are replaced when killed.
- **Deadlines.** A batch's deadline T counts from the moment its worker starts on it (a new worker's
  start-up, about a second, is bounded apart by `STARTUP_TIMEOUT`). A batch that does not finish in time
  is killed; a batch that fails or times out is split in half and retried, down to the single card
  responsible, which is reported as not validated. Halves get time in proportion to their size, never
  less than min(T, `MIN_TIMEOUT`), so one pathological card costs at most about 2T plus `MIN_TIMEOUT` per
  halving.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import time
from collections import deque
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pyoxigraph as ox

from kg.shacl import READY, RawResult, isolate, read_frame, validate_ntriples, write_frame

BATCH_SIZE = 2000
DEFAULT_TIMEOUT = 120.0
"""Seconds a worker may spend on one full batch; 2,000 cards took 3 to 6 s on one core here."""
MIN_TIMEOUT = 5.0
STARTUP_TIMEOUT = 60.0
"""Seconds a new worker may take to start (import rdflib and pySHACL, parse the shapes): about 1 s."""
_POLL = 0.5
_SERVE = "from kg.shacl import serve; serve()"
_PACKAGE_ROOT = str(Path(__file__).resolve().parents[1])
log = logging.getLogger(__name__)


@dataclass(slots=True)
class Outcome:
    """What became of one card: its results (focus nodes named as in the card), or why it was not validated."""

    results: list[RawResult] = field(default_factory=list)
    failure: str | None = None


@dataclass(slots=True)
class _Job:
    cards: list[int]
    timeout: float | None
    payload: bytes = b""
    aliases: dict[str, tuple[int, str]] = field(default_factory=dict)
    started: float | None = None
    """When a worker began on the batch (set by the thread that talks to the worker)."""
    finished: float | None = None

    def overran(self) -> bool:
        """A reply that came after the deadline counts as none: the main loop only looks every _POLL s."""
        assert self.timeout is not None and self.started is not None and self.finished is not None
        return self.finished - self.started > self.timeout

    def deadline(self, submitted: float) -> float:
        assert self.timeout is not None
        return (self.started if self.started is not None else submitted + STARTUP_TIMEOUT) + self.timeout


class _Worker:
    """One worker process; `validate` blocks until the reply, and fails with EOFError if the process dies."""

    def __init__(self) -> None:
        path = os.pathsep.join(filter(None, [_PACKAGE_ROOT, os.environ.get("PYTHONPATH")]))
        self.process = subprocess.Popen(
            [sys.executable, "-c", _SERVE],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env={**os.environ, "PYTHONPATH": path},  # the same kg as this process, installed or not
        )
        self.ready = False

    def validate(self, job: _Job) -> dict[str, object]:
        """Wait until the worker is ready (its start-up is not the batch's time), then validate the batch."""
        assert self.process.stdin is not None and self.process.stdout is not None
        if not self.ready:
            if read_frame(self.process.stdout) != READY:
                raise EOFError("the worker did not start")
            self.ready = True
        job.started = time.monotonic()
        try:
            write_frame(self.process.stdin, job.payload)
        except OSError as err:
            raise EOFError(str(err)) from err
        reply = read_frame(self.process.stdout)
        job.finished = time.monotonic()
        return json.loads(reply)

    def kill(self) -> None:
        self.process.kill()
        self.process.wait()

    def close(self) -> None:
        if self.process.stdin:
            self.process.stdin.close()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.kill()


class _Run:
    """The jobs of one validation, the outcome of every card, and how a job's result or failure lands."""

    def __init__(self, cards: list[list[ox.Triple]], timeout: float | None, size: int) -> None:
        self.cards = cards
        self.outcomes = [Outcome() for _ in cards]
        self.jobs = deque(_Job(list(range(i, min(i + size, len(cards)))), timeout) for i in range(0, len(cards), size))

    def next_job(self) -> _Job:
        job = self.jobs.popleft()
        job.payload, job.aliases = isolate(self.cards[i] for i in job.cards)
        return job

    def finish(self, job: _Job, reply: dict[str, object]) -> None:
        if "error" in reply:
            self.fail(job, f"validation failed ({reply['error']})")
            return
        for raw in (RawResult(**r) for r in reply["results"]):  # type: ignore[attr-defined]
            if raw.focus not in job.aliases:
                log.warning("SHACL result on a node of no card (the vocabulary?): %s", raw)
                continue
            index, focus = job.aliases[raw.focus]
            value = raw.value
            if value and value.startswith("<") and value[1:-1] in job.aliases:
                value = f"<{job.aliases[value[1:-1]][1]}>"
            self.outcomes[job.cards[index]].results.append(
                RawResult(focus, raw.path, value, raw.severity, raw.shape, raw.component, raw.message)
            )

    def fail(self, job: _Job, reason: str) -> None:
        """Split the job in half and queue both halves; a single card gets the failure as its outcome."""
        if len(job.cards) == 1:
            self.outcomes[job.cards[0]] = Outcome([], reason)
            return
        half = len(job.cards) // 2
        for part in (job.cards[:half], job.cards[half:]):
            budget = None
            if job.timeout is not None:
                budget = max(job.timeout * len(part) / len(job.cards), min(job.timeout, MIN_TIMEOUT))
            self.jobs.append(_Job(part, budget))


class WarmWorkers:
    """Idle workers kept between calls of `validate_cards_raw` (a build validates batch after batch)."""

    def __init__(self) -> None:
        self.idle: list[_Worker] = []

    def close(self) -> None:
        for worker in self.idle:
            worker.close()
        self.idle.clear()


def validate_cards_raw(
    cards: list[list[ox.Triple]],
    *,
    timeout: float | None = DEFAULT_TIMEOUT,
    batch_size: int = BATCH_SIZE,
    workers: int | None = None,
    warm: WarmWorkers | None = None,
) -> list[Outcome]:
    """Validate each card's triples as if alone; one Outcome per card, in order.

    `timeout` is the deadline of a full batch in seconds; None validates in this process, with no deadline.
    With `warm`, idle workers are taken from it and left in it at the end (the caller closes them).
    """
    workers = max(1, workers or os.cpu_count() or 1) if timeout is not None else 1
    run = _Run(cards, timeout, max(1, min(batch_size, -(-len(cards) // workers))))
    if timeout is None:
        while run.jobs:
            job = run.next_job()
            try:
                run.finish(job, {"results": [asdict(r) for r in validate_ntriples(job.payload)]})
            except Exception as err:
                run.fail(job, f"validation failed ({type(err).__name__}: {err})")
    else:
        _in_workers(run, min(workers, len(run.jobs)), warm)
    return run.outcomes


def _in_workers(run: _Run, workers: int, warm: WarmWorkers | None) -> None:
    idle: list[_Worker] = warm.idle if warm is not None else []
    running: dict[Future[dict[str, object]], tuple[_Worker, _Job, float]] = {}
    killed: set[Future[dict[str, object]]] = set()
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="kg-validate") as threads:
        try:
            while run.jobs or running:
                while run.jobs and len(running) < workers:
                    job, worker = run.next_job(), idle.pop() if idle else _Worker()
                    running[threads.submit(worker.validate, job)] = (worker, job, time.monotonic())
                # A deadline is known once the worker starts on the batch: look again at least every _POLL s.
                nearest = min(job.deadline(submitted) for _, job, submitted in running.values())
                pause = min(max(0.0, nearest - time.monotonic()), _POLL)
                done, _ = wait(running, timeout=pause, return_when=FIRST_COMPLETED)
                for future in done:
                    worker, job, _ = running.pop(future)
                    if future.exception() is None:
                        if future not in killed:
                            idle.append(worker)
                        if job.overran():
                            run.fail(job, f"validation did not finish within {job.timeout:.3g} s")
                        else:
                            run.finish(job, future.result())
                    elif future in killed and job.started is None:
                        run.fail(job, f"the worker process did not start within {STARTUP_TIMEOUT:.3g} s")
                    elif future in killed:
                        run.fail(job, f"validation did not finish within {job.timeout:.3g} s")
                    else:
                        worker.kill()
                        run.fail(job, f"validation failed (the worker process died: {future.exception()})")
                now = time.monotonic()
                for future, (worker, job, submitted) in running.items():
                    if now >= job.deadline(submitted) and not future.done() and future not in killed:
                        killed.add(future)
                        worker.kill()  # its blocked read ends, and the future completes
        finally:
            for worker, _, _ in running.values():
                worker.kill()
            if warm is None:
                for worker in idle:
                    worker.close()
