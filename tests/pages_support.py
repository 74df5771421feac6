"""What the page tests share: the corpus built once, its static export, and an HTML reader.

The corpus is the 35 Model Library cards of the shared corpus (Claude 3, the Library's template card, is
left out: its placeholders are errors). Built and exported once per test run, in temporary folders.
"""

from __future__ import annotations

import atexit
import functools
import shutil
import tempfile
from html.parser import HTMLParser
from pathlib import Path

import kg
from kg.pages.static import PublishResult, publish_static

from .conftest import ML_CARDS, require

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


def _temporary(prefix: str) -> Path:
    folder = Path(tempfile.mkdtemp(prefix=prefix))
    atexit.register(shutil.rmtree, folder, True)
    return folder


def corpus_paths() -> list[Path]:
    return [p for p in sorted(require(ML_CARDS).glob("*.md")) if p.name != "Claude 3.md"]


@functools.cache
def corpus_out() -> Path:
    """`kg.build` of the corpus (with validation, so `validation.ttl` is there), once per run."""
    out = _temporary("kg-pages-corpus-")
    result = kg.build(corpus_paths(), out, model_documents=False)
    assert result.status is kg.Status.OK, [str(f) for f in result.errors]
    return out


@functools.cache
def corpus_site() -> tuple[Path, PublishResult]:
    """The static export of the corpus, once per run."""
    folder = _temporary("kg-pages-site-") / "site"
    return folder, publish_static(folder, corpus_out() / "store")


class Html(HTMLParser):
    """A page read back: tags with attributes, ids, links, text per element id, nesting errors."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.ids: list[str] = []
        self.links: list[tuple[str, str]] = []
        self.errors: list[str] = []
        self.text: list[str] = []
        self.by_id: dict[str, list[str]] = {}
        self.stack: list[tuple[str, str | None]] = []
        self.feed(text)
        self.close()
        if self.stack:
            self.errors.append(f"unclosed: {self.stack}")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        self.tags.append((tag, attributes))
        for name in ("href", "src", "action", "data", "srcset", "poster"):
            if attributes.get(name) is not None:
                self.links.append((f"{tag}.{name}", attributes[name] or ""))
        element_id = attributes.get("id")
        if element_id is not None:
            if element_id in self.by_id:
                self.errors.append(f"duplicate id {element_id!r}")
            self.ids.append(element_id)
            self.by_id[element_id] = []
        if tag not in VOID:
            self.stack.append((tag, element_id))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.stack.pop()

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1][0] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1:]}")
            return
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        for _, element_id in self.stack:
            if element_id is not None:
                self.by_id[element_id].append(data)

    def find(self, tag: str) -> list[dict[str, str | None]]:
        return [attributes for name, attributes in self.tags if name == tag]

    @property
    def plain(self) -> str:
        return " ".join("".join(self.text).split())

    def section(self, element_id: str) -> str:
        return " ".join("".join(self.by_id.get(element_id, [])).split())
