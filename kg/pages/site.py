"""What every page reads from: the store, where each IRI's page lives, and the validation findings.

A `Site` wraps a read-only Oxigraph store (or an in-memory one loaded from a graph file) with the two
rules the pages need:

- **IRI → page path.** A data IRI minted under the base is published at its path under the base
  (`BASE model/gpt-2` → `model/gpt-2`); an IRI of the project's vocabulary at its path under
  `https://w3id.org/mckg/` (`risk:disinformation` → `risk/disinformation`, the scheme itself → `risk`),
  the same layout the server uses, so the site root stands for the base. Ontology terms (`mc:…`) and IRIs
  elsewhere have no page: they are shown as text or, when they are web addresses, as links out.
- **Targeted reads.** `out` (the triples of one subject) and `select` (SPARQL with the resource bound
  through Oxigraph's substitutions, never pasted into the text) touch only the index ranges of the
  resource at hand, so a page costs the same whatever the size of the graph.

The store is never written; the build's `validation.ttl` next to `OUT/store` is read once, when the site is
opened, and indexed by card.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg.namespaces import DEFAULT_BASE, MC, ONTOLOGY, PREFIXES, PROV, RDF, VOCAB
from kg.store import open_store
from kg.version import __version__

Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple
SH = "http://www.w3.org/ns/shacl#"
VALIDATION_FILE = "validation.ttl"
NO_PAGE_UNDER = (ONTOLOGY, VOCAB + "shapes", VOCAB + "vocabulary", VOCAB + "docs")
"""Vocabulary IRIs that are documented by `kg docs` (or are graph names), not by a resource page."""

_GRAPH_FORMATS = {".nt": ox.RdfFormat.N_TRIPLES, ".ttl": ox.RdfFormat.TURTLE, ".nq": ox.RdfFormat.N_QUADS}


@dataclass(frozen=True, slots=True)
class CardFinding:
    """One validation result about a card, as `validation.ttl` states it."""

    severity: str  # "error" or "warning"
    message: str
    path: str | None = None
    """The property the result is about, as an IRI, when SHACL named one."""


@dataclass(slots=True)
class Site:
    """The store and the rules that turn its IRIs into pages; see the module docstring."""

    store: ox.Store
    base: str = DEFAULT_BASE
    findings: dict[str, list[CardFinding]] | None = None
    """Validation findings by card IRI; None when there is no validation report (build with --no-validate)."""
    store_path: Path | None = None
    version: str = __version__
    name: str = "mckg"
    memo: dict[str, Any] = field(default_factory=dict, repr=False)
    """Results of whole-graph summaries (home page counts and charts), computed once per opened store."""

    # -- IRIs and paths -----------------------------------------------------------------------------

    def path_of(self, iri: str) -> str | None:
        """The page path of `iri` (no suffix, no leading slash), or None when it has no page here."""
        if iri.startswith(self.base) and len(iri) > len(self.base):
            rest = iri[len(self.base) :]
        elif iri.startswith(VOCAB) and not iri.startswith(NO_PAGE_UNDER) and len(iri) > len(VOCAB):
            rest = iri[len(VOCAB) :]
        else:
            return None
        if "#" in rest or "?" in rest or rest.endswith("/") or any(p in ("", ".", "..") for p in rest.split("/")):
            return None
        return rest

    def iri_of(self, path: str) -> str | None:
        """The IRI whose page is `path`, when that IRI is a subject in the store; None otherwise."""
        for root in (self.base, VOCAB):
            try:
                node = ox.NamedNode(root + path)
            except ValueError:
                continue
            if self.path_of(node.value) == path and self.has(node.value):
                return node.value
        return None

    def has(self, iri: str) -> bool:
        """Whether the store says anything about `iri` (as a subject)."""
        return next(self._quads(ox.NamedNode(iri)), None) is not None

    # -- reads --------------------------------------------------------------------------------------

    def _quads(self, subject: ox.NamedNode, predicate: ox.NamedNode | None = None) -> Iterator[ox.Quad]:
        return self.store.quads_for_pattern(subject, predicate, None, ox.DefaultGraph())

    def out(self, iri: str) -> dict[str, list[Term]]:
        """The triples of one subject: predicate IRI → objects, sorted for stable pages."""
        found: dict[str, list[Term]] = {}
        for quad in self._quads(ox.NamedNode(iri)):
            found.setdefault(quad.predicate.value, []).append(quad.object)
        return {p: sorted(objects, key=str) for p, objects in sorted(found.items())}

    def objects(self, iri: str, predicate: str) -> list[Term]:
        return sorted((q.object for q in self._quads(ox.NamedNode(iri), ox.NamedNode(predicate))), key=str)

    def text(self, iri: str, *predicates: str) -> str:
        """The first literal of the first predicate that has one, English or untagged first."""
        for predicate in predicates:
            literals = [o for o in self.objects(iri, predicate) if isinstance(o, ox.Literal)]
            if literals:
                literals.sort(key=lambda lit: (lit.language not in (None, "en"), lit.value))
                return literals[0].value
        return ""

    def label(self, iri: str) -> str:
        """How a resource is named on a page: its name, title or preferred label, else its page path or IRI."""
        return (
            self.text(iri, MC + "name", MC + "title", PREFIXES["skos"] + "prefLabel", PREFIXES["schema"] + "name")
            or self.text(iri, PREFIXES["rdfs"] + "label", PREFIXES["dcterms"] + "title")
            or (self.path_of(iri) or "").replace("/", " ")
            or iri
        )

    def types(self, iri: str) -> list[str]:
        return [o.value for o in self.objects(iri, RDF + "type") if isinstance(o, ox.NamedNode)]

    def select(self, text: str, **bind: Term) -> list[dict[str, Term]]:
        """Run one of the pages' own SELECT queries with `bind` substituted for its variables."""
        substitutions = {ox.Variable(name): term for name, term in bind.items()}
        solutions = self.store.query(text, prefixes=PREFIXES, substitutions=substitutions)
        names = [v.value for v in solutions.variables]
        rows = []
        for solution in solutions:
            rows.append({n: solution[n] for n in names if solution[n] is not None})
        return rows

    def count(self, text: str, **bind: Term) -> int:
        """The `?n` of a one-row COUNT query."""
        rows = self.select(text, **bind)
        value = rows[0].get("n") if rows else None
        return int(value.value) if isinstance(value, ox.Literal) else 0

    def card_findings(self, card: str) -> list[CardFinding] | None:
        return None if self.findings is None else self.findings.get(card, [])


