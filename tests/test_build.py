"""`kg build` end to end on the shared corpus: outputs parse, agree with each other and are deterministic."""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.compare import isomorphic

import kg
from kg.build import Status

from .conftest import ML_CARDS, SEED

MC = rdflib.Namespace("https://w3id.org/mckg/ontology#")
BASE = "https://w3id.org/mckg/id/"
CORPUS_WITHOUT_TEMPLATE = sorted(p for p in ML_CARDS.glob("*.md") if p.name != "Claude 3.md")


@pytest.fixture(scope="module")
def corpus_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, kg.BuildResult]:
    out = tmp_path_factory.mktemp("corpus")
    result = kg.build([ML_CARDS, SEED.parent], out, keep_going=True)
    return out, result


def _rdflib(path: Path, fmt: str) -> rdflib.Graph:
    graph = rdflib.Graph()
    graph.parse(path, format=fmt)
    return graph


def test_corpus_builds_with_only_the_colliding_seed_left_out(corpus_build):
    out, result = corpus_build
    # The seed is a mis-encoded copy of Code Llama: same title, so same IRI: reported, never merged.
    # Claude 3 is the unfilled submission template: validation leaves it out too.
    assert result.status is Status.PARTIAL
    assert [Path(p).name for p in result.excluded] == ["Claude 3.md", "Code Llama (mis-encoded).md"]
    collision = [f for f in result.errors if f.code == "duplicate-iri"]
    assert len(collision) == 1 and "Code Llama.md" in collision[0].message
    assert collision[0].file.endswith("Code Llama (mis-encoded).md") and collision[0].line == 1
    for name in ("graph.ttl", "graph.nt", "graph.nq", "graph.jsonld"):
        assert (out / name).stat().st_size > 0


def test_all_formats_parse_and_are_isomorphic(corpus_build):
    out, _ = corpus_build
    nt = _rdflib(out / "graph.nt", "nt")
    assert isomorphic(nt, _rdflib(out / "graph.ttl", "turtle"))
    assert isomorphic(nt, _rdflib(out / "graph.jsonld", "json-ld"))
    dataset = rdflib.Dataset()
    dataset.parse(out / "graph.nq", format="nquads")
    union = rdflib.Graph()
    for s, p, o, _g in dataset.quads():
        union.add((s, p, o))
    assert isomorphic(nt, union)
    # pyoxigraph reads every format too, with the same number of triples.
    for name, fmt in (("graph.ttl", ox.RdfFormat.TURTLE), ("graph.nt", ox.RdfFormat.N_TRIPLES)):
        assert len(list(ox.parse(path=str(out / name), format=fmt))) == len(nt)


def test_one_named_graph_per_card_plus_the_vocabulary(corpus_build):
    out, _ = corpus_build
    store = ox.Store()
    store.load(path=str(out / "graph.nq"), format=ox.RdfFormat.N_QUADS)
    graphs = {g.value for g in store.named_graphs()}
    expected = {BASE + "card/" + kg.iris.slug(p.stem) for p in ML_CARDS.glob("*.md") if p.name != "Claude 3.md"}
    assert graphs == expected | {"https://w3id.org/mckg/vocabulary"}


def test_jsonld_is_compact_with_a_local_context(corpus_build):
    out, _ = corpus_build
    doc = json.loads((out / "graph.jsonld").read_text(encoding="utf-8"))
    assert isinstance(doc["@context"], dict), "the context is embedded, never a remote URL"
    text = (out / "graph.jsonld").read_text(encoding="utf-8")
    assert '"name": "GPT-2"' in text
    assert "https://w3id.org/mckg/ontology#name" not in text


def test_two_builds_are_byte_identical(tmp_path):
    one, two = tmp_path / "one", tmp_path / "two"
    kg.build(CORPUS_WITHOUT_TEMPLATE, one)
    # Same cards given in another order and through another path spelling.
    kg.build(list(reversed(CORPUS_WITHOUT_TEMPLATE)), two)
    for name in ("graph.ttl", "graph.nt", "graph.nq", "graph.jsonld"):
        assert (one / name).read_bytes() == (two / name).read_bytes(), name


