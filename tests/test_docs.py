"""`kg docs`: the generated site, read back with Python's own HTML parser.

The expectations come from the ontology files (read with rdflib), not from `kg.docs`, so a term the generator
forgets, a link it breaks or a label it fails to escape shows up here.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pytest
import rdflib
from rdflib.namespace import OWL, RDF, RDFS, SKOS

import kg
from kg.docs import generate_docs
from kg.namespaces import MC

from .conftest import ML_CARDS, require

ROOT = Path(__file__).resolve().parents[1]
ONTOLOGY = ROOT / "ontology"
SCHEME_FILES = ("risks.ttl", "organization-types.ttl", "research-fields.ttl", "modalities.ttl")
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
MATCHES = (SKOS.exactMatch, SKOS.closeMatch, SKOS.broadMatch, SKOS.narrowMatch, SKOS.relatedMatch)


@dataclass
class Section:
    text: list[str] = field(default_factory=list)
    hrefs: list[str] = field(default_factory=list)

    @property
    def plain(self) -> str:
        return " ".join("".join(self.text).split())


class Page(HTMLParser):
    """What a test needs from a page: ids, links, the text and links inside each element with an id, and errors."""

    def __init__(self, path: Path) -> None:
        super().__init__(convert_charrefs=True)
        self.path = path
        self.ids: list[str] = []
        self.links: list[tuple[str, str]] = []  # (tag.attribute, value)
        self.sections: dict[str, Section] = {}
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.errors: list[str] = []
        self.stack: list[tuple[str, str | None]] = []
        self.feed(path.read_text(encoding="utf-8"))
        self.close()
        if self.stack:
            self.errors.append(f"unclosed: {self.stack}")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        self.tags.append((tag, attributes))
        for name in ("href", "src", "action", "data"):
            if attributes.get(name) is not None:
                self.links.append((f"{tag}.{name}", attributes[name] or ""))
                if name == "href":
                    for open_id in self._open_ids():
                        self.sections[open_id].hrefs.append(attributes[name] or "")
        element_id = attributes.get("id")
        if element_id is not None:
            if element_id in self.sections:
                self.errors.append(f"duplicate id {element_id!r}")
            self.ids.append(element_id)
            self.sections[element_id] = Section()
        if tag not in VOID:
            self.stack.append((tag, element_id))

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1][0] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1:]}")
            return
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        for open_id in self._open_ids():
            self.sections[open_id].text.append(data)

    def _open_ids(self) -> list[str]:
        return [element_id for _, element_id in self.stack if element_id is not None]

    def find(self, tag: str) -> list[dict[str, str | None]]:
        return [attributes for name, attributes in self.tags if name == tag]


def norm(text: str) -> str:
    return " ".join(text.split())


def read_site(folder: Path) -> dict[str, Page]:
    return {path.name: Page(path) for path in sorted(folder.glob("*.html"))}


@pytest.fixture(scope="module")
def graph_file(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("graph")
    kg.build([require(ML_CARDS)], out, keep_going=True)
    return out / "graph.nt"


@pytest.fixture(scope="module")
def site(tmp_path_factory, graph_file) -> tuple[Path, list[Path], dict[str, Page]]:
    out = tmp_path_factory.mktemp("site")
    written = generate_docs(out, graph_file)
    return out, written, read_site(out)


@pytest.fixture(scope="module")
def vocab() -> rdflib.Graph:
    graph = rdflib.Graph()
    for name in ("mc.ttl", "alignment.ttl", *SCHEME_FILES):
        graph.parse(ONTOLOGY / name, format="turtle")
    return graph


def alignment() -> rdflib.Graph:
    return rdflib.Graph().parse(ONTOLOGY / "alignment.ttl", format="turtle")


def test_the_site_has_an_index_the_ontology_and_one_page_per_scheme(site):
    out, written, pages = site
    assert written[0] == out / "index.html"
    assert set(pages) == {
        "index.html",
        "ontology.html",
        "risk.html",
        "mit-risk.html",
        "organization-type.html",
        "research-field.html",
        "modality.html",
    }
    assert {p.name for p in written} >= {"mc.ttl", "alignment.ttl", "context.jsonld", *SCHEME_FILES}
    assert all(p.exists() for p in written)
    assert not list(out.glob(".*")), "no temporary file is left behind"


def test_pages_are_well_formed_semantic_html(site):
    _, _, pages = site
    for name, page in pages.items():
        assert page.errors == [], name
        (html,) = page.find("html")
        assert html.get("lang") == "en", name
        assert page.find("meta") and any(m.get("charset") == "utf-8" for m in page.find("meta")), name
        assert len(page.find("h1")) == 1, name
        assert page.find("nav"), name
        assert page.find("main"), name
        assert all(th.get("scope") in ("col", "row") for th in page.find("th")), f"{name}: a <th> without scope"


def test_pages_work_offline(site):
    """No script at all, and nothing loaded from elsewhere: links may point out, resources may not."""
    _, _, pages = site
    for name, page in pages.items():
        assert page.find("script") == [], name
        for kind, target in page.links:
            if kind != "a.href":
                pytest.fail(f"{name}: {kind}={target} loads a resource")
            assert not target.lower().startswith(("javascript:", "data:", "//")), f"{name}: {target}"
        for style in page.find("link"):
            pytest.fail(f"{name}: external stylesheet {style}")
    raw = "".join((site[0] / n).read_text(encoding="utf-8") for n in pages)
    assert "@import" not in raw and "url(" not in raw


def test_no_internal_link_or_anchor_is_broken(site):
    out, _, pages = site
    checked = 0
    for name, page in pages.items():
        for _, target in page.links:
            if target.startswith(("http://", "https://")):
                continue
            path, _, fragment = target.partition("#")
            file = path or name
            assert (out / file).is_file(), f"{name}: link to missing {target}"
            if fragment and file.endswith(".html"):
                assert fragment in pages[file].ids, f"{name}: link to missing anchor {target}"
            checked += 1
    assert checked > 300, "suspiciously few internal links"


def test_terms_have_anchors_that_can_be_linked_to(site):
    _, _, pages = site
    assert "Model" in pages["ontology.html"].ids
    assert "hasRisk" in pages["ontology.html"].ids
    assert "disinformation" in pages["risk.html"].ids
    assert "intellectual-fraud" in pages["risk.html"].ids


def test_every_mc_term_appears_with_its_label_definition_and_alignments(site, vocab):
    _, _, pages = site
    ontology = pages["ontology.html"]
    aligned = alignment()
    terms = {
        s for kind in (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty) for s in vocab.subjects(RDF.type, kind)
    }
    terms = {t for t in terms if str(t).startswith(MC)}
    assert len(terms) > 40
    for term in sorted(terms):
        anchor = str(term)[len(MC) :]
        assert anchor in ontology.sections, f"no section for {term}"
        section = ontology.sections[anchor]
        assert norm(str(vocab.value(term, RDFS.label))) in section.plain, term
        assert norm(str(vocab.value(term, RDFS.comment))) in section.plain, term
        assert str(term) in section.plain, "the full IRI is shown"
        for parent in (*aligned.objects(term, RDFS.subClassOf), *aligned.objects(term, RDFS.subPropertyOf)):
            assert str(parent) in section.hrefs, f"{term}: alignment to {parent} is not a link"
        for domain in vocab.objects(term, RDFS.domain):
            assert f"ontology.html#{str(domain)[len(MC) :]}" in section.hrefs, f"{term}: domain {domain}"


def test_every_concept_appears_with_its_labels_definition_notes_and_mappings(site, vocab):
    _, _, pages = site
    concepts = sorted(vocab.subjects(RDF.type, SKOS.Concept))
    assert len(concepts) > 50
    for concept in concepts:
        scheme = str(vocab.value(concept, SKOS.inScheme))
        page = pages[scheme.rsplit("/", 1)[-1] + ".html"]
        anchor = str(concept)[len(scheme) + 1 :]
        assert anchor in page.sections, f"no section for {concept} in {page.path.name}"
        section = page.sections[anchor]
        for predicate in (SKOS.prefLabel, SKOS.altLabel, SKOS.definition, SKOS.scopeNote, SKOS.notation):
            for value in vocab.objects(concept, predicate):
                assert norm(str(value)) in section.plain, f"{concept}: {predicate} {value!r} missing"
        for predicate in MATCHES:
            for target in vocab.objects(concept, predicate):
                inside = [
                    h for h in section.hrefs if h == str(target) or h.endswith("#" + str(target).rsplit("/", 1)[-1])
                ]
                assert inside, f"{concept}: {predicate} {target} is not a link"


def test_examples_come_from_the_built_graph(site, graph_file):
    _, _, pages = site
    graph = rdflib.Graph().parse(graph_file, format="nt")
    models = set(graph.subjects(RDF.type, rdflib.URIRef(MC + "Model")))
    model = pages["ontology.html"].sections["Model"].plain
    assert f"of {len(models)} instances in the graph" in model
    assert "https://w3id.org/mckg/id/model/" in model
    assert "Used by" in pages["risk.html"].sections["disinformation"].plain
    assert "AudioLM" in pages["risk.html"].sections["disinformation"].plain, "models are listed by name"
    index = pages["index.html"].sections["top"].plain
    assert f"{len(graph):,} triples" in index


def test_without_a_graph_there_are_no_examples(tmp_path):
    generate_docs(tmp_path)
    pages = read_site(tmp_path)
    assert "In the graph" not in pages["ontology.html"].sections["top"].plain
    assert "Model" in pages["ontology.html"].ids


def test_output_is_deterministic(tmp_path, graph_file):
    first = generate_docs(tmp_path / "a", graph_file)
    second = generate_docs(tmp_path / "b", graph_file)
    assert [p.name for p in first] == [p.name for p in second]
    for a, b in zip(first, second, strict=True):
        assert a.read_bytes() == b.read_bytes(), a.name


EVIL = '<script>alert("x")</script>'


def test_text_from_the_ontology_and_the_graph_is_escaped(tmp_path):
    folder = tmp_path / "ontology"
    shutil.copytree(ONTOLOGY, folder)
    with open(folder / "mc.ttl", "a", encoding="utf-8") as handle:
        handle.write(
            f"\nmc:Evil a owl:Class ; rdfs:label {EVIL!r}@en ; "
            'rdfs:comment "a & b <img src=x onerror=alert(1)>"@en ; '
            "rdfs:isDefinedBy <https://w3id.org/mckg/ontology> .\n"
        )
    with open(folder / "modalities.ttl", "a", encoding="utf-8") as handle:
        handle.write(
            f"\nmodality:evil a skos:Concept ; skos:inScheme <https://w3id.org/mckg/modality> ; "
            f'skos:prefLabel {EVIL!r}@en ; skos:definition "</dd></dl><script>x</script>"@en .\n'
        )
    graph = tmp_path / "graph.nt"
    graph.write_text(
        "<https://w3id.org/mckg/id/model/x> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> "
        "<https://w3id.org/mckg/ontology#Model> .\n"
        '<https://w3id.org/mckg/id/model/x> <https://w3id.org/mckg/ontology#name> "<b onmouseover=alert(1)>x</b>" .\n',
        encoding="utf-8",
    )
    out = tmp_path / "site"
    generate_docs(out, graph, ontology=folder)
    pages = read_site(out)
    ontology_html = (out / "ontology.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in ontology_html
    assert "&lt;img src=x onerror=alert(1)&gt;" in ontology_html
    assert "&lt;b onmouseover=alert(1)&gt;x&lt;/b&gt;" in ontology_html
    assert EVIL in pages["ontology.html"].sections["Evil"].plain, "shown as text"
    assert EVIL in pages["modality.html"].sections["evil"].plain
    for name, page in pages.items():
        assert page.errors == [], name
        assert page.find("script") == [] and page.find("img") == [] and page.find("b") == [], name
        assert not any(key.startswith("on") for _, attributes in page.tags for key in attributes), name


def kg_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kg", *args], cwd=ROOT, capture_output=True, text=True, timeout=120)


def test_cli_writes_the_site(tmp_path, graph_file):
    result = kg_cli("docs", "-o", str(tmp_path / "site"), "--graph", str(graph_file))
    assert result.returncode == 0, result.stderr
    assert "wrote 7 pages" in result.stderr
    assert (tmp_path / "site" / "index.html").is_file()


def test_cli_usage_errors_exit_2_and_bad_graphs_exit_1(tmp_path, graph_file):
    assert kg_cli("docs", "-o", str(tmp_path / "a"), "--graph", str(tmp_path / "missing.nt")).returncode == 2
    jsonld = tmp_path / "graph.jsonld"
    jsonld.write_text("{}", encoding="utf-8")
    wrong = kg_cli("docs", "-o", str(tmp_path / "b"), "--graph", str(jsonld))
    assert wrong.returncode == 2 and "graph.nt" in wrong.stderr
    broken = tmp_path / "broken.nt"
    broken.write_text("<a> <b> .\n", encoding="utf-8")
    result = kg_cli("docs", "-o", str(tmp_path / "c"), "--graph", str(broken))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert not (tmp_path / "c").exists() or not list((tmp_path / "c").iterdir()), "nothing written"


def test_cli_help_has_an_example_and_exit_codes():
    result = kg_cli("docs", "--help")
    assert result.returncode == 0
    assert "kg docs -o" in result.stdout and "Exit codes" in result.stdout
