"""Compact JSON-LD under the project's context, for graphs of any size.

pyld does the compacting, but compacting a whole graph with it costs about 8 ms a card. A flat node's
compacted form depends only on its *shape* (which properties it has, how many values each, and each value's
kind, datatype and language), on its classes and on the IRIs in it. So each distinct shape is compacted
once by pyld with placeholder values, each distinct IRI once, and the real values are put back in: the
result is what `pyld.jsonld.compact` gives for the whole graph (tests/test_jsonld.py checks this), at a
fraction of the cost, and nodes can be written one at a time.
"""

from __future__ import annotations

import io
import itertools
import json
from collections.abc import Iterable, Iterator
from functools import cache
from typing import IO, Any

import pyoxigraph as ox
from pyld import jsonld

from kg.resources import data_dir

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_SLOT = "urn:x-mckg-slot:"  # placeholder IRIs: no prefix of the context matches them, so they stay as they are
_PROBE = "urn:x-mckg-probe"
_BATCH = 4096  # subjects compacted per round of pyld calls

Node = dict[str, Any]


@cache
def _context_text() -> str:
    return (data_dir("ontology") / "context.jsonld").read_text(encoding="utf-8")


def context() -> dict[str, Any]:
    """The project's JSON-LD context (`ontology/context.jsonld`), read from the package, never fetched."""
    return json.loads(_context_text())["@context"]


def refuse_remote(url: str, options: dict[str, Any] | None = None) -> dict[str, Any]:
    """pyld's document loader for kg: contexts come from the package, so any fetch is an error."""
    raise jsonld.JsonLdError(f"refusing to load {url}: kg never fetches JSON-LD documents", "loading document failed")


def _compact(nodes: list[Node]) -> list[Node]:
    """pyld's compaction of flat expanded nodes, in their order (always a list, even for one node)."""
    if not nodes:
        return []
    out = jsonld.compact({"@graph": nodes}, {"@context": context()}, {"documentLoader": refuse_remote})
    return out.get("@graph", [{k: v for k, v in out.items() if k != "@context"}])


def _expanded(triples: list[ox.Triple]) -> Node:
    """One subject's triples as an expanded JSON-LD node object (RDF to JSON-LD, `useRdfType` false)."""
    node: Node = {"@id": _term_id(triples[0].subject)}
    for predicate, group in itertools.groupby(triples, key=lambda t: t.predicate.value):
        objects = [t.object for t in group]
        if predicate == RDF_TYPE and all(not isinstance(o, ox.Literal) for o in objects):
            node["@type"] = [_term_id(o) for o in objects]
        else:
            node[predicate] = [_value(o) for o in objects]
    return node


def _term_id(term: Any) -> str:
    return "_:" + term.value if isinstance(term, ox.BlankNode) else term.value


def _value(term: Any) -> dict[str, str]:
    if not isinstance(term, ox.Literal):
        return {"@id": _term_id(term)}
    if term.language:
        return {"@value": term.value, "@language": term.language}
    if term.datatype.value == "http://www.w3.org/2001/XMLSchema#string":
        return {"@value": term.value}
    return {"@value": term.value, "@type": term.datatype.value}


def _signature(values: list[dict[str, str]]) -> tuple[Any, ...]:
    """What a property's compacted form depends on, apart from the literal values and the IRIs."""
    return tuple("@id" if "@id" in v else (v.get("@type"), v.get("@language")) for v in values)


def _placeholders(values: list[dict[str, str]]) -> tuple[list[dict[str, str]], list[tuple[str, bool]]]:
    """The values with each literal and IRI replaced by a numbered placeholder IRI, and what each stands for."""
    probe, slots = [], []
    for i, value in enumerate(values):
        slot = _SLOT + str(i)
        if "@id" in value:
            probe.append({"@id": slot})
            slots.append((value["@id"], True))
        else:
            probe.append({**value, "@value": slot})
            slots.append((value["@value"], False))
    return probe, slots


def _fill(value: Any, slots: list[tuple[str, bool]], iris: dict[str, str]) -> Any:
    if isinstance(value, dict):
        return {k: _fill(v, slots, iris) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, slots, iris) for v in value]
    if isinstance(value, str) and value.startswith(_SLOT):
        text, is_iri = slots[int(value[len(_SLOT) :])]
        return iris.get(text, text) if is_iri else text
    return value


def _sorted_arrays(value: Any) -> Any:
    """Sort value arrays (never `@list`), so the output does not depend on the order values came in."""
    if isinstance(value, dict):
        return {k: v if k == "@list" else _sorted_arrays(v) for k, v in value.items()}
    if isinstance(value, list) and len(value) > 1:
        return sorted((_sorted_arrays(v) for v in value), key=_order)
    return value


def _order(value: Any) -> tuple[int, str]:
    return (0, value) if isinstance(value, str) else (1, json.dumps(value, sort_keys=True, ensure_ascii=False))


