"""Make the reference document pandoc takes its DOCX styles from.

Reviewable and reproducible instead of a hand-edited binary: it starts from
pandoc's own default reference.docx and sets, with python-docx, the page, the
East Asian fonts and language, and one named paragraph style per part of a
news article. publisher runs :func:`build` with the fonts of a variant (see
docx-fonts.yaml beside this file, plus the edition's ``docx: fonts:``) and
the edition's page; run it by hand to look at the result:

    .venv/bin/python styles/docx_reference.py /tmp/reference.docx [zh-Hant-TW]

Style names, as editors see them in Word's style pane:

    Kicker, Heading 1 (the headline), Subtitle, Body Text / First Paragraph,
    Image Caption / Table Caption, Block Text (quotations), Footnote Text,
    Byline; Heading 2-4 for subheads inside an article; Title, Publisher,
    Date, TOC Heading and TOC 1 for the edition's title page and contents.
"""

from __future__ import annotations

import io
import itertools
import re
import sys
from pathlib import Path

from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT, WD_TAB_LEADER
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

# pandoc as publisher runs it: the project's own binary, in its sandbox.
from publisher.base.pandoc import run_pandoc_binary

# A4 with margins that give a comfortable 36-character line in 10.5 pt (五号).
# The edition's page (edition.yaml `pdf:`) replaces these, in millimetres.
PAGE = {"width": 210, "height": 297, "top": 25, "bottom": 25, "left": 28, "right": 28}
BODY_SIZE = Pt(10.5)  # 五号, the size of Chinese body text in Word
HEADLINE_SIZE = Pt(22)  # 二号
TITLE_SIZE = Pt(26)  # 一号
KICKER_SIZE = Pt(12)  # 小四
SUBTITLE_SIZE = Pt(14)  # 四号
SMALL_SIZE = Pt(9)  # 小五: captions and footnotes
# Line spacing of running text: Chinese text set solid is hard to edit on screen.
BODY_LINE_SPACING = 1.25

# Styles whose text is a headline or label: set in the heading (sans) faces.
HEADING_STYLES = (
    "Title",
    "Subtitle",
    "Kicker",
    "Heading 1",
    "Heading 2",
    "Heading 3",
    "Heading 4",
    "TOC Heading",
)
THEME_ATTRIBUTES = ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme")

# The styles an editor works with, shown in Word's style gallery (w:qFormat).
# The DOCX writer removes every other style the document does not use: pandoc's
# reference document brings about 60 (code tokens, Heading 5-9, Abstract …).
EDITOR_STYLES = (
    "Normal", "Body Text", "Kicker", "Heading 1", "Subtitle", "Byline", "Heading 2",
    "Heading 3", "Heading 4", "Block Text", "Image Caption", "Table Caption",
    "Footnote Text", "Title", "Publisher", "Date", "TOC Heading",
)  # fmt: skip

# What Word and LibreOffice need to substitute a face a machine lacks
# (w:font in fontTable.xml): the family class (roman = serif, swiss = sans,
# modern = fixed pitch), PANOSE, the Windows character set (86 GB2312,
# 88 Big5, 00 ANSI) and the pitch. Values as the Windows faces declare them.
# Noto CJK's regions and the Windows character set of each: GB2312 for SC, Big5 else.
REGIONS = (("SC", "86"), ("TC", "88"), ("HK", "88"))
FACES = {
    "SimSun": ("roman", "02010600030101010101", "86", "variable"),
    "SimHei": ("modern", "02010609060101010101", "86", "fixed"),
    "PMingLiU": ("roman", "02020500000000000000", "88", "variable"),
    "MingLiU": ("modern", "02020509000000000000", "88", "fixed"),
    "MingLiU_HKSCS": ("roman", "02020500000000000000", "88", "variable"),
    "Microsoft JhengHei": ("swiss", "020B0604030504040204", "88", "variable"),
    "Microsoft YaHei": ("swiss", "020B0503020204020204", "86", "variable"),
    "DFKai-SB": ("script", "03000509000000000000", "88", "fixed"),
    "KaiTi": ("modern", "02010609060101010101", "86", "fixed"),
    "Times New Roman": ("roman", "02020603050405020304", "00", "variable"),
    "Arial": ("swiss", "020B0604020202020204", "00", "variable"),
    "Georgia": ("roman", "02040502050405020303", "00", "variable"),
    # The free faces (fonts-noto-cjk), as their OS/2 tables declare them.
    **{f"Noto Serif CJK {r}": ("roman", "02020400000000000000", c, "variable") for r, c in REGIONS},
    **{f"Noto Sans CJK {r}": ("swiss", "020B0500000000000000", c, "variable") for r, c in REGIONS},
}
# A face not in FACES is described by its role: the body is serif, headlines sans.
ROLE_FAMILY = {"body": "roman", "latin": "roman", "heading": "swiss", "latin_heading": "swiss"}


