"""Ontology quality: the vocabulary is consistent, documented, complete for what the mapping emits, and every
IRI it borrows from another vocabulary exists in that vocabulary's published file.

The published files are the copies in `../shared/vocab/` (never fetched): the FAIR4ML JSON-LD files are read as
plain JSON, so no JSON-LD processor gets a chance to resolve a context over the network.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from owlrl import DeductiveClosure, OWLRL_Semantics
from owlrl.Namespaces import ERRNS
from pyshacl import validate
from rdflib import namespace as ns
from rdflib.namespace import OWL, RDF, RDFS, SKOS

import kg
from kg.namespaces import DEFAULT_BASE, MC, MIT_RISK, SOFTWARE, VOCAB
from kg.vocabulary import RISK_SCHEME, SCHEME_FILES, default_vocabulary

from .conftest import CORPUS, ML_CARDS, SHARED, require

ROOT = Path(__file__).resolve().parents[1]
ONTOLOGY = ROOT / "ontology"
HYGIENE = ONTOLOGY / "hygiene.shapes.ttl"
VOCABS = SHARED / "vocab"
RISKS_LIST = CORPUS / "model-library" / "risks_list.md"

MCNS = rdflib.Namespace(MC)
MIT_SCHEME = rdflib.URIRef(MIT_RISK.rstrip("/"))
MATCHES = (SKOS.exactMatch, SKOS.closeMatch, SKOS.broadMatch, SKOS.narrowMatch, SKOS.relatedMatch)
RISK_MATCHES = (SKOS.closeMatch, SKOS.broadMatch, SKOS.relatedMatch)
TERM_KINDS = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)

# Each published vocabulary, by namespace, and the file(s) in ../shared/vocab that define it.
PUBLISHED = {
    "https://w3id.org/airo#": ("airo.ttl",),
    "https://w3id.org/vair#": ("vair.ttl",),
    "https://w3id.org/dpv#": ("dpv-dpv.ttl",),
    "https://w3id.org/dpv/risk#": ("dpv-risk.ttl",),
    "https://w3id.org/dpv/ai#": ("dpv-ai.ttl",),
    "https://w3id.org/dpv/tech#": ("dpv-tech.ttl",),
    "https://w3id.org/dpv/loc#": ("dpv-loc.ttl",),
    "https://w3id.org/fair4ml#": ("fair4ml-development.jsonld",),
    "https://w3id.org/fair4ml/": ("fair4ml-0.1.0.jsonld",),
    "http://www.w3.org/ns/mls#": ("mls.ttl",),
    "http://purl.obolibrary.org/obo/MCRO_": ("mcro.ttl",),
}
# Vocabularies whose terms rdflib ships as closed namespaces (membership = the term exists).
# (Kept in a tuple, not as module names: pytest would probe them and rdflib warns on unknown attributes.)
STANDARD = (ns.SDO, ns.PROV, ns.DCAT, ns.ORG, ns.FOAF, ns.DCTERMS, RDF, RDFS, OWL, SKOS, ns.XSD)
XSD_STRING = rdflib.URIRef("http://www.w3.org/2001/XMLSchema#string")
XSD_NNI = rdflib.URIRef("http://www.w3.org/2001/XMLSchema#nonNegativeInteger")
# Namespaces we may cite but cannot check offline: Wikidata items are checked by hand (see the scheme files).
UNCHECKED = ("http://www.wikidata.org/entity/",)
OUR_NAMESPACES = (VOCAB,)
DOCUMENT_LINKS = (ns.DCTERMS.license, ns.DCTERMS.source, RDFS.seeAlso, OWL.versionIRI)


def load(*names: str) -> rdflib.Graph:
    graph = rdflib.Graph()
    for name in names:
        graph.parse(ONTOLOGY / name, format="turtle")
    return graph


def vocabulary_graph() -> rdflib.Graph:
    """Core ontology, alignment and every concept scheme: the vocabulary as published."""
    return load("mc.ttl", "alignment.ttl", *SCHEME_FILES)


@pytest.fixture(scope="module")
def vocab() -> rdflib.Graph:
    return vocabulary_graph()


def declared_terms(graph: rdflib.Graph) -> set[rdflib.URIRef]:
    """Our terms: mc: classes and properties, our concepts and our concept schemes."""
    terms = {s for kind in TERM_KINDS for s in graph.subjects(RDF.type, kind) if str(s).startswith(MC)}
    terms |= {s for kind in (SKOS.Concept, SKOS.ConceptScheme) for s in graph.subjects(RDF.type, kind)}
    return {t for t in terms if isinstance(t, rdflib.URIRef) and str(t).startswith(VOCAB)}


def owlrl_errors(graph: rdflib.Graph) -> list[str]:
    """owlrl does not raise on an inconsistency: it adds `[] a err:ErrorMessage ; err:error "..."` triples."""
    return sorted(
        str(m) for node in graph.subjects(RDF.type, ERRNS.ErrorMessage) for m in graph.objects(node, ERRNS.error)
    )


# --- (1) OWL RL ----------------------------------------------------------------------------------------------


def test_core_and_alignment_pass_an_owl_rl_closure_without_inconsistency():
    graph = load("mc.ttl", "alignment.ttl")
    asserted = len(graph)
    DeductiveClosure(OWLRL_Semantics).expand(graph)
    assert owlrl_errors(graph) == []
    assert len(graph) > asserted, "the closure inferred nothing: it did not run"
    # The alignment is transitive through the core: a risk concept is an AIRO risk and a SKOS concept.
    assert (MCNS.Risk, RDFS.subClassOf, rdflib.URIRef("https://w3id.org/airo#Risk")) in graph
    assert (MCNS.Risk, RDFS.subClassOf, rdflib.URIRef("http://www.w3.org/2004/02/skos/core#Concept")) in graph


def test_the_built_graph_with_the_whole_vocabulary_is_owl_rl_consistent(built_files):
    """Data too: OWL RL checks every literal against its datatype (a size like "1.5B" would be caught)."""
    graph = vocabulary_graph()
    for path in built_files:
        graph.parse(path, format="nt")
    asserted = len(graph)
    DeductiveClosure(OWLRL_Semantics).expand(graph)
    assert owlrl_errors(graph) == []
    assert len(graph) > asserted


@pytest.mark.parametrize(
    ("triples", "error"),
    [
        (
            [
                (MCNS.Model, OWL.disjointWith, MCNS.Dataset),
                (rdflib.URIRef("https://example.org/x"), RDF.type, MCNS.Model),
                (rdflib.URIRef("https://example.org/x"), RDF.type, MCNS.Dataset),
            ],
            "Disjoint classes",
        ),
        (
            [(rdflib.URIRef("https://example.org/x"), MCNS.parameterCount, rdflib.Literal("1.5B", datatype=XSD_NNI))],
            "does not match its datatype",
        ),
    ],
    ids=["disjoint-classes", "bad-literal"],
)
def test_the_closure_reports_inconsistencies_so_the_checks_above_mean_something(triples, error):
    graph = load("mc.ttl", "alignment.ttl")
    for triple in triples:
        graph.add(triple)
    DeductiveClosure(OWLRL_Semantics).expand(graph)
    assert any(error in message for message in owlrl_errors(graph)), owlrl_errors(graph)


# --- (2) hygiene shapes --------------------------------------------------------------------------------------


def hygiene(data: rdflib.Graph) -> tuple[bool, rdflib.Graph, str]:
    shapes = rdflib.Graph().parse(HYGIENE, format="turtle")
    conforms, report, text = validate(data, shacl_graph=shapes, advanced=True, inference="none", allow_warnings=False)
    return conforms, report, text


def test_the_vocabulary_passes_the_hygiene_shapes(vocab):
    conforms, _, text = hygiene(vocab)
    assert conforms, text


def test_the_hygiene_shapes_catch_a_missing_label_an_undeclared_term_and_a_concept_without_scheme(vocab):
    broken = rdflib.Graph()
    for triple in vocab:
        broken.add(triple)
    broken.remove((MCNS.Model, RDFS.label, None))
    broken.add((MCNS.Model, RDFS.seeAlso, MCNS.hasRisks))  # misspelt, never declared
    orphan = rdflib.URIRef(VOCAB + "risk/orphan")
    broken.add((orphan, RDF.type, SKOS.Concept))
    broken.add((orphan, SKOS.prefLabel, rdflib.Literal("Orphan", lang="en")))
    conforms, report, text = hygiene(broken)
    assert not conforms
    focus = {str(o) for o in report.objects(None, rdflib.URIRef("http://www.w3.org/ns/shacl#focusNode"))}
    values = {str(o) for o in report.objects(None, rdflib.URIRef("http://www.w3.org/ns/shacl#value"))}
    assert str(MCNS.Model) in focus, text
    assert str(orphan) in focus, text
    assert str(MCNS.hasRisks) in values, text


# --- (3) what the mapping emits is declared, and documented --------------------------------------------------


@pytest.fixture(scope="module")
def built_files(tmp_path_factory) -> list[Path]:
    """graph.nt of the shared Model Library corpus and of the project's own cards, built as a user would."""
    files = []
    for name, source in (("corpus", require(ML_CARDS)), ("bundled", ROOT / "cards")):
        out = tmp_path_factory.mktemp(name)
        kg.build([source], out, keep_going=True)
        files.append(out / "graph.nt")
    return files


