"""The web edition (`build html`): three static sites, linked across variants, searchable
in Chinese, readable on a phone, accessible (axe-core), in a real chromium driven by
Playwright against a real HTTP server on loopback."""

from __future__ import annotations

import functools
import http.server
import threading
import xml.etree.ElementTree as ElementTree
from collections.abc import Iterator
from pathlib import Path

import feedparser
import pytest
from conftest import PUBLISHED, ROOT, SAMPLE
from playwright.sync_api import Page, sync_playwright

from publisher.read.sources import read_edition

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *arguments: object) -> None:
        pass


@pytest.fixture(scope="module")
def served(sample_out) -> Iterator[str]:
    """The build folder (the three sites side by side) served on loopback."""
    handler = functools.partial(_Quiet, directory=str(sample_out))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=CHROMIUM_FLAGS
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    yield context.new_page()
    context.close()


def test_a_full_build_writes_three_sites(sample_out):
    for tag in PUBLISHED:
        site = sample_out / tag / "site"
        for name in ("index.html", "about.html", "search.html", "sitemap.xml", "feed.xml"):
            assert (site / name).is_file(), (tag, name)
        assert len(list((site / "articles").glob("*.html"))) == 4
        assert (site / "media" / "images" / "placeholder-photo-1.png").is_file()
        assert (site / "pagefind" / "pagefind-ui.js").is_file()


@pytest.mark.xdist_group("browser")
def test_index_article_and_the_variant_switch(served, page):
    page.goto(f"{served}/zh-Hans/site/index.html")
    assert page.locator("html").get_attribute("lang") == "zh-Hans"
    page.get_by_role("link", name="五笔润色绘新景").click()
    assert page.url.endswith("/zh-Hans/site/articles/01-xiaoyi.html")
    assert "五笔润色绘新景" in page.locator("h1").inner_text()
    page.get_by_role("link", name="臺灣正體").click()
    assert page.url.endswith("/zh-Hant-TW/site/articles/01-xiaoyi.html")
    assert page.locator("html").get_attribute("lang") == "zh-Hant-TW"
    assert "五筆潤色繪新景" in page.locator("h1").inner_text()
    alternates = page.locator('link[rel="alternate"][hreflang]')
    assert sorted(a.get_attribute("hreflang") for a in alternates.all()) == [
        "zh-Hans",
        "zh-Hant-HK",
    ]


@pytest.mark.xdist_group("browser")
@pytest.mark.parametrize(
    ("tag", "word", "slug"),
    [("zh-Hans", "阳泉曲", "01-xiaoyi"), ("zh-Hant-TW", "陽泉曲", "01-xiaoyi"),
     ("zh-Hant-HK", "葡萄", "04-liucun")],
)  # fmt: skip
def test_search_finds_a_word_in_each_script(served, page, tag, word, slug):
    page.goto(f"{served}/{tag}/site/search.html")
    page.locator(".pagefind-ui__search-input").fill(word)
    result = page.locator(f'.pagefind-ui__result-link[href*="{slug}.html"]')
    result.first.wait_for(timeout=15_000)
    assert result.count() >= 1


@pytest.mark.xdist_group("browser")
def test_no_horizontal_scroll_on_a_phone(served, browser):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    phone = context.new_page()
    for path in ("zh-Hans/site/index.html", "zh-Hant-HK/site/articles/02-jiaokou.html"):
        phone.goto(f"{served}/{path}")
        assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), path
    context.close()


@pytest.mark.xdist_group("browser")
@pytest.mark.parametrize("tag", PUBLISHED)
def test_axe_finds_no_violation(served, page, tag):
    for path in ("index.html", "articles/01-xiaoyi.html"):
        page.goto(f"{served}/{tag}/site/{path}")
        page.add_script_tag(path=str(AXE))
        violations = page.evaluate("axe.run().then(result => result.violations)")
        assert [(v["id"], v["impact"], len(v["nodes"])) for v in violations] == [], path


def test_sitemap_and_feed(sample_out):
    edition = read_edition(SAMPLE)
    for tag in PUBLISHED:
        site = sample_out / tag / "site"
        sitemap = ElementTree.parse(site / "sitemap.xml").getroot()
        assert sitemap.tag == "{http://www.sitemaps.org/schemas/sitemap/0.9}urlset"
        urls = sitemap.findall("{http://www.sitemaps.org/schemas/sitemap/0.9}url")
        assert len(urls) == 3 + len(edition.articles)
        feed = feedparser.parse((site / "feed.xml").read_bytes())
        assert not feed.bozo, feed.bozo_exception
        assert feed.version == "atom10"
        assert len(feed.entries) == 4
        for entry in feed.entries:
            assert entry.published_parsed[:3] == (2024, 7, 15)
        assert feed.feed.language == tag


def test_site_url_makes_links_absolute(tmp_path):
    import shutil

    from conftest import build_ok

    source = Path(shutil.copytree(SAMPLE, tmp_path / "src"))
    with (source / "edition.yaml").open("a", encoding="utf-8") as file:
        file.write("site: {url: 'https://news.example.org/shanxi/'}\n")
    out = build_ok(source, tmp_path / "out", "html", "--variant", "zh-Hans")
    page = (out / "zh-Hans" / "site" / "articles" / "01-xiaoyi.html").read_text("utf-8")
    canonical = "https://news.example.org/shanxi/zh-Hans/site/articles/01-xiaoyi.html"
    assert f'<link rel="canonical" href="{canonical}">' in page
    assert '"url": "' + canonical in page and '"@type": "NewsArticle"' in page
    sitemap = (out / "zh-Hans" / "site" / "sitemap.xml").read_text("utf-8")
    assert f"<loc>{canonical}</loc>" in sitemap


@pytest.mark.xdist_group("browser")
def test_readable_without_javascript(served, browser):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{served}/zh-Hant-TW/site/articles/04-liucun.html")
    assert "葡" in page.locator("h1").inner_text()
    assert len(page.locator("main p").all()) >= 3
    context.close()


def test_a_vertical_edition_offers_its_pages_set_vertically(tmp_path):
    import shutil

    from conftest import build_ok

    source = Path(shutil.copytree(SAMPLE, tmp_path / "src"))
    with (source / "edition.yaml").open("a", encoding="utf-8") as file:
        file.write("epub: {vertical: [zh-Hant-TW]}\n")
    out = build_ok(source, tmp_path / "out", "html", "--variant", "zh-Hant-TW")
    articles = out / "zh-Hant-TW" / "site" / "articles"
    vertical = (articles / "01-xiaoyi-vertical.html").read_text("utf-8")
    horizontal = (articles / "01-xiaoyi.html").read_text("utf-8")
    assert '<html lang="zh-Hant-TW" class="vertical">' in vertical
    assert '<a href="01-xiaoyi-vertical.html">直排</a>' in horizontal
    assert '<a href="01-xiaoyi.html">橫排</a>' in vertical


@pytest.mark.xdist_group("browser")
def test_printing_an_article_drops_the_navigation(served, page):
    page.goto(f"{served}/zh-Hans/site/articles/02-jiaokou.html")
    page.emulate_media(media="print")
    for selector in (".masthead nav", ".colophon nav"):
        assert page.locator(selector).evaluate("e => getComputedStyle(e).display") == "none"
    assert page.locator("main article h1").is_visible()
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF-")
