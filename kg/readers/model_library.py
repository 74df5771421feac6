"""Reader for the Model Library's Markdown card format.

A card is `# Title`, then `## Model Details` (bullets `- Label: value`), `## Description` and
`## Organization` prose. Fields are found by label (case and spacing ignored), never by position, and
each bullet is split on its first `": "` only, since values hold URLs and colons of their own.
Everything the reader cannot normalize becomes a finding at its line instead of a guess.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from kg.readers.markdown import inline, paragraphs
from kg.readers.text import decode_card_bytes
from kg.records import (
    CardRecord,
    DatasetText,
    Field,
    Finding,
    Link,
    OrganizationRef,
    ParameterCount,
    PublicationDate,
    Severity,
    Span,
)

FORMAT = "model-library-markdown"
NOT_SPECIFIED = "not specified"

_CANONICAL = (
    "Name",
    "Model Size",
    "Dataset",
    "Input/Output Format",
    "Research Field",
    "Contains an Impact Assessment",
    "Associated Risks",
    "Date of Publication",
    "Organization",
    "Institution Type",
    "Country/Origin",
    "License",
    "Publication",
)
_LABELS = {
    "name": "name",
    "model size": "model_size",
    "dataset": "dataset",
    "input/output format": "io_formats",
    "research field": "research_fields",
    "contains an impact assessment": "impact_assessment",
    "associated risks": "risks",
    "date of publication": "publication_date",
    "organization": "organization",
    "institution type": "institution_type",
    "country/origin": "country",
    "license": "license",
    "publication": "publication",
}
_REQUIRED = {"name", "organization"}
_SECTIONS = {"model details": "details", "description": "description", "organization": "organization_text"}

_BULLET = re.compile(r"^\s{0,3}[-*+]\s+(.*)$")
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_SIZE = re.compile(r"^(\d+(?:\.\d+)?)\s*([KMBT])?$", re.IGNORECASE)
_RANGE_SEP = re.compile(r"\s*(?:-|–|—|to)\s*", re.IGNORECASE)
_DATE_MDY = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_DATE_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_HAZARD = re.compile("^\u2623\ufe0f?\\s*(.*?)\\s*\u2623\ufe0f?$")
_TRAILING_TYPE = re.compile(r"\s*\(([^()]*)\)\s*$")
_PARENTHESIZED = re.compile(r"^\((.*)\)$")
_MULTIPLIER = {"": 1, "K": 10**3, "M": 10**6, "B": 10**9, "T": 10**12}
_BOOLEAN = {"yes": True, "true": True, "no": False, "false": False}
_VS16 = "\ufe0f"
_ZWJ = "\u200d"


def _norm_label(label: str) -> str:
    return " ".join(label.split()).casefold()


class _Reader:
    """Collects findings while one card's fields are normalized."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.findings: list[Finding] = []

    def finding(self, line: int, severity: Severity, code: str, message: str) -> None:
        self.findings.append(Finding(self.path, line, severity, code, message))

    def span(self, line: int, raw: str) -> Span:
        return Span(self.path, line, raw)

    # -- single values --------------------------------------------------------------------------

    def link(self, line: int, raw: str, what: str) -> Field[Link]:
        text = inline(raw)
        if text.links:
            link = text.links[0]
            self.check_links(line, text.links, what)
        else:
            link = Link(text=raw.strip(), target="", url=None)
        return Field(link, self.span(line, raw))

    def check_links(self, line: int, links: tuple[Link, ...], what: str) -> None:
        for link in links:
            if link.url is None:
                self.finding(
                    line,
                    Severity.WARNING,
                    "invalid-link",
                    f'{what} link "{link.target}" is not an absolute IRI (http://… or https://…); it is kept as text',
                )

    def name(self, line: int, raw: str) -> tuple[Field[Link], tuple[Field[str], ...]]:
        text = inline(raw)
        if not text.links:
            return Field(Link(raw.strip(), "", None), self.span(line, raw)), ()
        self.check_links(line, text.links[:1], "Name")
        rest = raw[text.first_link_end :]
        badges = tuple(Field(emoji, self.span(line, rest.strip())) for emoji in _emoji_run(rest))
        return Field(text.links[0], self.span(line, raw)), badges

    def model_size(self, line: int, raw: str) -> Field[ParameterCount] | None:
        value = raw.strip()
        if value.casefold() == NOT_SPECIFIED:
            return Field(None, self.span(line, raw))
        parts = _RANGE_SEP.split(value)
        counts = [_parameter_count(p) for p in parts] if len(parts) <= 2 else [None]
        if any(c is None for c in counts) or (len(counts) == 2 and counts[0] > counts[1]):  # type: ignore[operator]
            self.finding(
                line,
                Severity.ERROR,
                "invalid-size",
                f'Model Size "{value}" is not a parameter count: write e.g. "175B", "1.5B", "70M - 20B" '
                'or "Not specified"',
            )
            return None
        low, high = counts[0], counts[-1]
        assert low is not None and high is not None
        return Field(ParameterCount(low, high), self.span(line, raw))

    def publication_date(self, line: int, raw: str) -> Field[PublicationDate] | None:
        value = raw.strip()
        if value.casefold() == NOT_SPECIFIED:
            return Field(None, self.span(line, raw))
        parsed = _parse_date(value)
        if parsed is None:
            self.finding(
                line,
                Severity.ERROR,
                "invalid-date",
                f'Date of Publication "{value}" is not a valid m/d/yyyy date (e.g. 2/24/2019)',
            )
            return None
        if parsed.ambiguous:
            self.finding(
                line,
                Severity.WARNING,
                "ambiguous-date",
                f'Date of Publication "{value}" could be read as m/d or d/m; read as m/d '
                f"({parsed.date.isoformat()}) like the rest of the Model Library",
            )
        return Field(parsed, self.span(line, raw))

    def boolean(self, line: int, raw: str, label: str) -> Field[bool] | None:
        value = _BOOLEAN.get(raw.strip().casefold())
        if value is None:
            self.finding(line, Severity.ERROR, "invalid-boolean", f'{label} "{raw.strip()}" must be Yes or No')
            return None
        return Field(value, self.span(line, raw))

    def listing(self, line: int, raw: str, strip_hazard: bool = False) -> tuple[Field[str], ...]:
        value = raw.strip()
        if strip_hazard and (m := _HAZARD.match(value)):
            value = m[1]
        if value.casefold() == NOT_SPECIFIED:
            return ()
        span = self.span(line, raw)
        return tuple(Field(item.strip(), span) for item in value.split(",") if item.strip())

    def text(self, line: int, raw: str) -> Field[str]:
        value = raw.strip()
        return Field(None if value.casefold() == NOT_SPECIFIED else value, self.span(line, raw))

    def dataset(self, line: int, raw: str) -> Field[DatasetText]:
        if raw.strip().casefold() == NOT_SPECIFIED:
            return Field(None, self.span(line, raw))
        text = inline(raw.strip())
        self.check_links(line, text.links, "Dataset")
        return Field(DatasetText(" ".join(text.plain.split()), text.links), self.span(line, raw))

    def organization(self, line: int, raw: str) -> Field[OrganizationRef]:
        value = raw.strip()
        text = inline(value)
        type_label = None
        if text.links:
            rest = value[text.first_link_end :].strip()
            if m := _PARENTHESIZED.match(rest):
                type_label = m[1].strip() or None
            self.check_links(line, text.links[:1], "Organization")
            ref = OrganizationRef(text.links[0].text.strip(), text.links[0], type_label)
        else:
            if (m := _TRAILING_TYPE.search(value)) and m.start() > 0:
                type_label, value = m[1].strip() or None, value[: m.start()].rstrip()
            ref = OrganizationRef(value, None, type_label)
        return Field(ref, self.span(line, raw))


