"""SHACL validation: shapes, results traced to card lines, cross-card rules, reports, build semantics, cache.

Bad cards live in `tests/data/invalid/`; each breaks one rule. Rules that the reader or mapper never let
reach the graph (an ill-typed date, a non-http IRI, a size range upside down...) are still stated by the
shapes, for graphs from other sources: `test_every_shape_catches_its_bad_graph` breaks a good card's graph
once per shape and checks that exactly that shape fires.
"""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pyshacl
import pytest
import rdflib
from rdflib import Literal, URIRef

import kg
import kg.shacl_pool
from kg.build import Status
from kg.corpus import map_records
from kg.shacl import check_graph, shape_files
from kg.shacl_pool import validate_cards_raw
from kg.validation import SAME_RULE, ValidationStats, validate_cards

from .conftest import ML_CARDS, SEED, line_of, paragraphs

ROOT = Path(__file__).resolve().parents[1]
INVALID = Path(__file__).resolve().parent / "data" / "invalid"
CLAUDE = ML_CARDS / "Claude 3.md"
MC = rdflib.Namespace("https://w3id.org/mckg/ontology#")
MCSH = rdflib.Namespace("https://w3id.org/mckg/shapes#")
# Plain namespaces: pytest's collection probes module globals, and rdflib's closed namespaces warn about it.
RDF = rdflib.Namespace("http://www.w3.org/1999/02/22-rdf-syntax-ns#")
XSD = rdflib.Namespace("http://www.w3.org/2001/XMLSchema#")
SH = rdflib.Namespace("http://www.w3.org/ns/shacl#")
PROV = rdflib.Namespace("http://www.w3.org/ns/prov#")


