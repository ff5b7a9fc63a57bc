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
- draws the Chinese in the variant's region's glyph forms (Noto CJK SC, TC or
  HK), never the Japanese ones: for every character whose glyph differs between
  the region's face and the Japanese face, the glyph the PDF draws is the
  region's (see region_forms);
- for an edition, lists on its contents page every headline with the page
  number on which the PDF has that headline.

LibreOffice runs as an editor's would, with the machine's own fontconfig and
no settings of ours: it finds the faces the DOCX names (the region's Noto CJK,
docx-fonts.yaml) by name. A face it lacks would go to fontconfig, which on
Debian answers a Windows name (SimSun, PMingLiU) with the Japanese face or a
sans one; LibreOffice 7.x ignores fontTable.xml's w:altName.

With --pages DIR, the first three pages (title, contents, first article) of
the zh-Hans and zh-Hant-TW edition DOCX are written as DIR/docx-<variant>-N.png.

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


def installed_font(pattern: str) -> TTFont | None:
    """The installed face fontconfig lists first for ``pattern`` (``:family=…``)."""
    listed = subprocess.run(
        ["fc-list", pattern, "file", "index"], capture_output=True, text=True, check=False
    ).stdout.strip()
    if not listed:
        return None
    file, _, rest = listed.splitlines()[0].partition(":")
    index = int(re.search(r"index=(\d+)", rest)[1]) if "index=" in rest else 0
    if file.endswith((".ttc", ".otc")):
        return TTCollection(file, lazy=True).fonts[index]
    return TTFont(file, lazy=True, fontNumber=index)


@cache
def font_cmap(postscript_name: str) -> frozenset[int] | None:
    """The characters of the installed font fontconfig knows by this PostScript name.

    LibreOffice names a face of a font collection (Noto CJK's .ttc) after the
    collection's first face and adds a suffix (``-VKana``): tried without it too.
    """
    for name in (postscript_name, re.sub(r"-VKana$", "", postscript_name)):
        font = installed_font(f":postscriptname={name}")
        if font is not None:
            return frozenset(font.getBestCmap() or {})
    return None


# The region of each variant's glyph forms, as Noto CJK names its faces.
REGIONS = {"zh-Hans": "SC", "zh-Hant": "TC", "zh-Hant-TW": "TC", "zh-Hant-HK": "HK"}
# A Noto CJK face as LibreOffice names it in a PDF: after the collection's first
# (Japanese) face, whichever face it drew with, and a FontDict's suffix.
NOTO_CJK = re.compile(r"Noto(Serif|Sans)CJK[a-z]{2}-(\w+?)(?:-\w*Kana|-\w+)?$")


@cache
def face_glyphs(family: str, style: str) -> dict[int, int]:
    """Code point -> glyph (CID) of the installed face fontconfig has by this name."""
    font = installed_font(f":family={family}:style={style}")
    cmap = (font.getBestCmap() or {}) if font is not None else {}
    return {code: _cid(name) for code, name in cmap.items()}


def _cid(glyph_name: str) -> int:
    digits = re.fullmatch(r"cid(\d+)", glyph_name)
    return int(digits[1]) if digits else -1


def _to_unicode(cmap: bytes) -> dict[int, str]:
    """A ToUnicode CMap's single mappings (LibreOffice writes bfchar only)."""
    text = cmap.decode("latin-1")
    mapping = {}
    for block in re.findall(r"beginbfchar(.*?)endbfchar", text, re.S):
        for code, target in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            mapping[int(code, 16)] = bytes.fromhex(target).decode("utf-16-be", "replace")
    return mapping


def region_forms(pdf_path: Path, region: str) -> tuple[int, list[str]]:
    """Of the characters drawn in a Noto CJK face whose glyph differs between the
    ``region``'s face and the Japanese one, how many there are and which of them the
    PDF draws with another glyph than the region's.

    LibreOffice embeds each face as Type 1 subsets whose glyph names keep the
    collection's CIDs (``cid21102``), and maps each code to its character
    (ToUnicode): the CID drawn for a character says which region's form it is.
    """
    from fontTools.t1Lib import T1Font
    from pypdf import PdfReader

    checked, wrong = 0, []
    seen = set()
    for page in PdfReader(pdf_path).pages:
        for reference in (page.get("/Resources", {}).get("/Font", {}) or {}).values():
            font = reference.get_object()
            named = NOTO_CJK.match(str(font.get("/BaseFont", "")).split("+")[-1])
            key = getattr(reference, "idnum", id(font))
            if not named or key in seen or "/FontDescriptor" not in font:
                continue
            seen.add(key)
            program = font["/FontDescriptor"].get_object().get("/FontFile")
            if program is None:
                wrong.append(f"{font['/BaseFont']}: not a Type 1 program; forms unchecked")
                continue
            with tempfile.NamedTemporaryFile(suffix=".pfa") as file:
                file.write(program.get_object().get_data())
                file.flush()
                type1 = T1Font(file.name)
                type1.parse()
            encoding = type1["Encoding"]
            design, style = named[1], named[2]
            own = face_glyphs(f"Noto {design} CJK {region}", style)
            japanese = face_glyphs(f"Noto {design} CJK JP", style)
            for code, text in _to_unicode(font["/ToUnicode"].get_object().get_data()).items():
                if len(text) != 1 or own.get(ord(text)) == japanese.get(ord(text)):
                    continue  # the same glyph in both regions: it tells nothing
                checked += 1
                if _cid(encoding[code]) != own.get(ord(text)):
                    wrong.append(text)
    return checked, wrong


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


def check(docx_path: Path, pdf_path: Path, region: str) -> tuple[list[str], dict]:
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
    distinct, wrong = region_forms(pdf_path, region)
    if not distinct:
        problems.append(f"no character that tells Noto CJK {region}'s forms from JP's was drawn")
    if wrong:
        shown = " ".join(dict.fromkeys(wrong[:10]))
        problems.append(f"{len(wrong)} of {distinct} characters not in {region} forms: {shown}")
    cjk = [c for c in characters if unicodedata.name(c, "").startswith("CJK UNIFIED")]
    # The face as an editor knows it: LibreOffice names every Noto CJK subset after the
    # collection's first (Japanese) face, whichever it drew with; the forms tell which.
    body = [
        f"Noto {named[1]} CJK {region} (as {face})"
        if (named := NOTO_CJK.match(face)) and distinct and not wrong
        else face
        for face in sorted(faces)
    ]
    summary = {
        "pages": pages(pdf_path),
        "fonts": names,
        "body": body,
        "characters": len(characters),
        "cjk": len(cjk),
        "forms": f"{region} forms ({distinct - len(wrong)} of {distinct} telling characters)",
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
        for folder, files in folders.items():
            convert(files, work / folder.relative_to(arguments.build), work / "profile")
        for path in docx_files:
            relative = path.relative_to(arguments.build)
            pdf = (work / relative).with_suffix(".pdf")
            problems, summary = check(path, pdf, REGIONS[relative.parts[0]])
            status = "FAIL" if problems else "ok"
            failed += bool(problems)
            detail = (
                f"{summary['pages']} pages, {summary['cjk']} distinct CJK characters, "
                f"body in {', '.join(summary['body'])}, {summary['forms']}; "
                f"fonts: {', '.join(summary['fonts'])}"
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
