"""`kg publish`."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path

import click
from tqdm import tqdm

from kg.cli.common import PROGRESS_THRESHOLD, cli
from kg.pages.static import publish_static
from kg.query import DEFAULT_STORE

PUBLISH_EXIT_CODES = """\b
Exit codes:
  0  success
  1  no store (build one first), the graph could not be read, or the folder could not be written
  2  usage error (bad option)"""


def _progress(items: Iterable[str], total: int) -> Iterable[str]:
    disable = total < PROGRESS_THRESHOLD or not sys.stderr.isatty()
    return tqdm(items, total=total, desc="writing pages", unit="resource", disable=disable, file=sys.stderr)


@cli.command(epilog=PUBLISH_EXIT_CODES)
@click.option(
    "--static",
    "static_dir",
    required=True,
    type=click.Path(file_okay=False),
    help="Folder to write the static site into (created if needed; files of a previous export that are "
    "gone are removed, nothing else is touched).",
)
@click.option(
    "--store",
    default=str(DEFAULT_STORE),
    show_default=True,
    type=click.Path(),
    help="The store written by `kg build` (OUT/store), or a graph file (.nt, .ttl, .nq).",
)
@click.option("--base", help="Base IRI the graph's IRIs were minted under (default: read from the graph).")
@click.option("-q", "--quiet", is_flag=True, help="Print errors only.")
def publish(static_dir: str, store: str, base: str | None, quiet: bool) -> None:
    """Write the graph as a static web site: a page per resource, lists, charts, queries.

    \b
    Example:
      kg build cards/ -o out/ && kg publish --static out/site
      python -m http.server -d out/site      # then open http://localhost:8000/

    Every model, organization, dataset, risk and concept gets a page at its IRI path under the base
    (BASE model/gpt-2 → model/gpt-2.html) with a JSON twin (.json) and its description as Turtle (.ttl)
    and JSON-LD (.jsonld). Links between pages are relative and end in .html, so the folder also works
    opened from disk; .htaccess (Apache) and _redirects/_headers (Netlify, Cloudflare Pages) make the
    IRI paths without suffix work on a host. No page loads anything from the network.
    """
    try:
        result = publish_static(Path(static_dir), Path(store), base=base, progress=_progress)
    except FileNotFoundError as err:
        click.echo(f"error: {err}", err=True)
        sys.exit(1)
    except (OSError, SyntaxError, ValueError) as err:
        click.echo(f"error: {err}", err=True)
        sys.exit(1)
    for iri in result.skipped:
        click.echo(f"warning: {iri} left out: its path is too long for a file name", err=True)
    if not quiet:
        click.echo(
            f"wrote {result.pages:,} pages for {result.resources:,} resources ({result.files:,} files, "
            f"{result.bytes / 1e6:,.1f} MB) to {static_dir} in {result.seconds:.1f} s"
            + (f"; removed {result.removed:,} files of the previous export" if result.removed else ""),
            err=True,
        )
        click.echo(f"  open {Path(static_dir) / 'index.html'}, or serve the folder on any static host", err=True)
