"""One stage, run in its own fresh process by the harness: `python -m bench.stage NAME [options]`.

A fresh process per run means no stage profits from another's warm caches or pays for its garbage, and
the peak memory the harness reads (`os.wait4`) is the stage's own. The timer starts after the imports, so
"seconds" is the work itself; the harness also records the whole process's wall time. The last line of
stdout is a JSON object: {"seconds": …, …stage-specific figures}.
"""

from __future__ import annotations

import argparse
import inspect
import json
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.queries import QUERIES, Latency, query_text, time_query


def _read(args: argparse.Namespace) -> dict[str, Any]:
    from kg.readers import iter_cards

    t0 = time.perf_counter()
    cards = sum(1 for _ in iter_cards([args.cards]))
    return {"seconds": time.perf_counter() - t0, "cards": cards}


def build_keywords(model_documents: bool) -> dict[str, Any]:
    """Keywords for `kg.build` without validation: `validate=False` only if the build has that keyword."""
    import kg

    keywords: dict[str, Any] = {"model_documents": model_documents}
    if "validate" in inspect.signature(kg.build).parameters:
        keywords["validate"] = False
    return keywords


def _build(args: argparse.Namespace) -> dict[str, Any]:
    import kg

    keywords = build_keywords(args.docs)
    t0 = time.perf_counter()
    result = kg.build([args.cards], args.out, **keywords)
    seconds = time.perf_counter() - t0
    if result.status is kg.Status.FAILED:
        raise SystemExit(f"build failed: {[str(f) for f in result.errors[:5]]}")
    return {"seconds": seconds, "triples": result.triples, "quads": result.quads, "keywords": sorted(keywords)}


def _cli(args: argparse.Namespace) -> dict[str, Any]:
    """`kg build CARDS -o OUT -q`, the user's command, called in-process so the timer skips start-up."""
    from kg.cli.common import cli

    t0 = time.perf_counter()
    code = 0
    try:
        cli.main(["build", args.cards, "-o", args.out, "-q"], prog_name="kg", standalone_mode=False)
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    seconds = time.perf_counter() - t0
    if code not in (0, 3):
        raise SystemExit(f"kg build exited with {code}")
    return {"seconds": seconds, "exit_code": code}


def _latencies(run: Callable[[str], int], model_name: str, runs: int) -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = {}
    for name in QUERIES:
        text = query_text(name, model_name)
        lat: Latency = time_query(lambda text=text: run(text), runs=runs)
        out[name] = {"median_ms": lat.median_ms, "runs": lat.runs, "rows": lat.rows}
    return out


def _rdflib(args: argparse.Namespace) -> dict[str, Any]:
    """The consumer's baseline: rdflib parses graph.nt, then answers the reference queries."""
    import rdflib

    t0 = time.perf_counter()
    graph = rdflib.Graph()
    graph.parse(source=args.nt, format="nt")  # a path we wrote ourselves, not user text
    seconds = time.perf_counter() - t0
    queries = _latencies(lambda q: len(graph.query(q)), args.model_name, args.runs) if args.queries else {}
    return {"seconds": seconds, "triples": len(graph), "queries": queries}


def _pyoxigraph(args: argparse.Namespace) -> dict[str, Any]:
    """The store the design expects: an on-disk pyoxigraph store bulk-loaded from graph.nt, then queried."""
    import pyoxigraph as ox

    t0 = time.perf_counter()
    store = ox.Store(args.store)
    store.bulk_load(path=args.nt, format=ox.RdfFormat.N_TRIPLES)
    store.flush()
    seconds = time.perf_counter() - t0
    del store
    t1 = time.perf_counter()
    store = ox.Store(args.store)
    reopen = time.perf_counter() - t1

    def run(text: str) -> int:
        result = store.query(text)
        return sum(1 for _ in result)

    queries = _latencies(run, args.model_name, args.runs) if args.queries else {}
    size = sum(p.stat().st_size for p in Path(args.store).rglob("*") if p.is_file())
    return {"seconds": seconds, "reopen_s": reopen, "store_bytes": size, "queries": queries}


