"""The PDF edition, read back with poppler."""

from __future__ import annotations

from articles import article_files, body_paragraphs, front_matter, squeeze
from conftest import SAMPLE
from outputs import pdf_fonts, pdf_images, pdf_text
from pypdf import PdfReader


def test_every_font_embedded_and_chinese_in_noto_cjk(sample_files):
    fonts = pdf_fonts(sample_files["pdf"])
    assert fonts
    for font in fonts:
        assert font["emb"] == "yes", font
        assert font["sub"] == "yes", font  # subset: CJK fonts are large
        assert font["uni"] == "yes", font  # text can be extracted and searched
        assert "Type 3" not in font["type"], font
    # The body face is the Simplified-Chinese Noto Serif, set explicitly.
    assert any(font["name"].endswith("+Noto-Serif-CJK-SC") for font in fonts)
    assert not any("JP" in font["name"] or "KR" in font["name"] for font in fonts)


def test_text_holds_every_article(sample_files):
    text = squeeze(pdf_text(sample_files["pdf"]))
    for path in article_files(SAMPLE):
        meta = front_matter(path)
        for paragraph in body_paragraphs(path):
            assert squeeze(paragraph) in text, paragraph[:30]
        assert squeeze(meta["kicker"]) in text
        assert squeeze(meta["title"]) in text
        assert f"（{squeeze(meta['byline'])}）" in text
        assert "资料图片" in text


def test_structure_language_and_metadata(sample_files):
    reader = PdfReader(sample_files["pdf"])
    assert reader.trailer["/Root"]["/Lang"] == "zh-Hans"
    assert reader.metadata.title == "山西乡村振兴"
    outline = [item.title for item in reader.outline if not isinstance(item, list)]
    assert outline == [front_matter(p)["title"] for p in article_files(SAMPLE)]
    # Every article starts on a page of its own, after the cover and contents.
    starts = [
        reader.get_destination_page_number(item)
        for item in reader.outline
        if not isinstance(item, list)
    ]
    assert starts[0] >= 2 and starts == sorted(set(starts))
    # Images drawn: one figure in the first article, one in the last.
    # The figures: at the top of the first article, inside the last (pages count from 1).
    pages = [int(image["page"]) for image in pdf_images(sample_files["pdf"])]
    assert len(pages) == 2
    assert pages[0] == starts[0] + 1 and pages[1] >= starts[3] + 1
