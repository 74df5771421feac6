"""The `kg` group and what its commands share: exit codes, progress bars, finding output."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path

import click
from tqdm import tqdm

from kg.records import Finding, Severity
from kg.version import __version__

EXIT_CODES = """\b
Exit codes:
  0  success
  1  a card could not be read or mapped, or has a violation (nothing was written)
  2  usage error (bad option, missing path)
  3  published with exclusions (--keep-going left out cards with errors)"""

PROGRESS_THRESHOLD = 200


def progress(items: Iterable[Path], total: int) -> Iterable[Path]:
    """A progress bar on stderr for large inputs on a terminal; silent otherwise."""
    disable = total < PROGRESS_THRESHOLD or not sys.stderr.isatty()
    return tqdm(items, total=total, desc="reading cards", unit="card", disable=disable, file=sys.stderr)


def print_findings(findings: list[Finding], quiet: bool = False) -> None:
    for finding in findings:
        if quiet and finding.severity is Severity.WARNING:
            continue
        click.echo(str(finding), err=True)


def existing_paths(paths: tuple[str, ...]) -> list[Path]:
    missing = [p for p in paths if not Path(p).exists()]
    if missing:
        raise click.UsageError(f"no such file or folder: {', '.join(missing)}")
    return [Path(p) for p in paths]


@click.group(context_settings={"help_option_names": ["-h", "--help"]}, epilog=EXIT_CODES)
@click.version_option(__version__, prog_name="kg")
def cli() -> None:
    """Build a knowledge graph from AI model cards.

    \b
    Typical use:
      kg build cards/ -o out/        read, map and publish the graph
      kg parse "cards/GPT-2.md" --json   see what the reader made of a card
      kg validate cards/              check cards against the SHACL shapes
      kg query models-per-risk        ask the built store (SPARQL)
      kg serve                        SPARQL endpoint and linked data on 127.0.0.1:8000
      kg publish --static out/site    the graph as a static web site
      kg docs -o out/docs --graph out/graph.nt   document the vocabulary as HTML
    """
