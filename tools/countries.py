"""Write `ontology/countries.ttl`: every ISO 3166-1 country linked to its Wikidata item.

    npm pack @rapideditor/country-coder@5.6.1 && tar xzf rapideditor-country-coder-5.6.1.tgz
    python tools/countries.py package/src/data/borders.json -o ontology/countries.ttl

The Wikidata items come from `src/data/borders.json` of the npm package `@rapideditor/country-coder` (ISC
licence, maintained for OpenStreetMap's iD editor): each feature carries its ISO 3166-1 alpha-2 code
(`iso1A2`) and its Wikidata item (`wikidata`). The list of countries and their names come from pycountry,
the package `kg.linkouts` already resolves card text with, so the table covers exactly the codes the build
can emit. Features whose code pycountry does not list (EU, UN, XK…) are skipped; a pycountry code that the
file does not cover is an error, unless `--partial` is given.

For each code XX the file says, about the DPV location concept `loc:XX` (https://w3id.org/dpv/loc#XX):
`skos:notation "XX"`, `rdfs:label` (pycountry's name, @en) and `skos:exactMatch wd:Qnnn`. The name is an
`rdfs:label`, not a `skos:prefLabel`: DPV owns the concept and gives it its own English prefLabel, and SKOS
allows one per language (integrity condition S14). A header (`https://w3id.org/mckg/countries`) names the
source, its licence and how to regenerate the file.

The output is deterministic: triples are sorted and serialized by Oxigraph, the header's dates are kept from
the previous file when the table has not changed (so a rerun is byte-identical), and the file is replaced
atomically. The package version, name, licence and copyright line are read from the unpacked package
(`package.json` and `LICENSE.md`, two folders above `src/data/borders.json`), never typed in.
"""

from __future__ import annotations

import argparse
import datetime
import importlib.metadata
import json
import re
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pycountry
import pyoxigraph as ox

from kg.export import write_atomically
from kg.namespaces import DCTERMS, LOC, OWL, PREFIXES, RDF, RDFS, SKOS, SPDX, VOCAB, XSD

PACKAGE = "@rapideditor/country-coder"
LICENSE = "ISC"
WIKIDATA = "http://www.wikidata.org/entity/"
HEADER = VOCAB + "countries"
CREATOR = "The mckg contributors"
QID = re.compile(r"Q[1-9][0-9]*")


class SourceError(ValueError):
    """The input is not what this script can turn into a faithful table."""


@dataclass(frozen=True, slots=True)
class Source:
    """The npm package the table is read from."""

    name: str
    version: str
    license: str
    copyright: str

    @property
    def page(self) -> str:
        return f"https://www.npmjs.com/package/{self.name}/v/{self.version}"


@dataclass(frozen=True, slots=True)
class Country:
    code: str
    name: str
    wikidata: str
    """The Wikidata item's IRI (`http://www.wikidata.org/entity/Q30`)."""


def read_source(borders: Path) -> Source:
    """Name, version, licence and copyright of the package that holds `borders` (at src/data/borders.json)."""
    root = borders.resolve().parent.parent.parent
    try:
        meta = json.loads((root / "package.json").read_text(encoding="utf-8"))
        notice = (root / "LICENSE.md").read_text(encoding="utf-8")
    except FileNotFoundError as error:
        raise SourceError(
            f"{borders}: expected the borders.json of an unpacked {PACKAGE} package "
            f"(package/src/data/borders.json, with package.json and LICENSE.md): {error.filename} is missing"
        ) from error
    if meta.get("name") != PACKAGE or meta.get("license") != LICENSE:
        raise SourceError(f"{root / 'package.json'}: expected {PACKAGE} under the {LICENSE} licence, found {meta}")
    copyright_lines = [line.strip() for line in notice.splitlines() if line.strip().startswith("Copyright")]
    if len(copyright_lines) != 1:
        raise SourceError(f"{root / 'LICENSE.md'}: expected one Copyright line, found {len(copyright_lines)}")
    return Source(PACKAGE, str(meta["version"]), LICENSE, copyright_lines[0])


def read_countries(borders: Path, *, partial: bool = False) -> list[Country]:
    """One `Country` per ISO 3166-1 code pycountry knows that a feature of `borders` gives a Wikidata item."""
    features = json.loads(borders.read_text(encoding="utf-8"))["features"]
    names = {c.alpha_2: c.name for c in pycountry.countries}
    items: dict[str, str] = {}
    for feature in features:
        properties = feature.get("properties", {})
        code, item = properties.get("iso1A2"), properties.get("wikidata")
        if code not in names:
            continue  # not an ISO 3166-1 country for pycountry: EU, UN, XK, or a feature with no code
        if not isinstance(item, str) or not QID.fullmatch(item):
            raise SourceError(f"{borders}: {code} has the Wikidata item {item!r}, not a Q-number")
        if items.setdefault(code, item) != item:
            raise SourceError(f"{borders}: {code} is given two Wikidata items, {items[code]} and {item}")
    missing = sorted(set(names) - set(items))
    if missing and not partial:
        raise SourceError(f"{borders}: no Wikidata item for {len(missing)} ISO 3166-1 codes: {', '.join(missing)}")
    return [Country(code, names[code], WIKIDATA + items[code]) for code in sorted(items)]


def _pycountry_version() -> str:
    return importlib.metadata.version("pycountry")


