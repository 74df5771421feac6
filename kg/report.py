"""A validation report as text (for people and editors), JSON (for programs) or Turtle (for the graph).

- **text**: one compiler-style line per finding, `file:line: severity: message [code]`, cards separated by
  a blank line, then `N errors, M warnings in K cards`.
- **json**: `{"conforms", "summary", "results"}`; each result has `file`, `line`, `severity`, `code`,
  `message`, `card` (the card's IRI, its provenance node), and for SHACL results `shape`, `component`,
  `focusNode`, `path` and `value` (the IRI or the literal's text), else null. `conforms` is kg's notion:
  no errors.
- **ttl**: a `sh:ValidationReport` with one `sh:ValidationResult` per finding, each linked to the card it
  came from by `prov:wasDerivedFrom`; the card nodes carry `mc:sourceFile` and `mc:sha256`. Findings of
  kg's own checks (reader, mapper, cross-card) name the deactivated shape `mcsh:card-file` and the
  component `mcsh:CardFileConstraintComponent`, declared in the report. `sh:conforms` follows SHACL: it is
  false as soon as there is any result, warnings included.
"""

from __future__ import annotations

import json

import pyoxigraph as ox

from kg.collisions import CardFacts
from kg.namespaces import MC, PREFIXES, PROV, RDF, RDFS, XSD
from kg.records import Finding, Severity
from kg.shacl import parse_term
from kg.validation import ShaclFinding, ValidationReport

SH = "http://www.w3.org/ns/shacl#"
MCSH = "https://w3id.org/mckg/shapes#"
CARD_FILE_SHAPE = MCSH + "card-file"
CARD_FILE_COMPONENT = MCSH + "CardFileConstraintComponent"
FORMATS = ("text", "json", "ttl")
_TYPE = f"<{RDF}type>"


def render(report: ValidationReport, fmt: str) -> str:
    if fmt == "text":
        return text(report)
    if fmt == "json":
        return json.dumps(as_json(report), indent=2, ensure_ascii=False) + "\n"
    if fmt == "ttl":
        return turtle(report.findings, report.cards).decode("utf-8")
    raise ValueError(f"unknown report format {fmt!r}: use one of {', '.join(FORMATS)}")


def summary(findings: list[Finding], cards: int) -> str:
    errors = sum(f.severity is Severity.ERROR for f in findings)
    failing = len({f.file for f in findings if f.severity is Severity.ERROR})
    text = f"{_count(errors, 'error')}, {_count(len(findings) - errors, 'warning')} in {_count(cards, 'card')}"
    return text + (f" ({failing} with errors)" if failing else "")


def text(report: ValidationReport) -> str:
    lines: list[str] = []
    for i, finding in enumerate(report.findings):
        if i and finding.file != report.findings[i - 1].file:
            lines.append("")
        lines.append(str(finding))
    if lines:
        lines.append("")
    lines.append(summary(report.findings, report.files))
    return "\n".join(lines) + "\n"


def as_json(report: ValidationReport) -> dict[str, object]:
    cards = _card_iris(report.cards)
    errors = [f for f in report.findings if f.severity is Severity.ERROR]
    return {
        "conforms": not errors,
        "summary": {
            "cards": report.files,
            "errors": len(errors),
            "warnings": len(report.findings) - len(errors),
            "cardsWithErrors": len({f.file for f in errors}),
            "checkedWithShacl": report.stats.checked,
            "fromCache": report.stats.cached,
        },
        "results": [_json_result(f, cards.get(f.file)) for f in report.findings],
    }


def _json_result(finding: Finding, card: str | None) -> dict[str, object]:
    shacl = finding if isinstance(finding, ShaclFinding) else None
    return {
        "file": finding.file,
        "line": finding.line,
        "severity": finding.severity.value,
        "code": finding.code,
        "message": finding.message,
        "card": card,
        "shape": shacl.shape if shacl else None,
        "component": shacl.component if shacl else None,
        "focusNode": shacl.focus if shacl else None,
        "path": shacl.path if shacl else None,
        "value": parse_term(shacl.value).value if shacl and shacl.value else None,
    }


