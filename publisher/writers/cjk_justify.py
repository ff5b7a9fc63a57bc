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

A third replacement, ``weasyprint.layout.block.iter_line_boxes``, avoids the
lone last character (孤字): when a paragraph would end with a line holding one
character and its punctuation, its previous line is laid out again in a
measure widened by that last line's width and, if everything then fits, set
back to the measure by narrowing its inter-character spacing (negative
justification), as a typesetter pulls the character back. It gives up, keeping
WeasyPrint's lines, where floats, out-of-flow or atomic boxes are involved, or
when the narrowing would exceed :data:`MAX_PULL_BACK` per character.

Only WeasyPrint versions this was checked against are patched:
:func:`install` first passes the compatibility gate (weasyprint_gate.py: the
version, and the source of each function replaced or called here), and the tests
measure the right edges of the sample's lines.
"""

from __future__ import annotations

import itertools
from typing import Any

from weasyprint.formatting_structure import boxes
from weasyprint.layout import block, inline
from weasyprint.text import line_break
from weasyprint.text.ffi import TO_UNITS, ffi, pango

from publisher.base.punctuation import CJK, NO_LINE_START
from publisher.writers import weasyprint_gate

# Narrowing allowed to pull a lone last character back, per justification
# opportunity of the line, in ems of its font: 1.5 em over a line of 42
# characters is 0.036 em.
MAX_PULL_BACK = 0.05

_original_justify_line = inline.justify_line
_original_iter_line_boxes = block.iter_line_boxes
_original_set_text = line_break.Layout.set_text
_installed = False


def install() -> None:
    """Patch WeasyPrint once, after the compatibility gate (versions, sources)."""
    global _installed
    if _installed:
        return
    weasyprint_gate.check()
    inline.justify_line = justify_line
    line_break.Layout.set_text = _set_text
    block.iter_line_boxes = iter_line_boxes
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


def iter_line_boxes(
    context: Any,
    box: boxes.LineBox,
    position_y: float,
    bottom_space: float,
    skip_stack: Any,
    containing_block: boxes.Box,
    absolute_boxes: list,
    fixed_boxes: list,
    first_letter_style: Any,
    first_line_style: Any,
):
    """WeasyPrint's ``iter_line_boxes``, one line behind: a paragraph's last two
    lines are seen together, so that a lone last character can be pulled back."""
    inline.resolve_percentages(box, containing_block)
    if skip_stack is None:
        inline.resolve_one_percentage(box, "text_indent", containing_block.width)
    else:
        box.text_indent = 0
    held = None  # (line, resume_at, its absolutes, fixed, where it started)
    while True:
        start = (position_y, skip_stack, box.text_indent, first_letter_style, first_line_style)
        absolutes, fixed = [], []
        line, resume_at = inline.get_next_linebox(
            context, box, position_y, bottom_space, skip_stack, containing_block,
            absolutes, fixed, first_letter_style, first_line_style,
        )  # fmt: skip
        first_line_style = None
        if line:
            inline.handle_leader(context, line, containing_block)
            position_y = line.position_y + line.height
        if held and line is not None and resume_at is None and _lone(line):
            pulled = _pull_back(context, box, held, line, bottom_space, containing_block)
            if pulled is not None:
                line, resume_at, absolutes, fixed = pulled
                held = None
        if held:
            absolute_boxes.extend(held[2])
            fixed_boxes.extend(held[3])
            yield held[0], held[1]
            held = None
        if line is None:
            return
        held = (line, resume_at, absolutes, fixed, start)
        if resume_at is None:
            absolute_boxes.extend(absolutes)
            fixed_boxes.extend(fixed)
            yield line, resume_at
            return
        skip_stack = resume_at
        box.text_indent = 0
        first_letter_style = None


def _lone(line: boxes.LineBox) -> bool:
    """One character, with only the punctuation that may not start a line after it."""
    text = "".join(box.text for box in _text_boxes(line)).strip()
    return len(text.rstrip("".join(NO_LINE_START))) == 1 and CJK.match(text[0]) is not None


def _plain_text_line(line: boxes.Box) -> bool:
    """Only text and inline boxes in normal flow: nothing whose size depends on the measure."""
    if isinstance(line, boxes.TextBox):
        return True
    if isinstance(line, (boxes.LineBox, boxes.InlineBox)):
        return all(child.is_in_normal_flow() and _plain_text_line(child) for child in line.children)
    return False


def _pull_back(context, box, held, last, bottom_space, containing_block):
    """The held line and the lone ``last`` as one line narrowed to the measure, or None."""
    previous, _, absolutes, fixed, start = held
    if context.excluded_shapes or absolutes or fixed or not _plain_text_line(previous):
        return None
    if box.style["text_align_all"] != "justify":  # centred lines have no measure to fill
        return None
    position_y, skip_stack, text_indent, first_letter_style, first_line_style = start
    measure = containing_block.width
    saved_indent = box.text_indent
    box.text_indent = text_indent
    containing_block.width = measure + last.width + 1  # Pango's own rounding aside
    try:
        trial_absolutes, trial_fixed = [], []
        line, resume_at = inline.get_next_linebox(
            context, box, position_y, bottom_space, skip_stack, containing_block,
            trial_absolutes, trial_fixed, first_letter_style, first_line_style,
        )  # fmt: skip
    finally:
        containing_block.width = measure
        box.text_indent = saved_indent
    if line is None or resume_at is not None or trial_absolutes or trial_fixed:
        return None
    if not _plain_text_line(line):
        return None
    inline.handle_leader(context, line, containing_block)
    available = measure - (line.position_x - containing_block.content_box_x())
    excess = line.width - available
    if excess <= 0:  # it fits without narrowing: WeasyPrint's own break was early
        return line, resume_at, trial_absolutes, trial_fixed
    texts = [b for b in _text_boxes(line) if b.text]
    growth = sum(_width(context, b, 1.0) - _width(context, b, 0.0) for b in texts)
    size = max(b.style["font_size"] for b in texts)
    if growth <= 0 or excess / growth > MAX_PULL_BACK * size:
        return None
    justify_line(context, line, -excess)
    return line, resume_at, trial_absolutes, trial_fixed
