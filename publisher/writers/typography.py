"""Print typography on the document, before it becomes HTML for WeasyPrint.

Each function takes pandoc blocks and returns a copy; the look of what they
mark (classes ``halt``, ``halt-stop``, ``keep``, ``footnote``) is in
``styles/print.css``.
"""

from __future__ import annotations

from publisher.base.limits import running_head
from publisher.base.model import Node
from publisher.base.punctuation import CLOSING, OPENING, STOPS
from publisher.document.pandoc_ast import map_ast

# clreq §3.1.6, adjacent punctuation: a mark whose blank half faces another
# mark's loses it (OpenType ``halt``), so ”。 or ：“ take 1.5 em, not 2.


def _str(text: str) -> Node:
    return {"t": "Str", "c": text}


def _span(text: str, name: str) -> Node:
    return {"t": "Span", "c": [["", [name], []], [_str(text)]]}


def compress_punctuation(blocks: list[Node]) -> list[Node]:
    """Mark each punctuation mark whose blank half faces an adjacent mark."""

    def halt_class(text: str, index: int) -> str | None:
        char, before = text[index], text[index - 1] if index else ""
        after = text[index + 1] if index + 1 < len(text) else ""
        right_blank = char in CLOSING or char in STOPS
        if right_blank and after and (after in CLOSING or after in STOPS or after in OPENING):
            return "halt-stop" if char in STOPS else "halt"
        if char in OPENING and before in OPENING:
            return "halt"
        return None

    def rewrite(node: Node) -> Node | None:
        if node["t"] != "Str":
            return None
        text = node["c"]
        marks = [(i, halt_class(text, i)) for i in range(len(text))]
        if not any(name for _, name in marks):
            return None
        pieces: list[Node] = []
        start = 0
        for index, name in marks:
            if name:
                if start < index:
                    pieces.append(_str(text[start:index]))
                pieces.append(_span(text[index], name))
                start = index + 1
        if start < len(text):
            pieces.append(_str(text[start:]))
        return {"t": "Span", "c": [["", [], []], pieces]}

    return map_ast(blocks, rewrite)


# A headline part this short always fits a line of the headline size.
SHORT_PART = 16


def headline_parts(text: str) -> list[str] | None:
    """The parts of a two-part headline (五笔润色绘新景　和美乡村入画来), split at the
    ideographic space between them; None for a headline of one part."""
    parts = text.split("\u3000")
    if len(parts) > 1 and all(0 < len(part) <= SHORT_PART for part in parts):
        return parts
    return None


def keep_headline_tail(blocks: list[Node]) -> list[Node]:
    """Break headlines where an editor would, never leaving one character on a line.

    A two-part headline (五笔润色绘新景　和美乡村入画来) breaks only between its
    parts; otherwise the last two characters stay together.
    """

    def rewrite(node: Node) -> Node | None:
        if node["t"] != "Header":
            return None
        level, attr, inlines = node["c"]
        if not inlines or any(inline["t"] != "Str" for inline in inlines):
            return _keep_last_two(node)
        text = "".join(inline["c"] for inline in inlines)
        parts = headline_parts(text)
        if parts:
            # Each part an inline block (print.css): the line breaks only between
            # parts, and a broken line stays centred, which a trailing U+3000 would
            # not. The whole headline, U+3000 and all, stays for the bookmark and
            # the running head.
            identifier, classes, pairs = attr
            attr = [identifier, classes, [*pairs, ["data-title", text]]]
            return {"t": "Header", "c": [level, attr, [_span(p, "headline-part") for p in parts]]}
        return _keep_last_two(node)

    return map_ast(blocks, rewrite)


def _keep_last_two(header: Node) -> Node | None:
    level, attr, inlines = header["c"]
    if not inlines or inlines[-1]["t"] != "Str" or len(inlines[-1]["c"]) < 2:
        return None
    text = inlines[-1]["c"]
    tail = [_str(text[:-2])] if len(text) > 2 else []
    tail.append(_span(text[-2:], "keep"))
    return {"t": "Header", "c": [level, attr, [*inlines[:-1], *tail]]}


def running_heads(blocks: list[Node]) -> list[Node]:
    """Each headline carries its running head (print.css), the title cut to one line."""

    def rewrite(node: Node) -> Node | None:
        if node["t"] != "Header" or node["c"][0] != 1 or "title" not in node["c"][1][1]:
            return None
        level, (identifier, classes, pairs), inlines = node["c"]
        text = "".join(i["c"] if i["t"] == "Str" else " " for i in inlines if i["t"] != "Note")
        pairs = [*pairs, ["data-running-head", running_head(text)]]
        return {"t": "Header", "c": [level, [identifier, classes, pairs], inlines]}

    return map_ast(blocks, rewrite)


def footnotes_in_place(blocks: list[Node]) -> list[Node]:
    """Each footnote as a span where it is called, for CSS ``float: footnote``.

    WeasyPrint sets such a span at the foot of the page that calls it; its
    paragraphs become runs separated by line breaks.
    """

    def rewrite(node: Node) -> Node | None:
        if node["t"] != "Note":
            return None
        inlines: list[Node] = []
        for block in node["c"]:
            if inlines:
                inlines.append({"t": "LineBreak"})
            if block["t"] in ("Para", "Plain"):
                inlines.extend(block["c"])
        return {"t": "Span", "c": [["", ["footnote"], []], inlines]}

    return map_ast(blocks, rewrite)


def for_print(blocks: list[Node]) -> list[Node]:
    """All of the above, in the order they must run: notes first (they hold text
    too), headline tails before punctuation splits the headline's text."""
    return compress_punctuation(keep_headline_tail(running_heads(footnotes_in_place(blocks))))
