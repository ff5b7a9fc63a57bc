"""Draw the placeholder photos that stand in for the newspaper's 资料图片.

The originals were not supplied with the raw copy, so each figure points at a
placeholder, a picture without text (drawn by publisher/placeholder.py, which
`publisher import` uses too). Run from the repository root:
    .venv/bin/python source/images/make_placeholders.py
The PNGs are committed; Pillow writes identical bytes for identical input.
"""

from pathlib import Path

from publisher.commands.placeholder import placeholder_png

HERE = Path(__file__).parent

if __name__ == "__main__":
    for number in (1, 2):
        (HERE / f"placeholder-photo-{number}.png").write_bytes(placeholder_png(number))
