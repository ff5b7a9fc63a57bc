"""The vertical PDF (直排): `pdf: {vertical: [...]}` sets the listed variants' PDFs in
columns top to bottom, right to left, through Vivliostyle and chromium.

The pages are read back from the files: characters and their positions with
pdfplumber, the fonts with pdffonts, the catalog with pypdf."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pdfplumber
import pytest
from conftest import EDITION_NAME, build_ok, run_publisher
from pypdf import PdfReader
from test_vertical import with_option

from publisher.base.languages import variant_named
from publisher.commands.verify import pdf_checks
from publisher.document.headline import article_blocks
from publisher.language.variants import apply_variant
from publisher.run.build import load_edition

VERTICAL = ("zh-Hant-TW", "zh-Hant-HK")
OPTION = "pdf:\n  vertical: [zh-Hant-TW, zh-Hant-HK]\n  horizontal: true\n"
SLUGS = ("01-xiaoyi", "02-jiaokou", "03-zezhou", "04-liucun")
# Marks that may not open a column (clreq 3.1.7: 行頭禁則), nor close one.
NOT_AT_COLUMN_TOP = set("、。，．：；！？」』）》〉】〕…")
NOT_AT_COLUMN_FOOT = set("「『（《〈【〔")
# The text block of an A4 page with the sample's margins (22 mm top, 24 mm bottom):
# what lies outside is page furniture (running heads, page numbers).
BLOCK_TOP, BLOCK_BOTTOM = 60.0, 778.0
# Characters of one column share its middle within this (points); columns of the
# 10.5 pt body lie 18 pt apart.
SAME_COLUMN = 7.0
HEADLINE_SIZE = 11.5  # kicker and headline are set larger than the body


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, Path]:
    """The sample's PDFs with the TW and HK variants vertical (and their horizontal
    copies kept): the source and the output folder."""
    source = with_option(tmp_path_factory.mktemp("vertical-pdf"), OPTION)
    return source, build_ok(source, source.parent / "out", "pdf", "--jobs", "2")


def pdf_of(out: Path, tag: str, slug: str | None = None, suffix: str = "") -> Path:
    if slug:
        return out / tag / "articles" / f"{slug}{suffix}.pdf"
    return out / tag / f"{EDITION_NAME}{suffix}.pdf"


# ---------------------------------------------------------------- reading the pages


def columns(page: pdfplumber.page.Page, middle: float) -> list[list[dict]]:
    """The page's text, as column pieces in reading order: the headline's columns first,
    then each tier (段) from the top, its columns from right to left; in each piece,
    the characters from the top (two upright digits side by side, left first)."""
    chars = [c for c in page.chars if c["text"].strip() and BLOCK_TOP <= c["top"] <= BLOCK_BOTTOM]
    pieces: dict[tuple[int, int], list[dict]] = {}
    centres: list[tuple[int, float]] = []  # each piece's tier and the mean of its middles
    for char in sorted(chars, key=lambda c: -(c["x0"] + c["x1"]) / 2):
        centre = (char["x0"] + char["x1"]) / 2
        tier = 0 if char["size"] >= HEADLINE_SIZE else 1 if char["top"] < middle else 2
        column = next(
            (n for n, (t, x) in enumerate(centres) if t == tier and abs(x - centre) < SAME_COLUMN),
            None,
        )
        if column is None:
            centres.append((tier, centre))
            column = len(centres) - 1
        piece = pieces.setdefault((tier, column), [])
        piece.append(char)
        # Two upright digits stand either side of the column's middle: the mean finds it.
        centres[column] = (tier, centres[column][1] + (centre - centres[column][1]) / len(piece))
    ordered = sorted(pieces.items(), key=lambda item: (item[0][0], -centres[item[0][1]][1]))
    return [sorted(piece, key=lambda c: (round(c["top"]), c["x0"])) for _, piece in ordered]


def tier_middle(pdf: pdfplumber.PDF) -> float:
    """Between the two tiers: the middle of the body text's height over the document."""
    body = [
        c
        for page in pdf.pages
        for c in page.chars
        if BLOCK_TOP <= c["top"] <= BLOCK_BOTTOM and c["size"] < HEADLINE_SIZE
    ]
    return (min(c["top"] for c in body) + max(c["bottom"] for c in body)) / 2


