"""The cover generated when edition.yaml names none: title, publisher and date on a PNG.

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
