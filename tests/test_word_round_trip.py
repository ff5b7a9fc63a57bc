"""The Word round trip loses nothing: an editor's tracked changes are never applied
silently, comments stay in the Markdown, and a DOCX publisher wrote (an article's, or
the edition's) comes back into the article files it came from."""

from __future__ import annotations

import shutil
import subprocess
import zipfile

import pytest
from articles import body_paragraphs, front_matter
from conftest import SAMPLE, run_publisher
from word_edits import edit_in_word

COMMENT = "<!-- 批注（王主任）“土地银行”：请核实这个说法的出处。 -->"


@pytest.fixture(scope="module")
def sample_docx(tmp_path_factory):
    """The sample's zh-Hans DOCX files: the edition's and the articles' own."""
    out = tmp_path_factory.mktemp("docx")
    built = run_publisher("build", "docx", "--variant", "zh-Hans", "--source", SAMPLE, "--out", out)
    assert built.returncode == 0, built.stderr
    return out / "zh-Hans"


def files(folder):
    return {p.name: p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_the_docx_names_its_articles(sample_docx):
    with zipfile.ZipFile(sample_docx / "articles" / "03-zezhou.docx") as docx:
        assert b'name="publisher-articles"><vt:lpwstr>03-zezhou<' in docx.read(
            "docProps/custom.xml"
        )
    with zipfile.ZipFile(sample_docx / "shanxi-rural.docx") as docx:
        assert b"<vt:lpwstr>01-xiaoyi 02-jiaokou 03-zezhou 04-liucun<" in docx.read(
            "docProps/custom.xml"
        )


def test_tracked_changes_are_refused_unless_chosen_and_comments_are_kept(sample_docx, tmp_path):
    edited = tmp_path / "03-edited.docx"
    edit_in_word(sample_docx / "articles" / "03-zezhou.docx", edited, changes=True, comment=True)
    into = tmp_path / "articles"
    refused = run_publisher("import", edited, "--into", into)
    assert refused.returncode == 1
    for said in (
        "2 tracked changes not accepted or rejected",
        "李编辑 deleted “农业”",
        "李编辑 inserted “农村”",
        "1 comment: 王主任 on “土地银行”: 请核实这个说法的出处。",
        "--accept-changes or --reject-changes",
    ):
        assert said in refused.stderr, refused.stderr
    assert not into.exists() or not any(into.iterdir())

    accepted = run_publisher("import", edited, "--into", into, "--accept-changes")
    assert accepted.returncode == 0, accepted.stderr
    article = into / "03-zezhou.md"  # the article's own name, not the file's
    assert sorted(p.name for p in into.glob("*.md")) == ["03-zezhou.md"]
    text = article.read_text(encoding="utf-8")
    assert "随着农村现代化的推进" in text and "随着农业" not in text
    assert f"“土地银行{COMMENT}”模式" in text
    assert "2 tracked changes accepted" in accepted.stdout
    assert "1 comment kept as <!-- 批注 … -->" in accepted.stdout

    rejected = run_publisher("import", edited, "--into", into, "--reject-changes", "--force")
    assert rejected.returncode == 0, rejected.stderr
    text = article.read_text(encoding="utf-8")
    assert "随着农业现代化的推进" in text and "随着农村" not in text
    assert COMMENT in text
    # But for the comment, the article is the sample's own.
    canonical = SAMPLE / "articles" / "03-zezhou.md"
    assert front_matter(article) == front_matter(canonical)
    assert [p.replace(COMMENT, "") for p in body_paragraphs(article)] == body_paragraphs(canonical)


def test_a_comment_shows_in_no_output(sample_docx, tmp_path):
    """The article with the comment, back in the sample edition: valid, strict, and
    the comment is in none of its outputs."""
    source = tmp_path / "source"
    shutil.copytree(SAMPLE, source, ignore=shutil.ignore_patterns("*.py"))
    edited = tmp_path / "edited.docx"
    edit_in_word(sample_docx / "articles" / "03-zezhou.docx", edited, changes=False, comment=True)
    imported = run_publisher("import", edited, "--into", source / "articles", "--force")
    assert imported.returncode == 0, imported.stderr
    assert "replaced" in imported.stdout
    assert COMMENT in (source / "articles" / "03-zezhou.md").read_text(encoding="utf-8")
    check = run_publisher("check", "--strict", "--source", source)
    assert check.returncode == 0, check.stderr
    out = tmp_path / "out"
    built = run_publisher(
        "build", "epub", "pdf", "docx", "--variant", "zh-Hans", "--article", "03-zezhou",
        "--source", source, "--out", out,
    )  # fmt: skip
    assert built.returncode == 0, built.stderr
    pdf = out / "zh-Hans" / "articles" / "03-zezhou.pdf"
    text = subprocess.run(["pdftotext", pdf, "-"], capture_output=True, text=True).stdout
    assert "土地银行" in text and "批注" not in text and "王主任" not in text
    with zipfile.ZipFile(out / "zh-Hans" / "articles" / "03-zezhou.docx") as docx:
        assert "批注".encode() not in docx.read("word/document.xml")


def test_the_edition_docx_comes_back_as_its_articles(sample_docx, tmp_path):
    into = tmp_path / "articles"
    result = run_publisher("import", sample_docx / "shanxi-rural.docx", "--into", into)
    assert result.returncode == 0, result.stderr
    assert "4 articles" in result.stdout
    written = sorted(into.glob("*.md"))
    canonical = sorted((SAMPLE / "articles").glob("*.md"))
    assert [p.name for p in written] == [p.name for p in canonical]
    for imported, original in zip(written, canonical, strict=True):
        keys = ("kicker", "title", "subtitle", "byline")
        assert {k: front_matter(imported).get(k) for k in keys} == {
            k: front_matter(original).get(k) for k in keys
        }
        assert body_paragraphs(imported) == body_paragraphs(original)
    assert "目录" not in "".join(p.read_text(encoding="utf-8") for p in written)
    assert len(list((into / "images").glob("*.png"))) == 2


def test_an_edition_docx_whose_headlines_changed_in_number_is_refused(sample_docx, tmp_path):
    edited = tmp_path / "edition.docx"
    with zipfile.ZipFile(sample_docx / "shanxi-rural.docx") as docx:
        parts = {name: docx.read(name) for name in docx.namelist()}
    parts["docProps/custom.xml"] = parts["docProps/custom.xml"].replace(
        b"03-zezhou 04-liucun", b"03-zezhou"
    )
    with zipfile.ZipFile(edited, "w") as docx:
        for name, data in parts.items():
            docx.writestr(name, data)
    result = run_publisher("import", edited, "--into", tmp_path / "articles")
    assert result.returncode == 1
    assert "names 3 articles (01-xiaoyi, 02-jiaokou, 03-zezhou) but has 4 headlines" in (
        result.stderr
    )
