"""Checks across cards that no single card can see.

- Two cards whose titles give the same model IRI are never merged: the first (in path order) keeps the IRI
  and every later one gets an error naming both files (`duplicate-iri`, or `duplicate-card` when the two
  files are byte-identical).
- An organization is one node shared by every card that names it. It has one type and one country: a card
  that disagrees with the first card naming the organization gets an error, so that a build with
  `keep_going` publishes one consistent organization. Different homepages only warn every card involved.
- A dataset linked by the same address under several names, or one dataset name linked to several
  addresses, warns every card involved.

`kg.corpus.map_records` runs the title and homepage checks; `kg.validation` runs `cross_card_checks`. The
shapes express the same rules for a merged graph (`shapes/cross-card.ttl` and the maxCount rules), so a
graph built by another tool can be checked too.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable

from kg.mapping import MappedCard
from kg.namespaces import MC, RDF
from kg.records import Finding, Severity

_HOMEPAGE = MC + "homepage"
_DEVELOPED_BY = MC + "developedBy"
_NAME = MC + "name"
_URL = MC + "url"
_TYPE = RDF + "type"
_DATASET = MC + "Dataset"

Group = dict[str, list[tuple[MappedCard, int]]]


def title_collisions(cards: list[MappedCard]) -> list[Finding]:
    first: dict[str, MappedCard] = {}
    findings = []
    for card in cards:
        owner = first.setdefault(card.model.value, card)
        if owner is card:
            continue
        where = f"{owner.record.path}:{owner.record.title.span.line}"
        if owner.record.sha256 == card.record.sha256:
            code, message = "duplicate-card", f"this file is an exact copy of {where}: keep one of them"
        else:
            code = "duplicate-iri"
            message = (
                f'title "{card.record.title.value}" mints <{card.model.value}>, already minted by {where} '
                f'("{owner.record.title.value}"); give one of the cards a distinct title'
            )
        findings.append(Finding(card.record.path, card.record.title.span.line, Severity.ERROR, code, message))
    return findings


def organization_conflicts(cards: list[MappedCard]) -> list[Finding]:
    homepages: dict[str, Group] = defaultdict(lambda: defaultdict(list))
    for card in cards:
        line = card.lines.get((card.model.value, _DEVELOPED_BY), 1)
        for quad in card.quads:
            if quad.predicate.value == _HOMEPAGE:
                homepages[quad.subject.value][_normalize_url(quad.object.value)].append((card, line))
    findings = []
    for org, by_page in sorted(homepages.items()):
        if len(by_page) > 1:
            message = f"organization <{org}> is given different homepages: {_listing(by_page)}"
            findings += _warn_all(by_page, "organization-homepages", message)
    return findings


Facts = dict[tuple[str, str], list[str]]
"""One card's (subject, predicate) → objects, so that a rule looks a value up instead of scanning quads."""


def cross_card_checks(cards: list[MappedCard]) -> list[Finding]:
    """The cross-card rules beyond those `kg.corpus.map_records` runs (titles, homepages)."""
    facts = [(card, _facts(card)) for card in cards]
    return [
        *_one_value_per_organization(facts, "organizationType", "type", _type_text),
        *_one_value_per_organization(facts, "country", "Country/Origin", _country_text),
        *_dataset_conflicts(facts),
    ]


_ASKED = frozenset(
    [_DEVELOPED_BY, _NAME, _URL, _TYPE]
    + [MC + p + suffix for p in ("organizationType", "country") for suffix in ("", "Text")]
)


def _facts(card: MappedCard) -> Facts:
    """Only the predicates the rules ask about: each Oxigraph attribute read costs about a microsecond."""
    facts: Facts = defaultdict(list)
    for quad in card.quads:
        predicate = quad.predicate.value
        if predicate in _ASKED:
            facts[(quad.subject.value, predicate)].append(quad.object.value)
    return facts


def _type_text(card: MappedCard) -> str | None:
    org = card.record.organization
    return org.value.type_label if org and org.value else None


def _country_text(card: MappedCard) -> str | None:
    return card.record.country.value if card.record.country else None


def _one_value_per_organization(
    cards: list[tuple[MappedCard, Facts]], predicate: str, what: str, as_written: Callable[[MappedCard], str | None]
) -> list[Finding]:
    """Cards compare the graph's value: the concept, or the `…Text` kept for a value outside the scheme."""
    code = f"organization-{'type' if predicate == 'organizationType' else 'country'}-conflict"
    first: dict[str, tuple[MappedCard, str, int]] = {}
    findings = []
    for card, facts in cards:
        for org in facts.get((card.model.value, _DEVELOPED_BY), []):
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
                    card.record.path,
                    line,
                    Severity.ERROR,
                    code,
                    f'organization "{_name(facts, org)}" has {what} "{as_written(card) or _label(value)}" here but '
                    f'"{as_written(owner) or _label(owner_value)}" in {owner.record.path}:{owner_line}; '
                    f"an organization has one {what}: make the cards agree",
                )
            )
    return findings


def _dataset_conflicts(cards: list[tuple[MappedCard, Facts]]) -> list[Finding]:
    """One dataset address under several names; one dataset name linked to several addresses."""
    by_url: dict[str, Group] = defaultdict(lambda: defaultdict(list))
    by_name: dict[str, Group] = defaultdict(lambda: defaultdict(list))
    names: dict[str, str] = {}
    for card, facts in cards:
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
    return "; ".join(
        f"{key} in {', '.join(c.record.path for c, _ in members)}" for key, members in sorted(groups.items())
    )


def _warn_all(groups: Group, code: str, message: str) -> list[Finding]:
    return [
        Finding(card.record.path, line, Severity.WARNING, code, message)
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
