"""Plain HTML pages for resources and descriptions: every value escaped, links only to http(s) IRIs.

Card text reaches these pages (names, descriptions), so nothing is trusted: the template is Jinja2 with
autoescaping on, no value is ever marked safe, and an IRI becomes a link only when its scheme is http or
https (an IRI such as `javascript:alert(1)` is valid RDF and is shown as text). IRIs this server answers
for link to their local path, so the pages can be browsed on a local server. Responses also carry a
Content-Security-Policy that allows no script at all, in case something slips through.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Final

import jinja2
import pyoxigraph as ox

from kg.namespaces import RDF
from kg.query import display

CONTENT_SECURITY_POLICY: Final = (
    "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
_TYPE = RDF + "type"

_TEMPLATE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ title }}</title>
{%- for alt in alternates %}
<link rel="alternate" type="{{ alt.media_type }}" href="{{ alt.href }}">
{%- endfor %}
<style>
body { font: 16px/1.5 system-ui, sans-serif; max-width: 60rem; margin: 1rem auto; padding: 0 1rem; color: #222 }
nav, .iri, .formats, small { color: #666 } .iri { font-family: monospace; word-break: break-all }
table { border-collapse: collapse; width: 100% } th, td { text-align: left; vertical-align: top;
padding: .3rem .5rem; border-top: 1px solid #ddd } th { width: 14rem; font-weight: 600 }
ul { margin: 0; padding: 0; list-style: none } li { white-space: pre-wrap; overflow-wrap: anywhere }
</style>
</head>
<body>
{%- macro cell(c) -%}
{%- if c.href %}<a href="{{ c.href }}">{{ c.text }}</a>{% else %}{{ c.text }}{% endif -%}
{%- if c.note %} <small>{{ c.note }}</small>{% endif -%}
{%- endmacro %}
<nav><a href="/">Dataset</a> · <a href="/sparql">SPARQL endpoint</a></nav>
<h1>{{ title }}</h1>
<p class="iri">{{ iri }}</p>
{%- if alternates %}
<p class="formats">Also as {% for alt in alternates %}<a href="{{ alt.href }}">{{ alt.label }}</a>
{%- if not loop.last %} · {% endif %}{% endfor %}</p>
{%- endif %}
{%- for group in groups %}
<section id="{{ group.anchor }}">
{%- if not loop.first %}
<h2>{{ cell(group.subject) }}</h2>
{%- endif %}
<table>
{%- for row in group.rows %}
<tr><th>{{ cell(row.predicate) }}</th><td><ul>
{%- for value in row.values %}<li>{{ cell(value) }}</li>{% endfor -%}
</ul></td></tr>
{%- endfor %}
</table>
</section>
{%- endfor %}
{%- if incoming %}
<section id="referenced-by">
<h2>Referenced by</h2>
<table>
{%- for row in incoming %}
<tr><th>{{ cell(row.predicate) }}</th><td><ul>
{%- for value in row.values %}<li>{{ cell(value) }}</li>{% endfor -%}
</ul></td></tr>
{%- endfor %}
</table>
{%- if more_incoming %}
<p><small>More references exist: ask the SPARQL endpoint for the rest.</small></p>
{%- endif %}
</section>
{%- endif %}
</body>
</html>
"""

_ENVIRONMENT = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
_PAGE = _ENVIRONMENT.from_string(_TEMPLATE)

Linker = Callable[[str], "str | None"]
"""IRI → the href to use for it, or None when it must not be a link."""


@dataclass(frozen=True, slots=True)
class Cell:
    text: str
    href: str | None = None
    note: str = ""


@dataclass(frozen=True, slots=True)
class Row:
    predicate: Cell
    values: list[Cell]


@dataclass(slots=True)
class Group:
    subject: Cell
    anchor: str
    rows: list[Row] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Alternate:
    label: str
    href: str
    media_type: str


def _anchor(subject: ox.NamedNode | ox.BlankNode, page_iri: str, index: int) -> str:
    if isinstance(subject, ox.BlankNode):
        return f"b-{subject.value}"
    if subject.value.startswith(page_iri + "#"):
        return subject.value[len(page_iri) + 1 :]
    return "main" if subject.value == page_iri else f"s{index}"


class _Cells:
    """Turns terms into cells: labels for IRIs that have one, links by the server's rule."""

    def __init__(self, labels: dict[str, str], link: Linker, anchors: dict[str, str]) -> None:
        self.labels, self.link, self.anchors = labels, link, anchors

    def __call__(self, term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> Cell:
        if isinstance(term, ox.NamedNode):
            return Cell(self.labels.get(term.value) or display(term), self.link(term.value))
        if isinstance(term, ox.BlankNode):
            anchor = self.anchors.get(f"_:{term.value}")
            return Cell(f"_:{term.value}", f"#{anchor}" if anchor else None)
        if isinstance(term, ox.Literal):
            note = f"@{term.language}" if term.language else ""
            if not term.language and term.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
                note = display(term.datatype)
            return Cell(term.value, None, note)
        return Cell(str(term))


def _rows(triples: list[ox.Triple], cells: _Cells, *, by_subject: bool) -> list[Row]:
    """One row per predicate (rdf:type first), values sorted; `by_subject` lists subjects, not objects."""
    values: dict[str, list[ox.Triple]] = {}
    for triple in triples:
        values.setdefault(triple.predicate.value, []).append(triple)
    rows = []
    for predicate in sorted(values, key=lambda p: (p != _TYPE, display(ox.NamedNode(p)))):
        terms = [t.subject if by_subject else t.object for t in values[predicate]]
        shown = sorted((cells(t) for t in terms), key=lambda c: (c.text.casefold(), c.text, c.note))
        rows.append(Row(cells(ox.NamedNode(predicate)), shown))
    return rows


def render_page(
    iri: str,
    triples: list[ox.Triple],
    *,
    labels: dict[str, str],
    link: Linker,
    alternates: list[Alternate],
    incoming: list[ox.Triple] = (),  # type: ignore[assignment]
    more_incoming: bool = False,
) -> bytes:
    """The page of `iri`: its own triples first, then every other subject of `triples` in its section."""
    by_subject: dict[str, list[ox.Triple]] = {}
    subjects: dict[str, ox.NamedNode | ox.BlankNode] = {}
    for triple in triples:
        key = str(triple.subject) if isinstance(triple.subject, ox.BlankNode) else triple.subject.value
        by_subject.setdefault(key, []).append(triple)
        subjects[key] = triple.subject  # type: ignore[assignment]
    order = sorted(subjects, key=lambda k: (k != iri, k.startswith("_:"), k))
    anchors = {key: _anchor(subjects[key], iri, i) for i, key in enumerate(order)}
    cells = _Cells(labels, link, anchors)
    groups = [
        Group(cells(subjects[key]), anchors[key], _rows(by_subject[key], cells, by_subject=False)) for key in order
    ]
    title = labels.get(iri) or display(ox.NamedNode(iri))
    page = _PAGE.render(
        title=title,
        iri=iri,
        alternates=alternates,
        groups=groups,
        incoming=_rows(list(incoming), cells, by_subject=True),
        more_incoming=more_incoming,
    )
    return page.encode("utf-8")