@pytest.fixture(scope="module")
def built(built_files) -> list[ox.Triple]:
    """Parsed, not loaded in a pyoxigraph Store: the store turns xsd:nonNegativeInteger into xsd:integer."""
    return [q.triple for path in built_files for q in ox.parse(path=str(path), format=ox.RdfFormat.N_TRIPLES)]


def ours(iri: str) -> bool:
    """A vocabulary IRI of ours: under the vocabulary root, but neither minted data nor the software agent."""
    return iri.startswith(VOCAB) and not iri.startswith(DEFAULT_BASE) and iri != SOFTWARE


def test_every_term_of_ours_the_mapping_emits_is_declared(vocab, built):
    emitted = {
        term.value
        for triple in built
        for term in (triple.subject, triple.predicate, triple.object)
        if isinstance(term, ox.NamedNode) and ours(term.value)
    }
    assert len(emitted) > 50, "the build emitted almost nothing: is the corpus there?"
    undeclared = sorted(emitted - {str(t) for t in declared_terms(vocab)})
    assert undeclared == [], f"emitted but not declared in ontology/: {undeclared}"


def test_every_mc_term_is_used_as_what_it_is_declared(vocab, built):
    """Predicates are properties of the right kind, rdf:type objects are classes, literals have the range type."""
    problems = []
    for triple in built:
        p, o = triple.predicate.value, triple.object
        if p.startswith(MC):
            prop = rdflib.URIRef(p)
            literal = isinstance(o, ox.Literal)
            kind = OWL.DatatypeProperty if literal else OWL.ObjectProperty
            if (prop, RDF.type, kind) not in vocab:
                problems.append(f"{p} used with a {'literal' if literal else 'node'} but not declared {kind}")
            ranges = {str(r) for r in vocab.objects(prop, RDFS.range)}
            if literal and ranges:
                datatype = RDF.langString if o.language else rdflib.URIRef(o.datatype.value)
                if str(datatype) not in ranges:
                    problems.append(f"{p} value {o} is {datatype}, the declared range is {sorted(ranges)}")
        is_class = isinstance(o, ox.NamedNode) and (rdflib.URIRef(o.value), RDF.type, OWL.Class) in vocab
        if p == str(RDF.type) and o.value.startswith(MC) and not is_class:
            problems.append(f"{o.value} used as a class but not declared owl:Class")
    assert sorted(set(problems)) == []


