"""`kg docs`: a static HTML site that documents the ontology and each concept scheme.

Everything is read from the Turtle files the build publishes (`ontology/`), so the pages cannot drift from
the vocabulary: one page for the core ontology (every class and property with its alignments from
`alignment.ttl`), one page per SKOS concept scheme, and an index. Given a built graph, each term also shows
how it is used there. Output is deterministic (sorted, no timestamps), works offline (one inline stylesheet,
no script) and is written atomically; all text goes through Jinja2's autoescaping.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import jinja2
import pyoxigraph as ox

from kg.docs_graph import GraphExamples, Ref, Table
from kg.export import write_atomically
from kg.iris import Minter
from kg.jsonld import context as jsonld_context
from kg.namespaces import DCTERMS, DEFAULT_BASE, MC, OWL, PREFIXES, RDF, RDFS, SKOS, VOCAB
from kg.resources import data_dir
from kg.version import __version__
from kg.vocabulary import SCHEME_FILES

CORE_FILE = "mc.ttl"
ALIGNMENT_FILE = "alignment.ttl"
CONTEXT_FILE = "context.jsonld"
SOURCE_FILES = (CORE_FILE, ALIGNMENT_FILE, *SCHEME_FILES, CONTEXT_FILE)
"""Copied next to the pages, so the site carries the vocabulary it documents."""

TERM_KINDS = (
    ("Class", "Classes"),
    ("ObjectProperty", "Object properties"),
    ("DatatypeProperty", "Datatype properties"),
)
MATCHES = ("exactMatch", "closeMatch", "broadMatch", "narrowMatch", "relatedMatch")
SEMANTIC = ("broader", "narrower", "related")


def _n(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


def prefixes() -> dict[str, str]:
    """Turtle output prefixes plus the JSON-LD context's, so every vocabulary we cite has a short name."""
    merged = dict(PREFIXES)
    for key, value in jsonld_context().items():
        if isinstance(value, str) and value.endswith(("#", "/")) and not key.startswith("@"):
            merged.setdefault(key, value)
    return dict(sorted(merged.items()))


class Linker:
    """Turns IRIs into `Ref`s: terms documented here link to their anchor, others to the IRI itself.

    Concepts are shown by their preferred label, everything else by its prefixed name.
    """

    def __init__(self, names: dict[str, str]) -> None:
        self.names = sorted(names.items(), key=lambda kv: -len(kv[1]))
        self.pages: dict[str, str] = {}
        self.titles: dict[str, str] = {}

    def curie(self, iri: str) -> str:
        for prefix, ns in self.names:
            local = iri[len(ns) :]
            if iri.startswith(ns) and local and "/" not in local and "#" not in local:
                return f"{prefix}:{local}"
        return iri

    def ref(self, iri: str, text: str | None = None) -> Ref:
        href = self.pages.get(iri) or (None if iri.startswith(VOCAB) else iri)
        return Ref(text or self.titles.get(iri) or self.curie(iri), iri, href)


def _anchor(iri: str, namespace: str) -> str:
    return iri[len(namespace) :] if iri.startswith(namespace) else iri.rsplit("/", 1)[-1].rsplit("#", 1)[-1]


def _page(scheme: str) -> str:
    return scheme.rstrip("/").rsplit("/", 1)[-1] + ".html"


