"""Typed records that readers produce: normalized values, each with the place in the source it came from.

Records carry no RDF: they are what a card *says*, normalized, so the mapper can stay a pure function and
every later finding (a SHACL result, a collision) can point back at `file:line`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from enum import Enum, StrEnum
from typing import Generic, TypeVar

T = TypeVar("T")


class Severity(StrEnum):
    """How bad a finding is. Errors stop a build; warnings are reported and never block."""

    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True)
class Span:
    """Where a value came from: file path as given, 1-based line, and the raw text of that value."""

    file: str
    line: int
    raw: str


@dataclass(frozen=True, slots=True)
class Field(Generic[T]):
    """A normalized value and its source span. `value is None` means the card said "Not specified"."""

    value: T | None
    span: Span


@dataclass(frozen=True, slots=True)
class Finding:
    """Something a reader, mapper or validator wants the user to know, located at `file:line`."""

    file: str
    line: int
    severity: Severity
    code: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.severity.value}: {self.message} [{self.code}]"


class HasFindings:
    """Errors and warnings of anything that carries a `findings` list (build results, reports)."""

    __slots__ = ()
    findings: list[Finding]

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.WARNING]


@dataclass(frozen=True, slots=True)
class Link:
    """A markdown link `[text](target)`. `url` is set only when the target is a valid absolute IRI."""

    text: str
    target: str
    url: str | None


@dataclass(frozen=True, slots=True)
class ParameterCount:
    """A model size in parameters. A single value is both minimum and maximum (it is the largest size)."""

    minimum: int
    maximum: int

    @property
    def is_range(self) -> bool:
        return self.minimum != self.maximum


@dataclass(frozen=True, slots=True)
class DatasetText:
    """The Dataset field: prose with zero or more links, and the prose with link markup removed."""

    text: str
    links: tuple[Link, ...]


@dataclass(frozen=True, slots=True)
class PublicationDate:
    """A date read from m/d/yyyy. `ambiguous` is true when d/m would also have been a valid reading."""

    date: dt.date
    ambiguous: bool


@dataclass(frozen=True, slots=True)
class OrganizationRef:
    """The Organization field: the name, its homepage link and the organization type as written."""

    name: str
    link: Link | None
    type_label: str | None


@dataclass(slots=True)
class CardRecord:
    """One model card, normalized. Absent fields are None; "Not specified" is a Field whose value is None."""

    path: str
    sha256: str
    format: str
    title: Field[str]
    name: Field[Link] | None = None
    modality_badges: tuple[Field[str], ...] = ()
    model_size: Field[ParameterCount] | None = None
    dataset: Field[DatasetText] | None = None
    io_formats: tuple[Field[str], ...] = ()
    research_fields: tuple[Field[str], ...] = ()
    impact_assessment: Field[bool] | None = None
    risks: tuple[Field[str], ...] = ()
    publication_date: Field[PublicationDate] | None = None
    organization: Field[OrganizationRef] | None = None
    country: Field[str] | None = None
    license: Field[str] | None = None
    publication: Field[Link] | None = None
    description: tuple[Field[str], ...] = ()
    organization_description: tuple[Field[str], ...] = ()
    encoding_repaired: bool = False
    findings: list[Finding] = field(default_factory=list)

    @property
    def has_errors(self) -> bool:
        return any(f.severity is Severity.ERROR for f in self.findings)


def _jsonable(value: object) -> object:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    return value


def record_as_dict(record: CardRecord) -> dict[str, object]:
    """The record as plain JSON-ready data: every value with its `span` (file, line, raw)."""
    data = asdict(record)
    data["findings"] = [{**asdict(f), "severity": f.severity.value} for f in record.findings]
    return _jsonable(data)  # type: ignore[return-value]
