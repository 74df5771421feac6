"""Run every stage for every corpus size, each run in a fresh process, and keep the medians.

Each run is `python -m bench.stage …` (or a server binary) started by this process; `os.wait4` gives that
child's own peak RSS, and the stage prints its work time (after imports). A figure is the median of up to
`repeat` runs. Stages that would blow the time budget are skipped with a note instead of silently
truncated: the estimate is the stage's per-card time at the previous size times N (the linearity target
is what makes that estimate fair), and a stage whose first run exceeds `slow_s` is run only once.
"""

from __future__ import annotations

import filecmp
import json
import os
import shutil
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.generate import generate, touch_card
from bench.peers import (
    LOOPBACK,
    ServerRun,
    find_binary,
    free_port,
    run_endpoint,
    run_oxigraph_server,
    run_rdflib_endpoint,
)
from bench.process import StageError, child_env, probe, snapshot, spawn
from bench.results import Run, StageResult, from_json, to_json


@dataclass(slots=True)
class Options:
    sizes: list[int]
    repeat: int = 3
    seed: int = 0
    work: Path = Path("/tmp/kg-bench")
    slow_s: float = 120.0
    budget_s: float = 600.0
    load_requests: int = 200
    query_runs: int = 7
    oxigraph: str | None = None
    rdflib_endpoint: str | None = None
    verbose: bool = True
    resume: bool = False


