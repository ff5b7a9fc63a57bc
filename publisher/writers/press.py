"""The press PDF (``pdf: {press: …}``): what turns the proof PDF into a file a print
shop takes. PDF/X-4 asks for a CMYK output intent (the printing condition the file
was made for, with its ICC profile), a trim box on every page, no colour outside the
output intent's space, and no annotation on the page; the shop asks for bleed, crop
marks, text and rules in black ink alone, and pictures with enough pixels.

This module holds what the press PDF adds, apart from WeasyPrint: the profile, the
conversion of colours and pictures to its inks, the picture resolution check and the
crop marks. ``pdf.py`` paints the same layout with them. Light to import: planning a
build keys the press PDF by its profile without loading WeasyPrint.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import io
from dataclasses import dataclass
from pathlib import Path

from publisher.base.config import PressOptions, length_mm
from publisher.base.errors import BuildError
from publisher.base.model import Edition

CODE = Path(__file__).resolve().parent.parent
# Japan Color 2001 Coated, Adobe's profile, as Vivliostyle's press-ready (pinned in
# package.json, installed by `make`) ships it; read at build time, not copied here.
DEFAULT_PROFILE = CODE.parent / "node_modules/press-ready/assets/JapanColor2001Coated.icc"
# Its name in the ICC's registry of characterized printing conditions.
DEFAULT_CONDITION = "JC200103"
REGISTRY = "http://www.color.org"
POINTS_PER_MM = 72 / 25.4
# The crop marks: a hairline (0.25 pt), starting past the bleed so that they never
# print on the page, each 5 mm long, on all four plates (registration colour).
MARK_WIDTH = 0.25
MARK_LENGTH = 5 * POINTS_PER_MM
# Room beyond the marks, so that a RIP does not clip them.
SLUG = 2 * POINTS_PER_MM


@dataclass(frozen=True)
class PressProfile:
    """The output intent: the printer's CMYK profile and the condition it describes."""

    data: bytes
    condition: str  # OutputConditionIdentifier
    info: str  # the profile's own name, for people
    registry: str | None  # where `condition` is registered, if it is
    bleed: float  # in points
    min_ppi: int

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    @functools.cached_property
    def _inks(self) -> dict[tuple[int, int, int], tuple[float, float, float, float]]:
        return {}  # sRGB (0-255) -> inks, for the few colours a stylesheet has

    @functools.cached_property
    def _output(self) -> object:
        """The profile, parsed once for every colour and picture of the PDF."""
        # load time: Pillow only when a press PDF is made
        from PIL import ImageCms

        return ImageCms.ImageCmsProfile(io.BytesIO(self.data))

    @functools.cached_property
    def _from_srgb(self) -> object:
        """sRGB to the profile's inks, keeping colours as measured (relative colorimetric)."""
        # load time: Pillow only when a press PDF is made
        from PIL import ImageCms

        return ImageCms.buildTransform(
            ImageCms.createProfile("sRGB"),
            self._output,
            "RGB",
            "CMYK",
            renderingIntent=ImageCms.Intent.RELATIVE_COLORIMETRIC,
        )

    def ink(self, red: float, green: float, blue: float) -> tuple[float, float, float, float]:
        """An sRGB colour (0-1) as the inks that print it. Greys, black and white are
        black ink alone: four inks on a grey would print text and rules in four plates
        that never register exactly (the fringed 'rich black' body text)."""
        if max(red, green, blue) - min(red, green, blue) < 1 / 255:
            return (0.0, 0.0, 0.0, round(1 - (red + green + blue) / 3, 4))
        colour = (round(red * 255), round(green * 255), round(blue * 255))
        if colour not in self._inks:
            # load time: Pillow only when a press PDF is made
            from PIL import Image, ImageCms

            pixel = ImageCms.applyTransform(Image.new("RGB", (1, 1), colour), self._from_srgb)
            c, m, y, k = (round(v / 255, 4) for v in pixel.getpixel((0, 0)))
            self._inks[colour] = (c, m, y, k)
        return self._inks[colour]

    def picture(self, path: Path) -> tuple[str, tuple[int, int]]:
        """A picture as the press prints it (a data: URI) and its size in pixels: colour
        pictures in the profile's CMYK (as JPEG: WeasyPrint writes CMYK as JPEG only),
        greyscale ones as they are, on the black plate."""
        # load time: Pillow only when a press PDF is made
        from PIL import Image, ImageCms

        with Image.open(path) as image:
            size = image.size
            if image.mode in ("1", "L", "CMYK"):
                data, media = path.read_bytes(), Image.MIME.get(image.format or "", "image/png")
            else:
                if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
                    flat = Image.new("RGB", image.size, "white")  # the paper
                    flat.paste(image.convert("RGBA"), mask=image.convert("RGBA").getchannel("A"))
                    image = flat
                source = image.info.get("icc_profile")
                profile = (
                    ImageCms.ImageCmsProfile(io.BytesIO(source))
                    if source
                    else ImageCms.createProfile("sRGB")
                )
                cmyk = ImageCms.profileToProfile(
                    image.convert("RGB"),
                    profile,
                    self._output,
                    renderingIntent=ImageCms.Intent.PERCEPTUAL,
                    outputMode="CMYK",
                )
                buffer = io.BytesIO()
                cmyk.save(buffer, "JPEG", quality=95, subsampling=0)
                data, media = buffer.getvalue(), "image/jpeg"
        return f"data:{media};base64,{base64.b64encode(data).decode()}", size


