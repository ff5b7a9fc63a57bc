"""DOCX for editors: pandoc writes the edition with the reference document made from ``styles/``.

The edition DOCX is a title page (title, publisher, date), the contents on
a page of their own, then one Word section per article: kicker, headline,
subtitle, body, figures, footnotes and byline, each in its named paragraph
style. A per-article DOCX is the article alone. pandoc writes the document;
afterwards this module gives each article its own section (page size, margins,
footer and footnote numbering copied from the reference document), marks every
run of Chinese text as East Asian, keeps only the styles an editor works with
or the document uses, and writes the core properties itself, because pandoc
would only set them together with its own title block.
"""

from __future__ import annotations

import io
import math
import re
import struct
import zipfile
from functools import partial
from pathlib import Path
from xml.sax.saxutils import escape

from lxml import etree

from publisher.base.config import NAMED_PAGES, length_mm, page_size_mm
from publisher.base.errors import warn
from publisher.base.model import Article, Edition, Node, anchor
from publisher.base.pandoc import run_pandoc_binary
from publisher.base.punctuation import CJK, NO_LINE_START, OPENING
from publisher.base.zipfiles import reproducible_zip
from publisher.document.headline import article_blocks, article_text
from publisher.document.links import prefix_ids, rewrite_xrefs
from publisher.document.pandoc_ast import iter_ast, plain, rewrite_images
from publisher.document.parse import report_pandoc_for
from publisher.read.paths import display_path
from publisher.read.sources import EDITION_FILE
from publisher.writers.base import Writer, WriterContext
from publisher.writers.fonts import report_uncovered
from publisher.writers.look import docx_faces, docx_look
from publisher.writers.typography import headline_parts

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W = f"{{{W_NS}}}"
# Placeholder paragraph at the end of each article but the last; filled with a
# copy of the document's own section properties after pandoc has run.
SECTION_END = "publisher-section-end"
SECTION_MARK: Node = {
    "t": "RawBlock",
    "c": [
        "openxml",
        f'<w:p><w:pPr><w:sectPr><w:type w:val="{SECTION_END}"/></w:sectPr></w:pPr></w:p>',
    ],
}

DEFAULT_PAGE = "A4"


def page_geometry(page_size: str, margins: str, where: str | None = None) -> dict[str, float]:
    """The DOCX page in millimetres from edition.yaml's ``pdf:`` CSS values.

    Word has a page size, not a page name: every size edition.yaml accepts (a name,
    optionally ``landscape``, or two lengths) maps exactly, by the configuration's
    own reading (``page_size_mm``); a config made in code with another gives A4,
    with a warning. Margins
    follow the CSS shorthand (one to four absolute lengths); if they cannot be
    read, the reference document's own margins stay.
    """
    size = page_size_mm(page_size)
    if size is None:  # edition.yaml's are checked: only a config made in code
        warn(
            f"pdf.page_size `{page_size}` has no Word equivalent; the DOCX is {DEFAULT_PAGE}",
            path=where,
        )
        size = NAMED_PAGES[DEFAULT_PAGE.lower()]
    width, height = size
    geometry = {"width": width, "height": height}
    values = [length_mm(v) for v in margins.split()]
    if 1 <= len(values) <= 4 and all(v is not None for v in values):
        top, right, bottom, left = (values * 4)[:4] if len(values) == 1 else _css_box(values)
        geometry.update(top=top, right=right, bottom=bottom, left=left)
    else:
        warn(
            f"pdf.margins `{margins}` are not absolute lengths; the DOCX keeps its own margins",
            path=where,
        )
    return geometry


def _css_box(values: list[float]) -> tuple[float, float, float, float]:
    """CSS shorthand of 2-4 values -> top, right, bottom, left."""
    if len(values) == 2:
        return values[0], values[1], values[0], values[1]
    if len(values) == 3:
        return values[0], values[1], values[2], values[1]
    return values[0], values[1], values[2], values[3]


def _paragraph(style: str, text: str) -> Node:
    return {
        "t": "Div",
        "c": [["", [], [["custom-style", style]]], [{"t": "Plain", "c": plain(text)}]],
    }


def bookmark(number: int) -> str:
    """The headline's bookmark, which the contents link to: a Word bookmark name
    (a letter first, then letters, digits and ``_``), else pandoc hashes it."""
    return f"article_{number}"


def _run(text: str) -> str:
    """A run of text, marked East Asian when it holds Chinese (see _east_asian_runs)."""
    hint = '<w:rPr><w:rFonts w:hint="eastAsia"/></w:rPr>' if CJK.search(text) else ""
    return f'<w:r>{hint}<w:t xml:space="preserve">{escape(text)}</w:t></w:r>'


