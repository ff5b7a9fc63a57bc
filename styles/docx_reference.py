"""Make the reference document pandoc takes its DOCX styles from.

Reviewable and reproducible instead of a hand-edited binary: it starts from
pandoc's own default reference.docx and sets, with python-docx, the page, the
East Asian fonts and language, and one named paragraph style per part of a
news article. publisher runs :func:`build` with the fonts of a variant (see
docx-fonts.yaml beside this file); run it by hand to look at the result:

    .venv/bin/python styles/docx_reference.py /tmp/reference.docx
"""

from __future__ import annotations

import sys
from pathlib import Path

import pypandoc
from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

# A4 with margins that give a comfortable 36-character line in 10.5 pt (五号).
PAGE = {
    "width": Mm(210),
    "height": Mm(297),
    "top": Mm(25),
    "bottom": Mm(25),
    "left": Mm(28),
    "right": Mm(28),
}
BODY_SIZE = Pt(10.5)


def _set_fonts(style, east_asia: str, latin: str) -> None:
    fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    for attribute in ("w:ascii", "w:hAnsi", "w:cs"):
        fonts.set(qn(attribute), latin)
    fonts.set(qn("w:eastAsia"), east_asia)
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(theme), None)


def _set_language(style, word_language: str) -> None:
    rpr = style.element.get_or_add_rPr()
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:eastAsia"), word_language)


def _indent_first_line_chars(style, hundredths: int) -> None:
    """First-line indent in characters (200 = two characters), as Chinese text wants."""
    ppr = style.element.get_or_add_pPr()
    ind = ppr.find(qn("w:ind"))
    if ind is None:
        ind = OxmlElement("w:ind")
        ppr.append(ind)
    ind.set(qn("w:firstLineChars"), str(hundredths))
    ind.set(qn("w:firstLine"), str(int(BODY_SIZE.pt * 20 * hundredths / 100)))


def _paragraph_style(document, name: str, base: str = "Normal"):
    styles = document.styles
    if name in [style.name for style in styles]:
        return styles[name]
    style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    style.base_style = styles[base]
    style.quick_style = True
    return style


def build(target: Path, fonts: dict[str, str]) -> None:
    """Write the reference document for one variant's ``fonts`` to ``target``."""
    default = Path(target).with_suffix(".pandoc-default.docx")
    pypandoc.convert_text(
        "",
        "docx",
        format="markdown",
        outputfile=str(default),
        extra_args=["--print-default-data-file", "reference.docx"],
    )
    document = Document(str(default))
    default.unlink()

    section = document.sections[0]
    section.page_width, section.page_height = PAGE["width"], PAGE["height"]
    section.top_margin, section.bottom_margin = PAGE["top"], PAGE["bottom"]
    section.left_margin, section.right_margin = PAGE["left"], PAGE["right"]

    styles = document.styles
    normal = styles["Normal"]
    _set_fonts(normal, fonts["body"], fonts["latin"])
    _set_language(normal, fonts["word_language"])
    normal.font.size = BODY_SIZE

    for name in ("Body Text", "First Paragraph"):
        style = _paragraph_style(document, name)
        _indent_first_line_chars(style, 200)
        style.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY

    for name in ("Title", "Heading 1", "Heading 2", "Heading 3", "Subtitle"):
        style = _paragraph_style(document, name)
        _set_fonts(style, fonts["heading"], fonts["latin_heading"])
        style.font.color.rgb = None

    headline = styles["Heading 1"]
    headline.font.size = Pt(22)
    headline.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER

    kicker = _paragraph_style(document, "Kicker")
    kicker.font.size = Pt(12)
    kicker.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    kicker.paragraph_format.keep_with_next = True

    subtitle = styles["Subtitle"]
    subtitle.font.size = Pt(14)
    subtitle.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER

    byline = _paragraph_style(document, "Byline")
    byline.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    _set_fonts(byline, fonts["heading"], fonts["latin_heading"])

    for name in ("Image Caption", "Captioned Figure", "Figure"):
        style = _paragraph_style(document, name)
        style.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER

    document.core_properties.title = ""
    document.save(str(target))


if __name__ == "__main__":
    import yaml

    fonts_file = Path(__file__).with_name("docx-fonts.yaml")
    build(Path(sys.argv[1]), yaml.safe_load(fonts_file.read_text(encoding="utf-8"))["zh-Hans"])
