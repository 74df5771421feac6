"""Card text made safe to show, and values said in plain language.

Descriptions in the cards are Markdown written by anyone. They are rendered by markdown-it-py with raw HTML
off (tags come out as text), images off (a page must not load anything from elsewhere), headings off (a
card's `#` must not break the page's outline) and only http(s) links kept: `javascript:`, `data:` and
relative targets stay visible as the Markdown text they were. Every other value goes through Jinja's
autoescaping; the Markdown renderer is the one place that produces markup from card text.
"""

from __future__ import annotations

import datetime
from functools import cache

import pycountry
from markdown_it import MarkdownIt
from markupsafe import Markup

WEB_SCHEMES = ("http://", "https://")


def web_url(value: str) -> str | None:
    """`value` when it is an http(s) address (the only links from cards a page shows), else None."""
    return value if value[:8].lower().startswith(WEB_SCHEMES) and not any(c.isspace() for c in value) else None


@cache
def _markdown() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.disable(["image", "heading", "lheading", "html_block", "html_inline"])
    md.validateLink = lambda url: web_url(url.strip()) is not None  # type: ignore[method-assign]
    return md


def markdown(text: str) -> Markup:
    """Card Markdown as safe HTML: paragraphs, emphasis, lists, code and http(s) links, nothing else."""
    return Markup(_markdown().render(text))


def plain(text: str) -> str:
    """Card Markdown reduced to its text (for summaries and JSON): link targets and markers dropped."""
    tokens = _markdown().parseInline(text.replace("\n\n", " "))
    parts = [child.content for token in tokens for child in (token.children or []) if child.type == "text"]
    return " ".join("".join(parts).split())


def parameters(count: int) -> str:
    """1500000000 → "1.5 billion"."""
    for size, word in ((10**12, "trillion"), (10**9, "billion"), (10**6, "million"), (10**3, "thousand")):
        if count >= size:
            value = f"{count / size:.1f}".removesuffix(".0")
            return f"{value} {word}"
    return f"{count:,}"


def long_date(value: str) -> str:
    """2019-02-24 → "24 February 2019" (the text as it is when it is not an ISO date)."""
    try:
        day = datetime.date.fromisoformat(value)
    except ValueError:
        return value
    return f"{day.day} {day:%B %Y}"


def country(code: str) -> str:
    """ISO 3166-1 alpha-2 code → the country's common name (the code when unknown)."""
    found = pycountry.countries.get(alpha_2=code.upper())
    if found is None:
        return code
    return getattr(found, "common_name", None) or found.name


def plural(n: int, noun: str, nouns: str | None = None) -> str:
    return f"{n:,} {noun if n == 1 else nouns or noun + 's'}"