class Harness:
    def __init__(self, options: Options) -> None:
        self.o = options
        self.results: list[StageResult] = []
        self.o.work.mkdir(parents=True, exist_ok=True)
        source, info = snapshot(self.o.work)
        self.env = child_env(source)
        self.features = probe(self.env, self.o.work)
        if not Path(self.features["kg_file"]).resolve().is_relative_to(source.resolve()):
            raise StageError(f"the stages would import {self.features['kg_file']}, not the snapshot in {source}")
        self.meta: dict[str, Any] = {"source": info, "features": self.features, "load_before": os.getloadavg()}
        self.partial = self.o.work / "results-partial.json"
        self.resumed: dict[tuple[str, int], StageResult] = {}
        if self.o.resume and self.partial.exists():
            data = json.loads(self.partial.read_text())
            if data["meta"]["source"]["source digest"] == info["source digest"] and data["seed"] == self.o.seed:
                self.resumed = {(r.stage, r.size): r for r in from_json(data["results"])}
                self.say(f"resuming: {len(self.resumed)} figures of an interrupted run on the same code")

    def save(self) -> None:
        """Keep what is measured so far: a crash or a stop at 100,000 cards loses nothing (see --resume)."""
        data = {"seed": self.o.seed, "meta": self.meta, "results": to_json(self.results)}
        tmp = self.partial.with_suffix(".tmp")
        tmp.write_text(json.dumps(data, indent=1))
        os.replace(tmp, self.partial)

    def record(self, result: StageResult) -> StageResult:
        self.results.append(result)
        self.save()
        return result

    def reuse(self, stage: str, size: int) -> StageResult | None:
        if (old := self.resumed.get((stage, size))) is not None:
            self.say(f"  {stage:<16} (from the interrupted run)")
            self.record(old)
        return old

    # -- bookkeeping --------------------------------------------------------------------------------

    def say(self, text: str) -> None:
        if self.o.verbose:
            print(text, file=sys.stderr, flush=True)

    def previous(self, stage: str, size: int) -> StageResult | None:
        done = [r for r in self.results if r.stage == stage and r.size < size and r.ok]
        return max(done, key=lambda r: r.size) if done else None

    def get(self, stage: str, size: int) -> StageResult | None:
        return next((r for r in self.results if r.stage == stage and r.size == size), None)

    def skip(self, stage: str, size: int, note: str) -> StageResult:
        result = self.record(StageResult(stage, size, note="skipped: " + note))
        self.say(f"  {stage:<16} {result.note}")
        return result

    def over_budget(self, stage: str, size: int, proxy: str | None = None) -> str | None:
        """Why `stage` at `size` would exceed the budget, estimated linearly from a smaller size."""
        prev = self.previous(stage, size) or (self.previous(proxy, size) if proxy else None)
        if prev is None:
            return None
        estimate = prev.process_s * size / prev.size
        if estimate <= self.o.budget_s:
            return None
        return (
            f"estimated {estimate:,.0f} s per run ({prev.process_s / prev.size * 1000:.1f} ms/card at "
            f"N={prev.size:,} × {size:,}) is over the {self.o.budget_s:.0f} s per-run budget (--budget)"
        )

    def measure(self, stage: str, size: int, argv: list[str], proxy: str | None = None) -> StageResult:
        if old := self.reuse(stage, size):
            return old
        if reason := self.over_budget(stage, size, proxy):
            return self.skip(stage, size, reason)
        result = StageResult(stage, size)
        for i in range(self.o.repeat):
            try:
                run = spawn(argv, self.o.work / "logs" / f"{size}-{stage}-{i}.out", self.env)
            except StageError as err:  # e.g. out of memory at 100,000 cards: report it, go on
                return self.skip(stage, size, f"failed: {last_line(str(err))}")
            result.runs.append(run)
            if i == 0 and run.process_s > self.o.slow_s and self.o.repeat > 1:
                result.note = f"1 run: the first took {run.process_s:.0f} s (> --slow {self.o.slow_s:.0f} s)"
                break
        self.record(result)
        runs = f"({len(result.runs)} runs)"
        self.say(f"  {stage:<16} {result.seconds:9.3f} s  {result.maxrss_mb:8.1f} MB  {runs} {result.note}")
        return result

    # -- the stages ---------------------------------------------------------------------------------

    def corpus(self, size: int) -> Path:
        folder = self.o.work / f"cards-{size}-seed{self.o.seed}"
        marker = folder / ".complete"
        if not marker.exists():
            shutil.rmtree(folder, ignore_errors=True)
            t0 = time.perf_counter()
            generate(size, folder, self.o.seed)
            marker.write_text(f"{size} {self.o.seed}\n")
            self.say(f"  generated {size:,} cards in {time.perf_counter() - t0:.1f} s")
        return folder

    def run_size(self, size: int) -> None:
        self.say(f"N = {size:,}")
        cards = self.corpus(size)
        model_name = min(p.stem for p in cards.glob("*.md"))
        out = self.o.work / f"out-{size}"
        stage = [sys.executable, "-m", "bench.stage"]
        self.measure("read", size, [*stage, "read", "--cards", str(cards)])
        built = out / "build"
        self.measure("build", size, [*stage, "build", "--cards", str(cards), "--out", str(built)])
        docs = [*stage, "build", "--cards", str(cards), "--out", str(out / "build-docs"), "--docs"]
        self.measure("build-docs", size, docs)
        if self.features["validate_cards"]:
            self.measure("validate", size, [*stage, "validate", "--cards", str(cards)])
        else:
            self.skip("validate", size, "kg.validation.validate_cards does not exist (issue 4)")
        full = self.measure("full", size, [*stage, "cli", "--cards", str(cards), "--out", str(out / "full")])
        self.incremental(size, cards, out, full)
        if self.features["write_store"] and not (built / "graph.nq").exists():
            self.skip("store", size, "needs the graph.nq of `build`, which was skipped")
        elif self.features["write_store"]:
            nq = built / "graph.nq"
            self.measure("store", size, [*stage, "store", "--nq", str(nq), "--out", str(out / "store-stage")])
            shutil.rmtree(out / "store-stage", ignore_errors=True)
        else:
            self.skip("store", size, "kg.store.write_store does not exist (issue 5)")
        self.kg_query(size, out / "full" / "store", model_name)
        nt = built / "graph.nt"
        if not nt.exists():
            for name in ("rdflib-nt", "pyoxigraph-store", "oxigraph-server"):
                self.skip(name, size, "needs the graph.nt of `build`, which was skipped")
            return
        common = ["--nt", str(nt), "--model-name", model_name, "--queries", "--runs", str(self.o.query_runs)]
        self.measure("rdflib-nt", size, [*stage, "rdflib", *common])
        store = out / "pyoxigraph-store"
        shutil.rmtree(store, ignore_errors=True)
        self.measure("pyoxigraph-store", size, [*stage, "pyoxigraph", *common, "--store", str(store)])
        shutil.rmtree(store, ignore_errors=True)
        self.servers(size, nt, model_name, out)

    def incremental(self, size: int, cards: Path, out: Path, full: StageResult) -> None:
        if self.reuse("incremental", size):
            return
        if not full.ok:
            self.skip("incremental", size, "needs the full build's output, which was skipped")
            return
        if reason := self.over_budget("incremental", size, proxy="full"):
            self.skip("incremental", size, reason)
            return
        changed, target = self.o.work / f"cards-{size}-changed", out / "incremental"
        shutil.rmtree(changed, ignore_errors=True)
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(cards, changed)
        shutil.copytree(out / "full", target, symlinks=True)
        victim = sorted(changed.glob("*.md"))[size // 2]
        argv = [sys.executable, "-m", "bench.stage", "cli", "--cards", str(changed), "--out", str(target)]
        result = StageResult("incremental", size)
        clean = out / "incremental-clean"
        shutil.rmtree(clean, ignore_errors=True)
        try:
            for i in range(self.o.repeat):
                touch_card(victim, i + 1)
                result.runs.append(spawn(argv, self.o.work / "logs" / f"{size}-incremental-{i}.out", self.env))
                if i == 0 and result.runs[0].process_s > self.o.slow_s and self.o.repeat > 1:
                    result.note = f"1 run: the first took {result.runs[0].process_s:.0f} s (> --slow)"
                    break
            spawn([*argv[:-1], str(clean)], self.o.work / "logs" / f"{size}-incremental-clean.out", self.env)
        except StageError as err:
            self.skip("incremental", size, f"failed: {last_line(str(err))}")
            return
        differing = compare_trees(target, clean)
        result.runs[-1].extra["identical"] = not differing
        result.runs[-1].extra["differing"] = differing[:5]
        for run in result.runs:
            run.extra.setdefault("identical", not differing)
        verdict = (
            "output identical to a clean build" if not differing else f"DIFFERS from a clean build: {differing[:3]}"
        )
        result.note = "; ".join(filter(None, [result.note, verdict]))
        self.record(result)
        self.say(f"  {'incremental':<16} {result.seconds:9.3f} s  {result.maxrss_mb:8.1f} MB  {result.note}")
        shutil.rmtree(changed, ignore_errors=True)

    def kg_query(self, size: int, store: Path, model_name: str) -> None:
        if not self.features["query"]:
            self.skip("kg-query", size, "kg.query.query / kg.queries.bundled_queries do not exist yet (issue 5)")
        elif not store.exists():
            self.skip("kg-query", size, "needs the store of the full build, which was skipped or wrote none")
        else:
            argv = [sys.executable, "-m", "bench.stage", "kg-query", "--store", str(store), "--model-name", model_name]
            argv += ["--runs", str(self.o.query_runs)]
            try:
                self.measure("kg-query", size, argv)
            except StageError as err:
                self.skip("kg-query", size, f"`kg query` failed: {str(err)[:200]}")

    def servers(self, size: int, nt: Path, model_name: str, out: Path) -> None:
        if "serve" not in self.features["commands"]:
            self.skip("kg-endpoint", size, "`kg serve` does not exist yet (issue 6)")
            self.skip("rdflib-endpoint", size, "peer measured only against `kg serve`, which does not exist yet")
        else:
            self.kg_endpoint(size, out / "full" / "store", model_name)
            self.rdflib_endpoint(size, nt, model_name)
        self.peer(
            "oxigraph-server",
            size,
            find_binary("oxigraph", self.o.oxigraph),
            "no `oxigraph` binary (pip install oxigraph, or --oxigraph PATH)",
            lambda binary: run_oxigraph_server(
                binary, nt, out / "oxigraph-db", model_name, self.o.load_requests, self.o.query_runs
            ),
            "load: `oxigraph load`; queries over HTTP",
        )

    def rdflib_endpoint(self, size: int, nt: Path, model_name: str) -> None:
        """The peer that serves graph.nt from rdflib, asked the same queries under the same load."""
        self.peer(
            "rdflib-endpoint",
            size,
            find_binary("rdflib-endpoint", self.o.rdflib_endpoint),
            "no `rdflib-endpoint` command (pip install 'rdflib-endpoint[cli]')",
            lambda binary: run_rdflib_endpoint(binary, nt, model_name, self.o.load_requests, self.o.query_runs),
            "rdflib parses graph.nt at start-up (the load); queries over HTTP",
        )

    def peer(
        self, stage: str, size: int, binary: str | None, missing: str, start: Callable[[str], ServerRun], note: str
    ) -> None:
        """A peer server (`start(binary)` loads, serves and measures it), unless absent or over budget."""
        if self.reuse(stage, size):
            return
        if binary is None:
            self.skip(stage, size, missing)
            return
        if reason := self.over_budget(stage, size):
            self.skip(stage, size, reason)
            return
        t0 = time.perf_counter()
        try:
            server = start(binary)
        except (RuntimeError, OSError) as err:
            self.skip(stage, size, f"failed: {err}")
            return
        extra = {"queries": server.queries, "load": server.load, "server_maxrss_kb": server.server_maxrss_kb}
        run = Run(server.load_s, time.perf_counter() - t0, server.load_maxrss_kb, extra)
        result = StageResult(stage, size, [run], note=note)
        self.record(result)
        self.say(f"  {stage:<16} {run.seconds:9.3f} s  {result.maxrss_mb:8.1f} MB")

    def kg_endpoint(self, size: int, store: Path, model_name: str) -> None:
        """`kg serve` on the full build's store, measured like the oxigraph server (same queries, same load)."""
        if self.reuse("kg-endpoint", size):
            return
        if not store.exists():
            self.skip("kg-endpoint", size, "needs the store of the full build, which was skipped or wrote none")
            return
        port = free_port()
        argv = [sys.executable, "-m", "kg", "serve", "--store", str(store), "--host", LOOPBACK, "--port", str(port)]
        t0 = time.perf_counter()
        try:
            server = run_endpoint(
                argv,
                f"http://{LOOPBACK}:{port}/sparql",
                model_name,
                self.o.load_requests,
                self.o.query_runs,
                env=self.env,
                cwd=self.o.work,
            )
        except (RuntimeError, OSError) as err:
            self.skip("kg-endpoint", size, f"failed: {err}")
            return
        extra = {"queries": server.queries, "load": server.load, "server_maxrss_kb": server.server_maxrss_kb}
        elapsed = time.perf_counter() - t0
        run = Run(elapsed, elapsed, server.server_maxrss_kb, extra)
        self.record(StageResult("kg-endpoint", size, [run], note="`kg serve`; queries over HTTP"))
        self.say(f"  {'kg-endpoint':<16} served, {server.load.get('per_second', 0):,.0f} requests/s")

    def run(self) -> list[StageResult]:
        for size in self.o.sizes:
            self.run_size(size)
        self.meta["load_after"] = os.getloadavg()
        return self.results


def _published(root: Path) -> set[str]:
    """The files a build publishes: not its caches (`.…`) nor the store's database (`store…/`)."""
    names = set()
    for path in root.rglob("*"):
        rel = path.relative_to(root)
        if path.is_file() and not rel.parts[0].startswith((".", "store")):
            names.add(rel.as_posix())
    return names


def last_line(text: str) -> str:
    """The line of a traceback that says what went wrong."""
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return lines[-1][:300] if lines else "?"


def compare_trees(left: Path, right: Path) -> list[str]:
    """Published files whose bytes differ, or that exist on one side only."""
    names = _published(left) | _published(right)
    return sorted(
        n
        for n in names
        if not ((left / n).is_file() and (right / n).is_file() and filecmp.cmp(left / n, right / n, shallow=False))
    )
