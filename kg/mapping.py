"""Records to RDF: pure functions from a `CardRecord` to the quads of the card's own named graph.

Every triple is built from Oxigraph terms, never by formatting RDF text. Each card's triples go in a named
graph whose name is the card's IRI, so a card can be replaced or removed without touching the others.
`MappedCard.lines` keeps, for each (subject, predicate), the card line the value came from: that is how a
SHACL result is traced back to `file:line`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import PurePath

import pyoxigraph as ox

from kg.iris import Minter
from kg.linkouts import country_code, country_link, is_proprietary, spdx_license
from kg.namespaces import LOC, MC, PROV, RDF, RDFS, SCHEMA, SKOS, SOFTWARE, SPDX, XSD
from kg.records import CardRecord, Field, Finding, Link, Severity
from kg.vocabulary import FIELD_SCHEME, MODALITY_SCHEME, ORG_TYPE_SCHEME, RISK_SCHEME, Vocabulary

SOURCE_FORMAT = "Model Library Markdown"


def _mc(name: str) -> ox.NamedNode:
    return ox.NamedNode(MC + name)


A = ox.NamedNode(RDF + "type")
T = _mc  # shorthand used below for ontology terms
XSD_DATE = ox.NamedNode(XSD + "date")
XSD_BOOLEAN = ox.NamedNode(XSD + "boolean")
XSD_NNI = ox.NamedNode(XSD + "nonNegativeInteger")
TRUE = ox.Literal("true", datatype=XSD_BOOLEAN)
FALSE = ox.Literal("false", datatype=XSD_BOOLEAN)
PROV_GENERATED_BY = ox.NamedNode(PROV + "wasGeneratedBy")
PROV_ASSOCIATED_WITH = ox.NamedNode(PROV + "wasAssociatedWith")


@dataclass(slots=True)
class MappedCard:
    """One card as RDF: its named graph, the quads in it, and where each value came from."""

    record: CardRecord
    model: ox.NamedNode
    graph: ox.NamedNode
    quads: list[ox.Quad] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    lines: dict[tuple[str, str], int] = field(default_factory=dict)


class _Emitter:
    """Appends quads to one card's graph and remembers the line behind each (subject, predicate)."""

    def __init__(self, out: MappedCard) -> None:
        self.out = out

    def add(self, s: ox.NamedNode, p: ox.NamedNode, o: ox.NamedNode | ox.Literal, line: int = 0) -> None:
        self.out.quads.append(ox.Quad(s, p, o, self.out.graph))
        if line:
            self.out.lines.setdefault((s.value, p.value), line)

    def warn(self, line: int, code: str, message: str, severity: Severity = Severity.WARNING) -> None:
        self.out.findings.append(Finding(self.out.record.path, line, severity, code, message))

    def link(self, s: ox.NamedNode, p: ox.NamedNode, link: Link, line: int) -> None:
        """An IRI when the link is an absolute IRI, else the target kept as `mc:unresolvedLink` text."""
        if link.url:
            self.add(s, p, ox.NamedNode(link.url), line)
        elif link.target:
            self.add(s, T("unresolvedLink"), ox.Literal(link.target), line)

    def concept(
        self,
        vocab: Vocabulary,
        s: ox.NamedNode,
        scheme: str,
        value: Field[str],
        predicate: str,
        what: str,
        text: str | None = None,
    ) -> None:
        """Link to the scheme's concept, or keep the text (`mc:…Text`) and warn: open lists never grow."""
        assert value.value is not None
        concept = vocab.lookup(scheme, value.value)
        if concept is not None:
            self.add(s, T(predicate), concept, value.span.line)
            return
        self.add(s, T(text or predicate + "Text"), ox.Literal(value.value), value.span.line)
        self.warn(
            value.span.line,
            f"unknown-{what}",
            f'{what.replace("-", " ")} "{value.value}" is not in the '
            f"project's {what.replace('-', ' ')} scheme; it is kept as text",
        )


def _text(value: str) -> ox.Literal:
    return ox.Literal(value)


def _en(value: str) -> ox.Literal:
    return ox.Literal(value, language="en")


