"""PDF: each article laid out once by WeasyPrint with ``styles/print.css``; its pages
make both its own PDF and its part of the edition PDF.

An article is laid out alone (``edition.html`` with one article), exactly as
its own PDF shows it: page numbers from 1, running heads of its own. The
edition PDF takes the same pages, painted without their margin boxes into one
PDF that holds one subset of each font (:class:`_EditionPdf`), and then gets
its page furniture from one small document laid out at the end, when the page
count of every article is known: the cover and contents (page numbers as text),
then one empty page per article page whose margin boxes carry the edition's
page number and running heads (:func:`_furniture_html`). So an article after
one whose page count changed is not laid out again; only the numbers painted
on it change. Each article's layout is released once painted, so memory does
not grow with the number of articles: what stays is the compressed content of
each page and the glyphs used so far.

Left and right pages must have the same margins in ``print.css`` (the running
heads may differ): an article laid out from a right-hand page may land on a
left-hand one.

PDFs are tagged by default (PDF/UA-1; ``pdf: {tagged: false}`` turns it off),
archival ones are PDF/A-3 (-3a when tagged too), on the same road: each page's
structure elements are made as it is painted, by WeasyPrint's own tagging, and
hung under the document in reading order (cover and contents first, though they
are painted last); the page furniture drawn over the pages is an artifact.
"""

from __future__ import annotations

import base64
import contextlib
import functools
import hashlib
import logging
import re
import uuid
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import replace
from html import escape as html_escape
from html import unescape as html_unescape
from importlib.resources import files
from pathlib import Path
from types import SimpleNamespace
from typing import ClassVar
from urllib.parse import unquote, urlsplit

# First: WeasyPrint then finds its native libraries without searching the system.
from publisher.writers import native_libraries  # noqa: F401

# isort: split
import pydyf
from lxml import html as lxml_html
from weasyprint import CSS, DEFAULT_OPTIONS, HTML, VERSION, Document
from weasyprint.formatting_structure.boxes import MarginBox
from weasyprint.matrix import Matrix
from weasyprint.pdf import VARIANTS as WEASYPRINT_VARIANTS
from weasyprint.pdf import _use_references, _w3c_date_to_pdf
from weasyprint.pdf import metadata as weasyprint_metadata
from weasyprint.pdf.anchors import add_annotations, add_forms, add_links, add_outlines
from weasyprint.pdf.fonts import build_fonts_dictionary
from weasyprint.pdf.stream import Stream
from weasyprint.pdf.tags import _build_box_tree
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

from publisher.base import yamltext
from publisher.base.config import page_size_mm
from publisher.base.errors import BuildError, WarningCounter, warn
from publisher.base.limits import running_head
from publisher.base.model import Article, Edition, anchor
from publisher.read.paths import EDITION_FILE, display_path
from publisher.read.styles import Styles
from publisher.writers import (
    cjk_justify,
    pdf_costs,
    typography,
    vertical_pdf,
    weasyprint_gate,
)
from publisher.writers.base import Writer, WriterContext
from publisher.writers.cover import cover_css
from publisher.writers.fonts import installed as font_installed
from publisher.writers.html import article_html, data_uri, print_document
from publisher.writers.look import extra_stylesheets, style_css
from publisher.writers.press import PressProfile, crop_marks, media_margin, press_profile

# pdf.tagged / pdf.archival in edition.yaml -> WeasyPrint's PDF variant.
PDF_VARIANTS = {
    (False, False): None,
    (True, False): "pdf/ua-1",  # tagged, for accessibility
    (False, True): "pdf/a-3u",  # archival, text extractable
    (True, True): "pdf/a-3a",  # archival and accessible (tagged)
}


class LocalFetcher(URLFetcher):
    """Lets WeasyPrint read files inside the allowed folders and nothing else."""

    def __init__(self, folders: list[Path]) -> None:
        super().__init__(allowed_protocols={"file", "data"})
        self.folders = [folder.resolve() for folder in folders]

    def fetch(self, url: str, headers: dict | None = None) -> URLFetcherResponse:

        parts = urlsplit(url)
        if parts.scheme == "data":  # reads no file
            return super().fetch(url, headers)
        path = Path(unquote(parts.path)).resolve() if parts.scheme == "file" else None
        if path is None or not any(path.is_relative_to(f) for f in self.folders):
            raise FatalURLFetchingError(f"refused to read {url}: outside the source and styles")
        return super().fetch(url, headers)


