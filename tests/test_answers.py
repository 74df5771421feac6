"""Bundled queries answered from results kept at build time: the same rows as the engine, per store version."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import kg
from kg.answers import FOLDER
from kg.queries import bundled_queries
from kg.store import resolve_store

from .conftest import ML_CARDS, card_path


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("answers")
    kg.build([ML_CARDS], folder, keep_going=True)
    return folder


@pytest.mark.parametrize("name", sorted(bundled_queries()))
def test_kept_answer_equals_the_engine(out: Path, name: str) -> None:
    kept = kg.query(out / "store", name)
    live = kg.query(out / "store", bundled_queries()[name].text + "\n# any other text goes to the engine\n")
    assert kept.precomputed and not live.precomputed
    assert (kept.variables, kept.rows) == (live.variables, live.rows)
    assert len(kept) > 0


def test_every_bundled_query_is_kept_with_the_store_version(out: Path) -> None:
    kept = sorted(p.stem for p in (resolve_store(out / "store") / FOLDER).glob("*.srj"))
    assert kept == sorted(bundled_queries())


def test_max_rows_applies_to_kept_answers(out: Path) -> None:
    full = kg.query(out / "store", "risks-per-organization")
    assert len(full) > 3 and not full.truncated
    cut = kg.query(out / "store", "risks-per-organization", max_rows=3)
    assert cut.precomputed and cut.truncated and cut.rows == full.rows[:3]


def test_other_formats_come_from_the_kept_answer(out: Path) -> None:
    result = kg.query(out / "store", "models-per-risk")
    csv_text = result.to_csv()
    assert csv_text.splitlines()[0].split(",") == result.variables
    assert len(csv_text.strip().splitlines()) == len(result) + 1


def test_a_store_without_kept_answers_is_answered_live(out: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy"
    shutil.copytree(resolve_store(out / "store"), copy)
    shutil.rmtree(copy / FOLDER)
    live = kg.query(copy, "models-per-risk")
    assert not live.precomputed and live.rows == kg.query(out / "store", "models-per-risk").rows


def test_a_rebuild_brings_its_own_answers(tmp_path: Path) -> None:
    cards = tmp_path / "cards"
    cards.mkdir()
    for name in ("GPT-4", "CLIP"):
        shutil.copy(card_path(name), cards)
    kg.build([cards], tmp_path / "out")
    before = kg.query(tmp_path / "out" / "store", "organizations-by-type")
    shutil.copy(card_path("LLaMA 2"), cards)
    kg.build([cards], tmp_path / "out")
    after = kg.query(tmp_path / "out" / "store", "organizations-by-type")
    assert before.precomputed and after.precomputed
    live = kg.query(tmp_path / "out" / "store", bundled_queries()["organizations-by-type"].text + " ")
    assert after.rows == live.rows and after.rows != before.rows
