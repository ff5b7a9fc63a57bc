"""What every stage after reading passes on: the parsed edition and its articles.

An :class:`Edition` is the edition's configuration and its articles, each an
:class:`Article`: front matter plus pandoc's AST. The document stage makes it,
the variant step converts it, writers render it. This module imports none of
the stages.
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from publisher.base.config import ArticleMeta, EditionConfig
from publisher.base.limits import source_date_epoch

# Zip cannot store dates before 1980; used when the edition says nothing.
FALLBACK_TIMESTAMP = datetime.datetime(1980, 1, 1, tzinfo=datetime.UTC)


# A pandoc AST node (JSON), as pandoc gives it.
Node = dict[str, Any]

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
    # The web edition's own words.
    "skip": "跳到正文",
    "variants": "版本",
    "site": "本站",
    "home": "首页",
    "search": "搜索",
    "about": "关于本刊",
    "feed": "订阅",
    "vertical": "直排",
    "horizontal": "横排",
    "published": "出版日期",
    "publisher": "出版者",
    "identifier": "标识",
    "languages": "语言版本",
}


@dataclass(frozen=True)
class ArticleSource:
    """One article file: its validated front matter and its Markdown body."""

    path: Path
    meta: ArticleMeta
    body: str
    body_first_line: int  # the file line the body starts on, for messages
    slug: str
    meta_lines: dict[str, int] = field(default_factory=dict)  # front matter key -> file line
    shown: str = ""  # the path as the user named it (display_path), for every message

    def line_of(self, needle: str) -> int | None:
        """The file line where ``needle`` first occurs in the body, if it does."""
        return line_in_body(self.body, self.body_first_line, needle)


@dataclass(frozen=True)
class EditionSource:
    """A source folder, read and validated."""

    root: Path
    config: EditionConfig
    articles: tuple[ArticleSource, ...]
    # Simplified phrase -> {variant tag or "all": its reviewed Traditional form}
    dictionary: dict[str, dict[str, str]]


@dataclass(frozen=True)
class Article:
    """One article, parsed: metadata plus pandoc AST blocks."""

    slug: str
    source: Path
    meta: ArticleMeta
    blocks: list[Node]
    images: dict[str, Path] = field(default_factory=dict)  # target as written -> file
    # The Markdown body as written and its first line in the file: where a
    # message about the article (pandoc's) is located.
    body: str = field(default="", repr=False)
    body_first_line: int = 1
    # The source file as the user named it (read.sources.display_path), for
    # messages: said where the edition was read, not where a worker runs.
    shown: str = field(default="", repr=False)

    def line_of(self, needle: str) -> int | None:
        """The file line where ``needle`` first occurs in the body, if it does."""
        return line_in_body(self.body, self.body_first_line, needle)

    @property
    def anchor(self) -> str:
        """The article's id in HTML and XHTML: an XML name, which may not start with a digit."""
        return anchor(self.slug)

    @property
    def byline_text(self) -> str | None:
        """The byline as printed: in brackets at the end of the article, as the newspaper has it."""
        return f"（{self.meta.byline}）" if self.meta.byline else None


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
        epoch = source_date_epoch()  # checked by read_edition
        if epoch is not None:
            return epoch
        if self.config.date:
            return datetime.datetime.combine(self.config.date, datetime.time(), datetime.UTC)
        return FALLBACK_TIMESTAMP

    @property
    def dateline(self) -> str | None:
        """What the covers print under the title: the date, then the issue (edition.yaml
        `issue:`), an ideographic space between them."""
        parts = [self.date_text, self.config.issue]
        return "\u3000".join(p for p in parts if p) or None

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


def line_in_body(body: str, first_line: int, needle: str) -> int | None:
    """The file line where ``needle`` first occurs in an article's ``body`` (which starts
    on file line ``first_line``), if it does."""
    index = body.find(needle)
    if index < 0:
        return None
    return first_line + body.count("\n", 0, index)


def anchor(slug: str) -> str:
    """An article's id in HTML and XHTML (an XML name may not start with a digit);
    every id of the article is prefixed with it and ``-``."""
    return f"article-{slug}"
