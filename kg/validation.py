"""Validate mapped cards with SHACL and the cross-card rules, and trace every result to `file:line`.

- **Where a result points.** A SHACL result names a focus node and a path; the card's `lines` map gives the
  line that produced that (subject, predicate). A result about a value that is missing (a `sh:minCount`)
  has no triple of its own: it points at the line that introduced the focus node (its `rdf:type`), else at
  the card's title line, and counts as *unlocated*.
- **No problem printed twice.** The reader and the mapper already report some problems that a shape states
  again for the graph (defense in depth). `SAME_RULE` lists, for each such finding code, the shapes that
  express the same rule. A SHACL result is dropped when its card already has a finding with one of those
  codes, the same severity, and the same line, or any line when the result is unlocated.
- **Incremental.** Results are cached per card in `cache_dir/validation.json`, keyed by the digest of the
  card's own triples and their lines (the triples carry the SHA-256 of the file, so any edit, a new base
  IRI or a mapping change gives a new key) under the digest of the shapes, the concept schemes and the
  code versions (`kg.shacl.rules_version`). Only cards without a cached entry reach pySHACL; the
  cross-card rules always run, on every card. The file is replaced atomically and holds the cards of the
  last run; a cache that cannot be read is ignored.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
import time
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pyoxigraph as ox

from kg.collisions import CardFacts, card_facts, cross_card_checks
from kg.corpus import corpus_checks, mapped_batches
from kg.iris import Minter
from kg.mapping import MappedCard
from kg.namespaces import DEFAULT_BASE, RDF
from kg.readers import discover
from kg.records import Finding, HasFindings, Severity
from kg.shacl import RawResult, parse_term, rules_version
from kg.shacl_pool import DEFAULT_TIMEOUT, WarmWorkers, validate_cards_raw
from kg.vocabulary import default_vocabulary

SHAPES = "https://w3id.org/mckg/shapes#"
CACHE_FILE = "validation.json"
_CACHE_FORMAT = 1
_SEVERITY = {"http://www.w3.org/ns/shacl#Violation": Severity.ERROR}
log = logging.getLogger(__name__)

SAME_RULE: dict[str, tuple[str, ...]] = {
    "missing-field": ("model-name", "model-organization"),
    "invalid-size": ("model-size", "model-size-range"),
    "invalid-date": ("model-date",),
    "invalid-boolean": ("model-impact-assessment",),
    "unknown-risk": ("risk-use",),
    "ambiguous-date": ("model-date-ambiguous",),
    "encoding-repaired": ("card-encoding-repaired",),
    "invalid-link": ("unresolved-link",),
    "unknown-organization-type": ("organization-type-text",),
    "unknown-research-field": ("model-research-field-text",),
    "unknown-modality": ("model-modality-text",),
    "unknown-country": ("organization-country-text",),
    "duplicate-iri": ("card-sha256", "card-source-file"),
    "duplicate-card": ("duplicate-card",),
    "organization-homepages": ("organization-homepage",),
    "organization-type-conflict": ("organization-type",),
    "organization-country-conflict": ("organization-country",),
    "dataset-names": ("dataset-names",),
    "dataset-urls": ("dataset-url",),
}
"""Finding codes of the reader, mapper and cross-card checks → local names of the shapes with the same rule."""


@dataclass(frozen=True, slots=True)
class ShaclFinding(Finding):
    """A finding from a SHACL result: the result's shape, constraint component, focus node, path and value."""

    shape: str = ""
    component: str = ""
    focus: str = ""
    path: str | None = None
    value: str | None = None
    """`sh:value` in N-Triples syntax (`<https://…>`, `"Model X"`, `"true"^^<…#boolean>`)."""


@dataclass(frozen=True, slots=True)
class _Located:
    """A SHACL result traced back to its card, as stored in the cache (the file is the card's own)."""

    line: int
    located: bool
    severity: str
    shape: str
    component: str
    message: str
    focus: str
    path: str | None
    value: str | None

    def finding(self, file: str) -> ShaclFinding:
        local = self.shape.removeprefix(SHAPES)
        return ShaclFinding(
            file,
            self.line,
            Severity(self.severity),
            f"shape:{local}",
            self.message,
            shape=self.shape,
            component=self.component,
            focus=self.focus,
            path=self.path,
            value=self.value,
        )


