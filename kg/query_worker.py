"""The process that answers queries, so that the caller can kill it at a deadline.

Neither pyoxigraph nor rdflib can be interrupted in-process, and a pathological query can also crash
Oxigraph outright, so queries run in child processes that the caller kills when they overrun.
`serve_forever` answers requests one after another, so callers keep warm workers instead of paying a
Python start (about 0.4 s) per query (see `kg.query_pool`: `kg.query` keeps one, `kg serve` several). It
first writes a `{"ready": true}` header, and ends at end of input. It keeps the store it opened until a
request names another version.

A request is one JSON line on stdin; a reply is one JSON header line (with the payload's `length`), then
the payload: SPARQL JSON results or N-Triples by default, or the format the request's `encode` names
(`{"results": "json"|"xml"|"csv"|"tsv"|None, "graph": "ttl"|"nt"|"jsonld"|"rdfxml"|None}`; a None for
the query's kind is the error `not-acceptable`). The store is opened read-only, so killing the worker can
never damage it.

Before anything else the worker drops its network access where Linux lets an unprivileged process do so
(a new user and network namespace): a second wall behind the parse-tree check of `kg.sparql_guard`.
"""

from __future__ import annotations

import ctypes
import functools
import json
import sys
import threading
import time
from collections.abc import Iterable
from pathlib import Path
from typing import BinaryIO, Final

import pyoxigraph as ox

from kg.answers import lookup
from kg.namespaces import PREFIXES, XSD
from kg.sparql_guard import Checked, QueryError, QueryRefused, QuerySyntaxError, check
from kg.store import resolve_store

_STACK_BYTES = 256 * 1024 * 1024
_RECURSION_LIMIT = 20_000
_XSD_STRING = XSD + "string"

RESULT_ENCODINGS: Final = {
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
    "json": ox.QueryResultsFormat.JSON,
    "xml": ox.QueryResultsFormat.XML,
}
GRAPH_ENCODINGS: Final = {
    "ttl": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "jsonld": ox.RdfFormat.JSON_LD,
    "rdfxml": ox.RdfFormat.RDF_XML,
}


def encode_results(json_doc: bytes | str, fmt: str) -> bytes:
    """A SPARQL JSON results document re-written by Oxigraph as `csv`, `tsv`, `json` or `xml`."""
    parsed = ox.parse_query_results(json_doc, ox.QueryResultsFormat.JSON)
    return parsed.serialize(format=RESULT_ENCODINGS[fmt])


def encode_graph(triples: list[ox.Triple], fmt: str) -> bytes:
    """Triples as `ttl` (grouped by subject, with the prefixes it uses), `nt`, `jsonld` or `rdfxml`."""
    if fmt != "ttl":
        return ox.serialize(triples, format=GRAPH_ENCODINGS[fmt])
    by_subject = sorted(triples, key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))
    return ox.serialize(by_subject, format=ox.RdfFormat.TURTLE, prefixes=used_prefixes(triples))


def used_prefixes(triples: Iterable[ox.Triple]) -> dict[str, str]:
    """The entries of PREFIXES whose namespace some IRI of `triples` starts with."""
    iris = {t.value for triple in triples for t in triple if isinstance(t, ox.NamedNode)}
    return {p: ns for p, ns in PREFIXES.items() if any(iri.startswith(ns) for iri in iris)}


def isolate_network() -> bool:
    """Move this process into fresh user + network namespaces (no interfaces up); False where not allowed."""
    if not sys.platform.startswith("linux"):
        return False
    clone_newuser, clone_newnet = 0x10000000, 0x40000000
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.unshare(clone_newuser | clone_newnet) == 0
    except (OSError, AttributeError):
        return False


def term_json(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> dict:
    """One RDF term in the SPARQL 1.1 JSON results form."""
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Triple):
        parts = ("subject", "predicate", "object")
        return {"type": "triple", "value": {p: term_json(getattr(term, p)) for p in parts}}
    out: dict = {"type": "literal", "value": term.value}
    if term.language:
        out["xml:lang"] = term.language
    elif term.datatype.value != _XSD_STRING:
        out["datatype"] = term.datatype.value
    return out


