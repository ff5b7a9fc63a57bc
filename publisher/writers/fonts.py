"""System fonts for the EPUB: finding a region's CJK face, and subsetting it.

Fonts are the one thing taken from outside the source and styles folders; which
families stand for which variant is set in ``styles/epub.yaml``. Faces are found
through fontconfig (``fc-match``), as WeasyPrint finds them for the PDF, so no
path is hard-wired.
"""

from __future__ import annotations

import hashlib
import io
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from publisher.base.atomic import write_atomically
from publisher.base.errors import BuildError


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
