"""Content negotiation: which of the formats we can write a client's `Accept` header prefers.

Formats are named by the keys `kg.query_worker` encodes with (`json`, `csv`, `ttl`, `nt`...), plus `html`
for pages. An offer's media type is what the response's Content-Type says, so an alias such as
`application/json` for SPARQL JSON results is answered with the type the client asked for.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final


@dataclass(frozen=True, slots=True)
class Offer:
    media_type: str
    fmt: str

    @property
    def content_type(self) -> str:
        """The Content-Type header: text formats say their charset (UTF-8, always)."""
        return f"{self.media_type}; charset=utf-8" if self.media_type.startswith("text/") else self.media_type


RESULTS: Final = (
    Offer("application/sparql-results+json", "json"),
    Offer("application/sparql-results+xml", "xml"),
    Offer("text/csv", "csv"),
    Offer("text/tab-separated-values", "tsv"),
    Offer("application/json", "json"),
    Offer("application/xml", "xml"),
)
"""SELECT and ASK results, the first being the default."""

GRAPHS: Final = (
    Offer("text/turtle", "ttl"),
    Offer("application/n-triples", "nt"),
    Offer("application/ld+json", "jsonld"),
    Offer("application/rdf+xml", "rdfxml"),
    Offer("application/x-turtle", "ttl"),
    Offer("application/turtle", "ttl"),
)
"""CONSTRUCT and DESCRIBE results, service and dataset descriptions; Turtle is the default."""

HTML: Final = Offer("text/html", "html")

PAGES: Final = (GRAPHS[0], HTML, *GRAPHS[1:])
"""Linked-data resources: Turtle for clients that say nothing (curl), HTML for browsers (they ask)."""

SUFFIXES: Final = {".ttl": GRAPHS[0], ".nt": GRAPHS[1], ".jsonld": GRAPHS[2], ".rdf": GRAPHS[3], ".html": HTML}
"""`/model/x.ttl` and friends: a format chosen by the path, whatever `Accept` says."""


@dataclass(frozen=True, slots=True)
class _Range:
    kind: str
    subtype: str
    q: float

    def specificity(self, media_type: str) -> int:
        """3 for an exact match, 2 for `type/*`, 1 for `*/*`, 0 when the range does not cover the type."""
        kind, _, subtype = media_type.partition("/")
        if self.kind == "*":
            return 1 if self.subtype == "*" else 0
        if self.kind != kind:
            return 0
        if self.subtype == "*":
            return 2
        return 3 if self.subtype == subtype else 0


def _ranges(accept: str) -> list[_Range]:
    """The media ranges of an Accept header; malformed entries are skipped, a bad q counts as 1."""
    ranges = []
    for item in accept.split(","):
        media, *params = (part.strip() for part in item.split(";"))
        kind, slash, subtype = media.lower().partition("/")
        if not slash or not kind or not subtype:
            continue
        q = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = min(max(float(value), 0.0), 1.0)
                except ValueError:
                    q = 1.0
        ranges.append(_Range(kind, subtype, q))
    return ranges


def quality(accept: str | None, media_type: str) -> float:
    """How much the client wants `media_type` (0 to 1): the q of the most specific range covering it."""
    if accept is None or not accept.strip():
        return 1.0
    best, q = 0, 0.0
    for media_range in _ranges(accept):
        specificity = media_range.specificity(media_type)
        if specificity > best:
            best, q = specificity, media_range.q
    return q


def negotiate(accept: str | None, offers: Sequence[Offer]) -> Offer | None:
    """The offer the client prefers (ties go to the earlier offer), or None when it accepts none."""
    best: Offer | None = None
    best_q = 0.0
    for offer in offers:
        q = quality(accept, offer.media_type)
        if q > best_q:
            best, best_q = offer, q
    return best
