"""The first hour, as a newcomer goes: `publisher new`, the look set in edition.yaml
(`style:`, `css:`, `styles:`), `publisher build` run inside the edition's folder, its
outputs in the edition's own build/, and a second edition beside it."""

from __future__ import annotations

import collections
import hashlib
import re
import zipfile

import pdfplumber
import pytest
from conftest import ROOT, run_publisher

MM = 72 / 25.4
STYLE = 'style: {body_size: 12pt, page_size: 16开, byline_color: "#b00"}\n'


def new_edition(folder, name: str, extra: str = ""):
    made = run_publisher("new", name, cwd=folder)
    assert made.returncode == 0, made.stderr
    edition = folder / name
    yaml = edition / "edition.yaml"
    yaml.write_text(yaml.read_text(encoding="utf-8") + extra, encoding="utf-8")
    return edition


def fingerprint(folder):
    return {
        p.relative_to(folder): (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns)
        for p in folder.rglob("*")
        if p.is_file()
    }


@pytest.fixture(scope="module")
def today(tmp_path_factory):
    """`publisher new today`, the look in edition.yaml, `publisher build pdf docx` in it."""
    folder = tmp_path_factory.mktemp("newcomer")
    edition = new_edition(folder, "today", STYLE)
    built = run_publisher("build", "pdf", "docx", cwd=edition)
    assert built.returncode == 0, built.stderr
    return folder, edition


def test_the_style_in_edition_yaml_reaches_the_pdf(today):
    _, edition = today
    with pdfplumber.open(edition / "build" / "zh-Hans" / "today.pdf") as pdf:
        page = pdf.pages[-1]  # the article's page
        assert (round(page.width / MM), round(page.height / MM)) == (185, 260)
        sizes = collections.Counter(round(c["size"], 1) for c in page.chars if c["text"].strip())
        assert sizes.most_common(1)[0][0] == 12.0  # the body
        # The byline: the line of the last opening bracket, at the article's end.
        opening = [c for c in page.chars if c["text"] == "（"][-1]
        byline = [c for c in page.chars if abs(c["top"] - opening["top"]) < 1]
        assert {c["non_stroking_color"] for c in byline if c["text"].strip()} == {
            (0.733333, 0.0, 0.0)  # #b00
        }
        body = [c for c in page.chars if round(c["size"]) == 12 and c not in byline]
        assert {c["non_stroking_color"] for c in body} <= {(0,), (0.0, 0.0, 0.0), None}


def test_the_style_in_edition_yaml_reaches_the_docx(today):
    _, edition = today
    for docx in (edition / "build").rglob("*.docx"):
        with zipfile.ZipFile(docx) as archive:
            styles = archive.read("word/styles.xml").decode()
        byline = styles[styles.index('w:styleId="Byline"') :]
        byline = byline[: byline.index("</w:style>")]
        assert '<w:color w:val="BB0000"/>' in byline, docx
        normal = styles[styles.index('w:styleId="Normal"') :]
        assert '<w:sz w:val="24"/>' in normal[: normal.index("</w:style>")]  # 12 pt


def test_outputs_go_to_the_editions_own_build_folder(today):
    folder, edition = today
    assert not (folder / "build").exists()
    out = edition / "build"
    built = {p.relative_to(out).as_posix() for p in out.rglob("*.pdf")}
    assert {"zh-Hans/today.pdf", "zh-Hant-TW/today.pdf", "zh-Hant-HK/today.pdf"} <= built


def test_a_second_edition_beside_leaves_the_first_untouched(today):
    folder, edition = today
    before = fingerprint(edition)
    other = new_edition(folder, "other")
    built = run_publisher("build", "pdf", cwd=other)
    assert built.returncode == 0, built.stderr
    assert (other / "build" / "zh-Hans" / "other.pdf").is_file()
    assert fingerprint(edition) == before


