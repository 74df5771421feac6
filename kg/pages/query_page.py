"""The query page: the bundled queries as examples, a results table, and the results as files.

Two ways to use it. The server runs a visitor's query through the guarded `kg.query` (worker process,
deadline, row cap) and passes the result in: `query_page(site, text=…, result=…, live=True)`. A static
folder cannot run anything, so `kg publish` runs each bundled query once (`run_bundled`, in this process:
the texts are the project's own) and writes one page per query, `query/<name>.html`, with its table and
its results as CSV, TSV, SPARQL JSON (`.srj`) and XML (`.srx`). Cells are shown exactly as `kg query`
prints them (`kg.query.display`), linked to their page when they have one.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import pyoxigraph as ox

from kg.namespaces import PREFIXES
from kg.pages.site import Site
from kg.pages.text import plural, web_url
from kg.pages.views import Page, Ref
from kg.queries import bundled_queries
from kg.query import AskResult, QueryResult, SelectResult, display

MAX_SHOWN = 1_000
"""Rows a results table shows; the downloads hold them all."""
DOWNLOADS = (("csv", "CSV"), ("tsv", "TSV"), ("srj", "SPARQL JSON"), ("srx", "SPARQL XML"))
FORMAT_OF = {"csv": "csv", "tsv": "tsv", "srj": "json", "srx": "xml"}
"""Download suffix → `SelectResult.serialize` format."""


@dataclass(frozen=True, slots=True)
class Example:
    name: str
    title: str
    description: str
    text: str
    page: Ref
    downloads: tuple[Ref, ...]


@dataclass(frozen=True, slots=True)
class ResultTable:
    columns: tuple[str, ...]
    rows: tuple[tuple[Ref, ...], ...]
    total: int
    truncated: bool
    """The query engine's row cap cut the result (the server's `kg.query`): there were more rows."""
    seconds: float | None
    """How long the query took on the server; None in a static export (whose bytes must not vary)."""
    boolean: bool | None = None


@dataclass(frozen=True, slots=True)
class QueryView:
    examples: tuple[Example, ...]
    selected: str | None
    text: str
    result: ResultTable | None
    error: str | None
    downloads: tuple[Ref, ...]
    live: bool


def _downloads(name: str) -> tuple[Ref, ...]:
    return tuple(Ref(label, path=f"query/{name}", ext=ext) for ext, label in DOWNLOADS)


def examples() -> tuple[Example, ...]:
    return tuple(
        Example(q.name, q.title, q.description, q.text, Ref(q.title, path=f"query/{q.name}"), _downloads(q.name))
        for q in bundled_queries().values()
    )


def run_bundled(site: Site, name: str) -> SelectResult:
    """Run a bundled query on the site's store in this process (KeyError for an unknown name)."""
    text = bundled_queries()[name].text
    started = time.monotonic()
    solutions = site.store.query(text, prefixes=PREFIXES)
    if not isinstance(solutions, ox.QuerySolutions):
        raise ValueError(f"bundled query {name} is not a SELECT query")
    payload = solutions.serialize(format=ox.QueryResultsFormat.JSON)
    parsed = ox.parse_query_results(payload, ox.QueryResultsFormat.JSON)
    variables = [v.value for v in parsed.variables]
    rows = [tuple(solution[i] for i in range(len(variables))) for solution in parsed]
    return SelectResult(variables, rows, False, time.monotonic() - started, payload)


def download(site: Site, name: str, ext: str, result: SelectResult | None = None) -> bytes:
    """A bundled query's results as a file: `csv`, `tsv`, `srj` (SPARQL JSON) or `srx` (SPARQL XML)."""
    return (result or run_bundled(site, name)).serialize(FORMAT_OF[ext])


def _cell(site: Site, term: object) -> Ref:
    text = display(term)  # type: ignore[arg-type]
    if isinstance(term, ox.NamedNode):
        path = site.path_of(term.value)
        if path is not None and site.has(term.value):
            return Ref(text, term.value, path=path)
        return Ref(text, term.value, url=web_url(term.value))
    return Ref(text)


def table(site: Site, result: QueryResult, *, timed: bool = True) -> ResultTable:
    """A SELECT or ASK result as a table of cells (at most `MAX_SHOWN` rows)."""
    seconds = result.seconds if timed else None
    if isinstance(result, AskResult):
        return ResultTable((), (), 1, False, seconds, result.boolean)
    if not isinstance(result, SelectResult):
        raise TypeError("the query page shows SELECT and ASK results; CONSTRUCT and DESCRIBE are RDF downloads")
    rows = tuple(tuple(_cell(site, t) for t in row) for row in result.rows[:MAX_SHOWN])
    return ResultTable(tuple(result.variables), rows, len(result.rows), result.truncated, seconds)


def query_page(
    site: Site,
    name: str | None = None,
    *,
    text: str | None = None,
    result: QueryResult | None = None,
    error: str | None = None,
    live: bool = False,
) -> Page | None:
    """The query page, with bundled query `name` selected (and run, unless `result` is given), or a
    visitor's `text` with the `result` or `error` the server got for it. None for an unknown name."""
    queries = bundled_queries()
    if name is not None and name not in queries:
        return None
    if name is not None and result is None and error is None:
        result = run_bundled(site, name)
    shown = table(site, result, timed=live) if result is not None else None
    selected = queries[name] if name else None
    view = QueryView(
        examples=examples(),
        selected=name,
        text=text if text is not None else (selected.text if selected else ""),
        result=shown,
        error=error,
        downloads=_downloads(name) if name and shown else (),
        live=live,
    )
    title = selected.title if selected else "Query the graph"
    if shown is None:
        summary = "SPARQL queries over the graph, with the bundled queries as examples."
    elif shown.boolean is not None:
        summary = f"The answer is {'yes' if shown.boolean else 'no'}."
    else:
        summary = f"{plural(shown.total, 'row')}."
    path = f"query/{name}" if name else "query"
    crumbs = (Ref("Query", path="query"),) if name else ()
    return Page("query", path, title, view, None, summary, crumbs)
