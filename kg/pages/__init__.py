"""Pages people can read: HTML (and a JSON twin) for every resource of the graph, lists, charts and queries.

A library of pure functions from a store to pages, used by `kg publish --static` and by the server:

    >>> from kg import pages
    >>> site = pages.open_site("out/store")                 # or a graph file: pages.open_site("out/graph.nt")
    >>> page = pages.page_for_path(site, "model/gpt-2")     # None when nothing lives at that path
    >>> html = pages.render_html(page, site, pages.ServerLinks())   # or StaticLinks() for a folder
    >>> data = page.to_json()                               # the page's JSON twin
    >>> ttl = pages.resource_file(site, "model/gpt-2", "ttl")       # .ttl / .jsonld of a resource

Paths are the IRI paths under the base (`BASE model/gpt-2` → `model/gpt-2`; vocabulary IRIs under
`https://w3id.org/mckg/`, `risk/disinformation`), plus `index`, `models[/organization/<o>][/risk/<r>][/page/<n>]`,
`query` and `query/<name>`. Modules: `site` (store access and the IRI ↔ path rule), `index` (whole-graph
summaries kept per store), `resources`, `organizations` and `concepts` (resource pages), `lists` (home,
model list), `query_page`, `charts` (SVG), `text` (safe Markdown, plain-language values), `render`
(templates and link styles), `rdf` (Turtle and JSON-LD of a resource), `static` and `hosting`
(`kg publish --static`).
"""

from __future__ import annotations

from kg.pages.lists import home_page, models_page
from kg.pages.query_page import query_page, run_bundled
from kg.pages.rdf import description, jsonld, turtle
from kg.pages.render import Links, ServerLinks, StaticLinks, render_html
from kg.pages.resources import resource_page
from kg.pages.site import Site, open_site
from kg.pages.views import Page

RESOURCE_FORMATS = ("ttl", "jsonld")


def page_for_path(site: Site, path: str) -> Page | None:
    """The page at `path` (no leading slash, no suffix), or None when there is none (a 404)."""
    path = path.strip("/")
    if path in ("", "index"):
        return home_page(site)
    parts = path.split("/")
    if parts[0] == "models":
        return _models(site, parts[1:])
    if parts[0] == "query" and len(parts) <= 2:
        return query_page(site, parts[1] if len(parts) == 2 else None)
    iri = site.iri_of(path)
    return resource_page(site, iri) if iri else None


def _models(site: Site, parts: list[str]) -> Page | None:
    """`models/organization/<o>/risk/<r>/page/<n>`, each pair optional but in that order."""
    found: dict[str, str] = {}
    keys = ["organization", "risk", "page"]
    while parts:
        if len(parts) < 2 or parts[0] not in keys or not parts[1]:
            return None
        keys = keys[keys.index(parts[0]) + 1 :]
        found[parts[0]] = parts[1]
        parts = parts[2:]
    page = found.get("page", "1")
    if not page.isdigit() or (page == "1" and "page" in found) or page.startswith("0"):
        return None  # one address per page: page 1 has none
    return models_page(site, found.get("risk"), found.get("organization"), int(page))


def resource_file(site: Site, path: str, ext: str) -> bytes | None:
    """A resource's description as `ttl` or `jsonld`, or None when no resource lives at `path`."""
    if ext not in RESOURCE_FORMATS:
        raise ValueError(f"unknown format {ext!r}: use one of {', '.join(RESOURCE_FORMATS)}")
    iri = site.iri_of(path.strip("/"))
    if iri is None:
        return None
    triples = description(site, iri)
    return turtle(triples) if ext == "ttl" else jsonld(triples)


__all__ = [
    "Links",
    "Page",
    "ServerLinks",
    "Site",
    "StaticLinks",
    "home_page",
    "models_page",
    "open_site",
    "page_for_path",
    "query_page",
    "render_html",
    "resource_file",
    "resource_page",
    "run_bundled",
]
