"""What a query may not do: reach the network, change the store, run forever, or overwhelm the parsers."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from kg import query as query_module_function  # the public name
from kg.query import QueryError, QueryRefused, QuerySyntaxError, QueryTimeout, query
from kg.query_pool import QueryPool
from kg.sparql_guard import MAX_NESTING, MAX_QUERY_BYTES, nesting_depth

from .test_query import corpus_out, run_cli

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


@pytest.fixture(scope="module")
def store() -> Path:
    return corpus_out() / "store"


def triple_count(store: Path) -> int:
    return int(query(store, COUNT).rows[0][0].value)


class Listener:
    """A TCP listener on loopback that records every connection attempt."""

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.sock.settimeout(0.1)
        self.port = self.sock.getsockname()[1]
        self.connections: list[bytes] = []
        self.stopping = False
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self) -> None:
        while not self.stopping:
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            with conn:
                conn.settimeout(1)
                try:
                    self.connections.append(conn.recv(1024))
                except OSError:
                    self.connections.append(b"")

    def close(self) -> None:
        time.sleep(0.3)  # give a late connection the chance to be recorded
        self.stopping = True
        self.thread.join()
        self.sock.close()


@pytest.fixture
def listener():
    server = Listener()
    yield server
    server.close()


def test_the_listener_does_record_connections(listener):
    """Proves the fixture can see a connection, so that 'nothing recorded' below means something."""
    with socket.create_connection(("127.0.0.1", listener.port), timeout=2) as conn:
        conn.sendall(b"hello")
    time.sleep(0.3)
    assert listener.connections == [b"hello"]


@pytest.mark.parametrize(
    "template",
    [
        "SELECT * WHERE {{ SERVICE <http://127.0.0.1:{port}/sparql> {{ ?s ?p ?o }} }}",
        "SELECT * WHERE {{ service silent <http://127.0.0.1:{port}/> {{ ?s ?p ?o }} }}",
        "SELECT * WHERE {{ ?s ?p ?o OPTIONAL {{ {{ SELECT ?x WHERE {{ SERVICE <http://127.0.0.1:{port}/> "
        "{{ ?x ?y ?z }} }} }} }} }}",
        "ASK {{ \\u0053ERVICE <http://127.0.0.1:{port}/> {{ ?s ?p ?o }} }}",  # SPARQL expands the escape first
        "CONSTRUCT {{ ?s ?p ?o }} WHERE {{ SERVICE <http://127.0.0.1:{port}/> {{ ?s ?p ?o }} }}",
    ],
)
def test_service_is_refused_and_makes_no_connection(store, listener, template):
    text = template.format(port=listener.port)
    with pytest.raises(QueryRefused, match="SERVICE"):
        query(store, text)
    out = run_cli("--store", str(store), text)
    assert out.exit_code == 1 and "SERVICE" in out.stderr and "Traceback" not in out.output
    listener.close()
    assert listener.connections == []


def test_service_inside_a_string_is_just_text(store):
    """The guard reads the parse tree, so the word in a literal or a comment is harmless."""
    text = 'SELECT ?x WHERE { BIND("SERVICE <http://127.0.0.1:9/> { }" AS ?x) } # SERVICE <http://x/>'
    assert query(store, text).rows[0][0].value.startswith("SERVICE")


def test_worker_has_no_network_where_linux_allows_it(listener):
    """Defence in depth behind the parse-tree check: the worker drops its network namespace."""
    code = (
        "import socket, sys\n"
        "from kg.query_worker import isolate_network\n"
        "if not isolate_network(): sys.exit(3)\n"
        f"socket.create_connection(('127.0.0.1', {listener.port}), timeout=2)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    if result.returncode == 3:
        pytest.skip("this kernel does not let an unprivileged process create a network namespace")
    assert result.returncode != 0 and "Network is unreachable" in result.stderr
    listener.close()
    assert listener.connections == []


@pytest.mark.parametrize(
    ("text", "operation"),
    [
        ("LOAD <http://127.0.0.1:9/data.ttl>", "LOAD"),
        ("LOAD <http://127.0.0.1:9/data.ttl> INTO GRAPH <http://example.org/g>", "LOAD"),
        ("INSERT DATA { <http://example.org/a> <http://example.org/b> <http://example.org/c> }", "INSERT DATA"),
        ("DELETE DATA { <http://example.org/a> <http://example.org/b> <http://example.org/c> }", "DELETE DATA"),
        ("DELETE WHERE { ?s ?p ?o }", "DELETE WHERE"),
        ("DELETE { ?s ?p ?o } INSERT { ?s ?p 1 } WHERE { ?s ?p ?o }", "DELETE/INSERT"),
        ("WITH <http://example.org/g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }", "DELETE/INSERT"),
        ("CLEAR ALL", "CLEAR"),
        ("DROP DEFAULT", "DROP"),
        ("CREATE GRAPH <http://example.org/g>", "CREATE"),
        ("ADD DEFAULT TO <http://example.org/g>", "ADD"),
        ("MOVE DEFAULT TO <http://example.org/g>", "MOVE"),
        ("COPY DEFAULT TO <http://example.org/g>", "COPY"),
        ("PREFIX ex: <http://example.org/>\nCLEAR GRAPH ex:g ; DROP ALL", "CLEAR, DROP"),
    ],
)
def test_updates_are_refused(store, text, operation):
    with pytest.raises(QueryRefused, match=f"{operation} is an update; kg query is read-only"):
        query(store, text)


def test_a_malformed_update_is_a_syntax_error(store):
    with pytest.raises(QuerySyntaxError, match=r"line 1, column 1: .*found 'INSERT'"):
        query(store, "INSERT DATA { <http://example.org/a> <http://example.org/b> }")


def test_refused_updates_change_nothing(store):
    before = triple_count(store)
    for text in ("CLEAR ALL", "DELETE WHERE { ?s ?p ?o }", "DROP ALL"):
        out = run_cli("--store", str(store), text)
        assert out.exit_code == 1 and "read-only" in out.stderr
    assert triple_count(store) == before > 0


@pytest.mark.parametrize("clause", ["FROM <http://127.0.0.1:9/remote.ttl>", "FROM NAMED <https://example.org/g>"])
def test_from_graphs_outside_the_store_are_refused(store, clause):
    with pytest.raises(QueryRefused, match="is not a graph of this store"):
        query(store, f"SELECT * {clause} WHERE {{ ?s ?p ?o }}")


@pytest.mark.parametrize(
    "text",
    [
        "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }",
        "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } ORDER BY ?c ?f ?i",
    ],
)
def test_a_runaway_query_stops_at_the_timeout_and_the_store_still_answers(store, text):
    before = triple_count(store)
    assert before**3 > 10**10  # a cartesian product no engine finishes in seconds
    started = time.monotonic()
    with pytest.raises(QueryTimeout, match="ran past the 2 s timeout") as stopped:
        query(store, text, timeout=2.0)
    elapsed = time.monotonic() - started
    assert 2.0 <= elapsed < 6.0, elapsed
    assert "--timeout" in str(stopped.value)
    assert not _worker_children(), "the timed-out worker must be gone"
    assert triple_count(store) == before


def test_a_streaming_cartesian_product_stops_within_the_timeout(store):
    """Without ORDER BY or COUNT the rows stream: the row cap or the timeout stops it, whichever comes first."""
    started = time.monotonic()
    try:
        result = query(store, "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }", timeout=2.0, max_rows=100_000)
    except QueryTimeout:
        pass
    else:
        assert result.truncated and len(result) == 100_000
    assert time.monotonic() - started < 6.0
    out = run_cli(
        "--store", str(store), "--timeout", "1.5", "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    )
    assert out.exit_code == 1 and "ran past the 1.5 s timeout" in out.stderr and "Traceback" not in out.output
    assert len(query(store, "models-per-risk")) > 0


def _worker_children() -> list[int]:
    """Live child processes of this test process that are query workers (Linux /proc; empty elsewhere)."""
    children = Path(f"/proc/{os.getpid()}/task/{threading.get_native_id()}/children")
    if not children.exists():
        return []
    pids = [int(p) for p in children.read_text().split()]
    workers = []
    for pid in pids:
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        if b"kg.query_worker" in cmdline:
            workers.append(pid)
    return workers


def test_syntax_errors_point_at_the_users_line_and_column(store):
    text = "SELECT ?model\nWHERE {\n  ?model a mc:Model ;\n}}\n"
    with pytest.raises(QuerySyntaxError) as error:
        query(store, text)
    assert (error.value.line, error.value.column) == (4, 2)
    out = run_cli("--store", str(store), text)
    assert out.exit_code == 1
    assert "syntax error at line 4, column 2" in out.stderr
    assert "    4 | }}\n      |  ^" in out.stderr


def test_engine_errors_keep_the_users_positions(store):
    """Prefixes are passed to the engine, not pasted into the text, so positions stay the user's."""
    text = "SELECT ?x\nWHERE {\n  ?x nope:thing ?y\n}"
    with pytest.raises(QuerySyntaxError) as error:
        query(store, text)
    assert error.value.line == 3


