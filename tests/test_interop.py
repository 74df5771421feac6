"""The interoperability contract: a consumer with no reasoner queries the graph in other vocabularies."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest
import rdflib
from pyld import jsonld
from rdflib.compare import isomorphic

import kg

from .conftest import ML_CARDS

CARDS = sorted(p for p in ML_CARDS.glob("*.md") if p.name != "Claude 3.md")

CONTRACT = """
PREFIX schema: <https://schema.org/>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX dpv: <https://w3id.org/dpv#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX fair4ml: <https://w3id.org/fair4ml#>
SELECT ?n ?d ?l ?on ?rl WHERE {
  ?m a fair4ml:MLModel ; schema:name ?n ; schema:datePublished ?d ; schema:license ?l ;
     prov:wasAttributedTo ?org .
  ?org a schema:Organization ; schema:name ?on .
  ?m dpv:hasRisk ?r . ?r skos:prefLabel ?rl
}"""


def _detail(path: Path, label: str) -> str:
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith(f"- {label}: "):
            return line.split(": ", 1)[1]
    raise AssertionError(f"{path} has no {label}")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("interop")
    kg.build(CARDS, out)
    return out


@pytest.fixture(scope="module")
def graph(built: Path) -> rdflib.Graph:
    return rdflib.Graph().parse(built / "graph.ttl", format="turtle")


def test_contract_query_returns_every_model_with_the_cards_facts(graph):
    rows = list(graph.query(CONTRACT))
    by_name: dict[str, set] = {}
    for row in rows:
        by_name.setdefault(str(row.n), set()).add((row.d.toPython(), str(row.on), str(row.rl)))
    assert len(by_name) == len(CARDS) == 35
    for path in CARDS:
        name = re.match(r"\[([^\]]+)\]", _detail(path, "Name"))[1]
        month, day, year = (int(x) for x in _detail(path, "Date of Publication").split("/"))
        org = re.match(r"\[([^\]]+)\]", _detail(path, "Organization"))[1]
        risks = {r.strip().replace("Intelectual", "Intellectual") for r in _detail(path, "Associated Risks").split(",")}
        assert by_name[name] == {(dt.date(year, month, day), org, risk) for risk in risks}, path.name


def test_models_are_typed_in_every_aligned_vocabulary(graph):
    models = set(graph.subjects(rdflib.RDF.type, rdflib.URIRef("https://w3id.org/mckg/ontology#Model")))
    for cls in (
        "https://w3id.org/fair4ml#MLModel",
        "https://schema.org/CreativeWork",
        "https://w3id.org/airo#AIModel",
        "http://www.w3.org/ns/mls#Model",
        "https://w3id.org/dpv/ai#Model",
    ):
        typed = set(graph.subjects(rdflib.RDF.type, rdflib.URIRef(cls)))
        assert models <= typed, cls
        if cls != "https://schema.org/CreativeWork":  # cards, publications and licences are creative works too
            assert typed == models, cls


def test_spdx_licences_and_iso_countries(graph):
    q = """PREFIX schema: <https://schema.org/> PREFIX mc: <https://w3id.org/mckg/ontology#>
    SELECT ?name ?l WHERE { ?m mc:name ?name ; schema:license ?l }"""
    licences = {str(r.name): str(r.l) for r in graph.query(q)}
    assert licences["GPT-2"] == "http://spdx.org/licenses/MIT"
    assert licences["Pythia"] == "http://spdx.org/licenses/Apache-2.0"
    assert licences["CICERO"] == "http://spdx.org/licenses/CC-BY-NC-SA-4.0"
    assert licences["GPT-3"].startswith("https://w3id.org/mckg/id/license/proprietary")
    countries = set(graph.objects(None, rdflib.URIRef("https://w3id.org/mckg/ontology#country")))
    assert countries == {rdflib.URIRef("https://w3id.org/dpv/loc#US"), rdflib.URIRef("https://w3id.org/dpv/loc#FR")}


def test_no_align_leaves_only_core_terms(tmp_path):
    kg.build(CARDS[:3], tmp_path, align=False)
    g = rdflib.Graph().parse(tmp_path / "graph.nt", format="nt")
    assert not list(g.subjects(rdflib.RDF.type, rdflib.URIRef("https://w3id.org/fair4ml#MLModel")))
    models = set(g.subjects(rdflib.RDF.type, rdflib.URIRef("https://w3id.org/mckg/ontology#Model")))
    assert len(models) == 3
    assert not [m for m in models if (m, rdflib.URIRef("https://schema.org/name"), None) in g]


def test_framed_model_documents_round_trip(tmp_path):
    kg.build(CARDS, tmp_path, align=False, model_documents=True)
    docs = sorted((tmp_path / "models").glob("*.jsonld"))
    assert len(docs) == len(CARDS)
    nq = rdflib.Dataset().parse(tmp_path / "graph.nq", format="nquads")
    vocabulary = nq.graph(rdflib.URIRef("https://w3id.org/mckg/vocabulary"))
    for path in docs:
        doc = json.loads(path.read_text(encoding="utf-8"))
        assert isinstance(doc["@context"], dict) and doc["@type"] == "Model"
        assert doc["name"] and doc["developedBy"]["name"], "readable without knowing RDF"
        nquads = jsonld.to_rdf(doc, {"format": "application/n-quads"})
        framed = set(rdflib.Graph().parse(data=nquads, format="nt"))
        card_graph = set(nq.graph(rdflib.URIRef(doc["card"]["@id"])))
        # The document holds exactly the card's graph, plus labels of the concepts it uses.
        assert card_graph <= framed, path.name
        assert all(t in vocabulary for t in framed - card_graph), path.name


def test_jsonld_and_turtle_are_isomorphic(built, graph):
    assert isomorphic(graph, rdflib.Graph().parse(built / "graph.jsonld", format="json-ld"))
