"""Pages of models, organizations, datasets and every other resource the build minted (cards, publications…).

Each function reads one resource with targeted look-ups (its own triples, then `LIMIT`ed queries with the
resource bound), so its cost does not grow with the graph. `resource_page` picks the kind from the
resource's types; concepts and schemes are in `kg.pages.concepts`.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

from kg.namespaces import MC, PROV, RDF, SCHEMA, SKOS
from kg.pages import index
from kg.pages.concepts import concept_page, scheme_page
from kg.pages.organizations import COUNT_ORGANIZATION, dataset_page, organization_page
from kg.pages.refs import (
    country_ref,
    fact,
    iris,
    links,
    listing,
    mc,
    models_path,
    predicate_label,
    ref,
    texts,
    value,
)
from kg.pages.site import Site, Term
from kg.pages.text import country, long_date, parameters, plural
from kg.pages.views import Fact, Finding, Listing, Page, Provenance, Ref, Validation

RELATED_LIMIT = 10
SAME_RISKS_CANDIDATES = 300
"""Models carrying a model's rarest risk that are checked for the same set of risks: keeps the cost bounded."""


@dataclass(frozen=True, slots=True)
class RiskView:
    risk: Ref
    notation: str
    definition: str
    guidance: tuple[str, ...]
    models: Ref | None
    """The list of every model that carries the risk (its label says how many)."""


@dataclass(frozen=True, slots=True)
class ModelView:
    name: str
    summary: str
    facts: tuple[Fact, ...]
    description: str
    risks: tuple[RiskView, ...]
    same_organization: Listing | None
    same_risks: Listing | None
    provenance: tuple[Provenance, ...]


@dataclass(frozen=True, slots=True)
class ResourceView:
    """Any other resource: its facts as the graph states them, what refers to it, and a card's validation."""

    label: str
    types: tuple[Ref, ...]
    facts: tuple[Fact, ...]
    referenced_by: Listing
    validation: Validation | None = None


# -- models -----------------------------------------------------------------------------------------------


def model_page(site: Site, iri: str) -> Page:
    name = site.label(iri)
    org = next(iter(iris(site, iri, mc("developedBy"))), None)
    facts = _model_facts(site, iri, org)
    risks = tuple(_risk_view(site, r) for r in sorted(iris(site, iri, mc("hasRisk")), key=site.label))
    view = ModelView(
        name=name,
        summary=_model_summary(site, iri, name, org, len(risks)),
        facts=tuple(facts),
        description=site.text(iri, mc("description")),
        risks=risks,
        same_organization=_same_organization(site, iri, org),
        same_risks=_same_risks(site, iri),
        provenance=tuple(provenance(site, card) for card in iris(site, iri, mc("hasCard"))),
    )
    crumbs = (Ref("Models", path="models"),)
    return Page("model", site.path_of(iri) or "", name, view, iri, view.summary, crumbs)


def _model_facts(site: Site, iri: str, org: str | None) -> list[Fact]:
    facts: list[Fact] = []
    if org:
        facts += fact("Developed by", [ref(site, org)])
        facts += fact("Organization type", [ref(site, t) for t in iris(site, org, mc("organizationType"))])
        facts += fact("Country", [country_ref(site, c) for c in iris(site, org, mc("country"))])
    ambiguous = "true" in texts(site, iri, mc("publicationDateIsAmbiguous"))
    note = "the card's date could also be read day first" if ambiguous else None
    facts += fact("Published", [Ref(long_date(d)) for d in texts(site, iri, mc("publicationDate"))], note)
    facts += fact("Size", [Ref(_size(site, iri))] if texts(site, iri, mc("modelSizeText")) else [])
    facts += fact("Modalities", _concepts(site, iri, "modality", "modalityText"))
    facts += fact("Research fields", _concepts(site, iri, "researchField", "researchFieldText"))
    facts += fact("Trained on", [ref(site, d) for d in iris(site, iri, mc("trainedOn"))])
    facts += fact("Licence", [ref(site, lic) for lic in iris(site, iri, mc("license"))])
    facts += fact("Publication", [ref(site, p) for p in iris(site, iri, mc("publication"))])
    facts += fact("Web page", links(iris(site, iri, mc("url"))))
    facts += fact("Link that is not a web address", [Ref(t) for t in texts(site, iri, mc("unresolvedLink"))])
    stated = texts(site, iri, mc("hasImpactAssessment"))
    answer = ("yes" if stated[0] == "true" else "no") if stated else "not stated on the card"
    facts += fact("Impact assessment", [Ref(answer)])
    return facts


