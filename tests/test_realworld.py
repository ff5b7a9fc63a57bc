"""Real-world Markdown (issue 10): links, math, pandoc's messages, and the corpus in
tests/realworld/ built in every format for zh-Hans and zh-Hant-TW.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import pdfplumber
import pytest
from conftest import run_publisher
from outputs import pdf_text
from test_epub import epubcheck_problems

MATH_ARTICLE = """---
title: 公式
---

质能方程 $E = mc^2$ 说明，价格 $5 不变。

$$\\sum_{i=1}^{n} i = \\frac{n(n+1)}{2}$$

坏公式 $\\frac{$ 留作原文。

正文[^1]。

[^1]: 注一
[^1]: 注二
"""


def warnings_of(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("warning:")]


def write_edition(root: Path, articles: dict[str, str], edition: str = "") -> Path:
    source = root / "source"
    (source / "articles").mkdir(parents=True)
    (source / "edition.yaml").write_text(f"title: 测试\nname: test\n{edition}", encoding="utf-8")
    for name, text in articles.items():
        (source / "articles" / name).write_text(text, encoding="utf-8")
    return source


# ------------------------------------------------------------------ math and pandoc's messages


@pytest.fixture(scope="module")
def math_build(tmp_path_factory) -> tuple[Path, str]:
    root = tmp_path_factory.mktemp("math")
    source = write_edition(root, {"01-math.md": MATH_ARTICLE}, "math: true\n")
    result = run_publisher("build", "--source", source, "--out", root / "out", cwd=root)
    assert result.returncode == 0, result.stderr
    return root / "out" / "zh-Hans", result.stderr


def test_math_on_renders_in_every_format(math_build):
    out, _ = math_build
    epub = out / "test.epub"
    assert epubcheck_problems(epub) == []
    with zipfile.ZipFile(epub) as archive:
        xhtml = archive.read("EPUB/articles/01-math.xhtml").decode()
        opf = archive.read("EPUB/content.opf").decode()
    assert xhtml.count('<math xmlns="http://www.w3.org/1998/Math/MathML"') == 2
    assert 'properties="mathml"' in opf
    with zipfile.ZipFile(out / "test.docx") as archive:
        document = archive.read("word/document.xml").decode()
    assert document.count("<m:oMath>") == 2  # Word's own equations, one inline, one display
    text = pdf_text(out / "test.pdf")
    assert "质能方程" in text and "$5" in text and "\\sum" not in text and "mc^2" not in text
    with pdfplumber.open(out / "articles" / "01-math.pdf") as pdf:
        assert len(pdf.pages[0].curves) > 10  # the formulas' glyphs, drawn as paths
    assert "$\\frac{$" in text  # the formula pandoc cannot read stays as written


def test_math_problems_and_pandoc_messages_name_file_and_line(math_build):
    _, stderr = math_build
    warnings = warnings_of(stderr)
    assert any(
        "articles/01-math.md:9: the math `\\frac{` is not TeX pandoc can read" in w
        for w in warnings
    ), stderr
    assert any(
        "articles/01-math.md:14: pandoc: Duplicate note reference '1'" in w for w in warnings
    ), stderr
    # Nothing of pandoc's reaches the user raw: each message names its article and line.
    assert all("articles/01-math.md:" in w for w in warnings if "pandoc" in w), warnings
    assert "[WARNING]" not in stderr and "WARNING:root" not in stderr
    assert len(warnings) == 2, warnings


def test_math_off_by_default_dollars_are_text(tmp_path):
    source = write_edition(tmp_path, {"01-math.md": MATH_ARTICLE})
    result = run_publisher("build", "epub", "--source", source, "--out", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    assert not any("the math" in w for w in warnings_of(result.stderr)), result.stderr
    with zipfile.ZipFile(tmp_path / "out" / "zh-Hans" / "test.epub") as archive:
        xhtml = archive.read("EPUB/articles/01-math.xhtml").decode()
    assert "<math" not in xhtml and "$E = mc^2$" in xhtml and "$\\frac{$" in xhtml
