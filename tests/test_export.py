"""The streamed writers: JSON-LD equals pyld's own compaction; the on-disk sort equals the in-memory one."""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from pyld import jsonld as pyld
from rdflib.compare import isomorphic

import kg
from bench.generate import generate
from kg import export, jsonld

from .conftest import ML_CARDS

OUTPUTS = ("graph.nq", "graph.nt", "graph.ttl", "graph.jsonld")


@pytest.fixture(scope="module")
def corpus_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("corpus")
    kg.build([ML_CARDS], out, keep_going=True, validate=False)
    return out


@pytest.fixture(scope="module")
def synthetic_cards(tmp_path_factory: pytest.TempPathFactory) -> Path:
    cards = tmp_path_factory.mktemp("cards")
    generate(300, cards, seed=7)
    return cards


def _triples(path: Path) -> list[ox.Triple]:
    return list(ox.parse(path=path, format=ox.RdfFormat.N_TRIPLES))


def _pyld_compaction(triples: list[ox.Triple]) -> dict[str, dict]:
    """The reference: pyld compacts the whole graph at once (rdf:type as @type, as our writer does)."""
    nodes = json.loads(ox.serialize(triples, format=ox.RdfFormat.JSON_LD))
    for node in nodes:
        if jsonld.RDF_TYPE in node:
            node["@type"] = [value["@id"] for value in node.pop(jsonld.RDF_TYPE)]
    document = pyld.compact({"@graph": nodes}, {"@context": jsonld.context()})
    graph = document.get("@graph", [{key: value for key, value in document.items() if key != "@context"}])
    return {node["@id"]: _canonical(node) for node in graph}


def _canonical(value: object) -> object:
    if isinstance(value, dict):
        return {key: _canonical(item) for key, item in value.items()}
    if isinstance(value, list):
        return sorted((_canonical(item) for item in value), key=lambda v: json.dumps(v, sort_keys=True))
    return value


def _nodes(path: Path) -> dict[str, dict]:
    document = json.loads(path.read_text(encoding="utf-8"))
    return {node["@id"]: _canonical(node) for node in document["@graph"]}


def test_graph_jsonld_is_exactly_what_pyld_compacts(corpus_out: Path) -> None:
    expected = _pyld_compaction(_triples(corpus_out / "graph.nt"))
    assert _nodes(corpus_out / "graph.jsonld") == expected
    assert len(expected) > 100  # every model, card, organization, dataset, licence, concept...


def test_synthetic_corpus_jsonld_matches_pyld_and_round_trips(synthetic_cards: Path, tmp_path: Path) -> None:
    kg.build([synthetic_cards], tmp_path, keep_going=True, validate=False)
    triples = _triples(tmp_path / "graph.nt")
    assert _nodes(tmp_path / "graph.jsonld") == _pyld_compaction(triples)
    parsed = rdflib.Graph().parse(tmp_path / "graph.jsonld", format="json-ld")
    assert isomorphic(parsed, rdflib.Graph().parse(tmp_path / "graph.nt", format="nt"))


def test_jsonld_keys_read_like_a_document(corpus_out: Path) -> None:
    nodes = _nodes(corpus_out / "graph.jsonld")
    models = [node for node in nodes.values() if "Model" in node.get("@type", [])]
    assert models and all("name" in model and "developedBy" in model for model in models)
    assert any("datePublished" in model and "risks" in model for model in models)


def test_jsonld_one_node_per_line_in_subject_order(corpus_out: Path) -> None:
    lines = (corpus_out / "graph.jsonld").read_text(encoding="utf-8").splitlines()
    start = lines.index('  "@graph": [')
    node_lines = lines[start + 1 : -2]
    ids = [json.loads(line.strip().rstrip(","))["@id"] for line in node_lines]
    subjects = sorted({str(t.subject) for t in _triples(corpus_out / "graph.nt")})
    assert len(ids) == len(subjects) == len(set(ids))


def test_small_description_is_indented_and_equal_to_pyld() -> None:
    model = ox.NamedNode("https://w3id.org/mckg/id/model/x")
    mc = "https://w3id.org/mckg/ontology#"
    triples = [
        ox.Triple(model, ox.NamedNode(jsonld.RDF_TYPE), ox.NamedNode(mc + "Model")),
        ox.Triple(model, ox.NamedNode(mc + "name"), ox.Literal("X")),
        ox.Triple(model, ox.NamedNode(mc + "hasRisk"), ox.NamedNode("https://w3id.org/mckg/risk/bias")),
        ox.Triple(model, ox.NamedNode(mc + "description"), ox.Literal("Two\nlines", language="en")),
    ]
    text = jsonld.dumps(triples).decode("utf-8")
    assert '\n      "name": "X"' in text  # indented inside "@graph"
    assert _nodes_of(text) == _pyld_compaction(triples)


def _nodes_of(text: str) -> dict[str, dict]:
    return {node["@id"]: _canonical(node) for node in json.loads(text)["@graph"]}


def test_empty_graph_is_a_valid_document() -> None:
    document = json.loads(jsonld.dumps([]))
    assert document["@graph"] == [] and "name" in document["@context"]


def test_remote_contexts_are_never_fetched() -> None:
    with pytest.raises(pyld.JsonLdError):
        document = {"@context": "http://127.0.0.1:9/context.jsonld", "name": "x"}
        pyld.expand(document, {"documentLoader": jsonld.refuse_remote})


def test_sorting_through_disk_gives_the_same_bytes(synthetic_cards: Path, tmp_path: Path, monkeypatch) -> None:
    in_memory, on_disk = tmp_path / "memory", tmp_path / "disk"
    kg.build([synthetic_cards], in_memory, keep_going=True, validate=False)
    monkeypatch.setattr(export, "RUN_LINES", 5_000)  # about ten sorted runs merged from disk
    kg.build([synthetic_cards], on_disk, keep_going=True, validate=False)
    for name in OUTPUTS:
        assert (in_memory / name).read_bytes() == (on_disk / name).read_bytes(), name
    assert not list(on_disk.glob(".kg-sort-*")), "sorted runs are removed"


def test_nquads_are_sorted_and_distinct_and_ntriples_are_their_merge(corpus_out: Path) -> None:
    lines = (corpus_out / "graph.nq").read_bytes().splitlines()
    assert lines == sorted(set(lines))
    quads = list(ox.parse(path=corpus_out / "graph.nq", format=ox.RdfFormat.N_QUADS))
    merged = sorted({str(q.triple) for q in quads})
    assert sorted(str(t) for t in _triples(corpus_out / "graph.nt")) == merged
    nt_lines = (corpus_out / "graph.nt").read_bytes().splitlines()
    assert nt_lines == sorted(nt_lines)


def test_failed_staging_leaves_nothing_behind(tmp_path: Path) -> None:
    (tmp_path / "graph.nt").write_bytes(b"old\n")
    with pytest.raises(RuntimeError), export.Staging(tmp_path) as staging:
        staging.add("graph.nt", b"new\n")
        raise RuntimeError("midway")
    assert (tmp_path / "graph.nt").read_bytes() == b"old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["graph.nt"]