@dataclass(slots=True)
class ValidationStats:
    """What one validation did: how many cards pySHACL checked and how many came from the cache."""

    checked: int = 0
    cached: int = 0
    seconds: float = 0.0


class ShaclChecker:
    """pySHACL for the cards of one run, given in batches: the cache is read once and written once (`save`),
    and the worker processes stay warm from one batch to the next (`close` stops them). `submit` checks a
    batch in the background, so a build maps the next batch while the workers validate this one."""

    def __init__(
        self,
        cache_dir: Path | None = None,
        *,
        timeout_per_batch: float | None = DEFAULT_TIMEOUT,
        stats: ValidationStats | None = None,
    ) -> None:
        self.cache_dir, self.timeout = cache_dir, timeout_per_batch
        self.stats = stats if stats is not None else ValidationStats()
        self._cache = _load_cache(cache_dir)
        self._loaded = set(self._cache)
        self._kept: dict[str, list[_Located]] = {}
        self._warm = WarmWorkers()
        self._background = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kg-shacl")

    def __enter__(self) -> ShaclChecker:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def close(self) -> None:
        self._background.shutdown(wait=True)
        self._warm.close()

    def submit(self, cards: list[MappedCard]) -> Future[list[Finding]]:
        """`check` in the background; batches are checked one after another, in the order submitted."""
        return self._background.submit(self.check, cards)

    def check(self, cards: list[MappedCard]) -> list[Finding]:
        """The SHACL findings of these cards (not the cross-card rules), not repeating the reader or mapper."""
        started = time.monotonic()
        keys = [_card_key(card) for card in cards]
        todo = [i for i, key in enumerate(keys) if key not in self._cache]
        outcomes = (
            validate_cards_raw([_triples(cards[i]) for i in todo], timeout=self.timeout, warm=self._warm)
            if todo
            else []
        )
        findings: list[Finding] = []
        for i, outcome in zip(todo, outcomes, strict=True):
            card = cards[i]
            if outcome.failure is None:
                self._cache[keys[i]] = [_locate(card, raw) for raw in outcome.results]
            else:
                line = card.record.title.span.line
                message = f"{outcome.failure}; the card was not validated"
                findings.append(Finding(card.record.path, line, Severity.ERROR, "not-validated", message))
        for card, key in zip(cards, keys, strict=True):
            if key in self._cache:
                self._kept[key] = self._cache[key]
                findings += _deduplicated(card, self._kept[key])
        self.stats.checked += len(todo)
        self.stats.cached += len(cards) - len(todo)
        self.stats.seconds += time.monotonic() - started
        return findings

    def save(self) -> None:
        """Keep the results of this run's cards (only those) for the next run."""
        if self.cache_dir is not None and set(self._kept) != self._loaded:
            _save_cache(self.cache_dir, self._kept)
        log.info("validated %d cards with pySHACL, %d from the cache", self.stats.checked, self.stats.cached)


def validate_cards(
    cards: list[MappedCard],
    *,
    cache_dir: Path | None = None,
    timeout_per_batch: float | None = DEFAULT_TIMEOUT,
    stats: ValidationStats | None = None,
) -> list[Finding]:
    """SHACL and cross-card findings for `cards`, not repeating what the reader or mapper already said.

    `timeout_per_batch` bounds each worker's batch in seconds (None: no deadline, in this process). A card
    that cannot be validated in time gets an error. `stats`, when given, is filled in.
    """
    with ShaclChecker(cache_dir, timeout_per_batch=timeout_per_batch, stats=stats) as checker:
        findings = checker.check(cards) + cross_card_checks([card_facts(card) for card in cards])
        checker.save()
    return sorted(findings, key=sort_key)


def sort_key(finding: Finding) -> tuple[str, int, str]:
    return (finding.file, finding.line, finding.code)


# -- results to lines ---------------------------------------------------------------------------------


