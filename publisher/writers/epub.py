"""EPUB 3.3 for distributors, through ebooklib: validated, accessible, reproducible.

Reading order: a cover, a title page, the contents (the navigation document
itself, with its hidden landmarks), then one XHTML content document per
article. The package mirrors the source folder: ``articles/01-x.md`` becomes
``EPUB/articles/01-x.xhtml`` and its images keep their paths relative to it.

Every content document is finished here (styles/templates/epub-*.xhtml, plus
pandoc's HTML for an article turned into XHTML with lxml) and handed to
ebooklib to package as it is: ebooklib's own page builder re-parses with an
HTML parser, which loses the ``epub:`` attributes footnotes and sections need.
"""

from __future__ import annotations

import io
import mimetypes
import os
import posixpath
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ebooklib import epub
from lxml import etree
from lxml import html as lxml_html

from publisher.base import yamltext
from publisher.base.errors import BuildError, logger, warn
from publisher.base.model import Article, anchor
from publisher.base.zipfiles import reproducible_zip
from publisher.document.headline import article_text
from publisher.document.pandoc_ast import image_targets
from publisher.read.styles import Styles
from publisher.writers.base import Writer, WriterContext
from publisher.writers.cover import cover_png
from publisher.writers.fonts import find_face, report_uncovered, subset_woff2
from publisher.writers.html import article_html
from publisher.writers.look import added_css
from publisher.writers.vertical_text import upright_digits

XHTML = "http://www.w3.org/1999/xhtml"
EPUB_NS = "http://www.idpf.org/2007/ops"
XML_NS = "http://www.w3.org/XML/1998/namespace"
MATHML = "http://www.w3.org/1998/Math/MathML"
EPUB_TYPE = f"{{{EPUB_NS}}}type"
IBOOKS = "http://vocabulary.itunes.apple.com/rdf/ibooks/vocabulary-extensions-1.0/"

STYLESHEET = "styles/epub.css"
FONT_STYLESHEET = "styles/fonts.css"
VERTICAL_STYLESHEET = "styles/vertical.css"  # after epub.css, in vertical editions only
COVER_PAGE = "cover.xhtml"
TITLE_PAGE = "title-page.xhtml"
NAV = "nav.xhtml"
GENERATED_COVER = "cover.png"
# The claim made when the build's checks hold (see _Accessibility).
CONFORMANCE = "EPUB Accessibility 1.1 - WCAG 2.1 Level AA"


class _Document(epub.EpubHtml):
    """A finished XHTML document: packaged byte for byte, not rebuilt by ebooklib."""

    def get_content(self, default: bytes | None = None) -> bytes:
        return self.content


@dataclass
class _Accessibility:
    """What the build found out about the content, for the accessibility metadata."""

    images: int = 0
    undescribed: list[str] = field(default_factory=list)  # where an image lacks alt text
    headless_tables: list[str] = field(default_factory=list)  # tables without header cells

    @property
    def conforms(self) -> bool:
        # The structure (lang, titles, headings, nav, reading order) is the writer's
        # own; what depends on the sources is checked: alt text and table headers.
        return not self.undescribed and not self.headless_tables


XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


class EpubWriter(Writer):
    name = "epub"
    extension = ".epub"
    # EPUB 3.3 core media types for images.

    def write(self, context: WriterContext, target: Path) -> None:
        edition = context.edition
        if not edition.articles:
            raise BuildError("the edition has no articles; an EPUB needs at least one")
        data = _Package(context).build()
        target.write_bytes(reproducible_zip(data, edition.modified))


class _OpfWithLanguage(epub.EpubWriter):
    """ebooklib's writer, with the package document's own language: EPUB 3.3 wants
    ``xml:lang`` on ``<package>`` (Ace's ``epub-lang``), which ebooklib never sets."""

    def _write_opf_metadata(self, root: etree._Element) -> None:
        root.set(XML_LANG, self.book.language)
        super()._write_opf_metadata(root)


