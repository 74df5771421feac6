"""The machine-readable forms of a resource page: its description as Turtle and as JSON-LD.

A resource's description is what the store's default graph says about it as a subject, plus the triples of
the blank nodes it reaches (a concise bounded description; the build mints no blank nodes today, so it is
usually just the subject's triples). JSON-LD is written here rather than through rdflib's compaction
(6 ms a resource, and a static export has tens of thousands): a context of the prefixes the description
uses, compact IRIs as keys and explicit value objects, so every literal keeps its language or datatype.
The context is inline: a reader never has to fetch anything.
"""

from __future__ import annotations

import json
import re

import pyoxigraph as ox

from kg.namespaces import PREFIXES, RDF, XSD
from kg.pages.site import Site

_LOCAL = re.compile(r"[A-Za-z_][A-Za-z0-9_.\-]*")
_RDF_TYPE = RDF + "type"


def description(site: Site, iri: str) -> list[ox.Triple]:
    """The triples of `iri` and of the blank nodes it reaches, sorted."""
    out: list[ox.Triple] = []
    todo: list[ox.NamedNode | ox.BlankNode] = [ox.NamedNode(iri)]
    seen = set(todo)
    while todo:
        subject = todo.pop()
        for quad in site.store.quads_for_pattern(subject, None, None, ox.DefaultGraph()):
            out.append(quad.triple)
            if isinstance(quad.object, ox.BlankNode) and quad.object not in seen:
                seen.add(quad.object)
                todo.append(quad.object)
    return sorted(out, key=lambda t: (str(t.subject) != f"<{iri}>", str(t.subject), str(t.predicate), str(t.object)))


def _used(triples: list[ox.Triple]) -> dict[str, str]:
    iris = {t.value for triple in triples for t in triple if isinstance(t, ox.NamedNode)}
    iris |= {t.object.datatype.value for t in triples if isinstance(t.object, ox.Literal)}
    return {p: ns for p, ns in PREFIXES.items() if any(i.startswith(ns) for i in iris)}


def turtle(triples: list[ox.Triple]) -> bytes:
    return ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=_used(triples))


class _Compactor:
    def __init__(self, prefixes: dict[str, str]) -> None:
        self.by_length = sorted(prefixes.items(), key=lambda kv: -len(kv[1]))
        self.used: dict[str, str] = {}

    def iri(self, iri: str) -> str:
        for prefix, ns in self.by_length:
            local = iri[len(ns) :]
            if iri.startswith(ns) and _LOCAL.fullmatch(local) and not local.endswith("."):
                self.used[prefix] = ns
                return f"{prefix}:{local}"
        return iri

    def node(self, term: ox.NamedNode | ox.BlankNode) -> str:
        return f"_:{term.value}" if isinstance(term, ox.BlankNode) else self.iri(term.value)

    def value(self, term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> dict[str, str]:
        if isinstance(term, ox.Literal):
            if term.language:
                return {"@value": term.value, "@language": term.language}
            if term.datatype.value == XSD + "string":
                return {"@value": term.value}
            return {"@value": term.value, "@type": self.iri(term.datatype.value)}
        if isinstance(term, ox.NamedNode | ox.BlankNode):
            return {"@id": self.node(term)}
        raise ValueError("RDF-star triples have no JSON-LD 1.1 form")


def jsonld(triples: list[ox.Triple]) -> bytes:
    """Compact JSON-LD of `triples` (one node object per subject), deterministic for the same triples."""
    compact = _Compactor(PREFIXES)
    nodes: dict[str, dict[str, object]] = {}
    for triple in triples:
        subject = compact.node(triple.subject)  # type: ignore[arg-type]
        node = nodes.setdefault(subject, {"@id": subject})
        if triple.predicate.value == _RDF_TYPE and isinstance(triple.object, ox.NamedNode):
            node.setdefault("@type", []).append(compact.iri(triple.object.value))  # type: ignore[union-attr]
        else:
            key = compact.iri(triple.predicate.value)
            node.setdefault(key, []).append(compact.value(triple.object))  # type: ignore[union-attr]
    context = dict(sorted(compact.used.items()))
    graph = list(nodes.values())
    document: dict[str, object] = {"@context": context}
    if len(graph) == 1:
        document.update(graph[0])
    else:
        document["@graph"] = graph
    return (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
