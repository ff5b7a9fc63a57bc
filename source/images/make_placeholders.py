"""Draw the placeholder photos that stand in for the newspaper's 资料图片.

The originals were not supplied with the raw copy, so each figure points at a
placeholder that says what it is. Run from the repository root:
    .venv/bin/python source/images/make_placeholders.py
The PNGs are committed; Pillow writes identical bytes for identical input.
"""

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

HERE = Path(__file__).parent
FONT = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
SIZE = (1200, 800)


def draw(number: int) -> Image.Image:
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


if __name__ == "__main__":
    for number in (1, 2):
        draw(number).save(HERE / f"placeholder-photo-{number}.png", optimize=True)
