"""pandoc's AST as JSON: its vocabulary and the walks every stage uses.

A leaf module (it imports nothing of publisher), so that any stage can use it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from publisher.base.model import Node

# pandoc's inline elements; the wrappers are those whose content is just inlines.
INLINE_WRAPPERS = frozenset(
    {"Emph", "Strong", "Underline", "Strikeout", "Superscript", "Subscript", "SmallCaps"}
)
INLINE_TYPES = INLINE_WRAPPERS | {
    "Str", "Space", "SoftBreak", "LineBreak", "Code", "Math", "RawInline", "Link", "Image",
    "Note", "Span", "Quoted", "Cite",
}  # fmt: skip


def map_ast(node: Any, function: Callable[[Node], Node | None]) -> Any:
    """Copy an AST, rebuilding each element bottom-up through ``function``.

    ``function`` gets every dict that has a ``t`` (type) key, after its
    children were mapped, and returns the replacement, or None to keep it.
    """
    if isinstance(node, list):
        return [map_ast(item, function) for item in node]
    if isinstance(node, dict):
        mapped = {key: map_ast(value, function) for key, value in node.items()}
        if "t" in mapped:
            return function(mapped) or mapped
        return mapped
    return node


def iter_ast(node: Any) -> Iterator[Node]:
    """Every element (dict with a ``t`` key) of an AST, parents first."""
    if isinstance(node, list):
        for item in node:
            yield from iter_ast(item)
    elif isinstance(node, dict):
        if "t" in node:
            yield node
        for value in node.values():
            yield from iter_ast(value)


def inline_text(inlines: list[Node]) -> str:
    """The text of inlines (code included), a space for each space or line break."""
    parts = []
    for node in iter_ast(inlines):
        if node["t"] in ("Str", "Code"):
            parts.append(node["c"] if node["t"] == "Str" else node["c"][1])
        elif node["t"] in ("Space", "SoftBreak", "LineBreak"):
            parts.append(" ")
    return "".join(parts)


def image_targets(blocks: list[Node]) -> list[str]:
    return [node["c"][2][0] for node in iter_ast(blocks) if node["t"] == "Image"]


def rewrite_images(blocks: list[Node], target: Callable[[str], str]) -> list[Node]:
    """Copy of ``blocks`` with every image target replaced by ``target(old)``."""

    def rewrite(node: Node) -> Node | None:
        if node["t"] == "Image":
            attr, inlines, (old, title) = node["c"]
            return {"t": "Image", "c": [attr, inlines, [target(old), title]]}
        return None

    return map_ast(blocks, rewrite)


def plain(text: str) -> list[Node]:
    """Inlines for a plain string (no Markdown interpretation)."""
    return [{"t": "Str", "c": text}] if text else []


def words(text: str) -> list[Node]:
    """Inlines for a plain string as pandoc reads one: words as Str, spaces as Space."""
    inlines: list[Node] = []
    for number, word in enumerate(text.split(" ")):
        if number:
            inlines.append({"t": "Space"})
        if word:
            inlines.append({"t": "Str", "c": word})
    return inlines


def reading_call(text: str, reader: str, *, quiet: bool = False) -> tuple[list[str], str]:
    """The pandoc call that reads ``text`` (Markdown, as ``reader``) into its JSON AST:
    arguments and standard input, for ``run_pandoc`` or ``runs_ahead``.
    ``quiet`` leaves pandoc's warnings to another parse of the same text."""
    return ["--from", reader, "--to", "json", *(["--quiet"] if quiet else [])], text
