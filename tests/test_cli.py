"""The command line: usage, help, exit codes, and the source format's defaults."""

from __future__ import annotations

import re

import docx
import pytest
from conftest import SAMPLE, build_ok, run_publisher


@pytest.mark.parametrize("command", [[], ["build"], ["check"], ["review"], ["import"]])
def test_help_on_every_command(command):
    result = run_publisher(*command, "--help")
    assert result.returncode == 0
    assert "Usage:" in result.stdout


@pytest.mark.parametrize(
    "arguments",
    [
        ["build", "mobi"],
        ["frobnicate"],
        ["build", "--jobs", "0"],
        ["check", "--bogus"],
        ["import", "page.txt"],  # no --into
        ["check", "--format", "xml"],
    ],
)
def test_wrong_usage_exits_2(arguments):
    result = run_publisher(*arguments)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr


def test_check_passes_on_the_sample():
    result = run_publisher("check", "--source", SAMPLE)
    assert result.returncode == 0, result.stderr
    assert "4 articles" in result.stderr


def test_unknown_variant_is_an_error(tmp_path):
    result = run_publisher("build", "epub", "--variant", "zh-XX", "--out", tmp_path)
    assert result.returncode == 1
    assert "unknown variant `zh-XX`" in result.stderr and "zh-Hans" in result.stderr


def test_three_line_edition_builds(tmp_path):
    source = tmp_path / "source"
    (source / "articles").mkdir(parents=True)
    (source / "edition.yaml").write_text("title: 测试版\nname: test\nlanguage: zh-Hans\n")
    # A line break inside a Chinese paragraph is no space (east_asian_line_breaks).
    (source / "articles" / "b.md").write_text("---\ntitle: 第二篇\n---\n\n第二\n篇文章。\n")
    (source / "articles" / "a.md").write_text("---\ntitle: 第一篇\n---\n\n第一篇文章，\n完。\n")
    out = build_ok(source, tmp_path / "out", "docx", "epub")
    document = docx.Document(out / "zh-Hans" / "test.docx")
    text = [p.text for p in document.paragraphs]
    # Without `articles:`, every articles/*.md in file-name order.
    assert text.index("第一篇") < text.index("第二篇")
    assert "第一篇文章，完。" in text and "第二篇文章。" in text
    assert (out / "zh-Hans" / "test.epub").is_file()


def test_missing_glyph_is_a_counted_warning(tmp_path):
    source = tmp_path / "source"
    (source / "articles").mkdir(parents=True)
    (source / "edition.yaml").write_text("title: 缺字\nname: glyph\n")
    # CJK Extension G: no installed font has it.
    (source / "articles" / "a.md").write_text("---\ntitle: 缺字\n---\n\n扩展G区的\U00030000字。\n")
    result = run_publisher(
        "build", "pdf", "--jobs", "2", "--source", source, "--out", tmp_path / "o"
    )
    assert result.returncode == 0
    assert "a.md:5: U+30000" in result.stderr
    assert "has no glyph in any installed font" in result.stderr
    strict = run_publisher("build", "pdf", "--strict", "--source", source, "--out", tmp_path / "s")
    assert strict.returncode == 1 and "--strict" in strict.stderr


def test_canonical_sources_pass_strict_check():
    result = run_publisher("check", "--strict", "--source", SAMPLE)
    assert result.returncode == 0, result.stderr
    assert "warning:" not in result.stderr and "4 articles valid, no warnings" in result.stderr


def test_check_counts_its_warnings(tmp_path):
    """Never "all valid" after warnings: the summary counts them."""
    from tiny import tiny_edition

    source = tiny_edition(tmp_path)
    article = sorted((source / "articles").glob("*.md"))[0]
    article.write_text(
        article.read_text(encoding="utf-8") + "\n今天,天气很好。\n", encoding="utf-8"
    )
    check = run_publisher("check", "--source", source)
    assert check.returncode == 0, check.stderr
    assert "all valid" not in check.stderr
    assert re.search(r"2 articles valid, \d+ warnings?\n", check.stderr), check.stderr
    clean = run_publisher("check", "--source", tiny_edition(tmp_path / "clean"))
    assert "2 articles valid, no warnings" in clean.stderr, clean.stderr


def test_no_summary_line_before_a_fatal_error(tmp_path):
    """A build stopped by its sources prints the error, not "built 0, up to date 0,
    failed 0" before it; with -q and an archive, the missing summary is no crash."""
    from tiny import tiny_edition

    source = tiny_edition(tmp_path)
    article = sorted((source / "articles").glob("*.md"))[0]
    article.write_text(
        article.read_text(encoding="utf-8") + "\n![图](../images/missing.png)\n", encoding="utf-8"
    )
    result = run_publisher("build", "docx", "--source", source, "--out", tmp_path / "out")
    assert result.returncode == 1
    assert "missing.png" in result.stderr and "built 0" not in result.stderr, result.stderr
    archive = tmp_path / "archive"
    archive.mkdir()
    source.rename(archive / "one")
    quiet = run_publisher("-q", "build", "docx", "--archive", archive, "--out", tmp_path / "a")
    assert quiet.returncode == 1 and "Traceback" not in quiet.stderr, quiet.stderr
    assert "0 of 1 editions built" in quiet.stderr


def test_an_image_without_alt_text_is_said_once_and_fails_strict_check(tmp_path):
    """Said when the sources are read, with its line: `check --strict` fails on it, and a
    build of two variants and every format says it once, not once per output."""
    from tiny import tiny_edition

    source = tiny_edition(tmp_path)
    article = sorted((source / "articles").glob("*.md"))[0]
    article.write_text(
        article.read_text(encoding="utf-8") + "\n![](../images/placeholder-photo-2.png)\n",
        encoding="utf-8",
    )
    line = len(article.read_text(encoding="utf-8").splitlines())
    check = run_publisher("check", "--strict", "--source", source)
    assert check.returncode == 1
    assert f"{article.name}:{line}: the image ../images/placeholder-photo-2.png has no alt" in (
        check.stderr
    )
    built = run_publisher("build", "--source", source, "--out", tmp_path / "out")
    assert built.returncode == 0, built.stderr
    assert built.stderr.count("has no alt text") == 1, built.stderr
    assert "alt description" not in built.stderr
