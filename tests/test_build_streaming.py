"""The build streams cards in batches: the outputs cannot depend on the batch size or on sorting through disk."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

import kg
from kg import corpus, export
from kg.build import Status

from .conftest import ML_CARDS, SEED

OUTPUTS = ("graph.nq", "graph.nt", "graph.ttl", "graph.jsonld", "void.ttl", "validation.ttl")


@pytest.fixture(scope="module")
def whole(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, kg.BuildResult]:
    out = tmp_path_factory.mktemp("whole")
    return out, kg.build([ML_CARDS, SEED.parent], out, keep_going=True, model_documents=True)


def test_small_batches_and_disk_runs_give_the_same_build(whole, tmp_path: Path, monkeypatch) -> None:
    out, result = whole
    monkeypatch.setattr(corpus, "BATCH", 4)  # ten batches; the seed's duplicate lands in another batch
    monkeypatch.setattr(export, "RUN_LINES", 700)  # about a dozen sorted runs merged from disk
    streamed = kg.build([ML_CARDS, SEED.parent], tmp_path, keep_going=True, model_documents=True)
    for name in OUTPUTS:
        assert (out / name).read_bytes() == (tmp_path / name).read_bytes(), name
    documents = sorted(p.name for p in (out / "models").glob("*.jsonld"))
    assert documents == sorted(p.name for p in (tmp_path / "models").glob("*.jsonld"))
    for name in documents:
        assert (out / "models" / name).read_bytes() == (tmp_path / "models" / name).read_bytes()
    assert streamed.findings == result.findings and streamed.excluded == result.excluded
    assert (streamed.quads, streamed.triples, streamed.published) == (result.quads, result.triples, result.published)


def test_excluded_cards_leave_no_quads_and_no_document(whole) -> None:
    out, result = whole
    assert [Path(p).name for p in result.excluded] == ["Claude 3.md", "Code Llama (mis-encoded).md"]
    graphs = {q.graph_name.value for q in ox.parse(path=out / "graph.nq", format=ox.RdfFormat.N_QUADS)}
    by_path = {card.path: card.graph for card in result.cards}
    claude = by_path[str(ML_CARDS / "Claude 3.md")]
    assert claude not in graphs
    # The mis-encoded copy mints Code Llama's IRI: the first card keeps it, the copy adds nothing.
    assert by_path[str(SEED)] == by_path[str(ML_CARDS / "Code Llama.md")] in graphs
    names = {
        q.object.value
        for q in ox.parse(path=out / "graph.nq", format=ox.RdfFormat.N_QUADS)
        if q.predicate.value == "https://w3id.org/mckg/ontology#sourceFile"
    }
    assert "Code Llama.md" in names and "Code Llama (mis-encoded).md" not in names
    assert not (out / "models" / "claude-3.jsonld").exists()
    assert result.published == len(result.cards) - 2


def test_a_failed_build_stages_nothing(tmp_path: Path) -> None:
    (tmp_path / "graph.nt").write_bytes(b"previous\n")
    result = kg.build([ML_CARDS], tmp_path, model_documents=True)  # Claude 3.md is an error: all or nothing
    assert result.status is Status.FAILED
    assert (tmp_path / "graph.nt").read_bytes() == b"previous\n"
    leftovers = [p.name for p in tmp_path.rglob("*") if p.name.startswith(".") and p.name != ".cache"]
    assert not [name for name in leftovers if name.endswith(".tmp") or name.startswith(".kg-sort-")]
    assert not (tmp_path / "models").exists() or not list((tmp_path / "models").glob("*.jsonld"))