class _Source:
    """The ontology files in one store, each in a named graph, so a fact can be traced to its file."""

    def __init__(self, folder: Path) -> None:
        self.store = ox.Store()
        for name in SOURCE_FILES:
            if name.endswith(".ttl"):
                self.store.load(path=str(folder / name), format=ox.RdfFormat.TURTLE, to_graph=self.graph(name))

    @staticmethod
    def graph(name: str) -> ox.NamedNode:
        return _n(VOCAB + "docs/source/" + name)

    def objects(self, s: str, p: str, file: str | None = None) -> list[ox.NamedNode | ox.Literal]:
        graph = self.graph(file) if file else None
        found = {q.object for q in self.store.quads_for_pattern(_n(s), _n(p), None, graph)}
        return sorted(found, key=str)  # type: ignore[arg-type]

    def iris(self, s: str, p: str, file: str | None = None) -> list[str]:
        return [o.value for o in self.objects(s, p, file) if isinstance(o, ox.NamedNode)]

    def subjects(self, p: str, o: str, file: str | None = None) -> list[str]:
        graph = self.graph(file) if file else None
        found = {q.subject for q in self.store.quads_for_pattern(None, _n(p), _n(o), graph)}
        return sorted(s.value for s in found if isinstance(s, ox.NamedNode))

    def texts(self, s: str, p: str) -> list[str]:
        """Literal values, English first."""
        literals = [o for o in self.objects(s, p) if isinstance(o, ox.Literal)]
        return [lit.value for lit in sorted(literals, key=lambda lit: (lit.language not in (None, "en"), lit.value))]

    def text(self, s: str, p: str) -> str:
        values = self.texts(s, p)
        return values[0] if values else ""


@dataclass(slots=True)
class TermDoc:
    iri: str
    anchor: str
    kind: str
    label: str
    comment: str
    parents: list[Ref]
    domain: list[Ref]
    range: list[Ref]
    inverse: list[Ref]
    alignments: list[Ref]
    members: list[Ref]
    example: Table | None = None


@dataclass(slots=True)
class ConceptDoc:
    iri: str
    anchor: str
    label: str
    alt_labels: list[str]
    notations: list[str]
    definition: str
    scope_notes: list[str]
    editorial_notes: list[str]
    types: list[Ref]
    semantic: list[tuple[str, list[Ref]]]
    mappings: list[tuple[str, list[Ref]]]
    usage: Table | None = None


@dataclass(slots=True)
class SchemeDoc:
    iri: str
    page: str
    title: str
    definition: str
    file: str
    version: str
    sources: list[Ref]
    licenses: list[Ref]
    concepts: list[ConceptDoc]


@dataclass(slots=True)
class OntologyDoc:
    iri: str
    title: str
    description: str
    version: str
    version_iri: str
    licenses: list[Ref]
    creators: list[str]
    terms: list[tuple[str, list[TermDoc]]]


def _register(src: _Source, linker: Linker) -> None:
    """Give every documented IRI its page and anchor before any page is built, so all links resolve."""
    for iri in src.subjects(RDF + "type", OWL + "Ontology", CORE_FILE):
        linker.pages[iri] = "ontology.html"
    for kind, _ in TERM_KINDS:
        for term in src.subjects(RDF + "type", OWL + kind, CORE_FILE):
            if term.startswith(MC):
                linker.pages[term] = "ontology.html#" + _anchor(term, MC)
    for file in SCHEME_FILES:
        for scheme in src.subjects(RDF + "type", SKOS + "ConceptScheme", file):
            linker.pages[scheme] = _page(scheme)
            linker.titles[scheme] = src.text(scheme, SKOS + "prefLabel")
            for concept in src.subjects(SKOS + "inScheme", scheme):
                linker.pages[concept] = f"{_page(scheme)}#{_anchor(concept, scheme + '/')}"
                linker.titles[concept] = src.text(concept, SKOS + "prefLabel")


def _schemes(src: _Source, linker: Linker) -> list[SchemeDoc]:
    """Every concept scheme of the scheme files, with its concepts sorted by label."""
    schemes: list[SchemeDoc] = []
    for file in SCHEME_FILES:
        for iri in src.subjects(RDF + "type", SKOS + "ConceptScheme", file):
            concepts = [_concept(src, linker, c, iri) for c in src.subjects(SKOS + "inScheme", iri)]
            schemes.append(
                SchemeDoc(
                    iri=iri,
                    page=_page(iri),
                    title=src.text(iri, SKOS + "prefLabel") or src.text(iri, DCTERMS + "title"),
                    definition=src.text(iri, SKOS + "definition"),
                    file=file,
                    version=src.text(iri, OWL + "versionInfo"),
                    sources=[linker.ref(o) for o in src.iris(iri, DCTERMS + "source")],
                    licenses=[linker.ref(o) for o in src.iris(iri, DCTERMS + "license")],
                    concepts=sorted(concepts, key=lambda c: (c.label.casefold(), c.iri)),
                )
            )
    return sorted(schemes, key=lambda s: s.page)