def test_domains_and_ranges_of_mc_properties_hold_in_the_built_graph(vocab, built):
    """rdfs:domain/range are inference rules: a wrong one would silently retype nodes for a reasoner's users."""
    types: dict[str, set[str]] = {}
    for triple in built:
        if triple.predicate.value == str(RDF.type):
            types.setdefault(triple.subject.value, set()).add(triple.object.value)
    problems = set()
    for triple in built:
        prop = rdflib.URIRef(triple.predicate.value)
        if not str(prop).startswith(MC):
            continue
        for domain in {str(d) for d in vocab.objects(prop, RDFS.domain)} - types.get(triple.subject.value, set()):
            problems.add(f"{triple.subject.value} has {prop} but is not a {domain}")
        ranges = {str(r) for r in vocab.objects(prop, RDFS.range) if str(r).startswith(MC)}
        for range_ in ranges - types.get(triple.object.value, set()):
            problems.add(f"{triple.object.value}, value of {prop}, is not a {range_}")
    assert sorted(problems) == []


def test_every_declared_term_has_a_label_and_a_definition(vocab):
    missing = []
    for term in sorted(declared_terms(vocab)):
        is_concept = not str(term).startswith(MC)
        label = SKOS.prefLabel if is_concept else RDFS.label
        definition = SKOS.definition if is_concept else RDFS.comment
        for predicate in (label, definition):
            values = [o for o in vocab.objects(term, predicate) if isinstance(o, rdflib.Literal) and o.language == "en"]
            if len(values) != 1 or not str(values[0]).strip():
                missing.append(f"{term}: expected one English {vocab.qname(predicate)}, found {len(values)}")
    assert missing == []


