"""The IRI minting rule: `BASE + kind + "/" + slug`.

The slug of a text is its case-folded form with accents removed and every run of characters that are not
letters or digits replaced by one hyphen ("OpenAI Inc." → "openai-inc", "DALL-E 2" → "dall-e-2").
Letters outside ASCII are kept (IRIs allow them). A text with no letter or digit gets the slug "x-" plus
the first 12 hex digits of its SHA-256, so it is stable too. The rule depends on nothing but the text and
the base, so IRIs are the same across runs, machines and incremental builds.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

import pyoxigraph as ox

_NON_ALNUM = re.compile(r"[\W_]+", re.UNICODE)


def slug(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    result = _NON_ALNUM.sub("-", stripped).strip("-")
    return result or "x-" + hashlib.sha256(text.encode()).hexdigest()[:12]


class Minter:
    """Mints data IRIs under one base IRI."""

    def __init__(self, base: str) -> None:
        if not base.endswith(("/", "#")):
            raise ValueError(f'base IRI "{base}" must end with "/" or "#"')
        ox.NamedNode(base)  # raises ValueError when the base is not an absolute IRI
        self.base = base

    def iri(self, kind: str, text: str) -> ox.NamedNode:
        return ox.NamedNode(f"{self.base}{kind}/{slug(text)}")

    def model(self, title: str) -> ox.NamedNode:
        return self.iri("model", title)

    def card(self, title: str) -> ox.NamedNode:
        return self.iri("card", title)

    def organization(self, name: str) -> ox.NamedNode:
        return self.iri("organization", name)

    def dataset(self, name: str) -> ox.NamedNode:
        return self.iri("dataset", name)

    def publication(self, title: str) -> ox.NamedNode:
        return self.iri("publication", title)

    def license(self, name: str) -> ox.NamedNode:
        return self.iri("license", name)

    def build(self, version: str) -> ox.NamedNode:
        return self.iri("build", "kg-" + version)
