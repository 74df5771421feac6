"""Serialize a built dataset to files: deterministic, atomic, and in bounded memory.

Every file is written next to its destination (`Staging`) and renamed into place only when all are written:
a build that fails midway leaves the previous outputs as they were.

Order: graph.nq is the dataset's N-Quads lines sorted bytewise, each once. Terms in N-Quads delimit
themselves, so that order also sorts the triples (the graph name comes last) and keeps each subject's
lines together; graph.nt, graph.ttl and graph.jsonld are streamed from it in the same order. The sort runs
in memory up to `RUN_LINES` lines and merges sorted runs from disk beyond, so the files of a corpus of any
size are written without holding them (`SortedLines`).
"""

from __future__ import annotations

import heapq
import itertools
import os
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import IO, TypeVar

import pyoxigraph as ox

from kg import jsonld
from kg.namespaces import PREFIXES, RDF

OUTPUT_FILES = ("graph.ttl", "graph.nt", "graph.nq", "graph.jsonld")
RUN_LINES = 500_000
_CHUNK = 100_000
_FILE_MODE = 0o644
_TYPE = RDF + "type"
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Written:
    path: Path
    bytes: int


class Staging:
    """Files staged as hidden siblings of their destinations; `commit` renames them all into place.

    Used as a context manager, an exception removes everything staged, so nothing is half-written.
    """

    def __init__(self, out_dir: Path) -> None:
        self.out_dir = out_dir
        self._staged: list[tuple[Path, Path]] = []

    def __enter__(self) -> Staging:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        if kind is not None:
            self.abort()

    def open(self, name: str) -> IO[bytes]:
        """A new file that becomes `out_dir/name` on commit (close it before committing)."""
        final = self.out_dir / name
        final.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{final.name}.", suffix=".tmp", dir=final.parent)
        self._staged.append((Path(tmp), final))
        os.fchmod(fd, _FILE_MODE)  # mkstemp creates 0600; published files are world-readable
        return os.fdopen(fd, "wb")

    def add(self, name: str, data: bytes) -> None:
        with self.open(name) as handle:
            handle.write(data)

    def discard(self, name: str) -> None:
        """Forget a staged file: it is not published (the file at its destination stays as it was)."""
        target = self.out_dir / name
        for tmp, final in [pair for pair in self._staged if pair[1] == target]:
            tmp.unlink(missing_ok=True)
            self._staged.remove((tmp, final))

    def staged(self, name: str) -> Path:
        """Where the file staged as `name` is until the commit."""
        return next(tmp for tmp, final in self._staged if final == self.out_dir / name)

    def commit(self) -> list[Written]:
        for tmp, _ in self._staged:
            _fsync(tmp)
        for tmp, final in self._staged:
            os.replace(tmp, final)
        written = [Written(final, final.stat().st_size) for _, final in self._staged]
        self._staged = []
        return written

    def abort(self) -> None:
        for tmp, _ in self._staged:
            tmp.unlink(missing_ok=True)
        self._staged = []


def write_atomically(out_dir: Path, contents: dict[str, bytes]) -> list[Written]:
    """Write each file to a temporary sibling, then rename them all into place."""
    out_dir.mkdir(parents=True, exist_ok=True)
    with Staging(out_dir) as staging:
        for name, data in contents.items():
            staging.add(name, data)
        return staging.commit()


class SortedLines:
    """N-Quads lines of quads added in any order, given back sorted and each once by `lines`.

    Up to `RUN_LINES` lines are held in memory; beyond, each sorted run goes to a scratch folder (removed
    by `close`) and `lines` merges the runs, so the memory does not grow with the corpus.
    """

    def __init__(self, scratch: Path) -> None:
        self._folder = tempfile.TemporaryDirectory(prefix=".kg-sort-", dir=scratch)
        self._pending: list[ox.Quad] = []
        self._buffer: list[bytes] = []
        self._runs: list[Path] = []

    def __enter__(self) -> SortedLines:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        self.close()

    def add(self, quads: Iterable[ox.Quad]) -> None:
        self._pending.extend(quads)
        if len(self._pending) >= _CHUNK:
            self._serialize()

    def _serialize(self) -> None:
        self._buffer.extend(ox.serialize(self._pending, format=ox.RdfFormat.N_QUADS).splitlines(keepends=True))
        self._pending = []
        if len(self._buffer) >= RUN_LINES:
            run = Path(self._folder.name) / f"run-{len(self._runs)}"
            run.write_bytes(b"".join(sorted(set(self._buffer))))
            self._runs.append(run)
            self._buffer = []

    def lines(self, without_graphs: Iterable[str] = ()) -> Iterator[bytes]:
        """Every line once, in byte order, except those of the named graphs `without_graphs`."""
        self._serialize()
        excluded = {f"<{iri}>".encode() for iri in without_graphs}
        streams = [open(run, "rb") for run in self._runs]  # noqa: SIM115 (closed below)
        try:
            previous = None
            for line in heapq.merge(*streams, sorted(set(self._buffer))):
                if line != previous and not (excluded and line[:-3].rsplit(b" ", 1)[-1] in excluded):
                    yield line
                previous = line
        finally:
            for stream in streams:
                stream.close()

    def close(self) -> None:
        self._buffer, self._pending = [], []
        self._folder.cleanup()


def stage_graph(staging: Staging, lines: Iterable[bytes]) -> int:
    """Stage graph.nq, graph.nt, graph.ttl and graph.jsonld of sorted, distinct N-Quads `lines`.

    Returns the number of quads.
    """
    count = 0
    with staging.open("graph.nq") as out:
        for batch in _batches(lines, _CHUNK):
            out.writelines(batch)
            count += len(batch)
    nquads = staging.staged("graph.nq")
    with staging.open("graph.nt") as out:
        ox.serialize(_distinct_triples(ox.parse(path=nquads, format=ox.RdfFormat.N_QUADS)), out, ox.RdfFormat.N_TRIPLES)
    with staging.open("graph.ttl") as out:
        ox.serialize(_turtle_order(read_triples(staging)), out, ox.RdfFormat.TURTLE, prefixes=PREFIXES)
    with staging.open("graph.jsonld") as out:
        jsonld.write(read_triples(staging), out)
    return count


def read_triples(staging: Staging) -> Iterator[ox.Triple]:
    """The staged graph.nt, streamed in its (sorted) order."""
    return ox.parse(path=staging.staged("graph.nt"), format=ox.RdfFormat.N_TRIPLES)


def _distinct_triples(quads: Iterable[ox.Quad]) -> Iterator[ox.Triple]:
    """The triples of sorted quads, each once (a triple's quads are adjacent in N-Quads order)."""
    previous = None
    for quad in quads:
        triple = quad.triple
        if triple != previous:
            yield triple
            previous = triple


def _turtle_order(triples: Iterable[ox.Triple]) -> Iterator[ox.Triple]:
    """Each subject's triples with `rdf:type` first, so the Turtle reads naturally."""
    for _, group in itertools.groupby(triples, key=lambda t: t.subject):
        block = list(group)
        yield from (t for t in block if t.predicate.value == _TYPE)
        yield from (t for t in block if t.predicate.value != _TYPE)


def _batches(items: Iterable[T], size: int) -> Iterator[list[T]]:
    iterator = iter(items)
    while batch := list(itertools.islice(iterator, size)):
        yield batch


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def prune(folder: Path, keep: Iterable[Path], pattern: str) -> None:
    """Remove files matching `pattern` in `folder` that the last build did not write (e.g. a deleted card's)."""
    kept = set(keep)
    if folder.is_dir():
        for path in folder.glob(pattern):
            if path not in kept:
                path.unlink()
