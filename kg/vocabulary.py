"""The SKOS concept schemes of `ontology/`, indexed for matching the values cards use.

A card value matches a concept when it equals, after case folding, spacing and U+FE0F are normalized, the
concept's `skos:prefLabel`, one of its `skos:altLabel`s or its `skos:notation` (the emoji of modalities and
risks). Schemes are read from the project's Turtle files, so the index and the published vocabulary can
never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pyoxigraph as ox

from kg.namespaces import MODALITY, ORG_TYPE, RISK, SKOS, VOCAB
from kg.resources import data_dir

SCHEME_FILES = ("risks.ttl", "organization-types.ttl", "research-fields.ttl", "modalities.ttl")
VOCABULARY_GRAPH = ox.NamedNode(VOCAB + "vocabulary")
"""Named graph that holds the concept schemes inside every build's output."""

RISK_SCHEME = RISK.rstrip("/")
ORG_TYPE_SCHEME = ORG_TYPE.rstrip("/")
FIELD_SCHEME = VOCAB + "research-field"
MODALITY_SCHEME = MODALITY.rstrip("/")

_IN_SCHEME = ox.NamedNode(SKOS + "inScheme")
_LABELS = tuple(ox.NamedNode(SKOS + p) for p in ("prefLabel", "altLabel", "notation"))


def normalize_label(text: str) -> str:
    """The form in which card values and concept labels are compared."""
    return " ".join(text.replace("\ufe0f", "").split()).casefold()


@dataclass(frozen=True, slots=True)
class Vocabulary:
    """Concept lookups per scheme, and the schemes' own triples for publishing with the graph."""

    index: dict[str, dict[str, ox.NamedNode]]
    triples: tuple[ox.Triple, ...]

    def lookup(self, scheme: str, label: str) -> ox.NamedNode | None:
        return self.index.get(scheme, {}).get(normalize_label(label))


def load_vocabulary(folder: Path | None = None) -> Vocabulary:
    """Read the concept schemes from `folder` (default: the project's `ontology/`)."""
    folder = folder or data_dir("ontology")
    store = ox.Store()
    for name in SCHEME_FILES:
        store.load(path=str(folder / name), format=ox.RdfFormat.TURTLE, to_graph=ox.DefaultGraph())
    index: dict[str, dict[str, ox.NamedNode]] = {}
    for quad in store.quads_for_pattern(None, _IN_SCHEME, None, None):
        concept, scheme = quad.subject, quad.object
        if not isinstance(concept, ox.NamedNode) or not isinstance(scheme, ox.NamedNode):
            continue
        labels = index.setdefault(scheme.value, {})
        for predicate in _LABELS:
            for label in store.quads_for_pattern(concept, predicate, None, None):
                key = normalize_label(label.object.value)
                previous = labels.setdefault(key, concept)
                if previous != concept:
                    raise ValueError(f'{folder}: label "{key}" names both {previous} and {concept} in {scheme}')
    triples = tuple(sorted((q.triple for q in store), key=str))
    return Vocabulary(index, triples)


@cache
def default_vocabulary() -> Vocabulary:
    return load_vocabulary()