def _field(instruction: str, result: str) -> str:
    """A complex field, marked for update (``w:dirty``); Word shows ``result`` until then."""
    return (
        '<w:r><w:fldChar w:fldCharType="begin" w:dirty="true"/></w:r>'
        f'<w:r><w:instrText xml:space="preserve"> {escape(instruction)} </w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
        f"<w:r><w:t>{escape(result)}</w:t></w:r>"
        '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
    )


def _contents(edition: Edition, pages: list[int]) -> Node:
    """The contents on a page of their own: one linked entry per headline, with its page.

    The page is a PAGEREF field to the headline's bookmark, as in Word's own
    contents. Not wrapped in a TOC field: LibreOffice shows a TOC field's
    entries as they were saved, but lays out a PAGEREF outside one from the
    bookmark, so the numbers are right there. Word updates the fields when it
    opens the file (``w:updateFields`` in the settings, ``w:dirty`` here); the
    number it shows before, ``pages``, is estimated by :class:`_Measure`.
    """
    entries = ""
    for number, (article, page) in enumerate(zip(edition.articles, pages, strict=True), 1):
        reference = _field(f"PAGEREF {bookmark(number)} \\h", str(page))
        entries += (
            '<w:p><w:pPr><w:pStyle w:val="TOC1"/></w:pPr>'
            f'<w:hyperlink w:anchor="{bookmark(number)}" w:history="1">'
            f"{_run(article.meta.title)}<w:r><w:tab/></w:r>{reference}</w:hyperlink></w:p>"
        )
    xml = (
        "<w:sdt><w:sdtPr><w:docPartObj>"
        '<w:docPartGallery w:val="Table of Contents"/><w:docPartUnique/>'
        "</w:docPartObj></w:sdtPr><w:sdtContent>"
        '<w:p><w:pPr><w:pStyle w:val="TOCHeading"/><w:pageBreakBefore/></w:pPr>'
        f"{_run(edition.labels['contents'])}</w:p>"
        f"{entries}"
        "</w:sdtContent></w:sdt>"
    )
    return {"t": "RawBlock", "c": ["openxml", xml]}


def _title_page(edition: Edition, pages: list[int]) -> list[Node]:
    """What an editor expects on top of the edition: its title, issuer and date, then contents."""
    blocks = [_paragraph("Title", edition.title)]
    if edition.config.publisher:
        blocks.append(_paragraph("Publisher", edition.config.publisher))
    if edition.date:
        blocks.append(_paragraph("Date", edition.date_text))
    blocks.append(_contents(edition, pages))
    return blocks


def headline_lines(text: str, per_line: int) -> list[str]:
    """A headline's lines in a measure of ``per_line`` characters, as a typesetter breaks it.

    Word breaks Chinese after any character, so a headline that does not fit
    gets its line breaks here: a two-part headline between its parts (the
    ideographic space between them dropped), any other into lines of even
    length, none starting with a mark that may not start a line or ending
    with an opening one, so that no line holds a single character.
    """
    if len(text) <= per_line:
        return [text]
    parts = headline_parts(text)
    if parts:
        return [line for part in parts for line in headline_lines(part, per_line)]
    count = math.ceil(len(text) / max(per_line, 2))
    lines, rest = [], text
    while count > 1:
        cut = math.ceil(len(rest) / count)
        while 1 < cut < len(rest) - 1 and (rest[cut] in NO_LINE_START or rest[cut - 1] in OPENING):
            cut -= 1
        lines.append(rest[:cut])
        rest, count = rest[cut:], count - 1
    return [*lines, rest]


def _article_blocks(
    edition: Edition, article: Article, number: int, headline_measure: int
) -> list[Node]:
    # One document holds every article: each article's ids (Word bookmarks) get its
    # anchor as a prefix, as pandoc's --id-prefix gives them in HTML, and links to
    # other articles go to their bookmarks (to their text only in a per-article DOCX).
    numbers = {other.slug: n for n, other in enumerate(edition.articles, start=1)}

    def xref(slug: str, fragment: str | None) -> str | None:
        if slug not in numbers:
            return None
        return f"#{anchor(slug)}-{fragment}" if fragment else f"#{bookmark(numbers[slug])}"

    blocks = []
    body = rewrite_xrefs(prefix_ids(article_blocks(article), f"{article.anchor}-"), xref)
    for block in body:
        if block["t"] == "Header" and "title" in block["c"][1][1]:
            level, (_, classes, attributes), inlines = block["c"]
            if inlines and all(inline["t"] == "Str" for inline in inlines):
                lines = headline_lines("".join(i["c"] for i in inlines), headline_measure)
                inlines = [
                    inline
                    for index, line in enumerate(lines)
                    for inline in ([{"t": "LineBreak"}] if index else []) + plain(line)
                ]
            block = {"t": "Header", "c": [level, [bookmark(number), classes, attributes], inlines]}
        blocks.append(block)
    # Relative to the source folder: pandoc writes the path into the DOCX.
    return rewrite_images(blocks, lambda t: article.images[t].relative_to(edition.root).as_posix())