def press_profile(edition: Edition) -> PressProfile:
    """The press PDF's profile and settings from ``pdf.press`` (which must be set)."""
    options: PressOptions | None = edition.config.pdf.press
    if options is None:
        raise BuildError("no press PDF asked for (pdf: {press: true} in edition.yaml)")
    if options.profile:  # checked when the sources were read (check_press_profile)
        data = (edition.root / options.profile).read_bytes()
    elif DEFAULT_PROFILE.is_file():
        data = DEFAULT_PROFILE.read_bytes()
    else:
        raise BuildError(
            "the press PDF needs a CMYK profile: run `make` (npm installs press-ready, "
            "which holds Japan Color 2001 Coated), or name your printer's with "
            "pdf: {press: {profile: FILE.icc}} in edition.yaml"
        )
    info = profile_name(data)
    if options.condition:
        condition, registry = options.condition, None
    elif options.profile:
        condition, registry = info, None
    else:
        condition, registry = DEFAULT_CONDITION, REGISTRY
    bleed = (length_mm(options.bleed) or 0.0) * POINTS_PER_MM
    return PressProfile(data, condition, info, registry, bleed, options.min_ppi)


def profile_name(data: bytes) -> str:
    # load time: Pillow only when a press PDF is made
    from PIL import ImageCms

    profile = ImageCms.ImageCmsProfile(io.BytesIO(data)).profile
    return (profile.profile_description or profile.model or "CMYK").strip()


def crop_marks(width: float, height: float, bleed: float) -> bytes:
    """PDF operators drawing crop marks at the four corners of a ``width`` x ``height``
    trim (points, origin at its lower left), outside the bleed."""
    start, end = bleed + 0.5 * SLUG, bleed + 0.5 * SLUG + MARK_LENGTH
    lines = []
    for x in (0.0, width):
        out = -1 if x == 0 else 1
        for y in (0.0, height):
            up = -1 if y == 0 else 1
            lines.append(((x + out * start, y), (x + out * end, y)))  # along the trim line
            lines.append(((x, y + up * start), (x, y + up * end)))
    path = " ".join(f"{x1:.3f} {y1:.3f} m {x2:.3f} {y2:.3f} l" for (x1, y1), (x2, y2) in lines)
    return f"q 1 1 1 1 K {MARK_WIDTH} w 0 J {path} S Q".encode()


def media_margin(bleed: float) -> float:
    """How far the press PDF's media box reaches past the trim: bleed, marks, slug."""
    return bleed + 0.5 * SLUG + MARK_LENGTH + SLUG