def _namespaces(value: Any) -> set[str]:
    """Every absolute IRI the context maps a term to: an IRI none of them starts is compacted to itself."""
    if isinstance(value, dict):
        return {iri for v in value.values() for iri in _namespaces(v)}
    return {value} if isinstance(value, str) and ("://" in value or value.startswith("urn:")) else set()


class Compactor:
    """Compacts flat expanded nodes, remembering what pyld decided for each property and IRI seen so far.

    The context has no scoped contexts, so a property's compacted form does not depend on the node's other
    properties: properties are compacted, and remembered, one at a time.
    """

    def __init__(self) -> None:
        self._properties: dict[tuple[str, tuple[Any, ...]], Node] = {}
        self._types: dict[tuple[str, ...], Node] = {}
        self._iris: dict[str, str] = {}
        self._namespaces = tuple(sorted(_namespaces(context())))

    def compact(self, nodes: list[Node]) -> list[Node]:
        prepared = [
            [(key, values, () if key in ("@id", "@type") else _signature(values)) for key, values in node.items()]
            for node in nodes
        ]
        self._learn(prepared)
        out = []
        for node in prepared:
            compacted: Node = {}
            for key, values, signature in node:
                if key == "@id":
                    compacted["@id"] = self._iris.get(values, values)
                elif key == "@type":
                    compacted.update(self._types[tuple(values)])
                else:
                    _, slots = _placeholders(values)
                    compacted.update(_fill(self._properties[key, signature], slots, self._iris))
            out.append(_sorted_arrays(compacted))
        return out

    def _learn(self, nodes: list[list[tuple[str, Any, tuple[Any, ...]]]]) -> None:
        properties: dict[tuple[str, tuple[Any, ...]], list[dict[str, str]]] = {}
        types: set[tuple[str, ...]] = set()
        iris: set[str] = set()
        for node in nodes:
            for key, values, signature in node:
                if key == "@id":
                    iris.add(values)
                elif key == "@type":
                    types.add(tuple(values))
                else:
                    if (key, signature) not in self._properties:
                        properties.setdefault((key, signature), values)
                    iris.update(v["@id"] for v in values if "@id" in v)
        new_properties = list(properties)
        new_types = sorted(types - self._types.keys())
        probes = [{key: _placeholders(properties[key, sig])[0]} for key, sig in new_properties]
        probes += [{"@type": list(t)} for t in new_types]
        compacted = _compact([{"@id": f"{_PROBE}:{i}", **probe} for i, probe in enumerate(probes)])
        parts = [{k: v for k, v in node.items() if k != "@id"} for node in compacted]
        self._properties.update(zip(new_properties, parts[: len(new_properties)], strict=True))
        self._types.update(zip(new_types, parts[len(new_properties) :], strict=True))
        self._learn_iris(iris)

    def _learn_iris(self, iris: set[str]) -> None:
        """Compact IRIs as a value of an undefined property: the same rule as for `@id` and `@type: @id`."""
        new = sorted(i for i in iris - self._iris.keys() if i.startswith(self._namespaces))
        probes = [{"@id": f"{_PROBE}:{i}", _PROBE: [{"@id": iri}]} for i, iri in enumerate(new)]
        for iri, compacted in zip(new, _compact(probes), strict=True):
            value = compacted[_PROBE]
            self._iris[iri] = (value[0] if isinstance(value, list) else value)["@id"]


def _subjects(triples: Iterable[ox.Triple]) -> Iterator[list[ox.Triple]]:
    """Group a subject-sorted stream of triples by subject, with each subject's predicates together."""
    for _, group in itertools.groupby(triples, key=lambda t: t.subject):
        yield sorted(group, key=lambda t: (t.predicate.value, str(t.object)))


def write(triples: Iterable[ox.Triple], out: IO[bytes], *, indent: int | None = None) -> None:
    """Write `triples` (sorted by subject, as in graph.nt) as one compact JSON-LD document.

    Nodes come in the order of their subjects, one per line unless `indent` is given (the large files
    stay quick to write and still diff node by node); keys and value arrays are sorted.
    """
    compactor = Compactor()
    head = json.dumps({"@context": context()}, indent=2, sort_keys=True, ensure_ascii=False)
    out.write((head[:-2] + ',\n  "@graph": [').encode("utf-8"))
    separator = "\n    "
    groups = _subjects(triples)
    while batch := [_expanded(g) for g in itertools.islice(groups, _BATCH)]:
        for node in compactor.compact(batch):
            text = json.dumps(node, indent=indent, sort_keys=True, ensure_ascii=False)
            out.write((separator + text.replace("\n", "\n    ")).encode("utf-8"))
            separator = ",\n    "
    out.write(("]\n}\n" if separator == "\n    " else "\n  ]\n}\n").encode("utf-8"))


def dumps(triples: Iterable[ox.Triple]) -> bytes:
    """A small graph (one resource's description) as an indented JSON-LD document."""
    buffer = io.BytesIO()
    write(sorted(triples, key=lambda t: str(t.subject)), buffer, indent=2)
    return buffer.getvalue()