# --- (4) borrowed IRIs exist in their published vocabularies ------------------------------------------------


def remote_contexts(node: object) -> list[str]:
    """Every @context or @import that is a reference (a string) rather than an inline object."""
    found: list[str] = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("@context", "@import"):
                items = value if isinstance(value, list) else [value]
                found += [item for item in items if isinstance(item, str)]
            found += remote_contexts(value)
    elif isinstance(node, list):
        for item in node:
            found += remote_contexts(item)
    return found


def expand(value: str, context: dict) -> str:
    """A compact IRI (`prefix:local`) expanded with the context's prefixes; full IRIs are returned as they are."""
    prefix, sep, local = value.partition(":")
    target = context.get(prefix)
    if sep and not local.startswith("//") and isinstance(target, str):
        return target + local
    return value


@cache
def published_subjects(name: str) -> frozenset[str]:
    path = require(VOCABS / name)
    if name.endswith(".jsonld"):
        document = json.loads(path.read_text(encoding="utf-8"))
        assert remote_contexts(document) == [], f"{name} references a remote context; read its @id values only"
        context = document["@context"]
        nodes = document.get("@graph", [document])
        return frozenset(expand(node["@id"], context) for node in nodes if "@id" in node)
    graph = rdflib.Graph().parse(path, format="turtle")
    return frozenset(str(s) for s in graph.subjects() if isinstance(s, rdflib.URIRef))


def borrowed_iris(vocab: rdflib.Graph) -> dict[str, set[str]]:
    """IRIs of other vocabularies we use: anywhere in alignment.ttl, and as objects of skos:*Match in schemes."""
    used: dict[str, set[str]] = {}
    for s, p, o in load("alignment.ttl"):
        terms = (s, p) if p in DOCUMENT_LINKS else (s, p, o)  # a licence document is not a vocabulary term
        for term in terms:
            if isinstance(term, rdflib.URIRef):
                used.setdefault(str(term), set()).add("alignment.ttl")
    for name in SCHEME_FILES:
        graph = load(name)
        for match in MATCHES:
            for target in graph.objects(None, match):
                used.setdefault(str(target), set()).add(name)
    return {iri: files for iri, files in used.items() if not iri.startswith(OUR_NAMESPACES)}


