"""Answers to the bundled queries, computed once per store version when `kg build` loads it.

A store version never changes after the build that wrote it (`kg.store`), so an answer computed then stays
true for as long as the version is served. The bundled queries are the reports analysts run again and
again; on a large corpus the engine needs seconds for some of them (a ranking over every model, a
timeline), so the build runs each once and keeps its SPARQL JSON results next to the database, and the
query worker answers the exact same text from there. Any other query text, including an edited copy of a
bundled query, goes to the engine.
"""

from __future__ import annotations

import json
import os
from functools import cache
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg.namespaces import PREFIXES
from kg.queries import bundled_queries

FOLDER = "kg-answers"
"""Inside the store version's folder: `<name>.srj`, one per bundled query."""


def precompute(store: ox.Store, version: Path) -> None:
    """Run every bundled query on `store` (the version being built) and keep the results in `version`."""
    folder = version / FOLDER
    folder.mkdir(exist_ok=True)
    for name, bundled in sorted(bundled_queries().items()):
        results = store.query(bundled.text, prefixes=PREFIXES)
        if isinstance(results, ox.QuerySolutions):
            tmp = folder / f".{name}.srj.tmp"
            results.serialize(str(tmp), ox.QueryResultsFormat.JSON)
            os.replace(tmp, folder / f"{name}.srj")


@cache
def _names_by_text() -> dict[str, str]:
    return {bundled.text: name for name, bundled in bundled_queries().items()}


def lookup(version: Path, text: str) -> dict[str, Any] | None:
    """The SPARQL JSON results kept for this exact query text in this store version, if any."""
    name = _names_by_text().get(text)
    if name is None:
        return None
    try:
        return json.loads((version / FOLDER / f"{name}.srj").read_bytes())
    except FileNotFoundError:  # a store built before answers were kept
        return None
