"""RESULTS.md: machine, versions, one table per size, query latencies, and every target of issue 8.

Ratios are against the read-only floor measured in the same run, on work time (after imports), so they
compare the pipeline with itself on this machine rather than with another machine's absolute numbers.
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import subprocess
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from bench.results import StageResult

GB = 1024.0

DESCRIPTIONS = {
    "read": "read only (the floor): iterate `kg.readers.iter_cards`",
    "build-docs": "`kg.build` without validation, `model_documents=True` (the opt-in framed documents; diagnostic)",
    "build": "`kg.build` without validation (the default outputs: graph files, VoID, store)",
    "full": "full `kg build CARDS -o OUT -q` (the CLI, in-process)",
    "incremental": "`kg build` again after one card changed",
    "validate": "`kg.validation.validate_cards`, no cache (read and map not timed)",
    "store": "`kg.store.write_store`: Oxigraph bulk-loads graph.nq and graph.nt (as `kg build` does)",
    "kg-query": "`kg.query.query`: bundled + reference queries (sum of medians)",
    "rdflib-nt": "baseline: rdflib parses graph.nt",
    "pyoxigraph-store": "reference: pyoxigraph on-disk bulk load of graph.nt",
    "oxigraph-server": "peer: `oxigraph load` of graph.nt (server then queried over HTTP)",
    "kg-endpoint": "`kg serve` under loopback load",
    "rdflib-endpoint": "peer: rdflib-endpoint",
}


def machine() -> dict[str, str]:
    cpu = platform.processor() or "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem_kb = next(
            int(line.split()[1])
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        )
        ram = f"{mem_kb / 1024 / 1024:.1f} GiB"
    except (OSError, StopIteration):
        ram = "?"
    return {"CPU": cpu, "cores": str(os.cpu_count()), "RAM": ram, "OS": platform.platform()}


def versions(oxigraph: str | None) -> dict[str, str]:
    out = {"Python": platform.python_version()}
    for label, dist in (
        ("kg (mckg)", "mckg"),
        ("rdflib", "rdflib"),
        ("pyoxigraph", "pyoxigraph"),
        ("pyshacl", "pyshacl"),
        ("pyld", "pyld"),
    ):
        try:
            out[label] = version(dist)
        except PackageNotFoundError:
            out[label] = "not installed"
    if oxigraph:
        try:
            out["oxigraph server"] = subprocess.run(
                [oxigraph, "--version"], capture_output=True, text=True, timeout=10
            ).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            out["oxigraph server"] = "?"
    else:
        out["oxigraph server"] = "not found"
    return out


def _get(results: list[StageResult], stage: str, size: int) -> StageResult | None:
    return next((r for r in results if r.stage == stage and r.size == size), None)


def cell(text: str) -> str:
    """Text safe inside a pipe-table cell: one line, pipes escaped, a failure cut to its last line."""
    lines = [line.strip() for line in text.splitlines() if line.strip() and set(line.strip()) != {"^"}]
    if len(lines) > 1 and lines[0].startswith("skipped: failed:"):
        lines = ["skipped: failed: " + lines[-1]]
    return " ".join(lines).replace("|", "\\|")


def _fmt_s(seconds: float) -> str:
    return f"{seconds:,.3f}" if seconds < 10 else f"{seconds:,.1f}"


def size_table(results: list[StageResult], size: int) -> list[str]:
    floor = _get(results, "read", size)
    rows = [
        f"### N = {size:,}",
        "",
        "| stage | work s | process s | peak RSS MB | ms/card | × floor | runs | note |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in (r for r in results if r.size == size):
        what = DESCRIPTIONS.get(r.stage, r.stage)
        if not r.ok:
            rows.append(f"| {r.stage}: {what} | – | – | – | – | – | 0 | {cell(r.note)} |")
            continue
        ratio = f"{r.seconds / floor.seconds:,.1f}" if floor and floor.ok and floor.seconds else "–"
        rows.append(
            f"| {r.stage}: {what} | {_fmt_s(r.seconds)} | {_fmt_s(r.process_s)} | {r.maxrss_mb:,.0f} | "
            f"{r.seconds / size * 1000:.3f} | {ratio} | {len(r.runs)} | {cell(r.note)} |"
        )
    return rows


def query_table(results: list[StageResult], size: int) -> list[str]:
    engines = [r for r in results if r.size == size and r.ok and r.extra.get("queries")]
    if not engines:
        return []
    names = sorted({q for r in engines for q in r.extra["queries"]})
    rows = [
        f"Query latency at N = {size:,} (median ms; warm, after one warm-up run):",
        "",
        "| query | " + " | ".join(r.stage for r in engines) + " |",
        "|---|" + "---:|" * len(engines),
    ]
    live = any("live_ms" in q for r in engines for q in r.extra["queries"].values())
    if live:  # a bundled query by name is answered from kept results; this column is the engine on the same text
        rows[2] = rows[2][:-1] + "| kg-query (engine) |"
        rows[3] += "---:|"
    for name in names:
        cells = [
            f"{r.extra['queries'][name]['median_ms']:,.2f}" if name in r.extra["queries"] else "–" for r in engines
        ]
        if live:
            kq = next((r for r in engines if r.stage == "kg-query"), None)
            query = kq.extra["queries"].get(name, {}) if kq else {}
            cells.append(f"{query['live_ms']:,.2f}" if "live_ms" in query else "–")
        rows.append(f"| {name} | " + " | ".join(cells) + " |")
    for server in (_get(results, name, size) for name in ("kg-endpoint", "oxigraph-server", "rdflib-endpoint")):
        if not (server and server.ok and server.extra.get("load")):
            continue
        load = server.extra["load"]
        rows += [
            "",
            f"{server.stage} under a bounded loopback load ({load['requests']} `{load['query']}` requests, "
            "4 threads): "
            f"{load['per_second']:,.0f} requests/s, p50 {load['p50_ms']:.2f} ms, p99 {load['p99_ms']:.2f} ms, "
            f"{load['errors']} errors; server peak RSS {server.extra.get('server_maxrss_kb', 0) / 1024:,.0f} MB.",
        ]
    return rows


@dataclass(frozen=True, slots=True)
class Target:
    name: str
    measured: str
    met: str


def _at(results: list[StageResult], stage: str, size: int) -> StageResult | None:
    r = _get(results, stage, size)
    return r if r and r.ok else None


def targets(results: list[StageResult], sizes: list[int]) -> list[Target]:
    big = 100_000
    largest = max(sizes)
    out: list[Target] = []

    def ratio_target(stage: str, limit: float, label: str) -> None:
        """The ratio at 100,000 cards, else at the largest size measured, saying why 100,000 is missing."""
        for size in sorted(sizes, reverse=True):
            r, floor = _at(results, stage, size), _at(results, "read", size)
            if not (r and floor):
                continue
            x = r.seconds / floor.seconds
            text = f"{x:,.1f}× floor ({_fmt_s(r.seconds)} s vs {_fmt_s(floor.seconds)} s)"
            if size != big:
                missing = _get(results, stage, big)
                why = missing.note.removeprefix("skipped: ") if missing else "not in --sizes"
                text += f" at N={size:,}; at 100,000: {why}"
            out.append(Target(label, text, _yes(x <= limit, size == big)))
            return
        out.append(Target(label, "not measured", "not measured"))

    ratio_target("full", 20, "full `kg build` of 100,000 cards ≤ 20× the floor")
    full_big = _at(results, "full", big)
    full_any = full_big or next((r for s in sorted(sizes, reverse=True) if (r := _at(results, "full", s))), None)
    if full_any:
        gb = full_any.maxrss_mb / GB
        where = "" if full_big else f" (at N={full_any.size:,}; 100,000 not measured)"
        out.append(
            Target(
                "full `kg build` of 100,000 cards ≤ 1.5 GB peak", f"{gb:.2f} GB{where}", _yes(gb <= 1.5, bool(full_big))
            )
        )
    else:
        out.append(Target("full `kg build` of 100,000 cards ≤ 1.5 GB peak", "not measured", "not measured"))
    ratio_target("build", 4, "build without validation ≤ 4× the floor")
    ratio_target("incremental", 1, "incremental rebuild after one card changes ≤ 1× the floor")
    incr = next((r for s in sorted(sizes, reverse=True) if (r := _at(results, "incremental", s))), None)
    if incr:
        same = all(run.extra.get("identical") for run in incr.runs)
        out.append(
            Target(
                "incremental output identical to a clean build",
                f"{'identical' if same else 'DIFFERENT'} at N={incr.size:,}",
                "yes" if same else "**no**",
            )
        )
    for stage in ("full", "build", "read"):
        a, b = _at(results, stage, 10_000), _at(results, stage, big)
        label = f"linear: per-card time of `{stage}` at 100,000 within 1.3× of 10,000"
        if a and b:
            x = (b.seconds / big) / (a.seconds / 10_000)
            out.append(Target(label, f"{x:.2f}×", _yes(x <= 1.3, True)))
        elif stage in ("full", "build"):
            out.append(Target(label, "not measured at both sizes", "not measured"))
    label = "bundled queries on the 100,000-card store: median < 100 ms each"
    kq = next((r for size in sorted(sizes, reverse=True) if (r := _at(results, "kg-query", size))), None)
    ref = next((r for size in sorted(sizes, reverse=True) if (r := _at(results, "pyoxigraph-store", size))), None)
    ref_text = ""
    if ref:
        worst = max(q["median_ms"] for q in ref.extra["queries"].values())
        ref_text = f"; reference pyoxigraph store: slowest reference query {worst:,.1f} ms at N={ref.size:,}"
    bundled = {k: q for k, q in (kq.extra["queries"] if kq else {}).items() if q.get("bundled")}
    if kq and bundled:
        name = max(bundled, key=lambda k: bundled[k]["median_ms"])
        worst = bundled[name]["median_ms"]
        where = "" if kq.size == big else f" at N={kq.size:,} (no store at 100,000)"
        kept = " (answered from the results kept at build time)" if bundled[name].get("precomputed") else ""
        detail = f"slowest `{name}` {worst:,.1f} ms{kept}"
        if any("live_ms" in q for q in bundled.values()):
            slow = max(bundled, key=lambda k: bundled[k].get("live_ms", 0))
            detail += f"; the engine alone: slowest `{slow}` {bundled[slow]['live_ms']:,.1f} ms"
        out.append(Target(label, detail + where + ref_text, _yes(worst < 100, kq.size == big)))
    else:
        note = _get(results, "kg-query", big) or _get(results, "kg-query", largest)
        out.append(Target(label, (note.note if note else "not measured") + ref_text, "not measured"))
    out += endpoint_targets(results, sizes)
    return out


def endpoint_targets(results: list[StageResult], sizes: list[int]) -> list[Target]:
    """`kg serve` against the oxigraph server on the same queries, at the largest size both were measured."""
    labels = (
        "endpoint latency ≤ 1.5× the oxigraph server's",
        "endpoint latency ≥ 10× better than rdflib-endpoint's",
        "no errors under load",
    )
    both = [
        s for s in sorted(sizes, reverse=True) if _at(results, "kg-endpoint", s) and _at(results, "oxigraph-server", s)
    ]
    if not both:
        note = _get(results, "kg-endpoint", max(sizes))
        text = note.note if note and not note.ok else "not measured"
        return [Target(label, text, "not measured") for label in labels]
    size = both[0]
    kg_run, ox_run = _at(results, "kg-endpoint", size), _at(results, "oxigraph-server", size)
    assert kg_run and ox_run
    ratios = {
        q: kg_run.extra["queries"][q]["median_ms"] / max(ox_run.extra["queries"][q]["median_ms"], 1e-6)
        for q in kg_run.extra["queries"]
        if q in ox_run.extra["queries"]
    }
    worst = max(ratios, key=lambda q: ratios[q])
    at_big = size == 100_000
    where = "" if at_big else f" at N={size:,}"
    errors = kg_run.extra["load"].get("errors", 0)
    return [
        Target(labels[0], f"worst `{worst}`: {ratios[worst]:.1f}×{where}", _yes(ratios[worst] <= 1.5, at_big)),
        _rdflib_target(labels[1], results, kg_run, sizes),
        Target(
            labels[2],
            f"{errors} errors in {kg_run.extra['load'].get('requests', 0)} requests{where}",
            _yes(errors == 0, at_big),
        ),
    ]


def _rdflib_target(label: str, results: list[StageResult], kg_run: StageResult, sizes: list[int]) -> Target:
    """rdflib-endpoint's latency over `kg serve`'s, per query, at the largest size both were measured."""
    for size in sorted(sizes, reverse=True):
        peer, ours = _at(results, "rdflib-endpoint", size), _at(results, "kg-endpoint", size)
        if peer and ours:
            ratios = {
                q: peer.extra["queries"][q]["median_ms"] / max(ours.extra["queries"][q]["median_ms"], 1e-6)
                for q in ours.extra["queries"]
                if q in peer.extra["queries"]
            }
            least = min(ratios, key=lambda q: ratios[q])
            where = "" if size == 100_000 else f" at N={size:,}"
            text = f"least `{least}`: {ratios[least]:,.2g}× as fast{where}"
            return Target(label, text, _yes(ratios[least] >= 10, size == 100_000))
    note = _get(results, "rdflib-endpoint", max(sizes))
    return Target(label, note.note if note and not note.ok else "not measured", "not measured")


def _yes(ok: bool, at_target_size: bool) -> str:
    if not at_target_size:
        return "not at 100k (indicative: " + ("within" if ok else "over") + ")"
    return "yes" if ok else "**no**"


def render(
    results: list[StageResult], sizes: list[int], command: str, oxigraph: str | None, notes: str, meta: dict
) -> str:
    source = meta.get("source", {})
    load = " / ".join(
        f"{meta[key][0]:.2f} {when}"
        for key, when in (("load_before", "before"), ("load_after", "after"))
        if key in meta
    )
    lines = [
        "# Benchmark results",
        "",
        f"Regenerated by `{command}` on {dt.date.today().isoformat()}; do not edit by hand (the section",
        '"Where the time goes" is copied from `bench/where-the-time-goes.md`). How to run: `bench/README.md`.',
        "",
        "Work time is measured inside each stage's fresh process after its imports; process time is the whole",
        "process, interpreter start-up included. Peak RSS is the stage process's own (`os.wait4`). Figures are",
        "medians of the runs counted in the table. Ratios are against the read-only floor of the same size in",
        "the same run.",
        "",
        "## Machine",
        "",
        "| | |",
        "|---|---|",
        *[f"| {k} | {v} |" for k, v in machine().items()],
        *[f"| {k} | {v} |" for k, v in versions(oxigraph).items()],
        *[f"| kg source: {k} | {v} |" for k, v in source.items()],
        f"| load average (1 min) | {load} |",
        "",
        "Every stage imports a snapshot of kg/, ontology/ and shapes/ taken when the run started (the work",
        "tree may change during a run). A load average above 0 before the run means other processes shared",
        "the two cores: absolute times are then pessimistic, ratios less affected.",
        "",
        "## Targets (issue 8)",
        "",
        "| target | measured | met |",
        "|---|---|---|",
        *[f"| {t.name} | {cell(t.measured)} | {t.met} |" for t in targets(results, sizes)],
        "",
        "## Stages",
        "",
        "![time versus N](time-vs-n.svg)",
        "",
    ]
    for size in sizes:
        lines += [*size_table(results, size), ""]
        q = query_table(results, size)
        if q:
            lines += [*q, ""]
    if notes:
        lines += ["## Where the time goes", "", notes.strip(), ""]
    return "\n".join(lines)
