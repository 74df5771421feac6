"""`kg publish --static`: the exported folder of the shared corpus, checked file by file.

Every link of every page is followed (files and anchors), every `.ttl` and `.jsonld` is parsed with rdflib
(offline: a JSON-LD context that had to be fetched would fail), every page is well-formed semantic HTML
that loads nothing from elsewhere, and every resource of the graph is there in all its forms.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
import rdflib
import rdflib.compare

import kg
from kg.pages import open_site
from kg.pages.static import MANIFEST, publish_static
from kg.queries import bundled_queries

from .pages_support import Html, corpus_out, corpus_paths, corpus_site

pytestmark = pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")  # rdflib JSON-LD
ROOT = Path(__file__).resolve().parents[1]
RESOURCE_FORMATS = (".html", ".json", ".ttl", ".jsonld")


@pytest.fixture(scope="module")
def site_dir() -> Path:
    return corpus_site()[0]


@pytest.fixture(scope="module")
def html_pages(site_dir) -> dict[Path, Html]:
    return {path.resolve(): Html(path.read_text(encoding="utf-8")) for path in sorted(site_dir.rglob("*.html"))}


def test_the_export_has_every_kind_of_page(site_dir):
    result = corpus_site()[1]
    assert result.resources > 200 and result.pages > result.resources and not result.skipped
    for name in (
        "index.html",
        "models.html",
        "query.html",
        "model/gpt-2.html",
        "organization/openai-inc.html",
        "dataset/the-pile.html",
        "risk/disinformation.html",
        "risk.html",
        "modality/text.html",
        "card/gpt-2.html",
        "models/risk/disinformation.html",
        "models/organization/openai-inc/risk/disinformation.html",
        "graph.nt",
        ".htaccess",
        "_redirects",
        "_headers",
        MANIFEST,
    ):
        assert (site_dir / name).is_file(), name
    for name in bundled_queries():
        for ext in (".html", ".json", ".csv", ".tsv", ".srj", ".srx"):
            assert (site_dir / "query" / f"{name}{ext}").is_file(), (name, ext)
    assert not list(site_dir.rglob(".*.tmp")), "no temporary file is left behind"


def test_every_resource_of_the_graph_is_there_in_every_form(site_dir):
    graph = rdflib.Graph().parse(corpus_out() / "graph.nt", format="nt")
    site = open_site(corpus_out() / "store")
    subjects = {str(s) for s in graph.subjects() if isinstance(s, rdflib.URIRef)}
    published = [s for s in subjects if site.path_of(s)]
    assert len(published) > 200
    for iri in published:
        for ext in RESOURCE_FORMATS:
            assert (site_dir / f"{site.path_of(iri)}{ext}").is_file(), (iri, ext)
    models = {str(m) for m in graph.subjects(rdflib.RDF.type, rdflib.URIRef(kg.namespaces.MC + "Model"))}
    assert len(models) == len(corpus_paths())
    for iri in models:
        assert iri.startswith("https://w3id.org/mckg/id/model/")
        assert (site_dir / (iri.removeprefix("https://w3id.org/mckg/id/") + ".html")).is_file(), "at its IRI path"


def test_every_link_resolves_anchors_included(site_dir, html_pages):
    checked = anchors = 0
    for path, page in html_pages.items():
        assert page.errors == [], path
        for kind, target in page.links:
            scheme = urlsplit(target).scheme
            if scheme:
                assert scheme in ("http", "https"), f"{path}: {kind}={target}"
                assert kind in ("a.href", "link.href"), f"{path}: {kind}={target} loads from elsewhere"
                continue
            assert not target.startswith("//"), f"{path}: {target}"
            file_part, _, fragment = target.partition("#")
            file = (path.parent / unquote(file_part)).resolve() if file_part else path
            assert file.is_file(), f"{path}: broken link {target}"
            assert site_dir.resolve() in file.parents, f"{path}: {target} leaves the folder"
            if fragment:
                assert unquote(fragment) in html_pages[file].ids, f"{path}: missing anchor {target}"
                anchors += 1
            checked += 1
    assert checked > 5_000 and anchors >= len(html_pages), "each page's skip link, at least"


def test_every_turtle_and_jsonld_file_parses(site_dir):
    files = sorted(site_dir.rglob("*.ttl")) + sorted(site_dir.rglob("*.jsonld"))
    assert len(files) > 400
    triples = 0
    for path in files:
        graph = rdflib.Graph().parse(data=path.read_text(encoding="utf-8"), format=_format(path))
        assert len(graph) > 0, path
        triples += len(graph)
    assert triples > 5_000
    turtle = rdflib.Graph().parse(site_dir / "model" / "gpt-2.ttl", format="turtle")
    jsonld = rdflib.Graph().parse(data=(site_dir / "model" / "gpt-2.jsonld").read_text(), format="json-ld")
    assert rdflib.compare.isomorphic(turtle, jsonld)
    whole = rdflib.Graph().parse(site_dir / "graph.nt", format="nt")
    assert len(whole) == len(rdflib.Graph().parse(corpus_out() / "graph.nt", format="nt"))


def _format(path: Path) -> str:
    return "turtle" if path.suffix == ".ttl" else "json-ld"


def test_every_page_has_a_json_twin(site_dir, html_pages):
    for path in html_pages:
        twin = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
        assert twin["title"] and twin["kind"] and "data" in twin, path


def test_pages_are_semantic_accessible_and_offline(site_dir, html_pages):
    for path, page in html_pages.items():
        name = str(path.relative_to(site_dir.resolve()))
        (root,) = page.find("html")
        assert root.get("lang") == "en", name
        assert len(page.find("h1")) == 1 and page.find("main") and page.find("nav") and page.find("footer"), name
        assert all(th.get("scope") in ("col", "row") for th in page.find("th")), name
        assert all(img.get("alt") for img in page.find("img")), name
        for svg in page.find("svg"):
            assert svg.get("role") == "img" and svg.get("aria-labelledby"), name
        assert page.find("title") and len(page.find("title")) >= len(page.find("svg")), name
        assert not page.find("iframe") and not page.find("object") and not page.find("embed"), name
        for link in page.find("link"):
            assert link.get("rel") == "alternate", f"{name}: {link}"
        is_query = name == "query.html" or name.startswith("query/")
        scripts = page.find("script")
        assert (len(scripts) == 1) if is_query else not scripts, name
        assert all(s.get("src") is None for s in scripts), name
        raw = path.read_text(encoding="utf-8")
        assert "@import" not in raw and "url(" not in raw, name


def test_host_rules(site_dir):
    htaccess = (site_dir / ".htaccess").read_text()
    assert "RewriteCond %{HTTP_ACCEPT} text/turtle" in htaccess
    assert "RewriteRule ^(.+)$ $1.ttl [L]" in htaccess and "RewriteRule ^(.+)$ $1.html [L]" in htaccess
    assert "AddType application/ld+json .jsonld" in htaccess
    redirects = (site_dir / "_redirects").read_text().splitlines()
    for prefix in ("model", "organization", "dataset", "risk", "card", "models", "query"):
        assert f"/{prefix}/*  /{prefix}/:splat.html  200" in redirects, prefix
    assert "/risk  /risk.html  200" in redirects
    headers = (site_dir / "_headers").read_text()
    assert "/*.ttl\n  Content-Type: text/turtle; charset=utf-8" in headers


def test_query_downloads_are_the_results_of_kg_query(site_dir):
    store = corpus_out() / "store"
    for name in ("models-per-risk", "organizations-by-type"):
        expected = kg.query(store, name)
        assert (site_dir / "query" / f"{name}.csv").read_bytes() == expected.serialize("csv")
        assert json.loads((site_dir / "query" / f"{name}.srj").read_bytes()) == json.loads(expected.serialize("json"))


def test_the_export_is_deterministic(tmp_path, site_dir):
    again = tmp_path / "again"
    publish_static(again, corpus_out() / "store")
    first = sorted(p.relative_to(site_dir) for p in site_dir.rglob("*") if p.is_file())
    second = sorted(p.relative_to(again) for p in again.rglob("*") if p.is_file())
    assert first == second
    for name in first:
        assert (site_dir / name).read_bytes() == (again / name).read_bytes(), name


def test_a_new_export_removes_what_is_gone_and_nothing_else(tmp_path):
    cards = tmp_path / "cards"
    cards.mkdir()
    for path in corpus_paths()[:3]:
        shutil.copy(path, cards)
    kg.build([cards], tmp_path / "out", model_documents=False)
    site = tmp_path / "site"
    site.mkdir()
    (site / "README.txt").write_text("mine", encoding="utf-8")
    first = publish_static(site, tmp_path / "out" / "store")
    gone = sorted(cards.glob("*.md"))[0]
    slug = kg.iris.slug(gone.stem)
    assert (site / "model" / f"{slug}.html").is_file()
    gone.unlink()
    kg.build([cards], tmp_path / "out", model_documents=False)
    second = publish_static(site, tmp_path / "out" / "store")
    assert second.removed > 0 and second.files < first.files
    for ext in RESOURCE_FORMATS:
        assert not (site / "model" / f"{slug}{ext}").exists()
    assert (site / "README.txt").read_text(encoding="utf-8") == "mine", "files it did not write are kept"


def kg_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kg", *args], cwd=ROOT, capture_output=True, text=True, timeout=300)


def test_cli_publishes_and_fails_cleanly(tmp_path):
    result = kg_cli("publish", "--static", str(tmp_path / "site"), "--store", str(corpus_out() / "store"))
    assert result.returncode == 0, result.stderr
    assert "wrote " in result.stderr and " pages for " in result.stderr
    assert (tmp_path / "site" / "model" / "gpt-2.html").is_file()
    missing = kg_cli("publish", "--static", str(tmp_path / "other"), "--store", str(tmp_path / "nothing"))
    assert missing.returncode == 1 and "build one first" in missing.stderr and "Traceback" not in missing.stderr
    assert kg_cli("publish").returncode == 2, "--static is required"
    helped = kg_cli("publish", "--help")
    assert helped.returncode == 0 and "kg publish --static" in helped.stdout and "Exit codes" in helped.stdout