class WeasyPrintWarnings(logging.Handler):
    """WeasyPrint's own messages, sorted: a missing glyph, an image or resource it could
    not load (a figure silently missing from the PDF) become counted warnings of ours;
    the rest (CSS it ignores) is the stylesheet's business."""

    # The article being laid out or painted, to place a missing glyph in its file;
    # and what was said already (an article's pages are painted twice).
    article: ClassVar[Article | None] = None
    said: ClassVar[set[tuple[str, int]]] = set()
    # The articles laid out together (pdf.articles: continuous), to find a character in.
    run: ClassVar[tuple[Article, ...]] = ()

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if "for internal URI reference" in message:
            # links.py checked every internal link before layout. An article laid out
            # alone lacks the anchors of the other articles it links to; the edition
            # PDF, put together from the articles' pages, links them up.
            return
        if "Too many glyphs missing" in message:
            return  # a consequence of the missing glyphs, each reported on its own
        if "has no required alt description" in message:
            return  # said once, with its file and line, when the sources are read
        if missing := MISSING_GLYPH.search(message):
            code_point = int(missing[1], 16)
            article = self.article or next((a for a in self.run if chr(code_point) in a.body), None)
            where = str(article.source) if article else ""
            if (where, code_point) in WeasyPrintWarnings.said:
                return
            WeasyPrintWarnings.said.add((where, code_point))
            warn(
                f"U+{code_point:04X} {chr(code_point)!r} has no glyph in any installed font, "
                "so the PDF shows a box for it: install a font that has it, or replace it",
                path=(article.shown or where) if article else None,
                line=article.line_of(chr(code_point)) if article else None,
            )
        elif "glyph" in message:
            warn(f"PDF: {message}; install a font that has it (see README)")
        elif record.levelno >= logging.ERROR or any(w in message for w in RESOURCE_WORDS):
            # Images are data: URLs; their bytes would flood the message.
            message = DATA_URL.sub(r"\1…", message)
            warn(f"PDF: {message[:300]}; the PDF lacks it")


# WeasyPrint's word for a character no face has: '… fonts: "x" (U+0378)'.
MISSING_GLYPH = re.compile(r"\.notdef glyph rendered.*\(U\+([0-9A-F]{4,6})\)")
# What WeasyPrint's messages about images and other resources it could not use hold.
RESOURCE_WORDS = ("image", "Failed to load", "Malformed", "attachment", "Unknown image")
DATA_URL = re.compile(r"(data:[^;,'\s]*[;,])[^'\s)]*")


def _forward_weasyprint_warnings() -> None:
    weasyprint = logging.getLogger("weasyprint")
    if not any(isinstance(h, WeasyPrintWarnings) for h in weasyprint.handlers):
        weasyprint.handlers[:] = [WeasyPrintWarnings()]
        weasyprint.setLevel(logging.WARNING)
        weasyprint.propagate = False


# 72 PDF points per inch / 96 CSS pixels per inch.
SCALE = 0.75
# The edition's own pages, laid out after the articles: cover and contents, and
# one empty page per article page carrying its running heads and page number.
FURNITURE_CSS = """
.furniture { break-before: page; height: 1px; }
.furniture:first-child { break-before: auto; }
.furniture.front { page: cover; }
.furniture[data-title] { string-set: article-title attr(data-title); }
"""


# Formulas are drawn at this size, then scaled to the text in em.
MATH_SIZE = 20
MATH_ELEMENT = re.compile(r"<math\b[^>]*>.*?</math>", re.S)
TEX_ANNOTATION = re.compile(r'<annotation encoding="application/x-tex">(.*?)</annotation>', re.S)


def _line_of(article: Article | None, text: str) -> int | None:
    index = article.body.find(text) if article and text else -1
    return article.body_first_line + article.body.count("\n", 0, index) if index >= 0 else None


def draw_math(html: str, article: Article | None = None) -> str:
    """pandoc's MathML (``math: true``) as SVG pictures, which WeasyPrint draws:
    it has no MathML of its own. ziamath (pure Python, with its STIX Two Math
    face) lays out the same MathML the EPUB carries; glyphs become paths, so
    the PDF needs no math font. The TeX is the picture's alt text."""
    if "<math" not in html:
        return html
    import ziamath  # a quarter of a second: only for formulas (`math: true`)

    def picture(match: re.Match) -> str:
        mathml = match[0]
        # The TeX annotation is for the EPUB's readers; ziamath draws presentation only.
        drawn = TEX_ANNOTATION.sub("", mathml).replace("<semantics>", "")
        # ziamath logs what it draws only in part on the root logger.
        with WarningCounter(logging.getLogger()) as collected:
            svg = ziamath.Math(drawn.replace("</semantics>", ""), size=MATH_SIZE).svg()
        width, height = (
            float(v) for v in re.search(r'width="([\d.]+)" height="([\d.]+)"', svg).groups()
        )
        top = -float(re.search(r'viewBox="[-\d.]+ ([-\d.]+)', svg)[1])
        tex = TEX_ANNOTATION.search(mathml)
        written = html_unescape(tex[1]) if tex else ""
        for message in dict.fromkeys(collected.messages):  # counted, with the article's line
            warn(
                f"PDF: the formula `{written[:60]}` is drawn in part: {message}",
                path=display_path(article.source) if article else None,
                line=_line_of(article, written),
            )
        alt = html_escape(written, quote=True)
        block = 'display="block"' in mathml[: mathml.index(">")]
        style = (
            f"width:{width / MATH_SIZE:.3f}em;height:{height / MATH_SIZE:.3f}em;"
            f"vertical-align:{(top - height) / MATH_SIZE:.3f}em"
        )
        source = "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()
        image = f'<img class="math" alt="{alt}" style="{style}" src="{source}">'
        return f'<span class="math-display">{image}</span>' if block else image

    return MATH_ELEMENT.sub(picture, html)


