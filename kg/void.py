"""What the dataset and the endpoint are: VoID + DCAT for the data, SPARQL Service Description for /sparql.

The same function writes `void.ttl` in `kg build`'s output (from the build's triples) and answers
`/.well-known/void` in `kg serve` (from the store's default graph), so the two agree by construction.
Every IRI here follows the serving rule (the server's root stands for the base IRI): the description is
the document `BASE .well-known/void`, the dataset is its `#dataset`, the endpoint is `BASE sparql`.
Nothing in the output depends on the clock or on set order: the same triples give the same bytes, and no
blank node is minted (partitions are `#class-<hash>` / `#property-<hash>` of the class or property IRI).

Counts: `void:triples` are the distinct triples of the default graph (the union of the card graphs and
the vocabulary); `void:entities` the distinct subjects in the dataset's URI space (the base IRI);
a class partition's `void:entities` the subjects typed with that class; a property partition's
`void:triples` the triples using that property.
"""

from __future__ import annotations

import collections
import hashlib
import json
import os
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Final

import pyoxigraph as ox

from kg.namespaces import DCTERMS, ONTOLOGY, PREFIXES, RDF, XSD

VOID: Final = "http://rdfs.org/ns/void#"
DCAT: Final = "http://www.w3.org/ns/dcat#"
SD: Final = "http://www.w3.org/ns/sparql-service-description#"
FORMATS: Final = "http://www.w3.org/ns/formats/"
FOAF: Final = PREFIXES["foaf"]
RDFS: Final = PREFIXES["rdfs"]
DESCRIPTION_PREFIXES: Final = {"void": VOID, "sd": SD, "formats": FORMATS, **PREFIXES}

VOID_PATH: Final = ".well-known/void"
SPARQL_PATH: Final = "sparql"
SPARQL_PROTOCOL: Final = "https://www.w3.org/TR/sparql11-protocol/"

RESULT_FORMATS: Final = ("SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV")
GRAPH_FORMATS: Final = ("Turtle", "N-Triples", "JSON-LD", "RDF_XML")

_TYPE = RDF + "type"


@dataclass(slots=True)
class DatasetStats:
    """Counts of one set of distinct triples (see the module docstring for what each counts)."""

    triples: int = 0
    entities: int = 0
    distinct_subjects: int = 0
    classes: dict[str, int] = field(default_factory=dict)
    properties: dict[str, int] = field(default_factory=dict)


COUNTS_FILE = "kg-void-counts.json"
"""Inside a store version's folder: the counts `kg build` computed for void.ttl, so `kg serve` need not."""


def save_stats(stats: DatasetStats, base: str, version: Path) -> None:
    """Keep the counts of a store version (computed for this `base`) next to its database."""
    tmp = version / f".{COUNTS_FILE}.tmp"
    tmp.write_text(json.dumps({"base": base, **asdict(stats)}, sort_keys=True), encoding="utf-8")
    os.replace(tmp, version / COUNTS_FILE)