def read_columns(path: Path) -> list[list[dict]]:
    with pdfplumber.open(path) as pdf:
        middle = tier_middle(pdf)
        return [piece for page in pdf.pages for piece in columns(page, middle)]


def expected_text(source: Path, tag: str, slug: str) -> str:
    """The article in the variant's script as a reader sees it printed: kicker,
    headline, body, captions and byline, without spaces (pictures' alt text is not
    printed)."""
    edition = apply_variant(load_edition(source), variant_named(tag))
    article = next(a for a in edition.articles if a.slug == slug)
    parts: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if node.get("t") == "Image":
                return
            if node.get("t") == "Str":
                parts.append(node["c"])
            elif node.get("t") in ("Code", "CodeBlock"):
                parts.append(node["c"][1])
            else:
                walk(node.get("c"))
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(article_blocks(article))
    return "".join("".join(parts).split())


# ---------------------------------------------------------------- the tests


@pytest.mark.parametrize("tag", VERTICAL)
@pytest.mark.parametrize("slug", SLUGS)
def test_every_character_in_reading_order(built, tag, slug):
    """Read column by column, right to left, top to bottom, the article's own PDF gives
    its text exactly: nothing lost, nothing moved. Columns set left to right, or
    characters bottom to top, would not."""
    source, out = built
    pieces = read_columns(pdf_of(out, tag, slug))
    read = "".join(c["text"] for piece in pieces for c in piece)
    assert "".join(read.split()) == expected_text(source, tag, slug)


@pytest.mark.parametrize("tag", VERTICAL)
def test_no_column_starts_with_a_closing_mark(built, tag):
    _, out = built
    checked = 0
    for slug in SLUGS:
        for piece in read_columns(pdf_of(out, tag, slug)):
            text = "".join(c["text"] for c in piece)
            assert text[0] not in NOT_AT_COLUMN_TOP, (slug, text)
            assert text[-1] not in NOT_AT_COLUMN_FOOT, (slug, text)
            checked += 1
    assert checked > 100


@pytest.mark.parametrize("tag", VERTICAL)
def test_no_page_is_horizontal(built, tag):
    """Every page of the edition, cover and contents too, is set in columns: its text
    stands in pieces of several characters one above the other, not in lines."""
    _, out = built
    with pdfplumber.open(pdf_of(out, tag)) as pdf:
        middle = tier_middle(pdf)
        assert len(pdf.pages) >= 6
        for number, page in enumerate(pdf.pages, 1):
            pieces = columns(page, middle)
            chars = sum(len(p) for p in pieces)
            stacked = sum(len(p) for p in pieces if len(p) >= 3)
            assert chars and stacked / chars > 0.9, (number, chars, stacked)
            assert page.width < page.height  # the edition's A4, upright


@pytest.mark.parametrize("tag", VERTICAL)
def test_fonts_are_cid_fonts_not_type3(built, tag):
    _, out = built
    for path in (pdf_of(out, tag), pdf_of(out, tag, SLUGS[0])):
        listing = subprocess.run(
            ["pdffonts", str(path)], capture_output=True, text=True, check=True
        ).stdout.splitlines()[2:]
        assert listing, path
        assert not [line for line in listing if "Type 3" in line], listing
        names = " ".join(line.split()[0] for line in listing)
        region = "hk" if tag.endswith("HK") else "tc"
        assert f"NotoSerifCJK{region}-Regular" in names, names
        assert f"NotoSansCJK{region}-Bold" in names, names
        for line in listing:  # embedded, subset, with ToUnicode
            assert "CID TrueType" in line and line.split()[-5:-2] == ["yes", "yes", "yes"], line


@pytest.mark.parametrize("tag", VERTICAL)
def test_pages_turn_right_to_left_and_dates_are_the_editions(built, tag):
    _, out = built
    reader = PdfReader(pdf_of(out, tag))
    assert reader.trailer["/Root"]["/ViewerPreferences"]["/Direction"] == "/R2L"
    assert reader.trailer["/Root"]["/Lang"] == tag
    assert reader.metadata["/CreationDate"] == "D:20240715000000Z"
    assert reader.metadata["/ModDate"] == "D:20240715000000Z"
    assert reader.pdf_header == "%PDF-1.7"


def test_simplified_pdf_unchanged_by_a_byte(built, sample_out):
    _, out = built
    assert pdf_of(out, "zh-Hans").read_bytes() == pdf_of(sample_out, "zh-Hans").read_bytes()
    for slug in SLUGS:
        mine, theirs = pdf_of(out, "zh-Hans", slug), pdf_of(sample_out, "zh-Hans", slug)
        assert mine.read_bytes() == theirs.read_bytes(), slug


