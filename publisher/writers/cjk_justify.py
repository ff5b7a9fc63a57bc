"""Inter-character justification for WeasyPrint: Chinese lines flush on both edges.

WeasyPrint justifies by stretching spaces only (``justify_line`` in
``weasyprint.layout.inline``), and a line of Chinese has none, so justified
Chinese text stays ragged on the right. CSS Text 3 (``text-justify: auto`` for
CJK) and clreq §3.2 call for the extra space to be spread between characters.

This module replaces two WeasyPrint internals, and nothing else:

* ``weasyprint.layout.inline.justify_line``: when a line holds CJK characters,
  the extra width is shared by every justification opportunity of the line:
  each CJK character and each space (as WeasyPrint counts them). Text boxes
  get the spacing and are moved as in WeasyPrint's own ``add_word_spacing``.
* ``weasyprint.text.line_break.Layout.set_text``: when a justified layout is
  drawn, each CJK character gets the spacing as Pango letter spacing (spaces
  already get it as word spacing from WeasyPrint).

Pango puts half of a character's letter spacing on each side of it and drops
the outer halves at the ends of a layout (each text box is one layout) and of
each run of spaced characters. Rather than model that, the line's growth per
unit of spacing is measured with Pango, box by box, and the spacing is the
extra width divided by it. The halves dropped where two boxes of a line meet
at CJK characters are added back as offsets, so that the gap is the same
everywhere; the halves at the two ends of the line stay dropped.

Only WeasyPrint versions this was checked against are patched
(:data:`SUPPORTED_VERSIONS`); :func:`install` refuses any other loudly, and the
tests measure the right edges of the sample's lines.
"""

from __future__ import annotations

import inspect
import itertools
import re
from typing import Any

import weasyprint
from weasyprint.formatting_structure import boxes
from weasyprint.layout import inline
from weasyprint.text import line_break
from weasyprint.text.ffi import TO_UNITS, ffi, pango

from ..errors import BuildError

SUPPORTED_VERSIONS = ("70.",)

# Characters that take justification space: ideographs (with extensions and
# compatibility forms), kana, bopomofo, CJK symbols and punctuation, the
# full-width forms, and the marks Chinese text takes from General Punctuation
# and Latin-1 (“” ‘’ — … ·), which Chinese fonts set as CJK punctuation.
CJK = re.compile(
    "[\u00b7\u2014\u2018\u2019\u201c\u201d\u2026"
    "\u2e80-\u2fdf\u3000-\u30ff\u3100-\u312f\u31a0-\u31ff\u3400-\u4dbf\u4e00-\u9fff"
    "\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef\U00020000-\U0003ffff]"
)

_original_justify_line = inline.justify_line
_original_set_text = line_break.Layout.set_text
_installed = False

# The signatures this module was written against; a change means WeasyPrint's
# internals moved and the patch must be reviewed, not silently applied.
_EXPECTED = {
    "justify_line": "(context, line, extra_width)",
    "count_expandable_spaces": "(box)",
    "set_text": "(self, text, justify=False)",
    "create_layout": "(text, style, context, max_width, justification_spacing)",
}


def install() -> None:
    """Patch WeasyPrint once, after checking it is a version this was made for."""
    global _installed
    if _installed:
        return
    version = weasyprint.__version__
    if not version.startswith(SUPPORTED_VERSIONS):
        raise BuildError(
            f"CJK justification supports WeasyPrint {', '.join(SUPPORTED_VERSIONS)}x, "
            f"not {version}: check publisher/writers/cjk_justify.py against it"
        )
    found = {
        "justify_line": inspect.signature(_original_justify_line),
        "count_expandable_spaces": inspect.signature(inline.count_expandable_spaces),
        "set_text": inspect.signature(_original_set_text),
        "create_layout": inspect.signature(line_break.create_layout),
    }
    for name, expected in _EXPECTED.items():
        if str(found[name]) != expected:
            raise BuildError(f"WeasyPrint's {name} changed to {found[name]}: review cjk_justify")
    inline.justify_line = justify_line
    line_break.Layout.set_text = _set_text
    _installed = True