def _core_properties(edition: Edition, word_language: str) -> bytes:
    """docProps/core.xml: for a per-article DOCX, the article's own title and authors."""
    if edition.single_article:
        meta = edition.articles[0].meta
        title, creators = meta.title, meta.authors
        description, keywords = meta.description, meta.keywords
    else:
        title, creators = edition.title, edition.authors
        description, keywords = edition.config.description, edition.config.subject
    when = edition.modified.strftime("%Y-%m-%dT%H:%M:%SZ")
    # Undated: Word shows no creation date rather than 1980-01-01.
    dates = (
        f'<dcterms:created xsi:type="dcterms:W3CDTF">{when}</dcterms:created>'
        f'<dcterms:modified xsi:type="dcterms:W3CDTF">{when}</dcterms:modified>'
        if edition.date
        else ""
    )
    fields = [
        ("dc:title", title),
        ("dc:creator", "; ".join(creators) or edition.config.publisher),
        ("dc:subject", "、".join(edition.config.subject) or None),
        ("cp:keywords", "、".join(keywords) or None),
        ("dc:description", description),
        ("dc:identifier", edition.identifier),
        ("dc:language", word_language),
    ]
    elements = "".join(f"<{n}>{escape(v)}</{n}>" for n, v in fields if v)
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/'
        'metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:dcterms="http://purl.org/dc/terms/" xmlns:dcmitype="http://purl.org/dc/dcmitype/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f"{elements}{dates}"
        "</cp:coreProperties>"
    ).encode()


# The custom property naming the articles a DOCX holds (read back by the import).
ARTICLES_PROPERTY = "publisher-articles"
# The series (edition.yaml `series:`, `series_position:`), as Word shows custom properties.
SERIES_PROPERTY = "Series"
SERIES_POSITION_PROPERTY = "Series position"


def _custom_properties(edition: Edition) -> bytes:
    """docProps/custom.xml: the articles the document holds, by name, so that
    ``publisher import`` brings an edited DOCX back into the right article files;
    and the series the edition belongs to, with its number in it."""
    config = edition.config
    properties = [(ARTICLES_PROPERTY, " ".join(article.slug for article in edition.articles))]
    if config.series:
        properties.append((SERIES_PROPERTY, config.series))
        if config.series_position:
            properties.append((SERIES_POSITION_PROPERTY, str(config.series_position)))
    listed = "".join(
        f'<property fmtid="{{D5CDD505-2E9C-101B-9397-08002B2CF9AE}}" pid="{number}" '
        f'name="{name}"><vt:lpwstr>{escape(value)}</vt:lpwstr></property>'
        for number, (name, value) in enumerate(properties, start=2)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
        'custom-properties" xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/'
        f'docPropsVTypes">{listed}</Properties>'
    ).encode()


def _app_properties(edition: Edition) -> bytes:
    """docProps/app.xml without the word counts of pandoc's own reference document
    (Word recounts); the issuer as the company."""
    company = edition.config.publisher
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
        'extended-properties" xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/'
        'docPropsVTypes"><Application>publisher</Application>'
        + (f"<Company>{escape(company)}</Company>" if company else "")
        + "</Properties>"
    ).encode()


