"""Checks across cards that no single card can see: two cards minting one IRI, one organization two ways.

Two cards whose titles give the same model IRI are never merged: the first (in path order) keeps the IRI
and every later one gets an error naming both files. An organization named the same way with different
homepages stays one node (the name is the key) but each card involved is warned.
"""

from __future__ import annotations

from collections import defaultdict

from kg.mapping import MappedCard
from kg.namespaces import MC
from kg.records import Finding, Severity

_HOMEPAGE = MC + "homepage"
_DEVELOPED_BY = MC + "developedBy"


def title_collisions(cards: list[MappedCard]) -> list[Finding]:
    first: dict[str, MappedCard] = {}
    findings = []
    for card in cards:
        owner = first.setdefault(card.model.value, card)
        if owner is not card:
            findings.append(
                Finding(
                    card.record.path,
                    card.record.title.span.line,
                    Severity.ERROR,
                    "duplicate-iri",
                    f'title "{card.record.title.value}" mints <{card.model.value}>, already minted by '
                    f"{owner.record.path}:{owner.record.title.span.line} "
                    f'("{owner.record.title.value}"); give one of the cards a distinct title',
                )
            )
    return findings


def organization_conflicts(cards: list[MappedCard]) -> list[Finding]:
    homepages: dict[str, dict[str, list[MappedCard]]] = defaultdict(lambda: defaultdict(list))
    for card in cards:
        for quad in card.quads:
            if quad.predicate.value == _HOMEPAGE:
                homepages[quad.subject.value][_normalize_url(quad.object.value)].append(card)
    findings = []
    for org, by_page in sorted(homepages.items()):
        if len(by_page) < 2:
            continue
        summary = "; ".join(f"{page} in {', '.join(c.record.path for c in cs)}" for page, cs in sorted(by_page.items()))
        for cs in by_page.values():
            for card in cs:
                line = card.lines.get((card.model.value, _DEVELOPED_BY), 1)
                findings.append(
                    Finding(
                        card.record.path,
                        line,
                        Severity.WARNING,
                        "organization-homepages",
                        f"organization <{org}> is given different homepages: {summary}",
                    )
                )
    return findings


def _normalize_url(url: str) -> str:
    return url.rstrip("/").replace("://www.", "://", 1).casefold()