class PdfWriter(Writer):
    name = "pdf"
    extension = ".pdf"
    per_article = True

    def write(self, context: WriterContext, target: Path) -> None:
        edition = context.edition
        if edition.single_article:
            self.write_outputs(context, None, {edition.articles[0].slug: target})
        else:
            self.write_outputs(context, target, {})

    def write_outputs(
        self, context: WriterContext, edition: Path | None, articles: Mapping[str, Path]
    ) -> None:
        """Lay out each article once, for its own PDF (if in ``articles``) and the
        edition's (if ``edition``); a variant set vertically goes to Vivliostyle."""
        if vertical_pdf.is_vertical(context.edition) and not context.horizontal:
            vertical_pdf.write_vertical(context, edition, articles)
            return
        weasyprint_gate.check()  # before any patch goes in
        cjk_justify.install()
        pdf_costs.install()
        _forward_weasyprint_warnings()
        typesetter = _Typesetter(context)
        whole = context.edition
        assembled = _EditionPdf(typesetter) if edition is not None else None
        # Articles run on (pdf.articles: continuous): the edition's pages are one layout
        # of them all, each article's own PDF a layout of its own.
        continuous = assembled is not None and whole.config.pdf.articles == "continuous"
        WeasyPrintWarnings.said = set()
        for article in whole.articles:
            own = articles.get(article.slug)
            if own is None and (assembled is None or continuous):
                continue
            WeasyPrintWarnings.article = article
            page = whole.only(article.slug)
            source = typesetter.html(page)
            document = typesetter.render(source)
            if typesetter.press is not None:
                typesetter.check_resolution([article], document)
            if own is not None:
                typesetter.write(document, own)
            if assembled is not None and not continuous:
                assembled.add_article(article, document, _running_title(source))
            del document  # the layout goes: only the painted pages stay
        WeasyPrintWarnings.article = None  # the cover and contents, or the run of articles
        if assembled is not None and continuous:
            WeasyPrintWarnings.run = whole.articles
            # The articles without cover and contents, as one article's document is.
            source = typesetter.html(replace(whole, single_article=True))
            document = typesetter.render(source)
            if typesetter.press is not None:
                typesetter.check_resolution(whole.articles, document)
            assembled.add_run(document, _running_titles(source))
            WeasyPrintWarnings.run = ()
            del document
        if assembled is not None:
            assembled.write(edition)


def print_look(stylesheet: Path, fetcher: URLFetcher) -> tuple[FontConfiguration, CSS]:
    """The font configuration and the parsed print stylesheet of a unit: shared by the
    units of a process while the stylesheet is the same, since WeasyPrint never frees
    a font configuration's native memory (Pango's and fontconfig's, 0.23 MB each,
    measured): one per unit made a worker grow by about 1 MB an edition. A stylesheet
    that adds faces (@font-face) or other files (@import) gets its own each unit: a
    shared configuration would gather its faces again every time."""
    text = stylesheet.read_bytes()
    if b"@font-face" in text or b"@import" in text:
        fonts = FontConfiguration()
        return fonts, CSS(filename=str(stylesheet), url_fetcher=fetcher, font_config=fonts)
    return _shared_look(stylesheet, hashlib.sha256(text).hexdigest())


@functools.lru_cache(maxsize=4)
def _shared_look(stylesheet: Path, digest: str) -> tuple[FontConfiguration, CSS]:
    fonts = FontConfiguration()
    # Parsing it fetches nothing (no @import, no @font-face): its own folder only.
    fetcher = LocalFetcher([stylesheet.parent])
    return fonts, CSS(filename=str(stylesheet), url_fetcher=fetcher, font_config=fonts)


