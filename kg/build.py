"""`kg build`: read cards, map them to RDF and publish the graph files.

The build is all or nothing by default: a card with an error stops the build before anything is written,
so the previous outputs stay as they were. With `keep_going`, cards with errors are left out, the rest is
published, and the result says which cards were excluded.

Cards stream through in batches of `kg.corpus.BATCH` (read, map, SHACL, then their quads into `SortedLines`), and
only a few facts per card (`kg.collisions.CardFacts`) stay for the checks across cards, so memory depends
on the batch, not on the corpus. A card that turns out to fail a check across cards has its named graph
left out when the sorted lines are written.
"""

from __future__ import annotations

import contextlib
import enum
from collections.abc import Callable, Iterable
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path

from kg.alignment import materialize
from kg.collisions import CardFacts, card_facts, cross_card_checks
from kg.corpus import corpus_checks, mapped_batches, vocabulary_quads
from kg.export import SortedLines, Staging, Written, prune, read_triples, stage_graph
from kg.framing import concept_labels, document_name, frame_model
from kg.iris import Minter
from kg.namespaces import DEFAULT_BASE
from kg.readers import discover
from kg.records import Finding, HasFindings, Severity
from kg.report import turtle as validation_report
from kg.store import GraphFiles, write_store
from kg.validation import ShaclChecker, sort_key
from kg.vocabulary import default_vocabulary
from kg.void import dataset_stats, void_turtle

Progress = Callable[[Iterable[Path], int], Iterable[Path]]


class Status(enum.IntEnum):
    """Outcome of a build; the values are the CLI's exit codes."""

    OK = 0
    FAILED = 1
    PARTIAL = 3


@dataclass(slots=True)
class BuildResult(HasFindings):
    status: Status
    read: int
    """Card files read."""
    cards: list[CardFacts]
    """What the checks across cards kept of each mapped card (its graph is in the outputs, not here)."""
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
    minter = Minter(base)  # validate the base before reading anything
    files = discover(paths)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    vocab = default_vocabulary()
    result = BuildResult(Status.OK, len(files), [], [])
    concepts = concept_labels(vocab.triples) if model_documents else None
    documents: dict[str, str] = {}
    with contextlib.ExitStack() as stack:
        checker = stack.enter_context(ShaclChecker(out / ".cache")) if validate else None
        staging, lines = stack.enter_context(Staging(out)), stack.enter_context(SortedLines(out))
        minted: set[str] = set()
        checking: Future[list[Finding]] | None = None  # the previous batch, validated while this one is mapped
        for cards, findings in mapped_batches(progress(files, len(files)), minter, vocab):
            result.findings += findings
            if checker is not None:
                result.findings += checking.result() if checking is not None else []
                checking = checker.submit(cards)
            for card in cards:
                result.cards.append(card_facts(card))
                if card.model.value in minted:  # a later card minting the same IRI fails: never written
                    continue
                minted.add(card.model.value)
                lines.add(materialize(card.quads) if align else card.quads)
                if concepts is not None:
                    documents[card.record.path] = document_name(card)
                    staging.add(documents[card.record.path], frame_model(card, concepts))
        result.findings += corpus_checks(result.cards)
        if checker is not None:
            result.findings += checking.result() if checking is not None else []
            result.findings += cross_card_checks(result.cards)
            checker.save()
        result.findings.sort(key=sort_key)
        failed = {f.file for f in result.findings if f.severity is Severity.ERROR}
        result.excluded = sorted(failed)
        if failed and not keep_going:
            staging.abort()
            result.status = Status.FAILED
            return result
        for path in failed & documents.keys():
            staging.discard(documents[path])
        owners = {card.model: card for card in reversed(result.cards)}  # the first card of each IRI
        lines.add(materialize(vocabulary_quads()) if align else vocabulary_quads())
        dropped = [card.graph for card in owners.values() if card.path in failed]
        result.quads = stage_graph(staging, lines.lines(without_graphs=dropped))
        stats = dataset_stats(read_triples(staging), base)
        staging.add("void.ttl", void_turtle(stats, base))
        if validate:
            staging.add("validation.ttl", validation_report(result.findings, result.cards))
        graph_files = GraphFiles(staging.staged("graph.nq"), staging.staged("graph.nt"), stats, base)
        result.store = write_store(out, graph_files)
        result.outputs = staging.commit()
    prune(out / "models", (w.path for w in result.outputs), "*.jsonld")
    result.published = len({card.path for card in result.cards} - failed)
    result.triples = stats.triples
    result.status = Status.PARTIAL if failed else Status.OK
    return result
