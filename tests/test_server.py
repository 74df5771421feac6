"""`kg serve` driven over HTTP on 127.0.0.1: SPARQL 1.1 Protocol, linked data, VoID, limits and logs.

One server (a `kg serve` subprocess) serves the shared corpus plus a hand-made card whose name is markup.
Expected answers come from the store itself (pyoxigraph pattern look-ups and `kg.query`), never from
the server; SPARQLWrapper is the real client, httpx checks content negotiation and status codes.
"""

from __future__ import annotations

import atexit
import functools
import io
import json
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
import rdflib
import rdflib.compare
from rdflib.query import Result
from SPARQLWrapper import CSV, JSON, JSONLD, RDFXML, TSV, TURTLE, XML, SPARQLWrapper

import kg
from kg.namespaces import DEFAULT_BASE
from kg.queries import bundled_queries
from kg.query import query

from .conftest import CARD_NAMES, card_path, require

CARDS = tuple(card_path(name) for name in CARD_NAMES if name != "Claude 3")
MARKUP_NAME = '<script>alert("x")</script> & Co'
MARKUP_CARD = f"""# {MARKUP_NAME}

## Model Details

- Name: [{MARKUP_NAME}](https://example.org/model?a=1&b=<2>) 📚
- Model Size: 70M
- Dataset: [The Pile](https://pile.eleuther.ai/)
- Input/Output Format: Text
- Research Field: Natural Language Processing
- Contains an Impact Assessment: Yes
- Associated Risks: Disinformation
- Date of Publication: 4/13/2023
- Organization: [<img src=x onerror=alert(2)>](https://example.org/org) (Non-profit)
- Country/Origin: United States of America
- License: Apache 2.0 License
- Publication: [A "quoted" <b>title</b>](https://example.org/paper?a=1&b=2)

## Description

A model whose name is markup: <script>alert(3)</script>.

## Organization

An organization named <img src=x onerror=alert(2)>.
"""
MARKUP_MODEL = DEFAULT_BASE + "model/script-alert-x-script-co"
TIMEOUT, MAX_ROWS = 2.0, 100
CARTESIAN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
MODELS = "SELECT ?m ?name WHERE { ?m a mc:Model ; mc:name ?name } ORDER BY ?name"


