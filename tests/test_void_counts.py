"""The VoID counts `kg build` keeps with a store version, so `kg serve` starts without a pass over the store."""

from __future__ import annotations

import sys
from pathlib import Path

import pyoxigraph as ox
import pytest

import kg
from kg.namespaces import DEFAULT_BASE
from kg.server.store_view import StoreView
from kg.store import resolve_store
from kg.void import COUNTS_FILE, dataset_stats, load_stats

from .conftest import ML_CARDS


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("void")
    kg.build([ML_CARDS], folder, keep_going=True)
    return folder


def _from_store(out: Path, base: str):
    store = ox.Store.read_only(str(resolve_store(out / "store")))
    return dataset_stats((q.triple for q in store.quads_for_pattern(None, None, None, ox.DefaultGraph())), base)


def test_kept_counts_equal_a_pass_over_the_store(out: Path) -> None:
    version = resolve_store(out / "store")
    assert (version / COUNTS_FILE).is_file()
    kept = load_stats(DEFAULT_BASE, version)
    assert kept is not None and kept == _from_store(out, DEFAULT_BASE)
    assert kept.triples > 1000 and kept.classes and kept.properties


def test_the_server_view_reads_them_without_a_pass(out: Path, monkeypatch) -> None:
    def no_pass(*_: object) -> None:
        raise AssertionError("the kept counts should have been used")

    monkeypatch.setattr(sys.modules["kg.server.store_view"], "dataset_stats", no_pass)
    assert StoreView(out / "store", DEFAULT_BASE).stats() == load_stats(DEFAULT_BASE, resolve_store(out / "store"))


def test_counts_kept_for_another_base_are_not_used(out: Path) -> None:
    other = "https://example.org/models/"
    assert load_stats(other, resolve_store(out / "store")) is None
    assert StoreView(out / "store", other).stats() == _from_store(out, other)


def test_a_missing_or_broken_file_falls_back_to_a_pass(out: Path, tmp_path: Path) -> None:
    (tmp_path / COUNTS_FILE).write_text("{not json", encoding="utf-8")
    assert load_stats(DEFAULT_BASE, tmp_path) is None
    assert load_stats(DEFAULT_BASE, tmp_path / "nowhere") is None
