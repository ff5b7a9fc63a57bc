"""Vertical text (直排) in any of the documents set vertically: the EPUB's XHTML and
the vertical PDF's HTML. Which numbers stand upright across the column is decided
here once, for both."""

from __future__ import annotations

import re
from typing import Any

from lxml import etree

# A run of one or two ASCII digits standing alone (7月15日, 第3名) is set upright across
# the column (縱中橫, clreq 3.3.3); longer numbers and Latin words are rotated with
# the line, so a digit next to a letter, another digit or a decimal point is left alone.
_SHORT_NUMBER = re.compile(r"(?<![0-9A-Za-z.,:/%_-])[0-9]{1,2}(?![0-9A-Za-z.,:/%_-])")
UPRIGHT_CLASS = "tcy"
# Text that must stay as written: code is not prose and a number in it is not a quantity.
_VERBATIM = frozenset(("code", "pre", "kbd", "samp", "var", "math", "script", "style"))


def upright_digits(element: etree._Element) -> None:
    """Wrap each short number in ``element``'s text in ``<span class="tcy">`` (in the
    element's own namespace: XHTML or none), which the vertical stylesheets set with
    ``text-combine-upright``. Readers without it show the digits as they are; the
    text and its search stay the same."""
    if etree.QName(element).localname in _VERBATIM:
        return
    for child in list(element):
        if isinstance(child.tag, str):
            upright_digits(child)
        _wrap_tail(child, element)
    if element.text:
        pieces = _split_numbers(element.text, element)
        element.text = pieces[0]
        for position, span in enumerate(pieces[1:]):
            element.insert(position, span)


def _wrap_tail(node: etree._Element, parent: etree._Element) -> None:
    if not node.tail:
        return
    pieces = _split_numbers(node.tail, parent)
    node.tail = pieces[0]
    index = parent.index(node)
    for offset, span in enumerate(pieces[1:], 1):
        parent.insert(index + offset, span)


def _split_numbers(text: str, parent: etree._Element) -> list[Any]:
    """``text`` as its leading text, then one span per short number (carrying what follows
    it as its tail)."""
    matches = list(_SHORT_NUMBER.finditer(text))
    if not matches:
        return [text]
    namespace = etree.QName(parent).namespace
    tag = f"{{{namespace}}}span" if namespace else "span"
    pieces: list[Any] = [text[: matches[0].start()] or None]
    for number, match in enumerate(matches):
        span = etree.Element(tag, {"class": UPRIGHT_CLASS})
        span.text = match.group()
        end = matches[number + 1].start() if number + 1 < len(matches) else len(text)
        span.tail = text[match.end() : end] or None
        pieces.append(span)
    return pieces