# --- the server ------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    url: str
    process: subprocess.Popen
    log: Path

    def log_lines(self) -> list[dict]:
        return [json.loads(line) for line in self.log.read_text(encoding="utf-8").splitlines() if line.strip()]

    def stop(self) -> int:
        """SIGTERM, as a service manager would; the exit status."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise


def start_server(store: Path, log: Path, *options: str) -> Server:
    """`kg serve` in a subprocess on a free loopback port, returned once every worker is ready."""
    port = free_port()
    command = [sys.executable, "-m", "kg", "serve", "--store", str(store), "--port", str(port), *options]
    with open(log, "wb") as stderr:
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=stderr)
    server = Server(f"http://127.0.0.1:{port}", process, log)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"kg serve exited with {process.returncode}:\n{log.read_text()}")
        try:
            health = httpx.get(server.url + "/healthz", timeout=2)
            workers = health.json()["workers"]
            if health.status_code == 200 and workers["idle"] == workers["size"]:
                return server
        except (httpx.HTTPError, ValueError):
            pass
        time.sleep(0.1)
    server.stop()
    pytest.fail(f"kg serve did not become ready:\n{log.read_text()}")


@functools.cache
def served_out() -> Path:
    """The corpus (without the template card) and the markup card, built once per test run."""
    folder = Path(tempfile.mkdtemp(prefix="kg-served-"))
    atexit.register(shutil.rmtree, folder, True)
    markup = folder / "cards" / "Markup.md"
    markup.parent.mkdir()
    markup.write_text(MARKUP_CARD, encoding="utf-8")
    result = kg.build([require(path) for path in CARDS] + [markup], folder / "out", model_documents=False)
    assert result.status is kg.Status.OK, [str(f) for f in result.errors]
    return folder / "out"


@pytest.fixture(scope="module")
def out() -> Path:
    return served_out()


@pytest.fixture(scope="module")
def store(out: Path) -> Iterator[ox.Store]:
    handle = kg.store.open_store(out / "store")
    yield handle
    del handle


@pytest.fixture(scope="module")
def server(out: Path) -> Iterator[Server]:
    options = ("--timeout", str(TIMEOUT), "--max-rows", str(MAX_ROWS), "--workers", "2", "--queue-wait", "10")
    running = start_server(out / "store", Path(tempfile.mkdtemp(dir=out.parent)) / "server.log", *options)
    yield running
    assert running.stop() == 0


@pytest.fixture(scope="module")
def client(server: Server) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=30) as http:
        yield http


def wrapper(server: Server, text: str, fmt: str, method: str = "GET") -> SPARQLWrapper:
    sparql = SPARQLWrapper(server.url + "/sparql")
    sparql.setQuery(text)
    sparql.setReturnFormat(fmt)
    sparql.setMethod(method)
    return sparql


def described(store: ox.Store, iri: str) -> rdflib.Graph:
    """What the store holds for `iri`: its triples as subject in the default graph (no blank nodes exist)."""
    triples = [q.triple for q in store.quads_for_pattern(ox.NamedNode(iri), None, None, ox.DefaultGraph())]
    assert triples, f"nothing about {iri} in the store"
    return rdflib.Graph().parse(data=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES).decode(), format="nt")


def graph_of(response: httpx.Response, fmt: str) -> rdflib.Graph:
    return rdflib.Graph().parse(data=response.text, format=fmt)


def isomorphic(a: rdflib.Graph, b: rdflib.Graph) -> bool:
    return len(a) == len(b) and rdflib.compare.isomorphic(a, b)


# --- SPARQL with a real client ---------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_sparqlwrapper_select_equals_kg_query(server, out, method):
    text = bundled_queries()["models-per-risk"].text
    expected = [tuple(t.value for t in row) for row in query(out / "store", text)]
    answer = wrapper(server, text, JSON, method).query().convert()
    assert answer["truncated"] is False
    rows = [(b["risk"]["value"], b["models"]["value"]) for b in answer["results"]["bindings"]]
    assert rows == expected and len(rows) == 11


def test_sparqlwrapper_every_results_format(server, out):
    expected = [(row[1].value,) for row in query(out / "store", MODELS)]
    xml = wrapper(server, MODELS, XML).query().convert()
    assert [(n.firstChild.nodeValue,) for n in xml.getElementsByTagName("literal")] == expected
    for fmt in (CSV, TSV):
        raw = wrapper(server, MODELS, fmt).query().convert()
        assert [(str(row[1]),) for row in Result.parse(io.BytesIO(raw), format=fmt)] == expected
    ask = wrapper(server, "ASK { ?m mc:hasRisk risk:disinformation }", JSON).query().convert()
    assert ask["boolean"] is True


def test_sparqlwrapper_construct_and_describe(server, out, store):
    text = "CONSTRUCT WHERE { ?m mc:hasRisk risk:disinformation ; mc:name ?n }"
    expected = query(out / "store", text).graph()
    assert 0 < len(expected) < MAX_ROWS
    for fmt in (RDFXML, JSONLD):
        graph = wrapper(server, text, fmt).query().convert()
        assert isomorphic(graph, expected), fmt
    turtle = wrapper(server, text, TURTLE).query().convert()
    assert isomorphic(rdflib.Graph().parse(data=turtle.decode("utf-8"), format="turtle"), expected)
    describe = wrapper(server, f"DESCRIBE <{DEFAULT_BASE}model/gpt-2>", RDFXML).query().convert()
    assert isomorphic(describe, described(store, DEFAULT_BASE + "model/gpt-2"))


# --- the protocol with httpx ------------------------------------------------------------------------------


def test_get_and_both_posts_give_the_same_answer(client):
    answers = [
        client.get("/sparql", params={"query": MODELS}),
        client.post("/sparql", data={"query": MODELS}),
        client.post("/sparql", content=MODELS.encode(), headers={"Content-Type": "application/sparql-query"}),
        client.post(
            "/sparql", content=MODELS.encode(), headers={"Content-Type": "application/sparql-query; charset=UTF-8"}
        ),
    ]
    assert {a.status_code for a in answers} == {200}
    assert len({a.content for a in answers}) == 1


@pytest.mark.parametrize(
    ("accept", "content_type", "reader"),
    [
        (None, "application/sparql-results+json", "json"),
        ("*/*", "application/sparql-results+json", "json"),
        ("application/sparql-results+json", "application/sparql-results+json", "json"),
        ("application/json", "application/json", "json"),
        ("application/sparql-results+xml", "application/sparql-results+xml", "xml"),
        ("text/csv", "text/csv; charset=utf-8", "csv"),
        ("text/tab-separated-values", "text/tab-separated-values; charset=utf-8", "tsv"),
        ("text/csv;q=0.5, application/sparql-results+xml", "application/sparql-results+xml", "xml"),
        ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "application/xml", "xml"),
    ],
)
def test_select_content_negotiation(client, out, accept, content_type, reader):
    headers = {"Accept": accept} if accept else {}
    response = client.get("/sparql", params={"query": MODELS}, headers=headers)
    assert response.status_code == 200 and response.headers["content-type"] == content_type
    assert "Accept" in response.headers["vary"]
    parsed = Result.parse(io.BytesIO(response.content), format=reader)
    expected = query(out / "store", MODELS)
    assert [str(row[1]) for row in parsed] == [row[1].value for row in expected]


@pytest.mark.parametrize(
    ("accept", "content_type", "fmt"),
    [
        (None, "text/turtle; charset=utf-8", "turtle"),
        ("text/turtle", "text/turtle; charset=utf-8", "turtle"),
        ("application/n-triples", "application/n-triples", "nt"),
        ("application/ld+json", "application/ld+json", "json-ld"),
        ("application/rdf+xml", "application/rdf+xml", "xml"),
    ],
)
def test_construct_content_negotiation(client, out, accept, content_type, fmt):
    text = "CONSTRUCT WHERE { ?m a mc:Model ; mc:publicationDate ?d }"
    headers = {"Accept": accept} if accept else {}
    response = client.post("/sparql", data={"query": text}, headers=headers)
    assert response.status_code == 200 and response.headers["content-type"] == content_type
    assert isomorphic(graph_of(response, fmt), query(out / "store", text).graph())


def test_nothing_acceptable_is_406(client):
    assert client.get("/sparql", params={"query": MODELS}, headers={"Accept": "image/png"}).status_code == 406
    construct = client.get(
        "/sparql", params={"query": "CONSTRUCT WHERE { ?s a mc:Model }"}, headers={"Accept": "text/csv"}
    )
    assert construct.status_code == 406 and "text/turtle" in construct.text
    select = client.get("/sparql", params={"query": MODELS}, headers={"Accept": "text/turtle"})
    assert select.status_code == 406 and "application/sparql-results+json" in select.text


SYNTAX_ERROR = "SELECT ?model\nWHERE {\n  ?model a mc:Model ;\n}}\n"
DIRECT = "application/sparql-query"


def get(**params: str) -> tuple:
    return ("GET", "/sparql", {"params": params})


def form(**fields: str) -> tuple:
    return ("POST", "/sparql", {"data": fields})


def body(content: bytes, content_type: str | None) -> tuple:
    return ("POST", "/sparql", {"content": content, "headers": {"Content-Type": content_type} if content_type else {}})


MALFORMED = [
    ("two query parameters", ("GET", "/sparql?query=ASK%7B%7D&query=ASK%7B%7D"), 400, "2 query parameters"),
    ("update via GET", ("GET", "/sparql?update=CLEAR%20ALL"), 400, "cannot be sent with GET"),
    ("dataset without query", get(**{"default-graph-uri": "http://example.org/g"}), 400, "missing query"),
    ("missing query (form)", form(**{"default-graph-uri": "http://x/"}), 400, "missing"),
    ("update via form", form(update="CLEAR ALL"), 403, "read-only"),
    ("update media type", body(b"CLEAR ALL", "application/sparql-update"), 403, "read-only"),
    ("wrong media type", body(b"ASK {}", "text/plain"), 415, "unsupported Content-Type text/plain"),
    ("missing media type", body(b"ASK {}", None), 415, "missing Content-Type"),
    ("UTF-16 direct query", body("ASK {}".encode("utf-16"), f"{DIRECT}; charset=UTF-16"), 415, "must be UTF-8"),
    ("direct query that is not UTF-8", body(b"ASK { \xff }", DIRECT), 400, "not UTF-8"),
    ("GET parameter that is not UTF-8", ("GET", "/sparql?query=ASK%7B%FF%7D"), 400, "not UTF-8"),
    ("query in body and URL", ("POST", "/sparql?query=ASK%7B%7D", {"data": {"query": "ASK {}"}}), 400, "2 query"),
    ("PUT", ("PUT", "/sparql", {"content": b"ASK {}"}), 405, ""),
    ("DELETE", ("DELETE", "/sparql"), 405, ""),
    ("syntax error", get(query=SYNTAX_ERROR), 400, "line 4, column 2"),
    ("SERVICE", get(query="ASK { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"), 400, "SERVICE"),
    ("LOAD as a query", form(query="LOAD <http://127.0.0.1:9/x.ttl>"), 400, "read-only"),
    ("unknown FROM graph", get(query="ASK FROM <http://x/g> { ?s ?p ?o }"), 400, "not a graph"),
    ("unknown default-graph-uri", get(query="ASK {}", **{"default-graph-uri": "http://x/g"}), 400, "not a graph"),
    ("default-graph-uri not an IRI", get(query="ASK {}", **{"default-graph-uri": "a b"}), 400, "not an absolute IRI"),
    ("query over the size cap", form(query="ASK {} #" + "x" * 70_000), 400, "65,536-byte limit"),
    ("nested too deep", get(query="ASK " + "{" * 70 + "}" * 70), 400, "nested 70 deep"),
    ("body over the cap", form(query="ASK {} #" + "x" * (1 << 20)), 413, "limit"),
]


@pytest.mark.parametrize(("name", "request_args", "status", "says"), MALFORMED, ids=[m[0] for m in MALFORMED])
def test_malformed_requests_are_4xx_and_the_server_goes_on(client, name, request_args, status, says):
    method, url, *kwargs = request_args
    response = client.request(method, url, **(kwargs[0] if kwargs else {}))
    assert response.status_code == status, (name, response.text)
    assert says in response.text, (name, response.text)
    assert client.get("/sparql", params={"query": "ASK { ?s ?p ?o }"}).json()["boolean"] is True


def test_syntax_errors_show_the_line_and_a_caret(client):
    response = client.post("/sparql", data={"query": SYNTAX_ERROR})
    assert response.status_code == 400
    assert "syntax error at line 4, column 2" in response.text
    assert "    4 | }}\n      |  ^" in response.text


def test_protocol_dataset_selects_store_graphs(client):
    graph = DEFAULT_BASE + "card/gpt-2"
    answer = client.get("/sparql", params={"query": MODELS, "default-graph-uri": graph}).json()
    assert [b["name"]["value"] for b in answer["results"]["bindings"]] == ["GPT-2"]
    named = client.post(
        "/sparql", data={"query": "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }", "named-graph-uri": graph}
    ).json()
    assert [b["g"]["value"] for b in named["results"]["bindings"]] == [graph]


def test_truncation_is_signalled_never_silent(client, server):
    everything = "SELECT * WHERE { ?s ?p ?o }"
    response = client.get("/sparql", params={"query": everything})
    assert response.headers["x-result-truncated"] == "true" and response.headers["x-result-rows"] == str(MAX_ROWS)
    document = response.json()
    assert document["truncated"] is True and len(document["results"]["bindings"]) == MAX_ROWS
    assert list(document) == ["head", "truncated", "results"]  # before the bindings: Oxigraph's reader accepts it
    assert len(list(ox.parse_query_results(response.content, ox.QueryResultsFormat.JSON))) == MAX_ROWS
    as_csv = client.get("/sparql", params={"query": everything}, headers={"Accept": "text/csv"})
    assert as_csv.headers["x-result-truncated"] == "true"
    assert len(Result.parse(io.BytesIO(as_csv.content), format="csv")) == MAX_ROWS
    graph = client.get("/sparql", params={"query": "CONSTRUCT WHERE { ?s ?p ?o }"})
    assert graph.headers["x-result-truncated"] == "true" and len(graph_of(graph, "turtle")) == MAX_ROWS
    small = client.get("/sparql", params={"query": MODELS})
    assert small.headers["x-result-truncated"] == "false" and small.json()["truncated"] is False
    assert wrapper(server, everything, JSON).query().convert()["truncated"] is True


def test_a_timed_out_query_is_stopped_and_the_next_request_is_served(client, out):
    started = time.monotonic()
    response = client.get("/sparql", params={"query": CARTESIAN})
    elapsed = time.monotonic() - started
    assert response.status_code == 503 and f"past this server's {TIMEOUT:g} s time limit" in response.text
    assert TIMEOUT <= elapsed < TIMEOUT + 4, elapsed
    after = client.get("/sparql", params={"query": MODELS}, headers={"Accept": "text/csv"})
    assert after.status_code == 200 and len(after.text.splitlines()) == len(query(out / "store", MODELS)) + 1
    health = client.get("/healthz").json()
    assert health["workers"]["timeouts"] >= 1 and health["status"] == "ok"


def test_cors(client):
    origin = {"Origin": "https://example.org"}
    response = client.get("/sparql", params={"query": "ASK {}"}, headers=origin)
    assert response.headers["access-control-allow-origin"] == "*"
    assert "x-result-truncated" in response.headers["access-control-expose-headers"].lower()
    preflight = client.options(
        "/sparql",
        headers={**origin, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"},
    )
    assert preflight.status_code == 200 and "POST" in preflight.headers["access-control-allow-methods"]
    assert client.get("/model/gpt-2", headers=origin).headers["access-control-allow-origin"] == "*"
    error = client.get("/sparql", params={"query": "SELEC"}, headers=origin)
    assert error.status_code == 400 and error.headers["access-control-allow-origin"] == "*"


def test_service_description(client, store):
    response = client.get("/sparql")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/turtle")
    graph = graph_of(response, "turtle")
    sd = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
    endpoint = rdflib.URIRef(DEFAULT_BASE + "sparql")
    assert (endpoint, rdflib.RDF.type, sd.Service) in graph
    assert (endpoint, sd.endpoint, endpoint) in graph
    assert (endpoint, sd.supportedLanguage, sd.SPARQL11Query) in graph
    assert (endpoint, sd.feature, sd.UnionDefaultGraph) in graph
    formats = {str(o).rsplit("/", 1)[1] for o in graph.objects(endpoint, sd.resultFormat)}
    assert {"SPARQL_Results_JSON", "SPARQL_Results_CSV", "Turtle", "RDF_XML"} <= formats
    triples = int(next(graph.objects(None, rdflib.URIRef("http://rdfs.org/ns/void#triples"))))
    assert triples == triples_in_default(store)
    as_jsonld = client.get("/sparql", headers={"Accept": "application/ld+json"})
    assert isomorphic(graph_of(as_jsonld, "json-ld"), graph)


def triples_in_default(store: ox.Store) -> int:
    return sum(1 for _ in store.quads_for_pattern(None, None, None, ox.DefaultGraph()))