class _Typesetter:
    """One variant's print look, parsed once: fonts, stylesheet, URL fetcher, options."""

    def __init__(self, context: WriterContext) -> None:
        self.context = context
        self.edition = context.edition
        options = self.edition.config.pdf
        self.variant = PDF_VARIANTS[options.tagged, options.archival]
        self.tagged = options.tagged
        # The press PDF: the same pages for the print shop, PDF/X-4 (untagged: the
        # shop's RIP reads no structure, and PDF/UA is the proof's business).
        self.press: PressProfile | None = press_profile(self.edition) if context.press else None
        self.extra: tuple[CSS, ...] = ()
        # (article anchor, data: URI digest) -> the picture's file and pixel size
        self.pictures: dict[tuple[str, str], tuple[Path, tuple[int, int]]] = {}
        if self.press is not None:
            self.variant, self.tagged = None, False
            self.extra = (CSS(string=f"@page {{ bleed: {self.press.bleed:.3f}pt; }}"),)
        cover_image = self.edition.config.pdf.cover or self.edition.config.cover
        if not (cover_image or self.edition.single_article):  # an article alone has no cover
            self.extra += _designed_cover(context.styles, self.edition)
        # One font configuration for every document of the unit: fonts are loaded
        # once, and the edition's pages, painted from several documents, share them.
        self.fetcher = LocalFetcher([self.edition.root, context.styles.folder])
        print_css = context.styles.file("print.css")
        with _stylesheet_errors(print_css):
            self.fonts, self.stylesheet = print_look(print_css, self.fetcher)
        # The edition's own look, last: style:, then css:'s files for the PDF.
        if look := style_css(self.edition, sizes_and_faces=True):
            self.extra += (CSS(string=look),)
        for path in extra_stylesheets(self.edition, "pdf"):
            with _stylesheet_errors(path):
                sheet = CSS(filename=str(path), url_fetcher=self.fetcher, font_config=self.fonts)
            self.extra += (sheet,)
        _check_faces(self.edition)
        self.xref_targets: set[str] = set()  # anchors in other articles, linked to
        self.options = {
            "pdf_identifier": self.edition.identifier.encode(),
            "pdf_variant": self.variant,
        }

    def html(
        self, edition: Edition, *, front_matter: bool = False, pages: dict | None = None
    ) -> str:
        """``edition.html`` for ``edition``; with ``front_matter``, the cover and the
        contents alone, numbered from ``pages`` (slug -> page number)."""
        bodies = [
            (article, "" if front_matter else self.article_html(edition, article))
            for article in edition.articles
        ]
        return print_document(
            self.context.styles, edition, bodies, front_matter=front_matter, pages=pages
        )

    def article_html(self, edition: Edition, article: Article) -> str:
        picture = data_uri if self.press is None else functools.partial(self.press_picture, article)
        html = article_html(edition, article, picture, self.xref, typography.for_print)
        return draw_math(html, article)

    def press_picture(self, article: Article, path: Path) -> str:
        """A picture of ``article`` in the press profile's inks, remembered for the
        resolution check (by its article: two files of the same bytes are one URI)."""
        assert self.press is not None
        uri, pixels = self.press.picture(path)
        self.pictures[article.anchor, hashlib.sha256(uri.encode()).hexdigest()] = (path, pixels)
        return uri

    def check_resolution(self, articles: Sequence[Article], document: Document) -> None:
        """Warn, with its article's line, of each picture ``document`` (a layout of
        ``articles``) prints at fewer pixels per inch than the press asks for
        (``min_ppi``): at its printed size, as laid out; once per picture."""
        assert self.press is not None
        by_anchor = {article.anchor: article for article in articles}
        said = set()
        for page in document.pages:
            for box, place in _pictures(page._page_box):
                digest = hashlib.sha256(box.element.get("src", "").encode()).hexdigest()
                found = self.pictures.get((place, digest))
                if found is None or place not in by_anchor or box.width <= 0:
                    continue
                path, (width, _) = found
                ppi = round(width / (box.width / 96))
                if ppi >= self.press.min_ppi or (place, path) in said:
                    continue
                said.add((place, path))
                article = by_anchor[place]
                warn(
                    f"press PDF: the picture {path.name} prints at {ppi} ppi, under the "
                    f"{self.press.min_ppi} ppi the press needs: use a larger picture, print "
                    "it smaller, or set pdf: {press: {min_ppi: …}} if the shop accepts less",
                    path=article.shown,
                    line=article.line_of(path.name),
                )

    def xref(self, slug: str, fragment: str | None) -> str | None:
        """A link to another article: its place in the edition PDF, where the pages of
        all articles are one file (links.py checked that it exists). Articles are laid
        out one by one, so it is remembered as a target that will be there; in an
        article's own PDF WeasyPrint drops it, leaving the text."""
        if slug not in {article.slug for article in self.edition.articles}:
            return None
        target = anchor(slug) + (f"-{fragment}" if fragment else "")
        self.xref_targets.add(target)
        return f"#{target}"

    def render(self, html: str, stylesheets: tuple[CSS, ...] = ()) -> Document:
        try:
            document = HTML(
                string=html, base_url=self.edition.root.as_uri() + "/", url_fetcher=self.fetcher
            )
            return document.render(
                font_config=self.fonts,
                stylesheets=[self.stylesheet, *self.extra, *stylesheets],
                **self.options,
            )
        except FatalURLFetchingError as error:
            raise BuildError(str(error)) from None

    def write(self, document: Document, target: Path) -> None:
        document.write_pdf(target, **self.options)


@contextlib.contextmanager
def _stylesheet_errors(path: Path) -> Iterator[None]:
    """A stylesheet that reads a file outside the source and styles folders (an
    @import, a url()) stops the unit with a message naming it, not a traceback."""
    try:
        yield
    except FatalURLFetchingError as error:
        raise BuildError(
            f"{display_path(path)}: {error}; keep what a stylesheet imports or shows in the "
            "source or styles folder"
        ) from None


def _check_faces(edition: Edition) -> None:
    """A face style: names that is not installed would be replaced by another without
    a word (fontconfig always answers): said, with the variant."""
    style = edition.config.style
    for key, faces in (("body_face", style.body_face), ("headline_face", style.headline_face)):
        face = faces.get(edition.lang)
        if face and not font_installed(face):
            warn(
                f"style.{key}: the face `{face}` is not installed, so the PDF uses another; "
                "install it, or name one `fc-list : family` lists",
                path=display_path(edition.root / EDITION_FILE),
            )


def _designed_cover(styles: Styles, edition: Edition) -> tuple[CSS, ...]:
    """The cover page drawn from the EPUB cover's design (styles/epub.yaml), in the
    variant's face: the edition looks the same on the shelf and in print."""
    design = yamltext.load(styles.file("epub.yaml").read_text(encoding="utf-8"))
    family = (design.get("families") or {}).get(edition.lang)
    size = page_size_mm(edition.config.pdf.page_size)
    if not family or "cover" not in design or size is None:
        return ()  # the plain title page of print.css
    return (CSS(string=cover_css(design["cover"], family, edition.title, *size)),)


