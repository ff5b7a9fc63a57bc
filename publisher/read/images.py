"""Images are checked by their content, not their names, before any output is written.

A file named ``.png`` may be empty, cut short, an SVG or a JPEG; a small PNG may
unfold into billions of pixels (a decompression bomb: 714 KB of PNG make a
13300×13300 image, gigabytes once WeasyPrint decodes it). Pillow reads the
header (type and dimensions) without decoding the pixels; then the file is
checked whole: a PNG's chunks and checksums, a JPEG or GIF decoded (a JPEG at
an eighth of its size, which is cheap).
"""

from __future__ import annotations

import contextlib
import struct
from collections.abc import Iterator
from pathlib import Path

from PIL import Image, UnidentifiedImageError

from publisher.base.errors import SourceError

# Print needs about 9 megapixels for a full A4 page at 300 dpi; a 50-megapixel
# camera's photo still passes. WeasyPrint holds about 10 bytes a pixel while it
# lays an image out, so this bounds one image to about 500 MB.
MAX_PIXELS = 50_000_000
# Pillow's name of each type -> the file suffixes that name it.
IMAGE_TYPES = {"PNG": (".png",), "JPEG": (".jpg", ".jpeg"), "GIF": (".gif",)}
# What a file that is no image often is, by its first bytes.
NOT_IMAGES = {
    b"<svg": "an SVG drawing",
    b"<?xml": "an XML (perhaps SVG) file",
    b"<!DOCTYPE": "an HTML page",
    b"<html": "an HTML page",
    b"%PDF": "a PDF file",
    b"RIFF": "a WebP image",
    b"II*\x00": "a TIFF image",
    b"MM\x00*": "a TIFF image",
    b"BM": "a BMP image",
}


def check_image(
    path: Path,
    *,
    name: str,
    shown: str,
    line: int | None,
    types: tuple[str, ...] = tuple(IMAGE_TYPES),
    what: str = "the image",
) -> None:
    """Refuse an image that is empty, damaged, cut short, too large, not of one of
    ``types`` by its content, or named with another type's suffix.

    ``name`` is the image as the source names it, ``shown`` and ``line`` where.
    """
    wanted = " or ".join([", ".join(types[:-1]), types[-1]] if len(types) > 1 else types)

    def refuse(problem: str, hint: str) -> SourceError:
        return SourceError(shown, f"{what} `{name}` {problem}", line=line, hint=hint)

    if path.stat().st_size == 0:
        raise refuse("is empty (0 bytes)", "save the image again, or copy it again")
    try:
        with _without_pillow_bomb_guard(), Image.open(path) as image:  # the header only
            kind, (width, height) = image.format, image.size
            if width * height > MAX_PIXELS:
                raise refuse(
                    f"is {width}×{height} pixels, more than {MAX_PIXELS:,}",
                    "scale it down (3000 pixels on the long side print a full page)",
                )
            suffixes = [suffix for allowed in types for suffix in IMAGE_TYPES[allowed]]
            if path.suffix.lower() not in suffixes:
                raise refuse(
                    f"is named `{path.suffix}`, not {wanted} (it holds a {kind} image)",
                    f"convert it to {wanted}, or rename it if it is one",
                )
            if kind not in types:
                raise refuse(f"is a {kind} image", f"convert it to {wanted}")
            if path.suffix.lower() not in IMAGE_TYPES[kind]:
                raise refuse(
                    f"is a {kind} image named `{path.suffix}`",
                    f"rename it to {path.stem}{IMAGE_TYPES[kind][0]} (and its reference), "
                    "or convert it",
                )
            if kind == "PNG":
                image.verify()  # every chunk present, every checksum right
            else:
                image.draft("RGB", (max(1, width // 8), max(1, height // 8)))
                image.load()
    except UnidentifiedImageError:
        with path.open("rb") as file:
            start = file.read(64).lstrip()
        # (not `what`: refuse() reads that name, the thing the source calls the file)
        seems = next((v for k, v in NOT_IMAGES.items() if start.startswith(k)), None)
        raise refuse(
            f"is {seems}, not {wanted}" if seems else f"is not a {wanted} image",
            f"convert it to {wanted} (every format carries PNG and JPEG)",
        ) from None
    except (OSError, SyntaxError, EOFError, ValueError, struct.error, IndexError) as error:
        raise refuse(
            f"is damaged or cut short ({error})",
            "copy or save the image again; the file ends early or holds wrong bytes",
        ) from None


@contextlib.contextmanager
def _without_pillow_bomb_guard() -> Iterator[None]:
    """Pillow's own guard warns at 89 and refuses at 179 megapixels, without saying
    the size: ours, lower, comes first and says what to do."""
    limit, Image.MAX_IMAGE_PIXELS = Image.MAX_IMAGE_PIXELS, None
    try:
        yield
    finally:
        Image.MAX_IMAGE_PIXELS = limit
