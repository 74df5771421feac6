"""`kg build`: read cards, map them to RDF and publish the graph files.

The build is all or nothing by default: a card with an error stops the build before anything is written,
so the previous outputs stay as they were. With `keep_going`, cards with errors are left out, the rest is
published, and the result says which cards were excluded.
"""

from __future__ import annotations

import enum
import itertools
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from kg.alignment import materialize
from kg.corpus import map_records, vocabulary_quads
from kg.export import Staging, Written, prune, read_triples, stage_graph
from kg.framing import model_documents as model_documents_for
from kg.iris import Minter
from kg.mapping import MappedCard
from kg.namespaces import DEFAULT_BASE
from kg.readers import discover, read_card
from kg.records import CardRecord, Finding, HasFindings, Severity
from kg.report import turtle as validation_report
from kg.server.void import dataset_stats, void_turtle
from kg.store import GraphFiles, write_store
from kg.validation import sort_key, validate_cards
from kg.vocabulary import default_vocabulary

Progress = Callable[[Iterable[Path], int], Iterable[Path]]


class Status(enum.IntEnum):
    """Outcome of a build; the values are the CLI's exit codes."""

    OK = 0
    FAILED = 1
    PARTIAL = 3


@dataclass(slots=True)
class BuildResult(HasFindings):
    status: Status
    records: list[CardRecord]
    cards: list[MappedCard]
    findings: list[Finding]
    excluded: list[str] = field(default_factory=list)
    published: int = 0
    store: Path | None = None
    outputs: list[Written] = field(default_factory=list)
    quads: int = 0
    triples: int = 0


def _no_progress(items: Iterable[Path], total: int) -> Iterable[Path]:
    return items


def build(
    paths: Iterable[str | Path],
    out_dir: str | Path,
    *,
    base: str = DEFAULT_BASE,
    keep_going: bool = False,
    align: bool = True,
    model_documents: bool = False,
    validate: bool = True,
    progress: Progress = _no_progress,
) -> BuildResult:
    """Build the knowledge graph of the cards under `paths` into `out_dir`.

    Writes graph.ttl, graph.nt, graph.nq (one named graph per card) and graph.jsonld. Raises
    FileNotFoundError for a path that does not exist and ValueError for a malformed base IRI.
    With `align` (the default) the aligned super-class and super-property triples are materialized.
    With `model_documents` each model also gets a framed JSON-LD document in `models/` (pyld is slow: opt in).
    With `validate` (the default) the cards are checked against the SHACL shapes and the cross-card rules:
    a violation is an error like any other, and the report is written as validation.ttl (the validation
    cache lives in `out_dir/.cache`).
    """
    Minter(base)  # validate the base before reading anything
    files = discover(paths)
    records = [read_card(path) for path in progress(files, len(files))]
    cards, findings = map_records(records, base)
    if validate:
        findings.extend(validate_cards(cards, cache_dir=Path(out_dir) / ".cache"))
        findings.sort(key=sort_key)
    failed = {f.file for f in findings if f.severity is Severity.ERROR}
    result = BuildResult(Status.OK, records, cards, findings)
    if failed and not keep_going:
        result.status = Status.FAILED
        result.excluded = sorted(failed)
        return result
    published = [c for c in cards if c.record.path not in failed]
    result.excluded = sorted(failed)
    quads: Iterable[ox.Quad] = itertools.chain((q for c in published for q in c.quads), vocabulary_quads())
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    with Staging(out) as staging:
        result.quads = stage_graph(staging, materialize(quads) if align else quads)
        stats = dataset_stats(read_triples(staging), base)
        staging.add("void.ttl", void_turtle(stats, base))
        if validate:
            staging.add("validation.ttl", validation_report(findings, cards))
        if model_documents:
            for name, data in model_documents_for(published, default_vocabulary().triples).items():
                staging.add(name, data)
        result.store = write_store(out, GraphFiles(staging.staged("graph.nq"), staging.staged("graph.nt")))
        result.outputs = staging.commit()
    prune(out / "models", (w.path for w in result.outputs), "*.jsonld")
    result.published = len(published)
    result.triples = stats.triples
    result.status = Status.PARTIAL if failed else Status.OK
    return result