def turtle(findings: list[Finding], cards: list[CardFacts]) -> bytes:
    """The findings as a SHACL validation report in Turtle, deterministic for the same findings."""
    iris = _card_iris(cards)
    report = ox.BlankNode("report")
    triples = [
        ox.Triple(report, _iri(RDF + "type"), _iri(SH + "ValidationReport")),
        ox.Triple(report, _iri(SH + "conforms"), ox.Literal(str(not findings).lower(), datatype=_iri(XSD + "boolean"))),
    ]
    unmapped: dict[str, ox.BlankNode] = {}
    width = len(str(len(findings)))
    for n, finding in enumerate(findings, start=1):
        result = ox.BlankNode(f"r{n:0{width}d}")
        card_iri = iris.get(finding.file)
        if card_iri is not None:
            source: ox.NamedNode | ox.BlankNode = _iri(card_iri)
        else:  # a file that could not be read as a card has no IRI
            source = unmapped.setdefault(finding.file, ox.BlankNode(f"file{len(unmapped) + 1}"))
        triples += [
            ox.Triple(report, _iri(SH + "result"), result),
            ox.Triple(result, _iri(RDF + "type"), _iri(SH + "ValidationResult")),
            ox.Triple(result, _iri(SH + "resultSeverity"), _iri(SH + _severity(finding))),
            ox.Triple(result, _iri(PROV + "wasDerivedFrom"), source),
            *_result_details(result, finding, source),
        ]
    reported = {f.file for f in findings}
    for card in cards:  # two files that claim one card IRI give that node two file names, as in the graph
        if card.path in reported:
            triples += _provenance(_iri(card.graph), card.path, card.sha256)
    for path, node in unmapped.items():
        triples += _provenance(node, path, None)
    if any(not isinstance(f, ShaclFinding) for f in findings):
        triples += _declare_card_file_component()
    prefixes = {name: PREFIXES[name] for name in ("mc", "prov", "rdf", "rdfs", "xsd")} | {"sh": SH, "mcsh": MCSH}
    ordered = sorted(triples, key=lambda t: (str(t.subject) != "_:report", str(t.subject), str(t.predicate) != _TYPE))
    return ox.serialize(ordered, format=ox.RdfFormat.TURTLE, prefixes=prefixes)


def _result_details(result: ox.BlankNode, finding: Finding, card: ox.NamedNode | ox.BlankNode) -> list[ox.Triple]:
    if not isinstance(finding, ShaclFinding):
        return [
            ox.Triple(result, _iri(SH + "focusNode"), card),
            ox.Triple(result, _iri(SH + "sourceShape"), _iri(CARD_FILE_SHAPE)),
            ox.Triple(result, _iri(SH + "sourceConstraintComponent"), _iri(CARD_FILE_COMPONENT)),
            ox.Triple(result, _iri(SH + "resultMessage"), ox.Literal(f"{finding.message} [{finding.code}]")),
        ]
    triples = [
        ox.Triple(result, _iri(SH + "focusNode"), _iri(finding.focus)),
        ox.Triple(result, _iri(SH + "sourceShape"), _iri(finding.shape)),
        ox.Triple(result, _iri(SH + "sourceConstraintComponent"), _iri(finding.component)),
        ox.Triple(result, _iri(SH + "resultMessage"), ox.Literal(finding.message)),
    ]
    if finding.path:
        triples.append(ox.Triple(result, _iri(SH + "resultPath"), _iri(finding.path)))
    if finding.value:
        triples.append(ox.Triple(result, _iri(SH + "value"), parse_term(finding.value)))
    return triples


def _provenance(node: ox.NamedNode | ox.BlankNode, path: str, sha256: str | None) -> list[ox.Triple]:
    triples = [
        ox.Triple(node, _iri(RDF + "type"), _iri(MC + "ModelCard")),
        ox.Triple(node, _iri(MC + "sourceFile"), ox.Literal(path.replace("\\", "/").rsplit("/", 1)[-1])),
    ]
    if sha256:
        triples.append(ox.Triple(node, _iri(MC + "sha256"), ox.Literal(sha256)))
    return triples


def _declare_card_file_component() -> list[ox.Triple]:
    component = _iri(CARD_FILE_COMPONENT)
    return [
        ox.Triple(component, _iri(RDF + "type"), _iri(SH + "ConstraintComponent")),
        ox.Triple(component, _iri(RDFS + "label"), ox.Literal("kg card file check", language="en")),
        ox.Triple(
            component,
            _iri(RDFS + "comment"),
            ox.Literal(
                "A check that kg makes in Python on a card file rather than with SHACL: the card reader "
                "(Markdown structure, values it cannot normalize), the mapper, or the rules across cards. "
                "The result message ends with the check's code in brackets.",
                language="en",
            ),
        ),
    ]


def _card_iris(cards: list[CardFacts]) -> dict[str, str]:
    return {card.path: card.graph for card in cards}


def _severity(finding: Finding) -> str:
    return "Violation" if finding.severity is Severity.ERROR else "Warning"


def _iri(value: str) -> ox.NamedNode:
    return ox.NamedNode(value)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"
