"""Pages of organizations and datasets: what an organization made and what its models carry, what a dataset
trained. Like every resource page, bounded look-ups with the resource bound (`LIMIT`ed lists, counts)."""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

from kg.pages.refs import country_ref, fact, iris, links, listing, mc, models_path, ref, texts
from kg.pages.site import Site
from kg.pages.text import plural
from kg.pages.views import Fact, Listing, Page, Ref


@dataclass(frozen=True, slots=True)
class DatasetView:
    name: str
    facts: tuple[Fact, ...]
    description: str
    models: Listing


@dataclass(frozen=True, slots=True)
class OrganizationView:
    name: str
    summary: str
    facts: tuple[Fact, ...]
    description: str
    models: Listing
    risks: tuple[Ref, ...]
    datasets: Listing


COUNT_ORGANIZATION = "SELECT ?org (COUNT(?x) AS ?n) WHERE { ?x mc:developedBy ?org } GROUP BY ?org"
_ORGANIZATION_MODELS = """
SELECT ?org ?x ?name ?note WHERE {
  ?x mc:developedBy ?org ; mc:name ?name . OPTIONAL { ?x mc:publicationDate ?note }
} ORDER BY LCASE(?name) ?x LIMIT 50"""
_ORGANIZATION_RISKS = """
SELECT ?org ?r (COUNT(?x) AS ?n) WHERE { ?x mc:developedBy ?org ; mc:hasRisk ?r } GROUP BY ?org ?r"""
_ORGANIZATION_DATASETS = """
SELECT ?org ?x (COUNT(?m) AS ?n) WHERE { ?m mc:developedBy ?org ; mc:trainedOn ?x }
GROUP BY ?org ?x ORDER BY DESC(?n) ?x LIMIT 50"""
_COUNT_ORGANIZATION_DATASETS = """
SELECT ?org (COUNT(DISTINCT ?x) AS ?n) WHERE { ?m mc:developedBy ?org ; mc:trainedOn ?x } GROUP BY ?org"""


def organization_page(site: Site, iri: str) -> Page:
    name = site.label(iri)
    node = ox.NamedNode(iri)
    total = site.count(COUNT_ORGANIZATION, org=node)
    more = Ref(f"All {plural(total, 'model')} of {name}", path=models_path(site, organization=iri))
    models = listing(site, site.select(_ORGANIZATION_MODELS, org=node), total, more)
    risks = sorted(site.select(_ORGANIZATION_RISKS, org=node), key=lambda r: (-int(r["n"].value), r["r"].value))
    risk_refs = tuple(
        Ref(
            site.label(r["r"].value),
            r["r"].value,
            path=models_path(site, organization=iri, risk=r["r"].value),
            note=plural(int(r["n"].value), "model"),
        )
        for r in risks
    )
    dataset_rows = site.select(_ORGANIZATION_DATASETS, org=node)
    datasets = Listing(
        tuple(ref(site, r["x"].value, note=plural(int(r["n"].value), "model")) for r in dataset_rows),
        site.count(_COUNT_ORGANIZATION_DATASETS, org=node),
    )
    facts = fact("Type", [ref(site, t) for t in iris(site, iri, mc("organizationType"))])
    facts += fact("Type as the card gives it", [Ref(t) for t in texts(site, iri, mc("organizationTypeText"))])
    facts += fact("Country", [country_ref(site, c) for c in iris(site, iri, mc("country"))])
    facts += fact("Country as the card gives it", [Ref(t) for t in texts(site, iri, mc("countryText"))])
    facts += fact("Home page", links(iris(site, iri, mc("homepage"))))
    facts += fact("Models", [Ref(plural(total, "model"), path=models_path(site, organization=iri))])
    summary = f"{name} developed {plural(total, 'model')} in this graph"
    summary += f", whose cards name {plural(len(risks), 'risk')}." if risks else "."
    view = OrganizationView(name, summary, tuple(facts), site.text(iri, mc("description")), models, risk_refs, datasets)
    return Page("organization", site.path_of(iri) or "", name, view, iri, summary)


_DATASET_MODELS = """
SELECT ?d ?x ?name ?note WHERE {
  ?x mc:trainedOn ?d ; mc:name ?name . OPTIONAL { ?x mc:publicationDate ?note }
} ORDER BY LCASE(?name) ?x LIMIT 50"""
_COUNT_DATASET = "SELECT ?d (COUNT(?x) AS ?n) WHERE { ?x mc:trainedOn ?d } GROUP BY ?d"


def dataset_page(site: Site, iri: str) -> Page:
    name = site.label(iri)
    node = ox.NamedNode(iri)
    models = listing(site, site.select(_DATASET_MODELS, d=node), site.count(_COUNT_DATASET, d=node), None)
    facts = fact("Name", [Ref(t) for t in texts(site, iri, mc("name"))])
    facts += fact("Web page", links(iris(site, iri, mc("url"))))
    facts += fact("Links", links(iris(site, iri, mc("link"))))
    facts += fact("Link that is not a web address", [Ref(t) for t in texts(site, iri, mc("unresolvedLink"))])
    facts += fact("Used by", [Ref(plural(models.total, "model"))])
    view = DatasetView(name, tuple(facts), site.text(iri, mc("description")), models)
    summary = f"{name}: training data of {plural(models.total, 'model')} in this graph."
    return Page("dataset", site.path_of(iri) or "", name, view, iri, summary)
