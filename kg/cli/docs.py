"""`kg docs`."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from kg.cli.common import cli
from kg.docs import generate_docs
from kg.docs_graph import GraphFormatError

DOCS_EXIT_CODES = """\b
Exit codes:
  0  success
  1  the graph file could not be read, or the folder could not be written
  2  usage error (bad option, missing graph file)"""


@cli.command(epilog=DOCS_EXIT_CODES)
@click.option(
    "-o",
    "--out",
    "out_dir",
    default="out/docs",
    show_default=True,
    type=click.Path(file_okay=False),
    help="Folder for index.html, ontology.html, one page per concept scheme and the ontology files.",
)
@click.option(
    "--graph",
    type=click.Path(exists=True, dir_okay=False),
    help="A graph written by `kg build` (graph.nt, .nq, .ttl or .trig) to take examples from.",
)
def docs(out_dir: str, graph: str | None) -> None:
    """Write HTML documentation of the ontology and its concept schemes.

    \b
    Example:
      kg build cards/ -o out/ && kg docs -o out/docs --graph out/graph.nt

    Every class, property and concept gets an anchor (ontology.html#Model, risk.html#disinformation) with
    its label, definition and alignments; with --graph, also examples from that graph. The pages need no
    network (no external CSS, fonts or scripts) and the same input always gives the same bytes.
    """
    try:
        written = generate_docs(Path(out_dir), Path(graph) if graph else None)
    except GraphFormatError as err:
        raise click.BadParameter(str(err), param_hint="--graph") from None
    except (OSError, SyntaxError) as err:
        click.echo(f"error: {err}", err=True)
        sys.exit(1)
    pages = [p for p in written if p.suffix == ".html"]
    click.echo(f"wrote {len(pages)} pages and {len(written) - len(pages)} ontology files to {out_dir}", err=True)
    for path in pages:
        click.echo(f"  {path}", err=True)