def _n(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


def _date(day: datetime.date) -> ox.Literal:
    return ox.Literal(day.isoformat(), datatype=_n(XSD + "date"))


def triples(
    countries: Iterable[Country], source: Source, created: datetime.date, modified: datetime.date
) -> list[ox.Triple]:
    """The header and three triples per country."""
    header = _n(HEADER)
    regenerate = (
        f"npm pack {source.name}@{source.version} && tar xzf {source.name[1:].replace('/', '-')}-{source.version}.tgz"
        " && python tools/countries.py package/src/data/borders.json -o ontology/countries.ttl"
    )
    comment = (
        f"For each ISO 3166-1 alpha-2 code known to pycountry {_pycountry_version()}, the DPV location concept "
        "loc:XX with its code (skos:notation), its ISO 3166 name from pycountry (rdfs:label) and its Wikidata "
        f"item (skos:exactMatch), read from the iso1A2 and wikidata properties of src/data/borders.json in "
        f"{source.name} {source.version}. Generated by tools/countries.py: do not edit, regenerate with "
        f"`{regenerate}`."
    )
    out = [
        ox.Triple(header, _n(RDF + "type"), _n(OWL + "Ontology")),
        ox.Triple(header, _n(DCTERMS + "title"), ox.Literal("ISO 3166-1 countries linked to Wikidata", language="en")),
        ox.Triple(header, _n(RDFS + "comment"), ox.Literal(comment, language="en")),
        ox.Triple(header, _n(DCTERMS + "source"), _n(source.page)),
        ox.Triple(header, _n(DCTERMS + "license"), _n(SPDX + source.license)),
        ox.Triple(header, _n(DCTERMS + "rights"), ox.Literal(f"{source.copyright} ({source.license} licence)")),
        ox.Triple(header, _n(DCTERMS + "creator"), ox.Literal(CREATOR)),
        ox.Triple(header, _n(DCTERMS + "created"), _date(created)),
        ox.Triple(header, _n(DCTERMS + "modified"), _date(modified)),
        ox.Triple(header, _n(OWL + "versionIRI"), _n(f"{HEADER}/{modified.isoformat()}")),
    ]
    for country in countries:
        concept = _n(LOC + country.code)
        out.append(ox.Triple(concept, _n(SKOS + "notation"), ox.Literal(country.code)))
        out.append(ox.Triple(concept, _n(RDFS + "label"), ox.Literal(country.name, language="en")))
        out.append(ox.Triple(concept, _n(SKOS + "exactMatch"), _n(country.wikidata)))
    return out


def turtle(graph: list[ox.Triple]) -> bytes:
    """Oxigraph's Turtle of sorted triples: the header first, then by subject, `rdf:type` first in each.

    Only the prefixes of `kg.namespaces.PREFIXES` the triples use (datatypes included) are declared.
    """
    order = sorted(
        graph,
        key=lambda t: (
            t.subject.value != HEADER,
            str(t.subject),
            t.predicate.value != RDF + "type",
            str(t.predicate),
            str(t.object),
        ),
    )
    iris = {term.value for t in graph for term in t if isinstance(term, ox.NamedNode)}
    iris |= {t.object.datatype.value for t in graph if isinstance(t.object, ox.Literal)}
    prefixes = {p: ns for p, ns in PREFIXES.items() if any(iri.startswith(ns) for iri in iris)}
    return ox.serialize(order, format=ox.RdfFormat.TURTLE, prefixes=prefixes)


def render(countries: Sequence[Country], source: Source, created: datetime.date, modified: datetime.date) -> bytes:
    """The whole file, as bytes."""
    return turtle(triples(countries, source, created, modified))


def previous_dates(path: Path) -> tuple[datetime.date, datetime.date] | None:
    """dct:created and dct:modified of the header of an earlier output, if there is a readable one."""
    try:
        found = {
            t.predicate.value: t.object.value
            for t in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE)
            if t.subject == _n(HEADER) and t.predicate.value in (DCTERMS + "created", DCTERMS + "modified")
        }
        return (
            datetime.date.fromisoformat(found[DCTERMS + "created"]),
            datetime.date.fromisoformat(found[DCTERMS + "modified"]),
        )
    except (OSError, SyntaxError, KeyError, ValueError):
        return None


def generate(borders: Path, out: Path, today: datetime.date, *, partial: bool = False) -> tuple[int, bool]:
    """Write the table for `borders` to `out`; return the number of countries and whether the file changed.

    The dates of an existing `out` are kept when only they would differ, so a rerun rewrites nothing.
    """
    source = read_source(borders)
    countries = read_countries(borders, partial=partial)
    created = modified = today
    previous = previous_dates(out)
    if previous is not None:
        created, modified = previous
        if render(countries, source, created, modified) == out.read_bytes():
            return len(countries), False
    write_atomically(out.parent, {out.name: render(countries, source, created, today)})
    return len(countries), True


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("borders", type=Path, help="src/data/borders.json of an unpacked @rapideditor/country-coder")
    parser.add_argument("-o", "--out", type=Path, required=True, help="the Turtle file to write")
    parser.add_argument("--date", type=datetime.date.fromisoformat, help="today, for dct:modified (YYYY-MM-DD)")
    parser.add_argument("--partial", action="store_true", help="allow ISO 3166-1 codes with no Wikidata item")
    args = parser.parse_args(argv)
    today = args.date or datetime.datetime.now(datetime.UTC).date()
    try:
        count, changed = generate(args.borders, args.out, today, partial=args.partial)
    except (OSError, SourceError, json.JSONDecodeError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(f"{'wrote' if changed else 'unchanged:'} {args.out} ({count} countries)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