def _concepts(site: Site, iri: str, predicate: str, text_predicate: str) -> list[Ref]:
    found = [ref(site, c) for c in iris(site, iri, mc(predicate))]
    return found + [Ref(t, note="not in the project's list") for t in texts(site, iri, mc(text_predicate))]


def _size(site: Site, iri: str) -> str:
    top = [int(t) for t in texts(site, iri, mc("parameterCount")) if t.isdigit()]
    low = [int(t) for t in texts(site, iri, mc("minParameterCount")) if t.isdigit()]
    written = texts(site, iri, mc("modelSizeText"))[0]
    if top and low:
        return f"{parameters(low[0])} to {parameters(top[0])} parameters (the card says {written})"
    if top:
        return f"{parameters(top[0])} parameters (the card says {written})"
    return written


def _model_summary(site: Site, iri: str, name: str, org: str | None, risks: int) -> str:
    modalities = [site.label(c).lower() for c in iris(site, iri, mc("modality"))]
    kind = f"a {' and '.join(modalities)} model" if modalities else "a model"
    parts = [f"{name} is {kind}"]
    if org:
        where = [site.label(c) for c in iris(site, org, mc("organizationType"))]
        where += [country(c.rsplit("#", 1)[-1]) for c in iris(site, org, mc("country"))]
        parts.append(f" developed by {site.label(org)}" + (f" ({', '.join(where)})" if where else ""))
    dates = texts(site, iri, mc("publicationDate"))
    if dates:
        parts.append(f", published on {long_date(dates[0])}")
    sentence = "".join(parts) + "."
    sizes = [int(t) for t in texts(site, iri, mc("parameterCount")) if t.isdigit()]
    if sizes:
        sentence += f" It has up to {parameters(sizes[0])} parameters."
    if risks:
        sentence += f" Its card names {plural(risks, 'risk')} of the 11 in the Model Library."
    return sentence


def _risk_view(site: Site, risk: str) -> RiskView:
    n = index.risk_counts(site).get(risk, 0)
    label = plural(n, "model carries", "models carry") + " this risk"
    return RiskView(
        risk=ref(site, risk),
        notation=site.text(risk, SKOS + "notation"),
        definition=site.text(risk, SKOS + "definition"),
        guidance=tuple(texts(site, risk, SKOS + "scopeNote")),
        models=Ref(label, path=models_path(site, risk=risk)) if n and site.path_of(risk) else None,
    )


_SAME_ORGANIZATION = """
SELECT ?m ?org ?x ?name ?note WHERE {
  ?x mc:developedBy ?org ; mc:name ?name . FILTER(?x != ?m)
  OPTIONAL { ?x mc:publicationDate ?note }
} ORDER BY LCASE(?name) ?x LIMIT 10"""


def _same_organization(site: Site, iri: str, org: str | None) -> Listing | None:
    if org is None:
        return None
    node = ox.NamedNode(org)
    rows = site.select(_SAME_ORGANIZATION, m=ox.NamedNode(iri), org=node)
    total = site.count(COUNT_ORGANIZATION, org=node) - 1
    more = Ref(f"All {plural(total + 1, 'model')} of {site.label(org)}", path=models_path(site, organization=org))
    return listing(site, rows, total, more if site.path_of(org) else None)


def _same_risks(site: Site, iri: str) -> Listing | None:
    """Models whose card names exactly the same risks, found among the first models carrying the rarest one.

    Bounded on purpose: at most `SAME_RISKS_CANDIDATES` models are looked at, so the listing says how many
    it found among those, not in the whole graph.
    """
    risks = set(iris(site, iri, mc("hasRisk")))
    if not risks:
        return None
    counts = index.risk_counts(site)
    rarest = min(risks, key=lambda r: (counts.get(r, 0), r))
    has_risk = ox.NamedNode(mc("hasRisk"))
    found: list[str] = []
    candidates = site.store.quads_for_pattern(None, has_risk, ox.NamedNode(rarest), ox.DefaultGraph())
    for n, quad in enumerate(candidates):
        if n >= SAME_RISKS_CANDIDATES or len(found) >= RELATED_LIMIT:
            break
        other = quad.subject
        if other.value != iri:
            carried = site.store.quads_for_pattern(other, has_risk, None, ox.DefaultGraph())
            if {q.object.value for q in carried} == risks:
                found.append(other.value)
    items = tuple(ref(site, x) for x in sorted(found, key=lambda x: (site.label(x).casefold(), x)))
    return Listing(items, len(items))


