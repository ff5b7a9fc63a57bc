"""`publisher verify`: the sample's outputs pass every check (Ace with 0 violations
included); a broken EPUB, PDF or character is named with its file and the check."""

from __future__ import annotations

import json
import zipfile

import pytest
from conftest import EDITION_NAME, build_ok, run_publisher
from pypdf import PdfReader, PdfWriter
from pypdf.generic import NameObject

from publisher.commands.verify import ace_violations


@pytest.mark.xdist_group("verify")
def test_the_sample_build_passes(sample_out):
    result = run_publisher("verify", "--out", sample_out, "--format", "json")
    assert result.returncode == 0, result.stdout + result.stderr
    reports = json.loads(result.stdout)
    assert len(reports) == 33 and all(report["passed"] for report in reports)
    kinds = {report["kind"] for report in reports}
    assert kinds == {"pdf", "epub", "docx"}
    epub = next(report for report in reports if report["kind"] == "epub")
    assert {check["name"] for check in epub["checks"]} == {"EPUBCheck", "Ace"}


@pytest.mark.parametrize("tag", ["zh-Hans", "zh-Hant-TW", "zh-Hant-HK"])
def test_ace_finds_no_violation(sample_out, tag):
    assert ace_violations(sample_out / tag / f"{EDITION_NAME}.epub") == []


def test_an_epub_without_its_language_fails_ace(sample_out, tmp_path):
    original = sample_out / "zh-Hans" / f"{EDITION_NAME}.epub"
    broken = tmp_path / "out" / "zh-Hans" / original.name
    broken.parent.mkdir(parents=True)
    with zipfile.ZipFile(original) as source, zipfile.ZipFile(broken, "w") as target:
        for entry in source.infolist():
            data = source.read(entry)
            if entry.filename.endswith(".opf"):
                data = data.replace(b' xml:lang="zh-Hans"', b"", 1)
            target.writestr(entry, data)
    result = run_publisher("verify", "--out", tmp_path / "out")
    assert result.returncode == 1
    assert f"{broken}: FAILED Ace: epub-lang" in result.stdout, result.stdout


def test_a_pdf_with_a_font_not_embedded_fails(sample_out, tmp_path):
    reader = PdfReader(sample_out / "zh-Hans" / "articles" / "01-xiaoyi.pdf")
    writer = PdfWriter(clone_from=reader)
    for page in writer.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            for descendant in font.get("/DescendantFonts", []):
                descriptor = descendant.get_object()["/FontDescriptor"].get_object()
                for key in ("/FontFile", "/FontFile2", "/FontFile3"):
                    descriptor.pop(NameObject(key), None)
            break  # one font is enough
    broken = tmp_path / "out" / "zh-Hans" / "articles" / "01-xiaoyi.pdf"
    broken.parent.mkdir(parents=True)
    with broken.open("wb") as file:
        writer.write(file)
    result = run_publisher("verify", "--out", tmp_path / "out")
    assert result.returncode == 1
    assert f"{broken}: FAILED fonts embedded:" in result.stdout, result.stdout


def test_a_character_without_a_glyph_is_warned_and_fails_verify(tmp_path):
    source = tmp_path / "src"
    (source / "articles").mkdir(parents=True)
    (source / "edition.yaml").write_text(
        "title: 罕字\nname: rare\ndate: 2024-07-15\nvariants: [zh-Hans]\n", encoding="utf-8"
    )
    (source / "articles" / "01-rare.md").write_text(
        "---\ntitle: 罕字\n---\n\n生僻字𪚥、𠀋与𠮷都有字形。\n\n这一个没有：\u0378。\n",
        encoding="utf-8",
    )
    result = run_publisher("build", "--source", source, "--out", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    where = f"{source / 'articles' / '01-rare.md'}:7"
    for what in ("", "the EPUB: ", "the DOCX: "):
        assert f"{where}: {what}U+0378" in result.stderr, result.stderr
    # the rare characters of Extension B have real glyphs (HanaMin, Noto CJK): no warning
    for rare in ("2A6A5", "2000B", "20BB7"):
        assert f"U+{rare}" not in result.stderr
    verified = run_publisher("verify", "--out", tmp_path / "out")
    assert verified.returncode == 1
    assert "rare.pdf: FAILED every glyph present: U+0378" in verified.stdout, verified.stdout
    assert "rare.epub: passed" in verified.stdout


def test_build_verify_checks_what_it_wrote(tmp_path):
    source = tmp_path / "src"
    (source / "articles").mkdir(parents=True)
    (source / "edition.yaml").write_text(
        "title: 校验\nname: check\ndate: 2024-07-15\nvariants: [zh-Hans]\n", encoding="utf-8"
    )
    (source / "articles" / "01-a.md").write_text("---\ntitle: 一\n---\n\n正文。\n", "utf-8")
    out = build_ok(source, tmp_path / "out", "docx", "--verify")
    result = run_publisher("build", "docx", "--source", source, "--out", out, "--verify")
    assert result.returncode == 0
    assert "verified 2 files: 2 passed, 0 failed" in result.stdout


def test_verify_of_nothing_is_an_error(tmp_path):
    result = run_publisher("verify", "--out", tmp_path)
    assert result.returncode == 1
    assert f"{tmp_path}: no EPUB, PDF or DOCX to verify" in result.stderr
