"""`kg parse`."""

from __future__ import annotations

import json
import sys

import click

from kg.build import Status
from kg.cli.common import EXIT_CODES, cli, existing_paths, print_findings
from kg.readers import parse as run_parse
from kg.records import record_as_dict


@cli.command(epilog=EXIT_CODES)
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--json", "as_json", is_flag=True, help="One JSON object per card (JSON Lines) on stdout.")
def parse(paths: tuple[str, ...], as_json: bool) -> None:
    """Show what the reader makes of cards: normalized values with file, line and raw text.

    \b
    Example:
      kg parse "cards/GPT-2.md" --json | python -m json.tool
    """
    records = run_parse(existing_paths(paths))
    for record in records:
        if as_json:
            click.echo(json.dumps(record_as_dict(record), ensure_ascii=False))
        else:
            status = "error" if record.has_errors else "ok"
            click.echo(f"{record.path}: {record.title.value or '(no title)'} [{status}]")
        print_findings(record.findings, quiet=False)
    sys.exit(Status.FAILED if any(r.has_errors for r in records) else Status.OK)
