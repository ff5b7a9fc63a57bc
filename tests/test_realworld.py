"""Real-world Markdown (issue 10): links, math, pandoc's messages, and the corpus in
tests/realworld/ built in every format for zh-Hans and zh-Hant-TW.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pdfplumber
import pytest
from articles import squeeze
from conftest import run_publisher
from outputs import pdf_text
from pypdf import PdfReader

from publisher.commands.verify import epubcheck_problems

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
    (source / "edition.yaml").write_text(
        f"title: 测试\nname: test\ndate: 2024-07-15\n{edition}", encoding="utf-8"
    )
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


@pytest.mark.xdist_group("math")  # its fixture is built once
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


@pytest.mark.xdist_group("math")  # its fixture is built once
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


# ------------------------------------------------------------------ the corpus

CORPUS = Path(__file__).parent / "realworld"
CORPUS_VARIANTS = ("zh-Hans", "zh-Hant-TW")
# Every warning the corpus gives, by file:line and what it must say. Each is a
# real problem of the copy, and each was kept in the file on purpose.
EXPECTED_WARNINGS = [
    ("04-readme.md:9:", "the network image 'https://img.shields.io/badge/build-passing-green'"),
    ("04-readme.md:10:", "the network image 'https://img.shields.io/badge/license-MIT-blue'"),
    ("04-readme.md:12:", "the attribute align= on <p> dropped"),
    ("04-readme.md:35:", "<details> (not allowed in articles) dropped"),
    ("04-readme.md:35:", "<summary> (not allowed in articles) dropped"),
    ("05-digest.md:9:", "the network image 'https://example.com/images/meeting.jpg'"),
    ("05-digest.md:15:", "the network image 'https://example.com/images/rail-map.png'"),
    ("06-hugo.md:13:", "unknown front matter key `subtitel` ignored; did you mean `subtitle`?"),
    ("08-links.md:13:", "the link to '#' is a placeholder"),
    ("08-links.md:14:", "the link to '#结论' names no heading or id of this article"),
    ("08-links.md:15:", "the link to '99-old.md' names no article of this edition"),
    # Copy-editing (issue 14): `**问：** 您…` puts a space after a full-width colon.
    *((f"10-interview.md:{line}:7:", "space beside full-width punctuation") for line in
      (6, 8, 12, 14, 24, 26)),
    # Taiwan's readings of IT words (项目 專案, 支持 支援 …) nobody decided (issue 32).
    ("dictionary.yaml:", "8 conversions to zh-Hant-TW that `publisher review` ranks high"),
]  # fmt: skip


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> tuple[Path, str]:
    """The corpus built once: every format, both variants (one edition per variant)."""
    out = tmp_path_factory.mktemp("realworld") / "out"
    result = run_publisher("build", "--jobs", "2", "--source", CORPUS, "--out", out)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return out, result.stderr


def test_corpus_has_the_shapes_asked_for():
    articles = sorted((CORPUS / "articles").glob("*.md"))
    assert len(articles) >= 12
    guide = (CORPUS / "articles" / "02-style-guide.md").read_text(encoding="utf-8")
    assert sum(line.startswith("#") for line in guide.splitlines()) >= 20
    hugo = (CORPUS / "articles" / "06-hugo.md").read_text(encoding="utf-8")
    assert "\n--- \n" in hugo and "# 标题" in hugo  # closing fence with a space, a comment


@pytest.mark.xdist_group("corpus")  # its fixture is built once
def test_corpus_warnings_are_the_expected_ones(corpus):
    _, stderr = corpus
    warnings = [line for line in stderr.splitlines() if "warning:" in line]
    for where, what in EXPECTED_WARNINGS:
        place = where if where.startswith("dictionary") else f"articles/{where}"
        assert any(place in w and what in w for w in warnings), (where, what)
    assert len(warnings) == len(EXPECTED_WARNINGS), "\n".join(warnings)
    assert "[WARNING]" not in stderr and "pandoc:" not in stderr


@pytest.mark.xdist_group("corpus")  # its fixture is built once
@pytest.mark.parametrize("tag", CORPUS_VARIANTS)
def test_corpus_epub_passes_epubcheck(corpus, tag):
    out, _ = corpus
    assert epubcheck_problems(out / tag / "realworld.epub") == []


@pytest.mark.xdist_group("corpus")  # its fixture is built once
@pytest.mark.parametrize("tag", CORPUS_VARIANTS)
def test_corpus_epub_has_no_ace_violation(corpus, tag):
    from publisher.commands.verify import ace_violations

    out, _ = corpus
    assert ace_violations(out / tag / "realworld.epub") == []


def _runs(text: str) -> list[str]:
    """Runs of Chinese characters (no punctuation), the text a PDF must hold."""
    return re.findall(r"[\u3400-\u9fff]{2,}", text)


@pytest.mark.xdist_group("corpus")  # its fixture is built once
@pytest.mark.parametrize("tag", CORPUS_VARIANTS)
def test_corpus_pdf_text_covers_the_source_text(corpus, tag):
    from publisher.base.languages import variant_named
    from publisher.document.headline import article_blocks
    from publisher.document.pandoc_ast import iter_ast, map_ast
    from publisher.language.variants import apply_variant
    from publisher.run.build import load_edition

    out, _ = corpus
    edition = apply_variant(load_edition(CORPUS), variant_named(tag))
    text = squeeze(pdf_text(out / tag / "realworld.pdf"))
    missing = []

    def no_alt(node):
        return (
            {"t": "Image", "c": [node["c"][0], [], node["c"][2]]} if node["t"] == "Image" else None
        )

    for article in edition.articles:
        # Alt text is not printed: the PDF shows the picture and its caption.
        for node in iter_ast(map_ast(article_blocks(article), no_alt)):
            if node["t"] not in ("Str", "Code", "CodeBlock"):
                continue
            for run in _runs(node["c"] if node["t"] == "Str" else node["c"][1]):
                # A run may straddle a page break (footnotes, page number between).
                if run not in text and not any(
                    run[:i] in text and run[i:] in text for i in range(1, len(run))
                ):
                    missing.append((article.slug, run))
    assert not missing, missing[:20]


@pytest.mark.xdist_group("corpus")  # its fixture is built once
def test_corpus_dollars_and_backslashes_stay_text(corpus):
    out, _ = corpus
    text = squeeze(pdf_text(out / "zh-Hans" / "articles" / "07-prices.pdf"))
    for written in ("$3.5", "$4.2", "US$10", "$HOME", "$PATH", "C:\\Users\\张三", "E=mc^2"):
        assert written in text, written


@pytest.mark.xdist_group("corpus")  # its fixture is built once
def test_corpus_links_resolve_in_every_format(corpus):
    out, _ = corpus
    epub = out / "zh-Hans" / "realworld.epub"
    with zipfile.ZipFile(epub) as archive:
        links = archive.read("EPUB/articles/08-links.xhtml").decode()
        guide = archive.read("EPUB/articles/02-style-guide.xhtml").decode()
    target = "article-02-style-guide-标点符号"
    assert f'href="02-style-guide.xhtml#{target}"' in links and f'id="{target}"' in guide
    assert 'href="01-essay.xhtml#article-01-essay"' in links
    assert 'href="#article-08-links-本期导读"' in links
    # The dead links are their text, not links.
    for text in ("待补充", "后文提到的结论", "旧稿"):
        assert f">{text}</a>" not in links and text in links

    # PDF: the link goes to the page where the heading is.
    reader = PdfReader(out / "zh-Hans" / "realworld.pdf")
    page = reader.get_destination_page_number(reader.named_destinations[target])
    assert "标点符号" in reader.pages[page].extract_text()
    linked = [
        annotation.get_object().get("/Dest")
        for p in reader.pages
        for annotation in p.get("/Annots") or []
    ]
    assert target in linked and "article-03-chapter-二桥" in linked

    # DOCX: every internal hyperlink has its bookmark.
    with zipfile.ZipFile(out / "zh-Hans" / "realworld.docx") as archive:
        document = archive.read("word/document.xml").decode()
    anchors = set(re.findall(r'w:hyperlink w:anchor="([^"]+)"', document))
    bookmarks = set(re.findall(r'w:bookmarkStart w:id="\d+" w:name="([^"]+)"', document))
    assert target in anchors and anchors <= bookmarks, anchors - bookmarks


@pytest.mark.xdist_group("corpus")  # its fixture is built once
def test_corpus_links_between_articles_resolve_on_the_site(corpus):
    """Every link from one article page to another (or within one) names a page that
    is there and an id it holds, as in the EPUB."""
    out, _ = corpus
    site = out / "zh-Hans" / "site" / "articles"
    checked = 0
    for page in sorted(site.glob("*.html")):
        text = page.read_text(encoding="utf-8")
        for href in re.findall(r'href="([^":]+\.html)?#([^"]+)"', text):
            name, fragment = href
            target = site / name if name else page
            assert target.is_file(), (page.name, href)
            assert f'id="{fragment}"' in target.read_text(encoding="utf-8"), (page.name, href)
            checked += 1
    assert checked >= 3