def _set_fonts(element, east_asia: str, latin: str) -> None:
    """Name every script's font outright: a theme font (DengXian, Calibri) may be missing."""
    fonts = element.get_or_add_rPr().get_or_add_rFonts()
    for attribute in ("w:ascii", "w:hAnsi", "w:cs"):
        fonts.set(qn(attribute), latin)
    fonts.set(qn("w:eastAsia"), east_asia)
    for theme in THEME_ATTRIBUTES:
        fonts.attrib.pop(qn(theme), None)


def _set_language(rpr, word_language: str) -> None:
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:val"), "en-US")  # Latin words inside Chinese text are mostly English
    lang.set(qn("w:eastAsia"), word_language)


def _indent_chars(style, *, first_line: int = 0, left: int = 0, right: int = 0) -> None:
    """Indents in hundredths of a character (200 = two characters), as Chinese text wants.

    Word measures ``*Chars`` against the style's font size; the twips beside
    them are what older readers (and LibreOffice) fall back on.
    """
    size = style.font.size or BODY_SIZE
    ppr = style.element.get_or_add_pPr()
    ind = ppr.find(qn("w:ind"))
    if ind is not None:
        ppr.remove(ind)
    ind = OxmlElement("w:ind")
    for name, hundredths in (("firstLine", first_line), ("left", left), ("right", right)):
        ind.set(qn(f"w:{name}Chars"), str(hundredths))
        ind.set(qn(f"w:{name}"), str(round(size.pt * 20 * hundredths / 100)))
    # Schema order: w:ind comes after spacing and before jc; python-docx inserts jc later.
    spacing = ppr.find(qn("w:spacing"))
    if spacing is not None:
        spacing.addnext(ind)
    else:
        ppr.append(ind)


def _paragraph_style(document, name: str, base: str = "Normal"):
    styles = document.styles
    existing = {style.name: style for style in styles}
    if name in existing:
        return existing[name]
    style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    style.base_style = existing[base]
    style.quick_style = True
    return style


def _plain(style) -> None:
    """Black, upright: pandoc's defaults colour headings blue and slant captions,
    and a slanted Chinese face is a distorted one."""
    style.font.color.rgb = None
    rpr = style.element.get_or_add_rPr()
    for tag in ("w:color", "w:i", "w:iCs"):
        for element in rpr.findall(qn(tag)):
            rpr.remove(element)
    if style.type == WD_STYLE_TYPE.PARAGRAPH:
        # pandoc's Subtitle is numbered (w:numPr) for its own reasons; an article's is not.
        ppr = style.element.get_or_add_pPr()
        for element in ppr.findall(qn("w:numPr")):
            ppr.remove(element)


def _spacing(style, before: float, after: float) -> None:
    style.paragraph_format.space_before = Pt(before)
    style.paragraph_format.space_after = Pt(after)


def _set_page(section, page: dict[str, float]) -> None:
    section.page_width, section.page_height = Mm(page["width"]), Mm(page["height"])
    section.top_margin, section.bottom_margin = Mm(page["top"]), Mm(page["bottom"])
    section.left_margin, section.right_margin = Mm(page["left"]), Mm(page["right"])
    section.header_distance = section.footer_distance = Mm(min(12, page["bottom"] / 2))