def test_facts_of_a_card_reach_the_graph(corpus_build):
    out, _ = corpus_build
    g = _rdflib(out / "graph.nt", "nt")
    gpt2 = rdflib.URIRef(BASE + "model/gpt-2")
    xsd = rdflib.XSD
    assert g.value(gpt2, MC.name) == rdflib.Literal("GPT-2")
    assert g.value(gpt2, MC.parameterCount) == rdflib.Literal("1500000000", datatype=xsd.nonNegativeInteger)
    assert g.value(gpt2, MC.publicationDate) == rdflib.Literal("2019-02-24", datatype=xsd.date)
    assert g.value(gpt2, MC.hasImpactAssessment) == rdflib.Literal(True)
    assert g.value(gpt2, MC.license) == rdflib.URIRef("http://spdx.org/licenses/MIT")
    assert g.value(gpt2, MC.url) == rdflib.URIRef("https://github.com/openai/gpt-2")
    org = g.value(gpt2, MC.developedBy)
    assert org == rdflib.URIRef(BASE + "organization/openai-inc")
    assert g.value(org, MC.country) == rdflib.URIRef("https://w3id.org/dpv/loc#US")
    risks = {str(g.value(r, rdflib.SKOS.prefLabel)) for r in g.objects(gpt2, MC.hasRisk)}
    assert risks == {"Disinformation", "Algorithmic Discrimination", "Social Engineering", "Environmental Impacts"}
    description = g.value(gpt2, MC.description)
    assert description.language == "en" and description.count("\n\n") == 1


def test_same_organization_in_many_cards_is_one_node(corpus_build):
    out, _ = corpus_build
    g = _rdflib(out / "graph.nt", "nt")
    openai = rdflib.URIRef(BASE + "organization/openai-inc")
    models = set(g.subjects(MC.developedBy, openai))
    cards_naming_openai = [p for p in ML_CARDS.glob("*.md") if "[OpenAI Inc.](https://openai.com/)" in p.read_text()]
    assert len(models) == len(cards_naming_openai) == 13
    assert len(set(g.objects(openai, MC.name))) == 1


def test_shared_dataset_named_by_a_single_link(corpus_build):
    out, _ = corpus_build
    g = _rdflib(out / "graph.nt", "nt")
    pile = rdflib.URIRef(BASE + "dataset/the-pile")
    assert {str(m).rsplit("/", 1)[1] for m in g.subjects(MC.trainedOn, pile)} == {"gpt-j", "gpt-neox", "pythia"}


def test_placeholder_links_are_kept_as_text_not_iris(tmp_path):
    result = kg.build([ML_CARDS / "Claude 3.md"], tmp_path, validate=False)  # validation refuses the template
    assert result.status is Status.OK
    g = _rdflib(tmp_path / "graph.nt", "nt")
    unresolved = {str(o) for o in g.objects(None, MC.unresolvedLink)}
    assert unresolved == {
        "link-to-the-model-paper-or-repo",
        "link-to-the-dataset-paper-or-repo",
        "link-to-their-home-page",
    }
    assert not any(str(o).startswith("link-to") for o in g.objects() if isinstance(o, rdflib.URIRef))


def test_provenance_of_each_card(corpus_build):
    out, _ = corpus_build
    g = _rdflib(out / "graph.nt", "nt")
    card = rdflib.URIRef(BASE + "card/gpt-2")
    import hashlib

    assert str(g.value(card, MC.sha256)) == hashlib.sha256((ML_CARDS / "GPT-2.md").read_bytes()).hexdigest()
    assert str(g.value(card, MC.sourceFile)) == "GPT-2.md"
    activity = g.value(card, rdflib.PROV.wasGeneratedBy)
    agent = g.value(activity, rdflib.PROV.wasAssociatedWith)
    assert str(g.value(agent, rdflib.SDO.softwareVersion)) == kg.__version__


def test_range_size_gives_minimum_and_maximum(tmp_path):
    project_cards = Path(__file__).resolve().parents[1] / "cards"
    kg.build([project_cards / "Pythia.md"], tmp_path)
    g = _rdflib(tmp_path / "graph.nt", "nt")
    pythia = rdflib.URIRef(BASE + "model/pythia")
    assert int(g.value(pythia, MC.minParameterCount)) == 70_000_000
    assert int(g.value(pythia, MC.parameterCount)) == 12_000_000_000


def test_custom_base_iri(tmp_path):
    kg.build([ML_CARDS / "GPT-2.md"], tmp_path, base="https://example.org/kg/")
    g = _rdflib(tmp_path / "graph.nt", "nt")
    assert (rdflib.URIRef("https://example.org/kg/model/gpt-2"), None, None) in g
    with pytest.raises(ValueError, match="must end with"):
        kg.build([ML_CARDS / "GPT-2.md"], tmp_path, base="https://example.org/kg")


def test_bundled_cards_build_cleanly(tmp_path):
    project_cards = Path(__file__).resolve().parents[1] / "cards"
    result = kg.build([project_cards], tmp_path)
    assert result.status is Status.OK and not result.errors
    assert result.read >= 5 and len(result.cards) == result.read