class _Package:
    """One EPUB being put together; ``build`` returns its zip bytes."""

    def __init__(self, context: WriterContext) -> None:
        self.edition = context.edition
        self.styles: Styles = context.styles
        self.cache = context.cache
        self.design: dict[str, Any] = yamltext.load(
            context.styles.file("epub.yaml").read_text(encoding="utf-8")
        )
        families = self.design["families"]
        if self.edition.lang not in families:
            raise BuildError(
                f"{context.styles.file('epub.yaml')}: no font family for {self.edition.lang}; "
                "add it under `families`"
            )
        self.family: str = families[self.edition.lang]
        self.embed = self.edition.config.epub.embed_fonts
        self.vertical = self.edition.lang in self.edition.config.epub.vertical
        self.book = epub.EpubBook()
        self.files: list[str] = []  # every name in the package, to refuse a clash
        self.a11y = _Accessibility()
        self.documents: list[_Document] = []

    # ------------------------------------------------------------ the whole

    def build(self) -> bytes:
        edition = self.edition
        self.add_stylesheet("stylesheet", STYLESHEET, "epub.css", added_css(edition, "epub"))
        if self.vertical:
            self.add_stylesheet("vertical-stylesheet", VERTICAL_STYLESHEET, "epub-vertical.css")
            # Pages turn leftwards, as in a book set vertically.
            self.book.set_direction("rtl")
        images: dict[Path, str] = {}  # file -> name in the package
        articles = [self.article_document(article, images) for article in edition.articles]
        fallback = self.styles.fallback_faces("epub.yaml")
        for article in edition.articles:
            report_uncovered(
                article_text(article), [self.family, *fallback], "the EPUB",
                article.shown, article.line_of,
            )  # fmt: skip
        self.add_images(images)
        cover_name = self.add_cover_image(images)

        cover = self.page(
            "cover", COVER_PAGE, "epub-cover.xhtml", edition.labels["cover"], image=cover_name
        )
        title_page = self.page("title-page", TITLE_PAGE, "epub-title.xhtml", edition.title)
        entries = [{"href": a.file_name, "title": a.title} for a in articles]
        nav = self.page(
            "nav",
            NAV,
            "epub-nav.xhtml",
            edition.labels["contents"],
            articles=entries,
            cover=COVER_PAGE,
            title_page=TITLE_PAGE,
        )
        nav.properties.append("nav")
        if self.embed:
            self.add_fonts()

        self.metadata()
        self.book.toc = articles
        self.book.spine = [cover, title_page, nav, *articles]
        # EPUB 2 readers: the guide and the NCX.
        self.book.guide = [
            {"type": "cover", "href": COVER_PAGE, "title": edition.labels["cover"]},
            {"type": "toc", "href": NAV, "title": edition.labels["contents"]},
            {"type": "text", "href": articles[0].file_name, "title": articles[0].title},
        ]
        self.add_file(epub.EpubNcx())
        clashes = [name for name, n in Counter(self.files).items() if n > 1]
        if clashes:
            raise BuildError(
                f"two files would be {clashes[0]} in the EPUB; rename the source file "
                "(the EPUB's own pages are cover.xhtml, title-page.xhtml and nav.xhtml)"
            )

        buffer = io.BytesIO()
        # ebooklib stamps the clock unless given mtime, and swallows errors unless
        # asked; its own nav and page list are not used (the nav is ours).
        writer = _OpfWithLanguage(
            buffer,
            self.book,
            {
                "mtime": edition.modified,
                "raise_exceptions": True,
                "epub3_pages": False,
                "epub3_landmark": False,
            },
        )
        writer.process()
        writer.write()
        return buffer.getvalue()

    def add_stylesheet(self, uid: str, name: str, style_file: str, added: str = "") -> None:
        """A stylesheet of ``styles/``, packaged as ``name``, with CSS ``added`` after it
        (the edition's own look)."""
        content = self.styles.file(style_file).read_bytes()
        if added:
            content += f"\n/* edition.yaml: style: and css: */\n{added}\n".encode()
        self.add_file(
            epub.EpubItem(uid=uid, file_name=name, media_type="text/css", content=content)
        )

    def add_file(self, item: epub.EpubItem) -> epub.EpubItem:
        self.files.append(item.file_name)
        return self.book.add_item(item)

    # ------------------------------------------------------------ documents

    def stylesheets(self, name: str) -> list[str]:
        """The stylesheets a document at ``name`` links to, relative to it."""
        sheets = [FONT_STYLESHEET, STYLESHEET] if self.embed else [STYLESHEET]
        sheets += [VERTICAL_STYLESHEET] if self.vertical else []
        return [posixpath.relpath(sheet, posixpath.dirname(name) or ".") for sheet in sheets]

    def render(self, template: str, name: str, **values: Any) -> etree._Element:
        text = self.styles.render(
            template,
            lang=self.edition.lang,
            stylesheets=self.stylesheets(name),
            edition=self.edition,
            labels=self.edition.labels,
            **values,
        )
        try:
            return etree.fromstring(text.encode("utf-8"))
        except etree.XMLSyntaxError as error:
            raise BuildError(
                f"{self.styles.folder / 'templates' / template}: not well-formed XHTML: {error}"
            ) from None

    def add_document(self, uid: str, name: str, title: str, root: etree._Element) -> _Document:
        ids = Counter(root.xpath("//@id"))
        duplicates = sorted(i for i, n in ids.items() if n > 1)
        if duplicates:
            raise BuildError(
                f"{name}: the id `{duplicates[0]}` is used twice; ids in an article must differ"
            )
        if self.vertical:
            upright_digits(root.find(f"{{{XHTML}}}body"))
        document = _Document(uid=uid, file_name=name, title=title, lang=self.edition.lang)
        document.content = etree.tostring(
            root, xml_declaration=True, encoding="utf-8", doctype="<!DOCTYPE html>"
        )
        document.root = root  # kept for the font subset's characters
        if root.find(f".//{{{MATHML}}}math") is not None:
            document.properties.append("mathml")  # EPUB 3 wants formulas declared
        self.add_file(document)
        self.documents.append(document)
        return document

    def page(self, uid: str, name: str, template: str, title: str, **values: Any) -> _Document:
        return self.add_document(uid, name, title, self.render(template, name, **values))

    def document_name(self, article: Article) -> str:
        """The article's XHTML document in the package: its source path, as .xhtml."""
        return article.source.relative_to(self.edition.root).with_suffix(".xhtml").as_posix()

    def article_document(self, article: Article, images: dict[Path, str]) -> _Document:
        edition = self.edition
        name = self.document_name(article)
        folder = (edition.root / name).parent

        def image_url(path: Path) -> str:
            images.setdefault(path, path.relative_to(edition.root).as_posix())
            return Path(os.path.relpath(path, folder)).as_posix()

        root = self.render("epub-article.xhtml", name, article=article)
        section = root.find(f".//*[@id='{article.anchor}']")
        if section is None:
            raise BuildError(
                f"{self.styles.folder / 'templates' / 'epub-article.xhtml'}: no element with "
                'id="{{ article.anchor }}" to hold the article'
            )

        def xref(slug: str, fragment: str | None) -> str | None:
            """Another article's document, relative to this one (links.py checked the id)."""
            other = next((a for a in edition.articles if a.slug == slug), None)
            if other is None:
                return None
            href = Path(os.path.relpath(edition.root / self.document_name(other), folder))
            return f"{href.as_posix()}#{anchor(slug)}" + (f"-{fragment}" if fragment else "")

        html = article_html(edition, article, image_url, xref)
        text, elements = xhtml_fragment(html, article)
        section.text = text
        section.extend(elements)
        shape_article(section, article)
        self.check_accessibility(section, article)
        return self.add_document(article.anchor, name, article.meta.title, root)

    def check_accessibility(self, section: etree._Element, article: Article) -> None:
        shown = article.source.relative_to(self.edition.root.parent).as_posix()
        # The figures in document order, as the article names them (for the line).
        targets = image_targets(article.blocks)
        for number, image in enumerate(section.iter(f"{{{XHTML}}}img")):
            self.a11y.images += 1
            if not (image.get("alt") or "").strip():
                image.set("alt", image.get("alt") or "")  # XHTML requires the attribute
                self.a11y.undescribed.append(shown)
                if number < len(targets):
                    continue  # an image of the text: said when the sources were read
                warn(
                    f"the image {image.get('src')} has no alt text; write what it shows in "
                    'its alt="…" (the EPUB makes no accessibility conformance claim '
                    "without it)",
                    path=shown,
                )
        for table in section.iter(f"{{{XHTML}}}table"):
            if table.find(f".//{{{XHTML}}}th") is None:
                self.a11y.headless_tables.append(shown)
                warn(
                    "a table has no header row; screen readers cannot name its columns "
                    "(the EPUB makes no accessibility conformance claim without it)",
                    path=shown,
                )

    # ------------------------------------------------------------ images and fonts

    def add_images(self, images: dict[Path, str]) -> None:
        for number, (path, name) in enumerate(sorted(images.items(), key=lambda i: i[1]), 1):
            # document.resolve_images admitted only PNG, JPEG and GIF: EPUB core types.
            media_type = mimetypes.guess_type(name)[0]
            self.add_file(
                epub.EpubImage(
                    uid=f"image{number}",
                    file_name=name,
                    media_type=media_type,
                    content=path.read_bytes(),
                )
            )

    def add_cover_image(self, images: dict[Path, str]) -> str:
        """The cover image (edition.yaml's, else one generated); its name in the package."""
        edition, config = self.edition, self.edition.config
        cover = config.epub.cover or config.cover
        if cover:
            # sources.check_cover made sure it is a PNG or JPEG file in the source folder.
            path = (edition.root / cover).resolve()
            media_type = mimetypes.guess_type(path.name)[0]
            name, content = path.relative_to(edition.root).as_posix(), path.read_bytes()
            if path in images:  # also shown in an article: one file, marked as the cover
                item = self.book.get_item_with_href(name)
                item.properties = ["cover-image"]
                self.book.add_metadata(None, "meta", "", {"name": "cover", "content": item.id})
                return name
        else:
            name, media_type = GENERATED_COVER, "image/png"
            content = cover_png(
                self.design["cover"],
                self.family,
                edition.title,
                config.publisher,
                edition.dateline,
            )
        item = epub.EpubCover(uid="cover-image", file_name=name)
        item.media_type, item.content = media_type, content
        self.add_file(item)
        # EPUB 2 readers find the cover by this meta.
        self.book.add_metadata(None, "meta", "", {"name": "cover", "content": "cover-image"})
        return name

    def add_fonts(self) -> None:
        """Subsets of the region's faces holding only the characters the documents use."""
        everything, by_weight = set(), {}
        for document in self.documents:
            body = document.root.find(f"{{{XHTML}}}body")
            everything |= set("".join(body.itertext()))
        fonts, total = [], 0
        for weight, spec in self.design["faces"].items():
            if "elements" in spec:
                chars = set()
                for document in self.documents:
                    for tag in spec["elements"]:
                        for element in document.root.iter(f"{{{XHTML}}}{tag}"):
                            chars |= set("".join(element.itertext()))
                by_weight[weight] = chars
            else:
                by_weight[weight] = everything
            face = find_face(self.family, spec["style"])
            data = subset_woff2(face, "".join(by_weight[weight]), self.cache)
            name = f"fonts/{weight}.woff2"
            self.add_file(
                epub.EpubItem(
                    uid=f"font-{weight}", file_name=name, media_type="font/woff2", content=data
                )
            )
            fonts.append(
                {
                    "family": self.family,
                    "weight": weight,
                    "href": posixpath.relpath(name, posixpath.dirname(FONT_STYLESHEET)),
                }
            )
            total += len(data)
            logger.info(
                "%s: embedded %s %s, %d characters, %d bytes",
                self.edition.lang,
                self.family,
                spec["style"],
                len(by_weight[weight]),
                len(data),
            )
        logger.info("%s: embedded fonts, %d bytes in all", self.edition.lang, total)
        css = self.styles.render("epub-fonts.css", fonts=fonts)
        self.add_file(
            epub.EpubItem(
                uid="fonts-stylesheet",
                file_name=FONT_STYLESHEET,
                media_type="text/css",
                content=css.encode("utf-8"),
            )
        )
        # Apple Books ignores a book's fonts unless told otherwise.
        self.book.add_prefix("ibooks", IBOOKS)
        self.book.add_metadata(None, "meta", "true", {"property": "ibooks:specified-fonts"})

    # ------------------------------------------------------------ metadata

    def metadata(self) -> None:
        edition, config, book = self.edition, self.edition.config, self.book
        book.IDENTIFIER_ID = "pub-id"
        # Checked and normalised by EditionConfig. An ISBN identifies the variant it is
        # given for; a variant without one is a book of its own, with its own stable
        # UUID, derived from the source language's edition (named as its source).
        isbn, source = config.isbn_of(edition.lang), config.isbn_of(config.language)
        if isbn:
            book.set_identifier(f"urn:isbn:{isbn}")
        else:
            book.set_identifier(edition.identifier)
        if source and source != isbn:
            book.add_metadata("DC", "source", f"urn:isbn:{source}")
        book.set_title(edition.title)
        book.set_language(edition.lang)
        for number, author in enumerate(edition.authors, start=1):
            book.add_author(author, uid=f"creator{number}", role="aut")
        if config.publisher:
            book.add_metadata("DC", "publisher", config.publisher)
        if edition.date:
            book.add_metadata("DC", "date", edition.date.isoformat())
        if config.description:
            book.add_metadata("DC", "description", config.description)
        for subject in config.subject:
            book.add_metadata("DC", "subject", subject)
        if config.rights:
            book.add_metadata("DC", "rights", config.rights)
        if config.series:
            self.series_metadata(config.series, config.series_position)
        self.accessibility_metadata()

    def series_metadata(self, name: str, position: int | None) -> None:
        """EPUB 3's collection (belongs-to-collection, a series, its group-position), and
        the EPUB 2 meta that many reading systems still read instead."""

        def refine(prop: str, value: str) -> None:
            self.book.add_metadata(None, "meta", value, {"property": prop, "refines": "#series"})

        self.book.add_metadata(
            None, "meta", name, {"property": "belongs-to-collection", "id": "series"}
        )
        refine("collection-type", "series")
        legacy = {"calibre:series": name}
        if position:
            refine("group-position", str(position))
            legacy["calibre:series_index"] = str(position)
        for key, value in legacy.items():
            self.book.add_metadata(None, "meta", "", {"name": key, "content": value})

    def accessibility_metadata(self) -> None:
        """EPUB Accessibility 1.1 discovery metadata, claiming only what holds."""
        a11y, labels = self.a11y, self.edition.labels

        def add(prop: str, value: str) -> None:
            self.book.add_metadata(None, "meta", value, {"property": prop})

        described = not a11y.undescribed
        add("schema:accessMode", "textual")
        add("schema:accessMode", "visual")  # the cover, and any figure
        if described:
            add("schema:accessModeSufficient", "textual")
        add("schema:accessModeSufficient", "textual,visual")
        features = ["tableOfContents", "readingOrder", "structuralNavigation"]
        features += ["alternativeText"] if described else []
        features += ["ARIA", "displayTransformability"]
        for feature in features:
            add("schema:accessibilityFeature", feature)
        add("schema:accessibilityHazard", "none")
        summary = labels["accessibility_summary"]
        if described and a11y.images:
            summary += labels["accessibility_images"]
        add("schema:accessibilitySummary", summary)
        if a11y.conforms:
            add("dcterms:conformsTo", CONFORMANCE)
            if self.edition.config.publisher:  # the issuer makes the claim
                add("a11y:certifiedBy", self.edition.config.publisher)


