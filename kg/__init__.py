"""Knowledge graphs from AI model cards: read, map, validate, store, serve."""

from kg.readers import parse, read_card

__version__ = "0.1.0"

__all__ = ["__version__", "parse", "read_card"]
