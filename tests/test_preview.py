"""`publisher preview` in a real browser: Debian's chromium, driven by Playwright.

One preview server and one browser page (they are the expensive part) serve
one test that walks through what an editor does, step by step: read, switch
variant, proof the PDF, edit, break, mend, try paths outside, stop. One test,
so that pytest-xdist never splits the steps between two workers.
"""

from __future__ import annotations

import http.client
import re
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from articles import body_paragraphs, squeeze
from conftest import ROOT, build_ok
from tiny import tiny_edition

playwright = pytest.importorskip("playwright.sync_api")

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="Debian's chromium is not installed (make)"
)
ARTICLE = "articles/03-zezhou.md"
TIMEOUT = 90_000  # ms: two cores shared by many builds


@dataclass
class Preview:
    url: str
    source: Path
    process: subprocess.Popen
    log: Path

    def get(self, path: str) -> tuple[int, bytes]:
        """A raw request: the path goes out exactly as written, unlike a browser's."""
        parts = urlsplit(self.url)
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read()


def wait_for(condition, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def preview(tmp_path):
    folder = tmp_path
    source = tiny_edition(folder)
    log, errors = folder / "stdout.txt", folder / "stderr.txt"
    with log.open("w") as stdout, errors.open("w") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-m", "publisher", "preview", "--source", source, "--out",
             folder / "build", "--port", "0"],
            stdout=stdout, stderr=stderr, cwd=ROOT,
        )  # fmt: skip
    try:
        url = wait_for(
            lambda: re.search(r"http://\S+/", log.read_text()) or process.poll() is not None,
            120,
            "the preview's URL",
        )
        assert process.poll() is None, errors.read_text()
        yield Preview(url.group(0), source, process, errors)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


@pytest.fixture
def page(preview):
    with playwright.sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        page = browser.new_page(viewport={"width": 800, "height": 400})
        page.set_default_timeout(TIMEOUT)
        yield page
        browser.close()


def step_binds_to_loopback_and_prints_the_url(preview, page):
    assert urlsplit(preview.url).hostname == "127.0.0.1"


def step_index_then_articles_with_the_web_edition_look(preview, page):
    page.goto(preview.url)
    assert page.url.endswith("/zh-Hans/site/index.html")
    titles = page.locator(".index h2 a").all_inner_texts()
    assert titles == ["激活县域撂荒地　助力乡村振兴", "“葡”平致富路　村民“萄”金忙"]
    page.locator(".index h2 a").first.click()
    page.wait_for_url("**/zh-Hans/site/articles/03-zezhou.html")
    text = squeeze(page.locator("main article").inner_text())
    for paragraph in body_paragraphs(preview.source / ARTICLE):
        assert squeeze(paragraph) in text
    # The web edition's own stylesheet, byte for byte: the preview has no look of its own.
    sheet = page.locator("link[rel=stylesheet]").first.get_attribute("href")
    response = page.request.get(page.url.rsplit("/", 1)[0] + "/" + sheet)
    assert response.body() == (ROOT / "styles" / "site.css").read_bytes()
    indent = page.evaluate(
        "getComputedStyle([...document.querySelectorAll('p')]"
        ".find((p) => p.textContent.startsWith('随着'))).textIndent"
    )
    assert indent != "0px"  # site.css applies: body paragraphs are indented


def step_the_preview_serves_what_build_html_writes(preview, page):
    """One renderer: the article page as served, less the preview's script, is the
    file `publisher build html` writes."""
    build_ok(preview.source, preview.source.parent / "built", "html", "--variant", "zh-Hans")
    written = preview.source.parent / "built" / "zh-Hans" / "site" / "articles" / "03-zezhou.html"
    status, body = preview.get("/zh-Hans/site/articles/03-zezhou.html")
    assert status == 200
    served = re.sub(rb'<script src="/_preview/live.js"[^>]*></script>\n', b"", body)
    assert served == written.read_bytes()


def step_variant_switch(preview, page):
    page.goto(preview.url + "zh-Hans/site/articles/03-zezhou.html")
    page.select_option("#variant", "zh-Hant-TW")
    page.wait_for_url("**/zh-Hant-TW/site/articles/03-zezhou.html")
    assert page.evaluate("document.documentElement.lang") == "zh-Hant-TW"
    assert "激活縣域撂荒地" in page.locator("h1").inner_text()
    assert "「土地銀行」" in page.locator("main article").inner_text()
    # the page's own switch, as on the published site
    page.get_by_role("link", name="简体中文").click()
    page.wait_for_url("**/zh-Hans/site/articles/03-zezhou.html")


