"""Turning store terms into what pages show: `Ref`s, fact values and bounded listings."""

from __future__ import annotations

import datetime
from functools import cache

import pyoxigraph as ox

from kg.namespaces import MC, PREFIXES, RDFS, SKOS, XSD
from kg.pages.site import Site, Term
from kg.pages.text import country, long_date, web_url
from kg.pages.views import Fact, Listing, Ref
from kg.query import display
from kg.resources import data_dir

WIKIDATA = PREFIXES["wd"]
LIST_LIMIT = 50
"""Items a resource page lists before it links to the whole list."""


def ref(site: Site, iri: str, label: str | None = None, note: str | None = None) -> Ref:
    """A resource: linked to its page when it has one here, to its address when that is http(s), else text."""
    path = site.path_of(iri)
    if path is not None and site.has(iri):
        return Ref(label or site.label(iri), iri, path=path, note=note)
    shown = label or (site.label(iri) if site.has(iri) else display(ox.NamedNode(iri)))
    return Ref(shown, iri, url=web_url(iri), note=note)


def value(site: Site, term: Term) -> Ref:
    """An object of a triple as a fact value: literals in plain words, IRIs as `ref`."""
    if isinstance(term, ox.NamedNode):
        return ref(site, term.value)
    if isinstance(term, ox.Literal):
        datatype = term.datatype.value
        if datatype == XSD + "date":
            return Ref(long_date(term.value))
        if datatype == XSD + "boolean":
            return Ref("yes" if term.value in ("true", "1") else "no")
        if datatype in (XSD + "integer", XSD + "nonNegativeInteger") and term.value.isdigit():
            return Ref(f"{int(term.value):,}")
        return Ref(term.value)
    return Ref(str(term))


def literal_int(term: Term | None) -> int:
    try:
        return int(term.value) if isinstance(term, ox.Literal) else 0
    except ValueError:
        return 0


def year(term: Term | None) -> str:
    if isinstance(term, ox.Literal):
        try:
            return str(datetime.date.fromisoformat(term.value).year)
        except ValueError:
            return ""
    return ""


def listing(site: Site, rows: list[dict[str, Term]], total: int, more: Ref | None, key: str = "x") -> Listing:
    """Rows of a `LIMIT`ed query as a listing of `?x` (label from `?name`, note from `?note` when bound)."""
    items = []
    for row in rows:
        iri = row[key].value
        name = row.get("name")
        note = row.get("note")
        items.append(ref(site, iri, name.value if name else None, _note(note)))
    return Listing(tuple(items), total, more if total > len(items) else None)


def _note(term: Term | None) -> str | None:
    if term is None:
        return None
    if isinstance(term, ox.Literal) and term.datatype.value == XSD + "date":
        return long_date(term.value)
    return term.value if isinstance(term, ox.Literal) else None


@cache
def property_labels() -> dict[str, str]:
    """rdfs:label of each term of the core ontology (`mc:developedBy` → "developed by"), from `mc.ttl`."""
    labels: dict[str, str] = {}
    path = data_dir("ontology") / "mc.ttl"
    for quad in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE):
        literal = quad.object
        if (
            quad.predicate.value == RDFS + "label"
            and quad.subject.value.startswith(MC)
            and isinstance(literal, ox.Literal)
            and literal.language in (None, "en")
        ):
            labels[quad.subject.value] = literal.value
    return labels


def predicate_label(iri: str) -> str:
    label = property_labels().get(iri)
    return label[:1].upper() + label[1:] if label else display(ox.NamedNode(iri))


def models_path(site: Site, *, risk: str | None = None, organization: str | None = None, page: int = 1) -> str:
    """The path of the model list filtered by a risk and/or an organization (IRIs), at page `page`.

    `models/organization/<slug>/risk/<slug>/page/<n>`: a path rather than query parameters, so the same
    link works in a static folder (each filter is a pre-rendered page) and on the server.
    """
    parts = ["models"]
    if organization:
        parts += ["organization", _last(site, organization)]
    if risk:
        parts += ["risk", _last(site, risk)]
    if page > 1:
        parts += ["page", str(page)]
    return "/".join(parts)


def _last(site: Site, iri: str) -> str:
    path = site.path_of(iri)
    if path is None:
        raise ValueError(f"{iri} has no page on this site")
    return path.rsplit("/", 1)[-1]


def mc(name: str) -> str:
    return MC + name


def texts(site: Site, iri: str, predicate: str) -> list[str]:
    return [o.value for o in site.objects(iri, predicate) if isinstance(o, ox.Literal)]


def iris(site: Site, iri: str, predicate: str) -> list[str]:
    return [o.value for o in site.objects(iri, predicate) if isinstance(o, ox.NamedNode)]


def links(values: list[str]) -> tuple[Ref, ...]:
    """Web addresses from a card, only those that are http(s)."""
    return tuple(Ref(url, url=url) for url in values if web_url(url))


def fact(label: str, values: list[Ref] | tuple[Ref, ...], note: str | None = None) -> list[Fact]:
    return [Fact(label, tuple(values), note)] if values else []


def country_ref(site: Site, iri: str) -> Ref:
    """A country by its name, linked to its Wikidata item when the graph gives one, else to its DPV concept."""
    code = iri.rsplit("#", 1)[-1]
    items = [o for o in iris(site, iri, SKOS + "exactMatch") if o.startswith(WIKIDATA)]
    return Ref(country(code), iri, url=web_url(items[0] if items else iri), note=code)