def _page_number_footer(section) -> None:
    """A centred page number: editors refer to pages when they call each other."""
    paragraph = section.footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = paragraph.add_run()
    for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), ("end", None)):
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        else:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = text
        run._r.append(element)


def _theme_fonts(document, fonts: dict[str, str]) -> None:
    """The theme's East Asian and Latin faces too, for text that asks for the theme's font."""
    for part in document.part.package.iter_parts():
        if part.partname.endswith("/theme1.xml"):
            xml = part.blob.decode("utf-8")
            for group, east_asia, latin in (
                ("majorFont", fonts["heading"], fonts["latin_heading"]),
                ("minorFont", fonts["body"], fonts["latin"]),
            ):

                def faces(match: re.Match, east_asia=east_asia, latin=latin) -> str:
                    block = re.sub(
                        r'<a:latin typeface="[^"]*"', f'<a:latin typeface="{latin}"', match[0]
                    )
                    block = re.sub(
                        r'<a:ea typeface="[^"]*"', f'<a:ea typeface="{east_asia}"', block
                    )
                    return re.sub(
                        r'(<a:font script="Han[st]" typeface=)"[^"]*"', rf'\1"{east_asia}"', block
                    )

                xml = re.sub(rf"<a:{group}>.*?</a:{group}>", faces, xml, flags=re.S)
            part._blob = xml.encode("utf-8")


def _font_table(document, fonts: dict[str, str]) -> None:
    """fontTable.xml naming the variant's faces, with what a substitute is chosen by.

    ``w:altName`` is the Windows face of the same design and region (``body_alt``,
    ``heading_alt`` in docx-fonts.yaml): Word on a machine without Noto Serif CJK TC
    sets the body in PMingLiU, a Ming (serif) face, as the design asks.
    """
    charset = {"zh-CN": "86"}.get(fonts["word_language"], "88")
    entries = []
    for role in ("body", "heading", "latin", "latin_heading"):
        name = fonts[role]
        if name in (entry[0] for entry in entries):
            continue
        unknown = (ROLE_FAMILY[role], None, charset if role in ("body", "heading") else "00")
        family, panose, known_charset, pitch = FACES.get(name, (*unknown, "variable"))
        entries.append((name, fonts.get(f"{role}_alt"), family, panose, known_charset, pitch))
    xml = [
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<w:fonts xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
    ]
    for name, alternative, family, panose, font_charset, pitch in entries:
        xml.append(f'<w:font w:name="{name}">')
        if alternative and alternative != name:
            xml.append(f'<w:altName w:val="{alternative}"/>')
        if panose:
            xml.append(f'<w:panose1 w:val="{panose}"/>')
        xml.append(
            f'<w:charset w:val="{font_charset}"/><w:family w:val="{family}"/>'
            f'<w:pitch w:val="{pitch}"/></w:font>'
        )
    xml.append("</w:fonts>")
    for part in document.part.package.iter_parts():
        if part.partname.endswith("/fontTable.xml"):
            part._blob = "".join(xml).encode("utf-8")


# The settings children that follow w:updateFields in ECMA-376's sequence.
AFTER_UPDATE_FIELDS = (
    "w:hdrShapeDefaults", "w:footnotePr", "w:endnotePr", "w:compat", "w:docVars", "w:rsids",
    "m:mathPr", "w:attachedSchema", "w:themeFontLang", "w:clrSchemeMapping",
    "w:doNotIncludeSubdocsInStats", "w:doNotAutoCompressPictures", "w:forceUpgrade",
    "w:captions", "w:readModeInkLockDown", "w:smartTagType", "sl:schemaLibrary",
    "w:shapeDefaults", "w:doNotEmbedSmartTags", "w:decimalSymbol", "w:listSeparator",
)  # fmt: skip