def _text_boxes(box: boxes.Box) -> list[boxes.TextBox]:
    if isinstance(box, boxes.TextBox):
        return [box]
    if isinstance(box, (boxes.LineBox, boxes.InlineBox)):
        return [
            text
            for child in box.children
            if child.is_in_normal_flow()
            for text in _text_boxes(child)
        ]
    return []


def justify_line(context: Any, line: boxes.LineBox, extra_width: float) -> None:
    """Share ``extra_width`` between the line's CJK characters and spaces."""
    texts = [box for box in _text_boxes(line) if box.text]
    if not texts or not any(CJK.search(box.text) for box in texts):
        return _original_justify_line(context, line, extra_width)
    # How much each unit of spacing widens the line, measured in Pango rather
    # than modelled: it drops letter spacing at the ends of each layout and of
    # each run of characters that have it.
    growth = {id(box): _width(context, box, 1.0) - _width(context, box, 0.0) for box in texts}
    boundaries = _cjk_boundaries(texts)
    total = sum(growth.values()) + 0.5 * len(boundaries)
    if total <= 0:
        return None
    spacing = extra_width / total
    _add_spacing(context, line, spacing, 0, growth, boundaries)
    return None


def _width(context, box: boxes.TextBox, spacing: float) -> float:
    """The drawn width of a text box's text with ``spacing`` as justification spacing."""
    layout = line_break.create_layout(box.text, box.style, context, None, spacing)
    layout.set_text(layout.text, justify=True)
    first_line, _ = layout.get_first_line()
    width, _ = line_break.line_size(first_line, box.style)
    layout.deactivate()
    return width


def _cjk_boundaries(texts: list[boxes.TextBox]) -> set[tuple[int, str]]:
    """Inner box edges at a CJK character, where Pango dropped half a spacing."""
    edges = set()
    for before, after in itertools.pairwise(texts):
        if CJK.match(before.text[-1]):
            edges.add((id(before), "end"))
        if CJK.match(after.text[0]):
            edges.add((id(after), "start"))
    return edges


def _add_spacing(
    context, box, spacing: float, x_advance: float, growth: dict, boundaries: set
) -> float:
    """WeasyPrint's ``add_word_spacing``, with CJK characters as opportunities too."""
    if isinstance(box, boxes.TextBox):
        if (id(box), "start") in boundaries:
            x_advance += spacing / 2
        box.justification_spacing = spacing
        box.position_x += x_advance
        extra = spacing * growth.get(id(box), 0.0)
        if extra:
            layout = line_break.create_layout(
                box.text, box.style, context, max_width=None, justification_spacing=spacing
            )
            layout.deactivate()
            box.width += extra
            x_advance += extra
            box.pango_layout = layout
        if (id(box), "end") in boundaries:
            x_advance += spacing / 2
    elif isinstance(box, (boxes.LineBox, boxes.InlineBox)):
        box.position_x += x_advance
        before = x_advance
        children = box.children[::-1] if box.style["direction"] == "rtl" else box.children
        for child in children:
            if child.is_in_normal_flow():
                x_advance = _add_spacing(context, child, spacing, x_advance, growth, boundaries)
        box.width += x_advance - before
    else:  # an atomic inline: image, inline block
        box.translate(x_advance, 0)
    return x_advance


def _set_text(self, text: str, justify: bool = False) -> None:
    """WeasyPrint's ``Layout.set_text``, plus letter spacing on CJK characters when justifying."""
    _original_set_text(self, text, justify)
    if not (justify and self.justification_spacing and CJK.search(self.text)):
        return
    letter_spacing = self.style["letter_spacing"]
    spacing = int(
        (self.justification_spacing + (0 if letter_spacing == "normal" else letter_spacing))
        * TO_UNITS
    )
    attributes = pango.pango_layout_get_attributes(self.layout)
    if attributes == ffi.NULL:
        attributes = ffi.gc(pango.pango_attr_list_new(), pango.pango_attr_list_unref)
    encoded = self.text.encode()
    offset = 0
    for character in self.text:
        size = len(character.encode())
        if CJK.match(character):
            attribute = pango.pango_attr_letter_spacing_new(spacing)
            attribute.start_index, attribute.end_index = offset, offset + size
            pango.pango_attr_list_change(attributes, attribute)
        offset += size
    assert offset == len(encoded)
    pango.pango_layout_set_attributes(self.layout, attributes)
