"""System fonts for the EPUB: finding a region's CJK face, and subsetting it.

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

from publisher.base.atomic import write_atomically
from publisher.base.errors import BuildError, warn


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
    """A WOFF2 subset of ``face`` holding only ``characters``, cached on disk.

    CJK faces hold some 65,000 glyphs (tens of megabytes); a newspaper page uses
    about a thousand characters. The bytes depend only on the face file and the
    characters (no timestamp is recalculated), so builds stay reproducible; the
    cache key covers both, and fontTools' version, which shapes the output.
    """
    # load time: fontTools' subsetter only for an EPUB with embedded fonts
    from fontTools import subset, version
    from fontTools.ttLib import TTFont

    wanted = "".join(sorted(set(characters)))
    stat = face.path.stat()
    seed = f"{version}\0{face.path}\0{face.index}\0{stat.st_size}\0{stat.st_mtime_ns}\0{wanted}"
    cached = cache / f"font-{hashlib.sha256(seed.encode()).hexdigest()[:24]}.woff2"
    if cached.is_file():
        return cached.read_bytes()
    options = subset.Options()
    options.flavor = "woff2"  # EPUB 3.3 core media type, about half the size of OTF
    # Not `locl`: in a Noto CJK collection it maps to the other regions' glyph
    # forms, which doubles the subset; this face's own cmap already gives the
    # region's forms, which is why the region's face is the one embedded.
    options.layout_features = [f for f in options.layout_features if f != "locl"]
    font = TTFont(face.path, fontNumber=face.index, recalcTimestamp=False, lazy=False)
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=wanted)
    subsetter.subset(font)
    buffer = io.BytesIO()
    font.flavor = "woff2"
    font.save(buffer, reorderTables=True)
    data = buffer.getvalue()
    write_atomically(cached, data)
    return data


# Characters that take no glyph of their own: controls, format characters (joiners,
# marks of direction), spaces, and variation selectors, which choose a glyph form.
_NO_GLYPH_CATEGORIES = ("Cc", "Cf", "Zs", "Zl", "Zp")
_VARIATION_SELECTORS = (range(0xFE00, 0xFE10), range(0xE0100, 0xE01F0), range(0x180B, 0x1810))


def needs_glyph(character: str) -> bool:
    code = ord(character)
    if any(code in selectors for selectors in _VARIATION_SELECTORS):
        return False
    return unicodedata.category(character) not in _NO_GLYPH_CATEGORIES


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
