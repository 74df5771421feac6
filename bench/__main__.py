"""`python -m bench`: measure every stage at every size and write RESULTS.md, results.json and the plot.

python -m bench                       # N = 1,000 / 10,000 / 100,000, 3 runs each (hours-long stages skipped)
python -m bench --quick --out /tmp/b  # N = 50 / 200, 1 run: under two minutes, for CI
"""

from __future__ import annotations

import argparse
import json
import shlex
import sys
import tempfile
import time
from pathlib import Path

from bench.harness import Harness, Options
from bench.peers import find_binary
from bench.report import render
from bench.results import from_json, to_json
from bench.svg import line_chart

HERE = Path(__file__).resolve().parent
PLOTTED = ("read", "build", "full", "incremental", "rdflib-nt", "pyoxigraph-store", "oxigraph-server")


def _sizes(text: str) -> list[int]:
    return sorted({int(s.replace("_", "").replace(",", "")) for s in text.split() for s in s.split(",") if s})


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=_sizes, default=[1_000, 10_000, 100_000], help="e.g. 1000,10000")
    parser.add_argument("--repeat", type=int, default=3, help="runs per figure (the median is kept)")
    parser.add_argument("--quick", action="store_true", help="N = 50 and 200, one run each (CI smoke test)")
    parser.add_argument("--seed", type=int, default=0, help="corpus seed")
    parser.add_argument("--out", type=Path, default=HERE, help="where RESULTS.md, results.json, time-vs-n.svg go")
    parser.add_argument("--work", type=Path, help="scratch folder for corpora and outputs (default: a temp dir)")
    parser.add_argument("--slow", type=float, default=120.0, help="a stage whose first run takes longer runs once")
    parser.add_argument("--budget", type=float, default=600.0, help="skip a stage estimated to take longer per run")
    parser.add_argument("--load-requests", type=int, default=200, help="requests of the bounded server load")
    parser.add_argument("--query-runs", type=int, default=7, help="timed runs per query, after one warm-up")
    parser.add_argument("--oxigraph", help="path of the `oxigraph` server binary (default: found on PATH)")
    parser.add_argument("--rdflib-endpoint", help="path of the `rdflib-endpoint` command (default: found on PATH)")
    parser.add_argument("--resume", action="store_true", help="reuse the figures of an interrupted run (same code)")
    parser.add_argument("--report-only", action="store_true", help="rewrite the report from OUT/results.json")
    args = parser.parse_args(argv)
    if args.quick:
        args.sizes, args.repeat, args.load_requests, args.query_runs = [50, 200], 1, 20, 1
    return args


def write_outputs(out: Path, results: list, sizes: list[int], command: str, oxigraph: str | None, meta: dict) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    notes_file = HERE / "where-the-time-goes.md"
    notes = notes_file.read_text(encoding="utf-8") if notes_file.exists() else ""
    (out / "RESULTS.md").write_text(render(results, sizes, command, oxigraph, notes, meta), encoding="utf-8")
    series = {stage: [(r.size, r.seconds) for r in results if r.stage == stage and r.ok] for stage in PLOTTED}
    svg = line_chart(series, "Work time versus number of cards (log-log)", "seconds")
    (out / "time-vs-n.svg").write_text(svg, encoding="utf-8")
    return out / "RESULTS.md"


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    command = "python -m bench " + shlex.join(sys.argv[1:] if argv is None else argv)
    oxigraph = find_binary("oxigraph", args.oxigraph)
    if args.report_only:
        data = json.loads((args.out / "results.json").read_text())
        results = from_json(data["results"])
        path = write_outputs(args.out, results, data["sizes"], data["command"], oxigraph, data.get("meta", {}))
        print(f"wrote {path}")
        return
    work = (args.work or Path(tempfile.gettempdir()) / "kg-bench").resolve()
    options = Options(
        sizes=args.sizes,
        repeat=args.repeat,
        seed=args.seed,
        work=work,
        slow_s=args.slow,
        budget_s=args.budget,
        load_requests=args.load_requests,
        query_runs=args.query_runs,
        resume=args.resume,
        oxigraph=oxigraph,
        rdflib_endpoint=args.rdflib_endpoint,
    )
    t0 = time.perf_counter()
    harness = Harness(options)
    results = harness.run()
    args.out.mkdir(parents=True, exist_ok=True)
    payload = {"command": command, "sizes": args.sizes, "meta": harness.meta, "results": to_json(results)}
    (args.out / "results.json").write_text(json.dumps(payload, indent=1) + "\n", encoding="utf-8")
    path = write_outputs(args.out, results, args.sizes, command, oxigraph, harness.meta)
    print(f"wrote {path} in {time.perf_counter() - t0:.0f} s")


if __name__ == "__main__":
    main()
