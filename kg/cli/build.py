"""`kg build`."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from kg.build import Status
from kg.build import build as run_build
from kg.cli.common import EXIT_CODES, cli, existing_paths, print_findings, progress
from kg.namespaces import DEFAULT_BASE


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
@click.option(
    "--no-align",
    is_flag=True,
    help="Do not add the aligned schema.org/PROV/DCAT/DPV/FAIR4ML super-class and super-property triples.",
)
@click.option(
    "--model-documents/--no-model-documents",
    default=False,
    show_default=True,
    help="Also write models/<slug>.jsonld: one framed JSON-LD document per model (pyld: about 15 ms a model).",
)
@click.option(
    "--no-validate",
    is_flag=True,
    help="Skip the SHACL validation (reader and mapper errors still stop the build).",
)
@click.option("-q", "--quiet", is_flag=True, help="Print errors only, not warnings.")
def build(
    paths: tuple[str, ...],
    out_dir: str,
    base: str,
    keep_going: bool,
    no_align: bool,
    model_documents: bool,
    no_validate: bool,
    quiet: bool,
) -> None:
    """Read cards (files or folders of *.md) and write the graph to OUT.

    \b
    Example:
      kg build cards/ ../shared/corpus/model-library/cards -o out/

    Each card becomes a named graph (graph.nq); graph.ttl, graph.nt and graph.jsonld hold their union.
    Outputs are replaced atomically: a failed build leaves the previous ones untouched.
    """
    try:
        result = run_build(
            existing_paths(paths),
            Path(out_dir),
            base=base,
            keep_going=keep_going,
            align=not no_align,
            model_documents=model_documents,
            validate=not no_validate,
            progress=progress,
        )
    except ValueError as err:
        raise click.BadParameter(str(err), param_hint="--base") from None
    except OSError as err:
        click.echo(f"error: cannot write to {out_dir}: {err.strerror or err}", err=True)
        sys.exit(Status.FAILED)
    print_findings(result.findings, quiet)
    n_err, n_warn = len(result.errors), len(result.warnings)
    summary = f"{result.read} cards read, {n_err} errors, {n_warn} warnings"
    if result.status is Status.FAILED:
        click.echo(
            f"{summary}. Nothing written: fix the errors above, or use --keep-going to publish the other cards.",
            err=True,
        )
    else:
        click.echo(
            f"{summary}; {result.published} cards published, {result.triples} triples, {result.quads} quads.",
            err=True,
        )
        models = [w for w in result.outputs if w.path.parent.name == "models"]
        for written in result.outputs:
            if written.path.parent.name != "models":
                click.echo(f"  wrote {written.path} ({written.bytes:,} bytes)", err=True)
        if models:
            click.echo(f"  wrote {len(models)} model documents in {models[0].path.parent}", err=True)
        if result.store:
            click.echo(f"  loaded the SPARQL store {Path(out_dir) / 'store'} (query it with `kg query`)", err=True)
        if result.excluded:
            click.echo("Left out (errors): " + ", ".join(result.excluded), err=True)
    sys.exit(result.status)