def map_card(record: CardRecord, vocab: Vocabulary, minter: Minter, version: str) -> MappedCard:
    """Map one readable card (it must have a title) to the quads of its named graph."""
    title = record.title.value
    assert title is not None, "map_card needs a card with a title"
    model, card = minter.model(title), minter.card(title)
    out = MappedCard(record=record, model=model, graph=card)
    e = _Emitter(out)
    title_line = record.title.span.line

    build = minter.build(version)
    software = ox.NamedNode(SOFTWARE)
    e.add(card, A, T("ModelCard"), title_line)
    e.add(card, T("title"), _text(title), title_line)
    e.add(card, T("describes"), model, title_line)
    e.add(card, T("sourceFile"), _text(PurePath(record.path).name))
    e.add(card, T("sha256"), _text(record.sha256))
    e.add(card, T("sourceFormat"), _text(SOURCE_FORMAT))
    if record.encoding_repaired:
        e.add(card, T("encodingRepaired"), TRUE)
    e.add(card, PROV_GENERATED_BY, build)
    e.add(build, A, ox.NamedNode(PROV + "Activity"))
    e.add(build, PROV_ASSOCIATED_WITH, software)
    e.add(software, A, ox.NamedNode(PROV + "SoftwareAgent"))
    e.add(software, ox.NamedNode(SCHEMA + "name"), _text("kg"))
    e.add(software, ox.NamedNode(SCHEMA + "softwareVersion"), _text(version))

    e.add(model, A, T("Model"), title_line)
    e.add(model, T("hasCard"), card, title_line)
    _map_model_details(e, vocab, minter, record, model, title)
    if record.description:
        paragraphs = "\n\n".join(p.value for p in record.description if p.value)
        e.add(model, T("description"), _en(paragraphs), record.description[0].span.line)
    return out


def _map_model_details(
    e: _Emitter, vocab: Vocabulary, minter: Minter, r: CardRecord, model: ox.NamedNode, title: str
) -> None:
    if r.name and r.name.value:
        e.add(model, T("name"), _text(r.name.value.text), r.name.span.line)
        e.link(model, T("url"), r.name.value, r.name.span.line)
    for badge in r.modality_badges:
        e.concept(vocab, model, MODALITY_SCHEME, badge, "modalityBadge", "modality", text="modalityText")
    if r.model_size and r.model_size.value:
        size, line = r.model_size.value, r.model_size.span.line
        e.add(model, T("parameterCount"), ox.Literal(str(size.maximum), datatype=XSD_NNI), line)
        if size.is_range:
            e.add(model, T("minParameterCount"), ox.Literal(str(size.minimum), datatype=XSD_NNI), line)
        e.add(model, T("modelSizeText"), _text(r.model_size.span.raw.strip()), line)
    if r.dataset and r.dataset.value:
        _map_dataset(e, minter, r.dataset, model, title)
    for value in r.io_formats:
        e.concept(vocab, model, MODALITY_SCHEME, value, "modality", "modality")
    for value in r.research_fields:
        e.concept(vocab, model, FIELD_SCHEME, value, "researchField", "research-field")
    if r.impact_assessment and r.impact_assessment.value is not None:
        e.add(
            model, T("hasImpactAssessment"), TRUE if r.impact_assessment.value else FALSE, r.impact_assessment.span.line
        )
    for risk in r.risks:
        assert risk.value is not None
        concept = vocab.lookup(RISK_SCHEME, risk.value)
        if concept is None:
            e.warn(
                risk.span.line,
                "unknown-risk",
                f'risk "{risk.value}" is not one of the 11 Model Library risks '
                "(see ontology/risks.ttl or `kg docs`); fix the spelling or remove it",
                Severity.ERROR,
            )
        else:
            e.add(model, T("hasRisk"), concept, risk.span.line)
    if r.publication_date and r.publication_date.value:
        date, line = r.publication_date.value, r.publication_date.span.line
        e.add(model, T("publicationDate"), ox.Literal(date.date.isoformat(), datatype=XSD_DATE), line)
        if date.ambiguous:
            e.add(model, T("publicationDateIsAmbiguous"), TRUE, line)
    if r.organization and r.organization.value:
        _map_organization(e, vocab, minter, r, model)
    if r.license and r.license.value:
        _map_license(e, minter, r.license, model)
    if r.publication and r.publication.value and r.publication.value.text:
        pub_link, line = r.publication.value, r.publication.span.line
        publication = minter.publication(pub_link.text)
        e.add(model, T("publication"), publication, line)
        e.add(publication, A, T("Publication"), line)
        e.add(publication, T("title"), _text(pub_link.text), line)
        e.link(publication, T("url"), pub_link, line)