def provenance(site: Site, card: str) -> Provenance:
    build = next(iter(iris(site, card, PROV + "wasGeneratedBy")), None)
    software = ""
    if build:
        for agent in iris(site, build, PROV + "wasAssociatedWith"):
            software = " ".join(texts(site, agent, SCHEMA + "name") + texts(site, agent, SCHEMA + "softwareVersion"))
    return Provenance(
        card=ref(site, card),
        source_file=site.text(card, mc("sourceFile")),
        sha256=site.text(card, mc("sha256")),
        source_format=site.text(card, mc("sourceFormat")),
        build=ref(site, build) if build else None,
        software=software,
        validation=validation(site, card),
    )


def validation(site: Site, card: str) -> Validation:
    findings = site.card_findings(card)
    if findings is None:
        return Validation(False)
    shown = tuple(
        Finding(f.severity, f.message, Ref(predicate_label(f.path), f.path) if f.path else None) for f in findings
    )
    return Validation(True, shown)


# -- anything else --------------------------------------------------------------------------------------

_REFERENCED_BY = """
SELECT ?r ?x ?p WHERE {
  ?x ?p ?r . FILTER(STRSTARTS(STR(?p), STR(mc:)) || STRSTARTS(STR(?p), STR(prov:)) || STRSTARTS(STR(?p), STR(skos:)))
} LIMIT 50"""
_COUNT_REFERENCED_BY = """
SELECT ?r (COUNT(?x) AS ?n) WHERE {
  ?x ?p ?r . FILTER(STRSTARTS(STR(?p), STR(mc:)) || STRSTARTS(STR(?p), STR(prov:)) || STRSTARTS(STR(?p), STR(skos:)))
} GROUP BY ?r"""


def resource_facts(site: Site, iri: str, out: dict[str, list[Term]]) -> tuple[Fact, ...]:
    """Every statement about `iri`, except the aligned copies (a `schema:name` equal to its `mc:name`…)."""
    core = {str(o) for p, objects in out.items() if p.startswith(MC) for o in objects}
    facts = []
    for predicate, objects in out.items():
        if predicate == RDF + "type":
            continue
        if not predicate.startswith(MC) and core and all(str(o) in core for o in objects):
            continue
        facts.append(Fact(predicate_label(predicate), tuple(value(site, o) for o in objects)))
    return tuple(facts)


def generic_page(site: Site, iri: str) -> Page:
    out = site.out(iri)
    types = [t for t in site.types(iri)]
    shown = [t for t in types if t.startswith(MC)] or types
    node = ox.NamedNode(iri)
    rows = site.select(_REFERENCED_BY, r=node)
    items = sorted(
        {ref(site, row["x"].value, note=predicate_label(row["p"].value)) for row in rows},
        key=lambda r: (r.label.casefold(), r.iri or ""),
    )
    referenced = Listing(tuple(items), site.count(_COUNT_REFERENCED_BY, r=node))
    is_card = mc("ModelCard") in types
    view = ResourceView(
        label=site.label(iri),
        types=tuple(Ref(predicate_label(t), t) for t in shown),
        facts=resource_facts(site, iri, out),
        referenced_by=referenced,
        validation=validation(site, iri) if is_card else None,
    )
    kind = view.types[0].label if view.types else "Resource"
    summary = f"{kind}: {view.label}."
    return Page("resource", site.path_of(iri) or "", view.label, view, iri, summary)


def resource_page(site: Site, iri: str) -> Page | None:
    """The page of any resource that has one here (see `Site.path_of`), or None."""
    if site.path_of(iri) is None or not site.has(iri):
        return None
    types = set(site.types(iri))
    if mc("Model") in types:
        return model_page(site, iri)
    if mc("Organization") in types:
        return organization_page(site, iri)
    if mc("Dataset") in types:
        return dataset_page(site, iri)
    if SKOS + "ConceptScheme" in types:
        return scheme_page(site, iri)
    if SKOS + "Concept" in types:
        return concept_page(site, iri)
    return generic_page(site, iri)
