"""What a query may do, decided on its parse tree: read the local store, nothing else.

Both SPARQL engines we ship execute `SERVICE` over the network with no timeout, rdflib loads `FROM`
graphs from the web, and an update could change the store, so a query is checked before it runs:

1. `precheck` (cheap, before any parsing): text size and bracket nesting depth. Deep nesting crashes
   pyoxigraph (stack overflow, ~5,000 levels) and exhausts rdflib's recursion limit (~30 levels).
2. `check` parses the text with rdflib's SPARQL parser and refuses updates (`LOAD`, `INSERT`, ...) and
   `SERVICE` anywhere in the tree; it returns the `FROM`/`FROM NAMED` graphs for the runner to check
   against the store. A regex would miss `\\u0053ERVICE` (SPARQL expands code-point escapes first) or
   catch `"SERVICE"` in a string literal; the parse tree does neither.

rdflib's grammar is the gate: a query it cannot parse is refused even if Oxigraph could run it
(SPARQL-star, Oxigraph's extensions). `check` may be slow on large inputs; call it under a deadline.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

MAX_QUERY_BYTES: Final = 64 * 1024
"""Largest accepted query text, in UTF-8 bytes."""
MAX_NESTING: Final = 64
"""Deepest accepted nesting of `{}`, `()` and `[]` together."""

_UPDATE_NAMES: Final = {
    "Load": "LOAD",
    "Clear": "CLEAR",
    "Drop": "DROP",
    "Create": "CREATE",
    "Add": "ADD",
    "Move": "MOVE",
    "Copy": "COPY",
    "InsertData": "INSERT DATA",
    "DeleteData": "DELETE DATA",
    "DeleteWhere": "DELETE WHERE",
    "Modify": "DELETE/INSERT",
}
_KINDS: Final = {"SelectQuery": "select", "AskQuery": "ask", "ConstructQuery": "construct", "DescribeQuery": "describe"}


class QueryError(Exception):
    """A query that was not answered; the message says why and is meant for the user."""


class QueryRefused(QueryError):
    """The query asks for something `kg query` never does (updates, SERVICE, remote graphs, huge input)."""


class QueryTimeout(QueryError):
    """The query ran past its deadline and was stopped."""


class QuerySyntaxError(QueryError):
    """The text is not SPARQL; `line` and `column` are 1-based positions in the user's text."""

    def __init__(self, message: str, line: int, column: int, source_line: str = "") -> None:
        self.reason, self.line, self.column, self.source_line = message, line, column, source_line
        super().__init__(f"syntax error at line {line}, column {column}: {message}")

    def excerpt(self) -> str:
        """The offending line with a caret under the column, for terminals."""
        if not self.source_line:
            return ""
        gutter = f"{self.line:>5} | "
        return f"{gutter}{self.source_line}\n{' ' * (len(gutter) - 2)}| {' ' * (self.column - 1)}^"


@dataclass(frozen=True, slots=True)
class Checked:
    """What the runner needs from an accepted query."""

    kind: str  # "select", "ask", "construct" or "describe"
    from_graphs: list[str] = field(default_factory=list)
    from_named: list[str] = field(default_factory=list)


def precheck(text: str) -> None:
    """Refuse oversized or deeply nested text before any parser sees it."""
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > MAX_QUERY_BYTES:
        raise QueryRefused(f"query refused: {size:,} bytes is over the {MAX_QUERY_BYTES:,}-byte limit")
    if not text.strip():
        raise QueryRefused("empty query")
    depth = nesting_depth(_expand_escapes(text))
    if depth > MAX_NESTING:
        raise QueryRefused(f"query refused: brackets nested {depth} deep, over the limit of {MAX_NESTING}")


