"""`kg.pages`: the page library, on the corpus store and on hostile cards.

Expectations come from the built graph read with rdflib (`graph.nt`) and from the card files, not from
`kg.pages`, so a fact a page forgets, a link it breaks or a value it fails to escape shows up here.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
import rdflib.compare
from rdflib.namespace import RDF, SKOS

import kg
from kg import pages
from kg.namespaces import MC
from kg.pages.charts import svg
from kg.pages.render import QUERY_SCRIPT, ServerLinks, StaticLinks, content_security_policy
from kg.pages.text import markdown, web_url
from kg.pages.views import Bar, Chart
from kg.query import display

from .conftest import card_path, sha256_of
from .pages_support import Html, corpus_out

pytestmark = pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")  # rdflib JSON-LD
BASE = "https://w3id.org/mckg/id/"
M = rdflib.Namespace(MC)


@pytest.fixture(scope="module")
def site() -> pages.Site:
    return pages.open_site(corpus_out() / "store")


@pytest.fixture(scope="module")
def graph() -> rdflib.Graph:
    return rdflib.Graph().parse(corpus_out() / "graph.nt", format="nt")


def html(site: pages.Site, path: str, links: pages.Links | None = None) -> Html:
    page = pages.page_for_path(site, path)
    assert page is not None, path
    parsed = Html(pages.render_html(page, site, links))
    assert parsed.errors == [], (path, parsed.errors)
    return parsed


def label(graph: rdflib.Graph, iri: rdflib.URIRef) -> str:
    return str(graph.value(iri, M.name) or graph.value(iri, SKOS.prefLabel))


# -- routes and kinds --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "kind", "title"),
    [
        ("index", "home", "AI model cards as a knowledge graph"),
        ("models", "models", "Models"),
        ("model/gpt-2", "model", "GPT-2"),
        ("organization/openai-inc", "organization", "OpenAI Inc."),
        ("dataset/the-pile", "dataset", "The Pile"),
        ("risk/disinformation", "risk", "Disinformation"),
        ("risk", "scheme", "Model Library risks"),
        ("modality/text", "concept", "Text"),
        ("organization-type/non-profit", "concept", "Non-profit"),
        ("mit-risk/3.1", "concept", "False or misleading information"),
        ("card/gpt-2", "resource", "GPT-2"),
        ("publication/language-models-are-unsupervised-multitask-learners", "resource", None),
        ("build/kg-" + kg.__version__.replace(".", "-"), "resource", None),
        ("query", "query", "Query the graph"),
        ("query/models-per-risk", "query", "Models per risk"),
        ("models/risk/disinformation", "models", "Models carrying Disinformation"),
        ("models/organization/openai-inc/risk/disinformation", "models", None),
    ],
)
def test_every_kind_of_page_renders_at_its_path(site, path, kind, title):
    page = pages.page_for_path(site, path)
    assert page is not None and page.kind == kind and page.path == path
    if title:
        assert page.title == title
    parsed = Html(pages.render_html(page, site))
    assert parsed.errors == []
    assert len(parsed.find("h1")) == 1 and parsed.find("main") and parsed.find("nav")
    assert json.loads(page.json_bytes())["title"] == page.title


@pytest.mark.parametrize(
    "path",
    [
        "model/no-such-model",
        "models/risk/no-such-risk",
        "models/organization/nobody",
        "models/page/1",  # page 1 has one address: /models
        "models/page/0",
        "models/page/99",
        "models/risk/disinformation/organization/openai-inc",  # organization comes first
        "models/risk",
        "query/no-such-query",
        "query/a/b",
        "ontology",
        "model/../risk/disinformation",
    ],
)
def test_unknown_paths_have_no_page(site, path):
    assert pages.page_for_path(site, path) is None


def test_every_subject_under_the_base_or_the_vocabulary_has_a_page(site, graph):
    subjects = {str(s) for s in graph.subjects() if isinstance(s, rdflib.URIRef)}
    mine = [s for s in subjects if s.startswith(BASE) or (s.startswith("https://w3id.org/mckg/") and "#" not in s)]
    assert len(mine) > 150
    for iri in sorted(mine):
        path = site.path_of(iri)
        if iri.startswith("https://w3id.org/mckg/ontology") or iri.startswith("https://w3id.org/mckg/shapes"):
            assert path is None
            continue
        assert path and site.iri_of(path) == iri, iri
        assert pages.resource_page(site, iri) is not None, iri


# -- what a model page says ------------------------------------------------------------------------------


def test_model_page_states_the_card_facts_with_links(site, graph):
    page = html(site, "model/gpt-2")
    text = page.plain
    hrefs = [h for kind, h in page.links if kind == "a.href"]
    assert "GPT-2 is a text model developed by OpenAI Inc. (Non-profit, United States)" in text
    assert "published on 24 February 2019" in text and "1.5 billion parameters" in text
    assert "../organization/openai-inc.html" in hrefs
    assert "../dataset/webtext.html" in hrefs
    assert "https://github.com/openai/gpt-2" in hrefs, "the card's http(s) link"
    model = rdflib.URIRef(BASE + "model/gpt-2")
    risks = list(graph.objects(model, M.hasRisk))
    assert len(risks) == 4
    for risk in risks:
        assert f"../risk/{str(risk).rsplit('/', 1)[-1]}.html" in hrefs
        assert " ".join(str(graph.value(risk, SKOS.definition)).split()) in text
        for note in graph.objects(risk, SKOS.scopeNote):
            assert " ".join(str(note).split()) in text, "each risk's guidance"
    assert "gpt-2.ttl" in hrefs and "gpt-2.jsonld" in hrefs and "gpt-2.json" in hrefs


def test_model_page_shows_provenance_and_validation(site):
    gpt2 = html(site, "model/gpt-2").section("provenance")
    assert sha256_of(card_path("GPT-2")) in gpt2
    assert "GPT-2.md" in gpt2 and "kg " + kg.__version__ in gpt2
    assert "valid: no warnings" in gpt2
    bloom = html(site, "model/bloom").section("provenance")
    assert "2 warnings" in bloom
    assert "could be read as m/d or d/m" in bloom or "ambiguous" in bloom.lower()
    assert "BigScience RAIL License" in bloom


def test_validation_findings_come_from_validation_ttl(site):
    report = rdflib.Graph().parse(corpus_out() / "validation.ttl", format="turtle")
    sh = rdflib.Namespace("http://www.w3.org/ns/shacl#")
    prov = rdflib.Namespace("http://www.w3.org/ns/prov#")
    per_card: dict[str, int] = {}
    for result in report.subjects(RDF.type, sh.ValidationResult):
        card = str(report.value(result, prov.wasDerivedFrom))
        per_card[card] = per_card.get(card, 0) + 1
    assert per_card, "the corpus has warnings"
    for card, n in per_card.items():
        view = pages.resource_page(site, card).data
        assert view.validation.checked and len(view.validation.findings) == n, card


def test_related_models_share_the_organization_or_exactly_the_risks(site, graph):
    view = pages.page_for_path(site, "model/gpt-2").data
    model = rdflib.URIRef(BASE + "model/gpt-2")
    org = graph.value(model, M.developedBy)
    same_org = {str(m) for m in graph.subjects(M.developedBy, org)} - {str(model)}
    assert view.same_organization.total == len(same_org)
    assert {r.iri for r in view.same_organization.items} <= same_org
    risks = set(graph.objects(model, M.hasRisk))
    same_risks = {str(m) for m in graph.subjects(RDF.type, M.Model) if set(graph.objects(m, M.hasRisk)) == risks}
    shown = {r.iri for r in view.same_risks.items}
    assert shown and shown <= same_risks - {str(model)}
    assert len(shown) == min(10, len(same_risks) - 1)


def test_risk_page_counts_and_lists_the_models_that_carry_it(site, graph):
    risk = rdflib.URIRef("https://w3id.org/mckg/risk/disinformation")
    carrying = {label(graph, m) for m in graph.subjects(M.hasRisk, risk)}
    view = pages.page_for_path(site, "risk/disinformation").data
    assert view.models.total == len(carrying)
    assert {r.label for r in view.models.items} == carrying
    assert sum(bar.value for bar in view.chart.bars) == len(carrying), "every model has a date in the corpus"
    assert f"{len(carrying)} models carry it" in html(site, "risk/disinformation").plain


def test_model_list_filters_count_like_the_graph(site, graph):
    openai = rdflib.URIRef(BASE + "organization/openai-inc")
    risk = rdflib.URIRef("https://w3id.org/mckg/risk/disinformation")
    expected = sorted(label(graph, m) for m in graph.subjects(M.developedBy, openai) if (m, M.hasRisk, risk) in graph)
    page = pages.page_for_path(site, "models/organization/openai-inc/risk/disinformation")
    assert [row.model.label for row in page.data.rows] == sorted(expected, key=str.casefold)
    same = pages.models_page(site, risk="disinformation", organization="openai-inc")
    assert same is not None and same.path == page.path, "query parameters reach the same page"
    facet = {f.label: f.count for f in page.data.risk_facet}
    assert facet["Disinformation"] == len(expected)
    assert all(f.count > 0 for f in page.data.organization_facet)


def test_the_model_list_pages_through_every_model(site, graph, monkeypatch):
    monkeypatch.setattr("kg.pages.lists.PAGE_SIZE", 10)
    names = sorted((label(graph, m) for m in graph.subjects(RDF.type, M.Model)), key=str.casefold)
    seen = []
    for number in range(1, 5):
        page = pages.page_for_path(site, "models" + (f"/page/{number}" if number > 1 else ""))
        assert page is not None and page.data.pages == 4
        seen += [row.model.label for row in page.data.rows]
    assert seen == names
    assert pages.page_for_path(site, "models/page/5") is None


# -- query page ------------------------------------------------------------------------------------------


def test_query_page_table_equals_kg_query(site):
    store = corpus_out() / "store"
    for name in ("models-per-risk", "risks-per-organization"):
        view = pages.page_for_path(site, f"query/{name}").data
        expected = kg.query(store, name)
        assert list(view.result.columns) == expected.variables
        assert [[c.label for c in row] for row in view.result.rows] == [
            [display(t) for t in row] for row in expected.rows
        ]
        assert pages.run_bundled(site, name).serialize("csv") == expected.serialize("csv")


def test_query_page_takes_a_result_from_the_server(site):
    result = kg.query(corpus_out() / "store", "ASK { ?m mc:hasRisk risk:bodily-harm }")
    page = pages.query_page(site, text="ASK { ?m mc:hasRisk risk:bodily-harm }", result=result, live=True)
    parsed = Html(pages.render_html(page, site, ServerLinks()))
    assert parsed.section("answer") == "no"
    assert parsed.find("textarea") and "ASK { ?m mc:hasRisk" in parsed.plain
    failed = pages.query_page(site, text="SELECT", error="syntax error at line 1", live=True)
    assert "syntax error at line 1" in Html(pages.render_html(failed, site, ServerLinks())).plain


def test_only_the_query_page_has_a_script_and_the_policy_allows_exactly_it(site):
    assert not html(site, "model/gpt-2").find("script")
    assert not html(site, "index").find("script")
    query = pages.render_html(pages.page_for_path(site, "query"), site)
    scripts = re.findall(r"<script>(.*?)</script>", query, re.S)
    assert scripts == [QUERY_SCRIPT]
    digest = base64.b64encode(hashlib.sha256(scripts[0].encode()).digest()).decode()
    assert f"'sha256-{digest}'" in content_security_policy(pages.page_for_path(site, "query"))
    assert "script-src 'none'" in content_security_policy(pages.page_for_path(site, "index"))


# -- forms of a resource ---------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["model/gpt-2", "organization/openai-inc", "risk/disinformation", "card/bloom"])
def test_turtle_and_jsonld_describe_the_resource_as_the_store_does(site, path):
    iri = site.iri_of(path)
    store_graph = rdflib.Graph()
    for quad in site.store.quads_for_pattern(ox.NamedNode(iri), None, None, ox.DefaultGraph()):
        store_graph.parse(data=ox.serialize([quad.triple], format=ox.RdfFormat.N_TRIPLES).decode(), format="nt")
    turtle = rdflib.Graph().parse(data=pages.resource_file(site, path, "ttl").decode(), format="turtle")
    jsonld = rdflib.Graph().parse(data=pages.resource_file(site, path, "jsonld").decode(), format="json-ld")
    assert len(store_graph) > 5
    assert rdflib.compare.isomorphic(turtle, store_graph)
    assert rdflib.compare.isomorphic(jsonld, store_graph), "literal datatypes and languages survive"
    assert pages.resource_file(site, "model/nothing", "ttl") is None


def test_a_site_opens_on_a_graph_file_too(tmp_path):
    shutil.copy(corpus_out() / "graph.nt", tmp_path / "graph.nt")
    from_file = pages.open_site(tmp_path / "graph.nt")
    assert from_file.findings is None, "no validation.ttl next to that file"
    page = pages.page_for_path(from_file, "model/gpt-2")
    assert page.data.provenance[0].validation.status == "not validated"
    assert page.data.name == "GPT-2"


# -- links and charts ------------------------------------------------------------------------------------


def test_link_styles():
    static, server = StaticLinks(), ServerLinks("/kg/")
    assert static.href("risk/disinformation", "model/gpt-2") == "../model/gpt-2.html"
    assert static.href("index", "models", fragment="list") == "models.html#list"
    assert static.href("models/organization/x/risk/y", "index") == "../../../../index.html"
    assert static.href("model/gpt-2", "model/gpt-2", "ttl") == "gpt-2.ttl"
    assert static.href("index", "model/polyglot-ko é") == "model/polyglot-ko%20%C3%A9.html"
    assert server.href("risk/x", "model/gpt-2") == "/kg/model/gpt-2"
    assert server.href("risk/x", "index") == "/kg/"
    assert server.href("risk/x", "model/gpt-2", "jsonld") == "/kg/model/gpt-2.jsonld"


def test_charts_are_svg_images_with_a_title_and_every_value_in_words():
    chart = Chart("c", "Risks & <harms>", "How many.", "risk", "models", (Bar("a <b>", 3), Bar("c", 0)))
    root = ET.fromstring(str(svg(chart)))
    ns = "{http://www.w3.org/2000/svg}"
    assert root.get("role") == "img" and root.get("aria-labelledby") == "c-title c-desc"
    assert root.find(f"{ns}title").text == "Risks & <harms>"
    assert "a <b>: 3" in root.find(f"{ns}desc").text
    vertical = Chart("v", "Years", "Per year.", "year", "models", (Bar("2020", 1), Bar("2022", 2)), "vertical")
    assert ET.fromstring(str(svg(vertical))).find(f"{ns}title").text == "Years"


# -- hostile card text -----------------------------------------------------------------------------------

EVIL = '<script>alert("x")</script> Model'


def evil_card(folder: Path) -> Path:
    text = card_path("GPT-2").read_text(encoding="utf-8")
    text = text.replace("# GPT-2", f"# {EVIL}", 1)
    text = text.replace("[GPT-2](https://github.com/openai/gpt-2)", f"[{EVIL}](javascript:alert(1))", 1)
    text = text.replace("[WebText](https://github.com/openai/gpt-2/blob/master/domains.txt)",
                        "[<img src=x onerror=alert(1)>](https://example.org/data)", 1)  # fmt: skip
    text = text.replace("OpenAI Inc.", "Evil <b onmouseover=alert(1)>Org</b>", 1)
    text = text.replace(
        "GPT-2 is a large language model",
        "<script>alert(2)</script> [click](javascript:alert(3)) ![pixel](https://example.org/p.png) "
        "<iframe src=https://example.org></iframe> [fine](https://example.org/ok) GPT-2 is a large language model",
        1,
    )
    path = folder / "evil.md"
    path.write_text(text, encoding="utf-8")
    return path


def test_card_text_renders_as_text(tmp_path):
    out = tmp_path / "out"
    kg.build([evil_card(tmp_path)], out, validate=False, model_documents=False)
    site = pages.open_site(out / "store")
    (model,) = pages.page_for_path(site, "models").data.rows
    page = pages.page_for_path(site, model.model.path)
    raw = pages.render_html(page, site)
    parsed = Html(raw)
    assert parsed.errors == []
    assert EVIL in parsed.plain, "the name is shown, as text"
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in raw or "&lt;script&gt;alert(&quot;x&quot;)" in raw
    for tag in ("script", "img", "iframe", "b"):
        assert not parsed.find(tag), tag
    assert not any(key.startswith("on") for _, attributes in parsed.tags for key in attributes)
    hrefs = [h for _, h in parsed.links]
    assert not any(h.lower().startswith(("javascript:", "data:")) for h in hrefs)
    assert "https://example.org/ok" in hrefs, "an http(s) link of the description is a link"
    for path in ("index", "models", model.organization.path, "dataset/" + "img-src-x-onerror-alert-1"):
        other = pages.page_for_path(site, path)
        assert other is not None, path
        again = Html(pages.render_html(other, site))
        assert again.errors == [] and not again.find("script") and not again.find("b"), path
    assert EVIL in json.loads(page.json_bytes())["title"]


@pytest.mark.parametrize(
    ("text", "links"),
    [
        ("[a](https://x.org)", ["https://x.org"]),
        ("[a](http://x.org/p?q=1)", ["http://x.org/p?q=1"]),
        ("[a](javascript:alert(1))", []),
        ("[a](JAVASCRIPT:alert(1))", []),
        ("[a](data:text/html,hi)", []),
        ("[a](/relative)", []),
        ("<https://x.org>", ["https://x.org"]),
        ("<javascript:alert(1)>", []),
        ("![i](https://x.org/i.png)", ["https://x.org/i.png"]),  # a link to the picture, never an <img>
    ],
)
def test_markdown_keeps_only_http_links(text, links):
    parsed = Html(str(markdown(text)))
    assert [h for _, h in parsed.links] == links
    assert not parsed.find("img")


def test_web_url():
    assert web_url("https://a.org") == "https://a.org"
    assert web_url("HTTP://a.org") == "HTTP://a.org"
    assert web_url("ftp://a.org") is None and web_url("javascript:x") is None and web_url("https://a b") is None