def open_site(path: str | Path, *, base: str | None = None, validation: str | Path | None = None) -> Site:
    """A site over the store `kg build` wrote (`OUT/store`), or over a graph file (.nt, .ttl, .nq) in memory.

    `base` defaults to the base the graph's IRIs were minted under (read from a model IRI); `validation`
    to the `validation.ttl` next to the store or the graph file.
    """
    path = Path(path)
    if path.is_file():
        if path.suffix not in _GRAPH_FORMATS:
            raise ValueError(f"{path}: expected a store folder or a graph file ending in .nt, .ttl or .nq")
        store = ox.Store()
        quads = ox.parse(path=str(path), format=_GRAPH_FORMATS[path.suffix])
        store.bulk_extend(ox.Quad(*quad.triple) for quad in quads)  # every triple in the default graph
        store_path = None
    else:
        store = open_store(path)
        store_path = path
    report = Path(validation) if validation else path.parent / VALIDATION_FILE
    site = Site(store, base or detect_base(store), read_findings(report), store_path)
    return site


def detect_base(store: ox.Store) -> str:
    """The base IRI the build minted under: a model IRI without its `model/<slug>` tail."""
    model = next(store.quads_for_pattern(None, ox.NamedNode(RDF + "type"), ox.NamedNode(MC + "Model")), None)
    if model is None or "model/" not in model.subject.value:
        return DEFAULT_BASE
    return model.subject.value.rpartition("model/")[0]


def read_findings(report: Path) -> dict[str, list[CardFinding]] | None:
    """Findings per card IRI from a `validation.ttl` (see kg.report); None when the file does not exist."""
    if not report.is_file():
        return None
    graph = ox.Store()
    graph.bulk_extend(ox.Quad(*q.triple) for q in ox.parse(path=str(report), format=ox.RdfFormat.TURTLE))
    query = """
        SELECT ?card ?severity ?message ?path WHERE {
          ?result a sh:ValidationResult ; prov:wasDerivedFrom ?card ; sh:resultSeverity ?severity ;
                  sh:resultMessage ?message .
          OPTIONAL { ?result sh:resultPath ?path }
          FILTER(isIRI(?card))
        } ORDER BY ?card ?severity ?message"""
    found: dict[str, list[CardFinding]] = {}
    for row in graph.query(query, prefixes={"sh": SH, "prov": PROV}):
        severity = "error" if row["severity"].value == SH + "Violation" else "warning"
        path = row["path"].value if row["path"] is not None else None
        found.setdefault(row["card"].value, []).append(CardFinding(severity, row["message"].value, path))
    return found