def test_oversize_text_is_refused_before_any_parsing(store, monkeypatch):
    def no_worker(*args, **kwargs):
        raise AssertionError("no worker (and so no parser) may start")

    monkeypatch.setattr(sys.modules["kg.query"], "_run_worker", no_worker)
    big = "SELECT * WHERE { ?s ?p ?o } #" + "x" * MAX_QUERY_BYTES
    with pytest.raises(QueryRefused, match="bytes is over the 65,536-byte limit"):
        query(store, big)
    deep = "SELECT * WHERE " + "{ " * (MAX_NESTING + 1) + "?s ?p ?o" + " }" * (MAX_NESTING + 1)
    with pytest.raises(QueryRefused, match=f"nested {MAX_NESTING + 1} deep"):
        query(store, deep)
    escaped = "SELECT * WHERE { FILTER(" + "\\u0028" * 100 + "1" + "\\u0029" * 100 + ") }"
    with pytest.raises(QueryRefused, match="nested 102 deep"):
        query(store, escaped)
    with pytest.raises(QueryRefused, match="empty query"):
        query(store, "  \n")
    out = run_cli("--store", str(store), "-", input=deep)
    assert out.exit_code == 1 and "over the limit of 64" in out.stderr


def test_nesting_up_to_the_cap_is_answered(store):
    """The cap sits well inside what the worker's parser handles (it parses on a large stack)."""
    depth = MAX_NESTING - 2
    groups = "ASK " + "{ " * depth + "?s ?p ?o" + " }" * depth
    assert query(store, groups).boolean is True
    parens = "SELECT ?v WHERE { BIND(" + "(" * (MAX_NESTING - 2) + "1" + ")" * (MAX_NESTING - 2) + " AS ?v) }"
    assert query(store, parens).rows[0][0].value == "1"


