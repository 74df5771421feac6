"""Materialize the alignment: add the super-class and super-property triples a reasoner would infer.

A consumer who knows schema.org, PROV-O, DCAT, SKOS, DPV or FAIR4ML but runs no reasoner must still find
every model (the design notes' "interoperability contract"). So for each triple `s mc:p o` the build also
writes `s q o` for every super-property `q` of `mc:p`, and for `s a mc:C` every super-class, in the same
named graph. The closure is computed from `ontology/alignment.ttl` and the core ontology's own
`rdfs:subClassOf`/`rdfs:subPropertyOf` axioms, never from a second list kept in code.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pyoxigraph as ox

from kg.namespaces import RDF, RDFS
from kg.resources import data_dir

ALIGNMENT_FILES = ("mc.ttl", "alignment.ttl")
_TYPE = ox.NamedNode(RDF + "type")
_SUBCLASS = ox.NamedNode(RDFS + "subClassOf")
_SUBPROPERTY = ox.NamedNode(RDFS + "subPropertyOf")


def _closure(edges: dict[ox.NamedNode, set[ox.NamedNode]]) -> dict[ox.NamedNode, tuple[ox.NamedNode, ...]]:
    """Transitive super-terms of each term (itself excluded), sorted for deterministic output."""
    result: dict[ox.NamedNode, tuple[ox.NamedNode, ...]] = {}
    for term in edges:
        seen: set[ox.NamedNode] = set()
        stack = list(edges[term])
        while stack:
            parent = stack.pop()
            if parent not in seen and parent != term:
                seen.add(parent)
                stack.extend(edges.get(parent, ()))
        result[term] = tuple(sorted(seen, key=lambda n: n.value))
    return result


@dataclass(frozen=True, slots=True)
class Alignment:
    superclasses: dict[ox.NamedNode, tuple[ox.NamedNode, ...]]
    superproperties: dict[ox.NamedNode, tuple[ox.NamedNode, ...]]

    def entailed(self, quad: ox.Quad) -> Iterable[ox.Quad]:
        """The triples the alignment adds for one quad, in the quad's graph."""
        s, p, o, g = quad.subject, quad.predicate, quad.object, quad.graph_name
        if p == _TYPE and isinstance(o, ox.NamedNode):
            for cls in self.superclasses.get(o, ()):
                yield ox.Quad(s, _TYPE, cls, g)
        for prop in self.superproperties.get(p, ()):  # type: ignore[call-overload]
            yield ox.Quad(s, prop, o, g)


def load_alignment(folder: Path | None = None) -> Alignment:
    folder = folder or data_dir("ontology")
    graph = ox.Store()
    for name in ALIGNMENT_FILES:
        graph.load(path=str(folder / name), format=ox.RdfFormat.TURTLE)
    edges: dict[ox.NamedNode, dict[ox.NamedNode, set[ox.NamedNode]]] = {_SUBCLASS: {}, _SUBPROPERTY: {}}
    for predicate, table in edges.items():
        for quad in graph.quads_for_pattern(None, predicate, None, None):
            if isinstance(quad.subject, ox.NamedNode) and isinstance(quad.object, ox.NamedNode):
                table.setdefault(quad.subject, set()).add(quad.object)
    return Alignment(_closure(edges[_SUBCLASS]), _closure(edges[_SUBPROPERTY]))


@cache
def default_alignment() -> Alignment:
    return load_alignment()


def materialize(quads: Iterable[ox.Quad], alignment: Alignment | None = None) -> Iterator[ox.Quad]:
    """The quads plus everything the alignment entails from them (streamed)."""
    align = alignment or default_alignment()
    for quad in quads:
        yield quad
        yield from align.entailed(quad)
