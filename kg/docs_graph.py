"""Examples for the documentation, taken from a graph that `kg build` wrote.

Kept apart from `kg.docs` because it reads data, not the vocabulary: for a class, a few of its instances;
for a property, a few of its triples; for a concept, the things that point to it. Rows are chosen by sorted
name, so the same graph always gives the same pages.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from kg.namespaces import MC, RDF, RDFS, SCHEMA, SKOS, XSD

GRAPH_FORMATS = (ox.RdfFormat.N_TRIPLES, ox.RdfFormat.N_QUADS, ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG)
"""JSON-LD is left out: its parser may want to resolve a context, and the other outputs hold the same triples."""

MAX_ROWS = 5
MAX_TEXT = 160
_A = ox.NamedNode(RDF + "type")
_LABELS = tuple(
    ox.NamedNode(p) for p in (MC + "name", MC + "title", SKOS + "prefLabel", SCHEMA + "name", RDFS + "label")
)


class GraphFormatError(ValueError):
    """The graph file is not in a format the documentation reads."""


@dataclass(frozen=True, slots=True)
class Ref:
    """Something to show: a term or node (`iri`, with `href` when it can be followed) or a literal (`note`)."""

    text: str
    iri: str = ""
    href: str | None = None
    note: str = ""
    code: bool = False


@dataclass(frozen=True, slots=True)
class Table:
    """A few rows of examples out of `total`."""

    total: int
    unit: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Ref, ...], ...]


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 1].rstrip() + "…"


class GraphExamples:
    """A built graph, loaded once, that answers "show me how this term is used".

    The triples are indexed in plain dicts rather than loaded in a pyoxigraph `Store`: the store (0.5) rewrites
    derived integer datatypes such as xsd:nonNegativeInteger to xsd:integer, and the pages must show the
    datatypes that were published.
    """

    def __init__(self, path: Path, ref: Callable[[str], Ref]) -> None:
        fmt = ox.RdfFormat.from_extension(path.suffix.lstrip("."))
        if fmt not in GRAPH_FORMATS:
            raise GraphFormatError(f"{path.name}: use a graph.nt, .nq, .ttl or .trig file written by `kg build`")
        self.name = path.name
        # The union of all graphs: a quad file repeats shared nodes in several card graphs.
        triples = {q.triple for q in ox.parse(path=str(path), format=fmt)}
        self.triples = len(triples)
        self._by_predicate: dict[ox.NamedNode, list[ox.Triple]] = {}
        self._by_object: dict[ox.Term, list[ox.Triple]] = {}
        for triple in triples:
            self._by_predicate.setdefault(triple.predicate, []).append(triple)
            self._by_object.setdefault(triple.object, []).append(triple)
        self._ref = ref
        # A node's label: its first label property in `_LABELS` order, the smallest value if it has several.
        self._labels: dict[ox.NamedNode, tuple[int, str]] = {}
        for rank, predicate in enumerate(_LABELS):
            for triple in self._by_predicate.get(predicate, ()):
                node, best = triple.subject, (rank, triple.object.value)
                if isinstance(node, ox.NamedNode) and best < self._labels.get(node, (len(_LABELS), "")):
                    self._labels[node] = best

    def label(self, node: ox.NamedNode) -> str:
        return self._labels.get(node, (0, ""))[1]

    def cell(self, term: ox.Term) -> Ref:
        if isinstance(term, ox.Literal):
            note = f"@{term.language}" if term.language else ""
            if not note and term.datatype.value != XSD + "string":
                note = self._ref(term.datatype.value).text
            return Ref(_short(term.value), note=note)
        if isinstance(term, ox.NamedNode):
            ref, label = self._ref(term.value), self.label(term)
            return Ref(label, term.value, ref.href) if label else ref
        return Ref("(blank node)")

    def _order(self, nodes: Iterable[ox.NamedNode | ox.BlankNode]) -> list[ox.NamedNode]:
        named = [n for n in nodes if isinstance(n, ox.NamedNode)]
        return sorted(named, key=lambda n: (self.label(n).casefold() or "\uffff", n.value))

    def for_class(self, iri: str) -> Table | None:
        instances = self._order(t.subject for t in self._by_object.get(ox.NamedNode(iri), ()) if t.predicate == _A)
        if not instances:
            return None
        rows = tuple(
            (self.cell(n) if self.label(n) else Ref("(no name)"), Ref(n.value, code=True)) for n in instances[:MAX_ROWS]
        )
        return Table(len(instances), "instance", ("Instance", "IRI"), rows)

    def for_property(self, iri: str) -> Table | None:
        triples = self._by_predicate.get(ox.NamedNode(iri), [])
        if not triples:
            return None
        by_subject: dict[ox.NamedNode, list[ox.Term]] = {}
        for triple in triples:
            if isinstance(triple.subject, ox.NamedNode):
                by_subject.setdefault(triple.subject, []).append(triple.object)
        rows, shown = [], set()
        for subject in self._order(by_subject)[:MAX_ROWS]:
            values = sorted(by_subject[subject], key=str)
            value = next((v for v in values if v not in shown), values[0])  # vary the examples where possible
            shown.add(value)
            rows.append((self.cell(subject), self.cell(value)))
        return Table(len(triples), "triple", ("Subject", "Value"), tuple(rows))

    def for_concept(self, iri: str) -> Table | None:
        """What the cards link to this concept, through our own properties (not the materialized aligned ones)."""
        uses = [t for t in self._by_object.get(ox.NamedNode(iri), ()) if t.predicate.value.startswith(MC)]
        if not uses:
            return None
        subjects = self._order({t.subject for t in uses})
        rows = []
        for subject in subjects[:MAX_ROWS]:
            predicates = sorted(t.predicate.value for t in uses if t.subject == subject)
            rows.append((self.cell(subject), self._ref(predicates[0])))
        return Table(len(subjects), "subject", ("Used by", "Through"), tuple(rows))
