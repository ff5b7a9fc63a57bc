"""Open every DOCX of a build in LibreOffice, as an editor without Word would, and
check that the Chinese comes through: each DOCX is converted to PDF headless,
then poppler reads the PDF back.

A DOCX passes when its PDF
- embeds every font it uses, none of them Type 3 (a bitmap stand-in);
- draws every character of the document with a font that has it: the union of
  the embedded fonts' character maps (the installed files fontconfig names)
  covers every character of the text, so nothing fell to an empty box;
- has, in pdftotext's extraction, every paragraph and footnote of the DOCX,
  character for character (white space aside), and no U+FFFD.

Not part of `make test` (LibreOffice is big and slow); run `make docx-pdf-check`,
or by hand: .venv/bin/python bench/docx_pdf_check.py build
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
import unicodedata
from functools import cache
from pathlib import Path

import docx
from fontTools.ttLib import TTCollection, TTFont
from lxml import etree

# pdffonts' table is read one way, the tests' (tests/outputs.py).
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from outputs import pdf_fonts

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
# The contents are a field LibreOffice may lay out with dot leaders and page
# numbers of its own: compared as headlines (Heading 1) instead.
SKIPPED_STYLES = {"toc 1", "TOC 1", "TOC Heading"}


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def docx_texts(path: Path) -> list[str]:
    """Every paragraph and footnote of the DOCX, as text."""
    document = docx.Document(str(path))
    texts = [p.text for p in document.paragraphs if p.style.name not in SKIPPED_STYLES]
    for table in document.tables:
        texts += [cell.text for row in table.rows for cell in row.cells]
    notes = [
        rel.target_part for rel in document.part.rels.values() if rel.reltype.endswith("/footnotes")
    ]
    for part in notes:
        root = etree.fromstring(part.blob)
        for note in root.iter(f"{W}footnote"):
            if note.get(f"{W}type") is None:
                texts.append("".join(t.text or "" for t in note.iter(f"{W}t")))
    return [t for t in texts if t.strip()]


@cache
def font_cmap(postscript_name: str) -> frozenset[int] | None:
    """The characters of the installed font fontconfig knows by this PostScript name.

    LibreOffice names a face of a font collection (Noto CJK's .ttc) after the
    collection's first face and adds a suffix (``-VKana``): tried without it too.
    """
    listed = ""
    for name in (postscript_name, re.sub(r"-VKana$", "", postscript_name)):
        listed = subprocess.run(
            ["fc-list", f":postscriptname={name}", "file", "index"],
            capture_output=True,
            text=True,
            check=False,
        ).stdout.strip()
        if listed:
            break
    if not listed:
        return None
    file, _, rest = listed.splitlines()[0].partition(":")
    index = int(re.search(r"index=(\d+)", rest)[1]) if "index=" in rest else 0
    if file.endswith((".ttc", ".otc")):
        font = TTCollection(file, lazy=True).fonts[index]
    else:
        font = TTFont(file, lazy=True, fontNumber=index)
    return frozenset(font.getBestCmap() or {})


def pages(path: Path) -> int:
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)
    return int(re.search(r"^Pages:\s+(\d+)", info.stdout, re.M)[1])


def convert(files: list[Path], out: Path, profile: Path) -> None:
    """LibreOffice headless, one call per folder; its own profile, so no user's settings count."""
    subprocess.run(
        [
            shutil.which("soffice") or "soffice",
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf",
            "--outdir",
            str(out),
            *map(str, files),
        ],
        check=True,
        capture_output=True,
        timeout=600,
    )


def check(docx_path: Path, pdf_path: Path) -> tuple[list[str], dict]:
    problems = []
    if not pdf_path.is_file():
        return [f"LibreOffice made no PDF of {docx_path}"], {}
    fonts = pdf_fonts(pdf_path)
    names = sorted({f["name"].split("+")[-1] for f in fonts})
    for font in fonts:
        if "Type 3" in font["type"]:
            problems.append(f"Type 3 font {font['name']}")
        if font["emb"] != "yes":
            problems.append(f"font not embedded: {font['name']}")
    covered: set[int] = set()
    for name in names:
        cmap = font_cmap(name)
        if cmap is None:
            problems.append(f"embedded font {name} is not an installed font; coverage unknown")
        else:
            covered |= cmap
    texts = docx_texts(docx_path)
    characters = {c for text in texts for c in squeeze(text)}
    missing = sorted(c for c in characters if ord(c) not in covered)
    if missing:
        shown = " ".join(f"{c} U+{ord(c):04X}" for c in missing[:10])
        problems.append(f"{len(missing)} characters in no embedded font: {shown}")
    extracted = subprocess.run(
        # -raw: content-stream order, which is LibreOffice's reading order; the
        # default layout order mixes up the lines of a centred two-line headline.
        ["pdftotext", "-raw", "-enc", "UTF-8", str(pdf_path), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    flat = squeeze(unicodedata.normalize("NFC", extracted))
    if "\ufffd" in flat:
        problems.append("U+FFFD in the extracted text")
    # A footnote's number sits in the paragraph's PDF text but not in its DOCX
    # text: what is not found as is is looked for with digits left out.
    undigited = re.sub(r"\d", "", flat)
    absent = [
        t
        for t in texts
        if squeeze(unicodedata.normalize("NFC", t)) not in flat
        and re.sub(r"\d", "", squeeze(unicodedata.normalize("NFC", t))) not in undigited
    ]
    if absent:
        problems.append(f"{len(absent)} paragraphs not in the PDF's text, e.g. {absent[0][:40]!r}")
    cjk = [c for c in characters if unicodedata.name(c, "").startswith("CJK UNIFIED")]
    summary = {
        "pages": pages(pdf_path),
        "fonts": names,
        "characters": len(characters),
        "cjk": len(cjk),
    }
    return problems, summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("build", type=Path, nargs="?", default=Path("build"))
    arguments = parser.parse_args(argv)
    # build/<variant>/, not build/.cache/ (pandoc's reference documents).
    docx_files = [
        path
        for pattern in ("*/*.docx", "*/articles/*.docx")
        for path in sorted(arguments.build.glob(pattern))
        if not path.relative_to(arguments.build).parts[0].startswith(".")
    ]
    if not docx_files:
        print(f"no DOCX under {arguments.build}; run `make docx` first", file=sys.stderr)
        return 1
    failed = 0
    with tempfile.TemporaryDirectory(prefix="docx-pdf-check-") as temporary:
        work = Path(temporary)
        folders: dict[Path, list[Path]] = {}
        for path in docx_files:
            folders.setdefault(path.parent, []).append(path)
        for folder, files in folders.items():
            convert(files, work / folder.relative_to(arguments.build), work / "profile")
        for path in docx_files:
            relative = path.relative_to(arguments.build)
            pdf = (work / relative).with_suffix(".pdf")
            problems, summary = check(path, pdf)
            status = "FAIL" if problems else "ok"
            failed += bool(problems)
            detail = (
                f"{summary['pages']} pages, {summary['cjk']} distinct CJK characters, "
                f"fonts: {', '.join(summary['fonts'])}"
                if summary
                else ""
            )
            print(f"{status:4} {relative}: {detail}")
            for problem in problems:
                print(f"       {problem}")
    print(f"{len(docx_files) - failed} of {len(docx_files)} DOCX came through LibreOffice intact")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
