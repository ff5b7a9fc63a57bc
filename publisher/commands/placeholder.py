"""The placeholder photo that stands in for a 资料图片 whose original was not supplied.

Used by ``publisher import`` for the photo markers of raw copy, and by
``source/images/make_placeholders.py`` for the sample. Pillow writes identical
bytes for identical input, so imports and the sample are reproducible.
"""

from __future__ import annotations

import io

from PIL import Image, ImageDraw

SIZE = (1200, 800)
ALT = "资料图片占位图：原报照片未收录，此图仅标示照片位置"
# The grey levels drawn, and nothing in between: no antialiased text.
BACKGROUND, FRAME, CROSS, PICTURE = 226, 140, 190, 150


def draw(number: int) -> Image.Image:
    """A grey frame with a cross and a landscape pictogram: a picture, without text.

    Text would be in one script, and the same image appears in the Simplified
    and the Traditional editions; what the photo is, is said by the caption and
    the alt text, which are converted per variant. ``number`` is kept for the
    callers (one file per photo); the drawing is the same for each.
    """
    width, height = SIZE
    image = Image.new("L", SIZE, BACKGROUND)
    pen = ImageDraw.Draw(image)
    pen.rectangle([12, 12, width - 13, height - 13], outline=FRAME, width=6)
    pen.line([12, 12, width - 13, height - 13], fill=CROSS, width=3)
    pen.line([12, height - 13, width - 13, 12], fill=CROSS, width=3)
    # A framed landscape in the middle: sun and two hills, as a photo icon.
    left, top, right, bottom = width / 2 - 200, height / 2 - 140, width / 2 + 200, height / 2 + 140
    pen.rectangle([left - 20, top - 20, right + 20, bottom + 20], fill=BACKGROUND)
    pen.rectangle([left, top, right, bottom], outline=PICTURE, width=10)
    pen.ellipse([right - 120, top + 40, right - 60, top + 100], fill=PICTURE)
    pen.polygon(
        [(left + 10, bottom - 10), (left + 150, top + 110), (left + 290, bottom - 10)], fill=PICTURE
    )
    pen.polygon(
        [(left + 200, bottom - 10), (left + 290, top + 170), (right - 10, bottom - 10)],
        fill=PICTURE,
    )
    return image


def placeholder_png(number: int) -> bytes:
    buffer = io.BytesIO()
    draw(number).save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()
