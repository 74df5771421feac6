"""Checks across cards that no single card can see.

- Two cards whose titles give the same model IRI are never merged: the first (in path order) keeps the IRI
  and every later one gets an error naming both files (`duplicate-iri`, or `duplicate-card` when the two
  files are byte-identical).
- An organization is one node shared by every card that names it. It has one type and one country: a card
  that disagrees with the first card naming the organization gets an error, so that a build with
  `keep_going` publishes one consistent organization. Different homepages only warn every card involved.
- A dataset linked by the same address under several names, or one dataset name linked to several
  addresses, warns every card involved.

`kg.corpus` runs the title and homepage checks; `kg.validation` runs `cross_card_checks`. The checks read
`CardFacts`, a few facts per card taken from its graph (`card_facts`), so a build can keep one per card
while it streams the graphs themselves. The shapes express the same rules for a merged graph
(`shapes/cross-card.ttl` and the maxCount rules), so a graph built by another tool can be checked too.
"""

from __future__ import annotations

import re
import sys
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from kg.mapping import MappedCard
from kg.namespaces import MC, RDF
from kg.records import Finding, Severity

_HOMEPAGE = MC + "homepage"
_DEVELOPED_BY = MC + "developedBy"
_NAME = MC + "name"
_URL = MC + "url"
_TYPE = RDF + "type"
_DATASET = MC + "Dataset"

Facts = dict[tuple[str, str], list[str]]
"""One card's (subject, predicate) → objects, for the predicates the rules ask about."""

_ASKED = frozenset(
    [_DEVELOPED_BY, _NAME, _URL, _HOMEPAGE]
    + [MC + p + suffix for p in ("organizationType", "country") for suffix in ("", "Text")]
)


@dataclass(slots=True)
class CardFacts:
    """What the rules across cards (and the validation report) need of one card: not its prose or graph."""

    path: str
    sha256: str
    title: str | None
    title_line: int
    model: str
    graph: str
    type_text: str | None
    """The organization type as written on the card (for messages)."""
    country_text: str | None
    facts: Facts
    lines: dict[tuple[str, str], int]


def card_facts(card: MappedCard) -> CardFacts:
    """Only the facts the rules ask about: each Oxigraph attribute read costs about a microsecond."""
    facts: Facts = defaultdict(list)
    for quad in card.quads:
        predicate = quad.predicate.value
        if predicate in _ASKED or (predicate == _TYPE and quad.object.value == _DATASET):
            facts[(sys.intern(quad.subject.value), sys.intern(predicate))].append(quad.object.value)
    record, org = card.record, card.record.organization
    return CardFacts(
        path=record.path,
        sha256=record.sha256,
        title=record.title.value,
        title_line=record.title.span.line,
        model=card.model.value,
        graph=card.graph.value,
        type_text=org.value.type_label if org and org.value else None,
        country_text=record.country.value if record.country else None,
        facts=dict(facts),
        lines={key: line for key, line in card.lines.items() if key in facts},
    )


Group = dict[str, list[tuple[CardFacts, int]]]


def title_collisions(cards: Iterable[CardFacts]) -> list[Finding]:
    first: dict[str, CardFacts] = {}
    findings = []
    for card in cards:
        owner = first.setdefault(card.model, card)
        if owner is card:
            continue
        where = f"{owner.path}:{owner.title_line}"
        if owner.sha256 == card.sha256:
            code, message = "duplicate-card", f"this file is an exact copy of {where}: keep one of them"
        else:
            code = "duplicate-iri"
            message = (
                f'title "{card.title}" mints <{card.model}>, already minted by {where} '
                f'("{owner.title}"); give one of the cards a distinct title'
            )
        findings.append(Finding(card.path, card.title_line, Severity.ERROR, code, message))
    return findings


def organization_conflicts(cards: Iterable[CardFacts]) -> list[Finding]:
    homepages: dict[str, Group] = defaultdict(lambda: defaultdict(list))
    for card in cards:
        line = card.lines.get((card.model, _DEVELOPED_BY), 1)
        for (subject, predicate), pages in card.facts.items():
            if predicate == _HOMEPAGE:
                for page in pages:
                    homepages[subject][_normalize_url(page)].append((card, line))
    findings = []
    for org, by_page in sorted(homepages.items()):
        if len(by_page) > 1:
            message = f"organization <{org}> is given different homepages: {_listing(by_page)}"
            findings += _warn_all(by_page, "organization-homepages", message)
    return findings


