"""Knowledge graphs from AI model cards: read, map to RDF, validate, query and serve.

The command line (`kg …`) is a thin face over these functions, so a notebook gets the same results:

    >>> import kg
    >>> result = kg.build(["cards/"], "out/")
    >>> records = kg.parse(["cards/GPT-2.md"])
    >>> report = kg.validate(["cards/"])
    >>> site = kg.publish("out/site", "out/store")        # `kg publish --static out/site`
"""

from kg.build import BuildResult, Status, build
from kg.pages.static import PublishResult
from kg.pages.static import publish_static as publish
from kg.query import query
from kg.readers import parse, read_card
from kg.validation import ValidationReport, validate
from kg.version import __version__

__all__ = [
    "BuildResult",
    "PublishResult",
    "Status",
    "ValidationReport",
    "__version__",
    "build",
    "parse",
    "publish",
    "query",
    "read_card",
    "validate",
]
