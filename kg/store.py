"""The embedded SPARQL store: an on-disk Oxigraph database, replaced atomically on every build.

Layout of a build's output folder:

    store -> store-20250101T120000-1a2b3c     a relative symlink: the path readers open
    store-20250101T120000-1a2b3c/              the current database
    store-20241231T090000-9f8e7d/              the database it replaced, kept for readers that opened it
    .store.lock                                held while a build writes, swaps and cleans up

A build loads into a fresh `store-<id>` folder that no reader knows about, closes it, then points `store`
at it with one `rename(2)` of a new symlink over the old one. `open_store` resolves the link once, so a
reader gets either the old database or the new one, never a half-built one, and keeps the version it
opened. The previous version is kept until the next build (a reader that opened it goes on working); older
ones are deleted. Builds into the same folder take turns on `.store.lock`, so cleanup never deletes a
database another build is still writing. Needs symlinks: POSIX, or Windows with symlink rights.

Default graph: the store's default graph holds the RDF merge of the named graphs (each triple once),
written at build time next to the per-card named graphs. Oxigraph 0.5's `use_default_graph_as_union`
would give the same triples but returns a triple once per graph that holds it (oxigraph#1919), so
organizations and concepts, repeated in every card's graph, would be counted many times over, and
joins get slower. The copy costs about a third more load time and disk.

Next to the database, `kg-answers/` keeps the results of the bundled queries, computed when the version
is loaded (`kg.answers`): a version never changes, so neither do they.

Oxigraph stores derived integer types as xsd:integer: `mc:parameterCount` reads back as
`"1500000000"^^xsd:integer`, not xsd:nonNegativeInteger as in graph.ttl (same value, other datatype IRI).
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import shutil
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from kg.answers import precompute
from kg.void import DatasetStats, save_stats

STORE_LINK = "store"
LOCK_FILE = ".store.lock"
_VERSION = re.compile(r"store-\d{8}T\d{6}-[0-9a-f]{6}")


@dataclass(frozen=True, slots=True)
class GraphFiles:
    """A dataset already written out: its N-Quads and its default graph as N-Triples (what `kg build` writes).

    Loading files lets Oxigraph parse them itself, in bounded memory, instead of receiving Python objects.
    """

    nquads: Path
    ntriples: Path
    stats: DatasetStats | None = None
    """The VoID counts of the dataset, kept with the store version for `kg serve`."""
    base: str = ""


def write_store(out_dir: str | Path, quads: Iterable[ox.Quad] | GraphFiles) -> Path:
    """Bulk-load `quads` into a new database and make `out_dir/store` point at it; return that path."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    link = out_dir / STORE_LINK
    with _exclusive(out_dir / LOCK_FILE):
        version = out_dir / _version_name()
        try:
            _load(version, quads)
            previous = _swap(link, version)
        except BaseException:
            shutil.rmtree(version, ignore_errors=True)
            raise
        _clean(out_dir, keep={version.name, Path(previous).name if previous else None})
    return link


def resolve_store(path: str | Path) -> Path:
    """The database folder `path` points at now (following the `store` symlink); FileNotFoundError if none."""
    target = Path(os.path.realpath(path))
    if not (target / "CURRENT").is_file():
        raise FileNotFoundError(f"no store at {path}: build one first with `kg build CARDS -o OUT_DIR`")
    return target


def open_store(path: str | Path) -> ox.Store:
    """Open the store at `path` (e.g. `out/store`) read-only, pinned to the version it points at now."""
    return ox.Store.read_only(str(resolve_store(path)))


def _version_name() -> str:
    """`store-<UTC time>-<random>`: sorts by age, never collides with a concurrent build."""
    return f"store-{time.strftime('%Y%m%dT%H%M%S', time.gmtime())}-{secrets.token_hex(3)}"


def _with_union(quads: Iterable[ox.Quad]) -> Iterator[ox.Quad]:
    """Each quad, and its triple in the default graph; the store keeps a set, so repeats collapse.

    `Quad(*quad.triple)` is the cheapest copy pyoxigraph offers (reading `graph_name` or the three terms
    one by one costs more than the duplicate it would avoid for a quad already in the default graph).
    """
    for quad in quads:
        yield quad
        yield ox.Quad(*quad.triple)


def _load(version: Path, quads: Iterable[ox.Quad] | GraphFiles) -> None:
    store = ox.Store(str(version))
    if isinstance(quads, GraphFiles):
        store.bulk_load(path=quads.nquads, format=ox.RdfFormat.N_QUADS)
        store.bulk_load(path=quads.ntriples, format=ox.RdfFormat.N_TRIPLES, to_graph=ox.DefaultGraph())
    else:
        store.bulk_extend(_with_union(quads))
    store.flush()
    store.optimize()
    precompute(store, version)
    if isinstance(quads, GraphFiles) and quads.stats is not None:
        save_stats(quads.stats, quads.base, version)
    del store  # closes the database before readers can reach it


def _swap(link: Path, version: Path) -> str | None:
    """Point `link` at `version` atomically; return the name of the version it pointed at before."""
    previous: str | None = None
    if link.is_symlink():
        previous = os.readlink(link)
    elif link.is_dir():  # a plain folder left by hand or by an older kg: move it aside, as the previous version
        previous = _version_name()
        link.rename(link.with_name(previous))
    staged = link.with_name(f".{link.name}-{secrets.token_hex(4)}.link")
    os.symlink(version.name, staged, target_is_directory=True)
    try:
        os.replace(staged, link)
    except BaseException:
        staged.unlink(missing_ok=True)
        raise
    _fsync_dir(link.parent)
    return previous


def _clean(out_dir: Path, keep: set[str | None]) -> None:
    """Delete database versions other than `keep`, and symlinks a crashed swap left behind."""
    for entry in out_dir.iterdir():
        if _VERSION.fullmatch(entry.name) and entry.name not in keep and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
        elif entry.name.startswith(f".{STORE_LINK}-") and entry.name.endswith(".link") and entry.is_symlink():
            entry.unlink(missing_ok=True)


def _fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):  # not every platform can open a folder
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


@contextlib.contextmanager
def _exclusive(path: Path) -> Iterator[None]:
    """An advisory lock (flock) for builds writing the same folder; a no-op where flock does not exist."""
    try:
        import fcntl
    except ImportError:  # Windows
        yield
        return
    with open(path, "a+b") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
