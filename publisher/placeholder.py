"""The placeholder photo that stands in for a 资料图片 whose original was not supplied.

Used by ``publisher import`` for the photo markers of raw copy, and by
``source/images/make_placeholders.py`` for the sample. Pillow writes identical
bytes for identical input, so imports and the sample are reproducible.
"""

from __future__ import annotations

import io

from PIL import Image, ImageDraw, ImageFont

FONT = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"  # Debian's fonts-noto-cjk
SIZE = (1200, 800)
ALT = "资料图片占位图：原报照片未收录，此图仅标示照片位置"


def draw(number: int) -> Image.Image:
    """A grey frame with a cross, 资料图片 and the photo's number."""
    image = Image.new("L", SIZE, 226)
    pen = ImageDraw.Draw(image)
    pen.rectangle([12, 12, SIZE[0] - 13, SIZE[1] - 13], outline=140, width=6)
    pen.line([12, 12, SIZE[0] - 13, SIZE[1] - 13], fill=190, width=3)
    pen.line([12, SIZE[1] - 13, SIZE[0] - 13, 12], fill=190, width=3)
    big = ImageFont.truetype(FONT, 88, index=2)  # index 2: Noto Sans CJK SC
    small = ImageFont.truetype(FONT, 40, index=2)
    for text, font, y in (
        ("资料图片", big, 300),
        (f"占位图 {number} · 原报照片未收录", small, 430),
        (f"PLACEHOLDER PHOTO {number}", small, 500),
    ):
        width = pen.textlength(text, font=font)
        pen.rectangle(
            [(SIZE[0] - width) / 2 - 20, y - 10, (SIZE[0] + width) / 2 + 20, y + font.size + 24],
            fill=226,
        )
        pen.text(((SIZE[0] - width) / 2, y), text, fill=60, font=font)
    return image


def placeholder_png(number: int) -> bytes:
    buffer = io.BytesIO()
    draw(number).save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()
