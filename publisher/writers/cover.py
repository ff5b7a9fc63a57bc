"""The cover generated when edition.yaml names none: title, publisher, date and issue,
as a PNG for the EPUB and as CSS for the PDF's cover page, from one design.

The design (size, colours, type sizes, positions) is in ``styles/epub.yaml``;
the type is the variant's region face, so a Traditional edition's cover shows
Traditional glyph forms. The PNG depends only on its text, the design and the
font file: Pillow writes no timestamp, so builds stay reproducible.
"""

from __future__ import annotations

import io
from typing import Any

from PIL import Image, ImageColor, ImageDraw, ImageFont

from publisher.base.punctuation import NO_LINE_START
from publisher.writers.fonts import find_face

# Shades from the background to the text colour: enough for smooth type edges.
SHADES = 64

# A line may not start with these (closing punctuation, GB/T 15834 kinsoku):
# they stay at the end of the line before.


def _font(family: str, style: str, size: int) -> ImageFont.FreeTypeFont:
    face = find_face(family, style)
    return ImageFont.truetype(str(face.path), size=size, index=face.index)


def wrap(text: str, font: ImageFont.FreeTypeFont, width: float) -> list[str]:
    """Break CJK text into lines no wider than ``width``: anywhere but before closing marks."""
    lines: list[str] = []
    line = ""
    for char in text.strip():
        if line and font.getlength(line + char) > width and char not in NO_LINE_START:
            lines.append(line.rstrip("　 "))
            line = char.lstrip("　 ")
        else:
            line += char
    if line:
        lines.append(line)
    return lines


def cover_png(
    design: dict[str, Any],
    family: str,
    title: str,
    publisher: str | None,
    date: str | None,
) -> bytes:
    """The cover as PNG bytes, laid out by ``design`` (the ``cover`` map of epub.yaml).

    The type is drawn as coverage in one channel (0: background, 255: text), then
    each pixel becomes one of ``SHADES`` colours from the background to the text
    colour, keeping every anti-aliased edge; the rule is one more colour. A palette
    PNG: a third of the size of an RGB one, and made in a third of the time of an
    RGB image reduced to a palette afterwards.
    """
    width, height, margin = design["width"], design["height"], design["margin"]
    coverage = Image.new("L", (width, height), 0)
    draw = ImageDraw.Draw(coverage)

    spec = design["title"]
    font = _font(family, spec["style"], spec["size"])
    lines = wrap(title, font, width - 2 * margin)
    step = spec["size"] * spec["line_height"]
    y = height * spec["top"]
    for line in lines:
        draw.text((width / 2, y), line, font=font, fill=255, anchor="mt")
        y += step
    # A short rule under the title, as on a newspaper supplement's front (drawn below,
    # in its own colour).
    rule_y = y + spec["size"] * 0.4
    for key, text in (("date", date), ("publisher", publisher)):
        if text:
            spec = design[key]
            font = _font(family, spec["style"], spec["size"])
            y = height * (1 - spec["bottom"])
            draw.text((width / 2, y), text, font=font, fill=255, anchor="md")

    image = coverage.point([round(value * (SHADES - 1) / 255) for value in range(256)])
    ImageDraw.Draw(image).rectangle(
        (width / 2 - margin, rule_y, width / 2 + margin, rule_y + 8), fill=SHADES
    )
    background, ink = ImageColor.getrgb(design["background"]), ImageColor.getrgb(design["text"])
    palette = [
        round(b + (i - b) * shade / (SHADES - 1))
        for shade in range(SHADES)
        for b, i in zip(background[:3], ink[:3], strict=True)
    ]
    image.putpalette([*palette, *ImageColor.getrgb(design["rule"])[:3]])  # L becomes P
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", compress_level=6)
    return buffer.getvalue()


def cover_css(
    design: dict[str, Any], family: str, title: str, width_mm: float, height_mm: float
) -> str:
    """The print cover, drawn in CSS from the EPUB cover's ``design`` on a page of
    ``width_mm`` x ``height_mm``: the same colours, face, proportions and places (the
    title's top, the rule under it, the date's and publisher's feet), as type rather
    than a picture, so that it prints sharp and, in the press PDF, in the profile's
    inks; the page's background runs into the bleed. Blocks in normal flow, placed by
    their margins, with the title's lines counted as :func:`cover_png` breaks them:
    WeasyPrint tags an absolutely placed or flex-placed headline twice."""
    scale = width_mm / design["width"]  # millimetres per pixel of the design
    spec, margin = design["title"], design["margin"]
    date, publisher = design["date"], design["publisher"]
    font = _font(family, spec["style"], spec["size"])
    lines = len(wrap(title, font, design["width"] - 2 * margin)) or 1
    # Places across the page scale with its width, places down it with its height
    # (a page is rarely the design's 2:3): millimetres from the page's top.
    title_top = spec["top"] * height_mm
    rule_top = title_top + spec["size"] * scale * (lines * spec["line_height"] + 0.4)
    # Each of the two lines below ends where the design puts the foot of its text.
    date_top = (1 - date["bottom"]) * height_mm - date["size"] * scale
    publisher_top = (1 - publisher["bottom"]) * height_mm - publisher["size"] * scale

    def mm(pixels: float) -> str:
        return f"{pixels * scale:.2f}mm"

    def line(name: str, top_mm: float) -> str:
        return (
            f".cover .{name} {{ margin: {top_mm:.2f}mm 0 0; font-size: {mm(design[name]['size'])}; "
            f"line-height: 1; font-weight: {_weight(design[name]['style'])}; }}"
        )

    return "\n".join(
        [
            # !important: edition.html's own @page margins (edition.yaml's) would win
            # over a stylesheet handed to WeasyPrint, which it takes as the user's.
            f"@page cover {{ margin: 0 !important; background: {design['background']}; }}",
            # flow-root: the title's top margin stays inside the page-high cover.
            f".cover {{ display: flow-root; height: {height_mm:.2f}mm; padding: 0 {mm(margin)}; "
            "margin: 0; "
            f"color: {design['text']}; }}",
            f'.cover .edition-title, .cover .date, .cover .publisher {{ font-family: "{family}", '
            "serif; padding: 0; border: 0; text-indent: 0; letter-spacing: 0; "
            "text-align: center; }",
            f".cover .edition-title {{ margin: {title_top:.2f}mm 0 0; "
            f"font-size: {mm(spec['size'])}; line-height: {spec['line_height']}; "
            f"font-weight: {_weight(spec['style'])}; }}",
            # The short rule under the title, in its own colour, as on the EPUB's cover:
            # an element of its own (a block ::after in the headline gets it tagged twice).
            f".cover .rule {{ display: block; width: {mm(2 * margin)}; height: {mm(8)}; "
            f"margin: {mm(spec['size'] * 0.4)} auto 0; background: {design['rule']}; }}",
            line("date", date_top - rule_top - 8 * scale),
            line("publisher", publisher_top - date_top - date["size"] * scale),
        ]
    )


def _weight(style: str) -> str:
    return "bold" if "bold" in style.lower() else "normal"