def _settings(document) -> None:
    """Compress punctuation as Word can (adjacent marks, as the PDF sets them), and
    have Word update the fields on opening, so the contents get Word's own page numbers."""
    settings = document.settings.element
    control = settings.find(qn("w:characterSpacingControl"))
    control.set(qn("w:val"), "compressPunctuation")
    update = settings.find(qn("w:updateFields"))
    if update is None:
        update = OxmlElement("w:updateFields")
        # In its place in ECMA-376's sequence: Word refuses a settings part out of order.
        following = next(
            (e for e in (settings.find(qn(t)) for t in AFTER_UPDATE_FIELDS) if e is not None), None
        )
        if following is None:
            settings.append(update)
        else:
            following.addprevious(update)
    update.set(qn("w:val"), "true")


def _clean_style_set(document) -> None:
    """One style per idea: no linked character styles, the editor's styles in the gallery.

    pandoc's reference links Heading 1, Title, Body Text … to character styles of
    their own (a blue 20-pt "Heading 1 Char"); without the links those are unused
    and the writer drops them with the rest of pandoc's leftovers.
    """
    styles = document.styles.element
    for style in styles.iterfind(qn("w:style")):
        for link in style.findall(qn("w:link")):
            style.remove(link)
        based = style.find(qn("w:basedOn"))
        if based is not None and based.get(qn("w:val")) == "BodyTextChar":
            based.set(qn("w:val"), "DefaultParagraphFont")
        for quick in style.findall(qn("w:qFormat")):
            style.remove(quick)
    for name in EDITOR_STYLES:
        document.styles[name].quick_style = True
    if document.styles.element.find(f"{qn('w:style')}[@{qn('w:styleId')}='TableNormal']") is None:
        # pandoc's Table style (the default for tables) is based on Word's built-in
        # "Normal Table", which its reference document never defines.
        table_normal = OxmlElement("w:style")
        table_normal.set(qn("w:type"), "table")
        table_normal.set(qn("w:styleId"), "TableNormal")
        for tag, value in (("w:name", "Normal Table"), ("w:uiPriority", "99")):
            child = OxmlElement(tag)
            child.set(qn("w:val"), value)
            table_normal.append(child)
        table_normal.append(OxmlElement("w:semiHidden"))
        table_normal.append(OxmlElement("w:unhideWhenUsed"))
        properties = OxmlElement("w:tblPr")
        margins = OxmlElement("w:tblCellMar")
        for side, width in (("top", 0), ("left", 108), ("bottom", 0), ("right", 108)):
            margin = OxmlElement(f"w:{side}")
            margin.set(qn("w:w"), str(width))
            margin.set(qn("w:type"), "dxa")
            margins.append(margin)
        properties.append(margins)
        table_normal.append(properties)
        styles.append(table_normal)


def _theme_language(document, word_language: str) -> None:
    """Word picks the theme's East Asian script from ``w:themeFontLang``."""
    settings = document.settings.element
    lang = settings.find(qn("w:themeFontLang"))
    if lang is None:
        lang = OxmlElement("w:themeFontLang")
        settings.append(lang)
    lang.set(qn("w:val"), "en-US")
    lang.set(qn("w:eastAsia"), word_language)


# The pPr children that follow autoSpaceDE/autoSpaceDN in ECMA-376's sequence.
AFTER_AUTO_SPACE = (
    "w:bidi", "w:adjustRightInd", "w:snapToGrid", "w:spacing", "w:ind", "w:contextualSpacing",
    "w:mirrorIndents", "w:suppressOverlap", "w:jc", "w:textDirection", "w:textAlignment",
    "w:textboxTightWrap", "w:outlineLvl", "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr",
    "w:pPrChange",
)  # fmt: skip


def _apply_look(styles, look: dict) -> None:
    """edition.yaml's ``style:``: the body's size and line height, and the colours of
    kicker, headline and byline, as the PDF, EPUB and web edition have them."""
    if "body_size" in look:
        for name in ("Normal", "Body Text", "First Paragraph"):
            styles[name].font.size = Pt(look["body_size"])
    if "line_height" in look:
        for name in ("Body Text", "First Paragraph"):
            styles[name].paragraph_format.line_spacing = look["line_height"]
    for key, name in (
        ("kicker_color", "Kicker"),
        ("headline_color", "Heading 1"),
        ("byline_color", "Byline"),
    ):
        if key in look:
            styles[name].font.color.rgb = RGBColor.from_string(look[key])


