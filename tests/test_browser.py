"""The static export in a real browser: Debian's headless Chromium, driven by Playwright.

The corpus export is served by a tiny `http.server` on 127.0.0.1 (in a thread), with the Content-Security-
Policy the pages are written for (no script anywhere but the query page's own, matched by its hash), so a
script or style the policy would block shows up as a console error. Requests to any other host are
refused and recorded. Screenshots are kept under `test-artifacts/browser/`.

Chromium is Debian's package (`/usr/bin/chromium`, installed by `.ci/run`); Playwright never downloads a
browser here. Without it the test is skipped, but never in CI (`CI` set): there it must run.
"""

from __future__ import annotations

import functools
import http.server
import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

import kg
from kg.pages.render import content_security_policy
from kg.pages.views import Page
from kg.query import display

from .pages_support import corpus_out, corpus_site

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts" / "browser"

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists() and not os.environ.get("CI"),
    reason="Debian's chromium is not installed (/usr/bin/chromium): apt-get install chromium (CI installs it)",
)


class _Handler(http.server.SimpleHTTPRequestHandler):
    """Static files, with the pages' Content-Security-Policy; quiet."""

    def end_headers(self) -> None:
        kind = "query" if self.path.lstrip("/").startswith("query") else "page"
        self.send_header("Content-Security-Policy", content_security_policy(Page(kind, "", "", None)))
        super().end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    folder = corpus_site()[0]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Handler, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            yield browser
        finally:
            browser.close()


class Visit:
    """A browser page that records console errors and refuses every request that leaves 127.0.0.1."""

    def __init__(self, browser, base_url: str, *, javascript: bool = True) -> None:
        self.base_url = base_url
        self.context = browser.new_context(viewport={"width": 1100, "height": 900}, java_script_enabled=javascript)
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.outside: list[str] = []
        self.page.on("console", lambda message: message.type == "error" and self.errors.append(message.text))
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.route("**/*", self._route)

    def _route(self, route) -> None:
        if route.request.url.startswith(self.base_url):
            route.continue_()
        else:
            self.outside.append(route.request.url)
            route.abort()

    def open(self, path: str):
        response = self.page.goto(self.base_url + path)
        assert response is not None and response.status == 200, path
        return self.page

    def screenshot(self, name: str) -> None:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)

    def close(self) -> None:
        assert self.errors == [], self.errors
        assert self.outside == [], f"requests outside the site: {self.outside}"
        self.context.close()


@pytest.fixture
def visit(browser, base_url) -> Iterator[Visit]:
    v = Visit(browser, base_url)
    yield v
    v.close()


def test_home_page(visit):
    page = visit.open("index.html")
    assert page.title() == "AI model cards as a knowledge graph · mckg"
    assert page.locator("h1").inner_text().startswith("mckg")
    charts = page.locator("svg.chart")
    assert charts.count() == 4
    for i in range(4):
        assert charts.nth(i).is_visible()
        assert charts.nth(i).locator("rect.bar").count() > 0
    assert page.get_by_role("img", name="Models per risk").is_visible(), "the chart's <title> names it"
    visit.screenshot("home")
    page.get_by_role("link", name="35 models", exact=True).click()
    assert page.locator("h1").inner_text() == "Models"
    assert page.locator("table tbody tr").count() == 35


def test_model_page(visit):
    page = visit.open("model/gpt-2.html")
    assert page.locator("h1").inner_text() == "GPT-2"
    assert page.locator("section.risk").count() == 4
    assert "Guidance" in page.locator("#risks").inner_text()
    assert "valid: no warnings" in page.locator("#provenance").inner_text()
    visit.screenshot("model")
    page.locator("#facts").get_by_role("link", name="OpenAI Inc.").click()
    assert page.locator("h1").inner_text() == "OpenAI Inc."
    assert page.url.endswith("/organization/openai-inc.html")


def test_risk_page(visit):
    page = visit.open("risk/disinformation.html")
    assert "Disinformation" in page.locator("h1").inner_text()
    assert "false or misleading" in page.locator(".lead").inner_text()
    assert page.locator("svg.chart").is_visible()
    visit.screenshot("risk")
    page.get_by_role("link", name="28 models carry it", exact=True).click()
    assert page.locator("h1").inner_text() == "Models carrying Disinformation"
    assert page.locator("table tbody tr").count() == 28


def table_of(page) -> tuple[list[str], list[list[str]]]:
    table = page.locator("#results-table")
    header = [cell.strip() for cell in table.locator("thead th").all_inner_texts()]
    rows = [[cell.strip() for cell in row.locator("td").all_inner_texts()] for row in table.locator("tbody tr").all()]
    return header, rows


@pytest.mark.parametrize("name", ["models-per-risk", "risks-per-organization"])
def test_query_page_runs_a_bundled_query(visit, name):
    page = visit.open("query.html")
    form = page.locator("#query-form")
    assert form.is_visible(), "the script shows the example picker"
    with page.expect_navigation():
        page.select_option("#example", name)
    assert page.url.endswith(f"/query/{name}.html")
    header, rows = table_of(page)
    expected = kg.query(corpus_out() / "store", name)
    assert header == expected.variables
    assert rows == [[display(term) for term in row] for row in expected.rows]
    assert page.locator("#example").input_value() == name
    visit.screenshot(f"query-{name}")


def test_without_javascript_the_query_examples_still_work(browser, base_url):
    visit = Visit(browser, base_url, javascript=False)
    page = visit.open("query.html")
    assert not page.locator("#query-form").is_visible(), "the picker needs the script: hidden without it"
    page.locator("#examples").get_by_role("link", name="Models per risk").click()
    header, rows = table_of(page)
    assert header == ["risk", "models"] and len(rows) == 11
    visit.close()
