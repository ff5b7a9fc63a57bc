"""The sample's canonical sources are faithful to the raw newspaper page."""

from __future__ import annotations

from articles import article_files, body_paragraphs, front_matter
from conftest import FIXTURES, SAMPLE
from PIL import Image

from publisher.commands import placeholder

# Page breaks split these paragraphs in the raw copy; the canonical text joins them.
PAGE_BREAKS = ("圆满", "新兴产")
# GB/T 15834: Chinese text takes full-width punctuation.
ASCII_TO_CHINESE = str.maketrans({",": "，", ":": "：", "(": "（", ")": "）"})


def raw_articles() -> list[dict]:
    """The raw page split into articles: headline line, body paragraphs, credit."""
    lines = [line.strip() for line in (FIXTURES / "raw-page.txt").read_text().split("\n")]
    paragraphs: list[str] = []
    for line in filter(None, lines):
        if paragraphs and paragraphs[-1].endswith(PAGE_BREAKS):
            paragraphs[-1] += line
        else:
            paragraphs.append(line)
    articles: list[dict] = []
    for paragraph in paragraphs:
        if paragraph.startswith("山西省") and len(paragraph) < 40:
            articles.append({"headline": paragraph, "body": [], "figures": 0})
        elif paragraph.startswith("(") and paragraph.endswith(")"):
            articles[-1]["credit"] = paragraph[1:-1]
        elif paragraph == "资料图片":
            articles[-1]["figures"] += 1
        else:
            articles[-1]["body"].append(paragraph)
    return articles


def test_four_articles_in_page_order():
    raw = raw_articles()
    files = article_files(SAMPLE)
    assert len(raw) == len(files) == 4
    for article, path in zip(raw, files, strict=True):
        meta = front_matter(path)
        # The headline line is kicker + title halves, separated by spaces or a colon.
        headline = article["headline"].replace("：", "").split()
        assert meta["kicker"] == headline[0]
        assert meta["title"].split("\u3000") == headline[1:]


def test_bodies_verbatim_but_for_page_breaks_and_punctuation():
    for article, path in zip(raw_articles(), article_files(SAMPLE), strict=True):
        expected = [p.translate(ASCII_TO_CHINESE) for p in article["body"]]
        assert body_paragraphs(path) == expected


def test_no_ascii_punctuation_left_in_chinese_text():
    for path in article_files(SAMPLE):
        for paragraph in body_paragraphs(path):
            assert not set(paragraph) & set(",:()"), paragraph


def test_page_breaks_mended():
    text = "".join("".join(body_paragraphs(p)) for p in article_files(SAMPLE))
    assert "圆满完成“奏响新时代" in text
    assert "新兴产业模式和经营业态" in text


def test_bylines_are_metadata_not_body():
    for article, path in zip(raw_articles(), article_files(SAMPLE), strict=True):
        meta = front_matter(path)
        assert meta["byline"].split() == article["credit"].split()
        bracketed = f"（{article['credit']}）"
        assert all(bracketed not in p for p in body_paragraphs(path))
    assert "authors" not in front_matter(article_files(SAMPLE)[0])  # an institution


def test_photos_are_figures_with_named_placeholders():
    for article, path in zip(raw_articles(), article_files(SAMPLE), strict=True):
        text = path.read_text(encoding="utf-8")
        assert text.count("![资料图片](../images/placeholder-photo-") == article["figures"]
        assert text.count('{alt="') == article["figures"]
    assert sorted(p.name for p in (SAMPLE / "images").glob("*.png")) == [
        "placeholder-photo-1.png",
        "placeholder-photo-2.png",
    ]


def test_placeholder_photos_carry_no_text():
    """The same photo stands in every variant's edition, so it holds no text in either
    script: only the flat grey levels of its frame, cross and pictogram, none of the
    in-between levels antialiased letters leave. The committed files are the drawing's."""
    levels = {placeholder.BACKGROUND, placeholder.FRAME, placeholder.CROSS, placeholder.PICTURE}
    for number in (1, 2):
        path = SAMPLE / "images" / f"placeholder-photo-{number}.png"
        assert path.read_bytes() == placeholder.placeholder_png(number)
        with Image.open(path) as image:
            assert {value for _, value in image.getcolors()} == levels