def cross_card_checks(cards: list[CardFacts]) -> list[Finding]:
    """The cross-card rules beyond those `kg.corpus.map_records` runs (titles, homepages)."""
    return [
        *_one_value_per_organization(cards, "organizationType", "type"),
        *_one_value_per_organization(cards, "country", "Country/Origin"),
        *_dataset_conflicts(cards),
    ]


def _one_value_per_organization(cards: list[CardFacts], predicate: str, what: str) -> list[Finding]:
    """Cards compare the graph's value: the concept, or the `…Text` kept for a value outside the scheme."""
    code = f"organization-{'type' if predicate == 'organizationType' else 'country'}-conflict"
    first: dict[str, tuple[CardFacts, str, int]] = {}
    findings = []
    for card in cards:
        facts = card.facts
        for org in facts.get((card.model, _DEVELOPED_BY), []):
            found = [(p, v) for p in (MC + predicate, MC + predicate + "Text") for v in facts.get((org, p), [])]
            if not found:
                continue
            used, value = found[0]
            line = card.lines.get((org, used), 1)
            owner, owner_value, owner_line = first.setdefault(org, (card, value, line))
            if owner is card or value == owner_value:
                continue
            findings.append(
                Finding(
                    card.path,
                    line,
                    Severity.ERROR,
                    code,
                    f'organization "{_name(facts, org)}" has {what} "{_written(card, predicate) or _label(value)}" '
                    f'here but "{_written(owner, predicate) or _label(owner_value)}" in {owner.path}:{owner_line}; '
                    f"an organization has one {what}: make the cards agree",
                )
            )
    return findings


def _written(card: CardFacts, predicate: str) -> str | None:
    return card.type_text if predicate == "organizationType" else card.country_text


def _dataset_conflicts(cards: list[CardFacts]) -> list[Finding]:
    """One dataset address under several names; one dataset name linked to several addresses."""
    by_url: dict[str, Group] = defaultdict(lambda: defaultdict(list))
    by_name: dict[str, Group] = defaultdict(lambda: defaultdict(list))
    names: dict[str, str] = {}
    for card in cards:
        facts = card.facts
        datasets = [s for (s, p), objects in facts.items() if p == _TYPE and _DATASET in objects]
        for dataset in datasets:
            dataset_names, urls = facts.get((dataset, _NAME), []), facts.get((dataset, _URL), [])
            if not dataset_names or not urls:
                continue
            line = card.lines.get((dataset, _NAME), 1)
            names[dataset] = dataset_names[0]
            by_url[_normalize_url(urls[0])][f'"{dataset_names[0]}"'].append((card, line))
            by_name[dataset][f"<{urls[0]}>"].append((card, line))
    findings = []
    for url, by_dataset_name in sorted(by_url.items()):
        if len(by_dataset_name) > 1:
            message = f"dataset address <{url}> is given different names: {_listing(by_dataset_name)}"
            findings += _warn_all(by_dataset_name, "dataset-names", message)
    for dataset, by_url_given in sorted(by_name.items()):
        if len(by_url_given) > 1:
            message = f'dataset "{names[dataset]}" is linked to different addresses: {_listing(by_url_given)}'
            findings += _warn_all(by_url_given, "dataset-urls", message)
    return findings


def _listing(groups: Group) -> str:
    return "; ".join(f"{key} in {', '.join(c.path for c, _ in members)}" for key, members in sorted(groups.items()))


def _warn_all(groups: Group, code: str, message: str) -> list[Finding]:
    return [
        Finding(card.path, line, Severity.WARNING, code, message)
        for members in groups.values()
        for card, line in members
    ]


def _name(facts: Facts, subject: str) -> str:
    names = facts.get((subject, _NAME))
    return names[0] if names else subject


def _label(value: str) -> str:
    """The last segment of a concept IRI ("…/organization-type/non-profit" → "non-profit"), or the text."""
    return re.split(r"[/#]", value)[-1] if value.startswith(("http://", "https://")) else value


def _normalize_url(url: str) -> str:
    return url.rstrip("/").replace("://www.", "://", 1).casefold()
