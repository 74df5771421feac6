"""One framed JSON-LD document per model, for web developers who want JSON and not a graph.

Each document is the model's node with its organization, datasets, publication, licence and the labels of
its risks and other concepts embedded, compacted with the project's context (`ontology/context.jsonld`).
Framing is pyld's implementation of the JSON-LD 1.1 Framing algorithm. pyld is given a document loader
that refuses every URL, so nothing is ever fetched: the context is passed inline.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import pyoxigraph as ox
from pyld import jsonld

from kg.iris import slug
from kg.jsonld import context as jsonld_context
from kg.jsonld import refuse_remote
from kg.mapping import MappedCard
from kg.namespaces import MC

_LABEL_PREDICATES = frozenset(
    {
        "http://www.w3.org/2004/02/skos/core#prefLabel",
        "http://www.w3.org/2004/02/skos/core#notation",
        "http://www.w3.org/2004/02/skos/core#inScheme",
        "http://www.w3.org/1999/02/22-rdf-syntax-ns#type",
    }
)


def model_frame(context: dict[str, Any]) -> dict[str, Any]:
    return {"@context": context, "@type": "Model", "@embed": "@once"}


def _subgraph(card: MappedCard, concepts: dict[ox.NamedNode, list[ox.Triple]]) -> list[ox.Triple]:
    """The card's triples plus the labels of the concepts it points to."""
    triples = [q.triple for q in card.quads]
    used = {t.object for t in triples if isinstance(t.object, ox.NamedNode) and t.object in concepts}
    for concept in sorted(used, key=lambda n: n.value):
        triples.extend(concepts[concept])
    return triples


def concept_labels(vocabulary_triples: Iterable[ox.Triple]) -> dict[ox.NamedNode, list[ox.Triple]]:
    """Per concept, the few triples a framed document embeds: type, label, notation, scheme."""
    table: dict[ox.NamedNode, list[ox.Triple]] = {}
    for triple in vocabulary_triples:
        if triple.predicate.value in _LABEL_PREDICATES and isinstance(triple.subject, ox.NamedNode):
            table.setdefault(triple.subject, []).append(triple)
    return table


def frame_model(card: MappedCard, concepts: dict[ox.NamedNode, list[ox.Triple]]) -> bytes:
    """The framed, compacted JSON-LD document of one card's model."""
    nquads = ox.serialize(_subgraph(card, concepts), format=ox.RdfFormat.N_TRIPLES).decode("utf-8")
    expanded = jsonld.from_rdf(nquads, {"format": "application/n-quads"})
    context = jsonld_context()
    framed = jsonld.frame(expanded, model_frame(context), {"documentLoader": refuse_remote, "omitGraph": True})
    framed["@context"] = context
    return (json.dumps(framed, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")


def document_name(card: MappedCard) -> str:
    """`models/<slug>.jsonld`: where a card's framed document goes, inside the output folder."""
    return f"models/{slug(card.model.value.rsplit('/', 1)[1])}.jsonld"


MODEL_CLASS = MC + "Model"
