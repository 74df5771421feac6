"""The bundled queries: named, documented SPARQL files answering what analysts ask of model cards.

Each `NAME.rq` in this folder starts with `# title:` and `# description:` comment lines; `kg query NAME`
runs it and `kg query --list` shows them. The prefixes of `kg.namespaces.PREFIXES` are predeclared.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

FOLDER = Path(__file__).resolve().parent


@dataclass(frozen=True, slots=True)
class BundledQuery:
    name: str
    title: str
    description: str
    text: str
    path: Path


def _headers(text: str) -> dict[str, str]:
    """The leading `# key: value` comment lines; a `#` line without a key continues the previous value."""
    fields: dict[str, str] = {}
    key = None
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        body = line[1:].strip()
        name, colon, value = body.partition(":")
        if colon and name.isidentifier():
            key, fields[name] = name, value.strip()
        elif key and body:
            fields[key] += " " + body
    return fields


@cache
def bundled_queries() -> dict[str, BundledQuery]:
    """All bundled queries by name (the file name without `.rq`), in name order."""
    found: dict[str, BundledQuery] = {}
    for path in sorted(FOLDER.glob("*.rq")):
        text = path.read_text(encoding="utf-8")
        fields = _headers(text)
        title, description = fields.get("title", path.stem), fields.get("description", "")
        found[path.stem] = BundledQuery(path.stem, title, description, text, path)
    return found
