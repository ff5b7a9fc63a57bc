"""HTML for the writers that start from it (PDF and EPUB): one fragment per article."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ..document import Article, Edition
from ..pandoc import run_pandoc
from ..pandoc_ast import Node, rewrite_images


def article_html(
    edition: Edition,
    article: Article,
    image_url: Callable[[Path], str],
    transform: Callable[[list[Node]], list[Node]] | None = None,
) -> str:
    """The article (headline, body, byline, footnotes) as an HTML fragment.

    ``image_url`` maps each image's file to the URL the output refers to it by;
    ``transform``, if given, rewrites the blocks first (print typography).
    Every id is prefixed with the article's anchor, so articles can share a page.
    """
    blocks = rewrite_images(article.document_blocks(), lambda t: image_url(article.images[t]))
    if transform:
        blocks = transform(blocks)
    # MathML: EPUB 3 carries it, the PDF writer draws it (there are formulas only
    # when the edition has `math: true`).
    return run_pandoc(
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
        report=article.report,
    )
