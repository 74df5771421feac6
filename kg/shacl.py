"""pySHACL over the project's own shapes, on plain rdflib graphs (`kg.shacl_pool` runs it in workers).

Why it looks like this:

- Shapes come only from the project's `shapes/` folder and are passed to pySHACL explicitly, with no
  `owl:imports` and no inference: nothing is read from card data or fetched from the network.
- The concept schemes go into the data graph itself. pySHACL's `ont_graph` only copies class axioms into
  the data graph, not the `rdf:type` triples of the concepts that `sh:class mc:Risk` needs.
- Each card is validated as if it were alone, in batches of a few thousand cards (pySHACL's fixed cost per
  call makes one card per call about five times slower). Every subject of a card's triples is renamed to a
  batch-local IRI first, so cards that share an organization, dataset or licence node never see each
  other's values: a card's results depend on that card only, which is what makes them cacheable. Rules
  across cards are checked separately (`kg.collisions`).
- `serve` is the loop of a worker process: it reads batches as N-Triples on stdin and writes their results
  as JSON on stdout, each message prefixed by its length.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from functools import cache
from pathlib import Path
from typing import BinaryIO

import pyoxigraph as ox
import pyshacl
import rdflib
from rdflib.namespace import RDF, SH, XSD

from kg.resources import data_dir
from kg.version import __version__
from kg.vocabulary import SCHEME_FILES, default_vocabulary

CROSS_CARD_SHAPES = "cross-card.ttl"
"""Shapes only a merged graph can break; per-card validation leaves them out (see `kg.collisions`)."""
_ALIAS = "urn:x-kg-validate:"
_LENGTH = 8
READY = b"ready"
"""What a worker process writes once it can validate, so that its start-up is not counted as batch time."""


@dataclass(frozen=True, slots=True)
class RawResult:
    """One `sh:ValidationResult`, as IRIs and N-Triples terms, before it is traced back to a card line."""

    focus: str
    path: str | None
    value: str | None
    """The `sh:value` in N-Triples syntax (`<iri>`, `"text"@en`, ...), or None."""
    severity: str
    shape: str
    """The named SPARQL constraint when there is one, else the source shape."""
    component: str
    message: str


# -- shapes, vocabulary, version ------------------------------------------------------------------


def shape_files(cross_card: bool = False) -> list[Path]:
    folder = data_dir("shapes")
    return sorted(p for p in folder.glob("*.ttl") if cross_card or p.name != CROSS_CARD_SHAPES)


@cache
def shapes_graph(cross_card: bool = False) -> rdflib.Graph:
    graph = rdflib.Graph()
    for path in shape_files(cross_card):
        graph.parse(data=path.read_text(encoding="utf-8"), format="turtle")
    return graph


@cache
def rules_version() -> str:
    """Digest of everything a card's results depend on besides the card: shapes, schemes and code versions."""
    digest = hashlib.sha256(f"kg {__version__} pyshacl {pyshacl.__version__} rdflib {rdflib.__version__}".encode())
    ontology = data_dir("ontology")
    for path in [*shape_files(cross_card=True), *(ontology / name for name in SCHEME_FILES)]:
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


@cache
def _vocabulary_triples() -> tuple[tuple[rdflib.term.Node, ...], ...]:
    convert = _Converter()
    return tuple(convert.triple(t) for t in default_vocabulary().triples)


# -- ox -> rdflib -----------------------------------------------------------------------------------


class _Converter:
    """Oxigraph terms to rdflib terms, memoized: about twice as fast as an N-Triples round trip."""

    def __init__(self) -> None:
        self.memo: dict[object, rdflib.term.Node] = {}

    def term(self, term: ox.NamedNode | ox.Literal | ox.BlankNode) -> rdflib.term.Node:
        node = self.memo.get(term)
        if node is None:
            if isinstance(term, ox.NamedNode):
                node = rdflib.URIRef(term.value)
            elif isinstance(term, ox.BlankNode):
                node = rdflib.BNode(term.value)
            elif term.language:
                node = rdflib.Literal(term.value, lang=term.language)
            elif term.datatype.value == str(XSD.string):
                node = rdflib.Literal(term.value)  # rdflib's (and its parsers') form of a plain string
            else:
                node = rdflib.Literal(term.value, datatype=rdflib.URIRef(term.datatype.value))
            self.memo[term] = node
        return node

    def triple(self, triple: ox.Triple) -> tuple[rdflib.term.Node, ...]:
        return (self.term(triple.subject), self.term(triple.predicate), self.term(triple.object))


# -- one batch --------------------------------------------------------------------------------------


