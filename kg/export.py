"""Serialize a built dataset to files, deterministically and atomically.

Quads are sorted by their N-Quads form before serializing, so the same cards give byte-identical files.
Every file is first written next to its destination and renamed into place only when all are written:
a build that fails midway leaves the previous outputs as they were.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import rdflib

from kg.namespaces import PREFIXES
from kg.resources import data_dir

OUTPUT_FILES = ("graph.ttl", "graph.nt", "graph.nq", "graph.jsonld")
_FILE_MODE = 0o644


def sorted_quads(quads: Iterable[ox.Quad]) -> list[ox.Quad]:
    return sorted(set(quads), key=str)


def union_triples(quads: Iterable[ox.Quad]) -> list[ox.Triple]:
    """The default-graph view of a dataset: every triple once, sorted."""
    return sorted({q.triple for q in quads}, key=str)


def _turtle_order(triples: list[ox.Triple]) -> list[ox.Triple]:
    """Group by subject with `rdf:type` first, so the Turtle reads naturally and stays deterministic."""
    rdf_type = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
    return sorted(
        triples, key=lambda t: (str(t.subject), t.predicate.value != rdf_type, str(t.predicate), str(t.object))
    )


def jsonld_context() -> dict:
    """The project's JSON-LD context, read from the package (never fetched)."""
    with open(data_dir("ontology") / "context.jsonld", encoding="utf-8") as handle:
        return json.load(handle)["@context"]


def _canonical(value: object) -> object:
    """Sort JSON-LD node and value arrays (never `@list`), since rdflib's JSON-LD writer follows set order."""
    if isinstance(value, dict):
        return {k: v if k == "@list" else _canonical(v) for k, v in value.items()}
    if isinstance(value, list):
        items = [_canonical(v) for v in value]
        return sorted(items, key=lambda v: json.dumps(v, sort_keys=True, ensure_ascii=False))
    return value


def to_jsonld(triples: list[ox.Triple]) -> bytes:
    """Compact JSON-LD with the project's context, so keys read like a document ("name", "risks"...)."""
    graph = rdflib.Graph()
    graph.parse(data=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES), format="nt")
    document = json.loads(graph.serialize(format="json-ld", context=jsonld_context(), auto_compact=True))
    text = json.dumps(_canonical(document), indent=2, sort_keys=True, ensure_ascii=False)
    return (text + "\n").encode("utf-8")


@dataclass(frozen=True, slots=True)
class Written:
    path: Path
    bytes: int


def _serialize(name: str, quads: list[ox.Quad], triples: list[ox.Triple]) -> bytes:
    if name == "graph.nq":
        return ox.serialize(quads, format=ox.RdfFormat.N_QUADS)
    if name == "graph.nt":
        return ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
    if name == "graph.ttl":
        return ox.serialize(_turtle_order(triples), format=ox.RdfFormat.TURTLE, prefixes=PREFIXES)
    return to_jsonld(triples)


def write_outputs(out_dir: Path, quads: Iterable[ox.Quad], extra: dict[str, bytes] | None = None) -> list[Written]:
    """Write graph.ttl/.nt/.nq/.jsonld (and `extra` files) into `out_dir`, all or nothing."""
    ordered = sorted_quads(quads)
    triples = union_triples(ordered)
    contents = {name: _serialize(name, ordered, triples) for name in OUTPUT_FILES}
    contents.update(extra or {})
    return write_atomically(out_dir, contents)


def write_atomically(out_dir: Path, contents: dict[str, bytes]) -> list[Written]:
    """Write each file to a temporary sibling, then rename them all into place."""
    out_dir.mkdir(parents=True, exist_ok=True)
    staged: list[tuple[Path, Path]] = []
    try:
        for name, data in contents.items():
            final = out_dir / name
            final.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=f".{final.name}.", suffix=".tmp", dir=final.parent)
            staged.append((Path(tmp), final))
            os.fchmod(fd, _FILE_MODE)  # mkstemp creates 0600; published files are world-readable
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
    except BaseException:
        for tmp, _ in staged:
            tmp.unlink(missing_ok=True)
        raise
    for tmp, final in staged:
        os.replace(tmp, final)
    return [Written(final, len(data)) for (_, final), data in zip(staged, contents.values(), strict=True)]


def prune(folder: Path, keep: Iterable[Path], pattern: str) -> None:
    """Remove files matching `pattern` in `folder` that the last build did not write (e.g. a deleted card's)."""
    kept = set(keep)
    if folder.is_dir():
        for path in folder.glob(pattern):
            if path not in kept:
                path.unlink()
