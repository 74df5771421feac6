"""`kg query` on the shared corpus: every bundled query against facts counted from the card files.

The expected answers come from the cards' `- Label: value` lines, read here with plain Python, never from
the engine. Each result format is read back with an independent reader (csv, json, rdflib's SPARQL result
parsers) and must equal what the table shows.
"""

from __future__ import annotations

import atexit
import csv
import functools
import io
import json
import shutil
import tempfile
from collections import Counter, defaultdict
from decimal import Decimal
from pathlib import Path

import pytest
import rdflib
import rdflib.compare
from click.testing import CliRunner
from rdflib.query import Result

import kg
from kg.cli import cli
from kg.namespaces import PREFIXES
from kg.queries import bundled_queries
from kg.query import AskResult, GraphResult, SelectResult, query

from .conftest import CARD_NAMES, card_path, file_lines, require

# Claude 3 is the Model Library's template card (placeholder organization); validation leaves it out.
CARDS = tuple(card_path(name) for name in CARD_NAMES if name != "Claude 3")
RISK_COUNT = 11  # the Model Library defines eleven risks
CARD_SPELLING = {"Intelectual Fraud": "Intellectual Fraud"}  # the Library's own spelling of one risk
COUNTRY_CODES = {"United States of America": "US", "France": "FR"}
COUNTRY_NAMES = {"US": "United States", "FR": "France"}  # ISO 3166-1 short names (pycountry's `name`)
COUNTRY_ITEMS = {"US": PREFIXES["wd"] + "Q30", "FR": PREFIXES["wd"] + "Q142"}  # the countries' Wikidata items


@functools.cache
def corpus_out() -> Path:
    """The 35 cards built once per test run (kg build also writes OUT/store)."""
    for path in CARDS:
        require(path)
    out = Path(tempfile.mkdtemp(prefix="kg-query-corpus-"))
    atexit.register(shutil.rmtree, out, True)
    result = kg.build(list(CARDS), out, keep_going=True)
    assert not result.excluded, f"cards left out of the test build: {result.excluded}"
    return out


@pytest.fixture(scope="module")
def store() -> Path:
    return corpus_out() / "store"


# --- facts from the card files --------------------------------------------------------------------------


def detail(path: Path, label: str) -> str | None:
    """Raw value of the `- Label: ` bullet, or None when the card has no such line."""
    for line in file_lines(path):
        if line.startswith(f"- {label}: "):
            return line.split(": ", 1)[1].strip()
    return None


def link_text(value: str) -> str:
    return value[value.index("[") + 1 : value.index("](")]


def name(path: Path) -> str:
    return link_text(detail(path, "Name"))


def organization(path: Path) -> tuple[str, str]:
    """(name, type) from `[Name](url) (Type)`."""
    value = detail(path, "Organization")
    return link_text(value), value[value.rindex("(") + 1 : value.rindex(")")]


def risks(path: Path) -> list[str]:
    return [CARD_SPELLING.get(r.strip(), r.strip()) for r in detail(path, "Associated Risks").split(",")]


def year(path: Path) -> int:
    return int(detail(path, "Date of Publication").split("/")[2])


def parameters(path: Path) -> int | None:
    value = detail(path, "Model Size")
    scale = {"M": 10**6, "B": 10**9, "T": 10**12}
    if not value or value[-1] not in scale:
        return None
    return int(Decimal(value[:-1]) * scale[value[-1]])


def modalities(path: Path) -> list[str]:
    return [m.strip() for m in detail(path, "Input/Output Format").split(",")]


def country(path: Path) -> str:
    return COUNTRY_CODES[detail(path, "Country/Origin")]


# --- running queries ---------------------------------------------------------------------------------------


@functools.cache
def bundled(name: str) -> SelectResult:
    result = query(corpus_out() / "store", name)
    assert isinstance(result, SelectResult) and not result.truncated
    return result


def rows(name: str) -> list[tuple[str, ...]]:
    """Each row as the lexical values of its terms ('' when unbound)."""
    return [tuple(t.value if t is not None else "" for t in row) for row in bundled(name).rows]