def run_kg(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kg", *args], cwd=ROOT, capture_output=True, text=True, timeout=300)


def by_file(findings: list[kg.records.Finding]) -> dict[str, set[tuple[int, str, str]]]:
    out: dict[str, set[tuple[int, str, str]]] = {}
    for f in findings:
        out.setdefault(Path(f.file).name, set()).add((f.line, f.severity.value, f.code))
    return out


# -- the Model Library corpus ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def corpus_report() -> kg.ValidationReport:
    return kg.validate([ML_CARDS])


def test_claude_3_is_reported_as_a_template_at_the_right_lines(corpus_report):
    name, dataset = line_of(CLAUDE, "- Name: "), line_of(CLAUDE, "- Dataset: ")
    org, publication = line_of(CLAUDE, "- Organization: "), line_of(CLAUDE, "- Publication: ")
    description = paragraphs(CLAUDE, "## Description")[0][0]
    org_description = paragraphs(CLAUDE, "## Organization")[0][0]
    assert (name, dataset, org, publication, description, org_description) == (5, 7, 12, 15, 19, 23)
    errors = {(f.line, f.code) for f in corpus_report.errors if f.file == str(CLAUDE)}
    assert errors == {
        (name, "shape:model-name-matches-title"),
        (name, "shape:placeholder-name"),
        (name, "shape:placeholder-link"),
        (dataset, "shape:placeholder-link"),
        (dataset, "shape:placeholder-description"),
        (org, "shape:placeholder-name"),
        (org, "shape:placeholder-link"),
        (publication, "shape:placeholder-title"),
        (publication, "shape:placeholder-link"),
        (description, "shape:placeholder-description"),
        (org_description, "shape:placeholder-description"),
    }
    rendered = {str(f) for f in corpus_report.errors}
    assert (
        f'{CLAUDE}:5: error: Name "Model X" does not match the card title "Claude 3": the Name link text and '
        "the `# Title` line must be the same [shape:model-name-matches-title]"
    ) in rendered
    assert f'{CLAUDE}:12: error: "Organization Name" is the submission template\'s placeholder name' in "\n".join(
        rendered
    )
    assert 'Link "link-to-their-home-page" is the submission template\'s placeholder' in "\n".join(rendered)


def test_no_violation_on_the_other_35_cards(corpus_report):
    assert {f.file for f in corpus_report.errors} == {str(CLAUDE)}
    assert corpus_report.files == 36 and len(corpus_report.cards) == 36


def test_honest_warnings_on_the_corpus_and_none_printed_twice(corpus_report):
    warnings = by_file(corpus_report.warnings)
    ambiguous = {name for name, found in warnings.items() if any(code == "ambiguous-date" for _, _, code in found)}
    assert len(ambiguous) == 14 and "Claude 3.md" in ambiguous  # corpus README 1.10
    licences = {name for name, found in warnings.items() if any(c == "shape:license-text" for _, _, c in found)}
    assert licences == {"BLOOM.md", "BlenderBot 3.md", "Code Llama.md", "LLaMA 2.md", "LLaMA.md", "OPT-175B.md"}
    # The shape stating the ambiguous-date rule again is deduplicated against the reader's warning.
    assert not any(f.code == "shape:model-date-ambiguous" for f in corpus_report.findings)
    lines = [(f.file, f.line, f.message) for f in corpus_report.findings]
    assert len(lines) == len(set(lines))


# -- hand-made bad cards ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def invalid_report() -> kg.ValidationReport:
    return kg.validate([INVALID])


def _finding(report: kg.ValidationReport, name: str, line: int, code: str) -> kg.records.Finding:
    hits = [f for f in report.findings if Path(f.file).name == name and f.line == line and f.code == code]
    assert len(hits) == 1, (name, line, code, by_file(report.findings).get(name))
    return hits[0]


BAD_CARDS = [
    # file, every finding as (line, severity, code), and (line, code, a piece of the message)
    ("unknown-risk.md", {(11, "error", "unknown-risk")}, (11, "unknown-risk", 'risk "Time Travel" is not one of')),
    ("impossible-date.md", {(12, "error", "invalid-date")}, (12, "invalid-date", '"2/30/2023" is not a valid')),
    ("non-numeric-size.md", {(6, "error", "invalid-size")}, (6, "invalid-size", '"about seven billion" is not a')),
    ("reversed-size-range.md", {(6, "error", "invalid-size")}, (6, "invalid-size", 'Model Size "20B - 70M"')),
    ("not-a-boolean.md", {(10, "error", "invalid-boolean")}, (10, "invalid-boolean", '"Maybe" must be Yes or No')),
    ("missing-organization.md", {(3, "error", "missing-field")}, (3, "missing-field", 'no "Organization" field')),
    ("missing-name.md", {(3, "error", "missing-field")}, (3, "missing-field", 'no "Name" field')),
    (
        "name-mismatch.md",
        {(5, "error", "shape:model-name-matches-title")},
        (5, "shape:model-name-matches-title", 'Name "Falcon Other" does not match the card title "Falcon Renamed"'),
    ),
    (
        "placeholder-links.md",
        {
            (5, "warning", "invalid-link"),
            (5, "error", "shape:placeholder-link"),
            (16, "warning", "invalid-link"),
            (16, "error", "shape:placeholder-link"),
        },
        (16, "shape:placeholder-link", 'Link "link-to-the-model-paper-or-repo" is the submission template\'s'),
    ),
    (
        "placeholder-text.md",
        {(13, "error", "shape:placeholder-name"), (20, "error", "shape:placeholder-description")},
        (13, "shape:placeholder-name", '"Organization Name" is the submission template\'s placeholder name'),
    ),
    ("relative-link.md", {(16, "warning", "invalid-link")}, (16, "invalid-link", '"docs/paper.pdf" is not an')),
    (
        "unknown-values.md",
        {
            (8, "warning", "unknown-modality"),
            (9, "warning", "unknown-research-field"),
            (13, "warning", "unknown-organization-type"),
            (14, "warning", "unknown-country"),
            (15, "warning", "shape:license-text"),
        },
        (15, "shape:license-text", 'License "Lumen Research License" is neither an SPDX licence nor a proprietary'),
    ),
    ("ambiguous-date.md", {(12, "warning", "ambiguous-date")}, (12, "ambiguous-date", '"3/4/2024" could be read')),
    ("duplicate-title-first.md", set(), None),
    (
        "duplicate-title-second.md",
        {(1, "error", "duplicate-iri")},
        (1, "duplicate-iri", 'title "Falcon Twin" mints <https://w3id.org/mckg/id/model/falcon-twin>, already minted'),
    ),
    ("org-type-first.md", set(), None),
    (
        "org-type-second.md",
        {(13, "error", "organization-type-conflict")},
        (
            13,
            "organization-type-conflict",
            'organization "Borealis Lab" has type "Public Company" here but "Non-profit"',
        ),
    ),
    ("org-country-first.md", set(), None),
    (
        "org-country-second.md",
        {(14, "error", "organization-country-conflict")},
        (14, "organization-country-conflict", 'has Country/Origin "Germany" here but "France" in'),
    ),
    (
        "dataset-name-first.md",
        {(7, "warning", "dataset-names")},
        (7, "dataset-names", 'given different names: "Meadow Corpus" in'),
    ),
    ("dataset-name-second.md", {(7, "warning", "dataset-names")}, (7, "dataset-names", '"The Meadow Corpus" in')),
]


def test_every_bad_card_is_listed():
    assert {name for name, _, _ in BAD_CARDS} == {p.name for p in INVALID.glob("*.md")}


@pytest.mark.parametrize(("name", "expected", "message"), BAD_CARDS, ids=[c[0] for c in BAD_CARDS])
def test_bad_card(invalid_report, name, expected, message):
    assert by_file(invalid_report.findings).get(name, set()) == expected
    if message is not None:
        line, code, text = message
        assert text in _finding(invalid_report, name, line, code).message


def test_conflicts_name_the_first_card(invalid_report):
    finding = _finding(invalid_report, "org-type-second.md", 13, "organization-type-conflict")
    assert f"{INVALID / 'org-type-first.md'}:13" in finding.message
    finding = _finding(invalid_report, "duplicate-title-second.md", 1, "duplicate-iri")
    assert f"{INVALID / 'duplicate-title-first.md'}:1" in finding.message


def test_an_exact_copy_is_a_duplicate_card(tmp_path):
    original = shutil.copy(INVALID / "ambiguous-date.md", tmp_path / "a.md")
    shutil.copy(original, tmp_path / "b.md")
    report = kg.validate([tmp_path])
    (error,) = report.errors
    assert (Path(error.file).name, error.line, error.code) == ("b.md", 1, "duplicate-card")
    assert error.message == f"this file is an exact copy of {tmp_path / 'a.md'}:1: keep one of them"


def test_a_repaired_encoding_is_reported_once():
    report = kg.validate([SEED])  # Code Llama, mis-encoded: its licence is outside SPDX as well
    assert [f.code for f in report.findings] == ["encoding-repaired", "shape:license-text"]


def test_results_of_a_card_do_not_depend_on_the_others():
    """Cards that share an organization node are validated apart: no maxCount result from their union."""
    records = kg.parse([INVALID / "org-type-first.md", INVALID / "org-type-second.md"])
    cards, _ = map_records(records)
    findings = validate_cards(cards, timeout_per_batch=None)
    assert [f.code for f in findings] == ["organization-type-conflict"]


# -- every shape, on graphs the reader would never produce --------------------------------------------


@pytest.fixture(scope="module")
def good_graph() -> rdflib.Graph:
    cards, findings = map_records(kg.parse([INVALID / "org-type-first.md"]))
    assert not findings
    graph = rdflib.Graph()
    for quad in cards[0].quads:
        graph.add(tuple(_rdflib(t) for t in (quad.subject, quad.predicate, quad.object)))  # type: ignore[arg-type]
    return graph


def _rdflib(term):
    import pyoxigraph as ox

    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if term.language:
        return Literal(term.value, lang=term.language)
    return Literal(term.value, datatype=URIRef(term.datatype.value))


def _node(g: rdflib.Graph, cls: rdflib.URIRef) -> rdflib.URIRef:
    (node,) = g.subjects(RDF.type, cls)
    return node  # type: ignore[return-value]


def _set(cls, prop, value) -> Callable[[rdflib.Graph], None]:
    return lambda g: g.set((_node(g, cls), prop, value))


def _add(cls, prop, value) -> Callable[[rdflib.Graph], None]:
    return lambda g: g.add((_node(g, cls), prop, value))


def _drop(cls, prop) -> Callable[[rdflib.Graph], None]:
    return lambda g: g.remove((_node(g, cls), prop, None))


def _second_card(prop, value) -> Callable[[rdflib.Graph], None]:
    """A merged graph: another card's copy of the same facts, with one value changed."""

    def mutate(g: rdflib.Graph) -> None:
        card = _node(g, MC.ModelCard)
        other = URIRef(str(card) + "-copy")
        for p, o in list(g.predicate_objects(card)):
            g.add((other, p, o))
        g.set((other, MC.sourceFile, Literal("copy.md")))
        if prop is not None:
            g.set((other, prop, value))

    return mutate


def _second_dataset(g: rdflib.Graph) -> None:
    dataset = _node(g, MC.Dataset)
    other = URIRef(str(dataset) + "-renamed")
    g.add((other, RDF.type, MC.Dataset))
    g.add((other, MC.name, Literal("Another name")))
    g.add((other, MC.url, g.value(dataset, MC.url)))


WEB = URIRef("https://example.org/elsewhere")
SHAPE_BREAKERS = {
    "card-title": _drop(MC.ModelCard, MC.title),
    "card-describes": _drop(MC.ModelCard, MC.describes),
    "card-source-file": _add(MC.ModelCard, MC.sourceFile, Literal("other.md")),
    "card-sha256": _set(MC.ModelCard, MC.sha256, Literal("not a digest")),
    "card-source-format": _add(MC.ModelCard, MC.sourceFormat, Literal("Another format")),
    "card-generated-by": _drop(MC.ModelCard, PROV.wasGeneratedBy),
    "card-encoding-repaired": _add(MC.ModelCard, MC.encodingRepaired, Literal(True)),
    "model-name": _drop(MC.Model, MC.name),
    "model-card": _drop(MC.Model, MC.hasCard),
    "model-organization": _drop(MC.Model, MC.developedBy),
    "model-date": _set(MC.Model, MC.publicationDate, Literal("2023-02-30", datatype=XSD.date)),
    "model-date-ambiguous": _add(MC.Model, MC.publicationDateIsAmbiguous, Literal(True)),
    "model-size": _set(MC.Model, MC.parameterCount, Literal("lots")),
    "model-size-range": _add(MC.Model, MC.minParameterCount, Literal(20_000_000_000, datatype=XSD.nonNegativeInteger)),
    "model-size-text": _add(MC.Model, MC.modelSizeText, Literal("8B")),
    "model-impact-assessment": _set(MC.Model, MC.hasImpactAssessment, Literal("maybe")),
    "model-research-field": _add(MC.Model, MC.researchField, WEB),
    "model-research-field-text": _add(MC.Model, MC.researchFieldText, Literal("Alchemy")),
    "model-modality": _add(MC.Model, MC.modality, WEB),
    "model-modality-badge": _add(MC.Model, MC.modalityBadge, WEB),
    "model-modality-text": _add(MC.Model, MC.modalityText, Literal("Smell")),
    "model-dataset": _add(MC.Model, MC.trainedOn, WEB),
    "model-license": _add(MC.Model, MC.license, WEB),
    "model-publication": _add(MC.Model, MC.publication, WEB),
    "model-description": _set(MC.Model, MC.description, Literal("No language tag")),
    "model-name-matches-title": _set(MC.Model, MC.name, Literal("Falcon Typed Three")),
    "risk-use": _add(MC.Model, MC.hasRisk, URIRef("https://w3id.org/mckg/risk/time-travel")),
    "organization-name": _drop(MC.Organization, MC.name),
    "organization-homepage": _add(MC.Organization, MC.homepage, WEB),
    "organization-type": _add(MC.Organization, MC.organizationType, URIRef(str(kg.namespaces.ORG_TYPE) + "startup")),
    "organization-type-text": _add(MC.Organization, MC.organizationTypeText, Literal("Space Agency")),
    "organization-country": _add(MC.Organization, MC.country, URIRef("https://w3id.org/dpv/loc#DE")),
    "organization-country-text": _add(MC.Organization, MC.countryText, Literal("Atlantis")),
    "organization-description": _set(MC.Organization, MC.description, Literal("No language tag")),
    "dataset-named": lambda g: [_drop(MC.Dataset, MC.name)(g), _drop(MC.Dataset, MC.description)(g)],
    "dataset-name": _add(MC.Dataset, MC.name, Literal("Second name")),
    "dataset-url": _add(MC.Dataset, MC.url, WEB),
    "dataset-description": _add(MC.Dataset, MC.description, Literal("No language tag")),
    "publication-title": _drop(MC.Publication, MC.title),
    "license-name": _drop(MC.License, MC.name),
    "license-spdx-id": _set(MC.License, MC.spdxId, Literal("MIT License")),
    "license-text": _add(MC.License, MC.licenseText, Literal("Lumen Research License")),
    "url-is-web-address": _set(MC.Model, MC.url, URIRef("javascript:alert(1)")),
    "homepage-is-web-address": _set(MC.Organization, MC.homepage, Literal("https://example.org/")),
    "link-is-web-address": _add(MC.Dataset, MC.link, URIRef("file:///etc/passwd")),
    "unresolved-link": _add(MC.Dataset, MC.unresolvedLink, Literal("docs/data.html")),
    "placeholder-name": _set(MC.Organization, MC.name, Literal("Organization Name")),
    "placeholder-title": _set(
        MC.Publication, MC.title, Literal("Name of a publication or repository tied to the model")
    ),
    "placeholder-description": _set(
        MC.Model, MC.description, Literal("Short. Maximum three paragraphs long!", lang="en")
    ),
    "placeholder-link": _add(MC.Publication, MC.unresolvedLink, Literal("link-to-the-paper")),
    "duplicate-card": _second_card(None, None),
    "dataset-names": _second_dataset,
}


def _shapes_with_results() -> set[str]:
    """Every shape of shapes/ that can produce a result (not the deactivated `card-file`)."""
    graph = rdflib.Graph()
    for path in shape_files(cross_card=True):
        graph.parse(path, format="turtle")
    named = set()
    for kind in (SH.PropertyShape, SH.SPARQLConstraint, SH.NodeShape):
        for node in graph.subjects(RDF.type, kind):
            if (node, SH.sparql, None) in graph or (node, SH.deactivated, Literal(True)) in graph:
                continue
            named.add(str(node).removeprefix(str(MCSH)))
    return named


def test_every_shape_has_a_breaker_a_message_and_a_severity():
    assert set(SHAPE_BREAKERS) == _shapes_with_results()
    graph = rdflib.Graph()
    for path in shape_files(cross_card=True):
        graph.parse(path, format="turtle")
    for name in SHAPE_BREAKERS:
        assert graph.value(MCSH[name], SH.message), name
        assert graph.value(MCSH[name], SH.severity) in (SH.Violation, SH.Warning), name
    codes_with_twins = {shape for shapes in SAME_RULE.values() for shape in shapes}
    assert codes_with_twins <= set(SHAPE_BREAKERS)


def test_the_good_graph_conforms(good_graph):
    assert check_graph(good_graph) == []


def test_shapes_are_never_taken_from_the_data(good_graph):
    graph = rdflib.Graph()
    for triple in good_graph:
        graph.add(triple)
    graph.parse(
        data="""@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix mc: <https://w3id.org/mckg/ontology#> .
        <urn:evil> a sh:NodeShape ; sh:targetClass mc:Model ; sh:property [ sh:path mc:name ; sh:maxCount 0 ] .""",
        format="turtle",
    )
    assert check_graph(graph) == []


def test_validation_opens_no_socket(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("validation tried to use the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    cards, _ = map_records(kg.parse([CLAUDE]))
    assert any(f.code == "shape:placeholder-link" for f in validate_cards(cards, timeout_per_batch=None))


@pytest.mark.parametrize("shape", sorted(SHAPE_BREAKERS))
def test_every_shape_catches_its_bad_graph(good_graph, shape):
    graph = rdflib.Graph()
    for triple in good_graph:
        graph.add(triple)
    SHAPE_BREAKERS[shape](graph)
    fired = {r.shape.removeprefix(str(MCSH)) for r in check_graph(graph)}
    assert shape in fired
    # Breaking one rule breaks only that rule, but a placeholder link is also unresolved, and a placeholder
    # model name also differs from the title; a second card (duplicate-card) also gives two file names.
    also = {"placeholder-name": "model-name-matches-title", "placeholder-link": "unresolved-link"}
    assert fired <= {shape, also.get(shape, shape), "card-source-file", "card-sha256"}, fired


# -- reports ------------------------------------------------------------------------------------------


def test_json_report_is_documented_shape():
    result = run_kg("validate", str(CLAUDE), str(ML_CARDS / "GPT-2.md"), "--format", "json")
    assert result.returncode == 1, result.stderr
    doc = json.loads(result.stdout)
    assert doc["conforms"] is False
    assert doc["summary"] == {
        "cards": 2,
        "errors": 11,
        "warnings": 6,
        "cardsWithErrors": 1,
        "checkedWithShacl": 2,
        "fromCache": 0,
    }
    keys = {"file", "line", "severity", "code", "message", "card", "shape", "component", "focusNode", "path", "value"}
    assert all(set(r) == keys for r in doc["results"])
    (mismatch,) = [r for r in doc["results"] if r["code"] == "shape:model-name-matches-title"]
    assert mismatch == {
        "file": str(CLAUDE),
        "line": 5,
        "severity": "error",
        "code": "shape:model-name-matches-title",
        "message": 'Name "Model X" does not match the card title "Claude 3": the Name link text and the '
        "`# Title` line must be the same",
        "card": "https://w3id.org/mckg/id/card/claude-3",
        "shape": str(MCSH["model-name-matches-title"]),
        "component": str(SH.SPARQLConstraintComponent),
        "focusNode": "https://w3id.org/mckg/id/model/claude-3",
        "path": str(MC.name),
        "value": "Model X",
    }


REPORT_SHAPES = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix mc: <https://w3id.org/mckg/ontology#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix t: <urn:test:> .
t:Report a sh:NodeShape ; sh:targetClass sh:ValidationReport ;
    sh:property [ sh:path sh:conforms ; sh:minCount 1 ; sh:maxCount 1 ; sh:datatype xsd:boolean ] ;
    sh:property [ sh:path sh:result ; sh:class sh:ValidationResult ] .
t:Result a sh:NodeShape ; sh:targetClass sh:ValidationResult ;
    sh:property [ sh:path sh:focusNode ; sh:minCount 1 ; sh:maxCount 1 ] ;
    sh:property [ sh:path sh:resultSeverity ; sh:minCount 1 ; sh:maxCount 1 ; sh:in ( sh:Violation sh:Warning ) ] ;
    sh:property [ sh:path sh:sourceConstraintComponent ; sh:minCount 1 ; sh:maxCount 1 ; sh:nodeKind sh:IRI ] ;
    sh:property [ sh:path sh:sourceShape ; sh:maxCount 1 ; sh:nodeKind sh:IRI ] ;
    sh:property [ sh:path sh:resultPath ; sh:maxCount 1 ] ;
    sh:property [ sh:path sh:value ; sh:maxCount 1 ] ;
    sh:property [ sh:path sh:resultMessage ; sh:minCount 1 ; sh:nodeKind sh:Literal ] ;
    sh:property [ sh:path prov:wasDerivedFrom ; sh:minCount 1 ; sh:maxCount 1 ; sh:class mc:ModelCard ] .
t:Card a sh:NodeShape ; sh:targetClass mc:ModelCard ;
    sh:property [ sh:path mc:sourceFile ; sh:minCount 1 ; sh:maxCount 1 ] .
"""


def test_turtle_report_parses_and_conforms_to_the_report_vocabulary():
    result = run_kg("validate", str(CLAUDE), str(INVALID / "ambiguous-date.md"), "--format", "ttl")
    assert result.returncode == 1, result.stderr
    report = rdflib.Graph().parse(data=result.stdout, format="turtle")
    conforms, _, text = pyshacl.validate(report, shacl_graph=rdflib.Graph().parse(data=REPORT_SHAPES, format="turtle"))
    assert conforms, text
    (node,) = report.subjects(RDF.type, SH.ValidationReport)
    assert report.value(node, SH.conforms) == Literal(False)
    results = list(report.objects(node, SH.result))
    assert len(results) == 11 + 6 + 1  # Claude's 11 errors and 6 warnings, the other card's ambiguous date
    claude = URIRef("https://w3id.org/mckg/id/card/claude-3")
    assert report.value(claude, MC.sourceFile) == Literal("Claude 3.md")
    mismatch = report.value(predicate=SH.sourceShape, object=MCSH["model-name-matches-title"])
    assert report.value(mismatch, PROV.wasDerivedFrom) == claude
    assert report.value(mismatch, SH.resultPath) == MC.name
    assert report.value(mismatch, SH.value) == Literal("Model X")


def test_text_report_groups_by_card_and_counts():
    result = run_kg("validate", str(INVALID / "ambiguous-date.md"), str(INVALID / "impossible-date.md"))
    assert result.returncode == 1
    a, b = INVALID / "ambiguous-date.md", INVALID / "impossible-date.md"
    assert result.stdout.splitlines() == [
        f'{a}:12: warning: Date of Publication "3/4/2024" could be read as m/d or d/m; read as m/d (2024-03-04) '
        "like the rest of the Model Library [ambiguous-date]",
        "",
        f'{b}:12: error: Date of Publication "2/30/2023" is not a valid m/d/yyyy date (e.g. 2/24/2019) [invalid-date]',
        "",
        "1 error, 1 warning in 2 cards (1 with errors)",
    ]


def test_validate_exit_codes():
    assert run_kg("validate", str(INVALID / "ambiguous-date.md")).returncode == 0  # warnings never fail
    usage = run_kg("validate", "no-such-card.md")
    assert usage.returncode == 2 and "no such file or folder" in usage.stderr
    assert run_kg("validate", str(CLAUDE), "--format", "xml").returncode == 2
    assert "Exit codes" in run_kg("validate", "--help").stdout


# -- build semantics ----------------------------------------------------------------------------------


def test_build_refuses_a_violation_and_keeps_the_previous_outputs(tmp_path):
    cards, out = tmp_path / "cards", tmp_path / "out"
    cards.mkdir()
    shutil.copy(ML_CARDS / "GPT-2.md", cards)
    assert run_kg("build", str(cards), "-o", str(out)).returncode == 0
    assert (out / "validation.ttl").exists()
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file() and ".cache" not in p.parts}
    shutil.copy(CLAUDE, cards)
    result = run_kg("build", str(cards), "-o", str(out))
    assert result.returncode == 1
    assert f'{cards / "Claude 3.md"}:5: error: Name "Model X" does not match the card title' in result.stderr
    assert "Nothing written" in result.stderr
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file() and ".cache" not in p.parts} == before


def test_keep_going_publishes_the_valid_cards_and_the_report(tmp_path):
    out = tmp_path / "out"
    result = run_kg("build", str(CLAUDE), str(ML_CARDS / "GPT-2.md"), "-o", str(out), "--keep-going")
    assert result.returncode == Status.PARTIAL, result.stderr
    assert f"Left out (errors): {CLAUDE}" in result.stderr
    graph = (out / "graph.nt").read_text(encoding="utf-8")
    assert "/model/gpt-2>" in graph and "/model/claude-3>" not in graph
    report = rdflib.Graph().parse(out / "validation.ttl", format="turtle")
    derived = set(report.objects(None, PROV.wasDerivedFrom))
    assert URIRef("https://w3id.org/mckg/id/card/claude-3") in derived


def test_the_published_corpus_graph_has_no_violation(tmp_path):
    """The whole published graph, cross-card shapes included: what kg publishes conforms to its own shapes."""
    kg.build([ML_CARDS], tmp_path, keep_going=True, model_documents=False)
    results = check_graph(rdflib.Graph().parse(tmp_path / "graph.nt", format="nt"))
    assert results and all(r.severity == str(SH.Warning) for r in results)
    assert {r.shape.removeprefix(str(MCSH)) for r in results} == {"model-date-ambiguous", "license-text"}


def test_build_without_validation_publishes_the_template(tmp_path):
    assert kg.build([CLAUDE], tmp_path).status is Status.FAILED
    result = kg.build([CLAUDE], tmp_path, validate=False)
    assert result.status is Status.OK and not (tmp_path / "validation.ttl").exists()


# -- bounded time and the cache -----------------------------------------------------------------------


def test_a_card_that_overruns_its_deadline_is_an_error():
    cards, _ = map_records(kg.parse([ML_CARDS / "GPT-2.md", ML_CARDS / "GPT-3.md", ML_CARDS / "GPT-J.md"]))
    findings = validate_cards(cards, timeout_per_batch=0.001)
    assert {(Path(f.file).name, f.line, f.code) for f in findings} == {
        ("GPT-2.md", 1, "not-validated"),
        ("GPT-3.md", 1, "not-validated"),
        ("GPT-J.md", 1, "not-validated"),
    }
    assert all("did not finish within" in f.message for f in findings)


HANG_AFTER_START = (
    "import sys, time; from kg.shacl import READY, write_frame; write_frame(sys.stdout.buffer, READY); time.sleep(600)"
)


def test_a_hanging_worker_is_killed_at_the_deadline(monkeypatch):
    monkeypatch.setattr(kg.shacl_pool, "_SERVE", HANG_AFTER_START)
    cards, _ = map_records(kg.parse([ML_CARDS / "GPT-2.md", ML_CARDS / "GPT-3.md", ML_CARDS / "GPT-J.md"]))
    started = time.monotonic()
    outcomes = validate_cards_raw([[q.triple for q in c.quads] for c in cards], timeout=0.5)
    assert [o.failure for o in outcomes] == ["validation did not finish within 0.5 s"] * 3
    assert time.monotonic() - started < 60  # 3 rounds of 0.5 s, plus worker start-ups


def test_a_worker_that_never_starts_is_killed(monkeypatch):
    monkeypatch.setattr(kg.shacl_pool, "_SERVE", "import time; time.sleep(600)")
    monkeypatch.setattr(kg.shacl_pool, "STARTUP_TIMEOUT", 0.5)
    cards, _ = map_records(kg.parse([ML_CARDS / "GPT-2.md"]))
    (outcome,) = validate_cards_raw([[q.triple for q in c.quads] for c in cards], timeout=0.5)
    assert outcome.failure == "the worker process did not start within 0.5 s"


def test_a_card_that_breaks_pyshacl_is_isolated_from_its_batch(tmp_path):
    """pySHACL puts SPARQL result values into messages with re.sub: a backslash escape in a value raises."""
    text = (INVALID / "name-mismatch.md").read_text(encoding="utf-8")
    (tmp_path / "bad.md").write_text(text.replace("# Falcon Renamed", "# Falcon\\d Renamed"), encoding="utf-8")
    shutil.copy(INVALID / "unknown-values.md", tmp_path / "good.md")
    cards, _ = map_records(kg.parse([tmp_path]))
    findings = validate_cards(cards)
    (error,) = [f for f in findings if f.severity.value == "error"]
    assert (Path(error.file).name, error.line, error.code) == ("bad.md", 1, "not-validated")
    assert "bad escape" in error.message and error.message.endswith("the card was not validated")
    assert [f.code for f in findings if Path(f.file).name == "good.md"] == ["shape:license-text"]


def test_workers_and_in_process_agree(invalid_report):
    records = kg.parse([INVALID])
    cards, _ = map_records(records)
    in_process = validate_cards(cards, timeout_per_batch=None)
    in_workers = validate_cards(cards)
    assert in_process == in_workers
    assert set(in_process) <= set(invalid_report.findings)


def test_second_run_checks_only_the_changed_card(tmp_path):
    cards, cache = tmp_path / "cards", tmp_path / "cache"
    cards.mkdir()
    for name in ("GPT-2.md", "GPT-3.md", "BLOOM.md", "Whisper.md"):
        shutil.copy(ML_CARDS / name, cards)
    first = kg.validate([cards], cache_dir=cache)
    assert (first.stats.checked, first.stats.cached) == (4, 0)
    again = kg.validate([cards], cache_dir=cache)
    assert (again.stats.checked, again.stats.cached) == (0, 4)
    assert again.findings == first.findings
    changed = cards / "GPT-2.md"
    changed.write_text(changed.read_text(encoding="utf-8").replace("(Non-profit)", "(Martian Guild)"), "utf-8")
    third = kg.validate([cards], cache_dir=cache)
    assert (third.stats.checked, third.stats.cached) == (1, 3)
    assert third.findings == kg.validate([cards]).findings
    assert any(f.code == "unknown-organization-type" for f in third.findings)


def test_cache_is_dropped_when_the_rules_change_or_it_is_corrupt(tmp_path):
    cache = tmp_path / "cache"
    kg.validate([ML_CARDS / "GPT-2.md"], cache_dir=cache)
    data = json.loads((cache / "validation.json").read_text())
    data["rules"] = "an older set of shapes"
    (cache / "validation.json").write_text(json.dumps(data))
    assert kg.validate([ML_CARDS / "GPT-2.md"], cache_dir=cache).stats.checked == 1
    (cache / "validation.json").write_text("{not json")
    stats = ValidationStats()
    cards, _ = map_records(kg.parse([ML_CARDS / "GPT-2.md"]))
    validate_cards(cards, cache_dir=cache, stats=stats)
    assert stats.checked == 1
    assert json.loads((cache / "validation.json").read_text())["cards"]
    assert [p.name for p in cache.iterdir()] == ["validation.json"], "no temporary file left"
