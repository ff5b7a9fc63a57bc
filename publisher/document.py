"""The parsed edition: each article's Markdown body as pandoc's AST, plus its metadata.

Each body is parsed once with pandoc (pypandoc-binary) and cached by the hash
of its text, so a rebuild parses only what changed. Images are resolved and
checked here, once, so that every writer can rely on them.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
from dataclasses import dataclass, field, replace
from pathlib import Path

from . import copyedit
from .atomic import write_atomically
from .config import ArticleMeta, EditionConfig
from .errors import SourceError
from .pandoc import pandoc_version, run_pandoc
from .pandoc_ast import Node, image_targets, map_ast, plain
from .rawhtml import apply_policy
from .sources import ArticleSource, EditionSource, display_path, read_text, source_file

# east_asian_line_breaks: a line break between two CJK characters is dropped
# instead of becoming a space.
MARKDOWN_FORMAT = "markdown+east_asian_line_breaks"
# Zip cannot store dates before 1980; used when the edition says nothing.
FALLBACK_TIMESTAMP = datetime.datetime(1980, 1, 1, tzinfo=datetime.UTC)


LABELS = {
    "contents": "目录",
    # How a date is written for readers (covers, title pages): 2024年7月15日.
    "date": "{year}年{month}月{day}日",
    "cover": "封面",
    "title_page": "书名页",
    # The EPUB's hidden landmarks list, and its accessibility summary (read aloud
    # by store pages and screen readers): reader-visible, so converted per variant.
    "landmarks": "导览",
    "bodymatter": "正文",
    "accessibility_summary": "本书为可重排的文字版电子书，每篇文章自成一章，"
    "附目录、导览与标题结构，阅读顺序与原报一致，字号与字体可由读者调整；"
    "无闪烁、动画或声音等危险内容。",
    "accessibility_images": "书中图片均附有替代文字。",
}


@dataclass(frozen=True)
class Article:
    """One article, parsed: metadata plus pandoc AST blocks."""

    slug: str
    source: Path
    meta: ArticleMeta
    blocks: list[Node]
    images: dict[str, Path] = field(default_factory=dict)  # target as written -> file

    @property
    def anchor(self) -> str:
        """The article's id in HTML and XHTML: an XML name, which may not start with a digit."""
        return f"article-{self.slug}"

    @property
    def byline_text(self) -> str | None:
        """The byline as printed: in brackets at the end of the article, as the newspaper has it."""
        return f"（{self.meta.byline}）" if self.meta.byline else None

    def document_blocks(self) -> list[Node]:
        """The whole article as pandoc blocks: headline structure, body, byline.

        Writers render these. The divs carry a class (HTML, EPUB) and a
        ``custom-style`` (pandoc's DOCX paragraph style) for each part.
        """

        def part(name: str, style: str, text: str) -> Node:
            return {
                "t": "Div",
                "c": [["", [name], [["custom-style", style]]], [{"t": "Plain", "c": plain(text)}]],
            }

        blocks = []
        if self.meta.kicker:
            blocks.append(part("kicker", "Kicker", self.meta.kicker))
        blocks.append({"t": "Header", "c": [1, ["", ["title"], []], plain(self.meta.title)]})
        if self.meta.subtitle:
            blocks.append(part("subtitle", "Subtitle", self.meta.subtitle))
        # Level 1 is the headline's: a `#` in the body would be a second one in
        # the PDF's bookmarks, the EPUB's outline and Word's contents.
        blocks.extend(map_ast(self.blocks, _below_headline))
        if self.byline_text:
            blocks.append(part("byline", "Byline", self.byline_text))
        return blocks


@dataclass(frozen=True)
class Edition:
    """What every writer renders: the edition's metadata and its articles, in one language."""

    root: Path
    config: EditionConfig
    lang: str  # BCP 47 tag of the text as it now is (the variant's)
    articles: tuple[Article, ...]
    pandoc_api_version: tuple[int, ...]
    # Words the tool itself puts before readers; the variant step converts them too.
    labels: dict[str, str] = field(default_factory=lambda: dict(LABELS))
    dictionary: dict[str, dict[str, str]] = field(default_factory=dict)
    # True for what :meth:`only` returns: one article taken out of the edition,
    # which writers render without the edition's title page and contents.
    single_article: bool = False

    def only(self, slug: str) -> Edition:
        """The edition reduced to one article, for per-article outputs."""
        articles = tuple(a for a in self.articles if a.slug == slug)
        return replace(self, articles=articles, single_article=True)

    @property
    def identifier(self) -> str:
        """This edition's identifier in its current variant."""
        return self.config.variant_identifier(self.lang)

    @property
    def title(self) -> str:
        return self.config.title

    @property
    def authors(self) -> list[str]:
        """Every named author of the edition, in order of first appearance."""
        return list(dict.fromkeys(a for article in self.articles for a in article.meta.authors))

    @property
    def modified(self) -> datetime.datetime:
        """The build timestamp: SOURCE_DATE_EPOCH, else the edition date; never the clock."""
        epoch = os.environ.get("SOURCE_DATE_EPOCH")
        if epoch and epoch.strip().isdigit():
            return datetime.datetime.fromtimestamp(int(epoch), tz=datetime.UTC)
        if self.config.date:
            return datetime.datetime.combine(self.config.date, datetime.time(), datetime.UTC)
        return FALLBACK_TIMESTAMP

    @property
    def date_text(self) -> str | None:
        """The publication date as readers read it (labels["date"])."""
        day = self.date
        if day is None:
            return None
        return self.labels["date"].format(year=day.year, month=day.month, day=day.day)

    @property
    def date(self) -> datetime.date | None:
        """The publication date: the edition's, else SOURCE_DATE_EPOCH's day."""
        if self.config.date:
            return self.config.date
        if self.modified != FALLBACK_TIMESTAMP:
            return self.modified.date()
        return None

    def pandoc_document(self, blocks: list[Node], meta: Node | None = None) -> str:
        """A pandoc JSON document holding ``blocks``, ready for pandoc to write."""
        return json.dumps(
            {
                "pandoc-api-version": list(self.pandoc_api_version),
                "meta": meta or {},
                "blocks": blocks,
            },
            ensure_ascii=False,
        )