class NotAcceptable(QueryError):
    """The request's `encode` has no format for this kind of query (an HTTP 406)."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        super().__init__(f"no acceptable format for the results of a {kind.upper()} query")


@functools.lru_cache(maxsize=256)
def _check(text: str) -> Checked:
    """`check`, remembered per text: rdflib's parser takes tens of ms, and endpoints see the same queries
    again and again. The verdict depends on the text only; a refusal is an exception, never cached."""
    return check(text)


def answer(request: dict, store: ox.Store | None = None, version: Path | None = None) -> tuple[dict, bytes]:
    """Check and run the request's query; return the reply header and payload.

    `version` is the store version's folder: a bundled query's text is answered from the results kept
    there at build time (`kg.answers`).
    """
    text, max_rows = request["query"], request.get("max_rows")
    checked = _check(text)
    if store is None:
        version = resolve_store(request["store"])
        store = ox.Store.read_only(str(version))
    default_graph = [ox.NamedNode(iri) for iri in request.get("default_graph") or ()]
    named_graphs = [ox.NamedNode(iri) for iri in request.get("named_graphs") or ()]
    for iri in checked.from_graphs + checked.from_named + [g.value for g in default_graph + named_graphs]:
        if not store.contains_named_graph(ox.NamedNode(iri)):
            raise QueryRefused(
                f"query refused: FROM <{iri}> is not a graph of this store (FROM only selects the store's "
                "own graphs; nothing is fetched)"
            )
    encode = request.get("encode")
    if encode is not None and encode.get("graph" if checked.kind in ("construct", "describe") else "results") is None:
        raise NotAcceptable(checked.kind)
    dataset: dict = {}
    if default_graph:
        dataset["default_graph"] = default_graph
    if named_graphs:
        dataset["named_graphs"] = named_graphs
    started = time.perf_counter()
    kept = lookup(version, text) if version is not None and not dataset else None
    header: dict = {"ok": True, "kind": checked.kind, "truncated": False, "precomputed": kept is not None}
    if kept is not None:
        bindings = kept["results"]["bindings"]
        if max_rows is not None and len(bindings) > max_rows:
            bindings, header["truncated"] = bindings[:max_rows], True
        header["rows"] = len(bindings)
        doc = {"head": kept["head"], "results": {"bindings": bindings}}
        payload = _encode_doc(doc, encode, truncated=header["truncated"])
        header["seconds"] = round(time.perf_counter() - started, 6)
        return header, payload
    try:
        results = store.query(text, prefixes=PREFIXES, **dataset)
    except SyntaxError as err:  # rdflib accepted it; Oxigraph did not (e.g. an undeclared prefix)
        raise _oxigraph_syntax_error(str(err), text) from None
    if isinstance(results, ox.QueryBoolean):
        doc: dict = {"head": {}, "boolean": bool(results)}
        payload = _encode_doc(doc, encode, truncated=None)
    elif isinstance(results, ox.QuerySolutions):
        variables = [v.value for v in results.variables]
        bindings = []
        for solution in results:
            if max_rows is not None and len(bindings) == max_rows:
                header["truncated"] = True
                break
            row = {}
            for name, value in zip(variables, solution, strict=True):
                if value is not None:
                    row[name] = term_json(value)
            bindings.append(row)
        header["rows"] = len(bindings)
        doc = {"head": {"vars": variables}, "results": {"bindings": bindings}}
        payload = _encode_doc(doc, encode, truncated=header["truncated"])
    else:
        triples = []
        for triple in results:
            if max_rows is not None and len(triples) == max_rows:
                header["truncated"] = True
                break
            triples.append(triple)
        header["rows"] = len(triples)
        fmt = encode["graph"] if encode is not None else "nt"
        payload = encode_graph(triples, fmt)
    header["seconds"] = round(time.perf_counter() - started, 6)
    return header, payload


def _encode_doc(doc: dict, encode: dict | None, truncated: bool | None) -> bytes:
    """SPARQL JSON as the canonical reply, or the requested format.

    Requested JSON also says `"truncated"` (SELECT only), placed before `"results"`: streaming readers
    such as Oxigraph's refuse members after the bindings, and every reader tried ignores one before them.
    """
    fmt = encode["results"] if encode is not None else None
    if fmt == "json" and truncated is not None:
        doc = {"head": doc["head"], "truncated": truncated, "results": doc["results"]}
    raw = json.dumps(doc, ensure_ascii=False).encode("utf-8")
    return raw if fmt in (None, "json") else encode_results(raw, fmt)


def _oxigraph_syntax_error(message: str, text: str) -> QueryError:
    """Oxigraph reports "error at LINE:COLUMN: ..."; keep the position when it is there."""
    head, _, rest = message.partition(": ")
    position = head.removeprefix("error at ").split(":")
    if len(position) == 2 and all(p.isdigit() for p in position):
        line, column = int(position[0]), int(position[1])
        lines = text.splitlines()
        source = lines[line - 1] if 0 < line <= len(lines) else ""
        return QuerySyntaxError(rest, line, column, source)
    return QueryError(f"query failed: {message}")


def _error_header(err: BaseException) -> dict:
    if isinstance(err, QuerySyntaxError):
        return {
            "ok": False,
            "type": "syntax",
            "message": err.reason,
            "line": err.line,
            "column": err.column,
            "source_line": err.source_line,
        }
    if isinstance(err, QueryRefused):
        return {"ok": False, "type": "refused", "message": str(err)}
    if isinstance(err, NotAcceptable):
        return {"ok": False, "type": "not-acceptable", "kind": err.kind, "message": str(err)}
    if isinstance(err, QueryError):
        return {"ok": False, "type": "failed", "message": str(err)}
    if isinstance(err, FileNotFoundError):
        return {"ok": False, "type": "store", "message": str(err)}
    if isinstance(err, OSError):
        return {"ok": False, "type": "store", "message": f"cannot read the store: {err}"}
    return {"ok": False, "type": "failed", "message": f"query failed: {type(err).__name__}: {err}"}


def _write(stdout: BinaryIO, header: dict, payload: bytes) -> None:
    header["length"] = len(payload)
    stdout.write(json.dumps(header).encode() + b"\n")
    stdout.write(payload)
    stdout.flush()


def _on_big_stack(target) -> None:
    """Run `target` on a thread with a large stack and recursion limit, so deep parses fit."""
    sys.setrecursionlimit(_RECURSION_LIMIT)
    threading.stack_size(_STACK_BYTES)
    worker = threading.Thread(target=target, name="kg-query")
    worker.start()
    worker.join()


def serve_forever(stdin: BinaryIO, stdout: BinaryIO) -> None:
    """Load the parser, say ready, then answer one request per input line until end of input."""
    isolated = isolate_network()
    check("ASK { ?s ?p ?o }")  # imports rdflib's SPARQL parser now, not in the first query's time
    _write(stdout, {"ready": True, "network_isolated": isolated}, b"")
    opened: dict[Path, ox.Store] = {}

    def store_for(path: str) -> tuple[ox.Store, Path]:
        version = resolve_store(path)
        if version not in opened:
            opened.clear()  # a rebuild swapped the store: drop the old version
            opened[version] = ox.Store.read_only(str(version))
        return opened[version], version

    def run() -> None:
        for line in stdin:
            try:
                request = json.loads(line)
                header, payload = answer(request, *store_for(request["store"]))
            except BaseException as err:
                header, payload = _error_header(err), b""
            _write(stdout, header, payload)

    _on_big_stack(run)


if __name__ == "__main__":
    serve_forever(sys.stdin.buffer, sys.stdout.buffer)