def test_published_vocabularies_are_read_locally():
    assert published_subjects("fair4ml-development.jsonld") >= {"https://w3id.org/fair4ml#MLModel"}
    assert "https://w3id.org/airo#AIModel" in published_subjects("airo.ttl")


def test_every_borrowed_iri_exists_in_its_published_vocabulary(vocab):
    problems = []
    for iri, files in sorted(borrowed_iris(vocab).items()):
        where = ", ".join(sorted(files))
        namespaces = [ns for ns in PUBLISHED if iri.startswith(ns)]
        if namespaces:
            ns = max(namespaces, key=len)
            if not any(iri in published_subjects(name) for name in PUBLISHED[ns]):
                problems.append(f"{iri} ({where}) is not defined in {', '.join(PUBLISHED[ns])}")
        elif any(iri.startswith(str(ns._NS)) for ns in STANDARD):
            if not any(rdflib.URIRef(iri) in ns for ns in STANDARD):
                problems.append(f"{iri} ({where}) is not a term of its vocabulary (rdflib.namespace)")
        elif not iri.startswith(UNCHECKED) and iri != str(OWL.Ontology):
            problems.append(f"{iri} ({where}) is in a vocabulary this test does not know: add its published file")
    assert problems == []


# --- (5) the eleven Model Library risks ----------------------------------------------------------------------


def risk_headings() -> list[str]:
    text = require(RISKS_LIST).read_text(encoding="utf-8-sig")
    return [line[3:].strip() for line in text.splitlines() if line.startswith("## ")]


def risk_emojis() -> dict[str, str]:
    """Heading → the emoji that opens its first bullet, U+FE0F dropped (the scheme's notation convention)."""
    text = require(RISKS_LIST).read_text(encoding="utf-8-sig")
    found = re.findall(r"^## (.+)\n+- (\S+)", text, flags=re.MULTILINE)
    return {heading.strip(): emoji.replace("\ufe0f", "") for heading, emoji in found}


def risk_concepts(vocab: rdflib.Graph) -> set[rdflib.URIRef]:
    return set(vocab.subjects(SKOS.inScheme, rdflib.URIRef(RISK_SCHEME)))  # type: ignore[arg-type]


def test_the_risk_list_has_eleven_risks():
    assert len(risk_headings()) == 11, risk_headings()


@pytest.mark.parametrize("heading", risk_headings())
def test_each_listed_risk_maps_to_exactly_one_concept(vocab, heading):
    hits = {
        concept
        for concept in risk_concepts(vocab)
        for predicate in (SKOS.prefLabel, SKOS.altLabel)
        if any(str(label) == heading for label in vocab.objects(concept, predicate))
    }
    assert len(hits) == 1, f"{heading!r} names {sorted(hits)}"
    concept = hits.pop()
    assert default_vocabulary().lookup(RISK_SCHEME, heading).value == str(concept), "cards using it must map"
    assert str(vocab.value(concept, SKOS.notation)) == risk_emojis()[heading]


def test_the_risk_scheme_is_exactly_the_list(vocab):
    concepts = risk_concepts(vocab)
    labels = {str(label) for c in concepts for p in (SKOS.prefLabel, SKOS.altLabel) for label in vocab.objects(c, p)}
    assert len(concepts) == 11
    assert set(risk_headings()) <= labels


def test_intellectual_fraud_is_spelt_right_and_keeps_the_source_spelling(vocab):
    (concept,) = vocab.subjects(SKOS.prefLabel, rdflib.Literal("Intellectual Fraud", lang="en"))
    assert (concept, SKOS.altLabel, rdflib.Literal("Intelectual Fraud", lang="en")) in vocab
    assert "Intelectual Fraud" in risk_headings()


