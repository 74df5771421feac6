"""`kg publish --static DIR`: every page, every resource's Turtle and JSON-LD, and the host rules, as files.

Layout (the site root stands for the base IRI): each resource at its IRI path, `model/gpt-2.html` with
`.json` (the page's JSON twin), `.ttl` and `.jsonld`; `index.html`; the model list and its filters under
`models/`; `query.html` and one page per bundled query under `query/` with the results as `.csv`, `.tsv`,
`.srj` and `.srx`; `graph.nt`; `.htaccess`, `_redirects` and `_headers` (see `kg.pages.hosting`).

Files are written with `kg.export.write_atomically`, a batch at a time (each file is replaced in one
rename, so a host never serves half a file). `.kg-publish.json` lists what the export wrote: the next
export into the same folder removes the files of resources that are gone, and nothing it did not write.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from kg.export import write_atomically
from kg.pages.hosting import headers, htaccess, redirects
from kg.pages.lists import PAGE_SIZE, filter_states, home_page, models_page
from kg.pages.query_page import DOWNLOADS, download, query_page, run_bundled
from kg.pages.rdf import description, jsonld, turtle
from kg.pages.refs import models_path
from kg.pages.render import StaticLinks, render_html
from kg.pages.resources import resource_page
from kg.pages.site import Site, open_site
from kg.pages.views import Page
from kg.queries import bundled_queries
from kg.query import DEFAULT_STORE

MANIFEST = ".kg-publish.json"
BATCH = 2_000
"""Files kept in memory before they are written."""
MAX_NAME = 240
"""Longest file name (bytes) the export writes; most file systems stop at 255."""

Progress = Callable[[Iterable[str], int], Iterable[str]]


@dataclass(slots=True)
class PublishResult:
    out_dir: Path
    pages: int = 0
    resources: int = 0
    files: int = 0
    bytes: int = 0
    seconds: float = 0.0
    skipped: list[str] = field(default_factory=list)
    """IRIs left out because their path would make a file name too long for the file system."""
    removed: int = 0


class _Writer:
    def __init__(self, out_dir: Path, result: PublishResult) -> None:
        self.out_dir, self.result = out_dir, result
        self.pending: dict[str, bytes] = {}
        self.written: set[str] = set()

    def add(self, name: str, data: bytes | str) -> None:
        if name in self.written or name in self.pending:
            raise ValueError(f"two resources would be written to {name}")
        self.pending[name] = data.encode("utf-8") if isinstance(data, str) else data
        if len(self.pending) >= BATCH:
            self.flush()

    def page(self, page: Page, site: Site, links: StaticLinks) -> None:
        self.add(page.path + ".html", render_html(page, site, links))
        self.add(page.path + ".json", page.json_bytes())
        self.result.pages += 1

    def flush(self) -> None:
        if self.pending:
            write_atomically(self.out_dir, self.pending)
            self.written.update(self.pending)
            self.result.files += len(self.pending)
            self.result.bytes += sum(len(d) for d in self.pending.values())
            self.pending = {}


def resources(site: Site) -> list[str]:
    """Every IRI that has a page: the subjects of the default graph under the base or the vocabulary."""
    found = set()
    for row in site.store.query("SELECT DISTINCT ?s WHERE { ?s ?p ?o FILTER(isIRI(?s)) }"):
        iri = row["s"].value
        if site.path_of(iri) is not None:
            found.add(iri)
    return sorted(found)


def _fits(path: str) -> bool:
    return all(len(part.encode("utf-8")) + len(".jsonld") <= MAX_NAME for part in path.split("/"))


def _model_list_pages(site: Site) -> Iterator[str]:
    for risk, org, n in filter_states(site):
        for number in range(1, max(1, math.ceil(n / PAGE_SIZE)) + 1):
            yield models_path(site, risk=risk, organization=org, page=number)


def publish_static(
    out_dir: str | Path,
    store: str | Path = DEFAULT_STORE,
    *,
    base: str | None = None,
    site: Site | None = None,
    progress: Progress | None = None,
) -> PublishResult:
    """Write the whole site into `out_dir` from the store (or a graph file) `store`; see the module docstring."""
    started = time.monotonic()
    site = site or open_site(store, base=base)
    out = Path(out_dir)
    result = PublishResult(out)
    writer = _Writer(out, result)
    links = StaticLinks()
    iris = resources(site)
    steps = progress or (lambda items, total: items)
    prefixes, top = {"models", "query"}, {"models", "query"}
    for iri in steps(iris, len(iris)):
        path = site.path_of(iri)
        page = resource_page(site, iri)
        if path is None or page is None:
            continue
        if not _fits(path):
            result.skipped.append(iri)
            continue
        writer.page(page, site, links)
        triples = description(site, iri)
        writer.add(path + ".ttl", turtle(triples))
        writer.add(path + ".jsonld", jsonld(triples))
        result.resources += 1
        if "/" in path:
            prefixes.add(path.split("/", 1)[0])
        else:
            top.add(path)
    writer.page(home_page(site), site, links)
    for path in _model_list_pages(site):
        parts = path.split("/")
        keys = dict(zip(parts[1::2], parts[2::2], strict=True))
        page = models_page(site, keys.get("risk"), keys.get("organization"), int(keys.get("page", "1")))
        if page is not None:
            writer.page(page, site, links)
    _queries(site, writer, links)
    writer.add("graph.nt", site.store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph()))
    writer.add(".htaccess", htaccess())
    writer.add("_redirects", redirects(sorted(prefixes), sorted(top)))
    writer.add("_headers", headers())
    writer.flush()
    result.removed = _prune(out, writer.written)
    write_atomically(out, {MANIFEST: json.dumps(sorted(writer.written), indent=0).encode("utf-8")})
    result.seconds = time.monotonic() - started
    return result


def _queries(site: Site, writer: _Writer, links: StaticLinks) -> None:
    page = query_page(site)
    assert page is not None
    writer.page(page, site, links)
    for name in bundled_queries():
        result = run_bundled(site, name)
        selected = query_page(site, name, result=result)
        assert selected is not None
        writer.page(selected, site, links)
        for ext, _ in DOWNLOADS:
            writer.add(f"query/{name}.{ext}", download(site, name, ext, result))


def _prune(out: Path, written: set[str]) -> int:
    """Remove the files the previous export listed that this one did not write; return how many."""
    try:
        previous = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return 0
    removed = 0
    for name in previous if isinstance(previous, list) else []:
        if not isinstance(name, str) or name in written or name.startswith(("/", "..")) or "/../" in name:
            continue
        path = out / name
        if path.is_file() and not path.is_symlink():
            path.unlink()
            removed += 1
    return removed