def _map_dataset(e: _Emitter, minter: Minter, value: Field, model: ox.NamedNode, title: str) -> None:
    """A Dataset value that is just one link names a dataset shared across cards; prose is this model's own."""
    data, line = value.value, value.span.line
    single = len(data.links) == 1 and data.text.strip() == data.links[0].text.strip()
    dataset = minter.dataset(data.links[0].text if single else title + " training data")
    e.add(model, T("trainedOn"), dataset, line)
    e.add(dataset, A, T("Dataset"), line)
    if single:
        e.add(dataset, T("name"), _text(data.links[0].text), line)
        e.link(dataset, T("url"), data.links[0], line)
        return
    e.add(dataset, T("description"), _en(data.text), line)
    for link in data.links:
        e.link(dataset, T("link"), link, line)


def _map_organization(e: _Emitter, vocab: Vocabulary, minter: Minter, r: CardRecord, model: ox.NamedNode) -> None:
    assert r.organization is not None and r.organization.value is not None
    ref, line = r.organization.value, r.organization.span.line
    org = minter.organization(ref.name)
    e.add(model, T("developedBy"), org, line)
    e.add(org, A, T("Organization"), line)
    e.add(org, T("name"), _text(ref.name), line)
    if ref.link:
        e.link(org, T("homepage"), ref.link, line)
    if ref.type_label:
        e.concept(
            vocab,
            org,
            ORG_TYPE_SCHEME,
            Field(ref.type_label, r.organization.span),
            "organizationType",
            "organization-type",
        )
    if r.country and r.country.value:
        code = country_code(r.country.value)
        if code is None:
            e.add(org, T("countryText"), _text(r.country.value), r.country.span.line)
            e.warn(
                r.country.span.line,
                "unknown-country",
                f'country "{r.country.value}" is not an ISO 3166-1 country name or code; it is kept as text',
            )
        else:
            country, country_line = ox.NamedNode(LOC + code), r.country.span.line
            e.add(org, T("country"), country, country_line)
            link = country_link(code)
            if link is not None:  # code, name and Wikidata item, so no DPV is needed; DPV owns the prefLabel
                e.add(country, ox.NamedNode(SKOS + "notation"), _text(link.code), country_line)
                e.add(country, ox.NamedNode(RDFS + "label"), _en(link.name), country_line)
                e.add(country, ox.NamedNode(SKOS + "exactMatch"), ox.NamedNode(link.wikidata), country_line)
    if r.organization_description:
        text = "\n\n".join(p.value for p in r.organization_description if p.value)
        e.add(org, T("description"), _en(text), r.organization_description[0].span.line)


def _map_license(e: _Emitter, minter: Minter, value: Field[str], model: ox.NamedNode) -> None:
    assert value.value is not None
    text, line = value.value, value.span.line
    match = spdx_license(text)
    if match is not None:
        lic = ox.NamedNode(SPDX + match.spdx_id)
        e.add(lic, T("name"), _text(match.name), line)
        e.add(lic, T("spdxId"), _text(match.spdx_id), line)
        if match.marker:
            e.warn(
                line,
                "license-marker",
                f'License "{text}" carries an unexplained "{match.marker}"; it is read as {match.spdx_id}',
            )
    else:
        lic = minter.license(text)
        e.add(lic, T("name"), _text(text), line)
        if not is_proprietary(text):
            e.add(lic, T("licenseText"), _text(text), line)
    e.add(model, T("license"), lic, line)
    e.add(lic, A, T("License"), line)
