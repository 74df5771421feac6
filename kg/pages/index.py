"""Small summaries of the whole graph that several pages share, computed once per opened store.

Most pages read only the index ranges of their own resource. A few numbers are about the whole graph: the
alphabetical order of the models (the lists page through it), how many models carry each risk, and how many
models of each organization carry each risk (the facets of the model list, the charts). They are computed on
first use and kept in `Site.memo`: the store is read-only and pinned to one build, so they never go stale.
On 10,000 cards they take about 0.3 s together, once; after that a list page sorts nothing.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from kg.namespaces import PREFIXES
from kg.pages.site import Site


@dataclass(frozen=True, slots=True)
class ModelOrder:
    """Every model IRI in page order (name, case-insensitive, then IRI), and each one's rank in it."""

    iris: tuple[str, ...]
    rank: dict[str, int]

    def sort(self, iris: list[str]) -> list[str]:
        last = len(self.iris)
        return sorted(set(iris), key=lambda iri: (self.rank.get(iri, last), iri))


def model_order(site: Site) -> ModelOrder:
    if "order" not in site.memo:
        rows = site.store.query(
            "SELECT ?m ?name WHERE { ?m a mc:Model . OPTIONAL { ?m mc:name ?name } }", prefixes=PREFIXES
        )
        keyed = sorted(
            ((row["name"].value.casefold() if row["name"] else "", row["m"].value) for row in rows),
        )
        iris = tuple(dict.fromkeys(iri for _, iri in keyed))
        site.memo["order"] = ModelOrder(iris, {iri: i for i, iri in enumerate(iris)})
    return site.memo["order"]


def risk_counts(site: Site) -> Counter[str]:
    """Risk IRI → how many models carry it (risks no model carries are absent)."""
    if "risks" not in site.memo:
        rows = site.store.query("SELECT ?r (COUNT(?m) AS ?n) WHERE { ?m mc:hasRisk ?r } GROUP BY ?r", prefixes=PREFIXES)
        site.memo["risks"] = Counter({row["r"].value: int(row["n"].value) for row in rows})
    return site.memo["risks"]


def organization_counts(site: Site) -> Counter[str]:
    """Organization IRI → how many models it developed."""
    if "organizations" not in site.memo:
        rows = site.store.query(
            "SELECT ?o (COUNT(?m) AS ?n) WHERE { ?m mc:developedBy ?o } GROUP BY ?o", prefixes=PREFIXES
        )
        site.memo["organizations"] = Counter({row["o"].value: int(row["n"].value) for row in rows})
    return site.memo["organizations"]


def pair_counts(site: Site) -> Counter[tuple[str, str]]:
    """(organization IRI, risk IRI) → how many of the organization's models carry the risk."""
    if "pairs" not in site.memo:
        rows = site.store.query(
            "SELECT ?o ?r (COUNT(?m) AS ?n) WHERE { ?m mc:developedBy ?o ; mc:hasRisk ?r } GROUP BY ?o ?r",
            prefixes=PREFIXES,
        )
        site.memo["pairs"] = Counter({(row["o"].value, row["r"].value): int(row["n"].value) for row in rows})
    return site.memo["pairs"]


def ordered_members(
    site: Site, members: Callable[[], list[str]], test: Callable[[str], bool], total: int, start: int, count: int
) -> list[str]:
    """Models `start` to `start + count` (in list order) of a set of `total` models, the cheaper way.

    Either walk the list order and `test` each model until enough are found (about `(start + count) × all /
    total` look-ups: cheap for a common risk), or fetch all `members()` and sort them (`total` look-ups:
    cheap for a rare one). Either way a page never costs more than the smaller of the two.
    """
    order = model_order(site)
    wanted = start + count
    if total and wanted * len(order.iris) / total < total:
        found: list[str] = []
        for iri in order.iris:
            if test(iri):
                found.append(iri)
                if len(found) >= wanted:
                    break
        return found[start:wanted]
    return order.sort(members())[start:wanted]
