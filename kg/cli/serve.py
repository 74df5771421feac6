"""`kg serve`."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from kg.cli.common import cli
from kg.namespaces import DEFAULT_BASE
from kg.query import DEFAULT_STORE

SERVE_EXIT_CODES = """\b
Exit codes:
  0  stopped by SIGINT (Ctrl-C) or SIGTERM, after running requests finished
  1  there is no store at --store (run kg build first), or the port is taken
  2  usage error (bad option, malformed --base)"""


@cli.command(epilog=SERVE_EXIT_CODES)
@click.option(
    "--store",
    default=str(DEFAULT_STORE),
    show_default=True,
    type=click.Path(file_okay=False),
    help="The store written by kg build (OUT_DIR/store).",
)
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535), help="Port to listen on.")
@click.option(
    "--base",
    default=DEFAULT_BASE,
    show_default=True,
    help="Base IRI the store's IRIs were minted under (kg build --base): BASE + p is served at /p.",
)
@click.option(
    "--timeout",
    default=10.0,
    show_default=True,
    type=click.FloatRange(min=0, min_open=True),
    help="Seconds a query may run; it is then stopped and answered 503.",
)
@click.option(
    "--max-rows",
    default=10_000,
    show_default=True,
    type=click.IntRange(min=1),
    help="Rows (or triples) per answer; a longer one is cut and says X-Result-Truncated: true.",
)
@click.option("--workers", default=2, show_default=True, type=click.IntRange(min=1), help="Query worker processes.")
@click.option(
    "--queue-wait",
    default=2.0,
    show_default=True,
    type=click.FloatRange(min=0),
    help="Seconds a query waits for a free worker before the answer is 429 with Retry-After.",
)
@click.option(
    "--client-timeout",
    default=10.0,
    show_default=True,
    type=click.FloatRange(min=0, min_open=True),
    help="Seconds a client has to send a request's head, and again its body.",
)
def serve(
    store: str,
    host: str,
    port: int,
    base: str,
    timeout: float,
    max_rows: int,
    workers: int,
    queue_wait: float,
    client_timeout: float,
) -> None:
    """Serve the store: a read-only SPARQL 1.1 endpoint at /sparql and every IRI as linked data.

    \b
    Example:
      kg build cards/ -o out/ && kg serve --store out/store
      curl -H 'Accept: text/csv' 'http://127.0.0.1:8000/sparql' --data-urlencode \\
        'query=SELECT ?name WHERE { ?m a mc:Model ; mc:name ?name }'
      curl http://127.0.0.1:8000/model/pythia          # Turtle; .jsonld, .nt, .html too

    IRIs under --base are served at the path after the base (BASE model/x at /model/x), and so are the
    ontology and concept schemes (/ontology, /risk/disinformation) when the base lies under
    https://w3id.org/mckg/. The dataset's VoID is at /.well-known/void, health at /healthz. One JSON
    access-log line per request goes to stderr.
    """
    from kg.server.app import Settings, run

    settings = Settings(
        store=Path(store),
        base=base,
        timeout=timeout,
        max_rows=max_rows,
        workers=workers,
        queue_wait=queue_wait,
        client_timeout=client_timeout,
    )
    try:
        settings.check()
    except ValueError as err:
        raise click.BadParameter(str(err), param_hint="--base") from None
    except FileNotFoundError as err:
        click.echo(f"error: {err}", err=True)
        sys.exit(1)
    run(settings, host=host, port=port)
