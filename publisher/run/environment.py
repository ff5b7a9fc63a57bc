"""What a machine would build with: tool versions and the fonts it would use.

A cluster's workers must build the same bytes as the client. Other fonts give
other PDFs and another pandoc other DOCX, so before any work every worker
describes its environment (:func:`describe`) and the build stops on the first
difference (:func:`compare`), naming the worker and what differs.
"""

from __future__ import annotations

import hashlib
import re
import subprocess
from functools import cache
from importlib import metadata
from pathlib import Path

from publisher import CODE
from publisher.base import yamltext
from publisher.base.errors import BuildError
from publisher.base.pandoc import pandoc_version
from publisher.run.digests import folders_digest
from publisher.writers.vivliostyle import engine_versions

# The distributions whose versions are compared, beside pandoc's.
DISTRIBUTIONS = ("publisher", "weasyprint", "opencc", "pagefind-bin-extended")
# Faces the PDF falls back to for characters the named families lack.
GENERIC_FAMILIES = ("serif", "sans-serif", "monospace", "emoji")
STYLES = ("Regular", "Bold")
SHOWN_FONTS = 4  # font differences named per worker; the rest are counted
FAMILY = re.compile(r'"([^"]+)"')


def font_families(styles_folder: Path) -> list[str]:
    """Every family the build asks fontconfig for: those of print.css (WeasyPrint),
    the EPUB's embedded faces (epub.yaml), the vertical PDF's (vertical-pdf.yaml), and
    the generic fallbacks."""
    names: set[str] = set()
    print_css = styles_folder / "print.css"
    if print_css.is_file():
        for line in print_css.read_text(encoding="utf-8").splitlines():
            if "font-family" in line:
                names.update(FAMILY.findall(line.split("font-family", 1)[1]))
    epub = styles_folder / "epub.yaml"
    if epub.is_file():
        names.update(
            (yamltext.load(epub.read_text(encoding="utf-8")) or {}).get("families", {}).values()
        )
    vertical = styles_folder / "vertical-pdf.yaml"  # the vertical PDF's faces
    if vertical.is_file():
        faces = (yamltext.load(vertical.read_text(encoding="utf-8")) or {}).get("faces", {})
        names.update(family for variant in faces.values() for family in variant.values())
    return sorted(names) + list(GENERIC_FAMILIES)


@cache
def _file_digest(path: str, size: int, mtime_ns: int) -> str:
    """A font file's content hash; remembered per process (CJK collections are large)."""
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        while block := file.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()[:16]


# fontconfig's view of the fonts: rewritten when fonts are installed or removed
# (fc-cache), so a worker that lives long (a watch's) looks again after a change.
FONTCONFIG_PLACES = (Path("/etc/fonts"), Path("/var/cache/fontconfig"))


def _fontconfig_stamp() -> tuple[int, ...]:
    places = (*FONTCONFIG_PLACES, Path.home() / ".cache" / "fontconfig")
    stamps = []
    for place in places:
        try:
            stamps.append(place.stat().st_mtime_ns)
        except OSError:
            stamps.append(0)
    return tuple(stamps)


def fonts(families: list[str]) -> dict[str, str]:
    """``family:style`` -> ``file#index sha256`` of the face fontconfig gives for it."""
    return dict(_fonts(tuple(families), _fontconfig_stamp()))


@cache
def _fonts(families: tuple[str, ...], fontconfig: tuple[int, ...]) -> tuple[tuple[str, str], ...]:
    found = {}
    for family in families:
        for style in STYLES:
            pattern = f"{family}:style={style}"
            try:
                result = subprocess.run(
                    ["fc-match", "--format=%{file}\n%{index}", pattern],
                    capture_output=True,
                    text=True,
                    check=False,
                )
            except FileNotFoundError:
                raise BuildError("fc-match was not found; install fontconfig") from None
            path, _, index = result.stdout.partition("\n")
            if result.returncode != 0 or not path:
                found[pattern] = "none"
                continue
            stat = Path(path).stat()
            digest = _file_digest(path, stat.st_size, stat.st_mtime_ns)
            found[pattern] = f"{Path(path).name}#{index or 0} {digest}"
    return tuple(found.items())


@cache
def code_digest() -> str:
    """A digest of publisher's own source files."""
    return folders_digest({"code": CODE}, follow_links=True)[:12]


def describe(families: list[str]) -> dict[str, object]:
    """This machine's versions of the tools, and the fonts it would use for ``families``
    (:func:`font_families` of the client's styles: workers use the client's)."""
    versions: dict[str, object] = {name: metadata.version(name) for name in DISTRIBUTIONS}
    # The version number stays put while the code changes: its digest does not.
    versions["publisher"] = f"{versions['publisher']} (code {code_digest()})"
    versions["pandoc"] = pandoc_version()
    # The vertical PDF's engine and browser (pdf: {vertical: …}), or that they are missing.
    versions["vertical PDF engine"] = engine_versions()
    versions["fonts"] = fonts(families)
    return versions


def differences(client: dict[str, object], worker: dict[str, object]) -> list[str]:
    """What ``worker`` has that ``client`` has not, one line per tool or font."""
    lines = []
    for name in sorted(set(client) | set(worker)):
        if name == "fonts":
            continue
        if client.get(name) != worker.get(name):
            lines.append(f"{name} {worker.get(name)} (here: {client.get(name)})")
    mine = dict(client.get("fonts") or {})  # type: ignore[call-overload]
    theirs = dict(worker.get("fonts") or {})  # type: ignore[call-overload]
    fonts = [
        f"font {pattern}: {theirs.get(pattern)} (here: {mine.get(pattern)})"
        for pattern in sorted(set(mine) | set(theirs))
        if mine.get(pattern) != theirs.get(pattern)
    ]
    if len(fonts) > SHOWN_FONTS + 1:  # a machine without the fonts differs in every family
        fonts[SHOWN_FONTS:] = [f"and {len(fonts) - SHOWN_FONTS} more fonts"]
    return lines + fonts


def compare(
    client: dict[str, object],
    workers: dict[str, dict[str, object]],
    consequence: str = "nothing was built",
) -> None:
    """Stop with every worker whose environment differs from the client's."""
    problems = []
    for worker, description in sorted(workers.items()):
        found = differences(client, description)
        if found:
            problems.append(
                f"worker {worker} differs from this machine:\n    " + "\n    ".join(found)
            )
    if problems:
        raise BuildError(
            f"the cluster would not build the same bytes as this machine; {consequence}\n  "
            + "\n  ".join(problems)
            + "\n  what to do: start the scheduler and workers from the same environment "
            "(same publisher, pandoc, WeasyPrint, OpenCC, Vivliostyle, chromium and fonts) as "
            "the client"
        )
