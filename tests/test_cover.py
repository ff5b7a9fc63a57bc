"""The PDF's cover is the EPUB's, drawn from one design (styles/epub.yaml `cover`): the
same colours, face and places, the title, date, issue and publisher in each variant's
script; as type on the PDF page, as a picture in the EPUB."""

from __future__ import annotations

import io
import subprocess
import zipfile

import pdfplumber
import pytest
from conftest import run_publisher
from PIL import Image
from tiny import tiny_edition

BACKGROUND = (0x8E, 0x1B, 0x1B)  # styles/epub.yaml cover.background
FACES = {"zh-Hans": "Noto-Serif-CJK-SC-Bold", "zh-Hant-TW": "Noto-Serif-CJK-TC-Bold"}
TEXT = {
    "zh-Hans": ("山西乡村振兴", "2024年7月15日\u3000第28期", "样稿编辑部"),
    "zh-Hant-TW": ("山西鄉村振興", "2024年7月15日\u3000第28期", "樣稿編輯部"),
}


@pytest.fixture(scope="module")
def covers(tmp_path_factory):
    folder = tmp_path_factory.mktemp("cover")
    source = tiny_edition(folder)
    edition = source / "edition.yaml"
    edition.write_text(
        edition.read_text(encoding="utf-8") + "publisher: 样稿编辑部\nissue: 第28期\n", "utf-8"
    )
    built = run_publisher("build", "pdf", "epub", "--source", source, "--out", folder / "out")
    assert built.returncode == 0, built.stderr
    return folder / "out"


def _colour(picture: Image.Image, x: float, y: float) -> tuple[int, int, int]:
    return picture.convert("RGB").getpixel((round(x * picture.width), round(y * picture.height)))


def _near(a: tuple[int, ...], b: tuple[int, ...]) -> bool:
    return all(abs(x - y) <= 6 for x, y in zip(a, b, strict=True))


@pytest.mark.parametrize("tag", ["zh-Hans", "zh-Hant-TW"])
def test_the_pdf_cover_matches_the_epub_cover(covers, tag):
    title, dateline, publisher = TEXT[tag]
    pdf = covers / tag / "tiny.pdf"
    with pdfplumber.open(pdf) as document:
        page = document.pages[0]
        text = page.extract_text()
        # pdfplumber reads the ideographic space between date and issue as a gap
        assert title in text and dateline.replace("\u3000", " ") in text and publisher in text
        big = [c for c in page.chars if c["size"] > 40]
        assert "".join(c["text"] for c in big) == title  # one line, in the design's size
        assert {c["fontname"].split("+")[-1] for c in big} == {FACES[tag]}
        # The title's line at 30 % of the page, as on the EPUB's cover (design: top 0.30,
        # the face's ascender line there): its baseline about 1.1 em below.
        size, baseline = big[0]["size"], page.height - big[0]["matrix"][5]
        assert 0.95 * size < baseline - 0.30 * page.height < 1.25 * size, baseline
        # The date's and the publisher's feet at 19 % and 12 % above the page's foot.
        for text_, bottom in ((dateline[:4], 0.19), (publisher, 0.12)):
            chars = [c for c in page.chars if c["text"] == text_[0] and c["size"] < 40]
            foot = max(c["bottom"] for c in chars) / page.height
            assert abs(foot - (1 - bottom)) < 0.02, (text_, foot)
    drawn = subprocess.run(
        ["pdftoppm", "-r", "30", "-f", "1", "-l", "1", "-png", str(pdf)],
        capture_output=True,
        check=True,
    ).stdout
    page_picture = Image.open(io.BytesIO(drawn))
    with zipfile.ZipFile(covers / tag / "tiny.epub") as epub:
        cover_picture = Image.open(io.BytesIO(epub.read("EPUB/cover.png")))
    for x, y in ((0.02, 0.02), (0.5, 0.6), (0.98, 0.98)):  # the background, edge to edge
        assert _near(_colour(page_picture, x, y), BACKGROUND)
        assert _near(_colour(cover_picture, x, y), BACKGROUND)


def test_the_issue_is_on_the_epub_cover_too(covers, tmp_path):
    """The EPUB's cover picture without `issue:` differs from the one with it."""
    source = tiny_edition(tmp_path, ("zh-Hans",))
    edition = source / "edition.yaml"
    edition.write_text(edition.read_text(encoding="utf-8") + "publisher: 样稿编辑部\n", "utf-8")
    built = run_publisher("build", "epub", "--source", source, "--out", tmp_path / "out")
    assert built.returncode == 0, built.stderr
    with zipfile.ZipFile(tmp_path / "out" / "zh-Hans" / "tiny.epub") as epub:
        without = epub.read("EPUB/cover.png")
    with zipfile.ZipFile(covers / "zh-Hans" / "tiny.epub") as epub:
        assert epub.read("EPUB/cover.png") != without