def build(
    target: Path,
    fonts: dict[str, str],
    page: dict[str, float] | None = None,
    *,
    look: dict | None = None,
) -> None:
    """Write the reference document for one variant's ``fonts`` and the ``page`` (mm);
    ``look`` is edition.yaml's ``style:`` (body_size in points, line_height, and
    kicker_color, headline_color, byline_color as RRGGBB), applied last."""
    page = {**PAGE, **(page or {})}
    default = run_pandoc_binary(["--print-default-data-file", "reference.docx"], "")
    document = Document(io.BytesIO(default))

    section = document.sections[0]
    _set_page(section, page)
    _page_number_footer(section)
    # The footer's paragraph style, which pandoc's reference uses without defining it.
    footer = _paragraph_style(document, "Footer")
    footer.element.find(qn("w:name")).set(qn("w:val"), "footer")  # Word's built-in name
    footer.element.set(qn("w:styleId"), "Footer")  # as the footer part refers to it
    footer.element.attrib.pop(qn("w:customStyle"), None)
    footer.quick_style = False
    footer.font.size = SMALL_SIZE
    footer.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER

    # Document defaults and every style name their fonts: no style falls back
    # on the theme, whose East Asian face (DengXian) many editors lack.
    defaults = document.styles.element.find(qn("w:docDefaults"))
    default_rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    fonts_element = default_rpr.find(qn("w:rFonts"))
    for theme in THEME_ATTRIBUTES:
        fonts_element.attrib.pop(qn(theme), None)
    for attribute in ("w:ascii", "w:hAnsi", "w:cs"):
        fonts_element.set(qn(attribute), fonts["latin"])
    fonts_element.set(qn("w:eastAsia"), fonts["body"])
    _set_language(default_rpr, fonts["word_language"])
    for style in document.styles:
        rfonts = style.element.rPr.find(qn("w:rFonts")) if style.element.rPr is not None else None
        if rfonts is not None and any(rfonts.get(qn(a)) for a in THEME_ATTRIBUTES):
            _set_fonts(style.element, fonts["body"], fonts["latin"])

    styles = document.styles
    normal = styles["Normal"]
    _set_fonts(normal.element, fonts["body"], fonts["latin"])
    _set_language(normal.element.get_or_add_rPr(), fonts["word_language"])
    normal.font.size = BODY_SIZE
    # Word (and LibreOffice) put extra space between Chinese and Latin letters or
    # digits by default (3 名); Chinese news sets 3名.
    defaults = styles.element.find(qn("w:docDefaults"))
    paragraph_defaults = defaults.find(qn("w:pPrDefault"))
    if paragraph_defaults is None:
        paragraph_defaults = OxmlElement("w:pPrDefault")
        defaults.append(paragraph_defaults)
    default_ppr = paragraph_defaults.find(qn("w:pPr"))
    if default_ppr is None:
        default_ppr = OxmlElement("w:pPr")
        paragraph_defaults.append(default_ppr)
    for ppr, name in itertools.product(
        (default_ppr, normal.element.get_or_add_pPr()), ("w:autoSpaceDE", "w:autoSpaceDN")
    ):
        setting = ppr.find(qn(name))
        if setting is None:
            setting = OxmlElement(name)
            # In the place the schema gives it: Word and LibreOffice skip it elsewhere.
            successors = [ppr.find(qn(tag)) for tag in AFTER_AUTO_SPACE]
            following = next((e for e in successors if e is not None), None)
            if following is None:
                ppr.append(setting)
            else:
                following.addprevious(setting)
        setting.set(qn("w:val"), "0")

    # Body text: two-character first-line indent, justified, no gap between paragraphs.
    for name in ("Body Text", "First Paragraph"):
        style = _paragraph_style(document, name)
        _spacing(style, 0, 0)
        style.paragraph_format.line_spacing = BODY_LINE_SPACING
        _indent_chars(style, first_line=200)
        style.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        style.paragraph_format.widow_control = True

    for name in HEADING_STYLES:
        style = _paragraph_style(document, name)
        _set_fonts(style.element, fonts["heading"], fonts["latin_heading"])
        _plain(style)
        style.paragraph_format.keep_with_next = True

    # The edition's title page.
    title = styles["Title"]
    title.font.size = TITLE_SIZE
    title.font.bold = True
    title.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _spacing(title, 120, 36)
    for name in ("Publisher", "Date"):
        style = _paragraph_style(document, name)
        _plain(style)
        style.font.size = SUBTITLE_SIZE
        style.font.bold = False
        style.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _spacing(style, 6, 6)

    # An article's headline structure: 引题, 主题, 副题, and the credit at the end.
    kicker = _paragraph_style(document, "Kicker")
    kicker.font.size = KICKER_SIZE
    kicker.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _spacing(kicker, 0, 6)

    headline = styles["Heading 1"]
    headline.font.size = HEADLINE_SIZE
    headline.font.bold = True
    headline.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _spacing(headline, 0, 6)

    subtitle = styles["Subtitle"]
    subtitle.font.size = SUBTITLE_SIZE
    subtitle.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    subtitle.font.bold = False
    _spacing(subtitle, 0, 12)

    for name, size in (("Heading 2", Pt(14)), ("Heading 3", Pt(12)), ("Heading 4", BODY_SIZE)):
        style = styles[name]
        style.font.size = size
        style.font.bold = True
        style.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.LEFT
        _spacing(style, 12, 6)

    byline = _paragraph_style(document, "Byline")
    _plain(byline)
    byline.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    _spacing(byline, 6, 12)

    # Figures and their captions.
    for name in ("Figure", "Captioned Figure"):
        style = _paragraph_style(document, name)
        style.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
        style.paragraph_format.keep_with_next = True
        _spacing(style, 6, 0)
    caption = _paragraph_style(document, "Caption")
    _plain(caption)
    caption.font.size = SMALL_SIZE
    for name in ("Caption", "Image Caption", "Table Caption"):
        style = _paragraph_style(document, name, "Caption")
        style.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _spacing(style, 3, 9)

    # Quotations: indented two characters on both sides, as a Chinese page sets them.
    quote = _paragraph_style(document, "Block Text", "Body Text")
    _spacing(quote, 6, 6)
    _indent_chars(quote, first_line=200, left=200, right=200)

    # Footnotes: smaller, justified, hanging free of the body's first-line indent.
    footnote = _paragraph_style(document, "Footnote Text")
    footnote.font.size = SMALL_SIZE
    footnote.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    _spacing(footnote, 0, 2)

    # The contents: its heading, and one entry per article with the page on the right.
    toc_heading = styles["TOC Heading"]
    toc_heading.font.size = Pt(16)
    toc_heading.font.bold = True
    toc_heading.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _spacing(toc_heading, 24, 12)
    toc = _paragraph_style(document, "TOC 1")
    # Word's built-in "toc 1", which its TOC field fills entries with.
    toc.element.find(qn("w:name")).set(qn("w:val"), "toc 1")
    toc.element.attrib.pop(qn("w:customStyle"), None)
    toc.paragraph_format.space_after = Pt(6)
    text_width = Mm(page["width"] - page["left"] - page["right"])
    toc.paragraph_format.tab_stops.add_tab_stop(
        text_width, WD_TAB_ALIGNMENT.RIGHT, WD_TAB_LEADER.DOTS
    )

    _apply_look(styles, look or {})
    _theme_fonts(document, fonts)
    _theme_language(document, fonts["word_language"])
    _font_table(document, fonts)
    _settings(document)
    _clean_style_set(document)
    document.core_properties.title = ""
    document.save(str(target))


if __name__ == "__main__":
    import yaml

    fonts_file = Path(__file__).with_name("docx-fonts.yaml")
    variant = sys.argv[2] if len(sys.argv) > 2 else "zh-Hans"
    build(Path(sys.argv[1]), yaml.safe_load(fonts_file.read_text(encoding="utf-8"))[variant])
