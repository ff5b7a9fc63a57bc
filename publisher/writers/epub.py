"""EPUB 3: one XHTML content document per article, a nav document, through ebooklib.

The package mirrors the source folder: ``articles/01-x.md`` becomes
``EPUB/articles/01-x.xhtml`` and its images keep their paths relative to it.
"""

from __future__ import annotations

import io
import mimetypes
import os
from pathlib import Path
from typing import ClassVar

from ebooklib import epub

from ..errors import BuildError
from ..zipfiles import reproducible_zip
from .base import Writer, WriterContext
from .html import article_html

STYLESHEET = "styles/epub.css"


class EpubWriter(Writer):
    name = "epub"
    extension = ".epub"
    # EPUB 3.3 core media types for images.
    media_types: ClassVar[frozenset[str]] = frozenset(
        {"image/png", "image/jpeg", "image/gif", "image/svg+xml", "image/webp"}
    )

    def write(self, context: WriterContext, target: Path) -> None:
        edition = context.edition
        config = edition.config
        book = epub.EpubBook()
        book.set_identifier(edition.identifier)
        book.set_title(edition.title)
        book.set_language(edition.lang)
        for number, author in enumerate(edition.authors, start=1):
            book.add_author(author, uid=f"creator{number}")
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

        stylesheet = epub.EpubItem(
            uid="stylesheet",
            file_name=STYLESHEET,
            media_type="text/css",
            content=context.styles.file("epub.css").read_bytes(),
        )
        book.add_item(stylesheet)

        images: dict[Path, str] = {}  # file -> name in the package
        chapters = []
        for article in edition.articles:
            name = article.source.relative_to(edition.root).with_suffix(".xhtml").as_posix()
            folder = (edition.root / name).parent

            def image_url(path: Path, folder: Path = folder) -> str:
                images.setdefault(path, path.relative_to(edition.root).as_posix())
                return Path(os.path.relpath(path, folder)).as_posix()

            chapter = epub.EpubHtml(
                uid=article.anchor,
                title=article.meta.title,
                file_name=name,
                lang=edition.lang,
            )
            chapter.content = article_html(edition, article, image_url)
            chapter.add_link(
                href=os.path.relpath(STYLESHEET, Path(name).parent),
                rel="stylesheet",
                type="text/css",
            )
            book.add_item(chapter)
            chapters.append(chapter)

        for number, (path, name) in enumerate(sorted(images.items(), key=lambda i: i[1]), 1):
            media_type = mimetypes.guess_type(name)[0]
            if media_type not in self.media_types:
                raise BuildError(
                    f"{path}: EPUB cannot carry {media_type or 'this file type'}; "
                    "use PNG, JPEG, GIF, SVG or WebP"
                )
            book.add_item(
                epub.EpubImage(
                    uid=f"image{number}",
                    file_name=name,
                    media_type=media_type,
                    content=path.read_bytes(),
                )
            )

        book.toc = chapters
        book.add_item(epub.EpubNcx())
        book.add_item(epub.EpubNav())
        book.spine = ["nav", *chapters]

        buffer = io.BytesIO()
        # ebooklib stamps the clock unless given mtime, and swallows errors unless asked.
        epub.write_epub(
            buffer,
            book,
            {"mtime": edition.modified, "raise_exceptions": True, "epub3_pages": False},
        )
        target.write_bytes(reproducible_zip(buffer.getvalue(), edition.modified))
