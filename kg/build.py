"""`kg build`: read cards, map them to RDF and publish the graph files.

The build is all or nothing by default: a card with an error stops the build before anything is written,
so the previous outputs stay as they were. With `keep_going`, cards with errors are left out, the rest is
published, and the result says which cards were excluded.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from kg.alignment import materialize
from kg.collisions import organization_conflicts, title_collisions
from kg.export import Written, prune, write_outputs
from kg.framing import model_documents as model_documents_for
from kg.iris import Minter
from kg.mapping import MappedCard, map_card
from kg.namespaces import DEFAULT_BASE
from kg.readers import discover, read_card
from kg.records import CardRecord, Finding, Severity
from kg.report import turtle as validation_report
from kg.store import write_store
from kg.validation import sort_key, validate_cards
from kg.version import __version__
from kg.vocabulary import VOCABULARY_GRAPH, Vocabulary, default_vocabulary

Progress = Callable[[Iterable[Path], int], Iterable[Path]]


class Status(enum.IntEnum):
    """Outcome of a build; the values are the CLI's exit codes."""

    OK = 0
    FAILED = 1
    PARTIAL = 3


@dataclass(slots=True)
class BuildResult:
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

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.WARNING]


def _no_progress(items: Iterable[Path], total: int) -> Iterable[Path]:
    return items


def map_records(
    records: list[CardRecord], base: str = DEFAULT_BASE, vocabulary: Vocabulary | None = None
) -> tuple[list[MappedCard], list[Finding]]:
    """Map every readable record; return the mapped cards and all findings (reader, mapper, cross-card)."""
    vocab = vocabulary or default_vocabulary()
    minter = Minter(base)
    findings: list[Finding] = []
    mapped: list[MappedCard] = []
    for record in records:
        findings.extend(record.findings)
        if record.title.value is None:
            continue
        card = map_card(record, vocab, minter, __version__)
        findings.extend(card.findings)
        mapped.append(card)
    findings.extend(title_collisions(mapped))
    findings.extend(organization_conflicts(mapped))
    findings.sort(key=lambda f: (f.file, f.line, f.code))
    return mapped, findings


def vocabulary_quads(vocabulary: Vocabulary | None = None) -> list[ox.Quad]:
    """The concept schemes, published with every graph so risk and type labels resolve in it."""
    vocab = vocabulary or default_vocabulary()
    return [ox.Quad(t.subject, t.predicate, t.object, VOCABULARY_GRAPH) for t in vocab.triples]


def build(
    paths: Iterable[str | Path],
    out_dir: str | Path,
    *,
    base: str = DEFAULT_BASE,
    keep_going: bool = False,
    align: bool = True,
    model_documents: bool = True,
    validate: bool = True,
    progress: Progress = _no_progress,
) -> BuildResult:
    """Build the knowledge graph of the cards under `paths` into `out_dir`.

    Writes graph.ttl, graph.nt, graph.nq (one named graph per card) and graph.jsonld. Raises
    FileNotFoundError for a path that does not exist and ValueError for a malformed base IRI.
    With `align` (the default) the aligned super-class and super-property triples are materialized.
    With `model_documents` (the default) each model also gets a framed JSON-LD document in `models/`.
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
    quads = [q for c in published for q in c.quads] + vocabulary_quads()
    if align:
        quads = materialize(quads)
    extra = model_documents_for(published, default_vocabulary().triples) if model_documents else {}
    if validate:
        extra["validation.ttl"] = validation_report(findings, cards)
    result.outputs = write_outputs(Path(out_dir), quads, extra)
    result.store = write_store(Path(out_dir), quads)
    prune(Path(out_dir) / "models", (w.path for w in result.outputs), "*.jsonld")
    result.published = len(published)
    result.quads = len(set(quads))
    result.triples = len({q.triple for q in quads})
    result.status = Status.PARTIAL if failed else Status.OK
    return result