def _emoji_run(text: str) -> list[str]:
    """Split a run of emoji into single emoji, dropping U+FE0F and keeping ZWJ sequences whole."""
    emoji: list[str] = []
    joined = False
    for char in text.replace(_VS16, ""):
        if char.isspace():
            continue
        if char == _ZWJ:
            joined = bool(emoji)
            if joined:
                emoji[-1] += char
            continue
        if joined:
            emoji[-1] += char
            joined = False
        else:
            emoji.append(char)
    return emoji


def _parameter_count(text: str) -> int | None:
    match = _SIZE.match(text.strip())
    if not match:
        return None
    try:
        count = Decimal(match[1]) * _MULTIPLIER[(match[2] or "").upper()]
    except InvalidOperation:
        return None
    return int(count) if count == count.to_integral_value() else None


def _parse_date(value: str) -> PublicationDate | None:
    if m := _DATE_MDY.match(value):
        month, day, year = int(m[1]), int(m[2]), int(m[3])
        ambiguous = month <= 12 and day <= 12 and month != day
    elif m := _DATE_ISO.match(value):
        year, month, day = int(m[1]), int(m[2]), int(m[3])
        ambiguous = False
    else:
        return None
    try:
        return PublicationDate(dt.date(year, month, day), ambiguous)
    except ValueError:
        return None


