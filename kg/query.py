"""`kg query`: SPARQL over the built store, guarded, with a deadline, as Python values.

    >>> result = kg.query("out/store", "models-per-risk")          # a bundled query, by name
    >>> result.variables, result.rows[0]
    >>> print(result.table())
    >>> kg.query("out/store", "ASK { ?m mc:hasRisk risk:bodily-harm }").boolean

Every query runs in a child process (`kg.query_worker`) that is killed at `timeout`: neither SPARQL
engine can be interrupted in-process, and the store, opened read-only, survives the kill. The first query
starts that worker (about 0.4 s); later queries of the same Python process reuse it, warm, and a killed
worker is replaced in the background. The text is
size- and depth-checked here before any parser sees it; the worker then parses it with rdflib and refuses
updates, `SERVICE` and `FROM` graphs the store lacks (`kg.sparql_guard`), and runs it on Oxigraph with
the prefixes of `kg.namespaces.PREFIXES` predeclared (passed to the engine, never pasted into the text,
so error positions are the user's own lines). The default graph is the union of the cards' named graphs
(see `kg.store`). At most `max_rows` rows (or triples) come back; `truncated` says when there were more.
"""

from __future__ import annotations

import atexit
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final, Literal

import pyoxigraph as ox

from kg.namespaces import PREFIXES, XSD
from kg.queries import bundled_queries
from kg.query_pool import BOOT_TIMEOUT, QueryPool
from kg.query_worker import encode_graph, encode_results
from kg.sparql_guard import QueryError, QueryRefused, QuerySyntaxError, QueryTimeout, precheck
from kg.store import resolve_store

DEFAULT_STORE: Final = Path("out") / "store"
DEFAULT_TIMEOUT: Final = 30.0
"""Seconds, counted from the moment the warm worker receives the query."""
DEFAULT_MAX_ROWS: Final = 100_000

Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple
RESULT_FORMATS: Final = {
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
    "json": ox.QueryResultsFormat.JSON,
    "xml": ox.QueryResultsFormat.XML,
}
GRAPH_FORMATS: Final = {"ttl": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES, "jsonld": ox.RdfFormat.JSON_LD}
_NUMERIC: Final = {
    XSD + t
    for t in (
        *("integer", "decimal", "double", "float", "long", "int", "short", "byte"),
        *("nonNegativeInteger", "positiveInteger", "nonPositiveInteger", "negativeInteger"),
        *("unsignedLong", "unsignedInt", "unsignedShort", "unsignedByte"),
    )
}

__all__ = [
    "DEFAULT_MAX_ROWS",
    "DEFAULT_STORE",
    "DEFAULT_TIMEOUT",
    "AskResult",
    "GraphResult",
    "QueryError",
    "QueryRefused",
    "QueryResult",
    "QuerySyntaxError",
    "QueryTimeout",
    "SelectResult",
    "query",
]


@dataclass(slots=True)
class SelectResult:
    """Rows of a SELECT: `rows[i][j]` is the term bound to `variables[j]`, or None when unbound."""

    variables: list[str]
    rows: list[tuple[Term | None, ...]]
    truncated: bool = False
    seconds: float = 0.0
    _json: bytes = field(default=b"", repr=False)
    kind: Literal["select"] = "select"
    precomputed: bool = False
    """True when a bundled query was answered from the results kept at build time (`kg.answers`)."""

    def __len__(self) -> int:
        return len(self.rows)

    def __iter__(self) -> Iterator[tuple[Term | None, ...]]:
        return iter(self.rows)

    def bindings(self) -> list[dict[str, Term]]:
        """One dict per row, with the bound variables only."""
        return [{v: t for v, t in zip(self.variables, row, strict=True) if t is not None} for row in self.rows]

    def values(self) -> list[dict[str, object]]:
        """One dict per row of plain Python values (int, float, bool, str, datetime.date...) via rdflib."""
        from rdflib.plugins.sparql.results.jsonresults import JSONResult

        parsed = JSONResult(json.loads(self._json))
        return [{v: (row[v].toPython() if row[v] is not None else None) for v in self.variables} for row in parsed]

    def serialize(self, format: str = "json") -> bytes:
        """The W3C SPARQL results document: `csv`, `tsv`, `json` or `xml`, written by Oxigraph."""
        _result_format(format)
        return encode_results(self._json, format)

    def to_csv(self) -> str:
        return self.serialize("csv").decode("utf-8")

    def table(self, *, compact: bool = True, max_width: int | None = None) -> str:
        """An aligned text table; `compact` writes IRIs under a known namespace as prefixed names."""
        return render_table(self.variables, self.rows, compact=compact, max_width=max_width)


@dataclass(slots=True)
class AskResult:
    """The answer of an ASK; `bool(result)` is that answer."""

    boolean: bool
    seconds: float = 0.0
    truncated: bool = False
    kind: Literal["ask"] = "ask"

    def __bool__(self) -> bool:
        return self.boolean

    def serialize(self, format: str = "json") -> bytes:
        _result_format(format)
        return encode_results(json.dumps({"head": {}, "boolean": self.boolean}), format)

    def table(self, **_: object) -> str:
        return "true" if self.boolean else "false"