def _kg_query(args: argparse.Namespace) -> dict[str, Any]:
    """Each bundled query, then each reference query, through `kg.query.query` (the API `kg query` calls).

    Latency is the call's wall time (the API hands every query to a warm worker process it can kill at a
    deadline); `engine_ms` is the time the worker reports for the query itself. A bundled query by name is
    answered from the results kept at build time (`precomputed`); `live_ms` is the same text with a comment
    appended, which the engine answers.
    """
    from kg.queries import bundled_queries
    from kg.query import query

    bundled = bundled_queries()
    texts = {name: name for name in sorted(bundled)}
    texts.update({name: query_text(name, args.model_name) for name in QUERIES})
    queries: dict[str, dict[str, Any]] = {}

    def timed(text: str) -> tuple[Latency, list[float], bool]:
        engine: list[float] = []
        kept: list[bool] = []

        def run() -> int:
            result = query(args.store, text)
            engine.append(float(getattr(result, "seconds", 0.0)) * 1000)
            kept.append(bool(getattr(result, "precomputed", False)))
            return len(result) if hasattr(result, "__len__") else 1

        return time_query(run, runs=args.runs), engine, all(kept)

    for name, text in texts.items():
        lat, engine, precomputed = timed(text)
        queries[name] = {
            "median_ms": lat.median_ms,
            "engine_ms": statistics.median(engine[1:] or engine),
            "runs": lat.runs,
            "rows": lat.rows,
            "bundled": name in bundled,
            "precomputed": precomputed,
        }
        if name in bundled:
            live, _, _ = timed(bundled[name].text + "\n# answered by the engine\n")
            queries[name]["live_ms"] = live.median_ms
    return {"seconds": sum(q["median_ms"] for q in queries.values()) / 1000, "queries": queries}


def _mapped(cards: str) -> list[Any]:
    from kg.readers import parse

    try:
        from kg.corpus import map_records  # where it lives since the validation work
    except ImportError:
        from kg.build import map_records  # type: ignore[no-redef]

    mapped, _ = map_records(parse([cards]))
    return mapped


def _validate(args: argparse.Namespace) -> dict[str, Any]:
    """SHACL and cross-card validation of every card, no cache (read and map are not timed)."""
    from kg.validation import validate_cards

    cards = _mapped(args.cards)
    t0 = time.perf_counter()
    findings = validate_cards(cards, cache_dir=None)
    return {"seconds": time.perf_counter() - t0, "findings": len(findings)}


def _store(args: argparse.Namespace) -> dict[str, Any]:
    """`kg.store.write_store`: bulk-load a build's graph.nq and graph.nt into a new store, as `kg build` does."""
    from kg.store import GraphFiles, write_store

    nquads = Path(args.nq)
    t0 = time.perf_counter()
    path = write_store(Path(args.out), GraphFiles(nquads, nquads.with_name("graph.nt")))
    seconds = time.perf_counter() - t0
    size = sum(p.stat().st_size for p in path.resolve().rglob("*") if p.is_file())
    quads = sum(1 for _ in nquads.open("rb"))
    return {"seconds": seconds, "quads": quads, "store_bytes": size}


STAGES: dict[str, Callable[[argparse.Namespace], dict[str, Any]]] = {
    "read": _read,
    "build": _build,
    "cli": _cli,
    "rdflib": _rdflib,
    "pyoxigraph": _pyoxigraph,
    "kg-query": _kg_query,
    "validate": _validate,
    "store": _store,
}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.stage")
    parser.add_argument("stage", choices=sorted(STAGES))
    parser.add_argument("--cards", help="folder of cards")
    parser.add_argument("--out", help="output folder of a build")
    parser.add_argument("--docs", action="store_true", help="build with models/*.jsonld (--model-documents)")
    parser.add_argument("--nt", help="graph.nt to load")
    parser.add_argument("--nq", help="graph.nq to load")
    parser.add_argument("--store", help="store folder")
    parser.add_argument("--model-name", default="", help="mc:name of the model the one-model query asks for")
    parser.add_argument("--queries", action="store_true", help="also time the reference queries")
    parser.add_argument("--runs", type=int, default=7, help="timed runs per query (after one warm-up)")
    args = parser.parse_args(argv)
    print(json.dumps(STAGES[args.stage](args)))


if __name__ == "__main__":
    main()