class _Measure:
    """What the reference document sets, read back from it: text block and type sizes (pt)."""

    def __init__(self, reference: Path) -> None:
        with zipfile.ZipFile(reference) as archive:
            styles = etree.fromstring(archive.read("word/styles.xml"))
            document = etree.fromstring(archive.read("word/document.xml"))
        section = document.find(f"{W}body/{W}sectPr")
        size, margins = section.find(f"{W}pgSz"), section.find(f"{W}pgMar")

        def twips(element, name: str) -> float:
            return int(element.get(f"{W}{name}")) / 20

        self.width = twips(size, "w") - twips(margins, "left") - twips(margins, "right")
        self.height = twips(size, "h") - twips(margins, "top") - twips(margins, "bottom")

        def font_size(style_id: str) -> float:
            style = styles.find(f"{W}style[@{W}styleId='{style_id}']")
            size = style.find(f"{W}rPr/{W}sz") if style is not None else None
            return int(size.get(f"{W}val")) / 2 if size is not None else 10.5

        self.headline = font_size("Heading1")
        self.body = font_size("BodyText")

    @property
    def headline_characters(self) -> int:
        """Full-width characters in a headline line (Chinese type is square)."""
        return int(self.width // self.headline)

    def pages(self, edition: Edition, article: Article) -> int:
        """About how many pages the article fills, for the contents' shown page numbers.

        A rough model (lines of the body size at the body's line spacing, figures
        at the text width, the headline block) for what Word shows until it has
        updated the fields; LibreOffice lays the numbers out itself.
        """
        line = self.body * 1.25 * 1.3
        per_line = max(int(self.width // self.body), 1)
        height = 4 * line + 2 * self.headline * 1.3  # kicker, headline, subtitle, byline
        for block in iter_ast(article.blocks):
            if block["t"] in ("Para", "Plain", "Header"):
                text = "".join(n["c"] for n in iter_ast(block["c"]) if n["t"] == "Str")
                height += math.ceil((len(text) + 2) / per_line) * line
            elif block["t"] == "Image":
                pixels = _png_size(article.images.get(block["c"][2][0]))
                ratio = pixels[1] / pixels[0] if pixels else 2 / 3
                height += self.width * ratio + 2 * line
        return max(1, math.ceil(height / self.height))


def _png_size(path: Path | None) -> tuple[int, int] | None:
    """Width and height of a PNG (from its header), else None."""
    if path is None:
        return None
    with path.open("rb") as file:
        head = file.read(24)
    if head[:8] != b"\x89PNG\r\n\x1a\n":
        return None
    return struct.unpack(">II", head[16:24])


def _east_asian_runs(part_xml: bytes) -> bytes:
    """Mark every run holding Chinese as East Asian text (``w:rFonts w:hint="eastAsia"``).

    Marks such as “ ” ‘ ’ … — are shared by Latin and Chinese: without the
    hint Word sets them in the Latin font, as narrow Western quotes.
    """
    root = etree.fromstring(part_xml)
    for run in root.iter(f"{W}r"):
        text = "".join(t.text or "" for t in run.iter(f"{W}t"))
        if not CJK.search(text):
            continue
        properties = run.find(f"{W}rPr")
        if properties is None:
            properties = etree.Element(f"{W}rPr")
            run.insert(0, properties)
        fonts = properties.find(f"{W}rFonts")
        if fonts is None:
            fonts = etree.Element(f"{W}rFonts")
            # rFonts comes first in rPr, after a run style only.
            style = properties.find(f"{W}rStyle")
            properties.insert(0 if style is None else properties.index(style) + 1, fonts)
        fonts.set(f"{W}hint", "eastAsia")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _update_fields_if_any(settings_xml: bytes, document_xml: bytes) -> bytes:
    """The reference document asks Word to update fields on opening (``w:updateFields``),
    for the edition's contents; Word then asks the editor each time. A document with no
    field (an article's own DOCX) does not ask."""
    if b"<w:fldChar" in document_xml or b"<w:fldSimple" in document_xml:
        return settings_xml
    return re.sub(rb"<w:updateFields\b[^>]*/>", b"", settings_xml)


def _one_body_style(document_xml: bytes) -> bytes:
    """Every body paragraph in Body Text: pandoc puts the first after a heading in
    First Paragraph, but one after a figure in Body Text, so articles differed."""
    return document_xml.replace(
        b'<w:pStyle w:val="FirstParagraph" />', b'<w:pStyle w:val="BodyText" />'
    ).replace(b'<w:pStyle w:val="FirstParagraph"/>', b'<w:pStyle w:val="BodyText"/>')


STYLE_REFERENCE = re.compile(rb'<w:(?:pStyle|rStyle|tblStyle)\s+w:val="([^"]+)"')


def _used_styles_only(styles_xml: bytes, parts: list[bytes]) -> bytes:
    """Keep the styles the document uses and those in Word's gallery (the editor's set
    from docx_reference.py), with what they are based on; drop pandoc's leftovers."""
    root = etree.fromstring(styles_xml)
    styles = {style.get(f"{W}styleId"): style for style in root.iter(f"{W}style")}
    wanted = {m.decode() for part in parts for m in STYLE_REFERENCE.findall(part)}
    wanted |= {
        key
        for key, style in styles.items()
        if style.find(f"{W}qFormat") is not None or style.get(f"{W}default") == "1"
    }
    pending = list(wanted)
    while pending:
        style = styles.get(pending.pop())
        if style is None:
            continue
        for tag in ("basedOn", "next", "link"):
            reference = style.find(f"{W}{tag}")
            if reference is not None and reference.get(f"{W}val") not in wanted:
                wanted.add(reference.get(f"{W}val"))
                pending.append(reference.get(f"{W}val"))
    for key, style in styles.items():
        if key not in wanted:
            style.getparent().remove(style)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _one_section_per_article(document_xml: bytes) -> bytes:
    """Fill each article's section break with the document's own section properties.

    The last section's properties (``w:body/w:sectPr``) come from the reference
    document: page, margins, footer and footnote numbering. Each earlier
    section gets a copy, starting on a new page.
    """
    root = etree.fromstring(document_xml)
    body = root.find(f"{W}body")
    last = body.find(f"{W}sectPr")
    for section in root.iter(f"{W}sectPr"):
        marker = section.find(f"{W}type")
        if marker is None or marker.get(f"{W}val") != SECTION_END:
            continue
        section.remove(marker)
        for child in last:
            section.append(etree.fromstring(etree.tostring(child)))
        # w:type belongs after the header/footer references and footnotePr, before pgSz.
        kind = etree.Element(f"{W}type")
        kind.set(f"{W}val", "nextPage")
        anchor = section.find(f"{W}pgSz")
        if anchor is not None:
            anchor.addprevious(kind)
        else:
            section.append(kind)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


class DocxWriter(Writer):
    name = "docx"
    extension = ".docx"
    per_article = True

    def write(self, context: WriterContext, target: Path) -> None:
        edition = context.edition
        config = edition.config
        # style:'s faces, then docx.fonts (tags canonical since config), the more particular
        overrides = {**docx_faces(edition), **config.docx.fonts.get(edition.lang, {})}
        fonts = context.styles.docx_fonts(edition.lang, overrides)
        where = display_path(edition.root / EDITION_FILE)
        page = page_geometry(config.pdf.page_size, config.pdf.margins, where)
        reference = context.styles.docx_reference(
            edition.lang, context.cache, fonts=overrides, page=page, look=docx_look(edition)
        )
        measure = _Measure(reference)

        blocks: list[Node] = []
        if not edition.single_article:
            # The title page is page 1, the contents page 2; each article starts a page.
            starts, page_number = [], 3
            for article in edition.articles:
                starts.append(page_number)
                page_number += measure.pages(edition, article)
            blocks = _title_page(edition, starts)
        # Whichever of each pair is installed here (fontconfig's): the free face.
        named = (fonts["body"], fonts["body_alt"], fonts["heading"], fonts["heading_alt"])
        faces = [*dict.fromkeys(named), *context.styles.fallback_faces("docx-fonts.yaml")]
        for article in edition.articles:
            report_uncovered(
                article_text(article), faces, "the DOCX", article.shown, article.line_of
            )
        for number, article in enumerate(edition.articles, start=1):
            if blocks:
                blocks.append(SECTION_MARK)  # ends the title page or the previous article
            blocks.extend(_article_blocks(edition, article, number, measure.headline_characters))
        # No metadata for pandoc: it would print a title block of its own and
        # the BCP 47 tag where Word wants its own (zh-CN …, from the reference).
        docx = run_pandoc_binary(
            ["--from", "json", "--to", "docx", f"--reference-doc={reference}", "--output=-"],
            edition.pandoc_document(blocks),
            report=partial(report_pandoc_for, edition),
            timestamp=edition.modified,
            images_from=edition.root,  # every image was checked by parse_edition
        )
        replaced = {
            "docProps/core.xml": _core_properties(edition, fonts["word_language"]),
            "docProps/app.xml": _app_properties(edition),
            "docProps/custom.xml": _custom_properties(edition),
        }
        output = io.BytesIO()
        with (
            zipfile.ZipFile(io.BytesIO(docx)) as source,
            zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as result,
        ):
            parts = {entry.filename: source.read(entry) for entry in source.infolist()}
            parts.update(replaced)
            document = _one_body_style(parts["word/document.xml"])
            parts["word/document.xml"] = _one_section_per_article(_east_asian_runs(document))
            parts["word/settings.xml"] = _update_fields_if_any(
                parts["word/settings.xml"], parts["word/document.xml"]
            )
            for name in ("word/footnotes.xml", "word/endnotes.xml"):
                if name in parts:
                    parts[name] = _east_asian_runs(parts[name])
            parts["word/styles.xml"] = _used_styles_only(
                parts["word/styles.xml"],
                [
                    data
                    for name, data in parts.items()
                    if name.endswith(".xml") and name != "word/styles.xml"
                ],
            )
            for entry in source.infolist():
                result.writestr(entry, parts[entry.filename])
        target.write_bytes(reproducible_zip(output.getvalue(), edition.modified))
