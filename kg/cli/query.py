"""`kg query`."""

from __future__ import annotations

import sys
import textwrap
import time
from pathlib import Path

import click

from kg.cli.common import cli
from kg.namespaces import PREFIXES
from kg.queries import bundled_queries
from kg.query import (
    DEFAULT_MAX_ROWS,
    DEFAULT_STORE,
    DEFAULT_TIMEOUT,
    GRAPH_FORMATS,
    RESULT_FORMATS,
    GraphResult,
    QueryError,
    QuerySyntaxError,
)
from kg.query import query as run_query
from kg.sparql_guard import MAX_NESTING, MAX_QUERY_BYTES

EXIT_CODES = """\b
Exit codes:
  0  success
  1  the query failed, was refused or timed out
  2  usage error (bad option, unknown bundled query, --format that does not fit the query)"""

TERMINAL_CELL_WIDTH = 80


def query_text(argument: str) -> str:
    """QUERY as SPARQL text: `-` reads stdin, `@file.rq` a file, a bundled query's name its text."""
    if argument == "-":
        return sys.stdin.read()
    if argument.startswith("@"):
        path = Path(argument[1:])
        try:
            return path.read_text(encoding="utf-8-sig")
        except OSError as err:
            raise click.BadParameter(f"cannot read {path}: {err.strerror or err}", param_hint="QUERY") from None
        except UnicodeDecodeError:
            raise click.BadParameter(f"{path} is not UTF-8 text", param_hint="QUERY") from None
    bundled = bundled_queries()
    if argument in bundled:
        return bundled[argument].text
    if argument.strip() and all(c.isalnum() or c in "-_" for c in argument):
        raise click.BadParameter(
            f'no bundled query named "{argument}" (kg query --list shows them)', param_hint="QUERY"
        )
    return argument


def _list_queries() -> None:
    for query in bundled_queries().values():
        click.echo(f"{query.name}\n    {query.title}")
        click.echo(textwrap.fill(query.description, width=100, initial_indent="    ", subsequent_indent="    "))


def _list_prefixes() -> None:
    width = max(len(p) for p in PREFIXES)
    for prefix, namespace in PREFIXES.items():
        click.echo(f"PREFIX {prefix + ':':<{width + 1}} <{namespace}>")


@cli.command(epilog=EXIT_CODES)
@click.argument("query", metavar="QUERY", required=False)
@click.option(
    "--store",
    default=str(DEFAULT_STORE),
    show_default=True,
    type=click.Path(file_okay=False),
    help="The store written by kg build (OUT_DIR/store).",
)
@click.option(
    "--timeout",
    default=DEFAULT_TIMEOUT,
    show_default=True,
    type=click.FloatRange(min=0, min_open=True),
    help="Seconds before the query is stopped.",
)
@click.option(
    "-f",
    "--format",
    "fmt",
    type=click.Choice(["table", *RESULT_FORMATS, *GRAPH_FORMATS]),
    help="SELECT/ASK: table (default), csv, tsv, json, xml. CONSTRUCT/DESCRIBE: ttl (default), nt, jsonld.",
)
@click.option(
    "--max-rows",
    default=DEFAULT_MAX_ROWS,
    show_default=True,
    type=click.IntRange(min=1),
    help="Stop after this many rows (or triples); a warning says when the result was cut.",
)
@click.option("--list", "list_queries", is_flag=True, help="List the bundled queries and exit.")
@click.option("--prefixes", "list_prefixes", is_flag=True, help="List the predeclared prefixes and exit.")
def query(
    query: str | None,
    store: str,
    timeout: float,
    fmt: str | None,
    max_rows: int,
    list_queries: bool,
    list_prefixes: bool,
) -> None:
    """Run a SPARQL query on the store built by kg build.

    QUERY is SPARQL text, @FILE.rq, - (read stdin), or the name of a bundled query (see --list).
    The default graph is the union of the cards' named graphs; the prefixes listed by --prefixes are
    predeclared. SERVICE, FROM graphs the store lacks, and updates are refused. Queries over
    {max_bytes:,} bytes or nested deeper than {max_nesting} are refused before parsing.

    \b
    Examples:
      kg query models-per-risk
      kg query --format csv "SELECT ?name WHERE {{ ?m a mc:Model ; mc:name ?name }}"
      kg query --format ttl "DESCRIBE <https://w3id.org/mckg/id/model/gpt-2>"
    """
    if list_queries:
        _list_queries()
        return
    if list_prefixes:
        _list_prefixes()
        return
    if query is None:
        raise click.UsageError("missing QUERY (SPARQL text, @file.rq, or a name from kg query --list)")
    text = query_text(query)
    started = time.monotonic()
    try:
        result = run_query(Path(store), text, timeout=timeout, max_rows=max_rows)
    except QuerySyntaxError as err:
        click.echo(f"error: {err}", err=True)
        if err.excerpt():
            click.echo(err.excerpt(), err=True)
        sys.exit(1)
    except QueryError as err:
        click.echo(f"error: {err}", err=True)
        sys.exit(1)
    is_graph = isinstance(result, GraphResult)
    fmt = fmt or ("ttl" if is_graph else "table")
    if is_graph != (fmt in GRAPH_FORMATS):
        wanted = "ttl, nt or jsonld" if is_graph else "table, csv, tsv, json or xml"
        raise click.UsageError(f"--format {fmt} does not fit a {result.kind.upper()} query: use {wanted}")
    if fmt == "table":
        width = TERMINAL_CELL_WIDTH if sys.stdout.isatty() else None
        click.echo(result.table(max_width=width))
    else:
        sys.stdout.flush()
        sys.stdout.buffer.write(result.serialize(fmt))
        sys.stdout.buffer.flush()
    if result.truncated:
        click.echo(f"warning: result cut at {max_rows:,} rows (--max-rows); there are more", err=True)
    if fmt == "table" and result.kind == "select":
        click.echo(f"({len(result)} rows in {time.monotonic() - started:.2f} s)", err=True)


query.help = (query.help or "").format(max_bytes=MAX_QUERY_BYTES, max_nesting=MAX_NESTING)
