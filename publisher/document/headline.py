"""An article as writers render it: one run of pandoc blocks, from kicker to byline."""

from __future__ import annotations

from publisher.base.model import Article, Node
from publisher.document.pandoc_ast import iter_ast, map_ast, plain


def article_blocks(article: Article) -> list[Node]:
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
    if article.meta.kicker:
        blocks.append(part("kicker", "Kicker", article.meta.kicker))
    blocks.append({"t": "Header", "c": [1, ["", ["title"], []], plain(article.meta.title)]})
    if article.meta.subtitle:
        blocks.append(part("subtitle", "Subtitle", article.meta.subtitle))
    # Level 1 is the headline's: a `#` in the body would be a second one in
    # the PDF's bookmarks, the EPUB's outline and Word's contents.
    blocks.extend(map_ast(article.blocks, _below_headline))
    if article.byline_text:
        blocks.append(part("byline", "Byline", article.byline_text))
    return blocks


def _below_headline(node: Node) -> Node | None:
    if node["t"] == "Header" and node["c"][0] < 2:
        return {"t": "Header", "c": [2, *node["c"][1:]]}
    return None


def article_text(article: Article) -> str:
    """Every character a reader sees of the article: headline parts, body, code,
    captions, alt text and footnotes."""
    parts = []
    for node in iter_ast(article_blocks(article)):
        kind = node.get("t")
        if kind == "Str":
            parts.append(node["c"])
        elif kind in ("Code", "CodeBlock"):
            parts.append(node["c"][1])
        elif kind == "Image":
            parts += [value for key, value in node["c"][0][2] if key == "alt"]
    return "".join(parts)
