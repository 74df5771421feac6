"""Readers turn card files into typed records (`kg.records.CardRecord`).

`read_card` never raises for a bad card: an unreadable, empty or foreign file becomes a record whose
findings say why, so one broken file cannot hide the report on the others.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from pathlib import Path

from kg.readers.model_library import FORMAT, read_model_library_card
from kg.readers.text import UndecodableError
from kg.records import CardRecord, Field, Finding, Severity, Span

CARD_SUFFIX = ".md"


def discover(paths: Iterable[str | Path]) -> list[Path]:
    """Expand files and folders (recursively, `*.md`) into a sorted, de-duplicated list of files."""
    found: set[Path] = set()
    for item in paths:
        path = Path(item)
        if path.is_dir():
            found.update(p for p in path.rglob("*" + CARD_SUFFIX) if p.is_file())
        elif path.exists():
            found.add(path)
        else:
            raise FileNotFoundError(f"{path}: no such file or folder")
    return sorted(found, key=lambda p: p.as_posix())


def _unreadable(path: str, sha256: str, line: int, message: str) -> CardRecord:
    record = CardRecord(path=path, sha256=sha256, format=FORMAT, title=Field(None, Span(path, 1, "")))
    record.findings.append(Finding(path, line, Severity.ERROR, "unreadable", message))
    return record


def read_card(path: Path) -> CardRecord:
    """Read one card file."""
    name = str(path)
    try:
        data = path.read_bytes()
    except OSError as err:
        return _unreadable(name, "", 1, f"cannot read the file: {err.strerror or err}")
    sha256 = hashlib.sha256(data).hexdigest()
    if not data.strip():
        return _unreadable(name, sha256, 1, "the file is empty")
    try:
        return read_model_library_card(name, data, sha256)
    except UndecodableError as err:
        return _unreadable(name, sha256, err.line, f"{err}; save the card as UTF-8")


def iter_cards(paths: Iterable[str | Path]) -> Iterator[CardRecord]:
    """Read every card under `paths`, in path order."""
    for path in discover(paths):
        yield read_card(path)


def parse(paths: Iterable[str | Path]) -> list[CardRecord]:
    """Read every card under `paths` (files or folders) into records, sorted by path."""
    return list(iter_cards(paths))
