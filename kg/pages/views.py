"""The shapes of what a page shows: plain dataclasses, rendered to HTML by the templates and to JSON as is.

A page is data first: the functions of `kg.pages.resources` and `kg.pages.lists` fill these classes from
the store, `kg.pages.render` turns the same object into HTML (through a `Links` style: relative `.html`
links for a static folder, absolute paths for the server) or into the page's JSON twin. Nothing here knows
about HTML, so the JSON carries the same facts as the page.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Ref:
    """Something a page names: a resource with a page here (`path`), a web address (`url`), or just text."""

    label: str
    iri: str | None = None
    path: str | None = None
    """The page of the resource on this site (`model/gpt-2`), when it has one."""
    url: str | None = None
    """An http(s) address to link out to, when the resource has no page here."""
    note: str | None = None
    ext: str | None = None
    """A file form of `path` rather than its page: `ttl`, `jsonld`, `json`, `csv`…"""


@dataclass(frozen=True, slots=True)
class Fact:
    """One line of a resource's facts: a label and its values (text or links)."""

    label: str
    values: tuple[Ref, ...]
    note: str | None = None


@dataclass(frozen=True, slots=True)
class Bar:
    """One bar of a chart; `path` makes the bar a link to the page it counts."""

    label: str
    value: int
    path: str | None = None


@dataclass(frozen=True, slots=True)
class Chart:
    """A bar chart: drawn as SVG on the page, with the same numbers as a table for those who cannot see it."""

    id: str
    title: str
    description: str
    category: str
    """What the bars are (risk, year…): the table's first column."""
    measure: str
    """What their length counts (models, organizations…)."""
    bars: tuple[Bar, ...]
    orientation: str = "horizontal"  # or "vertical" (years along the x axis)


@dataclass(frozen=True, slots=True)
class Listing:
    """At most `limit` items of a longer list; `more` leads to the whole list when `total` is larger."""

    items: tuple[Ref, ...]
    total: int
    more: Ref | None = None


@dataclass(frozen=True, slots=True)
class Finding:
    severity: str
    message: str
    property: Ref | None = None


@dataclass(frozen=True, slots=True)
class Validation:
    """The validation status of a card: `checked` is False when the build wrote no validation report."""

    checked: bool
    findings: tuple[Finding, ...] = ()

    @property
    def status(self) -> str:
        if not self.checked:
            return "not validated"
        errors = sum(f.severity == "error" for f in self.findings)
        warnings = len(self.findings) - errors
        if not self.findings:
            return "valid: no warnings"
        parts = [f"{n} {word}{'' if n == 1 else 's'}" for n, word in ((errors, "error"), (warnings, "warning")) if n]
        return ", ".join(parts)


@dataclass(frozen=True, slots=True)
class Provenance:
    card: Ref
    source_file: str
    sha256: str
    source_format: str
    build: Ref | None
    software: str
    validation: Validation


@dataclass(slots=True)
class Page:
    """One page: its kind (which template), its path on the site, its title and the facts it shows.

    `iri` is the resource a resource page describes (it also has `.ttl` and `.jsonld` forms); `data` is the
    kind's own dataclass.
    """

    kind: str
    path: str
    title: str
    data: Any
    iri: str | None = None
    description: str = ""
    breadcrumbs: tuple[Ref, ...] = field(default_factory=tuple)

    def to_json(self) -> dict[str, Any]:
        """The page as JSON-ready values: the `page.json` twin of the HTML."""
        return {
            "kind": self.kind,
            "path": self.path,
            "title": self.title,
            "iri": self.iri,
            "description": self.description,
            "data": _plain(self.data),
        }

    def json_bytes(self) -> bytes:
        return (json.dumps(self.to_json(), indent=1, ensure_ascii=False, sort_keys=False) + "\n").encode("utf-8")


def _plain(value: Any) -> Any:
    """Dataclasses to dicts (None fields left out, to keep the JSON short), tuples to lists, recursively."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        out = {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
        if isinstance(value, Validation):
            out["status"] = value.status
        return {k: v for k, v in out.items() if v is not None}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return value