def step_link_to_the_article_pdf_built_in_the_background(preview, page):
    page.goto(preview.url + "zh-Hant-TW/site/articles/03-zezhou.html")
    link = page.locator("#pdf[href]")
    link.wait_for(timeout=180_000)
    response = page.request.get(preview.url.rstrip("/") + link.get_attribute("href"))
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF-")


def step_saved_edit_updates_the_page_in_place(preview, page):
    page.goto(preview.url + "zh-Hant-TW/site/articles/03-zezhou.html")
    page.evaluate("window.__notReloaded = true; window.scrollTo(0, 200)")
    before = page.evaluate("window.scrollY")
    assert before > 0
    path = preview.source / ARTICLE
    path.write_text(path.read_text(encoding="utf-8") + "\n校样PREVIEW-EDIT-1。\n", "utf-8")
    page.wait_for_function("document.body.innerText.includes('PREVIEW-EDIT-1')", timeout=TIMEOUT)
    assert page.evaluate("window.__notReloaded") is True  # no reload: the same window
    assert page.evaluate("window.scrollY") == before  # the reader's place kept


def step_bad_edit_is_shown_until_mended(preview, page):
    page.goto(preview.url + "zh-Hant-TW/site/articles/03-zezhou.html")
    path = preview.source / ARTICLE
    good = path.read_text(encoding="utf-8")
    path.write_text(good.replace("title: 激活", "title: [激活", 1), "utf-8")
    error = page.locator("#error")
    error.wait_for(state="visible", timeout=TIMEOUT)
    assert re.search(r"03-zezhou\.md:\d+: invalid YAML", error.inner_text())
    page.reload()  # still there for a page opened after the bad edit
    error.wait_for(state="visible", timeout=TIMEOUT)
    assert "03-zezhou.md" in error.inner_text()
    path.write_text(good.replace("PREVIEW-EDIT-1", "PREVIEW-EDIT-2"), "utf-8")
    error.wait_for(state="hidden", timeout=TIMEOUT)
    page.wait_for_function("document.body.innerText.includes('PREVIEW-EDIT-2')")


OUTSIDE = [
    "/zh-Hans/../source/edition.yaml",
    "/zh-Hans/..%2f..%2fsource%2fedition.yaml",
    "/zh-Hans/%2e%2e/%2e%2e/etc/passwd",
    "/zh-Hans/site/articles/03-zezhou.md",
    "/zh-Hans/site/articles/",
    "/zh-Hans/site/../../source/edition.yaml",
    "/zh-Hans/",
    "/../../etc/passwd",
    "//etc/passwd",
    "/zh-XX/site/index.html",
    "/_preview/pdf/zh-Hant-TW/..%2f..%2f..%2fsource%2fedition.yaml",
    "/_preview/pdf/zh-Hant-TW/%2e%2e.pdf",
    "/_preview/pdf/zh-Hant-TW/../tiny.pdf",
]


def step_nothing_outside_the_edition_is_served(preview, page):
    for path in OUTSIDE:
        status, body = preview.get(path)
        assert status in (404, 307), (path, body[:200])
        assert b"title:" not in body and b"root:" not in body
        if status == 307:  # a folder leads to the contents, never to a listing
            assert path == "/zh-Hans/"


def step_browser_is_refused_a_path_outside(preview, page):
    response = page.goto(preview.url + "zh-Hans/%2e%2e/%2e%2e/source/edition.yaml")
    assert response.status == 404
    assert "title:" not in page.content()


def step_ctrl_c_stops_cleanly(preview, page):
    preview.process.send_signal(signal.SIGINT)
    assert preview.process.wait(timeout=60) == 0
    assert "Traceback" not in preview.log.read_text()


STEPS = [
    step_binds_to_loopback_and_prints_the_url,
    step_index_then_articles_with_the_web_edition_look,
    step_the_preview_serves_what_build_html_writes,
    step_variant_switch,
    step_link_to_the_article_pdf_built_in_the_background,
    step_saved_edit_updates_the_page_in_place,
    step_bad_edit_is_shown_until_mended,
    step_nothing_outside_the_edition_is_served,
    step_browser_is_refused_a_path_outside,
    step_ctrl_c_stops_cleanly,
]


def test_preview_in_the_browser(preview, page):
    for step in STEPS:
        step(preview, page)