def _concept(src: _Source, linker: Linker, iri: str, scheme: str) -> ConceptDoc:
    def refs(p: str) -> list[Ref]:
        return [linker.ref(o) for o in src.iris(iri, p)]

    return ConceptDoc(
        iri=iri,
        anchor=_anchor(iri, scheme + "/"),
        label=src.text(iri, SKOS + "prefLabel"),
        alt_labels=sorted(src.texts(iri, SKOS + "altLabel"), key=str.casefold),
        notations=src.texts(iri, SKOS + "notation"),
        definition=src.text(iri, SKOS + "definition"),
        scope_notes=src.texts(iri, SKOS + "scopeNote"),
        editorial_notes=src.texts(iri, SKOS + "editorialNote"),
        types=[r for r in refs(RDF + "type") if r.iri != SKOS + "Concept"],
        semantic=[(name, refs(SKOS + name)) for name in SEMANTIC if refs(SKOS + name)],
        mappings=[(name, refs(SKOS + name)) for name in MATCHES if refs(SKOS + name)],
    )


def _term(src: _Source, linker: Linker, iri: str, kind: str, schemes: list[SchemeDoc]) -> TermDoc:
    sub = RDFS + ("subClassOf" if kind == "Class" else "subPropertyOf")
    members = [s for s in schemes if any(iri in src.iris(c.iri, RDF + "type") for c in s.concepts)]
    return TermDoc(
        iri=iri,
        anchor=_anchor(iri, MC),
        kind=kind,
        label=src.text(iri, RDFS + "label"),
        comment=src.text(iri, RDFS + "comment"),
        parents=[linker.ref(o) for o in src.iris(iri, sub, CORE_FILE)],
        domain=[linker.ref(o) for o in src.iris(iri, RDFS + "domain", CORE_FILE)],
        range=[linker.ref(o) for o in src.iris(iri, RDFS + "range", CORE_FILE)],
        inverse=[linker.ref(o) for o in src.iris(iri, OWL + "inverseOf", CORE_FILE)],
        alignments=[linker.ref(o) for o in src.iris(iri, sub, ALIGNMENT_FILE)],
        members=[linker.ref(s.iri, s.title) for s in members],
    )


def _ontology(src: _Source, linker: Linker, schemes: list[SchemeDoc]) -> OntologyDoc:
    iris = src.subjects(RDF + "type", OWL + "Ontology", CORE_FILE)
    if len(iris) != 1:
        raise ValueError(f"{CORE_FILE} must declare exactly one owl:Ontology, found {len(iris)}")
    iri = iris[0]
    declared = {
        kind: [t for t in src.subjects(RDF + "type", OWL + kind, CORE_FILE) if t.startswith(MC)]
        for kind, _ in TERM_KINDS
    }
    groups = []
    for kind, title in TERM_KINDS:
        docs = [_term(src, linker, t, kind, schemes) for t in declared[kind]]
        groups.append((title, sorted(docs, key=lambda d: (d.anchor.casefold(), d.anchor))))
    version_iris = src.iris(iri, OWL + "versionIRI")
    return OntologyDoc(
        iri=iri,
        title=src.text(iri, DCTERMS + "title") or src.text(iri, RDFS + "label"),
        description=src.text(iri, DCTERMS + "description") or src.text(iri, RDFS + "comment"),
        version=src.text(iri, OWL + "versionInfo"),
        version_iri=version_iris[0] if version_iris else "",
        licenses=[linker.ref(o) for o in src.iris(iri, DCTERMS + "license")],
        creators=src.texts(iri, DCTERMS + "creator"),
        terms=groups,
    )


