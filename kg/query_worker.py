"""The process that answers one query, so that the caller can kill it at a deadline.

Neither pyoxigraph nor rdflib can be interrupted in-process, and a pathological query can also crash
Oxigraph outright, so `kg.query` starts `python -m kg.query_worker`-style child processes (see
`kg.query._run_worker`), sends one JSON request on stdin and reads one reply on stdout: a JSON header
line, then the payload (SPARQL JSON results, or N-Triples for CONSTRUCT/DESCRIBE). The store is opened
read-only, so killing the worker can never damage it.

Before anything else the worker drops its network access where Linux lets an unprivileged process do so
(a new user and network namespace): a second wall behind the parse-tree check of `kg.sparql_guard`.
"""

from __future__ import annotations

import ctypes
import json
import sys
import threading
import time
from typing import BinaryIO

import pyoxigraph as ox

from kg.namespaces import PREFIXES, XSD
from kg.sparql_guard import QueryError, QueryRefused, QuerySyntaxError, check
from kg.store import open_store

_STACK_BYTES = 256 * 1024 * 1024
_RECURSION_LIMIT = 20_000
_XSD_STRING = XSD + "string"


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


def answer(request: dict) -> tuple[dict, bytes]:
    """Check and run the request's query; return the reply header and payload."""
    text, max_rows = request["query"], request.get("max_rows")
    checked = check(text)
    store = open_store(request["store"])
    for iri in checked.from_graphs + checked.from_named:
        if not store.contains_named_graph(ox.NamedNode(iri)):
            raise QueryRefused(
                f"query refused: FROM <{iri}> is not a graph of this store (FROM only selects the store's "
                "own graphs; nothing is fetched)"
            )
    started = time.perf_counter()
    try:
        results = store.query(text, prefixes=PREFIXES)
    except SyntaxError as err:  # rdflib accepted it; Oxigraph did not (e.g. an undeclared prefix)
        raise _oxigraph_syntax_error(str(err), text) from None
    header: dict = {"ok": True, "kind": checked.kind, "truncated": False}
    if isinstance(results, ox.QueryBoolean):
        payload = json.dumps({"head": {}, "boolean": bool(results)}).encode()
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
        payload = json.dumps(doc, ensure_ascii=False).encode("utf-8")
    else:
        triples = []
        for triple in results:
            if max_rows is not None and len(triples) == max_rows:
                header["truncated"] = True
                break
            triples.append(triple)
        header["rows"] = len(triples)
        payload = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
    header["seconds"] = round(time.perf_counter() - started, 6)
    return header, payload


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
    if isinstance(err, QueryError):
        return {"ok": False, "type": "failed", "message": str(err)}
    if isinstance(err, FileNotFoundError):
        return {"ok": False, "type": "store", "message": str(err)}
    if isinstance(err, OSError):
        return {"ok": False, "type": "store", "message": f"cannot read the store: {err}"}
    return {"ok": False, "type": "failed", "message": f"query failed: {type(err).__name__}: {err}"}


def serve(stdin: BinaryIO, stdout: BinaryIO) -> None:
    """Read one request, write one reply. Runs on a thread with a large stack so deep parses fit."""
    isolated = isolate_network()
    request = json.loads(stdin.read())
    reply: list[tuple[dict, bytes]] = []

    def run() -> None:
        try:
            reply.append(answer(request))
        except BaseException as err:
            reply.append((_error_header(err), b""))

    sys.setrecursionlimit(_RECURSION_LIMIT)
    threading.stack_size(_STACK_BYTES)
    worker = threading.Thread(target=run, name="kg-query")
    worker.start()
    worker.join()
    header, payload = reply[0]
    header["network_isolated"] = isolated
    stdout.write(json.dumps(header).encode() + b"\n")
    stdout.write(payload)
    stdout.flush()


if __name__ == "__main__":
    serve(sys.stdin.buffer, sys.stdout.buffer)
