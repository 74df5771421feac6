"""The SPARQL 1.1 Protocol at `/sparql`: query via GET or POST, read-only, with honest limits.

Requests (https://www.w3.org/TR/sparql11-protocol/):

- `GET /sparql?query=...`, `POST` with `application/x-www-form-urlencoded` (`query=...`), or `POST` with
  `application/sparql-query` (the body is the query, UTF-8); `default-graph-uri` and `named-graph-uri`
  select graphs of the store (never fetched). `GET /sparql` alone returns the Service Description.
- 400 for two `query` parameters, none, an update sent with GET, text that is not UTF-8, a syntax error
  (the message says line and column) or a refused query (SERVICE, LOAD, unknown graphs, over the size or
  nesting caps); 403 for an update (`update=`, `application/sparql-update`): the endpoint is read-only;
  415 for another body type; 406 when no format fits `Accept`; 413 for a body over the cap.
- 503 when the query ran past the time limit (its worker is killed and replaced; the next request is
  served), 429 with `Retry-After` when every worker stayed busy for the short queue wait, 500 when the
  engine crashed (also replaced).

Answers: SELECT/ASK as SPARQL JSON (default), XML, CSV or TSV; CONSTRUCT/DESCRIBE as Turtle (default),
N-Triples, JSON-LD or RDF/XML. At most `max_rows` rows or triples: `X-Result-Truncated: true` (and
`"truncated": true` in SPARQL JSON) says when there were more; `X-Result-Rows` gives the count.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qsl

import pyoxigraph as ox
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from kg.query import QueryError, QueryTimeout, error_from
from kg.query_pool import PoolBusy, QueryPool
from kg.server.conneg import GRAPHS, RESULTS, negotiate
from kg.server.linked_data import LinkedData
from kg.server.store_view import StoreView
from kg.sparql_guard import QueryRefused, QuerySyntaxError, precheck

FORM = "application/x-www-form-urlencoded"
DIRECT = "application/sparql-query"
UPDATE = "application/sparql-update"
DATASET_PARAMS = ("default-graph-uri", "named-graph-uri")


class ProtocolError(Exception):
    """A request the protocol does not allow; `status` is the HTTP answer."""

    def __init__(self, status: int, message: str) -> None:
        self.status = status
        super().__init__(message)


@dataclass(frozen=True, slots=True)
class QueryRequest:
    text: str
    default_graphs: list[str]
    named_graphs: list[str]


def _params(raw: str) -> list[tuple[str, str]]:
    """Decode `a=1&b=2` strictly: percent-escapes that are not UTF-8 are an error, not U+FFFD."""
    try:
        return parse_qsl(raw, keep_blank_values=True, encoding="utf-8", errors="strict")
    except UnicodeDecodeError:
        raise ProtocolError(400, "parameters are not UTF-8 (percent-encode UTF-8 bytes)") from None


def _values(params: list[tuple[str, str]], name: str) -> list[str]:
    return [value for key, value in params if key == name]


def _media_type(header: str | None) -> tuple[str, dict[str, str]]:
    media, *rest = (header or "").split(";")
    params = {}
    for item in rest:
        key, _, value = item.partition("=")
        params[key.strip().lower()] = value.strip().strip('"').lower()
    return media.strip().lower(), params


def _graphs(params: list[tuple[str, str]]) -> tuple[list[str], list[str]]:
    found = []
    for name in DATASET_PARAMS:
        iris = _values(params, name)
        for iri in iris:
            try:
                ox.NamedNode(iri)
            except ValueError:
                raise ProtocolError(400, f"{name} {iri!r} is not an absolute IRI") from None
        found.append(iris)
    return found[0], found[1]


def _one_query(queries: list[str]) -> str:
    if not queries:
        raise ProtocolError(400, "missing query: send query=... (or POST the query as application/sparql-query)")
    if len(queries) > 1:
        raise ProtocolError(400, f"{len(queries)} query parameters: send exactly one")
    return queries[0]


async def parse_request(request: Request) -> QueryRequest | None:
    """The query of a protocol request, None for a bare GET (the service description), or ProtocolError."""
    url_params = _params(request.scope.get("query_string", b"").decode("latin-1"))
    if request.method in ("GET", "HEAD"):
        if _values(url_params, "update"):
            raise ProtocolError(400, "an update cannot be sent with GET (and this endpoint is read-only)")
        if not url_params:
            return None
        return QueryRequest(_one_query(_values(url_params, "query")), *_graphs(url_params))
    media, media_params = _media_type(request.headers.get("content-type"))
    if media == FORM:
        body = await request.body()
        try:
            form = _params(body.decode("utf-8"))
        except UnicodeDecodeError:
            raise ProtocolError(400, "the form body is not UTF-8") from None
        if _values(form, "update"):
            raise ProtocolError(403, "updates are refused: this endpoint is read-only")
        queries = _values(form, "query") + _values(url_params, "query")
        return QueryRequest(_one_query(queries), *_graphs(form + url_params))
    if media == DIRECT:
        if media_params.get("charset", "utf-8") not in ("utf-8", "utf8"):
            raise ProtocolError(415, f"{DIRECT} must be UTF-8, not {media_params['charset']}")
        if _values(url_params, "query"):
            raise ProtocolError(400, "a query in both the body and the URL: send one")
        body = await request.body()
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError as err:
            raise ProtocolError(400, f"the query is not UTF-8 (byte {err.start})") from None
        return QueryRequest(text, *_graphs(url_params))
    if media == UPDATE:
        raise ProtocolError(403, "updates are refused: this endpoint is read-only")
    if not media:
        raise ProtocolError(415, f"missing Content-Type: use {FORM} or {DIRECT}")
    raise ProtocolError(415, f"unsupported Content-Type {media}: use {FORM} or {DIRECT}")


def _text(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    return Response(message.rstrip("\n") + "\n", status, headers=headers, media_type="text/plain")


def _message(err: QueryError) -> str:
    """What the client reads: a syntax error shows the line with a caret under the column."""
    excerpt = err.excerpt() if isinstance(err, QuerySyntaxError) else ""
    return f"{err}\n{excerpt}" if excerpt else str(err)


class SparqlEndpoint:
    """The `/sparql` route: protocol checks here, the query in a pool worker."""

    def __init__(self, pool: QueryPool, view: StoreView, linked: LinkedData, max_rows: int) -> None:
        self.pool, self.view, self.linked, self.max_rows = pool, view, linked, max_rows

    async def handle(self, request: Request) -> Response:
        log: dict = {}
        request.state.log = log
        try:
            query = await parse_request(request)
            if query is None:
                return await run_in_threadpool(self.linked.respond, request, "sparql")
            precheck(query.text)
        except ProtocolError as err:
            log["error"] = str(err)
            return _text(err.status, str(err))
        except QueryRefused as err:
            log["error"] = str(err)
            return _text(400, str(err))
        accept = request.headers.get("accept")
        offers = {"results": negotiate(accept, RESULTS), "graph": negotiate(accept, GRAPHS)}
        if offers["results"] is None and offers["graph"] is None:
            return _not_acceptable()
        worker_request = {
            "store": str(self.view.path),
            "query": query.text,
            "max_rows": self.max_rows,
            "encode": {kind: offer.fmt if offer else None for kind, offer in offers.items()},
            "default_graph": query.default_graphs,
            "named_graphs": query.named_graphs,
        }
        try:
            header, payload = await run_in_threadpool(self.pool.run, worker_request)
        except PoolBusy as err:
            log["error"] = "busy"
            return _text(429, str(err), {"Retry-After": str(err.retry_after)})
        except QueryTimeout as err:
            log["error"] = "timeout"
            return _text(503, str(err))
        except QueryError as err:
            log["error"] = str(err)
            return _text(500, str(err))
        if not header["ok"]:
            log["error"] = header["message"]
            if header["type"] == "not-acceptable":
                return _not_acceptable(header["kind"])
            if header["type"] == "store":
                return _text(503, header["message"])
            return _text(400, _message(error_from(header)))  # syntax, refused, or failed as written
        kind = header["kind"]
        offer = offers["graph" if kind in ("construct", "describe") else "results"]
        assert offer is not None  # the worker answers not-acceptable otherwise
        truncated = bool(header.get("truncated"))
        log.update(kind=kind, truncated=truncated, query_ms=round(header["seconds"] * 1000, 2))
        headers = {
            "Vary": "Accept",
            "X-Result-Truncated": "true" if truncated else "false",
            "Server-Timing": f"query;dur={header['seconds'] * 1000:.1f}",
        }
        if "rows" in header:
            headers["X-Result-Rows"] = str(header["rows"])
            log["rows"] = header["rows"]
        return Response(payload, 200, headers=headers, media_type=offer.content_type)


def _not_acceptable(kind: str | None = None) -> Response:
    offers = GRAPHS if kind in ("construct", "describe") else RESULTS if kind else RESULTS + GRAPHS
    listed = ", ".join(dict.fromkeys(o.media_type for o in offers))
    what = f"the results of a {kind.upper()} query are" if kind else "query results are"
    return _text(406, f"not acceptable: {what} available as {listed}", {"Vary": "Accept"})