@dataclass(slots=True)
class Site:
    """Everything the templates show, gathered once."""

    ontology: OntologyDoc
    schemes: list[SchemeDoc]
    prefixes: dict[str, str]
    namespaces: list[tuple[str, str, Ref]]
    iri_examples: list[tuple[str, str, str]]
    sources: list[str]
    version: str = __version__
    graph: GraphExamples | None = None

    @property
    def other_prefixes(self) -> dict[str, str]:
        return {p: ns for p, ns in self.prefixes.items() if not ns.startswith(VOCAB)}


def _iri_examples() -> list[tuple[str, str, str]]:
    """(kind, text on the card, minted IRI), computed with the build's own minting rule."""
    minter = Minter(DEFAULT_BASE)
    cases = (
        ("model", "GPT-2", minter.model),
        ("card", "GPT-2", minter.card),
        ("organization", "OpenAI Inc.", minter.organization),
        ("dataset", "The Pile", minter.dataset),
        ("publication", "Language Models are Few-Shot Learners", minter.publication),
        ("license", "Proprietary License", minter.license),
    )
    return [(kind, text, mint(text).value) for kind, text, mint in cases]


def collect(ontology: Path | None = None, graph: Path | None = None) -> Site:
    """Read the ontology folder (default: the project's) and, optionally, a built graph to take examples from."""
    folder = ontology or data_dir("ontology")
    src = _Source(folder)
    names = prefixes()
    linker = Linker(names)
    _register(src, linker)
    schemes = _schemes(src, linker)
    onto = _ontology(src, linker, schemes)
    examples = GraphExamples(graph, linker.ref) if graph else None
    if examples:
        for _, terms in onto.terms:
            for term in terms:
                term.example = examples.for_class(term.iri) if term.kind == "Class" else examples.for_property(term.iri)
        for scheme in schemes:
            for concept in scheme.concepts:
                concept.usage = examples.for_concept(concept.iri)
    namespaces = [
        (prefix, ns, linker.ref(ns.rstrip("/#"), "Core ontology" if ns == MC else None))
        for prefix, ns in names.items()
        if ns.startswith(VOCAB) and ns.rstrip("/#") in linker.pages
    ]
    return Site(onto, schemes, names, namespaces, _iri_examples(), list(SOURCE_FILES), graph=examples)


def environment() -> jinja2.Environment:
    """Templates ship inside the package; autoescaping is on for every template, whatever its name."""
    return jinja2.Environment(
        loader=jinja2.PackageLoader("kg", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def render(site: Site) -> dict[str, bytes]:
    """File name → content of every page."""
    env = environment()
    pages = {"index.html": env.get_template("index.html").render(site=site, page="index.html")}
    pages["ontology.html"] = env.get_template("ontology.html").render(site=site, page="ontology.html")
    for scheme in site.schemes:
        pages[scheme.page] = env.get_template("scheme.html").render(site=site, page=scheme.page, scheme=scheme)
    return {name: text.encode("utf-8") for name, text in pages.items()}


def generate_docs(
    out_dir: str | Path, graph: str | Path | None = None, *, ontology: str | Path | None = None
) -> list[Path]:
    """Write the documentation site into `out_dir`; return the files written, index.html first.

    `graph` is a file written by `kg build` (graph.nt, .nq, .ttl or .trig) to take examples from;
    `ontology` is an ontology folder laid out like the project's (default: the project's own).
    Raises GraphFormatError (a ValueError) for a graph file of another format, SyntaxError for an unreadable
    graph or ontology file and OSError when a file cannot be read or written.
    """
    folder = Path(ontology) if ontology else data_dir("ontology")
    site = collect(folder, Path(graph) if graph else None)
    contents = render(site)
    for name in SOURCE_FILES:
        contents[name] = (folder / name).read_bytes()
    return [written.path for written in write_atomically(Path(out_dir), contents)]