@pytest.mark.parametrize(
    ("target", "is_target"),
    [
        ("DPV risk", lambda vocab, iri: str(iri).startswith("https://w3id.org/dpv/risk#")),
        ("VAIR", lambda vocab, iri: str(iri).startswith("https://w3id.org/vair#")),
        ("MIT AI Risk Repository", lambda vocab, iri: (iri, SKOS.inScheme, MIT_SCHEME) in vocab),
    ],
)
def test_each_risk_is_mapped_to(vocab, target, is_target):
    unmapped = [
        str(vocab.value(concept, SKOS.prefLabel))
        for concept in sorted(risk_concepts(vocab))
        if not any(is_target(vocab, o) for p in RISK_MATCHES for o in vocab.objects(concept, p))
    ]
    assert unmapped == [], f"risks with no close/broad/related match to {target}: {unmapped}"


# --- (6) the JSON-LD context --------------------------------------------------------------------------------


def context() -> dict:
    return json.loads((ONTOLOGY / "context.jsonld").read_text(encoding="utf-8"))


def test_the_context_references_nothing_remote():
    document = context()
    assert remote_contexts(document) == []
    assert isinstance(document["@context"], dict)


def term_definitions() -> dict[str, dict]:
    """Context terms that name a property or class (not prefixes), as {"@id": ..., ...} with the IRI expanded."""
    ctx = context()["@context"]
    terms = {}
    for key, value in ctx.items():
        if key.startswith("@"):
            continue
        definition = {"@id": value} if isinstance(value, str) else dict(value)
        if isinstance(value, str) and value.endswith(("#", "/")) and ":" not in key:
            continue  # a prefix
        definition["@id"] = expand(definition["@id"], ctx)
        terms[key] = definition
    return terms


def test_context_prefixes_agree_with_the_turtle_prefixes():
    from kg.namespaces import PREFIXES

    ctx = context()["@context"]
    clashes = {p: (ctx[p], ns) for p, ns in PREFIXES.items() if p in ctx and ctx[p] != ns}
    assert clashes == {}


def test_every_context_term_is_declared_or_standard(vocab):
    declared = {str(t) for t in declared_terms(vocab)}
    problems = []
    for key, definition in sorted(term_definitions().items()):
        iri = definition["@id"]
        if iri.startswith(VOCAB):
            ok = iri in declared
        elif any(iri.startswith(str(ns._NS)) for ns in STANDARD):
            ok = any(rdflib.URIRef(iri) in ns for ns in STANDARD)
        else:
            namespaces = [ns for ns in PUBLISHED if iri.startswith(ns)]
            ok = bool(namespaces) and any(iri in published_subjects(n) for n in PUBLISHED[max(namespaces, key=len)])
        if not ok:
            problems.append(f'"{key}" maps to {iri}, which is neither declared by us nor a standard term')
    assert problems == []


def test_context_term_types_agree_with_the_ontology(vocab):
    """`@type: @id` for object properties; the declared range as `@type` (or `@language`) for datatype ones."""
    problems = []
    for key, definition in sorted(term_definitions().items()):
        prop = rdflib.URIRef(definition["@id"])
        if not str(prop).startswith(MC) or (prop, RDF.type, OWL.Class) in vocab:
            continue
        ranges = {str(r) for r in vocab.objects(prop, RDFS.range)}
        coercion = definition.get("@type")
        if (prop, RDF.type, OWL.ObjectProperty) in vocab:
            ok = coercion == "@id"
        elif str(RDF.langString) in ranges:
            ok = coercion is None and definition.get("@language") == "en"
        elif str(XSD_STRING) in ranges or not ranges:
            ok = coercion is None
        else:
            ok = coercion is not None and expand(coercion, context()["@context"]) in ranges
        if not ok:
            problems.append(f'"{key}" ({prop}): @type {coercion!r} does not fit the declared range {sorted(ranges)}')
    assert problems == []