def test_every_bundled_query_has_a_title_description_and_test():
    queries = bundled_queries()
    assert set(queries) == {
        "models-per-risk",
        "risks-per-organization",
        "models-without-impact-assessment",
        "models-by-country",
        "risk-timeline",
        "largest-models-per-modality",
        "organizations-by-type",
    }
    for bundled_query in queries.values():
        assert bundled_query.title and len(bundled_query.description) > 30, bundled_query.name
        assert f"test_{bundled_query.name.replace('-', '_')}" in globals(), bundled_query.name


def test_models_per_risk():
    expected = Counter(r for path in CARDS for r in risks(path))
    got = {risk: int(n) for risk, n in rows("models-per-risk")}
    assert len(got) == RISK_COUNT
    assert {r: n for r, n in got.items() if n} == expected
    assert all(n == 0 for r, n in got.items() if r not in expected)
    counts = [n for _, n in rows("models-per-risk")]
    assert [int(n) for n in counts] == sorted((int(n) for n in counts), reverse=True)


def test_risks_per_organization():
    expected = Counter((organization(path)[0], r) for path in CARDS for r in risks(path))
    got = {(org, risk): int(n) for org, risk, n in rows("risks-per-organization")}
    assert got == expected


def test_models_without_impact_assessment():
    expected = {}
    for path in CARDS:
        answer = detail(path, "Contains an Impact Assessment")
        if answer != "Yes":
            says = "no" if answer == "No" else "not stated"
            expected[name(path)] = (says, organization(path)[0], PREFIXES["loc"] + country(path))
    got = {n: (says, org, country_iri) for n, says, org, country_iri, _ in rows("models-without-impact-assessment")}
    assert got == expected
    assert len(expected) == 6  # CICERO, DALL-E, DALL-E 3, ESM-2, Github Copilot, Midjourney say "No"


def test_models_by_country():
    models = Counter(country(path) for path in CARDS)
    organizations = defaultdict(set)
    for path in CARDS:
        organizations[country(path)].add(organization(path)[0])
    got = {code: (iri, int(m), int(o), name, item) for iri, code, m, o, name, item in rows("models-by-country")}
    assert got == {
        code: (PREFIXES["loc"] + code, models[code], len(organizations[code]), COUNTRY_NAMES[code], COUNTRY_ITEMS[code])
        for code in models
    }


def test_risk_timeline():
    expected = Counter((r, year(path)) for path in CARDS for r in risks(path))
    got = {(risk, int(y)): int(n) for risk, y, n in rows("risk-timeline")}
    assert got == expected


def test_largest_models_per_modality():
    sized = [(m, parameters(path), name(path)) for path in CARDS for m in modalities(path) if parameters(path)]
    expected = set()
    for modality in {m for m, _, _ in sized}:
        sizes = sorted({p for m, p, _ in sized if m == modality}, reverse=True)[:3]
        expected |= {(modality, sizes.index(p) + 1, p, n) for m, p, n in sized if m == modality and p in sizes}
    got = [(m, int(rank), int(p), n) for m, rank, p, n, _ in rows("largest-models-per-modality")]
    assert set(got) == expected and len(got) == len(expected)
    assert ("Text", 1, 540 * 10**9, "PaLM") in expected  # the facts are not vacuous
    assert got == sorted(got, key=lambda row: (row[0], row[1], row[3]))


def test_organizations_by_type():
    orgs, models = defaultdict(set), Counter()
    for path in CARDS:
        org, kind = organization(path)
        orgs[kind].add(org)
        models[kind] += 1
    got = {kind: (int(o), int(m)) for kind, o, m in rows("organizations-by-type")}
    assert got == {kind: (len(orgs[kind]), models[kind]) for kind in orgs}


# --- formats ---------------------------------------------------------------------------------------------


def run_cli(*args: str, input: str | None = None):
    return CliRunner().invoke(cli, ["query", *args], input=input, catch_exceptions=False)


def parse_table(text: str) -> tuple[list[str], list[list[str]]]:
    """Split an aligned table by the column widths of its `----` rule line."""
    lines = text.rstrip("\n").split("\n")
    spans, start = [], 0
    for dashes in lines[1].split("  "):
        spans.append((start, start + len(dashes)))
        start += len(dashes) + 2

    def cells(line: str) -> list[str]:
        return [line[a:b].strip() for a, b in spans]

    return cells(lines[0]), [cells(line) for line in lines[2:]]