def _pictures(box: object, article: str | None = None) -> Iterator[tuple[object, str | None]]:
    """The laid-out pictures (``<img>`` boxes) under ``box``, each with the id of the
    article element it lies in."""
    element = getattr(box, "element", None)
    if element is not None and getattr(box, "element_tag", None) == "article":
        article = element.get("id") or article
    if getattr(box, "element_tag", None) == "img" and getattr(box, "replacement", None):
        yield box, article
    for child in getattr(box, "children", ()):
        yield from _pictures(child, article)


def _running_titles(html: str) -> dict[str, str]:
    """Each article's running title (see :func:`_running_title`), by its anchor."""
    return {
        element.get("id"): _running_title(element)
        for element in lxml_html.document_fromstring(html).iter("article")
        if element.get("id")
    }


def _running_title(html: str | lxml_html.HtmlElement) -> str:
    """The article title the running heads show, as print.css sets it from the headline
    (the first in ``html``, a document or an element): its ``data-running-head``
    (typography.running_heads: cut to one line)."""
    root = lxml_html.document_fromstring(html) if isinstance(html, str) else html
    for headline in root.iter("h1"):
        if "title" in (headline.get("class") or "").split():
            return headline.get("data-running-head") or running_head(headline.text_content())
    return ""


class _FrozenStream(pydyf.Object):
    """A page's content, compressed as soon as it is painted so that its layout can go."""

    def __init__(self, data: bytes) -> None:
        super().__init__()
        self._data = data

    @property
    def data(self) -> bytes:
        return self._data

    @property
    def compressible(self) -> bool:
        return False  # a stream never goes into an object stream


