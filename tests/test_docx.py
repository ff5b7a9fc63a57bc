"""The DOCX edition, opened with python-docx and read as XML."""

from __future__ import annotations

import docx
from articles import article_files, body_paragraphs, front_matter
from conftest import SAMPLE
from outputs import NS, zip_xml

W = f"{{{NS['w']}}}"


def paragraphs_by_style(document, style: str) -> list[str]:
    return [p.text for p in document.paragraphs if p.style.name == style]


def test_article_structure_in_named_styles(sample_files):
    document = docx.Document(sample_files["docx"])
    metas = [front_matter(p) for p in article_files(SAMPLE)]
    assert paragraphs_by_style(document, "Kicker") == [m["kicker"] for m in metas]
    assert paragraphs_by_style(document, "Heading 1") == [m["title"] for m in metas]
    assert paragraphs_by_style(document, "Byline") == [f"（{m['byline']}）" for m in metas]
    text = [p.text for p in document.paragraphs]
    for path in article_files(SAMPLE):
        for paragraph in body_paragraphs(path):
            assert paragraph in text


def test_figures_embedded_with_captions_and_alt_text(sample_files):
    document = docx.Document(sample_files["docx"])
    assert len(document.inline_shapes) == 2
    assert paragraphs_by_style(document, "Image Caption") == ["资料图片", "资料图片"]
    body = zip_xml(sample_files["docx"], "word/document.xml")
    descriptions = [e.get("descr") for e in body.iter() if e.tag.endswith("}docPr")]
    assert all(d.startswith("资料图片占位图") for d in descriptions)


def test_east_asian_font_and_language(sample_files):
    styles = zip_xml(sample_files["docx"], "word/styles.xml")
    normal = styles.find(".//w:style[@w:styleId='Normal']", NS)
    assert normal.find(".//w:rFonts", NS).get(W + "eastAsia") == "SimSun"
    # Word's name for the language of mainland Chinese text.
    assert normal.find(".//w:lang", NS).get(W + "eastAsia") == "zh-CN"
    body_text = styles.find(".//w:style[@w:styleId='BodyText']", NS)
    assert body_text.find(".//w:ind", NS).get(W + "firstLineChars") == "200"
    assert body_text.find(".//w:jc", NS).get(W + "val") == "both"


def test_page_is_a4(sample_files):
    section = docx.Document(sample_files["docx"]).sections[-1]
    assert round(section.page_width.mm) == 210 and round(section.page_height.mm) == 297


def test_core_properties(sample_files):
    properties = docx.Document(sample_files["docx"]).core_properties
    assert properties.title == "山西乡村振兴"
    assert properties.modified.year == 2024
