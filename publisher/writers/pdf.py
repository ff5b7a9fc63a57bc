"""PDF: the edition as one HTML document, laid out by WeasyPrint with ``styles/print.css``."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from weasyprint import CSS, HTML
from weasyprint.urls import FatalURLFetchingError, URLFetcher

from ..errors import BuildError
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
        super().__init__(allowed_protocols={"file"})
        self.folders = [folder.resolve() for folder in folders]

    def fetch(self, url: str, headers: dict | None = None):
        from urllib.parse import unquote, urlsplit

        parts = urlsplit(url)
        path = Path(unquote(parts.path)).resolve() if parts.scheme == "file" else None
        if path is None or not any(path.is_relative_to(f) for f in self.folders):
            raise FatalURLFetchingError(f"refused to read {url}: outside the source and styles")
        return super().fetch(url, headers)


class PdfWriter(Writer):
    name = "pdf"
    extension = ".pdf"
    per_article = True
    media_types: ClassVar[frozenset[str]] = frozenset(
        {"image/png", "image/jpeg", "image/gif", "image/svg+xml", "image/webp"}
    )

    def write(self, context: WriterContext, target: Path) -> None:
        cjk_justify.install()
        edition = context.edition
        options = edition.config.pdf
        articles = [
            (article, article_html(edition, article, Path.as_uri, typography.for_print))
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
            cover_url=(edition.root / cover).as_uri() if cover else None,
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