class _EditionPdf:
    """The edition PDF put together page by page from documents laid out one at a time.

    What WeasyPrint's ``Document.copy(pages from several documents).write_pdf()``
    does, in the same way and with the same functions, except that each page is
    painted when its article has been laid out, not when all have: the pages of
    a thousand articles never need to be in memory together.
    """

    def __init__(self, typesetter: _Typesetter) -> None:
        self.typesetter = typesetter
        self.pdf = pydyf.PDF()
        self.fonts: dict = {}  # shared by every page: one subset per font in the file
        self.images: dict = {}
        self.color_space = pydyf.Dictionary()
        self.pdf.add_object(self.color_space)
        self.resources = pydyf.Dictionary(
            {
                "ExtGState": pydyf.Dictionary(),
                "XObject": pydyf.Dictionary(),
                "Pattern": pydyf.Dictionary(),
                "Shading": pydyf.Dictionary(),
                "ColorSpace": self.color_space.reference,
            }
        )
        self.pdf.add_object(self.resources)
        self.names: list = []
        self.anchors: set[str] = set()
        self.annotation_files: dict = {}
        self.pages: list[tuple[pydyf.Dictionary, SimpleNamespace]] = []
        # Each article's first page (counting the article pages from 0) and running title.
        self.starts: list[tuple[Article, int, str]] = []
        self.margins: set[tuple[float, float]] = set()
        self.structure = _Structure(self.pdf) if typesetter.tagged else None
        self.press = typesetter.press
        self.marks: dict[tuple[float, float], pydyf.Stream] = {}  # one per page size

    def _stream(self, width: float, height: float, tags: dict | None) -> Stream:
        """A page's content stream; the press PDF's paints every colour in its inks."""
        arguments = (self.fonts, (0, 0, width, height), self.resources, self.images, tags, {})
        if self.press is None:
            return Stream(*arguments, None, compress=True)
        stream = _PressStream(*arguments, "device-cmyk", compress=True)
        stream.press = self.press
        return stream

    def _boxes(self, width: float, height: float) -> dict[str, pydyf.Array]:
        """The page's boxes (points): the trim is the page; the press PDF's media box
        adds its bleed and room for the crop marks."""
        trim = pydyf.Array([0, 0, width, height])
        if self.press is None:
            return {"MediaBox": trim, "TrimBox": trim, "BleedBox": trim}
        bleed, media = self.press.bleed, media_margin(self.press.bleed)
        return {
            "MediaBox": pydyf.Array([-media, -media, width + media, height + media]),
            "TrimBox": trim,
            "BleedBox": pydyf.Array([-bleed, -bleed, width + bleed, height + bleed]),
        }

    def _crop_marks(self, pdf_page: pydyf.Dictionary, width: float, height: float) -> None:
        """The press PDF's crop marks, a content stream shared by the pages of a size."""
        if self.press is None:
            return
        size = (round(width, 3), round(height, 3))
        if size not in self.marks:
            marks = crop_marks(width, height, self.press.bleed)
            self.marks[size] = pydyf.Stream([marks], compress=True)
            self.pdf.add_object(self.marks[size])
        pdf_page["Contents"].append(self.marks[size].reference)

    def add_article(self, article: Article, document: Document, title: str) -> None:
        self.starts.append((article, len(self.pages), title))
        self._add_pages(document)

    def add_run(self, document: Document, titles: dict[str, str]) -> None:
        """The pages of the articles laid out as one run (pdf.articles: continuous):
        each article starts on the page that holds its anchor."""
        for article in self.typesetter.edition.articles:
            page = next(
                (i for i, p in enumerate(document.pages) if article.anchor in p.anchors), None
            )
            if page is None:
                raise BuildError(
                    f"{article.shown}: the article is missing from the edition's pages"
                )
            self.starts.append((article, len(self.pages) + page, titles.get(article.anchor, "")))
        self._add_pages(document)

    def _add_pages(self, document: Document) -> None:
        for page in document.pages:
            box = page._page_box
            self.margins.add((round(box.margin_left, 3), round(box.margin_top, 3)))
        if self.structure is not None:
            self.structure.painted = []
        self.pages += self._paint(document, margin_boxes=False)
        if self.structure is not None:
            self.structure.body += self.structure.painted

    def _paint(
        self, document: Document, *, margin_boxes: bool
    ) -> list[tuple[pydyf.Dictionary, SimpleNamespace]]:
        """Paint a document's pages into this PDF: content, links, anchors; return each
        page's dictionary with what the outline needs of it."""
        own = {name for page in document.pages for name in page.anchors}
        # Links to articles painted later are kept too: their anchors will be there.
        known = self.anchors | own | self.typesetter.xref_targets
        painted = []
        for page in document.pages:
            links = [link for link in page.links if link[0] != "internal" or link[1] in known]
            anchors = [
                (name, x, y)
                for name, (x, y, _, _) in page.anchors.items()
                if name not in self.anchors
            ]
            self.anchors.update(name for name, _, _ in anchors)
            matrix = Matrix(SCALE, 0, 0, -SCALE, 0, page.height * SCALE)
            width, height = page.width * SCALE, page.height * SCALE
            tags = {} if self.structure is not None else None
            stream = self._stream(page.width, page.height, tags)
            # Each content stream restores the graphics state it found: the page's
            # furniture is a second stream that must start from PDF's own axes.
            stream.push_state()
            stream.transform(d=-1, f=height)
            boxes = self._boxes(width, height)
            pdf_page = pydyf.Dictionary(
                {
                    "Type": "/Page",
                    "Parent": self.pdf.pages.reference,
                    "MediaBox": boxes["MediaBox"],
                    "Resources": self.resources.reference,
                    "TrimBox": boxes["TrimBox"],
                    "BleedBox": boxes["BleedBox"],
                }
            )
            self.pdf.add_page(pdf_page)
            if self.structure is not None:
                pdf_page["Tabs"] = "/S"
                pdf_page["StructParents"] = self.structure.next_key()
            if self.press is None:  # PDF/X: no annotation on a printed page
                add_links((links, anchors), matrix, self.pdf, pdf_page, self.names, tags)
                add_annotations(
                    links, matrix, document, self.pdf, pdf_page, self.annotation_files, True
                )
                add_forms(
                    page.forms, matrix, self.pdf, pdf_page, self.resources, stream,
                    self.typesetter.fonts.font_map,
                )  # fmt: skip
            box = page._page_box
            children = box.children
            if not margin_boxes:
                box.children = [c for c in children if not isinstance(c, MarginBox)]
            try:
                page.paint(stream, SCALE)
                if self.structure is not None:  # of what was painted: no margin boxes
                    self.structure.add_page(box, pdf_page, tags)
            finally:
                box.children = children
            stream.pop_state()
            content = _FrozenStream(stream.data)
            self.pdf.add_object(content)
            pdf_page["Contents"] = pydyf.Array([content.reference])
            self._crop_marks(pdf_page, width, height)
            painted.append(
                (pdf_page, SimpleNamespace(bookmarks=page.bookmarks, height=page.height))
            )
        return painted

    def _front_matter(self) -> tuple[Document, dict[str, int]]:
        """Cover and contents, numbered: their own page count decides where the first
        article starts, so lay them out until the count holds (once, nearly always)."""
        typesetter, edition = self.typesetter, self.typesetter.edition
        front_pages = 2
        for _ in range(4):
            numbers = {article.slug: front_pages + 1 + start for article, start, _ in self.starts}
            document = typesetter.render(typesetter.html(edition, front_matter=True, pages=numbers))
            if len(document.pages) == front_pages:
                return document, numbers
            front_pages = len(document.pages)
        raise BuildError("the contents page count does not settle; shorten the article titles")

    def _furniture(self, front_pages: int, article_pages: int) -> Document:
        """Page numbers and running heads of every page, in a document of empty pages."""
        edition = self.typesetter.edition
        parts = ['<div class="furniture front"></div>'] * front_pages
        titles: dict[int, str] = {}
        for _, start, title in self.starts:  # a page's head: the first article starting on it
            titles.setdefault(start, title)
        for index in range(article_pages):
            title = titles.get(index)
            data = f' data-title="{_attribute(title)}"' if title is not None else ""
            parts.append(f'<div class="furniture"{data}></div>')
        options = edition.config.pdf
        html = (
            f'<!DOCTYPE html><html lang="{_attribute(edition.lang)}"><head><meta charset="utf-8">'
            f"<style>@page {{ size: {options.page_size}; margin: {options.margins}; }}</style>"
            f'</head><body data-edition-title="{_attribute(running_head(edition.title))}">'
            + "".join(parts)
            + "</body></html>"
        )
        return self.typesetter.render(html, (CSS(string=FURNITURE_CSS),))

    def write(self, target: Path) -> None:
        front, _ = self._front_matter()
        article_pages = self.pages
        if self.structure is not None:
            self.structure.painted = []
        self.pages = self._paint(front, margin_boxes=True) + article_pages
        if self.structure is not None:  # cover and contents come first in reading order
            self.structure.front = self.structure.painted
        # The page tree in reading order: the front matter was painted last.
        kids = self.pdf.pages["Kids"]
        split = 3 * len(article_pages)
        self.pdf.pages["Kids"] = pydyf.Array(kids[split:] + kids[:split])

        furniture = self._furniture(len(front.pages), len(article_pages))
        if len(furniture.pages) != len(self.pages):
            raise BuildError(
                f"the page furniture has {len(furniture.pages)} pages for {len(self.pages)}"
            )
        for (pdf_page, _), page in zip(
            article_pages, furniture.pages[len(front.pages) :], strict=True
        ):
            box = page._page_box
            if (round(box.margin_left, 3), round(box.margin_top, 3)) not in self.margins:
                raise BuildError(
                    f"{self.typesetter.context.styles.file('print.css')}: left and right "
                    "pages must have the same margins (each article is laid out once, "
                    "and may fall on either side)"
                )
            stream = self._stream(page.width, page.height, None)
            stream.push_state()
            stream.transform(d=-1, f=page.height * SCALE)
            if self.structure is not None:  # page numbers and running heads: furniture
                stream.begin_marked_content("Artifact")
            page.paint(stream, SCALE)
            if self.structure is not None:
                stream.end_marked_content()
            stream.pop_state()
            content = _FrozenStream(stream.data)
            self.pdf.add_object(content)
            pdf_page["Contents"].append(content.reference)

        shell = Document([stub for _, stub in self.pages], front.metadata, None, None, {}, None)
        add_outlines(self.pdf, shell.make_bookmark_tree(SCALE, transform_pages=True))
        self._metadata(front)
        fonts = build_fonts_dictionary(self.pdf, self.fonts, True, True, dict(DEFAULT_OPTIONS))
        self.pdf.add_object(fonts)
        self.resources["Font"] = fonts.reference
        _use_references(self.pdf, self.resources, self.images, {})
        if self.names:
            names = pydyf.Array()
            for name, destination in sorted(self.names):
                names.append(pydyf.String(name))
                names.append(destination)
            self.pdf.catalog["Names"] = pydyf.Dictionary(
                {"Dests": pydyf.Dictionary({"Names": names})}
            )
        if self.structure is not None:
            self.structure.finish()
        variant = "pdf/x-4" if self.press is not None else self.typesetter.variant
        version = None
        if variant is not None:
            finish_variant, properties = WEASYPRINT_VARIANTS[variant]
            version = properties["pdf_version"]
            if "pdf/a" in variant:
                self._output_intent()
            if self.press is not None:
                self._press_intent(front)
            # XMP metadata (PDF/UA, PDF/A or PDF/X identification), as WeasyPrint adds
            # it; PDF/X's document ID from the edition, where WeasyPrint draws a random one.
            identifier = uuid.uuid5(uuid.NAMESPACE_URL, self.typesetter.edition.identifier)
            drawn, weasyprint_metadata.uuid4 = weasyprint_metadata.uuid4, lambda: identifier
            try:
                finish_variant(self.pdf, front, [], [], True)
            finally:
                weasyprint_metadata.uuid4 = drawn
        with target.open("wb") as file:
            self.pdf.write(file, version, self.typesetter.options["pdf_identifier"], True)

    def _add_intent(
        self,
        profile: bytes,
        components: int,
        subtype: str,
        condition: str,
        info: str,
        described: str | None = None,
        registry: str | None = None,
    ) -> pydyf.Stream:
        """The file's output intent: the ICC ``profile`` embedded, and the condition it
        describes (``condition`` its identifier; ``described`` and ``registry`` where
        PDF/X names a registered one); the profile's stream."""
        stream = pydyf.Stream([profile], pydyf.Dictionary({"N": components}), compress=True)
        self.pdf.add_object(stream)
        intent = pydyf.Dictionary({"Type": "/OutputIntent", "S": subtype})
        intent["OutputConditionIdentifier"] = pydyf.String(condition)
        if described:
            intent["OutputCondition"] = pydyf.String(described)
        intent["Info"] = pydyf.String(info)
        intent["DestOutputProfile"] = stream.reference
        if registry:
            intent["RegistryName"] = pydyf.String(registry)
        self.pdf.catalog["OutputIntents"] = pydyf.Array([intent])
        return stream

    def _output_intent(self) -> None:
        """PDF/A's output intent: sRGB, WeasyPrint's own profile."""
        profile = (files("weasyprint.pdf") / "sRGB2014.icc").read_bytes()
        name = "sRGB2014.icc"
        stream = self._add_intent(profile, 3, "/GTS_PDFA1", name, name)
        self.color_space["srgb"] = pydyf.Array(("/ICCBased", stream.reference))

    def _press_intent(self, front: Document) -> None:
        """PDF/X's output intent: the press profile and its printing condition; and the
        dates PDF/X requires, from the edition (WeasyPrint would take the clock's)."""
        press = self.press
        assert press is not None
        self._add_intent(
            press.data, 4, "/GTS_PDFX", press.condition, press.info, press.info, press.registry
        )
        when = self.typesetter.edition.modified.strftime("%Y-%m-%dT%H:%M:%SZ")
        metadata = front.metadata
        metadata.created, metadata.modified = metadata.created or when, metadata.modified or when
        for key, value in (("CreationDate", metadata.created), ("ModDate", metadata.modified)):
            self.pdf.info[key] = pydyf.String(_w3c_date_to_pdf(value, key))

    def _metadata(self, front: Document) -> None:
        """The document information, as WeasyPrint writes it from the HTML's head."""

        info, metadata = self.pdf.info, front.metadata
        info["Producer"] = pydyf.String(f"WeasyPrint {VERSION}")
        if metadata.title:
            info["Title"] = pydyf.String(metadata.title)
        if metadata.authors:
            info["Author"] = pydyf.String(", ".join(metadata.authors))
        if metadata.description:
            info["Subject"] = pydyf.String(metadata.description)
        if metadata.keywords:
            info["Keywords"] = pydyf.String(", ".join(metadata.keywords))
        if metadata.generator:
            info["Creator"] = pydyf.String(metadata.generator)
        if metadata.created:
            info["CreationDate"] = pydyf.String(_w3c_date_to_pdf(metadata.created, "created"))
        if metadata.modified:
            info["ModDate"] = pydyf.String(_w3c_date_to_pdf(metadata.modified, "modified"))
        if metadata.lang:
            self.pdf.catalog["Lang"] = pydyf.String(metadata.lang)
        config = self.typesetter.edition.config
        if config.series:  # document information of its own: PDF has no series key
            info["Series"] = pydyf.String(config.series)
            if config.series_position:
                info["SeriesPosition"] = pydyf.String(str(config.series_position))


