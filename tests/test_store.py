"""The on-disk store: named graphs kept, a merged default graph, and atomic replacement on rebuild."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.store import STORE_LINK, open_store, write_store

from .test_query import CARDS, corpus_out

EX = "http://example.org/"


def quads(graphs: int, per_graph: int, shared: int = 0) -> list[ox.Quad]:
    """`per_graph` own triples in each of `graphs` named graphs, plus `shared` triples repeated in all of them."""
    out = []
    for g in range(graphs):
        graph = ox.NamedNode(f"{EX}graph/{g}")
        for i in range(per_graph):
            out.append(ox.Quad(ox.NamedNode(f"{EX}s/{g}/{i}"), ox.NamedNode(f"{EX}p"), ox.Literal(str(i)), graph))
        for i in range(shared):
            out.append(ox.Quad(ox.NamedNode(f"{EX}shared/{i}"), ox.NamedNode(f"{EX}p"), ox.Literal("x"), graph))
    return out


def count(store: ox.Store, pattern: str = "?s ?p ?o") -> int:
    return int(next(iter(store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ {pattern} }}")))[0].value)


def versions(out: Path) -> list[str]:
    return sorted(p.name for p in out.iterdir() if p.name.startswith("store-"))


def test_build_writes_the_store_next_to_the_graph_files():
    out = corpus_out()
    link = out / STORE_LINK
    assert link.is_symlink() and not os.path.isabs(os.readlink(link)), "a relative link: the folder can move"
    store = open_store(link)
    source_files = store.quads_for_pattern(None, ox.NamedNode(_mc("sourceFile")), None, None)
    cards = {q.graph_name for q in source_files if q.graph_name != ox.DefaultGraph()}
    assert len(cards) == len(CARDS), "one named graph per card"
    nt = {as_stored(q.triple) for q in ox.parse(path=str(out / "graph.nt"), format=ox.RdfFormat.N_TRIPLES)}
    nq = list(ox.parse(path=str(out / "graph.nq"), format=ox.RdfFormat.N_QUADS))
    default = {q.triple for q in store.quads_for_pattern(None, None, None, ox.DefaultGraph())}
    assert default == nt, "the default graph is graph.nt: the union of the named graphs, each triple once"
    named = {q for q in store if q.graph_name != ox.DefaultGraph()}
    assert named == {ox.Quad(*as_stored(q.triple), q.graph_name) for q in nq}, "the named graphs are graph.nq"


XSD = "http://www.w3.org/2001/XMLSchema#"


def as_stored(triple: ox.Triple) -> ox.Triple:
    """Oxigraph 0.5 stores xsd:nonNegativeInteger (mc:parameterCount) as xsd:integer: same value, other IRI."""
    o = triple.object
    if isinstance(o, ox.Literal) and o.datatype.value == XSD + "nonNegativeInteger":
        o = ox.Literal(o.value, datatype=ox.NamedNode(XSD + "integer"))
    return ox.Triple(triple.subject, triple.predicate, o)


def _mc(name: str) -> str:
    return "https://w3id.org/mckg/ontology#" + name


def test_default_graph_is_the_merge_of_the_named_graphs(tmp_path):
    data = quads(graphs=5, per_graph=3, shared=2)
    store = open_store(write_store(tmp_path, data))
    assert sorted(g.value for g in store.named_graphs()) == [f"{EX}graph/{g}" for g in range(5)]
    assert count(store) == 5 * 3 + 2, "shared triples count once in the default graph"
    assert count(store, "GRAPH ?g { ?s ?p ?o }") == len(data) == 5 * (3 + 2)


def test_rebuild_swaps_atomically_and_old_readers_keep_their_version(tmp_path):
    write_store(tmp_path, quads(1, 10))
    first = versions(tmp_path)
    old_reader = open_store(tmp_path / STORE_LINK)
    write_store(tmp_path, quads(1, 20))
    assert count(old_reader) == 10, "a reader keeps the version it opened"
    assert count(open_store(tmp_path / STORE_LINK)) == 20, "a new reader sees the new data"
    assert first[0] in versions(tmp_path) and len(versions(tmp_path)) == 2, "the previous version is kept"

    write_store(tmp_path, quads(1, 30))
    assert first[0] not in versions(tmp_path) and len(versions(tmp_path)) == 2, "older versions are deleted"
    assert count(open_store(tmp_path / STORE_LINK)) == 30
    leftovers = [p.name for p in tmp_path.iterdir() if p.name not in {STORE_LINK, ".store.lock", *versions(tmp_path)}]
    assert leftovers == []


def test_readers_never_see_a_half_built_store(tmp_path):
    small, large = quads(4, 50), quads(40, 2_000)
    write_store(tmp_path, small)
    sizes = {count(open_store(tmp_path / STORE_LINK))}
    writer = threading.Thread(target=write_store, args=(tmp_path, large))
    writer.start()
    while writer.is_alive():
        sizes.add(count(open_store(tmp_path / STORE_LINK)))
    writer.join()
    sizes.add(count(open_store(tmp_path / STORE_LINK)))
    assert sizes == {len(small), len(large)}


def test_a_failed_load_leaves_the_store_as_it_was(tmp_path):
    write_store(tmp_path, quads(1, 10))
    before = versions(tmp_path)

    def broken():
        yield from quads(1, 5)
        raise RuntimeError("mapping failed midway")

    with pytest.raises(RuntimeError, match="midway"):
        write_store(tmp_path, broken())
    assert versions(tmp_path) == before
    assert count(open_store(tmp_path / STORE_LINK)) == 10


def test_a_plain_store_folder_is_moved_aside(tmp_path):
    legacy = ox.Store(str(tmp_path / STORE_LINK))
    legacy.add(ox.Quad(ox.NamedNode(f"{EX}a"), ox.NamedNode(f"{EX}b"), ox.Literal("old")))
    del legacy
    write_store(tmp_path, quads(1, 3))
    assert (tmp_path / STORE_LINK).is_symlink()
    assert count(open_store(tmp_path / STORE_LINK)) == 3
    assert len(versions(tmp_path)) == 2


def test_opening_a_missing_store_says_what_to_do(tmp_path):
    with pytest.raises(FileNotFoundError, match="kg build"):
        open_store(tmp_path / STORE_LINK)


def test_the_store_is_opened_read_only(tmp_path):
    store = open_store(write_store(tmp_path, quads(1, 3)))
    with pytest.raises((OSError, RuntimeError), match="read-write"):
        store.add(ox.Quad(ox.NamedNode(f"{EX}a"), ox.NamedNode(f"{EX}b"), ox.Literal("new")))
        store.flush()
