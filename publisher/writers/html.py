"""HTML for the writers that start from it (PDF and EPUB): one fragment per article."""

from __future__ import annotations

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
