"""The `kg` command: a thin face over the Python API (`kg.build`, `kg.parse`, ...).

Every command parses its arguments, calls the function of the same name and prints what it returned.
Findings go to stderr as `file:line: severity: message [code]`, which editors and CI annotate.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from pathlib import Path

import click
from tqdm import tqdm

from kg.build import Status
from kg.build import build as run_build
from kg.namespaces import DEFAULT_BASE
from kg.readers import parse as run_parse
from kg.records import Finding, Severity, record_as_dict
from kg.version import __version__

EXIT_CODES = """\b
Exit codes:
  0  success
  1  a card could not be read or mapped (nothing was written)
  2  usage error (bad option, missing path)
  3  published with exclusions (--keep-going left out cards with errors)"""

PROGRESS_THRESHOLD = 200


def _progress(items: Iterable[Path], total: int) -> Iterable[Path]:
    disable = total < PROGRESS_THRESHOLD or not sys.stderr.isatty()
    return tqdm(items, total=total, desc="reading cards", unit="card", disable=disable, file=sys.stderr)


def _print_findings(findings: list[Finding], quiet: bool) -> None:
    for finding in findings:
        if quiet and finding.severity is Severity.WARNING:
            continue
        click.echo(str(finding), err=True)


def _paths_exist(paths: tuple[str, ...]) -> list[Path]:
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
    """


@cli.command(epilog=EXIT_CODES)
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option(
    "-o",
    "--out",
    "out_dir",
    default="out",
    show_default=True,
    type=click.Path(file_okay=False),
    help="Folder for graph.ttl, graph.nt, graph.nq and graph.jsonld.",
)
@click.option(
    "--base",
    default=DEFAULT_BASE,
    show_default=True,
    help="Base IRI for minted IRIs (BASE + 'model/<slug>', ...). Must end with '/' or '#'.",
)
@click.option(
    "--keep-going", is_flag=True, help="Publish the cards without errors and leave out the others (exit code 3)."
)
@click.option("-q", "--quiet", is_flag=True, help="Print errors only, not warnings.")
def build(paths: tuple[str, ...], out_dir: str, base: str, keep_going: bool, quiet: bool) -> None:
    """Read cards (files or folders of *.md) and write the graph to OUT.

    \b
    Example:
      kg build cards/ ../shared/corpus/model-library/cards -o out/

    Each card becomes a named graph (graph.nq); graph.ttl, graph.nt and graph.jsonld hold their union.
    Outputs are replaced atomically: a failed build leaves the previous ones untouched.
    """
    try:
        result = run_build(_paths_exist(paths), Path(out_dir), base=base, keep_going=keep_going, progress=_progress)
    except ValueError as err:
        raise click.BadParameter(str(err), param_hint="--base") from None
    except OSError as err:
        click.echo(f"error: cannot write to {out_dir}: {err.strerror or err}", err=True)
        sys.exit(Status.FAILED)
    _print_findings(result.findings, quiet)
    n_err, n_warn = len(result.errors), len(result.warnings)
    summary = f"{len(result.records)} cards read, {n_err} errors, {n_warn} warnings"
    if result.status is Status.FAILED:
        click.echo(
            f"{summary}. Nothing written: fix the errors above, or use --keep-going to publish the other cards.",
            err=True,
        )
    else:
        click.echo(
            f"{summary}; {len(result.cards) - len(result.excluded)} cards published, "
            f"{result.triples} triples, {result.quads} quads.",
            err=True,
        )
        for written in result.outputs:
            click.echo(f"  wrote {written.path} ({written.bytes:,} bytes)", err=True)
        if result.excluded:
            click.echo("Left out (errors): " + ", ".join(result.excluded), err=True)
    sys.exit(result.status)


@cli.command(epilog=EXIT_CODES)
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--json", "as_json", is_flag=True, help="One JSON object per card (JSON Lines) on stdout.")
def parse(paths: tuple[str, ...], as_json: bool) -> None:
    """Show what the reader makes of cards: normalized values with file, line and raw text.

    \b
    Example:
      kg parse "cards/GPT-2.md" --json | python -m json.tool
    """
    records = run_parse(_paths_exist(paths))
    for record in records:
        if as_json:
            click.echo(json.dumps(record_as_dict(record), ensure_ascii=False))
        else:
            status = "error" if record.has_errors else "ok"
            click.echo(f"{record.path}: {record.title.value or '(no title)'} [{status}]")
        _print_findings(record.findings, quiet=False)
    sys.exit(Status.FAILED if any(r.has_errors for r in records) else Status.OK)


def main() -> None:
    cli()