def expand(cell: str) -> str:
    prefix, colon, local = cell.partition(":")
    return PREFIXES[prefix] + local if colon and prefix in PREFIXES and not local.startswith("//") else cell


@pytest.mark.parametrize("name", sorted(bundled_queries()))
def test_formats_parse_independently_and_equal_the_table(store, name):
    table = run_cli("--store", str(store), name)
    assert table.exit_code == 0, table.output
    header, table_rows = parse_table(table.stdout)
    table_rows = [[expand(c) for c in row] for row in table_rows]

    outputs = {}
    for fmt in ("csv", "tsv", "json", "xml"):
        result = run_cli("--store", str(store), "--format", fmt, name)
        assert result.exit_code == 0, result.output
        outputs[fmt] = result.stdout_bytes

    with_csv = list(csv.reader(io.StringIO(outputs["csv"].decode("utf-8"), newline="")))
    assert outputs["csv"].endswith(b"\r\n"), "W3C CSV rows end with CRLF"
    assert with_csv[0] == header and with_csv[1:] == table_rows

    document = json.loads(outputs["json"])
    assert document["head"]["vars"] == header
    from_json = [[b.get(v, {}).get("value", "") for v in header] for b in document["results"]["bindings"]]
    assert from_json == table_rows

    for fmt in ("json", "xml", "tsv"):
        parsed = Result.parse(io.BytesIO(outputs[fmt]), format=fmt)
        assert [str(v) for v in parsed.vars] == header
        values = [[str(row[v]) if row[v] is not None else "" for v in parsed.vars] for row in parsed]
        assert values == table_rows, fmt


def test_ask_in_every_format(store):
    text = "ASK { ?m mc:hasRisk risk:bodily-harm }"  # no card lists Bodily Harm
    assert not any("Bodily Harm" in risks(path) for path in CARDS)
    result = query(store, text)
    assert isinstance(result, AskResult) and result.boolean is False and not result
    assert run_cli("--store", str(store), text).stdout.strip() == "false"
    assert json.loads(run_cli("--store", str(store), "-f", "json", text).stdout_bytes) == {"head": {}, "boolean": False}
    xml = run_cli("--store", str(store), "-f", "xml", text).stdout_bytes
    assert Result.parse(io.BytesIO(xml), format="xml").askAnswer is False
    assert query(store, "ASK { ?m mc:hasRisk risk:disinformation }").boolean is True


def test_construct_and_describe_formats_agree(store):
    text = "CONSTRUCT { ?m mc:name ?n ; mc:hasRisk ?r } WHERE { ?m a mc:Model ; mc:name ?n ; mc:hasRisk ?r }"
    result = query(store, text)
    assert isinstance(result, GraphResult) and result.kind == "construct"
    expected = sum(len(risks(path)) for path in CARDS) + len(CARDS)
    assert len(result) == expected
    graphs = []
    for fmt, rdflib_format in (("ttl", "turtle"), ("nt", "nt"), ("jsonld", "json-ld")):
        out = run_cli("--store", str(store), "--format", fmt, text)
        assert out.exit_code == 0, out.output
        graphs.append(rdflib.Graph().parse(data=out.stdout_bytes.decode("utf-8"), format=rdflib_format))
    assert all(len(g) == expected for g in graphs)
    assert all(rdflib.compare.isomorphic(graphs[0], g) for g in graphs[1:])
    assert rdflib.compare.isomorphic(graphs[0], result.graph())
    assert run_cli("--store", str(store), text).stdout.startswith("@prefix mc: ")  # ttl is the default

    gpt2 = query(store, 'DESCRIBE ?m WHERE { ?m mc:name "GPT-2" }')
    assert gpt2.kind == "describe"
    assert {str(t.object.value) for t in gpt2 if t.predicate.value == PREFIXES["mc"] + "name"} == {"GPT-2"}