def test_output_in_edition_yaml(tmp_path):
    edition = new_edition(tmp_path, "q", "output: ../proofs\n")
    built = run_publisher("build", "docx", "--variant", "zh-Hans", "--source", edition)
    assert built.returncode == 0, built.stderr
    assert (tmp_path / "proofs" / "zh-Hans" / "q.docx").is_file()
    assert not (edition / "build").exists()


def test_a_styles_folder_of_ones_own_needs_only_what_it_changes(tmp_path):
    edition = new_edition(tmp_path, "mine", "styles: look\n")
    (edition / "look").mkdir()
    print_css = (ROOT / "styles" / "print.css").read_text(encoding="utf-8")
    (edition / "look" / "print.css").write_text(print_css + "\n.kicker { color: #0000ff; }\n")
    built = run_publisher("build", "pdf", "--variant", "zh-Hans", cwd=edition)
    assert built.returncode == 0, built.stderr
    note = next(line for line in built.stderr.splitlines() if "from the default styles" in line)
    assert "look" in note and "epub.css" in note and "templates/edition.html" in note
    assert "print.css" not in note.split("from the default styles:")[1].split(", ")
    with pdfplumber.open(edition / "build" / "zh-Hans" / "mine.pdf") as pdf:
        colours = {c["non_stroking_color"] for c in pdf.pages[-1].chars}
    assert (0.0, 0.0, 1.0) in colours  # the kicker, in the folder's own print.css


def test_styles_export_copies_the_defaults_and_never_overwrites(tmp_path):
    exported = run_publisher("styles", "export", tmp_path / "look")
    assert exported.returncode == 0, exported.stderr
    for name in ("print.css", "epub.css", "templates/edition.html", "docx_reference.py"):
        assert (tmp_path / "look" / name).read_bytes() == (ROOT / "styles" / name).read_bytes()
    again = run_publisher("styles", "export", tmp_path / "look")
    assert again.returncode == 1
    assert "already holds files" in again.stderr


def test_css_files_add_to_each_format(tmp_path):
    edition = new_edition(tmp_path, "css", "css: {pdf: [print-extra.css], all: [house.css]}\n")
    (edition / "print-extra.css").write_text(".byline { color: #00ff00; }\n", encoding="utf-8")
    (edition / "house.css").write_text("/* house */ .kicker { color: #0000ff; }\n")
    built = run_publisher("build", "pdf", "epub", "--variant", "zh-Hans", cwd=edition)
    assert built.returncode == 0, built.stderr
    with pdfplumber.open(edition / "build" / "zh-Hans" / "css.pdf") as pdf:
        colours = {c["non_stroking_color"] for c in pdf.pages[-1].chars}
    assert {(0.0, 1.0, 0.0), (0.0, 0.0, 1.0)} <= colours
    with zipfile.ZipFile(edition / "build" / "zh-Hans" / "css.epub") as epub:
        css = epub.read("EPUB/styles/epub.css").decode()
    assert "/* house */" in css and "#00ff00" not in css


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ("style: {byline_color: red}\n", "style.byline_color"),
        ("style: {page_size: 16K}\n", "did you mean `16开`?"),
        ("style: {body_size: 40pt}\n", "not a length from 6pt to 34pt"),
        ("css: [missing.css]\n", "the stylesheet `missing.css` does not exist"),
        ("styles: nowhere\n", "the styles folder `nowhere` does not exist"),
        ("style: {page_size: A5}\npdf: {page_size: A4}\n", "set the page in one place only"),
        # A face name that would be CSS code where it is written is refused.
        ("style: {body_face: {zh-Hans: 'X\"; } body { display: none'}}\n", "is not a font's name"),
    ],
)
def test_bad_look_settings_name_the_line(tmp_path, setting, message):
    edition = new_edition(tmp_path, "bad", setting)
    lines = (edition / "edition.yaml").read_text(encoding="utf-8").splitlines()
    first = len(lines) - setting.count("\n") + 1  # the setting's first line
    checked = run_publisher("check", cwd=edition)
    assert checked.returncode == 1
    assert message in checked.stderr, checked.stderr
    where = re.search(r"edition\.yaml:(\d+)", checked.stderr)
    assert where and int(where[1]) >= first, checked.stderr


