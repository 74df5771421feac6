"""Pages to HTML, with links in the style of where they are served.

The same `Page` renders for a static folder (`StaticLinks`: relative links ending in `.html`, so the folder
works opened from disk or from any sub-path of a host) or for the server (`ServerLinks`: absolute paths
without suffix, the IRI paths themselves). Templates are `kg/templates/pages/*.html`; they extend the
`layout.html` that `kg docs` shares, so both sites have one stylesheet and one skeleton. Autoescaping is
on for every template; card Markdown goes through `kg.pages.text.markdown`, which escapes it.
"""

from __future__ import annotations

import base64
import hashlib
import posixpath
from dataclasses import dataclass
from functools import cache
from typing import Protocol
from urllib.parse import quote

import jinja2
from markupsafe import Markup

from kg.namespaces import VOCAB
from kg.pages.charts import svg
from kg.pages.lists import SCHEMES
from kg.pages.site import Site
from kg.pages.text import markdown
from kg.pages.views import Page

TEMPLATES = {
    "home": "pages/home.html",
    "models": "pages/models.html",
    "model": "pages/model.html",
    "organization": "pages/organization.html",
    "dataset": "pages/dataset.html",
    "risk": "pages/concept.html",
    "concept": "pages/concept.html",
    "scheme": "pages/scheme.html",
    "resource": "pages/resource.html",
    "query": "pages/query.html",
}
RDF_FORMATS = (("ttl", "Turtle", "text/turtle"), ("jsonld", "JSON-LD", "application/ld+json"))
QUERY_SCRIPT = """
(function () {
  var form = document.getElementById("query-form");
  var example = document.getElementById("example");
  var text = document.getElementById("query-text");
  form.hidden = false;
  example.addEventListener("change", function () {
    var option = example.options[example.selectedIndex];
    if (!option.value) { return; }
    if (text) { text.value = option.getAttribute("data-text"); }
    else { window.location.href = option.getAttribute("data-href"); }
  });
})();
"""
"""The one script of the site (query page): choosing an example fills the form (server) or opens the example's
page with its pre-computed results (static folder). It reads data attributes only: no page data is in it."""


def content_security_policy(page: Page) -> str:
    """A Content-Security-Policy for `page`: nothing from elsewhere, and no script but the query page's own."""
    digest = base64.b64encode(hashlib.sha256(QUERY_SCRIPT.encode("utf-8")).digest()).decode("ascii")
    script = f"'sha256-{digest}'" if page.kind == "query" else "'none'"
    return (
        f"default-src 'none'; style-src 'unsafe-inline'; script-src {script}; img-src 'none'; "
        "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )


class Links(Protocol):
    """How a page links to another page (`path`) or to one of its files (`ext`: ttl, jsonld, json, csv…)."""

    live: bool
    """Whether pages can take requests (the server): forms that need it are shown only then."""

    def href(self, current: str, path: str, ext: str | None = None, fragment: str | None = None) -> str: ...


@dataclass(frozen=True, slots=True)
class StaticLinks:
    """Relative links with suffixes: `model/gpt-2` from `risk/disinformation` is `../model/gpt-2.html`."""

    live: bool = False

    def href(self, current: str, path: str, ext: str | None = None, fragment: str | None = None) -> str:
        target = f"{path}.{ext or 'html'}"
        relative = posixpath.relpath(target, posixpath.dirname(current) or ".")
        return quote(relative) + (f"#{quote(fragment)}" if fragment else "")


@dataclass(frozen=True, slots=True)
class ServerLinks:
    """Absolute paths under `root`, pages without a suffix (`/model/gpt-2`), files with one (`.ttl`)."""

    root: str = "/"
    live: bool = True

    def href(self, current: str, path: str, ext: str | None = None, fragment: str | None = None) -> str:
        target = "" if path == "index" and not ext else path
        return self.root + quote(target) + (f".{ext}" if ext else "") + (f"#{quote(fragment)}" if fragment else "")


@cache
def environment() -> jinja2.Environment:
    """`kg docs`'s environment (package templates, autoescape on, strict undefined) plus the pages' filters."""
    from kg.docs import environment as docs_environment

    env = docs_environment()
    env.filters["markdown"] = markdown
    env.filters["number"] = lambda n: f"{n:,}"
    env.globals["chart_svg"] = svg
    return env


def navigation(site: Site) -> list[tuple[str, str]]:
    """(label, path) of the pages every page links to; the schemes only when the graph holds them."""
    nav = [("Home", "index"), ("Models", "models")]
    nav += [(site.label(VOCAB + s), s) for s in SCHEMES if site.has(VOCAB + s)]
    nav.append(("Query", "query"))
    return nav


def render_html(page: Page, site: Site, links: Links | None = None) -> str:
    """The page as an HTML document."""
    links = links or StaticLinks()

    def href(path: str, ext: str | None = None, fragment: str | None = None) -> str:
        return links.href(page.path, path, ext, fragment)

    template = environment().get_template(TEMPLATES[page.kind])
    return template.render(
        page=page,
        view=page.data,
        site=site,
        href=href,
        live=links.live,
        nav=navigation(site),
        rdf_formats=RDF_FORMATS if page.iri else (),
        query_script=Markup(QUERY_SCRIPT),
    )
