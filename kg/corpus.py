"""A set of cards mapped together: each card's own graph, then the checks no single card can make.

`kg build` and `kg validate` both start here, so the two can never disagree about what a set of cards says.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator
from pathlib import Path

import pyoxigraph as ox

from kg.collisions import CardFacts, card_facts, organization_conflicts, title_collisions
from kg.iris import Minter
from kg.mapping import MappedCard, map_card
from kg.namespaces import DEFAULT_BASE
from kg.readers import read_card
from kg.records import CardRecord, Finding
from kg.version import __version__
from kg.vocabulary import VOCABULARY_GRAPH, Vocabulary, default_vocabulary

BATCH = 2_000
"""Cards read and mapped (and validated) together: memory depends on this, not on the size of the corpus."""


def mapped_batches(
    files: Iterable[Path], minter: Minter, vocab: Vocabulary, size: int | None = None
) -> Iterator[tuple[list[MappedCard], list[Finding]]]:
    """Read and map the files `size` (default `BATCH`) at a time: each batch's cards and their findings."""
    iterator = iter(files)
    while batch := list(itertools.islice(iterator, size or BATCH)):
        yield map_each((read_card(path) for path in batch), minter, vocab)


def map_each(
    records: Iterable[CardRecord], minter: Minter, vocab: Vocabulary
) -> tuple[list[MappedCard], list[Finding]]:
    """Map every readable record on its own; the findings of the reader and the mapper, unsorted."""
    findings: list[Finding] = []
    mapped: list[MappedCard] = []
    for record in records:
        findings.extend(record.findings)
        if record.title.value is None:
            continue
        card = map_card(record, vocab, minter, __version__)
        findings.extend(card.findings)
        mapped.append(card)
    return mapped, findings


def corpus_checks(cards: list[CardFacts]) -> list[Finding]:
    """The checks across a set of cards that every use of it needs: one IRI per title, one homepage each."""
    return [*title_collisions(cards), *organization_conflicts(cards)]


def map_records(
    records: list[CardRecord], base: str = DEFAULT_BASE, vocabulary: Vocabulary | None = None
) -> tuple[list[MappedCard], list[Finding]]:
    """Map every readable record; return the mapped cards and all findings (reader, mapper, cross-card)."""
    mapped, findings = map_each(records, Minter(base), vocabulary or default_vocabulary())
    findings.extend(corpus_checks([card_facts(card) for card in mapped]))
    findings.sort(key=lambda f: (f.file, f.line, f.code))
    return mapped, findings


def vocabulary_quads(vocabulary: Vocabulary | None = None) -> list[ox.Quad]:
    """The concept schemes, published with every graph so risk and type labels resolve in it."""
    vocab = vocabulary or default_vocabulary()
    return [ox.Quad(t.subject, t.predicate, t.object, VOCABULARY_GRAPH) for t in vocab.triples]
