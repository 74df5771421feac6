"""The `kg` command: a thin face over the Python API (`kg.build`, `kg.parse`, ...).

Every command parses its arguments, calls the function of the same name and prints what it returned.
Findings go to stderr as `file:line: severity: message [code]`, which editors and CI annotate.
One module per command; `common` holds the group they attach to.
"""

from kg.cli import build, docs, parse, publish, query, serve, validate
from kg.cli.common import cli

__all__ = ["build", "cli", "docs", "main", "parse", "publish", "query", "serve", "validate"]


def main() -> None:
    cli()
