"""Where the project's own ontology and shapes are, installed or in a checkout.

A wheel carries them as `kg/_data/…`; an editable install or a checkout reads the top-level folders.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


@cache
def data_dir(name: str) -> Path:
    """The folder `ontology` or `shapes`."""
    for candidate in (_PACKAGE / "_data" / name, _PACKAGE.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"the project's {name}/ folder is missing: reinstall the package")