def read_model_library_card(path: str, data: bytes, sha256: str) -> CardRecord:
    """Read one card from its bytes. Never raises for bad content: problems become findings."""
    reader = _Reader(path)
    decoded = decode_card_bytes(data)  # UndecodableError is the caller's to report
    lines = decoded.lines
    title: Field[str] = Field(None, Span(path, 1, ""))
    sections: dict[str, list[tuple[int, str]]] = {}
    current: str | None = None
    for number, line in enumerate(lines, start=1):
        heading = _HEADING.match(line)
        if heading and len(heading[1]) == 1 and title.value is None:
            title = Field(heading[2], Span(path, number, heading[2]))
            current = None
        elif heading and len(heading[1]) == 2:
            current = _SECTIONS.get(_norm_label(heading[2]))
            if current is None:
                reader.finding(
                    number, Severity.WARNING, "unknown-section", f'unknown section "{heading[2]}" is ignored'
                )
            elif current in sections:
                reader.finding(number, Severity.ERROR, "duplicate-section", f'section "{heading[2]}" appears twice')
            sections.setdefault(current or "", [])
        elif current:
            sections[current].append((number, line))

    record = CardRecord(path=path, sha256=sha256, format=FORMAT, title=title, encoding_repaired=False)
    if decoded.repaired_line is not None:
        record.encoding_repaired = True
        reader.finding(
            decoded.repaired_line,
            Severity.WARNING,
            "encoding-repaired",
            "mis-encoded text (UTF-8 read as cp1252) was repaired; save the card as UTF-8 to silence this",
        )
    if title.value is None or "details" not in sections:
        missing = "a `# Title` line" if title.value is None else "a `## Model Details` section"
        reader.finding(1, Severity.ERROR, "not-a-card", f"not a Model Library card: it has no {missing}")
        record.findings = reader.findings
        return record

    _read_details(reader, record, sections["details"])
    for key, attr in (("description", "description"), ("organization_text", "organization_description")):
        rows = sections.get(key, [])
        if rows:
            texts = paragraphs([r[1] for r in rows], rows[0][0])
            setattr(record, attr, tuple(Field(t, Span(path, n, t)) for n, t in texts))
    record.findings = sorted(reader.findings, key=lambda f: f.line)
    return record


def _read_details(reader: _Reader, record: CardRecord, rows: list[tuple[int, str]]) -> None:
    bullets: list[tuple[int, str]] = []
    for number, line in rows:
        if m := _BULLET.match(line):
            bullets.append((number, m[1]))
        elif line.strip() and bullets:  # lazy continuation of the previous bullet
            bullets[-1] = (bullets[-1][0], bullets[-1][1] + " " + line.strip())
    seen: dict[str, int] = {}
    institution_type: tuple[int, str] | None = None
    handlers: dict[str, Callable[[int, str], Any]] = {
        "model_size": reader.model_size,
        "dataset": reader.dataset,
        "io_formats": reader.listing,
        "research_fields": reader.listing,
        "impact_assessment": lambda n, v: reader.boolean(n, v, "Contains an Impact Assessment"),
        "risks": lambda n, v: reader.listing(n, v, strip_hazard=True),
        "publication_date": reader.publication_date,
        "organization": reader.organization,
        "country": reader.text,
        "license": reader.text,
        "publication": lambda n, v: reader.link(n, v, "Publication"),
    }
    for number, bullet in bullets:
        label, sep, raw = bullet.partition(": ")
        if not sep and bullet.rstrip().endswith(":"):
            label, raw = bullet.rstrip()[:-1], ""
        key = _LABELS.get(_norm_label(label))
        if key is None:
            reader.finding(number, Severity.WARNING, "unknown-field", f'unknown field "{label.strip()}" is ignored')
            continue
        if key in seen:
            first = seen[key]
            reader.finding(
                number,
                Severity.ERROR,
                "duplicate-field",
                f'field "{label.strip()}" appears twice (first on line {first})',
            )
            continue
        seen[key] = number
        if key == "name":
            record.name, record.modality_badges = reader.name(number, raw)
        elif key == "institution_type":
            institution_type = (number, raw.strip())
        else:
            setattr(record, key, handlers[key](number, raw))
    _apply_institution_type(reader, record, institution_type)
    for key in _LABELS.values():
        if key not in seen and key != "institution_type":
            label = next(lbl for lbl in _CANONICAL if _LABELS[_norm_label(lbl)] == key)
            severity = Severity.ERROR if key in _REQUIRED else Severity.WARNING
            line = rows[0][0] - 1 if rows else 1
            reader.finding(line, severity, "missing-field", f'Model Details has no "{label}" field')


def _apply_institution_type(reader: _Reader, record: CardRecord, line_value: tuple[int, str] | None) -> None:
    """An `Institution Type:` line gives the type when the Organization has no `(Type)` of its own."""
    if line_value is None or record.organization is None or record.organization.value is None:
        return
    number, value = line_value
    org = record.organization.value
    if org.type_label is None:
        record.organization = Field(OrganizationRef(org.name, org.link, value or None), record.organization.span)
    elif org.type_label.casefold() != value.casefold():
        reader.finding(
            number,
            Severity.WARNING,
            "conflicting-type",
            f'Institution Type "{value}" differs from the type "{org.type_label}" given with the Organization',
        )
