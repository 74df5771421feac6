"""`kg validate`."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from kg.cli.common import cli, existing_paths
from kg.namespaces import DEFAULT_BASE
from kg.report import FORMATS, render
from kg.shacl_pool import DEFAULT_TIMEOUT
from kg.validation import validate as run_validate

VALIDATE_EXIT_CODES = """\b
Exit codes:
  0  the cards conform (warnings allowed)
  1  a card has a violation, or could not be read or validated
  2  usage error (bad option, missing path)"""


@cli.command(epilog=VALIDATE_EXIT_CODES)
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="text",
    show_default=True,
    help="text: file:line lines and a summary; json: one object with every result; ttl: a SHACL report.",
)
@click.option(
    "--cache",
    "cache_dir",
    type=click.Path(file_okay=False),
    help="Folder for the validation cache: unchanged cards are not validated again.",
)
@click.option(
    "--base",
    default=DEFAULT_BASE,
    show_default=True,
    help="Base IRI for minted IRIs, as in `kg build` (the json and ttl reports name nodes by IRI).",
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0, min_open=True),
    default=DEFAULT_TIMEOUT,
    show_default=True,
    help="Seconds one worker may spend on a batch of cards; a card that cannot be validated in time is an error.",
)
def validate(paths: tuple[str, ...], fmt: str, cache_dir: str | None, base: str, timeout: float) -> None:
    """Check cards (files or folders of *.md) against the project's SHACL shapes and cross-card rules.

    \b
    Example:
      kg validate ../shared/corpus/model-library/cards --format json

    Prints every finding of the reader, the mapper, the shapes and the cross-card rules, as
    `file:line: severity: message [code]` (SHACL results have the code `shape:<name>`), then a summary.
    Warnings never make the command fail.
    """
    try:
        report = run_validate(
            existing_paths(paths),
            cache_dir=Path(cache_dir) if cache_dir else None,
            base=base,
            timeout_per_batch=timeout,
        )
    except ValueError as err:
        raise click.BadParameter(str(err), param_hint="--base") from None
    except OSError as err:
        click.echo(f"error: {err.strerror or err}: {getattr(err, 'filename', '') or ''}", err=True)
        sys.exit(1)
    click.echo(render(report, fmt), nl=False)
    sys.exit(0 if report.conforms else 1)
