"""Open every DOCX of a build in LibreOffice, as an editor without Word would, and
check that the Chinese comes through: each DOCX is converted to PDF headless,
then poppler reads the PDF back.

A DOCX passes when its PDF
- embeds every font it uses, none of them Type 3 (a bitmap stand-in);
- draws every character of the document with a font that has it: the union of
  the embedded fonts' character maps (the installed files fontconfig names)
  covers every character of the text, so nothing fell to an empty box;
- has, in pdftotext's extraction, every paragraph and footnote of the DOCX,
  character for character (white space aside), and no U+FFFD;
- sets the body text (Body Text paragraphs) in a serif face;
- for an edition, lists on its contents page every headline with the page
  number on which the PDF has that headline.

LibreOffice 7.x ignores what fontTable.xml says about a face it lacks
(w:altName, w:panose1, w:family: writerfilter's FontTable.cxx skips them) and
asks fontconfig, which on Debian knows SimSun as a serif face but PMingLiU
not at all and answers with its default sans. So the check hands LibreOffice
the DOCX's own alternatives as fontconfig substitutions (PMingLiU -> Noto
Serif CJK TC), as Word substitutes from them; the README gives the same file
for editors using LibreOffice.

With --pages DIR, the first three pages (title, contents, first article) of
the zh-Hans and zh-Hant-TW edition DOCX are written as DIR/docx-<variant>-N.png.

Not part of `make test` (LibreOffice is big and slow); run `make docx-pdf-check`,
or by hand: .venv/bin/python bench/docx_pdf_check.py build
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unicodedata
import zipfile
from functools import cache
from pathlib import Path
from xml.sax.saxutils import escape

import docx
import pdfplumber
from fontTools.ttLib import TTCollection, TTFont
from lxml import etree

# pdffonts' table is read one way, the tests' (tests/outputs.py).
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from outputs import pdf_fonts

# The pictures for the README: these variants' edition DOCX, pages 1-3.
PICTURED = ("zh-Hans", "zh-Hant-TW")
# Face names of serif (Song/Ming) and sans (Hei/Gothic) designs, as PDF font names show them.
SERIF = re.compile(r"Serif|Ming|Song|Sun|Mincho|Times|Roman", re.I)
SANS = re.compile(r"Sans|Hei|Gothic|Arial|Helvetica", re.I)

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


def font_substitutions(docx_files: list[Path], folder: Path) -> Path:
    """A fontconfig file: the system's configuration, plus each face named in the DOCX
    files' fontTable.xml replaced by its w:altName when the machine lacks it."""
    pairs = {}
    for path in docx_files:
        with zipfile.ZipFile(path) as archive:
            table = etree.fromstring(archive.read("word/fontTable.xml"))
        for font in table.iter(f"{W}font"):
            alternative = font.find(f"{W}altName")
            if alternative is not None:
                pairs[font.get(f"{W}name")] = alternative.get(f"{W}val")
    rules = "".join(
        f'<match target="pattern"><test name="family"><string>{escape(name)}</string></test>'
        f'<edit name="family" mode="prepend" binding="strong"><string>{escape(alt)}</string>'
        "</edit></match>"
        for name, alt in sorted(pairs.items())
        if not _installed(name)
    )
    config = folder / "fonts.conf"
    config.write_text(
        '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">'
        f'<fontconfig><include ignore_missing="yes">/etc/fonts/fonts.conf</include>{rules}'
        "</fontconfig>",
        encoding="utf-8",
    )
    return config


def _installed(family: str) -> bool:
    listed = subprocess.run(
        ["fc-list", f":family={family}", "family"], capture_output=True, text=True, check=False
    )
    return bool(listed.stdout.strip())