class _PressStream(Stream):
    """A content stream painting every sRGB colour in the press profile's inks (greys in
    black ink alone): whatever set it, print.css, an edition's own CSS, WeasyPrint's
    defaults or a drawn formula."""

    press: PressProfile

    def set_color_rgb(self, r: float, g: float, b: float, stroke: bool = False) -> None:
        c, m, y, k = self.press.ink(r, g, b)
        self.stream.append(f"{c:g} {m:g} {y:g} {k:g} {'K' if stroke else 'k'}".encode())

    def clone(self, **kwargs: object) -> Stream:
        # Groups and patterns (opacity, drawn formulas) paint through clones.
        stream = super().clone(**kwargs)
        stream.__class__ = _PressStream
        stream.press = self.press
        return stream


class _Structure:
    """The edition PDF's structure tree, made page by page as the pages are painted.

    WeasyPrint's own tagging (``weasyprint.pdf.tags``) makes each page's elements
    from its boxes and the marked content its stream recorded; here they hang
    under one Document element in reading order, and the parent tree maps each
    page's marked content and each link annotation back to its element.
    """

    def __init__(self, pdf: pydyf.PDF) -> None:
        self.pdf = pdf
        self.parent_tree = pydyf.Dictionary({})
        pdf.add_object(self.parent_tree)
        self.root = pydyf.Dictionary(
            {"Type": "/StructTreeRoot", "ParentTree": self.parent_tree.reference}
        )
        pdf.add_object(self.root)
        self.document = pydyf.Dictionary(
            {"Type": "/StructElem", "S": "/Document", "K": pydyf.Array(), "P": self.root.reference}
        )
        pdf.add_object(self.document)
        self.root["K"] = pydyf.Array([self.document.reference])
        pdf.catalog["StructTreeRoot"] = self.root.reference
        self.keys = 0
        self.contents: list[tuple[int, list]] = []  # page key -> its MCIDs' elements
        self.annotations: list = []  # (element reference, annotation)
        self.painted: list = []  # the elements of the pages painted last
        self.front: list = []
        self.body: list = []

    def next_key(self) -> int:
        self.keys += 1
        return self.keys - 1

    def add_page(self, page_box: object, pdf_page: pydyf.Dictionary, tags: dict) -> None:
        """The elements of a page just painted, from its boxes and their marked content."""
        key = pdf_page["StructParents"]
        # WeasyPrint looks the page up by its number in the file's page list, which it
        # recomputes at each look: this page alone, by the number it is given.
        single = SimpleNamespace(
            add_object=self.pdf.add_object, page_references={0: pdf_page.reference}
        )
        numbers: dict[int, object] = {}
        elements = _build_box_tree(
            page_box, self.document, single, 0, numbers, self.annotations, tags
        )
        self.painted += [element.reference for element in elements]
        self.contents.append((key, [reference for _, reference in sorted(numbers.items())]))

    def finish(self) -> None:
        """Hang the elements in reading order; map the content and annotations back."""
        self.document["K"] = pydyf.Array([*self.front, *self.body])
        nums = pydyf.Array()
        for key, references in sorted(self.contents, key=lambda item: item[0]):
            nums += [key, pydyf.Array(references)]
        for key, (reference, annotation) in enumerate(self.annotations, start=self.keys):
            nums += [key, reference]
            annotation["StructParent"] = key
        self.parent_tree["Nums"] = nums
        self.pdf.catalog["ViewerPreferences"] = pydyf.Dictionary({"DisplayDocTitle": "true"})
        self.pdf.catalog["MarkInfo"] = pydyf.Dictionary({"Marked": "true"})


def _attribute(text: str) -> str:
    return text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")
