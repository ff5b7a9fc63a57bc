"""Raw HTML and link targets in articles: what may reach an output.

pandoc's Markdown passes raw HTML through, and articles come from outside
contributors. Scripts, frames, objects, embeds, forms, event-handler
attributes, ``javascript:`` URLs, and ``style``/``link`` elements or
attributes (which can load files) reach no output. By default each is dropped
with a warning naming the file and line; with ``strict: true`` in
edition.yaml its presence is an error.

How: each raw HTML piece of the parsed article is read with the standard
library's HTML parser to say what is wrong with it, and cleaned with nh3
(Ammonia, a well-kept sanitiser) against the allow-list below. pandoc hands
over inline raw HTML one tag at a time (``<sup>``, text, ``</sup>``); a lone
allowed tag is re-written from what the parser read, since nh3 would close it
on the spot. Either way no byte reaches an output that was not parsed and
allowed.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlsplit

import nh3

from publisher.base.errors import SourceError, warn
from publisher.base.model import ArticleSource, Node
from publisher.document.links import split_xref
from publisher.document.pandoc_ast import INLINE_TYPES, iter_ast, map_ast

HTML_FORMATS = {"html", "html4", "html5"}

# Text-level and structural elements with no way to run code or load anything.
ALLOWED_TAGS = {
    "a", "abbr", "b", "bdi", "bdo", "blockquote", "br", "caption", "cite", "code", "col",
    "colgroup", "dd", "del", "dfn", "div", "dl", "dt", "em", "figcaption", "figure", "h1", "h2",
    "h3", "h4", "h5", "h6", "hr", "i", "ins", "kbd", "li", "mark", "ol", "p", "pre", "q", "rp",
    "rt", "ruby", "s", "samp", "small", "span", "strong", "sub", "sup", "table", "tbody", "td",
    "tfoot", "th", "thead", "time", "tr", "u", "ul", "var", "wbr",
}  # fmt: skip
GENERIC_ATTRIBUTES = {"class", "id", "lang", "title", "dir"}
ALLOWED_ATTRIBUTES = {
    "*": GENERIC_ATTRIBUTES,
    "a": {"href"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "col": {"span"},
    "ol": {"start", "type"},
    "time": {"datetime"},
    "q": {"cite"},
}
URL_ATTRIBUTES = {"href", "cite"}
URL_SCHEMES = {"http", "https", "mailto"}
# Dropped with everything inside them, not just their tags.
DROPPED_WITH_CONTENT = {
    "script",
    "style",
    "template",
    "iframe",
    "object",
    "embed",
    "noscript",
    "textarea",
    "select",
    "svg",
    "math",
    "frame",
    "frameset",
    "applet",
}
VOID_TAGS = {"br", "col", "hr", "wbr"}


@dataclass
class _Reading(HTMLParser):
    """What one piece of raw HTML holds, as the standard parser reads it."""

    problems: list[str] = field(default_factory=list)
    tags: list[tuple[str, str, list[tuple[str, str | None]]]] = field(default_factory=list)
    text: bool = False

    def __post_init__(self) -> None:
        super().__init__(convert_charrefs=True)

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.tags.append(("start", tag, attrs))
        if tag not in ALLOWED_TAGS:
            what = "a stylesheet" if tag in ("style", "link") else f"<{tag}>"
            self.problems.append(f"{what} (not allowed in articles)")
            return
        allowed = GENERIC_ATTRIBUTES | ALLOWED_ATTRIBUTES.get(tag, set())
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"the event handler {name}= on <{tag}>")
            elif name == "style":
                self.problems.append(f"a style= attribute on <{tag}> (it can load files)")
            elif name not in allowed:
                self.problems.append(f"the attribute {name}= on <{tag}>")
            elif name in URL_ATTRIBUTES and not safe_url(value or ""):
                self.problems.append(f"the URL {(value or '')[:60]!r} on <{tag}>")

    def handle_startendtag(self, tag: str, attrs: list) -> None:
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        self.tags.append(("end", tag, []))

    def handle_data(self, data: str) -> None:
        if data.strip():
            self.text = True

    def handle_comment(self, data: str) -> None:
        self.text = True  # not a lone tag: leave it to nh3, which drops comments

    def handle_decl(self, decl: str) -> None:
        self.problems.append(f"the declaration <!{decl[:30]}>")

    def handle_pi(self, data: str) -> None:
        self.problems.append("a processing instruction")


def read_html(piece: str) -> _Reading:
    reading = _Reading()
    reading.feed(piece)
    reading.close()
    return reading


def safe_url(url: str) -> bool:
    """http(s), mailto, or a place inside the same document (#…).

    A path (other.md, /etc/passwd) is neither: WeasyPrint would turn it into a
    file: link naming the machine's folders, and in an EPUB it points nowhere.
    """
    # Browsers ignore control characters and white space in a scheme: "java\tscript:".
    cleaned = "".join(c for c in url if c.isprintable() and not c.isspace())
    return urlsplit(cleaned).scheme.lower() in URL_SCHEMES or cleaned.startswith("#")


def safe_link(url: str) -> bool:
    """A link's target: a safe URL, or another article of the edition, which
    links.py resolved (and which each writer turns into its own kind of link)."""
    return safe_url(url) or split_xref(url) is not None


def clean(piece: str) -> str:
    """The piece as it may reach an output."""
    reading = read_html(piece)
    if not reading.problems and not reading.text and len(reading.tags) == 1:
        kind, tag, attrs = reading.tags[0]
        if kind == "end":
            return "" if tag in VOID_TAGS else f"</{tag}>"
        attributes = "".join(
            f' {name}="{html.escape(value or "", quote=True)}"' for name, value in attrs
        )
        return f"<{tag}{attributes}>"
    return nh3.clean(
        piece,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        clean_content_tags=DROPPED_WITH_CONTENT,
        link_rel=None,
        strip_comments=True,
    )


@dataclass
class _Policy:
    article: ArticleSource
    strict: bool

    def report(self, what: str, located_by: str) -> None:
        line = self.article.line_of(located_by)
        shown = self.article.shown
        if self.strict:
            raise SourceError(
                shown,
                f"{what} is not allowed",
                line=line,
                hint="remove it (`strict: true` in edition.yaml makes this an error; "
                "without it, it is dropped with a warning)",
            )
        warn(f"{what} dropped", path=shown, line=line)


def apply_policy(article: ArticleSource, blocks: list[Node], *, strict: bool) -> list[Node]:
    """The article's blocks with unsafe raw HTML and link targets dropped (or an error)."""
    policy = _Policy(article, strict)
    for node in iter_ast(blocks):
        if node["t"] in ("RawBlock", "RawInline") and node["c"][0] not in HTML_FORMATS:
            # Raw OOXML, LaTeX …: pandoc would copy it into the DOCX, fields and all.
            policy.report(f"raw {node['c'][0]} content", node["c"][1][:40])
        for name, _ in unsafe_attributes(node):
            policy.report(f"the attribute {name}= on a {node['t']}", f"{name}=")
        if node["t"] in ("RawBlock", "RawInline") and node["c"][0] in HTML_FORMATS:
            for problem in dict.fromkeys(read_html(node["c"][1]).problems):
                policy.report(problem, node["c"][1])
        elif node["t"] == "Link" and not safe_link(node["c"][2][0]):
            policy.report(f"the link target {node['c'][2][0][:60]!r}", node["c"][2][0])
    return map_ast(map_ast(blocks, _drop_contents()), _clean_node)


# Attributes of pandoc's own elements ({onclick=…} on a span, a heading, a link)
# that pandoc writes into HTML as they are.
UNSAFE_ATTRIBUTES = {
    "style",
    "src",
    "srcset",
    "href",
    "action",
    "formaction",
    "data",
    "background",
    "poster",
    "xlink:href",
    "xmlns",
    "http-equiv",
}


def unsafe_attributes(node: Node) -> list[list[str]]:
    """The key-value attributes of a pandoc element that must not reach HTML."""
    attr = _attr_of(node)
    if attr is None:
        return []
    return [
        pair
        for pair in attr[2]
        if pair[0].lower().startswith("on") or pair[0].lower() in UNSAFE_ATTRIBUTES
    ]


def _attr_of(node: Node) -> list | None:
    """The [id, classes, key-values] of elements that have one, where pandoc keeps it."""
    content = node.get("c")
    if node["t"] in ("Span", "Div", "Link", "Image", "Code", "CodeBlock", "Figure", "Table"):
        attr = content[0]
    elif node["t"] == "Header":
        attr = content[1]
    else:
        return None
    return attr if isinstance(attr, list) and len(attr) == 3 else None


def _clean_node(node: Node) -> Node | None:
    if node["t"] in ("RawBlock", "RawInline") and node["c"][0] not in HTML_FORMATS:
        return {"t": node["t"], "c": ["html", ""]}  # dropped: nothing reaches any output
    if unsafe := unsafe_attributes(node):
        attr = _attr_of(node)  # a copy's, made by map_ast: changed in place
        attr[2] = [pair for pair in attr[2] if pair not in unsafe]
    kind = node["t"]
    if kind in ("RawBlock", "RawInline") and node["c"][0] in HTML_FORMATS:
        cleaned = clean(node["c"][1])
        return {"t": kind, "c": [node["c"][0], cleaned]} if cleaned != node["c"][1] else None
    if kind == "Link" and not safe_link(node["c"][2][0]):
        return {"t": "Span", "c": [node["c"][0], node["c"][1]]}  # the text, without the link
    return None


def _drop_contents():
    """A rewrite that drops the inlines between a lone opening tag of an element
    dropped with its content (pandoc's ``<script>``, text, ``</script>``) and its end."""
    skipping: list[str] = []

    def rewrite(node: Node) -> Node | None:
        inlines = node.get("c")
        if not (isinstance(inlines, list) and inlines and isinstance(inlines[0], dict)):
            return None
        if not all(isinstance(i, dict) and i.get("t") in INLINE_TYPES for i in inlines):
            return None
        kept = []
        for inline in inlines:
            ends_skip = False
            if inline["t"] == "RawInline" and inline["c"][0] in HTML_FORMATS:
                for kind, tag, _ in read_html(inline["c"][1]).tags:
                    if tag in DROPPED_WITH_CONTENT and kind == "start":
                        skipping.append(tag)
                    elif tag in DROPPED_WITH_CONTENT and skipping and skipping[-1] == tag:
                        skipping.pop()
                        ends_skip = True
            if not skipping and not ends_skip:
                kept.append(inline)
        return {**node, "c": kept} if len(kept) != len(inlines) else None

    return rewrite