# ---------------------------------------------------------------- pandoc HTML -> XHTML


def xhtml_fragment(html: str, article: Article) -> tuple[str | None, list[etree._Element]]:
    """pandoc's HTML fragment as XHTML elements (and any text before the first).

    Parsed as HTML, since raw HTML in the sources need not be well-formed XML,
    then rebuilt in the XHTML namespace.
    """
    wrapper = lxml_html.fragment_fromstring(html, create_parent="div")
    return wrapper.text, [_to_xhtml(child, article) for child in wrapper]


def _to_xhtml(element: Any, article: Article, namespace: str = XHTML) -> etree._Element:
    if isinstance(element, etree._Comment):
        node = etree.Comment(element.text)
    elif not isinstance(element.tag, str):  # processing instruction, entity
        node = etree.Comment("")
    else:
        tag = element.tag.lower()
        # pandoc's MathML (math: true): its elements belong to the MathML namespace.
        namespace = MATHML if tag == "math" else namespace
        nsmap = {None: MATHML} if tag == "math" else None  # <math xmlns=…>, no prefixes
        node = etree.Element(f"{{{namespace}}}{tag}", nsmap=nsmap)
        for key, value in element.attrib.items():
            if key == "xmlns":  # the namespace, given above
                continue
            prefix, _, local = key.rpartition(":")
            qualified = {"epub": f"{{{EPUB_NS}}}{local}", "xml": f"{{{XML_NS}}}{local}"}
            try:
                node.set(qualified.get(prefix, key), value or "")
            except ValueError:
                raise BuildError(
                    f"{article.source}: the attribute `{key}` cannot be written in XHTML; "
                    "remove it from the raw HTML"
                ) from None
        node.text = element.text
        for child in element:
            node.append(_to_xhtml(child, article, namespace))
    node.tail = element.tail
    return node


