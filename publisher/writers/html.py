"""HTML for the writers that start from it (PDF, vertical PDF and EPUB): one fragment per
article, and the print edition's document around them."""

from __future__ import annotations

import base64
import mimetypes
import re
from collections.abc import Callable
from functools import partial
from html import escape as html_escape
from pathlib import Path

from publisher.base.model import Article, Edition, Node
from publisher.base.pandoc import run_pandoc
from publisher.document.headline import article_blocks
from publisher.document.links import rewrite_xrefs
from publisher.document.pandoc_ast import rewrite_images
from publisher.document.parse import report_pandoc
from publisher.read.styles import Styles

XREF_PLACEHOLDER = "publisher-xref:"


def article_html(
    edition: Edition,
    article: Article,
    image_url: Callable[[Path], str],
    xref: Callable[[str, str | None], str | None],
    transform: Callable[[list[Node]], list[Node]] | None = None,
) -> str:
    """The article (headline, body, byline, footnotes) as an HTML fragment.

    ``image_url`` maps each image's file to the URL the output refers to it by;
    ``xref`` maps a link to another article (its slug and the id in it, if any)
    to the output's URL for it, or None to leave the link's text alone;
    ``transform``, if given, rewrites the blocks first (print typography).
    Every id is prefixed with the article's anchor, so articles can share a page.
    """
    blocks = rewrite_images(article_blocks(article), lambda t: image_url(article.images[t]))
    # pandoc prefixes every link starting with # (--id-prefix): links to other
    # articles go through as placeholders and get their URLs afterwards.
    hrefs: list[str] = []

    def placeholder(slug: str, fragment: str | None) -> str | None:
        href = xref(slug, fragment)
        if href is None:
            return None
        hrefs.append(href)
        return f"{XREF_PLACEHOLDER}{len(hrefs) - 1}"

    blocks = rewrite_xrefs(blocks, placeholder)
    if transform:
        blocks = transform(blocks)
    # MathML: EPUB 3 carries it, the PDF writer draws it (there are formulas only
    # when the edition has `math: true`).
    html = run_pandoc(
        [
            "--from",
            "json",
            "--to",
            "html5",
            "--wrap=none",
            "--mathml",
            f"--id-prefix={article.anchor}-",
        ],
        edition.pandoc_document(blocks),
        report=partial(report_pandoc, article),
    )
    return re.sub(
        rf'href="{XREF_PLACEHOLDER}(\d+)"',
        lambda m: f'href="{html_escape(hrefs[int(m[1])], quote=True)}"',
        html,
    )


def data_uri(path: Path) -> str:
    """An image as a data: URI. WeasyPrint names a PDF's images after their URLs, so
    a file: URL would make the PDF's bytes depend on where the sources lie."""
    media_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return f"data:{media_type};base64,{base64.b64encode(path.read_bytes()).decode()}"


def print_document(
    styles: Styles,
    edition: Edition,
    bodies: list[tuple[Article, str]],
    *,
    front_matter: bool = False,
    pages: dict[str, int] | None = None,
    head: str = "",
) -> str:
    """``templates/edition.html``: cover, contents and each article's ``bodies`` HTML, as
    the print editions (horizontal and vertical) lay it out. With ``front_matter``, the
    cover and contents alone, numbered from ``pages`` (slug -> page number); ``head``
    is markup added to the document's head (the vertical PDF's fonts and stylesheet)."""
    keywords = list(
        dict.fromkeys(
            [*edition.config.subject, *(k for a in edition.articles for k in a.meta.keywords)]
        )
    )
    cover = edition.config.pdf.cover or edition.config.cover  # the print edition's own first
    document = styles.render(
        "edition.html",
        edition=edition,
        articles=bodies,
        keywords=keywords,
        page=edition.config.pdf,
        cover_url=data_uri(edition.root / cover) if cover else None,
        # Undated: no creation date at all, rather than 1980-01-01.
        modified=edition.modified.strftime("%Y-%m-%dT%H:%M:%SZ") if edition.date else None,
        front_matter=front_matter,
        contents_pages=pages or {},
    )
    # Put in by hand rather than by the template, so a styles folder's own
    # edition.html needs no change for it.
    return document.replace("</head>", f"{head}</head>", 1) if head else document