@dataclass(slots=True)
class GraphResult:
    """The triples of a CONSTRUCT or DESCRIBE."""

    triples: list[ox.Triple]
    truncated: bool = False
    seconds: float = 0.0
    kind: Literal["construct", "describe"] = "construct"

    def __len__(self) -> int:
        return len(self.triples)

    def __iter__(self) -> Iterator[ox.Triple]:
        return iter(self.triples)

    def serialize(self, format: str = "ttl") -> bytes:
        """`ttl` (with the prefixes it uses), `nt` or `jsonld` (expanded), written by Oxigraph."""
        if format not in GRAPH_FORMATS:
            raise ValueError(f"unknown graph format {format!r}: use one of {', '.join(GRAPH_FORMATS)}")
        return encode_graph(self.triples, format)

    def graph(self):
        """The triples as an rdflib.Graph, for notebooks (rdflib is slower: keep large results in Oxigraph)."""
        import rdflib

        graph = rdflib.Graph()
        for prefix, namespace in PREFIXES.items():
            graph.bind(prefix, namespace)
        graph.parse(data=self.serialize("nt").decode("utf-8"), format="nt")
        return graph


QueryResult = SelectResult | AskResult | GraphResult


def query(
    store: str | Path,
    text: str,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    max_rows: int | None = DEFAULT_MAX_ROWS,
) -> QueryResult:
    """Run a SPARQL query (or a bundled query, by name) on the store built by `kg build`.

    Raises QueryRefused (updates, SERVICE, unknown FROM graphs, oversize or too deeply nested text),
    QuerySyntaxError (with `line` and `column`), QueryTimeout, or QueryError for anything else.
    """
    text = bundled_queries()[text].text if text in bundled_queries() else text
    precheck(text)
    if timeout <= 0:
        raise ValueError("timeout must be positive")
    try:
        store = resolve_store(store)
    except FileNotFoundError as err:
        raise QueryError(str(err)) from None
    request = {"store": str(store), "query": text, "max_rows": max_rows}
    header, payload = _run_worker(request, timeout)
    if not header["ok"]:
        raise error_from(header)
    seconds, truncated = header["seconds"], header["truncated"]
    if header["kind"] == "ask":
        return AskResult(json.loads(payload)["boolean"], seconds)
    if header["kind"] == "select":
        parsed = ox.parse_query_results(payload, ox.QueryResultsFormat.JSON)
        variables = [v.value for v in parsed.variables]
        rows = [tuple(solution[i] for i in range(len(variables))) for solution in parsed]
        return SelectResult(variables, rows, truncated, seconds, payload, precomputed=header.get("precomputed", False))
    triples = [t.triple for t in ox.parse(payload, format=ox.RdfFormat.N_TRIPLES)]
    return GraphResult(triples, truncated, seconds, header["kind"])


def _run_worker(request: dict, timeout: float) -> tuple[dict, bytes]:
    """Ask the warm worker of this process (started by the first query, reused by the next ones)."""
    return _warm_pool().run(request, timeout=timeout)


_pool: QueryPool | None = None
_pool_lock = threading.Lock()


def _warm_pool() -> QueryPool:
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = QueryPool(1, timeout=DEFAULT_TIMEOUT, wait=BOOT_TIMEOUT)
            _pool.start()
            atexit.register(_pool.close)
        return _pool


def error_from(header: dict) -> QueryError:
    """The exception a worker's error header stands for."""
    if header["type"] == "syntax":
        return QuerySyntaxError(header["message"], header["line"], header["column"], header.get("source_line", ""))
    if header["type"] == "refused":
        return QueryRefused(header["message"])
    return QueryError(header["message"])


def _result_format(name: str) -> ox.QueryResultsFormat:
    if name not in RESULT_FORMATS:
        raise ValueError(f"unknown result format {name!r}: use one of {', '.join(RESULT_FORMATS)}")
    return RESULT_FORMATS[name]


def _prefixed(iri: str) -> str:
    best = ""
    for prefix, namespace in PREFIXES.items():
        local = iri[len(namespace) :]
        fits = iri.startswith(namespace) and local and all(c.isalnum() or c in "_-." for c in local)
        if fits and not local.endswith(".") and len(namespace) > len(PREFIXES.get(best, "")):
            best = prefix
    return f"{best}:{iri[len(PREFIXES[best]) :]}" if best else iri


def display(term: Term | None, *, compact: bool = True) -> str:
    """A term as a table cell: IRIs bare (or prefixed), literals by their lexical form, as in CSV."""
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        text = _prefixed(term.value) if compact else term.value
    elif isinstance(term, ox.BlankNode):
        text = f"_:{term.value}"
    else:
        text = term.value if isinstance(term, ox.Literal) else str(term)
    return text.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t")


def _is_number_column(terms: list[Term | None]) -> bool:
    bound = [t for t in terms if t is not None]
    return bool(bound) and all(isinstance(t, ox.Literal) and t.datatype.value in _NUMERIC for t in bound)


def render_table(
    variables: list[str],
    rows: list[tuple[Term | None, ...]],
    *,
    compact: bool = True,
    max_width: int | None = None,
) -> str:
    """Columns padded to their widest cell, numbers right-aligned, under a `---` rule."""
    cells = [[display(t, compact=compact) for t in row] for row in rows]
    if max_width:
        cells = [[c if len(c) <= max_width else c[: max_width - 1] + "…" for c in row] for row in cells]
    widths = [max([len(v), *(len(row[i]) for row in cells)]) for i, v in enumerate(variables)]
    numeric = [_is_number_column([row[i] for row in rows]) for i in range(len(variables))]

    def line(values: list[str]) -> str:
        padded = [v.rjust(w) if num else v.ljust(w) for v, w, num in zip(values, widths, numeric, strict=True)]
        return "  ".join(padded).rstrip()

    out = [line(variables), "  ".join("-" * w for w in widths)]
    out.extend(line(row) for row in cells)
    return "\n".join(out)