def _classes(element: etree._Element) -> list[str]:
    return (element.get("class") or "").split()


def shape_article(section: etree._Element, article: Article) -> None:
    """Newspaper structure and EPUB semantics on pandoc's article HTML.

    The kicker, headline and subtitle become the section's ``header``; pandoc's
    endnote list becomes one ``aside`` per footnote, which reading systems show
    as a pop-up from its ``noteref``.
    """
    h = f"{{{XHTML}}}"
    # custom-style names a DOCX paragraph style (pandoc writes it as data-custom-style
    # in HTML): nothing for an EPUB reader.
    for element in section.iter(f"{h}*"):
        element.attrib.pop("data-custom-style", None)
    # The headline's parts and the credit are paragraphs, not anonymous divisions.
    for element in section:
        if element.tag == f"{h}div" and {"kicker", "subtitle", "byline"} & set(_classes(element)):
            _as_paragraph(element)
    children = list(section)
    heading = next(c for c in children if c.tag == f"{h}h1")
    heading.set("id", f"{article.anchor}-title")
    start = children.index(heading)
    parts = [heading]
    if start > 0 and "kicker" in _classes(children[start - 1]):
        parts.insert(0, children[start - 1])
    if start + 1 < len(children) and "subtitle" in _classes(children[start + 1]):
        parts.append(children[start + 1])
    header = etree.Element(f"{h}header")
    # Text that followed a part (pandoc's bare text of a Plain block) stays in the
    # body, after the header: in lxml an element moves with its tail.
    tails = "".join(part.tail or "" for part in parts)
    header.tail = tails if tails.strip() else "\n"
    section.insert(section.index(parts[0]), header)
    for part in parts:
        part.tail = "\n"
        header.append(part)

    # The credit closes the article: a footer, as the header opens it.
    for byline in [c for c in section if c.tag == f"{h}p" and "byline" in _classes(c)]:
        footer = etree.Element(f"{h}footer")
        footer.tail, byline.tail = byline.tail, None
        byline.addprevious(footer)
        footer.append(byline)

    numbers = {}
    for ref in section.iter(f"{h}a"):
        if "footnote-ref" in _classes(ref):
            ref.set(EPUB_TYPE, "noteref")
            ref.set("role", "doc-noteref")
            numbers[ref.get("href", "").lstrip("#")] = "".join(ref.itertext()).strip()
    for notes in [s for s in section.iter(f"{h}section") if "footnotes" in _classes(s)]:
        collection = etree.Element(f"{h}section", {"class": "footnotes", EPUB_TYPE: "footnotes"})
        collection.text = collection.tail = "\n"
        for item in notes.iter(f"{h}li"):
            collection.append(_footnote(item, numbers.get(item.get("id"), "")))
        notes.getparent().replace(notes, collection)


