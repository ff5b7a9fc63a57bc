"""DOCX: pandoc writes the edition with the reference document made from ``styles/``."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from ..document import Node, rewrite_images
from ..pandoc import run_pandoc
from ..zipfiles import reproducible_zip
from .base import Writer, WriterContext

# Word's own page break, between articles.
PAGE_BREAK: Node = {
    "t": "RawBlock",
    "c": ["openxml", '<w:p><w:r><w:br w:type="page"/></w:r></w:p>'],
}


class DocxWriter(Writer):
    name = "docx"
    extension = ".docx"
    per_article = True
    media_types: ClassVar[frozenset[str]] = frozenset({"image/png", "image/jpeg", "image/gif"})

    def write(self, context: WriterContext, target: Path) -> None:
        edition = context.edition
        blocks: list[Node] = []
        for number, article in enumerate(edition.articles):
            if number:
                blocks.append(PAGE_BREAK)
            # Relative to the source folder: pandoc writes the path into the DOCX.
            article_blocks = rewrite_images(
                article.document_blocks(),
                lambda t, a=article: a.images[t].relative_to(edition.root).as_posix(),
            )
            blocks.extend(article_blocks)
        meta = {"title": {"t": "MetaInlines", "c": [{"t": "Str", "c": edition.title}]}}
        if edition.authors:
            meta["author"] = {
                "t": "MetaList",
                "c": [{"t": "MetaInlines", "c": [{"t": "Str", "c": a}]} for a in edition.authors],
            }
        if edition.date:
            meta["date"] = {"t": "MetaInlines", "c": [{"t": "Str", "c": edition.date.isoformat()}]}
        reference = context.styles.docx_reference(edition.lang, context.cache)
        # No `lang` for pandoc: the Word language tag (zh-CN …) comes from the
        # reference document, where pandoc would write the BCP 47 tag instead.
        run_pandoc(
            [
                "--from",
                "json",
                "--to",
                "docx",
                f"--reference-doc={reference}",
                f"--output={target.resolve()}",
            ],
            edition.pandoc_document(blocks, meta),
            timestamp=edition.modified,
            images_from=edition.root,  # every image was checked by parse_edition
        )
        target.write_bytes(reproducible_zip(target.read_bytes(), edition.modified))
