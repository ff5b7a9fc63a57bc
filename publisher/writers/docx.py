"""DOCX for editors: pandoc writes the edition with the reference document made from ``styles/``.

The edition DOCX is a title page (title, publisher, date) with the contents,
then one Word section per article: kicker, headline, subtitle, body, figures,
footnotes and byline, each in its named paragraph style. A per-article DOCX
is the article alone. pandoc writes the document; afterwards this module
gives each article its own section (page size, margins, footer and footnote
numbering copied from the reference document) and writes the core properties
itself, because pandoc would only set them together with its own title block.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

from lxml import etree

from ..document import Article, Edition
from ..errors import warn
from ..pandoc import run_pandoc
from ..pandoc_ast import Node, plain, rewrite_images
from ..zipfiles import reproducible_zip
from .base import Writer, WriterContext

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
# The contents list only the headlines: an article's own subheads are level 2.
TOC_FIELD = r'TOC \o "1-1" \h \z \u'

# CSS named page sizes (css-page-3), in millimetres, portrait.
NAMED_PAGES = {
    "a5": (148, 210),
    "a4": (210, 297),
    "a3": (297, 420),
    "b5": (176, 250),
    "b4": (250, 353),
    "jis-b5": (182, 257),
    "jis-b4": (257, 364),
    "letter": (215.9, 279.4),
    "legal": (215.9, 355.6),
    "ledger": (279.4, 431.8),
}
UNITS_MM = {"mm": 1.0, "cm": 10.0, "in": 25.4, "pt": 25.4 / 72, "pc": 25.4 / 6, "q": 0.25}
DEFAULT_PAGE = "A4"


def _length_mm(text: str) -> float | None:
    match = re.fullmatch(r"(\d+(?:\.\d+)?)(mm|cm|in|pt|pc|q)", text.strip().lower())
    return float(match[1]) * UNITS_MM[match[2]] if match else None


def page_geometry(page_size: str, margins: str) -> dict[str, float]:
    """The DOCX page in millimetres from edition.yaml's ``pdf:`` CSS values.

    Word has a page size, not a page name: a CSS name (A4, B5, JIS-B5, letter …,
    optionally ``landscape``) or two absolute lengths map exactly; anything
    else (``auto``, font-relative units) gives A4, with a warning. Margins
    follow the CSS shorthand (one to four absolute lengths); if they cannot be
    read, the reference document's own margins stay.
    """
    words = page_size.lower().split()
    landscape = "landscape" in words
    words = [w for w in words if w not in ("portrait", "landscape")]
    size = None
    if len(words) == 1 and words[0] in NAMED_PAGES:
        size = NAMED_PAGES[words[0]]
    elif len(words) in (1, 2) and all(_length_mm(w) for w in words):
        lengths = [_length_mm(w) for w in words]
        size = (lengths[0], lengths[-1])
    if size is None:
        warn(f"pdf.page_size `{page_size}` has no Word equivalent; the DOCX is {DEFAULT_PAGE}")
        size = NAMED_PAGES[DEFAULT_PAGE.lower()]
    width, height = sorted(size, reverse=landscape)
    geometry = {"width": width, "height": height}
    values = [_length_mm(v) for v in margins.split()]
    if 1 <= len(values) <= 4 and all(v is not None for v in values):
        top, right, bottom, left = (values * 4)[:4] if len(values) == 1 else _css_box(values)
        geometry.update(top=top, right=right, bottom=bottom, left=left)
    else:
        warn(f"pdf.margins `{margins}` are not absolute lengths; the DOCX keeps its own margins")
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


def _contents(edition: Edition) -> Node:
    """A contents field headed by the edition's label, its entries already filled in.

    Word recomputes the field (``w:dirty``) to add the page numbers; until it
    does, and in readers that never do, the headlines are listed and linked.
    """
    entries = "".join(
        '<w:p><w:pPr><w:pStyle w:val="TOC1"/></w:pPr>'
        f'<w:hyperlink w:anchor="{bookmark(number)}" w:history="1">'
        f"<w:r><w:t>{escape(article.meta.title)}</w:t></w:r></w:hyperlink></w:p>"
        for number, article in enumerate(edition.articles, start=1)
    )
    xml = (
        "<w:sdt><w:sdtPr><w:docPartObj>"
        '<w:docPartGallery w:val="Table of Contents"/><w:docPartUnique/>'
        "</w:docPartObj></w:sdtPr><w:sdtContent>"
        '<w:p><w:pPr><w:pStyle w:val="TOCHeading"/></w:pPr>'
        f"<w:r><w:t>{escape(edition.labels['contents'])}</w:t></w:r></w:p>"
        '<w:p><w:pPr><w:pStyle w:val="TOC1"/></w:pPr>'
        '<w:r><w:fldChar w:fldCharType="begin" w:dirty="true"/></w:r>'
        f'<w:r><w:instrText xml:space="preserve"> {escape(TOC_FIELD)} </w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r></w:p>'
        f"{entries}"
        '<w:p><w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>'
        "</w:sdtContent></w:sdt>"
    )
    return {"t": "RawBlock", "c": ["openxml", xml]}


def _title_page(edition: Edition) -> list[Node]:
    """What an editor expects on top of the edition: its title, issuer and date, then contents."""
    blocks = [_paragraph("Title", edition.title)]
    if edition.config.publisher:
        blocks.append(_paragraph("Publisher", edition.config.publisher))
    if edition.date:
        blocks.append(_paragraph("Date", edition.date_text))
    blocks.append(_contents(edition))
    return blocks


def _article_blocks(edition: Edition, article: Article, number: int) -> list[Node]:
    blocks = []
    for block in article.document_blocks():
        if block["t"] == "Header" and "title" in block["c"][1][1]:
            level, (_, classes, attributes), inlines = block["c"]
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
        blocks: list[Node] = [] if edition.single_article else _title_page(edition)
        for number, article in enumerate(edition.articles, start=1):
            if blocks:
                blocks.append(SECTION_MARK)  # ends the title page or the previous article
            blocks.extend(_article_blocks(edition, article, number))

        config = edition.config
        overrides = config.docx.fonts.get(edition.lang, {})  # tags canonical since config
        fonts = context.styles.docx_fonts(edition.lang, overrides)
        page = page_geometry(config.pdf.page_size, config.pdf.margins)
        reference = context.styles.docx_reference(
            edition.lang, context.cache, fonts=overrides, page=page
        )
        # No metadata for pandoc: it would print a title block of its own and
        # the BCP 47 tag where Word wants its own (zh-CN …, from the reference).
        run_pandoc(
            [
                "--from",
                "json",
                "--to",
                "docx",
                f"--reference-doc={reference}",
                f"--output={target.resolve()}",
            ],
            edition.pandoc_document(blocks),
            report=edition.report,
            timestamp=edition.modified,
            images_from=edition.root,  # every image was checked by parse_edition
        )
        replaced = {
            "docProps/core.xml": _core_properties(edition, fonts["word_language"]),
            "docProps/app.xml": _app_properties(edition),
        }
        output = io.BytesIO()
        with (
            zipfile.ZipFile(target) as source,
            zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as result,
        ):
            for entry in source.infolist():
                data = replaced.get(entry.filename) or source.read(entry)
                if entry.filename == "word/document.xml":
                    data = _one_section_per_article(data)
                result.writestr(entry, data)
        target.write_bytes(reproducible_zip(output.getvalue(), edition.modified))