def isolate(cards: Iterable[Iterable[ox.Triple]]) -> tuple[bytes, dict[str, tuple[int, str]]]:
    """N-Triples of the cards with every card's subjects renamed apart, and the renaming to undo it."""
    out: list[ox.Triple] = []
    aliases: dict[str, tuple[int, str]] = {}
    for index, triples in enumerate(cards):
        triples = list(triples)
        local: dict[ox.NamedNode | ox.BlankNode, ox.NamedNode] = {}
        for t in triples:
            if t.subject not in local:
                alias = ox.NamedNode(f"{_ALIAS}{index}/{len(local)}")
                local[t.subject] = alias
                aliases[alias.value] = (index, t.subject.value)
        for t in triples:
            obj = local.get(t.object, t.object) if not isinstance(t.object, ox.Literal) else t.object
            out.append(ox.Triple(local[t.subject], t.predicate, obj))
    return ox.serialize(out, format=ox.RdfFormat.N_TRIPLES), aliases


def validate_ntriples(payload: bytes) -> list[RawResult]:
    """Validate one batch (N-Triples bytes) against the per-card shapes, with the schemes added."""
    convert = _Converter()
    graph = rdflib.Graph()
    graph.addN((*convert.triple(t), graph) for t in ox.parse(payload, format=ox.RdfFormat.N_TRIPLES))
    graph.addN((*t, graph) for t in _vocabulary_triples())
    return run_pyshacl(graph, shapes_graph(False))


def run_pyshacl(data: rdflib.Graph, shapes: rdflib.Graph) -> list[RawResult]:
    """pySHACL with every option that could reach outside spelled out. `data` is changed in place."""
    _, report, _ = pyshacl.validate(
        data,
        shacl_graph=shapes,
        ont_graph=None,
        inference="none",
        advanced=True,  # SPARQL targets: one query per shape instead of one per focus node
        inplace=True,
        allow_warnings=True,
        abort_on_first=False,
        do_owl_imports=False,
        meta_shacl=False,
        sparql_mode=False,
        js=False,
    )
    return [_raw(report, node) for node in report.subjects(RDF.type, SH.ValidationResult)]


def _raw(report: rdflib.Graph, node: rdflib.term.Node) -> RawResult:
    def one(predicate: rdflib.URIRef) -> rdflib.term.Node | None:
        return report.value(node, predicate)

    path, value = one(SH.resultPath), one(SH.value)
    constraint = one(SH.sourceConstraint)
    shape = constraint if isinstance(constraint, rdflib.URIRef) else one(SH.sourceShape)
    return RawResult(
        focus=str(one(SH.focusNode)),
        path=str(path) if isinstance(path, rdflib.URIRef) else None,
        value=str(_to_ox(value)) if value is not None else None,
        severity=str(one(SH.resultSeverity)),
        shape=str(shape),
        component=str(one(SH.sourceConstraintComponent)),
        message=str(one(SH.resultMessage) or ""),
    )


def _to_ox(term: rdflib.term.Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    """rdflib term to Oxigraph term, whose str() is exact N-Triples (rdflib's n3() is Turtle)."""
    if isinstance(term, rdflib.URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, rdflib.BNode):
        return ox.BlankNode(str(term))
    assert isinstance(term, rdflib.Literal)
    if term.language:
        return ox.Literal(str(term), language=term.language)
    return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype or XSD.string)))


def parse_term(text: str) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    """The term of a RawResult.value (N-Triples syntax)."""
    (triple,) = ox.parse(f"<urn:s> <urn:p> {text} .".encode(), format=ox.RdfFormat.N_TRIPLES)
    return triple.object


def check_graph(data: rdflib.Graph, *, cross_card: bool = True) -> list[RawResult]:
    """Validate a whole graph (a published graph.nt, or one from another tool) in this process.

    The concept schemes are added to a copy; `data` is left as it was. There is no deadline here: this is
    for graphs one trusts to be of reasonable size.
    """
    graph = rdflib.Graph()
    graph.addN((s, p, o, graph) for s, p, o in data)
    graph.addN((*t, graph) for t in _vocabulary_triples())
    return run_pyshacl(graph, shapes_graph(cross_card))


# -- the worker process -----------------------------------------------------------------------------


def write_frame(stream: BinaryIO, data: bytes) -> None:
    stream.write(len(data).to_bytes(_LENGTH, "big") + data)
    stream.flush()


def read_frame(stream: BinaryIO) -> bytes:
    """One length-prefixed message; EOFError when the other side is gone."""
    header = stream.read(_LENGTH)
    if len(header) < _LENGTH:
        raise EOFError("the stream ended")
    size = int.from_bytes(header, "big")
    data = stream.read(size)
    if len(data) < size:
        raise EOFError("the stream ended inside a message")
    return data


def serve() -> None:
    """Worker loop: validate each batch read from stdin, write `{"results": [...]}` or `{"error": "..."}`."""
    requests = sys.stdin.buffer
    replies = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())  # stray output of any library goes to stderr, not the replies
    shapes_graph(False)
    _vocabulary_triples()
    write_frame(replies, READY)
    while True:
        try:
            payload = read_frame(requests)
        except EOFError:
            return
        try:
            reply: dict[str, object] = {"results": [asdict(r) for r in validate_ntriples(payload)]}
        except Exception as err:  # the parent splits the batch to find the card
            reply = {"error": f"{type(err).__name__}: {err}"}
        write_frame(replies, json.dumps(reply).encode("utf-8"))