def body_faces(docx_path: Path, pdf_path: Path) -> set[str]:
    """The faces the PDF draws the Body Text paragraphs' Chinese in."""
    document = docx.Document(str(docx_path))
    samples = [squeeze(p.text)[:12] for p in document.paragraphs if p.style.name == "Body Text"]
    faces = set()
    with pdfplumber.open(pdf_path) as pdf:
        for page in pdf.pages:
            chars = [c for c in page.chars if c["text"].strip()]
            text = "".join(c["text"] for c in chars)
            for sample in samples:
                start = text.find(sample)
                if start >= 0:
                    faces |= {
                        c["fontname"].split("+")[-1]
                        for c in chars[start : start + len(sample)]
                        if unicodedata.name(c["text"], "").startswith("CJK UNIFIED")
                    }
    return faces


def page_texts(pdf_path: Path) -> list[str]:
    result = subprocess.run(
        ["pdftotext", "-raw", "-enc", "UTF-8", str(pdf_path), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return result.split("\f")


def contents_problems(docx_path: Path, pdf_path: Path) -> list[str]:
    """Each headline listed on the contents page with the page it is on in the PDF."""
    document = docx.Document(str(docx_path))
    headlines = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    if not any(p.style.name == "TOC Heading" for p in document.paragraphs):
        return []
    texts = [squeeze(t) for t in page_texts(pdf_path)]
    contents = next((i for i, t in enumerate(texts) if "目录" in t or "目錄" in t), None)
    if contents is None:
        return ["no contents page in the PDF"]
    problems = []
    for headline in headlines:
        title = squeeze(headline)
        found = [i + 1 for i, t in enumerate(texts) if i != contents and title in t]
        listed = re.search(re.escape(title) + r"[.…·]*(\d+)", texts[contents])
        if not found:
            problems.append(f"headline {headline!r} not found in the PDF")
        elif listed is None:
            problems.append(f"contents: no page number for {headline!r}")
        elif int(listed[1]) != found[0]:
            problems.append(
                f"contents: {headline!r} on page {listed[1]}, but the PDF has it on {found[0]}"
            )
    return problems


def pages(path: Path) -> int:
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)
    return int(re.search(r"^Pages:\s+(\d+)", info.stdout, re.M)[1])


def convert(files: list[Path], out: Path, profile: Path, fonts: Path) -> None:
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
        env={**os.environ, "FONTCONFIG_FILE": str(fonts)},
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
    faces = body_faces(docx_path, pdf_path)
    if not faces:
        problems.append("no Body Text found in the PDF to tell its face")
    for face in sorted(faces):
        if not SERIF.search(face) or SANS.search(face):
            problems.append(f"body text in {face}, not a serif face")
    problems += contents_problems(docx_path, pdf_path)
    cjk = [c for c in characters if unicodedata.name(c, "").startswith("CJK UNIFIED")]
    summary = {
        "pages": pages(pdf_path),
        "fonts": names,
        "body": sorted(faces),
        "characters": len(characters),
        "cjk": len(cjk),
    }
    return problems, summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("build", type=Path, nargs="?", default=Path("build"))
    parser.add_argument("--pages", type=Path, help="write page pictures of the edition DOCX here")
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
        fonts = font_substitutions(docx_files, work)
        for folder, files in folders.items():
            convert(files, work / folder.relative_to(arguments.build), work / "profile", fonts)
        for path in docx_files:
            relative = path.relative_to(arguments.build)
            pdf = (work / relative).with_suffix(".pdf")
            problems, summary = check(path, pdf)
            status = "FAIL" if problems else "ok"
            failed += bool(problems)
            detail = (
                f"{summary['pages']} pages, {summary['cjk']} distinct CJK characters, "
                f"body in {', '.join(summary['body'])}; fonts: {', '.join(summary['fonts'])}"
                if summary
                else ""
            )
            print(f"{status:4} {relative}: {detail}")
            for problem in problems:
                print(f"       {problem}")
            variant = relative.parts[0]
            if arguments.pages and len(relative.parts) == 2 and variant in PICTURED:
                arguments.pages.mkdir(parents=True, exist_ok=True)
                prefix = arguments.pages / f"docx-{variant}"
                subprocess.run(
                    ["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "3", str(pdf), str(prefix)],
                    check=True,
                )
    print(f"{len(docx_files) - failed} of {len(docx_files)} DOCX came through LibreOffice intact")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
