"""Links inside the edition: each one resolves, or becomes plain text with a warning.

Real copy links to ``#`` (a placeholder style guides use), to headings cut from
a longer file, to GitHub's anchors for Chinese headings, and to other articles
(``02-jiaokou.md#背景``). A link to nowhere makes an EPUB that EPUBCheck
rejects (RSC-012) and a dead link in every other format, so every internal link
is resolved here, once, against the ids each article really has:

* ``#id``: an id of the article (a heading's, given or made by pandoc, a
  span's, raw HTML's), also written as GitHub writes it (lower case, spaces as
  ``-``, punctuation dropped) or percent-encoded. It becomes ``#`` + that id.
* ``other.md`` or ``other.md#id``, relative to the article: an article of the
  edition. It becomes ``publisher-article:<slug>`` or
  ``publisher-article:<slug>#<id>``, which each writer turns into its own link
  (a page of the PDF, a file of the EPUB, a bookmark of the DOCX) or into plain
  text when the target is not in its output (a per-article file).

Anything else that looks internal (``#``, a missing heading, a ``.md`` file
that is not an article of the edition) becomes its text, with a warning naming
the file, the line and the missing target. Raw HTML's ``href="#…"`` and ``id``
are rewritten too, with the article's prefix, which pandoc adds to the ids and
links it writes but not to raw HTML.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote

from publisher.base.errors import warn
from publisher.base.model import ArticleSource, Node, anchor
from publisher.document.pandoc_ast import inline_text, iter_ast, map_ast

XREF = "publisher-article:"
ARTICLE_SUFFIXES = (".md", ".markdown")
HTML_FORMATS = {"html", "html4", "html5"}
RAW_ID = re.compile(r"""((?<![\w-])id\s*=\s*)(["'])(.*?)\2""", re.I | re.S)
RAW_HREF = re.compile(r"""\s*(?<![\w-])href\s*=\s*(["'])#(.*?)\1""", re.I | re.S)


def github_slug(text: str) -> str:
    """The anchor GitHub (and pandoc's gfm_auto_identifiers) makes of a heading."""
    kept = "".join(
        c for c in text.strip().lower() if c in " -_" or unicodedata.category(c)[0] in "LNM"
    )
    return kept.replace(" ", "-")


@dataclass
class Targets:
    """The ids of one article, and every way a link may write each."""

    ids: set[str] = field(default_factory=set)
    spellings: dict[str, str] = field(default_factory=dict)  # as written -> id

    def add(self, identifier: str, *others: str) -> None:
        self.ids.add(identifier)
        for spelling in (identifier, *others):
            self.spellings.setdefault(spelling, identifier)
            self.spellings.setdefault(spelling.lower(), identifier)

    def find(self, fragment: str) -> str | None:
        for spelling in (fragment, unquote(fragment)):
            for form in (spelling, spelling.lower(), github_slug(spelling)):
                if form in self.spellings:
                    return self.spellings[form]
        return None


def article_targets(blocks: list[Node]) -> Targets:
    """Every id an article's body defines."""
    targets = Targets()
    for node in iter_ast(blocks):
        kind, content = node["t"], node.get("c")
        if kind == "Header":
            identifier = content[1][0]
            if identifier:
                targets.add(identifier, github_slug(inline_text(content[2])))
        elif kind in ("Span", "Div", "Link", "Image", "Code", "CodeBlock", "Table", "Figure"):
            attr = content[0]
            if isinstance(attr, list) and len(attr) == 3 and attr[0]:
                targets.add(attr[0])
        elif kind in ("RawBlock", "RawInline") and content[0] in HTML_FORMATS:
            for match in RAW_ID.finditer(content[1]):
                targets.add(match[3])
    return targets


@dataclass
class EditionLinks:
    """The edition's articles by file, with their targets, for resolving links."""

    articles: dict[Path, tuple[str, Targets]]  # resolved path -> slug, targets

    def resolve(self, article: ArticleSource, blocks: list[Node]) -> list[Node]:
        """``blocks`` with every internal link resolved, or made its text with a warning."""
        shown = article.shown
        own = self.articles[article.path.resolve()][1]
        prefix = anchor(article.slug) + "-"

        def dead(target: str, why: str, text_hint: str) -> None:
            line = article.line_of(f"]({target}") or article.line_of(target)
            warn(
                f"the link to {target!r} {why}; dropped, its text kept ({text_hint})",
                path=shown,
                line=line,
            )

        def rewrite(node: Node) -> Node | None:
            kind = node["t"]
            if kind == "Link":
                attr, inlines, (url, title) = node["c"]
                resolved = self._link(url, article, own, dead)
                if resolved is None:
                    return {"t": "Span", "c": [attr, inlines]}
                if resolved != url:
                    return {"t": "Link", "c": [attr, inlines, [resolved, title]]}
                return None
            if kind in ("RawBlock", "RawInline") and node["c"][0] in HTML_FORMATS:
                raw = self._raw_html(node["c"][1], own, prefix, dead)
                return {"t": kind, "c": [node["c"][0], raw]} if raw != node["c"][1] else None
            return None

        return map_ast(blocks, rewrite)

    def _link(self, url: str, article: ArticleSource, own: Targets, dead) -> str | None:
        """The link's resolved target; None if it leads nowhere (warned); the URL
        itself if it is not internal (the raw-HTML policy judges those)."""
        if url.startswith("#"):
            if url == "#":
                dead(url, "is a placeholder (an empty fragment)", "link it to a heading or remove")
                return None
            found = own.find(url[1:])
            if found is None:
                dead(url, "names no heading or id of this article", "fix or remove the link")
                return None
            return f"#{found}"
        if url.startswith(XREF):  # only publisher writes these
            dead(url, "is not a link an article can hold", "remove it")
            return None
        path_part, _, fragment = url.partition("#")
        path_part = unquote(path_part.split("?")[0])
        if "://" in url or ":" in path_part or not path_part.lower().endswith(ARTICLE_SUFFIXES):
            return url
        target = (article.path.parent / path_part).resolve()
        if target not in self.articles:
            dead(url, "names no article of this edition", "link to an article the edition lists")
            return None
        slug, targets = self.articles[target]
        if not fragment:
            return f"{XREF}{slug}"
        found = targets.find(fragment)
        if found is None:
            dead(url, f"names no heading or id of {path_part}", "fix or remove the link")
            return None
        return f"{XREF}{slug}#{found}"

    def _raw_html(self, html: str, own: Targets, prefix: str, dead) -> str:
        """Raw HTML's ids and in-page links, prefixed as pandoc prefixes its own."""

        def link(match: re.Match) -> str:
            found = own.find(match[2]) if match[2] else None
            if found is None:
                dead(f"#{match[2]}", "names no heading or id of this article", "in raw HTML")
                return ""  # the element stays, without the link
            return f" href={match[1]}#{prefix}{found}{match[1]}"

        html = RAW_HREF.sub(link, html)
        return RAW_ID.sub(lambda m: f"{m[1]}{m[2]}{prefix}{m[3]}{m[2]}", html)


def edition_links(articles: list[tuple[ArticleSource, list[Node]]]) -> EditionLinks:
    """The targets of every article of the edition, from their parsed blocks."""
    return EditionLinks(
        {
            source.path.resolve(): (source.slug, article_targets(blocks))
            for source, blocks in articles
        }
    )


def split_xref(url: str) -> tuple[str, str | None] | None:
    """``publisher-article:slug#id`` -> (slug, id or None); None for any other URL."""
    if not url.startswith(XREF):
        return None
    slug, _, fragment = url[len(XREF) :].partition("#")
    return slug, fragment or None


def rewrite_xrefs(
    blocks: list[Node], target: Callable[[str, str | None], str | None]
) -> list[Node]:
    """``blocks`` with each link to another article pointed at ``target(slug, id)``,
    or made its text where that gives None (the article is not in this output)."""

    def rewrite(node: Node) -> Node | None:
        if node["t"] != "Link":
            return None
        attr, inlines, (url, title) = node["c"]
        parts = split_xref(url)
        if parts is None:
            return None
        href = target(*parts)
        if href is None:
            return {"t": "Span", "c": [attr, inlines]}
        return {"t": "Link", "c": [attr, inlines, [href, title]]}

    return map_ast(blocks, rewrite)


def prefix_ids(blocks: list[Node], prefix: str) -> list[Node]:
    """``blocks`` with every id, and every in-page link to one, prefixed: for
    outputs that hold several articles without pandoc's ``--id-prefix`` (DOCX)."""

    def rewrite(node: Node) -> Node | None:
        kind, content = node["t"], node.get("c")
        if kind == "Link" and content[2][0].startswith("#"):
            attr, inlines, (url, title) = content
            return {"t": "Link", "c": [attr, inlines, [f"#{prefix}{url[1:]}", title]]}
        if kind == "Header" and content[1][0]:
            level, (identifier, classes, pairs), inlines = content
            return {"t": kind, "c": [level, [prefix + identifier, classes, pairs], inlines]}
        if kind in ("Span", "Div", "Link", "Image", "Code", "CodeBlock", "Table", "Figure"):
            attr = content[0]
            if isinstance(attr, list) and len(attr) == 3 and attr[0]:
                return {"t": kind, "c": [[prefix + attr[0], attr[1], attr[2]], *content[1:]]}
        return None

    return map_ast(blocks, rewrite)
