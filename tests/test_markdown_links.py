"""The reader's inline-link grammar agrees with markdown-it-py, a full CommonMark parser, on real values."""

from __future__ import annotations

from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from kg.readers.markdown import inline

from .conftest import CORPUS, ML_CARDS

MD = MarkdownIt("commonmark")


def _markdown_it_links(value: str) -> list[tuple[str, str]]:
    links, text, href = [], None, None
    for token in MD.parseInline(value)[0].children or []:
        if token.type == "link_open":
            href, text = token.attrs["href"], ""
        elif token.type == "link_close":
            links.append((text, href))
            text = None
        elif text is not None and token.type in ("text", "code_inline"):
            text += token.content
    return links


def _values() -> list[str]:
    files = [*sorted(ML_CARDS.glob("*.md")), CORPUS / "model-library" / "SUBMISSION-TEMPLATE.md"]
    files += sorted((Path(__file__).parent.parent / "cards").glob("*.md"))
    values = []
    for path in files:
        for line in path.read_text(encoding="utf-8").splitlines():
            if "](" in line:
                values.append(line.partition(": ")[2] if line.startswith("- ") else line)
    return values


VALUES = _values()


def test_there_are_many_values_to_compare():
    assert len(VALUES) > 200


@pytest.mark.parametrize("value", VALUES)
def test_links_match_commonmark(value):
    ours = [(link.text, link.target) for link in inline(value).links]
    assert ours == _markdown_it_links(value)


@pytest.mark.parametrize(
    "value",
    [
        "[a](https://en.wikipedia.org/wiki/Diplomacy_(game)) and [b](<https://x.org/a b>)",
        r"[a \[b\]](https://x.org/) [c](https://x.org/p \"title\")",
        "no link [here] (https://x.org/)",
    ],
)
def test_edge_cases_match_commonmark(value):
    ours = [(link.text, link.target) for link in inline(value).links]
    theirs = [(t, h.replace("%20", " ")) for t, h in _markdown_it_links(value)]
    assert ours == theirs
