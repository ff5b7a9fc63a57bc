"""System fonts for the EPUB and the vertical PDF: finding a region's CJK face, and
subsetting it.

Fonts are the one thing taken from outside the source and styles folders; which
families stand for which variant is set in ``styles/epub.yaml``. Faces are found
through fontconfig (``fc-match``), as WeasyPrint finds them for the PDF, so no
path is hard-wired.
"""

from __future__ import annotations

import functools
import hashlib
import io
import shutil
import subprocess
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from publisher.base.atomic import write_atomically
from publisher.base.errors import BuildError, warn

if TYPE_CHECKING:
    from fontTools.ttLib import TTFont


@dataclass(frozen=True)
class Face:
    """One face of an installed font file (a .ttc holds several)."""

    path: Path
    index: int
    family: str
    style: str


def find_face(family: str, style: str) -> Face:
    """The installed face of ``family`` in ``style``; an error if it is not installed.

    fc-match always answers with *some* font, so the family it found is checked:
    a fallback face would silently give the wrong region's glyphs.
    """
    if shutil.which("fc-match") is None:
        raise BuildError("fc-match was not found; install fontconfig (apt-get install fontconfig)")
    result = subprocess.run(
        ["fc-match", "--format=%{file}\n%{index}\n%{family}\n%{style}", f"{family}:style={style}"],
        capture_output=True,
        text=True,
        check=False,
    )
    lines = result.stdout.split("\n")
    if result.returncode != 0 or len(lines) < 4:
        raise BuildError(f"fc-match could not look up {family} {style}: {result.stderr.strip()}")
    path, index, families, styles = lines[:4]
    if family not in [f.strip() for f in families.split(",")] or style not in styles.split(","):
        raise BuildError(
            f"the font {family} {style} is not installed (fontconfig offers {families} {styles}); "
            "install fonts-noto-cjk (apt-get install fonts-noto-cjk) or change styles/epub.yaml"
        )
    return Face(Path(path), int(index or 0), family, style)


def subset_woff2(face: Face, characters: str, cache: Path) -> bytes:
    """A WOFF2 subset of ``face`` holding only ``characters``, cached on disk: the EPUB's.

    CJK faces hold some 65,000 glyphs (tens of megabytes); a newspaper page uses
    about a thousand characters. The bytes depend only on the face file and the
    characters (no timestamp is recalculated), so builds stay reproducible; the
    cache key covers both, and fontTools' version, which shapes the output.
    """

    def woff2(font: TTFont) -> None:
        font.flavor = "woff2"  # EPUB 3.3 core media type, about half the size of OTF

    stat = face.path.stat()
    source = f"{face.path}\0{face.index}\0{stat.st_size}\0{stat.st_mtime_ns}"
    return _cached_subset(source, lambda: _load(face), characters, cache, "woff2", woff2)


def subset_truetype(face: Face, texts: Sequence[str], cache: Path) -> list[bytes]:
    """For each of ``texts``, a subset of ``face`` holding that text's characters, with
    TrueType outlines, cached on disk: the vertical PDF's, one per document.

    Chromium's PDF backend (Skia) embeds a face as a CID font only when its outlines
    are TrueType (``glyf``); a CFF-outline face, as every Noto CJK face is, comes out
    as Type 3, pictures of glyphs a print shop cannot preflight. So CFF outlines are
    converted to quadratic curves (fontTools' cu2qu, within one font unit), keeping
    the vertical metrics and the ``vert`` forms the columns need.

    Skia takes the embedded font's bounding box, cap height and glyph numbers from
    the face it is given, so each document gets a subset of its own characters and
    its bytes depend on nothing else. The costly part, reading the CJK face and
    converting outlines, is done once for all of them: on a subset holding every
    text's characters (its glyphs in the face's order), from which each document's
    subset is cut as it would be from the face itself.
    """
    everything = "".join(texts)
    stat = face.path.stat()
    source = f"{face.path}\0{face.index}\0{stat.st_size}\0{stat.st_mtime_ns}"
    converted: list[bytes] = []

    def load_converted() -> TTFont:
        from fontTools.ttLib import TTFont  # load time: as in _cached_subset

        if not converted:
            converted.append(
                _cached_subset(
                    source, lambda: _load(face), everything, cache, "all.ttf", _to_truetype
                )
            )
        return TTFont(io.BytesIO(converted[0]), recalcTimestamp=False)

    return [
        _cached_subset(source, load_converted, text, cache, "ttf", lambda font: None)
        for text in texts
    ]


def _load(face: Face) -> TTFont:
    from fontTools.ttLib import TTFont  # load time: as in _cached_subset

    return TTFont(face.path, fontNumber=face.index, recalcTimestamp=False)


def _cached_subset(
    source: str,
    load: Callable[[], TTFont],
    characters: str,
    cache: Path,
    suffix: str,
    finish: Callable[[TTFont], None],
) -> bytes:
    """The subset of the font ``load`` gives (``source`` says which, for the cache key)
    holding ``characters``, then ``finish``ed; cached on disk by all of these."""
    # load time: fontTools' subsetter only for an embedded or converted face
    from fontTools import subset, version

    wanted = "".join(sorted(set(characters)))
    seed = f"{version}\0{source}\0{suffix}\0{wanted}"
    cached = cache / f"font-{hashlib.sha256(seed.encode()).hexdigest()[:24]}.{suffix}"
    if cached.is_file():
        return cached.read_bytes()
    options = subset.Options()
    # Not `locl`: in a Noto CJK collection it maps to the other regions' glyph
    # forms, which doubles the subset; this face's own cmap already gives the
    # region's forms, which is why the region's face is the one embedded.
    options.layout_features = [f for f in options.layout_features if f != "locl"]
    options.drop_tables += ["FFTM"]  # FontForge's timestamps (AR PL UKai): no use to a reader
    font = load()
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=wanted)
    subsetter.subset(font)
    finish(font)
    buffer = io.BytesIO()
    font.save(buffer, reorderTables=True)
    data = buffer.getvalue()
    write_atomically(cached, data)
    return data


