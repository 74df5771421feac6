"""The store as the server reads it outside SPARQL: resource descriptions, labels and dataset counts.

These are pattern look-ups on a bound subject or object (no query text, nothing a client can make
expensive), so they run in the server process on its own read-only handle, not in the query workers.
The `store` symlink is resolved on every call: after a rebuild the next request sees the new version
(the handle on the old one is dropped). The dataset counts are those `kg build` kept with the version
(`kg.void.COUNTS_FILE`), or computed once per version from the store when it kept none.
"""

from __future__ import annotations

import threading
from pathlib import Path

import pyoxigraph as ox

from kg.namespaces import DCTERMS, MC, RDFS, SCHEMA, SKOS
from kg.store import resolve_store
from kg.void import DatasetStats, dataset_stats, load_stats

LABELS = tuple(ox.NamedNode(iri) for iri in (SKOS + "prefLabel", MC + "name", MC + "title", RDFS + "label"))
LABELS += (ox.NamedNode(SCHEMA + "name"), ox.NamedNode(DCTERMS + "title"))
"""Where a resource's display name is looked for, in this order."""

_DEFAULT = ox.DefaultGraph()
Subject = ox.NamedNode | ox.BlankNode


class StoreView:
    def __init__(self, path: str | Path, base: str) -> None:
        self.path, self.base = Path(path), base
        self._lock = threading.Lock()
        self._opened: tuple[Path, ox.Store] | None = None
        self._stats: tuple[Path, DatasetStats] | None = None
        self._stats_lock = threading.Lock()

    def version(self) -> Path:
        """The database folder the store link points at now (FileNotFoundError when there is none)."""
        return resolve_store(self.path)

    def store(self, version: Path | None = None) -> ox.Store:
        """A read-only handle on `version` (default: the current one), reused while it stays current."""
        version = version or self.version()
        with self._lock:
            if self._opened is None or self._opened[0] != version:
                self._opened = (version, ox.Store.read_only(str(version)))
            return self._opened[1]

    def describe(self, iri: str) -> list[ox.Triple]:
        """The triples of the default graph with `iri` as subject, and those of the blank nodes they reach."""
        store = self.store()
        out: list[ox.Triple] = []
        todo: list[Subject] = [ox.NamedNode(iri)]
        seen: set[Subject] = set(todo)
        while todo:
            for quad in store.quads_for_pattern(todo.pop(), None, None, _DEFAULT):
                out.append(quad.triple)
                if isinstance(quad.object, ox.BlankNode) and quad.object not in seen:
                    seen.add(quad.object)
                    todo.append(quad.object)
        return out

    def incoming(self, iri: str, limit: int) -> tuple[list[ox.Triple], bool]:
        """Up to `limit` triples pointing at `iri`, and whether there are more."""
        out: list[ox.Triple] = []
        for quad in self.store().quads_for_pattern(None, None, ox.NamedNode(iri), _DEFAULT):
            if len(out) == limit:
                return out, True
            out.append(quad.triple)
        return out, False

    def labels(self, iris: set[str]) -> dict[str, str]:
        """A display name for each IRI that has one (English or untagged literals only)."""
        store = self.store()
        found: dict[str, str] = {}
        for iri in iris:
            node = ox.NamedNode(iri)
            for predicate in LABELS:
                values = [
                    q.object.value
                    for q in store.quads_for_pattern(node, predicate, None, _DEFAULT)
                    if isinstance(q.object, ox.Literal) and q.object.language in (None, "en")
                ]
                if values:
                    found[iri] = min(values)
                    break
        return found

    def stats(self) -> DatasetStats:
        """The VoID counts of the current version: those `kg build` kept with it, else one pass over it."""
        version = self.version()
        with self._stats_lock:
            if self._stats is None or self._stats[0] != version:
                stats = load_stats(self.base, version)
                if stats is None:
                    store = self.store(version)
                    triples = (q.triple for q in store.quads_for_pattern(None, None, None, _DEFAULT))
                    stats = dataset_stats(triples, self.base)
                self._stats = (version, stats)
            return self._stats[1]