def _expand_escapes(text: str) -> str:
    """Expand \\uXXXX and \\UXXXXXXXX as SPARQL parsers do before parsing (an escaped brace is a brace)."""
    if "\\u" not in text and "\\U" not in text:
        return text
    from rdflib.plugins.sparql.parser import expandUnicodeEscapes

    try:
        return expandUnicodeEscapes(text)
    except ValueError as err:
        raise QueryRefused(f"query refused: {err}") from None


def nesting_depth(text: str) -> int:
    """Deepest nesting of (), {} and [] outside strings, IRIs and comments; linear, no recursion."""
    depth = deepest = 0
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c in "({[":
            depth += 1
            deepest = max(deepest, depth)
        elif c in ")}]":
            depth = max(depth - 1, 0)
        elif c == "#":
            end = text.find("\n", i)
            i = n if end < 0 else end
        elif c in "'\"":
            i = _skip_string(text, i)
            continue
        elif c == "<":
            i = _skip_iri(text, i)
            continue
        i += 1
    return deepest


def _skip_string(text: str, i: int) -> int:
    """Index just past the string literal starting at `i` ('...', "...", '''...''' or \"\"\"...\"\"\")."""
    quote = text[i]
    delimiter = quote * 3 if text.startswith(quote * 3, i) else quote
    j = i + len(delimiter)
    while j < len(text):
        if text[j] == "\\":
            j += 2
            continue
        if text.startswith(delimiter, j):
            return j + len(delimiter)
        if len(delimiter) == 1 and text[j] == "\n":  # short strings end at the line; the parser will complain
            return j
        j += 1
    return j


def _skip_iri(text: str, i: int) -> int:
    """Index past an IRIREF starting at `i`, or i + 1 when this `<` is a comparison operator."""
    j = i + 1
    while j < len(text) and text[j] not in '<>"{}|^`\\' and ord(text[j]) > 0x20:
        j += 1
    return j + 1 if j < len(text) and text[j] == ">" else i + 1


def check(text: str) -> Checked:
    """Parse `text` and return what it reads, or raise QueryRefused / QuerySyntaxError."""
    from pyparsing import ParseException
    from rdflib.plugins.sparql.parser import parseQuery

    try:
        tree = parseQuery(text)
    except ParseException as query_error:
        _refuse_update(text)
        raise _syntax_error(query_error) from None
    except RecursionError:
        raise QueryRefused("query refused: too deeply nested for the SPARQL parser") from None
    from_graphs: list[str] = []
    from_named: list[str] = []
    for node in _walk(tree):
        name = getattr(node, "name", None)
        if name == "ServiceGraphPattern":
            raise QueryRefused(
                f"query refused: SERVICE <{node.get('term')}> would query a remote endpoint; "
                "kg query only reads the local store"
            )
        if name == "DatasetClause":
            if "default" in node:  # CompValue.get returns the key itself when it is missing
                from_graphs.append(str(node["default"]))
            if "named" in node:
                from_named.append(str(node["named"]))
    return Checked(_KINDS[tree[1].name], from_graphs, from_named)


def _refuse_update(text: str) -> None:
    """Refuse text that parses as an update; anything else that is not a query is a syntax error."""
    from pyparsing import ParseException
    from rdflib.plugins.sparql.parser import parseUpdate

    try:
        update = parseUpdate(text)
    except (ParseException, RecursionError):
        return
    operations = [_UPDATE_NAMES.get(op.name, op.name) for op in update.get("request", [])]
    if operations:
        raise QueryRefused(f"query refused: {', '.join(operations)} is an update; kg query is read-only")


def _syntax_error(error) -> QuerySyntaxError:
    found = getattr(error, "found", "")
    message = error.msg + (f", found {found}" if found else "")
    return QuerySyntaxError(message, error.lineno, error.col, error.line)


def _walk(tree: object):
    """Every node of an rdflib parse tree (CompValue, ParseResults, lists), iteratively."""
    stack = [tree]
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, dict):
            stack.extend(node.values())
        elif isinstance(node, list | tuple) or type(node).__name__ == "ParseResults":
            stack.extend(node)
