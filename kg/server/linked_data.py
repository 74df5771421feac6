"""Linked data: every IRI of the dataset answers at its path on this server, as HTML, Turtle or JSON-LD.

The rule: the server's root stands for the base IRI, so the IRI `BASE + p` is served at `/p`
(`https://w3id.org/mckg/id/model/gpt-2` at `/model/gpt-2`): the path after the base IRI's path. When the
base lies under the vocabulary namespace (`https://w3id.org/mckg/`, as the default base does), the root
also stands for that namespace, so the concept schemes (`/risk`, `/risk/disinformation`, ...) and the
ontology (`/ontology`, from the package's `mc.ttl` and `alignment.ttl`) resolve the same way; a data IRI
wins if both exist. A few documents are the server's own: the dataset description (`/` and
`/.well-known/void`) and the service description (`/sparql`).

A resource's description is its triples as subject in the default graph, plus those of the blank nodes
they reach. The format follows `Accept` (Turtle when the client says nothing, HTML for browsers), or a
suffix: `.ttl`, `.nt`, `.jsonld`, `.rdf`, `.html`. JSON-LD is compacted with the project's context. An
IRI with no triples as subject is a 404.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from typing import Final
from urllib.parse import quote

import pyoxigraph as ox
from starlette.requests import Request
from starlette.responses import Response

from kg import jsonld
from kg.namespaces import ONTOLOGY, VOCAB
from kg.query_worker import encode_graph
from kg.resources import data_dir
from kg.server.conneg import PAGES, SUFFIXES, Offer, negotiate
from kg.server.html import CONTENT_SECURITY_POLICY, Alternate, render_page
from kg.server.store_view import LABELS, StoreView
from kg.void import turtle

ONTOLOGY_FILES: Final = ("mc.ttl", "alignment.ttl")
INCOMING_LIMIT: Final = 200
"""Most references listed on an HTML page (the RDF formats carry the resource's own triples only)."""
LABEL_LOOKUPS: Final = 500
"""Most IRIs of one page whose display names are looked up in the store."""
_SAFE_PATH: Final = "/#:@!$&'()*+,;=-._~"


@dataclass(frozen=True, slots=True)
class Document:
    """A description the server makes itself (not a store look-up): the VoID, the service description."""

    iri: str
    triples: Callable[[], list[ox.Triple]]
    lead: tuple[str, ...] = field(default=())
    canonical: str | None = None
    """The path its format-specific URLs hang off (`/` is `/.well-known/void`: `/.well-known/void.ttl`)."""


@cache
def ontology_triples() -> list[ox.Triple]:
    """The core ontology and its alignment, read from the package."""
    folder = data_dir("ontology")
    return [q.triple for name in ONTOLOGY_FILES for q in ox.parse(path=folder / name, format=ox.RdfFormat.TURTLE)]


def encode(triples: list[ox.Triple], fmt: str, lead: tuple[str, ...] = ()) -> bytes:
    """A description in an RDF format: Turtle with `lead` subjects first, JSON-LD compacted."""
    if fmt == "ttl":
        return turtle(triples, lead=lead)
    if fmt == "jsonld":
        return jsonld.dumps(triples)
    return encode_graph(triples, fmt)


class LinkedData:
    def __init__(self, view: StoreView, base: str, documents: dict[str, Document]) -> None:
        self.view, self.base, self.documents = view, base, documents
        self.vocabulary = base.startswith(VOCAB)

    def local_path(self, iri: str) -> str | None:
        """The path at which this server answers for `iri`, or None when it does not."""
        for namespace in (self.base, VOCAB) if self.vocabulary else (self.base,):
            if iri.startswith(namespace):
                return "/" + quote(iri[len(namespace) :], safe=_SAFE_PATH)
        return None

    def href(self, iri: str) -> str | None:
        """Where a page links an IRI: locally when served here, as is when http(s), else nowhere."""
        if not iri.startswith(("http://", "https://")):
            return None
        return self.local_path(iri) or iri

    def lookup(self, path: str) -> tuple[str, list[ox.Triple], tuple[str, ...]] | None:
        """(IRI, description, lead subjects) of the resource served at `/path`, or None."""
        if path in self.documents:
            document = self.documents[path]
            return document.iri, document.triples(), document.lead
        candidates = [self.base + path]
        if self.vocabulary:
            candidates.append(VOCAB + path)
        for iri in candidates:
            if iri == ONTOLOGY and self.vocabulary:
                return iri, ontology_triples(), (iri,)
            try:
                triples = self.view.describe(iri)
            except ValueError:  # not an IRI (e.g. a space in the path)
                continue
            if triples:
                return iri, triples, (iri,)
        return None

    def respond(self, request: Request, path: str) -> Response:
        """The description of the resource at `/path` (with or without a format suffix), or 404/406."""
        found, offer = self.lookup(path), None
        if found is None:
            for suffix, suffix_offer in SUFFIXES.items():
                if path.endswith(suffix) and (found := self.lookup(path[: -len(suffix)])) is not None:
                    offer, path = suffix_offer, path[: -len(suffix)]
                    break
        if found is None:
            iri = self.base + path
            return Response(f"not found: no resource <{iri}> in this dataset\n", 404, media_type="text/plain")
        iri, triples, lead = found
        headers = {}
        if offer is None:
            offer = negotiate(request.headers.get("accept"), PAGES)
            headers["Vary"] = "Accept"
            if offer is None:
                offered = ", ".join(o.media_type for o in PAGES)
                return Response(f"not acceptable: this resource is available as {offered}\n", 406, headers=headers)
            headers["Content-Location"] = self._here(path) + _suffix(offer)
        if offer.fmt == "html":
            headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
            body = self.page(iri, path, triples)
        else:
            body = encode(triples, offer.fmt, lead)
        return Response(body, 200, headers=headers, media_type=offer.content_type)

    def page(self, iri: str, path: str, triples: list[ox.Triple]) -> bytes:
        incoming, more = self.view.incoming(iri, INCOMING_LIMIT) if path not in self.documents else ([], False)
        here = self._here(path)
        alternates = [
            Alternate(label, here + suffix, SUFFIXES[suffix].media_type)
            for label, suffix in (("Turtle", ".ttl"), ("JSON-LD", ".jsonld"), ("N-Triples", ".nt"), ("RDF/XML", ".rdf"))
        ]
        return render_page(
            iri,
            triples,
            labels=self.labels(triples + incoming),
            link=self.href,
            alternates=alternates,
            incoming=incoming,
            more_incoming=more,
        )

    def _here(self, path: str) -> str:
        document = self.documents.get(path)
        return "/" + quote(document.canonical if document and document.canonical else path, safe=_SAFE_PATH)

    def labels(self, triples: list[ox.Triple]) -> dict[str, str]:
        """Display names: from the triples themselves first (e.g. the ontology's), then from the store."""
        names: dict[str, str] = {}
        label_predicates = {p.value: rank for rank, p in enumerate(LABELS)}
        ranked: dict[str, tuple[int, str]] = {}
        for t in triples:
            rank = label_predicates.get(t.predicate.value)
            if rank is None or not isinstance(t.subject, ox.NamedNode) or not isinstance(t.object, ox.Literal):
                continue
            if t.object.language in (None, "en"):
                candidate = (rank, t.object.value)
                ranked[t.subject.value] = min(ranked.get(t.subject.value, candidate), candidate)
        names.update({iri: value for iri, (_, value) in ranked.items()})
        wanted = {
            term.value
            for t in triples
            for term in (t.subject, t.object)
            if isinstance(term, ox.NamedNode) and term.value not in names
        }
        names.update(self.view.labels(set(sorted(wanted)[:LABEL_LOOKUPS])))
        return names


def _suffix(offer: Offer) -> str:
    return next(suffix for suffix, o in SUFFIXES.items() if o.fmt == offer.fmt)