def _to_truetype(font: TTFont) -> None:
    """``font``'s CFF outlines as TrueType ones, in place (a TrueType face is left alone)."""
    if "CFF " not in font:
        return
    # load time: with the subsetter (above)
    from fontTools.pens.cu2quPen import Cu2QuPen
    from fontTools.pens.ttGlyphPen import TTGlyphPen
    from fontTools.ttLib import newTable

    order = font.getGlyphOrder()
    glyphs = font.getGlyphSet()
    glyf = newTable("glyf")
    glyf.glyphOrder = order
    glyf.glyphs = {}
    for name in order:
        pen = TTGlyphPen(glyphs)
        # CFF contours run counter-clockwise, TrueType's clockwise.
        glyphs[name].draw(Cu2QuPen(pen, max_err=1.0, reverse_direction=True))
        glyf[name] = pen.glyph()
        glyf[name].recalcBounds(glyf)
    font["loca"] = newTable("loca")
    font["glyf"] = glyf
    del font["CFF "]
    # CFF keeps each glyph's vertical origin in VORG; TrueType derives it from the
    # top side bearing (vmtx) and the glyph's top: the same origin, restated.
    origins = font.get("VORG")
    if origins is not None:
        del font["VORG"]
        metrics = font["vmtx"].metrics if "vmtx" in font else {}
        for name in order:
            glyph = glyf[name]
            if name in metrics and hasattr(glyph, "yMax"):
                origin = origins.VOriginRecords.get(name, origins.defaultVertOriginY)
                metrics[name] = (metrics[name][0], origin - glyph.yMax)
    maxp = font["maxp"]
    maxp.tableVersion = 0x00010000
    for field in (
        "maxTwilightPoints", "maxStorage", "maxFunctionDefs", "maxInstructionDefs",
        "maxStackElements", "maxSizeOfInstructions", "maxComponentElements",
        "maxComponentDepth",
    ):  # fmt: skip
        setattr(maxp, field, 0)
    maxp.maxZones = 1  # no hinting: no twilight zone
    maxp.recalc(font)  # points and contours, from the outlines
    font["head"].glyphDataFormat = 0
    font["post"].formatType = 3.0  # no glyph names: CID-keyed faces have none worth keeping
    font.sfntVersion = "\x00\x01\x00\x00"


# Characters that take no glyph of their own: controls, format characters (joiners,
# marks of direction), spaces, and variation selectors, which choose a glyph form.
_NO_GLYPH_CATEGORIES = ("Cc", "Cf", "Zs", "Zl", "Zp")
_VARIATION_SELECTORS = (range(0xFE00, 0xFE10), range(0xE0100, 0xE01F0), range(0x180B, 0x1810))


def needs_glyph(character: str) -> bool:
    code = ord(character)
    if any(code in selectors for selectors in _VARIATION_SELECTORS):
        return False
    return unicodedata.category(character) not in _NO_GLYPH_CATEGORIES


def installed(family: str) -> bool:
    """Whether fontconfig has ``family`` itself (not a substitute it would answer with)."""
    return _charset(family) is not None


@functools.cache
def _charset(family: str) -> tuple[tuple[int, int], ...] | None:
    """The code points an installed family covers, as fontconfig reports them (ranges);
    None when the family is not installed (fc-match would answer with another)."""
    if shutil.which("fc-match") is None:
        return None
    result = subprocess.run(
        ["fc-match", "--format=%{family}\n%{charset}", family],
        capture_output=True,
        text=True,
        check=False,
    )
    families, _, charset = result.stdout.partition("\n")
    if result.returncode != 0 or family not in [f.strip() for f in families.split(",")]:
        return None
    ranges = []
    for part in charset.split():
        low, _, high = part.partition("-")
        ranges.append((int(low, 16), int(high or low, 16)))
    return tuple(ranges)


def uncovered(characters: Iterable[str], families: Sequence[str]) -> list[str]:
    """The characters (that take a glyph) which no installed face of ``families`` has."""
    charsets = [c for c in map(_charset, families) if c is not None]
    missing = []
    for character in sorted(set(characters)):
        if not needs_glyph(character):
            continue
        code = ord(character)
        if not any(low <= code <= high for charset in charsets for low, high in charset):
            missing.append(character)
    return missing


def report_uncovered(
    text: str, families: Sequence[str], what: str, shown: str, line_of: Callable[[str], int | None]
) -> None:
    """A warning for each character of ``text`` that no face of ``families`` has."""
    for character in uncovered(text, families):
        warn(
            f"{what}: U+{ord(character):04X} {character!r} has no glyph in "
            f"{', '.join(families)}, the faces {what} names for it: a reader may see a box; "
            "install a font that has it and name it in the styles, or replace the character",
            path=shown or None,
            line=line_of(character),
        )