def test_nesting_depth_skips_strings_iris_and_comments():
    assert nesting_depth("{ ( [ ] ) }") == 3
    assert nesting_depth('{ "((((" \'{{{{\' """ }}}} \\""" ((( """ }') == 1
    assert nesting_depth("{ <http://x/(((> # {{{{ ((((\n }") == 1
    assert nesting_depth("{ FILTER(?a < ?b && ?c > ?d) { } }") == 2  # `<` as an operator, not an IRI
    assert nesting_depth('{ "unterminated\n { { }') == 3


def test_public_name_is_the_function():
    assert query_module_function is query


def test_errors_are_query_errors():
    assert issubclass(QueryRefused, QueryError) and issubclass(QueryTimeout, QueryError)
    assert issubclass(QuerySyntaxError, QueryError)


def test_a_crashed_worker_is_reported_not_raised_raw(store, monkeypatch):
    """Oxigraph can die on a pathological query (stack overflow); the caller gets a QueryError."""
    ready_then_abort = (
        'import os, sys; sys.stdout.write(\'{"ready": true, "length": 0}\\n\'); sys.stdout.flush(); '
        "sys.stdin.readline(); sys.stderr.write('engine died\\n'); sys.stderr.flush(); os.abort()"
    )
    pool = QueryPool(1, timeout=10, wait=10, command=[sys.executable, "-c", ready_then_abort])
    pool.start()
    monkeypatch.setattr(sys.modules["kg.query"], "_pool", pool)
    try:
        with pytest.raises(QueryError, match="the query engine stopped unexpectedly"):
            query(store, "models-per-risk")
    finally:
        pool.close()


def test_a_worker_that_cannot_start_is_reported_quickly(store, monkeypatch):
    pool = QueryPool(1, timeout=10, wait=30, command=[sys.executable, "-c", "import sys; sys.exit('no engine here')"])
    pool.start()
    monkeypatch.setattr(sys.modules["kg.query"], "_pool", pool)
    started = time.monotonic()
    try:
        with pytest.raises(QueryError, match=r"could not start \(no engine here\)"):
            query(store, "models-per-risk")
    finally:
        pool.close()
    assert time.monotonic() - started < 10


def test_queries_of_one_process_reuse_a_warm_worker(store):
    query(store, "models-per-risk")
    pids = sys.modules["kg.query"]._warm_pool().pids()
    for _ in range(3):
        query(store, "ASK { ?s ?p ?o }")
    assert sys.modules["kg.query"]._warm_pool().pids() == pids and len(pids) == 1