# ---------------------------------------------------------------- helpers


def _below_headline(node: Node) -> Node | None:
    if node["t"] == "Header" and node["c"][0] < 2:
        return {"t": "Header", "c": [2, *node["c"][1:]]}
    return None


# ---------------------------------------------------------------- parsing


class AstCache:
    """pandoc ASTs on disk, keyed by pandoc's version, the format and the text.

    New entries are held in memory until :meth:`save`, which the build calls
    only once the whole edition is valid: bad sources write nothing.
    """

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder
        self.pending: dict[str, Node] = {}

    def key(self, text: str, reader: str = MARKDOWN_FORMAT) -> str:
        seed = f"{pandoc_version()}\0{reader}\0{text}"
        return hashlib.sha256(seed.encode()).hexdigest()

    def get(self, text: str, reader: str = MARKDOWN_FORMAT) -> Node | None:
        if self.folder is None:
            return None
        path = self.folder / f"{self.key(text, reader)}.json"
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None

    def put(self, text: str, document: Node, reader: str = MARKDOWN_FORMAT) -> None:
        if self.folder is not None:
            self.pending[self.key(text, reader)] = document

    def save(self) -> None:
        for key, document in self.pending.items():
            data = json.dumps(document, ensure_ascii=False).encode()
            write_atomically(self.folder / f"{key}.json", data)
        self.pending.clear()


def parse_markdown(text: str, cache: AstCache) -> Node:
    """Markdown text -> pandoc JSON document (cached)."""
    document = cache.get(text)
    if document is None:
        document = json.loads(run_pandoc(["--from", MARKDOWN_FORMAT, "--to", "json"], text))
        cache.put(text, document)
    return document


# Image types every writer can carry (PDF, EPUB core media types, DOCX): checked
# here, once, before any output, so writers need not check them again.
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif")
URL_UNSAFE = set("#?%") | {" ", "\t"}


def resolve_images(article: ArticleSource, blocks: list[Node], root: Path) -> dict[str, Path]:
    """Map each image target to its file; refuse what is missing, outside the source,
    of a type some format cannot carry, or named so that a URL cannot hold it."""
    images = {}
    shown = display_path(article.path)
    for target in image_targets(blocks):
        line = article.line_of(target)
        path = source_file(
            root,
            article.path.parent,
            target,
            what="the image",
            shown=shown,
            line=line,
            hint="save the image under source/images/ and refer to it by a path relative to "
            "the article, e.g. ../images/photo.jpg (download a network image first)",
        )
        if path.suffix.lower() not in IMAGE_SUFFIXES:
            raise SourceError(
                shown,
                f"the image `{target}` is not PNG, JPEG or GIF",
                line=line,
                hint="convert it (every format carries PNG and JPEG)",
            )
        if URL_UNSAFE & set(path.relative_to(root).as_posix()):
            raise SourceError(
                shown,
                f"the image file name `{path.name}` holds a space, #, ? or %",
                line=line,
                hint="rename the file without them",
            )
        images[target] = path
    return images


def parse_edition(source: EditionSource, cache: AstCache | None = None) -> Edition:
    """Parse every article of a validated source folder into an :class:`Edition`."""
    cache = cache or AstCache(None)
    articles = []
    api_version: tuple[int, ...] = ()
    for article in source.articles:
        document = parse_markdown(article.body, cache)
        api_version = tuple(document["pandoc-api-version"])
        blocks = apply_policy(article, document["blocks"], strict=source.config.strict)
        shown = display_path(article.path)
        text = read_text(article.path)
        copyedit.report(copyedit.find(text, shown, cache, document["blocks"]))
        articles.append(
            Article(
                slug=article.slug,
                source=article.path,
                meta=article.meta,
                blocks=blocks,
                images=resolve_images(article, blocks, source.root),
            )
        )
    return Edition(
        root=source.root,
        config=source.config,
        lang=source.config.language,
        articles=tuple(articles),
        pandoc_api_version=api_version,
        dictionary=source.dictionary,
    )
