"""Knowledge graphs from AI model cards: read, map to RDF, validate, query and serve.

The command line (`kg …`) is a thin face over these functions, so a notebook gets the same results:

    >>> import kg
    >>> result = kg.build(["cards/"], "out/")
    >>> records = kg.parse(["cards/GPT-2.md"])
"""

from kg.build import BuildResult, Status, build
from kg.readers import parse, read_card
from kg.version import __version__

__all__ = ["BuildResult", "Status", "__version__", "build", "parse", "read_card"]