def test_python_values_for_notebooks(store):
    result = query(
        store,
        "SELECT ?name ?date ?size WHERE { ?m mc:name ?name ; mc:publicationDate ?date ; "
        'mc:parameterCount ?size FILTER(?name = "GPT-2") }',
    )
    (row,) = result.values()
    assert row["name"] == "GPT-2" and row["size"] == 1_500_000_000
    assert row["date"].isoformat() == "2019-02-24"
    assert result.bindings()[0]["name"].value == "GPT-2"
    assert result.to_csv().splitlines()[0] == "name,date,size"


def test_row_cap_is_honest(store):
    result = query(store, "SELECT ?m WHERE { ?m a mc:Model }", max_rows=3)
    assert len(result) == 3 and result.truncated
    assert not query(store, "SELECT ?m WHERE { ?m a mc:Model }", max_rows=len(CARDS)).truncated
    out = run_cli("--store", str(store), "--max-rows", "2", "-f", "csv", "SELECT ?m WHERE { ?m a mc:Model }")
    assert out.exit_code == 0 and len(out.stdout.splitlines()) == 3
    assert "result cut at 2 rows" in out.stderr


def test_default_graph_is_the_union_with_each_triple_once(store):
    """Organizations are repeated in every card's named graph; the default graph holds them once."""
    openai = sum(1 for path in CARDS if organization(path)[0] == "OpenAI Inc.")
    assert openai > 1
    once = query(store, 'SELECT ?org WHERE { ?org mc:name "OpenAI Inc." }')
    assert len(once) == 1
    per_graph = query(store, 'SELECT ?g WHERE { GRAPH ?g { ?org mc:name "OpenAI Inc." } }')
    assert len(per_graph) == openai


def test_named_graph_per_card_and_from_a_card_graph(store):
    files = query(store, "SELECT ?g ?file WHERE { GRAPH ?g { ?g mc:sourceFile ?file } }")
    assert sorted(f.value for _, f in files) == sorted(path.name for path in CARDS)
    graph = next(g for g, f in files if f.value == "GPT-2.md").value
    local = query(store, f"SELECT DISTINCT ?name FROM <{graph}> WHERE {{ ?m a mc:Model ; mc:name ?name }}")
    assert [row[0].value for row in local] == ["GPT-2"]


def test_predeclared_prefixes_yield_to_the_query_own(store):
    assert len(query(store, "SELECT ?m WHERE { ?m a mc:Model }")) == len(CARDS)
    own = "PREFIX mc: <http://example.org/other#>\nSELECT ?m WHERE { ?m a mc:Model }"
    assert len(query(store, own)) == 0
    listed = run_cli("--prefixes").stdout
    assert "PREFIX mc:" in listed and PREFIXES["mc"] in listed


def test_query_from_file_stdin_and_list(store, tmp_path):
    text = "SELECT (COUNT(?m) AS ?n) WHERE { ?m a mc:Model }"
    (tmp_path / "count.rq").write_text(text, encoding="utf-8")
    for args, stdin in ((["@" + str(tmp_path / "count.rq")], None), (["-"], text)):
        out = run_cli("--store", str(store), "-f", "csv", *args, input=stdin)
        assert out.exit_code == 0 and out.stdout.splitlines() == ["n", str(len(CARDS))]
    listing = run_cli("--list").stdout
    for bundled_query in bundled_queries().values():
        assert bundled_query.name in listing and bundled_query.title in listing


def test_usage_errors_exit_2(store, tmp_path):
    assert run_cli("--store", str(store), "no-such-query").exit_code == 2
    assert run_cli("--store", str(store), "@" + str(tmp_path / "missing.rq")).exit_code == 2
    assert run_cli("--store", str(store)).exit_code == 2
    mismatch = run_cli("--store", str(store), "--format", "ttl", "models-per-risk")
    assert mismatch.exit_code == 2 and "does not fit a SELECT query" in mismatch.output
    assert run_cli("--store", str(store), "--timeout", "0", "models-per-risk").exit_code == 2


def test_missing_store_is_a_clear_error(tmp_path):
    out = run_cli("--store", str(tmp_path / "nothing"), "models-per-risk")
    assert out.exit_code == 1 and "no store at" in out.stderr and "kg build" in out.stderr
