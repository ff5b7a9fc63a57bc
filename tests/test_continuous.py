"""pdf: {articles: continuous}: the edition's articles run on, a rule between them;
pages fill, the contents and bookmarks give each article's page, and each article's
own PDF still starts a page of its own."""

from __future__ import annotations

import itertools
import re
import shutil

import pdfplumber
import pytest
from conftest import SAMPLE, run_publisher
from pypdf import PdfReader

MM = 72 / 25.4
TOP, BOTTOM = 22 * MM, 24 * MM  # the sample's margins (pdf.margins' default)


@pytest.fixture(scope="module")
def continuous(tmp_path_factory):
    folder = tmp_path_factory.mktemp("continuous")
    source = shutil.copytree(SAMPLE, folder / "source")
    edition = source / "edition.yaml"
    edition.write_text(
        edition.read_text(encoding="utf-8") + "pdf:\n  articles: continuous\n", "utf-8"
    )
    built = run_publisher(
        "build", "pdf", "--variant", "zh-Hans", "--source", source, "--out", folder / "out"
    )
    assert built.returncode == 0, built.stderr
    return folder / "out" / "zh-Hans"


def _body(page) -> list[dict]:
    """What the page prints between its margins: characters, pictures, rules."""
    inside = [
        o
        for o in (*page.chars, *page.images, *page.rects)
        if o["top"] >= TOP - 1 and o["bottom"] <= page.height - BOTTOM + 1
    ]
    return sorted(inside, key=lambda o: o["top"])


def test_pages_are_filled_and_fewer(continuous, sample_files):
    with pdfplumber.open(continuous / "shanxi-rural.pdf") as pdf:
        pages = pdf.pages[2:]  # after the cover and the contents
        assert len(pdf.pages) < len(PdfReader(sample_files["pdf"]).pages)
        height = pages[0].height - TOP - BOTTOM
        for page, following in itertools.pairwise(pages):
            chars = [c for c in _body(page) if "text" in c]
            fill = (max(c["bottom"] for c in chars) - TOP) / height
            if fill >= 0.85:
                continue
            # Only a picture too tall for what is left may leave a page short.
            first = _body(following)[0]
            assert first in following.images, (page.page_number, fill)
            assert first["bottom"] - first["top"] > (1 - fill) * height, page.page_number


def test_contents_and_bookmarks_give_each_articles_page(continuous):
    reader = PdfReader(continuous / "shanxi-rural.pdf")
    bookmarks = {o.title: reader.get_destination_page_number(o) + 1 for o in reader.outline}
    with pdfplumber.open(continuous / "shanxi-rural.pdf") as pdf:
        contents = pdf.pages[1].extract_text()
        listed = [int(n) for n in re.findall(r"…\s*(\d+)$", contents, re.M)]
        assert len(listed) == 4
        for (title, page), number in zip(bookmarks.items(), listed, strict=True):
            assert page == number, title
            # The headline is on that page, in the headline's size.
            headline = "".join(c["text"] for c in pdf.pages[page - 1].chars if c["size"] > 15)
            assert title.split("\u3000")[0] in headline, title
    # Several articles share a page: four articles on fewer than four pages of their own.
    assert len(set(bookmarks.values())) == 4 and max(bookmarks.values()) - 3 < 4


def test_a_rule_above_each_article_after_the_first(continuous):
    reader = PdfReader(continuous / "shanxi-rural.pdf")
    starts = [reader.get_destination_page_number(o) + 1 for o in reader.outline]
    with pdfplumber.open(continuous / "shanxi-rural.pdf") as pdf:
        for number in starts[1:]:
            page = pdf.pages[number - 1]
            headline = min(c["top"] for c in page.chars if c["size"] > 15)
            kicker = max(
                c["top"] for c in page.chars if 11 < c["size"] < 13 and c["top"] < headline
            )
            ruled = [r for r in page.rects if 0 < kicker - r["top"] < 40 and r["width"] > 400]
            assert ruled, number


def test_each_articles_own_pdf_still_starts_a_page(continuous, sample_out):
    for path in sorted((continuous / "articles").glob("*.pdf")):
        mine = PdfReader(path)
        assert (
            mine.pages[0].extract_text()
            == PdfReader(sample_out / "zh-Hans" / "articles" / path.name).pages[0].extract_text()
        )
