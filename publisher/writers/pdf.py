"""PDF: the edition as one HTML document, laid out by WeasyPrint with ``styles/print.css``."""

from __future__ import annotations

import base64
import logging
import mimetypes
from pathlib import Path

from weasyprint import CSS, HTML
from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

from ..errors import BuildError, warn
from . import cjk_justify, typography
from .base import Writer, WriterContext
from .html import article_html

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
        from urllib.parse import unquote, urlsplit

        parts = urlsplit(url)
        if parts.scheme == "data":  # reads no file
            return super().fetch(url, headers)
        path = Path(unquote(parts.path)).resolve() if parts.scheme == "file" else None
        if path is None or not any(path.is_relative_to(f) for f in self.folders):
            raise FatalURLFetchingError(f"refused to read {url}: outside the source and styles")
        return super().fetch(url, headers)


class MissingGlyphs(logging.Handler):
    """WeasyPrint's own warnings, sorted: a missing glyph is the reader's problem and
    becomes a counted warning of ours; the rest (CSS it ignores) is the stylesheet's."""

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if "glyph" in message:
            warn(f"PDF: {message}; install a font that has it (see README)")


def _forward_weasyprint_warnings() -> None:
    weasyprint = logging.getLogger("weasyprint")
    if not any(isinstance(h, MissingGlyphs) for h in weasyprint.handlers):
        weasyprint.handlers[:] = [MissingGlyphs()]
        weasyprint.setLevel(logging.WARNING)
        weasyprint.propagate = False


def data_uri(path: Path) -> str:
    """An image as a data: URI. WeasyPrint names a PDF's images after their URLs, so
    a file: URL would make the PDF's bytes depend on where the sources lie."""
    media_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return f"data:{media_type};base64,{base64.b64encode(path.read_bytes()).decode()}"


class PdfWriter(Writer):
    name = "pdf"
    extension = ".pdf"
    per_article = True

    def write(self, context: WriterContext, target: Path) -> None:
        cjk_justify.install()
        _forward_weasyprint_warnings()
        edition = context.edition
        options = edition.config.pdf
        articles = [
            (article, article_html(edition, article, data_uri, typography.for_print))
            for article in edition.articles
        ]
        keywords = list(
            dict.fromkeys(
                [*edition.config.subject, *(k for a in edition.articles for k in a.meta.keywords)]
            )
        )
        cover = edition.config.cover
        html = context.styles.render(
            "edition.html",
            edition=edition,
            articles=articles,
            keywords=keywords,
            page=options,
            cover_url=data_uri(edition.root / cover) if cover else None,
            modified=edition.modified.strftime("%Y-%m-%dT%H:%M:%SZ"),
        )
        fetcher = LocalFetcher([edition.root, context.styles.folder])
        stylesheet = context.styles.file("print.css")
        try:
            document = HTML(string=html, base_url=edition.root.as_uri() + "/", url_fetcher=fetcher)
            document.write_pdf(
                target,
                stylesheets=[CSS(filename=str(stylesheet), url_fetcher=fetcher)],
                pdf_identifier=edition.identifier.encode(),
                pdf_variant=PDF_VARIANTS[options.tagged, options.archival],
            )
        except FatalURLFetchingError as error:
            raise BuildError(str(error)) from None