def _triples(card: MappedCard) -> list[ox.Triple]:
    return [quad.triple for quad in card.quads]


def _card_key(card: MappedCard) -> str:
    """Digest of what a card's located results depend on: its triples and the line behind each of them."""
    digest = hashlib.sha256(ox.serialize(card.quads, format=ox.RdfFormat.N_QUADS))
    digest.update(json.dumps(sorted(card.lines.items())).encode())
    return digest.hexdigest()


def _locate(card: MappedCard, raw: RawResult) -> _Located:
    line = card.lines.get((raw.focus, raw.path or ""))
    located = line is not None
    if line is None:
        line = card.lines.get((raw.focus, RDF + "type"), card.record.title.span.line)
    severity = _SEVERITY.get(raw.severity, Severity.WARNING)
    message = raw.message
    if raw.value is not None and "{$value}" in message:
        message = message.replace("{$value}", parse_term(raw.value).value)
    return _Located(line, located, severity.value, raw.shape, raw.component, message, raw.focus, raw.path, raw.value)


def _deduplicated(card: MappedCard, results: list[_Located]) -> list[Finding]:
    known = [*card.record.findings, *card.findings]
    out: list[Finding] = []
    for result in results:
        local = result.shape.removeprefix(SHAPES)
        same = any(
            local in SAME_RULE.get(f.code, ())
            and f.severity.value == result.severity
            and (f.line == result.line or not result.located)
            for f in known
        )
        if not same:
            out.append(result.finding(card.record.path))
    return out


# -- cache --------------------------------------------------------------------------------------------


def _load_cache(cache_dir: Path | None) -> dict[str, list[_Located]]:
    if cache_dir is None:
        return {}
    path = cache_dir / CACHE_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("format") != _CACHE_FORMAT or data.get("rules") != rules_version():
            return {}
        return {key: [_Located(**r) for r in results] for key, results in data["cards"].items()}
    except FileNotFoundError:
        return {}
    except (OSError, ValueError, TypeError, KeyError, AttributeError) as err:
        log.warning("ignoring the unreadable validation cache %s: %s", path, err)
        return {}


def _save_cache(cache_dir: Path, entries: dict[str, list[_Located]]) -> None:
    data = {
        "format": _CACHE_FORMAT,
        "rules": rules_version(),
        "cards": {key: [asdict(r) for r in results] for key, results in sorted(entries.items())},
    }
    cache_dir.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{CACHE_FILE}.", suffix=".tmp", dir=cache_dir)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(data, handle, ensure_ascii=False, separators=(",", ":"))
        os.replace(tmp, cache_dir / CACHE_FILE)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


# -- whole runs and graphs ----------------------------------------------------------------------------


@dataclass(slots=True)
class ValidationReport(HasFindings):
    """Everything `kg validate` found in a set of cards; `kg.report.render` shows it as text, JSON or Turtle."""

    findings: list[Finding]
    cards: list[CardFacts]
    files: int
    stats: ValidationStats = field(default_factory=ValidationStats)

    @property
    def conforms(self) -> bool:
        """No errors; warnings never count."""
        return not self.errors


def validate(
    paths: Iterable[str | Path],
    *,
    cache_dir: Path | None = None,
    base: str = DEFAULT_BASE,
    timeout_per_batch: float | None = DEFAULT_TIMEOUT,
) -> ValidationReport:
    """Read, map and validate the cards under `paths` (files or folders): every finding, in path order.

    Cards go through in batches (`kg.corpus.BATCH`), as in `kg build`, so memory does not grow with the corpus.
    """
    files = discover(paths)
    minter, vocab = Minter(base), default_vocabulary()
    stats = ValidationStats()
    findings: list[Finding] = []
    facts: list[CardFacts] = []
    with ShaclChecker(cache_dir, timeout_per_batch=timeout_per_batch, stats=stats) as checker:
        for cards, found in mapped_batches(files, minter, vocab):
            findings += found + checker.check(cards)
            facts += [card_facts(card) for card in cards]
        findings += corpus_checks(facts) + cross_card_checks(facts)
        checker.save()
    return ValidationReport(sorted(findings, key=sort_key), facts, len(files), stats)