def test_editing_a_css_file_rebuilds_what_it_styles(tmp_path):
    edition = new_edition(tmp_path, "css2", "css: [house.css]\n")
    (edition / "house.css").write_text(".byline { color: #0000ff; }\n", encoding="utf-8")
    assert run_publisher("build", "epub", "--variant", "zh-Hans", cwd=edition).returncode == 0
    (edition / "house.css").write_text(".byline { color: #00ff00; }\n", encoding="utf-8")
    again = run_publisher("build", "epub", "--variant", "zh-Hans", cwd=edition)
    assert "built 1" in again.stderr, again.stderr
    with zipfile.ZipFile(edition / "build" / "zh-Hans" / "css2.epub") as epub:
        assert "#00ff00" in epub.read("EPUB/styles/epub.css").decode()


@pytest.mark.parametrize(
    ("css", "files", "message"),
    [
        ("css: [house.css]", {"house.css": b"\xff\xfe\x00garbage"}, "is not UTF-8 text"),
        ("css: {pdf: [a.css], epubb: [b.css]}", {}, "epubb"),
        ("style: {margins: 200mm}", {}, "leave a text block of 0 × 0 mm"),
        ("pdf: {cover: articles/01-example.md}", {}, "the cover `articles/01-example.md` is not"),
        ("output: edition.yaml", {}, "names a file"),
        ("series_position: 3", {}, "`series_position` needs `series:`"),
        ("isbn: {zh-Hans: 9787111111115, zh-Hant-TW: 9787111111115}", {}, "several variants"),
    ],
)
def test_more_bad_look_settings_are_refused_before_any_output(tmp_path, css, files, message):
    edition = new_edition(tmp_path, "bad", css + "\n")
    for name, data in files.items():
        (edition / name).write_bytes(data)
    for command in ("check", "build"):
        result = run_publisher(command, cwd=edition)
        assert result.returncode == 1, result.stderr
        assert message in result.stderr and "Traceback" not in result.stderr, result.stderr
    assert not (edition / "build").exists() or not any((edition / "build").rglob("*.pdf"))


def test_a_stylesheet_reading_outside_the_folders_is_a_clean_error(tmp_path):
    edition = new_edition(tmp_path, "esc", "css: {pdf: [house.css]}\n")
    (tmp_path / "outside.css").write_text("h1 { color: red; }\n", encoding="utf-8")
    (edition / "house.css").write_text('@import "../outside.css";\n', encoding="utf-8")
    built = run_publisher("build", "pdf", "--variant", "zh-Hans", cwd=edition)
    assert built.returncode == 1
    assert "house.css: refused to read" in built.stderr and "Traceback" not in built.stderr
    assert "worker process stopped" not in built.stderr


def test_a_face_not_installed_is_said(tmp_path):
    edition = new_edition(tmp_path, "face", "style: {body_face: {zh-Hans: Nonexistent Font}}\n")
    built = run_publisher("build", "pdf", "--variant", "zh-Hans", cwd=edition)
    assert built.returncode == 0, built.stderr
    assert "the face `Nonexistent Font` is not installed" in built.stderr


def test_a_press_pdf_no_longer_asked_for_goes(tmp_path):
    edition = new_edition(tmp_path, "pr", "pdf: {press: true}\n")
    assert run_publisher("build", "pdf", "--variant", "zh-Hans", cwd=edition).returncode == 0
    press = edition / "build" / "zh-Hans" / "pr-press.pdf"
    assert press.is_file()
    yaml = edition / "edition.yaml"
    yaml.write_text(yaml.read_text(encoding="utf-8").replace("pdf: {press: true}\n", ""), "utf-8")
    assert run_publisher("build", "pdf", "--variant", "zh-Hans", cwd=edition).returncode == 0
    assert not press.exists()
