"""The home page and the model list, filterable by risk and by organization.

The list is addressed by path (`models/organization/<slug>/risk/<slug>/page/<n>`, see `models_path`), so a
static folder holds one pre-rendered page per filter and the server answers the same paths, or the same
filters as query parameters (`models_page(site, risk=…, organization=…, page=…)`). Facets count across the
other filter (the risks of the chosen organization's models, the organizations of the chosen risk's
models) and only ever link to filters with at least one model, so a static folder needs no empty page.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass

import pyoxigraph as ox

from kg.namespaces import MC, RISK, VOCAB
from kg.pages import index
from kg.pages.charts import integer_axis
from kg.pages.refs import models_path, ref, year
from kg.pages.site import Site
from kg.pages.text import long_date, parameters, plural
from kg.pages.views import Bar, Chart, Listing, Page, Ref

PAGE_SIZE = 50
SCHEMES = ("risk", "organization-type", "research-field", "modality")
"""Vocabulary schemes the home page offers to browse, by their path under `https://w3id.org/mckg/`."""


@dataclass(frozen=True, slots=True)
class FacetItem:
    label: str
    path: str
    count: int
    selected: bool
    slug: str


@dataclass(frozen=True, slots=True)
class ModelRow:
    model: Ref
    organization: Ref | None
    published: str
    size: str
    risks: tuple[Ref, ...]


@dataclass(frozen=True, slots=True)
class ModelsView:
    heading: str
    risk: Ref | None
    organization: Ref | None
    clear: tuple[Ref, ...]
    total: int
    page: int
    pages: int
    first: int
    rows: tuple[ModelRow, ...]
    risk_facet: tuple[FacetItem, ...]
    organization_facet: tuple[FacetItem, ...]
    pager: tuple[Ref, ...]


@dataclass(frozen=True, slots=True)
class HomeView:
    counts: tuple[Ref, ...]
    charts: tuple[Chart, ...]
    browse: tuple[Ref, ...]
    organizations: Listing
    recent: Listing
    downloads: tuple[Ref, ...]


def _has(site: Site, predicate: str, obj: str, subject: str | None = None) -> bool:
    s = ox.NamedNode(subject) if subject else None
    found = site.store.quads_for_pattern(s, ox.NamedNode(predicate), ox.NamedNode(obj), ox.DefaultGraph())
    return next(found, None) is not None


def _subjects(site: Site, predicate: str, obj: str) -> list[str]:
    found = site.store.quads_for_pattern(None, ox.NamedNode(predicate), ox.NamedNode(obj), ox.DefaultGraph())
    return [q.subject.value for q in found]


def total(site: Site, risk: str | None, organization: str | None) -> int:
    """How many models pass the filters, from the per-store counts."""
    if organization and risk:
        return index.pair_counts(site).get((organization, risk), 0)
    if organization:
        return index.organization_counts(site).get(organization, 0)
    if risk:
        return index.risk_counts(site).get(risk, 0)
    return len(index.model_order(site).iris)


def members(site: Site, risk: str | None, organization: str | None, start: int, count: int) -> list[str]:
    """Models `start` to `start + count` of those that pass the filters (IRIs), in list order."""
    if not risk and not organization:
        return list(index.model_order(site).iris[start : start + count])

    def test(model: str) -> bool:
        by = not organization or _has(site, MC + "developedBy", organization, model)
        return by and (not risk or _has(site, MC + "hasRisk", risk, model))

    def fetch() -> list[str]:
        if organization:
            return [m for m in _subjects(site, MC + "developedBy", organization) if test(m)]
        return _subjects(site, MC + "hasRisk", risk or "")

    return index.ordered_members(site, fetch, test, total(site, risk, organization), start, count)


def _row(site: Site, model: str) -> ModelRow:
    org = next((o.value for o in site.objects(model, MC + "developedBy") if isinstance(o, ox.NamedNode)), None)
    date = next(iter(site.objects(model, MC + "publicationDate")), None)
    size = next((o.value for o in site.objects(model, MC + "parameterCount") if o.value.isdigit()), "")
    risks = sorted((ref(site, r.value) for r in site.objects(model, MC + "hasRisk")), key=lambda r: r.label)
    return ModelRow(
        ref(site, model),
        ref(site, org) if org else None,
        year(date) if date else "",
        parameters(int(size)) if size else "",
        tuple(risks),
    )


def _slug(site: Site, iri: str) -> str:
    return (site.path_of(iri) or iri).rsplit("/", 1)[-1]


def resolve(site: Site, risk: str | None, organization: str | None) -> tuple[str | None, str | None] | None:
    """Filter slugs (`disinformation`, `openai-inc`) to IRIs; None when one names nothing in the graph."""
    risk_iri = org_iri = None
    try:
        if risk:
            risk_iri = ox.NamedNode(RISK + risk).value
            if not _has(site, MC + "hasRisk", risk_iri) and not site.has(risk_iri):
                return None
        if organization:
            org_iri = ox.NamedNode(site.base + "organization/" + organization).value
            if not _has(site, "http://www.w3.org/1999/02/22-rdf-syntax-ns#type", MC + "Organization", org_iri):
                return None
    except ValueError:  # not an IRI once the slug is appended: nothing has it
        return None
    if (risk_iri and site.path_of(risk_iri) is None) or (org_iri and site.path_of(org_iri) is None):
        return None
    return risk_iri, org_iri


def models_page(site: Site, risk: str | None = None, organization: str | None = None, page: int = 1) -> Page | None:
    """The model list filtered by a risk and/or an organization (slugs), or None for an unknown filter or page."""
    resolved = resolve(site, risk, organization)
    if resolved is None or page < 1:
        return None
    risk_iri, org_iri = resolved
    n = total(site, risk_iri, org_iri)
    pages = max(1, math.ceil(n / PAGE_SIZE))
    if page > pages:
        return None
    start = (page - 1) * PAGE_SIZE
    rows = tuple(_row(site, m) for m in members(site, risk_iri, org_iri, start, PAGE_SIZE))
    risk_ref = ref(site, risk_iri) if risk_iri else None
    org_ref = ref(site, org_iri) if org_iri else None
    heading = "Models"
    if risk_ref and org_ref:
        heading = f"Models of {org_ref.label} carrying {risk_ref.label}"
    elif risk_ref:
        heading = f"Models carrying {risk_ref.label}"
    elif org_ref:
        heading = f"Models of {org_ref.label}"
    clear = []
    if risk_iri:
        clear.append(Ref(f"any risk (remove {site.label(risk_iri)})", path=models_path(site, organization=org_iri)))
    if org_iri:
        clear.append(Ref(f"any organization (remove {site.label(org_iri)})", path=models_path(site, risk=risk_iri)))
    view = ModelsView(
        heading=heading,
        risk=risk_ref,
        organization=org_ref,
        clear=tuple(clear),
        total=n,
        page=page,
        pages=pages,
        first=start + 1 if rows else 0,
        rows=rows,
        risk_facet=_risk_facet(site, risk_iri, org_iri),
        organization_facet=_organization_facet(site, risk_iri, org_iri),
        pager=_pager(site, risk_iri, org_iri, page, pages),
    )
    path = models_path(site, risk=risk_iri, organization=org_iri, page=page)
    summary = f"{plural(n, 'model')}" + (f", page {page} of {pages}" if pages > 1 else "") + "."
    crumbs = (Ref("Models", path="models"),) if risk_iri or org_iri else ()
    return Page("models", path, heading, view, None, summary, crumbs)


def _risk_facet(site: Site, risk: str | None, org: str | None) -> tuple[FacetItem, ...]:
    pairs = {r: n for (o, r), n in index.pair_counts(site).items() if o == org} if org else None
    counts = Counter(pairs) if pairs is not None else index.risk_counts(site)
    return _facet(site, counts, risk, lambda r: models_path(site, risk=r, organization=org))


def _organization_facet(site: Site, risk: str | None, org: str | None) -> tuple[FacetItem, ...]:
    pairs = {o: n for (o, r), n in index.pair_counts(site).items() if r == risk} if risk else None
    counts = Counter(pairs) if pairs is not None else index.organization_counts(site)
    return _facet(site, counts, org, lambda o: models_path(site, risk=risk, organization=o))


def _facet(
    site: Site, counts: Mapping[str, int], selected: str | None, path: Callable[[str], str]
) -> tuple[FacetItem, ...]:
    """One filter list: each value with models, its count and link, the most used first."""
    items = [
        FacetItem(site.label(v), path(v), n, v == selected, _slug(site, v))
        for v, n in counts.items()
        if n and site.path_of(v)
    ]
    return tuple(sorted(items, key=lambda f: (-f.count, f.label.casefold())))


def _pager(site: Site, risk: str | None, org: str | None, page: int, pages: int) -> tuple[Ref, ...]:
    """Previous, a window of page numbers around this one (and the first and last), next."""
    if pages == 1:
        return ()
    shown = sorted({1, pages, *range(max(1, page - 3), min(pages, page + 3) + 1)})

    def link(n: int, label: str | None = None) -> Ref:
        return Ref(
            label or str(n),
            path=models_path(site, risk=risk, organization=org, page=n),
            note="current" if n == page and not label else None,
        )

    out = [link(page - 1, "previous")] if page > 1 else []
    out += [link(n) for n in shown]
    out += [link(page + 1, "next")] if page < pages else []
    return tuple(out)


def filter_states(site: Site) -> Iterator[tuple[str | None, str | None, int]]:
    """Every (risk, organization, model count) the model list links to, for a static export."""
    yield None, None, len(index.model_order(site).iris)
    for risk, n in sorted(index.risk_counts(site).items()):
        if n and site.path_of(risk):
            yield risk, None, n
    for org, n in sorted(index.organization_counts(site).items()):
        if n and site.path_of(org):
            yield None, org, n
    for (org, risk), n in sorted(index.pair_counts(site).items()):
        if n and site.path_of(org) and site.path_of(risk):
            yield risk, org, n


# -- home -------------------------------------------------------------------------------------------------

_RECENT = """
SELECT ?x ?name ?note WHERE { ?x a mc:Model ; mc:name ?name ; mc:publicationDate ?note }
ORDER BY DESC(?note) LCASE(?name) ?x LIMIT 10"""
_COUNTS = """
SELECT ?c (COUNT(?x) AS ?n) WHERE { VALUES ?c { mc:Model mc:Organization mc:Dataset mc:Publication mc:ModelCard }
  ?x a ?c } GROUP BY ?c"""
_YEARS = "SELECT ?y (COUNT(?m) AS ?n) WHERE { ?m mc:publicationDate ?d BIND(YEAR(?d) AS ?y) } GROUP BY ?y ORDER BY ?y"
_RISKS_PER_MODEL = """
SELECT ?k (COUNT(?m) AS ?n) WHERE {
  { SELECT ?m (COUNT(?r) AS ?k) WHERE { ?m a mc:Model OPTIONAL { ?m mc:hasRisk ?r } } GROUP BY ?m }
} GROUP BY ?k ORDER BY ?k"""
_ORG_TYPES = """
SELECT ?t (COUNT(?o) AS ?n) WHERE { ?o a mc:Organization ; mc:organizationType ?t } GROUP BY ?t"""


def home_page(site: Site) -> Page:
    """Counts, charts and ways in; a summary of the whole graph, so it is computed once per opened store."""
    if "home" not in site.memo:
        site.memo["home"] = _home(site)
    return site.memo["home"]


def _home(site: Site) -> Page:
    counts = {row["c"].value: int(row["n"].value) for row in site.select(_COUNTS)}
    n_models = counts.get(MC + "Model", 0)
    risks = index.risk_counts(site)
    count_refs = (
        Ref(plural(n_models, "model"), path="models"),
        Ref(plural(counts.get(MC + "Organization", 0), "organization")),
        Ref(plural(counts.get(MC + "Dataset", 0), "dataset")),
        Ref(plural(counts.get(MC + "Publication", 0), "publication")),
        Ref(f"{sum(1 for n in risks.values() if n)} of the 11 risks named", path="risk"),
    )
    risk_bars = tuple(
        Bar(site.label(r), n, site.path_of(r)) for r, n in sorted(risks.items(), key=lambda p: (-p[1], p[0]))
    )
    per_model = integer_axis(
        tuple(Bar(row["k"].value, int(row["n"].value)) for row in site.select(_RISKS_PER_MODEL)), start=0
    )
    years = integer_axis(tuple(Bar(row["y"].value, int(row["n"].value)) for row in site.select(_YEARS) if "y" in row))
    types = sorted(((row["t"].value, int(row["n"].value)) for row in site.select(_ORG_TYPES)), key=lambda p: -p[1])
    charts = (
        Chart("models-per-risk", "Models per risk", "How many models carry each risk.", "risk", "models", risk_bars),
        Chart(
            "risks-per-model",
            "Risks per model",
            "How many models name 0, 1, 2… risks on their card.",
            "risks named",
            "models",
            per_model,
            "vertical",
        ),
        Chart(
            "models-per-year",
            "Models per year",
            "How many models were published each year.",
            "year",
            "models",
            years,
            "vertical",
        ),
        Chart(
            "organizations-by-type",
            "Organizations by type",
            "How many organizations are of each type.",
            "type",
            "organizations",
            tuple(Bar(site.label(t), n, site.path_of(t)) for t, n in types),
        ),
    )
    top = index.organization_counts(site).most_common()
    top.sort(key=lambda p: (-p[1], site.label(p[0]).casefold()))
    organizations = Listing(
        tuple(ref(site, o, note=plural(n, "model")) for o, n in top[:10]),
        len(top),
        Ref(f"All {plural(len(top), 'organization')}, with their models", path="models") if len(top) > 10 else None,
    )
    recent_rows = site.select(_RECENT)
    recent = Listing(
        tuple(ref(site, r["x"].value, r["name"].value, long_date(r["note"].value)) for r in recent_rows),
        n_models,
        Ref(f"All {plural(n_models, 'model')}", path="models"),
    )
    browse = tuple(Ref(site.label(VOCAB + s), VOCAB + s, path=s) for s in SCHEMES if site.has(VOCAB + s))
    downloads = (
        Ref("The whole graph (N-Triples)", path="graph", ext="nt"),
        Ref("The bundled queries and their results", path="query"),
    )
    summary = f"A knowledge graph of {plural(n_models, 'AI model card')}: models, their organizations and their risks."
    view = HomeView(count_refs, charts, browse, organizations, recent, downloads)
    return Page("home", "index", "AI model cards as a knowledge graph", view, None, summary)