def load_stats(base: str, version: Path) -> DatasetStats | None:
    """The counts kept with a store version, if any were kept for this `base`."""
    try:
        data = json.loads((version / COUNTS_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return DatasetStats(**{k: v for k, v in data.items() if k != "base"}) if data.get("base") == base else None


def dataset_stats(triples: Iterable[ox.Triple], base: str) -> DatasetStats:
    """One pass over `triples`, which must be distinct (a set, or a store's default graph)."""
    subjects: set[ox.NamedNode | ox.BlankNode | ox.Triple] = set()
    classes: collections.Counter[str] = collections.Counter()
    properties: collections.Counter[str] = collections.Counter()
    count = 0
    for triple in triples:
        count += 1
        subjects.add(triple.subject)
        predicate = triple.predicate.value
        properties[predicate] += 1
        if predicate == _TYPE and isinstance(triple.object, ox.NamedNode):
            classes[triple.object.value] += 1
    entities = sum(1 for s in subjects if isinstance(s, ox.NamedNode) and s.value.startswith(base))
    return DatasetStats(count, entities, len(subjects), dict(sorted(classes.items())), dict(sorted(properties.items())))


def _iri(value: str) -> ox.NamedNode:
    return ox.NamedNode(value)


def _int(value: int) -> ox.Literal:
    return ox.Literal(str(value), datatype=_iri(XSD + "integer"))


def _text(value: str) -> ox.Literal:
    return ox.Literal(value, language="en")


def _partition(doc: str, kind: str, iri: str) -> ox.NamedNode:
    return _iri(f"{doc}#{kind}-{hashlib.sha256(iri.encode('utf-8')).hexdigest()[:12]}")


def void_triples(stats: DatasetStats, base: str) -> list[ox.Triple]:
    """The VoID + DCAT description of a dataset with these counts, served under `base`."""
    doc = base + VOID_PATH
    dataset, service, distribution = _iri(doc + "#dataset"), _iri(doc + "#service"), _iri(doc + "#sparql")
    endpoint = _iri(base + SPARQL_PATH)
    v, d = VOID, DCAT
    out = [
        (_iri(doc), _TYPE, v + "DatasetDescription"),
        (_iri(doc), DCTERMS + "title", _text("Description of the model card knowledge graph")),
        (_iri(doc), FOAF + "primaryTopic", dataset),
        (dataset, _TYPE, v + "Dataset"),
        (dataset, _TYPE, d + "Dataset"),
        (dataset, DCTERMS + "title", _text("Model card knowledge graph")),
        (
            dataset,
            DCTERMS + "description",
            _text(
                "AI model cards as linked data: models, organizations, datasets, publications, licences and "
                "risks, one named graph per card, aligned with schema.org, PROV-O, DCAT, SKOS, DPV, AIRO and FAIR4ML."
            ),
        ),
        (dataset, DCTERMS + "conformsTo", _iri(ONTOLOGY)),
        (dataset, v + "uriSpace", ox.Literal(base)),
        (dataset, v + "sparqlEndpoint", endpoint),
        (dataset, v + "triples", _int(stats.triples)),
        (dataset, v + "entities", _int(stats.entities)),
        (dataset, v + "distinctSubjects", _int(stats.distinct_subjects)),
        (dataset, v + "classes", _int(len(stats.classes))),
        (dataset, v + "properties", _int(len(stats.properties))),
        (dataset, d + "distribution", distribution),
        (distribution, _TYPE, d + "Distribution"),
        (distribution, DCTERMS + "title", _text("SPARQL 1.1 endpoint")),
        (distribution, d + "accessURL", endpoint),
        (distribution, d + "accessService", service),
        (service, _TYPE, d + "DataService"),
        (service, DCTERMS + "title", _text("SPARQL 1.1 endpoint (read-only)")),
        (service, d + "endpointURL", endpoint),
        (service, d + "endpointDescription", endpoint),
        (service, DCTERMS + "conformsTo", _iri(SPARQL_PROTOCOL)),
        (service, d + "servesDataset", dataset),
    ]
    out += [(dataset, v + "feature", _iri(FORMATS + name)) for name in GRAPH_FORMATS]
    used = set(stats.classes) | set(stats.properties)
    vocabularies = sorted({ns for ns in PREFIXES.values() if any(iri.startswith(ns) for iri in used)})
    out += [(dataset, v + "vocabulary", _iri(ns)) for ns in vocabularies]
    for iri, count in stats.classes.items():
        part = _partition(doc, "class", iri)
        out += [
            (dataset, v + "classPartition", part),
            (part, v + "class", _iri(iri)),
            (part, v + "entities", _int(count)),
        ]
    for iri, count in stats.properties.items():
        part = _partition(doc, "property", iri)
        out += [
            (dataset, v + "propertyPartition", part),
            (part, v + "property", _iri(iri)),
            (part, v + "triples", _int(count)),
        ]
    return _triples(out)


def service_description(base: str, stats: DatasetStats, *, timeout: float, max_rows: int) -> list[ox.Triple]:
    """The SPARQL 1.1 Service Description of `/sparql`, with its limits said in words."""
    doc = base + VOID_PATH
    endpoint = _iri(base + SPARQL_PATH)
    dataset, default_graph = _iri(doc + "#dataset"), _iri(doc + "#default-graph")
    limits = (
        f"Read-only SPARQL 1.1 Query endpoint. Each query may run {timeout:g} s and return {max_rows:,} rows "
        "(or triples); a longer result is cut and says so (header X-Result-Truncated: true, and "
        '"truncated": true in SPARQL JSON). Updates, LOAD and SERVICE are refused. The default graph is '
        "the union of the named graphs (one per card, and the vocabulary)."
    )
    out = [
        (endpoint, _TYPE, SD + "Service"),
        (endpoint, SD + "endpoint", endpoint),
        (endpoint, SD + "supportedLanguage", _iri(SD + "SPARQL11Query")),
        (endpoint, SD + "feature", _iri(SD + "UnionDefaultGraph")),
        (endpoint, SD + "defaultEntailmentRegime", _iri("http://www.w3.org/ns/entailment/Simple")),
        (endpoint, SD + "defaultDataset", dataset),
        (endpoint, DCTERMS + "description", _text(limits)),
        (dataset, _TYPE, SD + "Dataset"),
        (dataset, SD + "defaultGraph", default_graph),
        (default_graph, _TYPE, SD + "Graph"),
        (default_graph, VOID + "triples", _int(stats.triples)),
        (dataset, RDFS + "seeAlso", _iri(doc)),
    ]
    out += [(endpoint, SD + "resultFormat", _iri(FORMATS + name)) for name in RESULT_FORMATS + GRAPH_FORMATS]
    return _triples(out)


def _triples(rows: list[tuple]) -> list[ox.Triple]:
    def term(value: object) -> ox.NamedNode | ox.Literal:
        return _iri(value) if isinstance(value, str) else value  # type: ignore[return-value]

    return [ox.Triple(term(s), term(p), term(o)) for s, p, o in rows]


def turtle(triples: list[ox.Triple], lead: Sequence[str] = ()) -> bytes:
    """Deterministic Turtle: the `lead` subjects first, in order, then by subject, `rdf:type` first in each."""
    rank = {iri: i for i, iri in enumerate(lead)}

    def key(t: ox.Triple) -> tuple:
        first = rank.get(t.subject.value, len(rank))
        return (first, str(t.subject), t.predicate.value != _TYPE, str(t.predicate), str(t.object))

    used = used_prefixes_of(triples)
    prefixes = {p: ns for p, ns in DESCRIPTION_PREFIXES.items() if ns in used}
    return ox.serialize(sorted(triples, key=key), format=ox.RdfFormat.TURTLE, prefixes=prefixes)


def used_prefixes_of(triples: list[ox.Triple]) -> set[str]:
    iris = {t.value for triple in triples for t in triple if isinstance(t, ox.NamedNode)}
    return {ns for ns in DESCRIPTION_PREFIXES.values() if any(iri.startswith(ns) for iri in iris)}


def void_turtle(stats: DatasetStats, base: str) -> bytes:
    """`void.ttl` of a build: the VoID + DCAT description of a dataset with these counts."""
    return turtle(void_triples(stats, base), lead=void_lead(base))


def void_lead(base: str) -> tuple[str, ...]:
    """The subjects a reader of the VoID Turtle wants first: the document, the dataset, the endpoint."""
    doc = base + VOID_PATH
    return (doc, doc + "#dataset", doc + "#sparql", doc + "#service")
