"""The two pieces of Markdown syntax card values use: inline links and paragraphs.

A general Markdown parser costs about 1.7 ms a card, 30 times the rest of the reader, so links are
matched by the CommonMark inline-link grammar restricted to what cards contain (balanced parentheses one
level deep, optional `<…>` destination and title). The test suite checks this against markdown-it-py,
a full CommonMark parser, on every value of the corpus.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import pyoxigraph

from kg.records import Link

_LINK = re.compile(
    r"\[(?P<text>(?:[^\[\]\\]|\\.)*)\]"
    r"\(\s*(?P<dest><[^<>\n]*>|(?:[^\s()\\]|\\.|\((?:[^\s()\\]|\\.)*\))*)"
    r"(?:\s+\"(?:[^\"\\]|\\.)*\")?\s*\)"
)
_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")


def _unescape(text: str) -> str:
    return _ESCAPE.sub(r"\1", text)


def absolute_iri(target: str) -> str | None:
    """Return `target` if it is a valid absolute IRI (checked by Oxigraph's RFC 3987 parser), else None."""
    if not target:
        return None
    try:
        pyoxigraph.NamedNode(target)
    except ValueError:
        return None
    return target


def make_link(text: str, target: str) -> Link:
    return Link(text=text, target=target, url=absolute_iri(target))


@dataclass(frozen=True, slots=True)
class InlineText:
    """A value with its links: `plain` is the text with each link replaced by its label."""

    plain: str
    links: tuple[Link, ...]
    first_link_end: int
    """Offset in the source just after the first link, or -1 when there is none."""


def inline(value: str) -> InlineText:
    """Find the inline links of a value."""
    links: list[Link] = []
    parts: list[str] = []
    pos = 0
    first_end = -1
    for match in _LINK.finditer(value):
        dest = match["dest"]
        if dest.startswith("<"):
            dest = dest[1:-1]
        label = _unescape(match["text"])
        links.append(make_link(label, _unescape(dest)))
        parts.append(value[pos : match.start()])
        parts.append(label)
        pos = match.end()
        if first_end < 0:
            first_end = pos
    parts.append(value[pos:])
    return InlineText("".join(parts), tuple(links), first_end)


def paragraphs(lines: list[str], first_line: int) -> Iterator[tuple[int, str]]:
    """Yield (1-based line, text) per paragraph. Blank or whitespace-only lines separate paragraphs."""
    start = 0
    buf: list[str] = []
    for offset, line in enumerate(lines):
        if line.strip():
            if not buf:
                start = first_line + offset
            buf.append(line.strip())
        elif buf:
            yield start, " ".join(buf)
            buf = []
    if buf:
        yield start, " ".join(buf)
