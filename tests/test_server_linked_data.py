"""`kg serve` as linked data: every IRI answers at its path, the descriptions equal the store, pages escape.

The expected description of a resource is read from the store with a pattern look-up; the served one is
parsed back with rdflib (Turtle, N-Triples, JSON-LD, RDF/XML) and compared as graphs.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
import rdflib

from kg.namespaces import DEFAULT_BASE, ONTOLOGY, VOCAB
from kg.query import query
from kg.resources import data_dir
from kg.void import VOID

from .test_server import (
    MARKUP_MODEL,
    MARKUP_NAME,
    Server,
    described,
    graph_of,
    isomorphic,
    served_out,
    start_server,
)

VOID_NS = rdflib.Namespace(VOID)
DCAT = rdflib.Namespace("http://www.w3.org/ns/dcat#")
FORMATS = {"text/turtle": "turtle", "application/n-triples": "nt", "application/ld+json": "json-ld"}
FORMATS["application/rdf+xml"] = "xml"
SUFFIXES = {".ttl": "turtle", ".nt": "nt", ".jsonld": "json-ld", ".rdf": "xml"}


@pytest.fixture(scope="module")
def out() -> Path:
    return served_out()


@pytest.fixture(scope="module")
def store(out: Path) -> Iterator[ox.Store]:
    handle = ox.Store.read_only(str((out / "store").resolve()))
    yield handle
    del handle


@pytest.fixture(scope="module")
def server(out: Path) -> Iterator[Server]:
    running = start_server(out / "store", Path(tempfile.mkdtemp(dir=out.parent)) / "server.log")
    yield running
    assert running.stop() == 0


@pytest.fixture(scope="module")
def client(server: Server) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=30) as http:
        yield http


def subjects_under(store: ox.Store, namespace: str) -> list[str]:
    found = {q.subject.value for q in store.quads_for_pattern(None, None, None, ox.DefaultGraph())}
    return sorted(iri for iri in found if iri.startswith(namespace))


def path_of(iri: str) -> str:
    namespace = DEFAULT_BASE if iri.startswith(DEFAULT_BASE) else VOCAB
    return "/" + iri[len(namespace) :]


# --- descriptions -------------------------------------------------------------------------------------------


def test_every_data_iri_resolves_to_what_the_store_holds(client, store):
    iris = subjects_under(store, DEFAULT_BASE)
    assert len(iris) > 100 and DEFAULT_BASE + "model/gpt-2" in iris
    for iri in iris:
        response = client.get(path_of(iri), headers={"Accept": "application/n-triples"})
        assert response.status_code == 200, iri
        assert isomorphic(graph_of(response, "nt"), described(store, iri)), iri


@pytest.mark.parametrize("iri", [DEFAULT_BASE + "model/pythia", DEFAULT_BASE + "organization/openai-inc", MARKUP_MODEL])
def test_every_format_by_accept_and_by_suffix(client, store, iri):
    expected = described(store, iri)
    for media_type, fmt in FORMATS.items():
        response = client.get(path_of(iri), headers={"Accept": media_type})
        assert response.status_code == 200 and response.headers["content-type"].startswith(media_type)
        assert response.headers["vary"].startswith("Accept")
        assert isomorphic(graph_of(response, fmt), expected), (iri, media_type)
    for suffix, fmt in SUFFIXES.items():
        response = client.get(path_of(iri) + suffix, headers={"Accept": "text/html"})
        assert response.status_code == 200 and isomorphic(graph_of(response, fmt), expected), (iri, suffix)
    default = client.get(path_of(iri), headers={"Accept": "*/*"})
    assert default.headers["content-type"] == "text/turtle; charset=utf-8"
    assert default.headers["content-location"] == path_of(iri) + ".ttl"


def test_jsonld_is_compacted_with_the_project_context(client):
    document = client.get("/model/gpt-2.jsonld").json()
    text = json.dumps(document)
    assert "@context" in document and '"name": "GPT-2"' in text


def test_concept_schemes_and_the_ontology_resolve(client, store):
    concepts = subjects_under(store, VOCAB + "risk")
    assert VOCAB + "risk/disinformation" in concepts and VOCAB + "risk" in concepts
    for iri in [*concepts, VOCAB + "organization-type/non-profit", VOCAB + "modality/text"]:
        response = client.get(path_of(iri), headers={"Accept": "text/turtle"})
        assert response.status_code == 200 and isomorphic(graph_of(response, "turtle"), described(store, iri)), iri
    ontology = rdflib.Graph()
    for name in ("mc.ttl", "alignment.ttl"):
        ontology.parse(data_dir("ontology") / name, format="turtle")
    served = client.get("/ontology", headers={"Accept": "text/turtle"})
    assert served.status_code == 200 and isomorphic(graph_of(served, "turtle"), ontology)
    page = client.get("/ontology", headers={"Accept": "text/html"})
    assert page.status_code == 200 and 'id="Model"' in page.text  # ontology#Model is an anchor of the page
    assert ONTOLOGY in page.text


@pytest.mark.parametrize(
    "path", ["/model/no-such-model", "/model/no-such-model.ttl", "/nothing/here", "/model/a%20b", "/risk/nope"]
)
def test_unknown_iris_are_404(client, path):
    response = client.get(path, headers={"Accept": "text/turtle"})
    assert response.status_code == 404 and "not found" in response.text


def test_nothing_acceptable_is_406(client):
    response = client.get("/model/gpt-2", headers={"Accept": "image/png"})
    assert response.status_code == 406 and "text/turtle" in response.text


# --- HTML -----------------------------------------------------------------------------------------------


class Links(HTMLParser):
    """Every href and every element, to check what a page can make a browser do."""

    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []
        self.tags: set[str] = set()
        self.attributes: set[str] = set()
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        self.attributes.update(name for name, _ in attrs)
        self.hrefs.extend(value or "" for name, value in attrs if name == "href")

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parsed_page(client: httpx.Client, path: str) -> tuple[httpx.Response, Links]:
    response = client.get(path, headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert response.status_code == 200 and response.headers["content-type"] == "text/html; charset=utf-8"
    links = Links()
    links.feed(response.text)
    return response, links


def test_markup_in_a_card_renders_as_text(client):
    response, page = parsed_page(client, path_of(MARKUP_MODEL))
    assert page.tags <= {"html", "head", "meta", "title", "link", "style", "body", "nav", "a", "h1", "h2", "p"} | {
        "section",
        "table",
        "tr",
        "th",
        "td",
        "ul",
        "li",
        "small",
    }
    assert not {a for a in page.attributes if a.startswith("on")}, "no event handler attribute"
    assert "<script" not in response.text and "<img" not in response.text and "<b>" not in response.text
    text = "".join(page.text)
    assert MARKUP_NAME in text and "<img src=x onerror=alert(2)>" in text
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; Co" in response.text
    assert "script-src" not in response.headers["content-security-policy"]
    assert "default-src 'none'" in response.headers["content-security-policy"]
    assert response.headers["x-content-type-options"] == "nosniff"


def test_pages_link_only_to_http_iris_and_local_paths(client, store):
    for iri in (MARKUP_MODEL, DEFAULT_BASE + "model/gpt-2", DEFAULT_BASE + "organization/eleutherai"):
        _, page = parsed_page(client, path_of(iri))
        assert page.hrefs
        for href in page.hrefs:
            assert href.startswith(("/", "#", "http://", "https://")), (iri, href)
    # the markup card's link with "<2>" in it is not an IRI: text on the page, never a link
    _, page = parsed_page(client, path_of(MARKUP_MODEL))
    assert "https://example.org/model?a=1&b=<2>" in "".join(page.text)
    assert not any("<2>" in href for href in page.hrefs)


def test_a_page_lists_the_description_and_what_refers_to_it(client, store):
    _, page = parsed_page(client, "/organization/eleutherai")
    text = "".join(page.text)
    assert "EleutherAI" in text and "Referenced by" in text and "Pythia" in text
    assert "/model/pythia" in page.hrefs and "/organization-type/non-profit" in page.hrefs


# --- the dataset description ------------------------------------------------------------------------------


def count(out: Path, text: str) -> int:
    return int(query(out / "store", text).rows[0][0].value)


def test_void_counts_equal_the_store(client, out):
    response = client.get("/.well-known/void", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    void = graph_of(response, "turtle")
    dataset = rdflib.URIRef(DEFAULT_BASE + ".well-known/void#dataset")
    assert (dataset, rdflib.RDF.type, VOID_NS.Dataset) in void and (dataset, rdflib.RDF.type, DCAT.Dataset) in void

    def value(subject, predicate) -> int:
        return int(void.value(subject, predicate))

    assert value(dataset, VOID_NS.triples) == count(out, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    entities = f'SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s ?p ?o FILTER(STRSTARTS(STR(?s), "{DEFAULT_BASE}")) }}'
    assert value(dataset, VOID_NS.entities) == count(out, entities)
    assert value(dataset, VOID_NS.distinctSubjects) == count(out, "SELECT (COUNT(DISTINCT ?s) AS ?n) { ?s ?p ?o }")
    assert void.value(dataset, VOID_NS.sparqlEndpoint) == rdflib.URIRef(DEFAULT_BASE + "sparql")
    assert str(void.value(dataset, VOID_NS.uriSpace)) == DEFAULT_BASE
    classes = {
        void.value(p, VOID_NS["class"]): value(p, VOID_NS.entities)
        for p in void.objects(dataset, VOID_NS.classPartition)
    }
    expected = query(out / "store", "SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?c } GROUP BY ?c")
    assert {str(c): n for c, n in classes.items()} == {row[0].value: int(row[1].value) for row in expected}
    properties = {
        void.value(p, VOID_NS.property): value(p, VOID_NS.triples)
        for p in void.objects(dataset, VOID_NS.propertyPartition)
    }
    expected = query(out / "store", "SELECT ?p (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?p")
    assert {str(p): n for p, n in properties.items()} == {row[0].value: int(row[1].value) for row in expected}
    assert len(properties) == value(dataset, VOID_NS.properties) and len(classes) == value(dataset, VOID_NS.classes)


def test_build_output_void_is_the_served_one(client, out):
    written = rdflib.Graph().parse(out / "void.ttl", format="turtle")
    served = graph_of(client.get("/.well-known/void", headers={"Accept": "text/turtle"}), "turtle")
    assert isomorphic(written, served)
    root = client.get("/", headers={"Accept": "text/turtle"})
    assert isomorphic(graph_of(root, "turtle"), written)
    assert all(not isinstance(term, rdflib.BNode) for triple in written for term in triple), "no blank nodes"
    for suffix, fmt in SUFFIXES.items():
        assert isomorphic(graph_of(client.get("/.well-known/void" + suffix), fmt), written), suffix
    assert parsed_page(client, "/")[0].status_code == 200


# --- operations -------------------------------------------------------------------------------------------


def test_health_and_ping(client):
    for path in ("/healthz", "/$/ping"):
        health = client.get(path)
        assert health.status_code == 200 and health.json()["status"] == "ok"
        assert health.json()["store"].startswith("store-") and health.json()["workers"]["size"] == 2


def test_access_log_is_one_json_line_per_request(client, server):
    client.get("/model/gpt-2", headers={"Accept": "text/turtle"})
    client.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 3"})
    client.get("/model/nope")
    entries = [e for e in server.log_lines() if "method" in e]
    assert all({"time", "method", "path", "status", "ms", "bytes", "client"} <= set(e) for e in entries)
    page = next(e for e in entries if e["path"] == "/model/gpt-2")
    assert page["status"] == 200 and page["bytes"] > 0 and page["client"] == "127.0.0.1"
    sparql = next(e for e in entries if e["path"] == "/sparql" and e.get("kind"))
    assert sparql["kind"] == "select" and sparql["rows"] == 3 and sparql["truncated"] is False
    assert any(e["path"] == "/model/nope" and e["status"] == 404 for e in entries)
    assert all("query" not in e.get("path", "") for e in entries), "query strings are not logged"
    assert all(json.loads(json.dumps(e)) == e for e in server.log_lines()), "every stderr line is JSON"