def _as_paragraph(div: etree._Element) -> None:
    """A ``div`` holding a line of text (pandoc's Plain, or one ``p``) as that ``p``."""
    h = f"{{{XHTML}}}"
    if len(div) == 1 and div[0].tag == f"{h}p" and not (div.text or "").strip():
        inner = div[0]
        div.text = inner.text
        div.remove(inner)
        for child in list(inner):
            div.append(child)
    div.tag = f"{h}p"
    # pandoc puts the text on a line of its own; a reader would show those
    # line breaks as spaces around Chinese text.
    div.text = (div.text or "").lstrip() or None
    if len(div):
        div[-1].tail = (div[-1].tail or "").rstrip() or None
    elif div.text:
        div.text = div.text.rstrip()


def _footnote(item: etree._Element, number: str) -> etree._Element:
    """One pandoc endnote (``li``) as ``<aside epub:type="footnote">``, its number linking back."""
    h = f"{{{XHTML}}}"
    aside = etree.Element(
        f"{h}aside",
        {"id": item.get("id"), "class": "footnote", EPUB_TYPE: "footnote", "role": "doc-footnote"},
    )
    aside.tail = "\n"
    aside.text = item.text
    for child in item:
        aside.append(child)
    backrefs = [a for a in aside.iter(f"{h}a") if "footnote-back" in _classes(a)]
    for back in backrefs:  # pandoc's trailing ↩︎, replaced by the number below
        parent, previous = back.getparent(), back.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "").rstrip() + (back.tail or "") or None
        else:
            parent.text = (parent.text or "").rstrip() + (back.tail or "") or None
        parent.remove(back)
    first = aside[0] if len(aside) and aside[0].tag == f"{h}p" else None
    if first is None:
        first = etree.Element(f"{h}p")
        aside.insert(0, first)
    link = etree.Element(f"{h}a", {"class": "footnote-back", "role": "doc-backlink"})
    if backrefs:
        link.set("href", backrefs[0].get("href"))
    link.text = number or "*"
    link.tail = " " + (first.text or "").lstrip()
    first.text = None
    first.insert(0, link)
    return aside
