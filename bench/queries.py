"""Reference SPARQL queries, asked of every engine the harness measures (rdflib, pyoxigraph, the servers).

They stand in for `kg query`'s bundled queries until `kg.query` exists, and stay afterwards so the
engines are always compared on the same text. They are the design notes' three shapes (an aggregate, a
filtered join, one model's description) plus the interoperability contract, counted so that every engine
has to evaluate the whole join rather than stop at the first page.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

PREFIXES = """PREFIX mc: <https://w3id.org/mckg/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
PREFIX schema: <https://schema.org/>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX dpv: <https://w3id.org/dpv#>
PREFIX fair4ml: <https://w3id.org/fair4ml#>
"""

QUERIES: dict[str, str] = {
    "risk-counts": """SELECT ?risk (COUNT(?m) AS ?n) WHERE {
  ?m a mc:Model ; mc:hasRisk ?r . ?r skos:prefLabel ?risk
} GROUP BY ?risk ORDER BY DESC(?n)""",
    "filtered-join": """SELECT ?name ?orgName WHERE {
  ?m a mc:Model ; mc:name ?name ; mc:developedBy ?org ; mc:publicationDate ?d ; mc:parameterCount ?p .
  ?org mc:name ?orgName ; mc:organizationType ?t . ?t skos:prefLabel "Non-profit"@en .
  FILTER(?d >= "2023-01-01"^^xsd:date && ?p > 10000000000)
} ORDER BY ?name""",
    "one-model": """CONSTRUCT { ?m ?p ?o } WHERE { ?m mc:name "%(name)s" ; ?p ?o }""",
    "interop-contract": """SELECT (COUNT(*) AS ?rows) WHERE {
  ?m a fair4ml:MLModel ; schema:name ?name ; schema:datePublished ?date ; schema:license ?licence ;
     prov:wasAttributedTo ?org .
  ?org a schema:Organization ; schema:name ?orgName .
  ?m dpv:hasRisk ?r . ?r skos:prefLabel ?risk
}""",
}


def query_text(name: str, model_name: str) -> str:
    """The full text of a reference query; `model_name` picks the model of the one-model query."""
    escaped = model_name.replace("\\", "\\\\").replace('"', '\\"')
    body = QUERIES[name] % {"name": escaped} if name == "one-model" else QUERIES[name]
    return PREFIXES + body


@dataclass(frozen=True, slots=True)
class Latency:
    median_ms: float
    runs: int
    rows: int


def time_query(run: Callable[[], int], runs: int = 7, budget_s: float = 30.0) -> Latency:
    """Median wall time of `run` (which returns its row count) after one warm-up, within a time budget."""
    started = time.perf_counter()
    rows = run()
    samples: list[float] = []
    while len(samples) < runs and (not samples or time.perf_counter() - started < budget_s):
        t0 = time.perf_counter()
        rows = run()
        samples.append(time.perf_counter() - t0)
    return Latency(statistics.median(samples) * 1000, len(samples), rows)
