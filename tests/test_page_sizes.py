"""The page size in edition.yaml: the Chinese book formats (开本) by name, bare
millimetres, and an error, with its line and the accepted names, for any other."""

from __future__ import annotations

import zipfile

from conftest import run_publisher
from pypdf import PdfReader
from tiny import tiny_edition

MM = 72 / 25.4


def with_page(tmp_path, size: str):
    source = tiny_edition(tmp_path, ("zh-Hans",))
    edition = source / "edition.yaml"
    edition.write_text(
        edition.read_text(encoding="utf-8") + f"pdf:\n  page_size: {size}\n", encoding="utf-8"
    )
    return source, edition


def test_an_unknown_page_size_is_an_error_naming_the_sizes(tmp_path):
    source, edition = with_page(tmp_path, "16K")
    line = edition.read_text(encoding="utf-8").splitlines().index("  page_size: 16K") + 1
    check = run_publisher("check", "--source", source)
    assert check.returncode == 1, check.stderr
    assert f"edition.yaml:{line}" in check.stderr
    assert "unknown page size `16K`; did you mean `16开`?" in check.stderr
    assert "大16开" in check.stderr and "A5" in check.stderr and "185 260" in check.stderr


def test_16kai_sets_the_pdf_and_the_docx_page(tmp_path):
    source, _ = with_page(tmp_path, "16开")
    out = tmp_path / "out"
    built = run_publisher("build", "pdf", "docx", "--source", source, "--out", out)
    assert built.returncode == 0, built.stderr
    for pdf in (out / "zh-Hans").rglob("*.pdf"):
        for page in PdfReader(pdf).pages:
            box = page.mediabox
            assert (round(float(box.width) / MM), round(float(box.height) / MM)) == (185, 260)
    with zipfile.ZipFile(out / "zh-Hans" / "tiny.docx") as docx:
        document = docx.read("word/document.xml").decode()
    # Twips: 185 mm and 260 mm.
    assert 'w:w="10488"' in document and 'w:h="14740"' in document


def test_bare_millimetres_turned_landscape(tmp_path):
    source, _ = with_page(tmp_path, "32开 landscape")
    out = tmp_path / "out"
    built = run_publisher("build", "pdf", "--source", source, "--out", out)
    assert built.returncode == 0, built.stderr
    box = PdfReader(out / "zh-Hans" / "tiny.pdf").pages[0].mediabox
    assert (round(float(box.width) / MM), round(float(box.height) / MM)) == (184, 130)