@pytest.mark.parametrize("tag", VERTICAL)
def test_the_horizontal_copy_is_kept(built, sample_out, tag):
    """`horizontal: true`: the variant's horizontal PDFs, as they were, beside."""
    _, out = built
    copy = pdf_of(out, tag, suffix="-horizontal")
    assert copy.read_bytes() == pdf_of(sample_out, tag).read_bytes()
    own = pdf_of(out, tag, SLUGS[1], "-horizontal")
    assert own.read_bytes() == pdf_of(sample_out, tag, SLUGS[1]).read_bytes()
    assert PdfReader(pdf_of(out, tag)).metadata["/Producer"].startswith("publisher (Vivliostyle")


def test_same_sources_same_bytes(built, tmp_path):
    """Built again elsewhere (no cache), an article's vertical PDF has the same bytes."""
    source, out = built
    again = build_ok(
        source, tmp_path / "out", "pdf", "--variant", "zh-Hant-TW", "--article", SLUGS[2]
    )
    assert pdf_of(again, "zh-Hant-TW", SLUGS[2]).read_bytes() == (
        pdf_of(out, "zh-Hant-TW", SLUGS[2]).read_bytes()
    )


@pytest.mark.parametrize(
    ("environment", "words"),
    [
        ({"PATH": "/nonexistent"}, ["needs node", "apt-get install nodejs"]),
        ({"PUBLISHER_CHROMIUM": "/nonexistent/chromium"}, ["needs chromium", "make"]),
    ],
)
def test_a_missing_engine_is_named_before_any_output(tmp_path, environment, words):
    source = with_option(tmp_path, OPTION)
    out = tmp_path / "out"
    result = subprocess.run(
        [sys.executable, "-m", "publisher", "build", "pdf", "--source", source, "--out", out],
        capture_output=True, text=True, env={**os.environ, **environment}, check=False,
    )  # fmt: skip
    assert result.returncode != 0
    for word in words:
        assert word in result.stderr, result.stderr
    assert not list(out.rglob("*.pdf"))


@pytest.mark.parametrize(
    ("option", "words"),
    [
        ("pdf: {vertical: [zh-Hant]}\n", ["edition.yaml:18:", "pdf.vertical", "does not publish"]),
        ("pdf: {vertical: [zh-Hant-XX]}\n", ["edition.yaml:18:", "unknown variant"]),
        ("pdf: {vertical: [zh-Hant-TW], archival: true}\n", ["edition.yaml:18:", "PDF/A"]),
    ],
)
def test_vertical_option_validated_with_its_line(tmp_path, option, words):
    source = with_option(tmp_path, option)
    result = run_publisher("check", "--source", source)
    assert result.returncode == 1, result.stderr
    for word in words:
        assert word in result.stderr, result.stderr


@pytest.mark.parametrize("tag", VERTICAL)
def test_the_kai_bylines_brackets_turn_with_the_column(built, tag):
    """AR PL UKai has no vertical forms: the byline is set in it, but its brackets come
    from the body's face (vertical-pdf.yaml `borrow`), which turns them."""
    _, out = built
    with pdfplumber.open(pdf_of(out, tag, SLUGS[0])) as pdf:
        chars = [c for page in pdf.pages for c in page.chars]
    kai = "".join(c["text"] for c in chars if "UKai" in c["fontname"])
    assert kai == "孝義市陽泉曲鎮", kai
    brackets = [c for c in chars if c["text"] in "（）"][-2:]  # the byline's, at the end
    assert [c["text"] for c in brackets] == ["（", "）"]
    assert all("NotoSerifCJK" in c["fontname"] for c in brackets), brackets


@pytest.mark.parametrize("tag", VERTICAL)
def test_publisher_verify_passes_the_vertical_pdfs(built, tag):
    """`publisher verify`'s PDF checks: fonts embedded and mapped, every glyph present,
    tagged, with a language, and every figure with its alt text (chromium's Figure
    around a picture and its caption becomes a Div)."""
    _, out = built
    for path in (pdf_of(out, tag), pdf_of(out, tag, SLUGS[0])):
        failed = [check for check in pdf_checks(path) if not check.passed]
        assert not failed, (path, failed)
