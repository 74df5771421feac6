"""Pages of the SKOS concepts (risks, organization types, research fields, modalities, MIT risk subdomains)
and of their schemes.

A concept page says what the concept means (definition, guidance, labels, mappings to other vocabularies)
and how the graph uses it: how many models (or organizations) carry it, the first of them in list order,
and for a risk, the years and organizations it shows up in.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

from kg.namespaces import DCTERMS, MC, OWL, RISK, SKOS
from kg.pages import index
from kg.pages.charts import integer_axis
from kg.pages.refs import LIST_LIMIT, iris, models_path, ref, texts, year
from kg.pages.site import Site
from kg.pages.text import plural
from kg.pages.views import Bar, Chart, Fact, Listing, Page, Ref

RELATIONS = (
    ("broader", "Broader"),
    ("narrower", "Narrower"),
    ("related", "Related"),
    ("exactMatch", "Same as"),
    ("closeMatch", "Close match"),
    ("broadMatch", "Broader match"),
    ("narrowMatch", "Narrower match"),
    ("relatedMatch", "Related match"),
)
USES = (
    ("hasRisk", "model", "carries", "carry"),
    ("modality", "model", "works with", "work with"),
    ("researchField", "model", "belongs to", "belong to"),
)
"""Predicates by which models use a concept, with the verb the page says it with."""
_IN_SCHEME = ox.NamedNode(SKOS + "inScheme")


@dataclass(frozen=True, slots=True)
class ConceptView:
    label: str
    notation: str
    definition: str
    guidance: tuple[str, ...]
    alt_labels: tuple[str, ...]
    scheme: Ref | None
    relations: tuple[Fact, ...]
    usage: tuple[Ref, ...]
    models: Listing | None
    organizations: Listing | None
    chart: Chart | None
    mapped_from: Listing | None


@dataclass(frozen=True, slots=True)
class ConceptRow:
    concept: Ref
    notation: str
    definition: str
    uses: Ref | None


@dataclass(frozen=True, slots=True)
class SchemeView:
    title: str
    definition: str
    facts: tuple[Fact, ...]
    concepts: tuple[ConceptRow, ...]
    chart: Chart | None


def _uses(site: Site, concept: str) -> list[tuple[str, int]]:
    """(predicate, how many models) for each way models use `concept`."""
    node = ox.NamedNode(concept)
    found = []
    for local, *_ in USES:
        pattern = site.store.quads_for_pattern(None, ox.NamedNode(MC + local), node, ox.DefaultGraph())
        if next(pattern, None) is not None:
            n = index.risk_counts(site).get(concept, 0) if local == "hasRisk" else _count(site, local, node)
            found.append((local, n))
    return found


def _count(site: Site, local: str, node: ox.NamedNode) -> int:
    text = "SELECT ?c ?p (COUNT(?x) AS ?n) WHERE { ?x ?p ?c } GROUP BY ?c ?p"
    return site.count(text, c=node, p=ox.NamedNode(MC + local))


def _first_models(site: Site, local: str, concept: str, total: int) -> Listing:
    """The first `LIST_LIMIT` models using the concept, in the order of the model list."""
    predicate, node = ox.NamedNode(MC + local), ox.NamedNode(concept)

    def test(model: str) -> bool:
        found = site.store.quads_for_pattern(ox.NamedNode(model), predicate, node, ox.DefaultGraph())
        return next(found, None) is not None

    def fetch() -> list[str]:
        return [q.subject.value for q in site.store.quads_for_pattern(None, predicate, node, ox.DefaultGraph())]

    members = index.ordered_members(site, fetch, test, total, 0, LIST_LIMIT)
    items = tuple(
        ref(site, m, note=year(next(iter(site.objects(m, MC + "publicationDate")), None)) or None) for m in members
    )
    more = None
    if local == "hasRisk" and total > len(items) and site.path_of(concept):
        more = Ref(f"All {plural(total, 'model')} carrying {site.label(concept)}", path=models_path(site, risk=concept))
    return Listing(items, total, more)


_YEARS = """
SELECT ?c ?y (COUNT(?x) AS ?n) WHERE { ?x mc:hasRisk ?c ; mc:publicationDate ?d BIND(YEAR(?d) AS ?y) }
GROUP BY ?c ?y ORDER BY ?y"""


def _risk_years(site: Site, concept: str, label: str) -> Chart | None:
    rows = site.select(_YEARS, c=ox.NamedNode(concept))
    bars = integer_axis(tuple(Bar(row["y"].value, int(row["n"].value)) for row in rows if "y" in row))
    if not bars:
        return None
    return Chart(
        "years",
        f"Models carrying {label}, by year of publication",
        f"How many models published each year carry the risk {label}.",
        "year",
        "models",
        bars,
        "vertical",
    )


def _risk_organizations(site: Site, concept: str) -> Listing:
    pairs = [(org, n) for (org, risk), n in index.pair_counts(site).items() if risk == concept]
    pairs.sort(key=lambda p: (-p[1], site.label(p[0]).casefold(), p[0]))
    items = tuple(
        Ref(site.label(org), org, path=models_path(site, organization=org, risk=concept), note=plural(n, "model"))
        for org, n in pairs[:10]
        if site.path_of(org)
    )
    return Listing(items, len(pairs))


def _organizations_of_type(site: Site, concept: str) -> Listing:
    pattern = site.store.quads_for_pattern(
        None, ox.NamedNode(MC + "organizationType"), ox.NamedNode(concept), ox.DefaultGraph()
    )
    orgs = sorted({q.subject.value for q in pattern}, key=lambda o: (site.label(o).casefold(), o))
    counts = index.organization_counts(site)
    items = tuple(ref(site, o, note=plural(counts.get(o, 0), "model")) for o in orgs[:LIST_LIMIT])
    return Listing(items, len(orgs))


_MAPPED_FROM = """
SELECT ?c ?x ?p WHERE {
  ?x ?p ?c . FILTER(STRSTARTS(STR(?p), STR(skos:)) && ?p NOT IN (skos:inScheme, skos:hasTopConcept, skos:topConceptOf))
} LIMIT 50"""


def concept_page(site: Site, iri: str) -> Page:
    label = site.label(iri)
    scheme = next(iter(iris(site, iri, SKOS + "inScheme")), None)
    relations = []
    for local, name in RELATIONS:
        targets = tuple(ref(site, t) for t in iris(site, iri, SKOS + local))
        if targets:
            relations.append(Fact(name, targets))
    sources = tuple(ref(site, s) for s in iris(site, iri, DCTERMS + "source"))
    if sources:
        relations.append(Fact("Source", sources))
    uses = _uses(site, iri)
    usage = []
    for local, n in uses:
        _, noun, verb, verbs = next(u for u in USES if u[0] == local)
        path = models_path(site, risk=iri) if local == "hasRisk" and n and site.path_of(iri) else None
        usage.append(Ref(f"{plural(n, noun)} {verb if n == 1 else verbs} it", path=path))
    models = _first_models(site, uses[0][0], iri, uses[0][1]) if uses else None
    is_risk = iri.startswith(RISK)
    organizations = None
    if is_risk:
        organizations = _risk_organizations(site, iri)
    elif next(site.store.quads_for_pattern(None, ox.NamedNode(MC + "organizationType"), ox.NamedNode(iri)), None):
        organizations = _organizations_of_type(site, iri)
        usage.append(Ref(plural(organizations.total, "organization is", "organizations are") + " of this type"))
    mapped = site.select(_MAPPED_FROM, c=ox.NamedNode(iri))
    mapped_from = None
    if mapped:
        items = sorted(
            {ref(site, r["x"].value, note=r["p"].value.rsplit("#", 1)[-1]) for r in mapped},
            key=lambda r: (r.label.casefold(), r.iri or ""),
        )
        mapped_from = Listing(tuple(items), len(items))
    view = ConceptView(
        label=label,
        notation=site.text(iri, SKOS + "notation"),
        definition=site.text(iri, SKOS + "definition"),
        guidance=tuple(texts(site, iri, SKOS + "scopeNote")),
        alt_labels=tuple(sorted(texts(site, iri, SKOS + "altLabel"), key=str.casefold)),
        scheme=ref(site, scheme) if scheme else None,
        relations=tuple(relations),
        usage=tuple(usage),
        models=models,
        organizations=organizations,
        chart=_risk_years(site, iri, label) if is_risk else None,
        mapped_from=mapped_from,
    )
    crumbs = (view.scheme,) if view.scheme else ()
    kind = "risk" if is_risk else "concept"
    return Page(kind, site.path_of(iri) or "", label, view, iri, view.definition, crumbs)


def scheme_page(site: Site, iri: str) -> Page:
    title = site.label(iri)
    scheme = ox.NamedNode(iri)
    members = {q.subject.value for q in site.store.quads_for_pattern(None, _IN_SCHEME, scheme, ox.DefaultGraph())}
    rows = []
    counted: list[tuple[Ref, int]] = []
    for concept in sorted(members, key=lambda c: (site.label(c).casefold(), c)):
        uses = _uses(site, concept)
        uses_ref = None
        if uses:
            local, n = uses[0]
            noun = next(u for u in USES if u[0] == local)[1]
            path = models_path(site, risk=concept) if local == "hasRisk" and n else None
            uses_ref = Ref(plural(n, noun), path=path)
            counted.append((ref(site, concept), n))
        rows.append(
            ConceptRow(
                ref(site, concept),
                site.text(concept, SKOS + "notation"),
                site.text(concept, SKOS + "definition"),
                uses_ref,
            )
        )
    facts = [Fact("Concepts", (Ref(str(len(rows))),))]
    for predicate, label in ((OWL + "versionInfo", "Version"), (DCTERMS + "creator", "Creator")):
        values = tuple(Ref(t) for t in texts(site, iri, predicate))
        if values:
            facts.append(Fact(label, values))
    for predicate, label in ((DCTERMS + "source", "Source"), (DCTERMS + "license", "Licence")):
        values = tuple(ref(site, t) for t in iris(site, iri, predicate))
        if values:
            facts.append(Fact(label, values))
    chart = None
    if counted:
        bars = tuple(Bar(c.label, n, c.path) for c, n in sorted(counted, key=lambda p: (-p[1], p[0].label)))
        chart = Chart(
            "uses",
            f"Models per concept: {title}",
            f"How many models use each concept of {title}.",
            "concept",
            "models",
            bars,
        )
    definition = site.text(iri, SKOS + "definition")
    view = SchemeView(title, definition, tuple(facts), tuple(rows), chart)
    return Page("scheme", site.path_of(iri) or "", title, view, iri, definition)
