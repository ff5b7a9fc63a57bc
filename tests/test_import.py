"""publisher import: raw copy and Word files become canonical article files."""

from __future__ import annotations

import shutil
import subprocess

import pypandoc
from articles import article_files, body_paragraphs, front_matter
from conftest import FIXTURES, SAMPLE, run_publisher

from publisher.commands.rawcopy import split_headline, split_page

RAW = FIXTURES / "raw-page.txt"
META = ("kicker", "title", "subtitle", "byline", "authors")


def edition(tmp_path, *lines: str) -> tuple:
    source = tmp_path / "source"
    (source / "articles").mkdir(parents=True)
    (source / "edition.yaml").write_text(
        "\n".join(["title: 导入", "name: imported", *lines, ""]), encoding="utf-8"
    )
    return source, source / "articles"


def same_article(imported, canonical) -> None:
    assert {k: front_matter(imported).get(k) for k in META} == {
        k: front_matter(canonical).get(k) for k in META
    }
    assert body_paragraphs(imported) == body_paragraphs(canonical)


def test_raw_page_gives_the_four_canonical_articles(tmp_path):
    source, articles = edition(tmp_path, "articles:", "  - articles/00-intro.md")
    (articles / "00-intro.md").write_text("---\ntitle: 导语\n---\n\n本版导语。\n", encoding="utf-8")
    result = run_publisher("import", RAW, "--into", articles, "--add")
    assert result.returncode == 0, result.stderr
    written = sorted(articles.glob("0[1-9]-*.md"))
    assert [p.name for p in written] == [p.name for p in article_files(SAMPLE)]
    for imported, canonical in zip(written, article_files(SAMPLE), strict=True):
        same_article(imported, canonical)
        photos = canonical.read_text(encoding="utf-8").count("![资料图片](../images/")
        text = imported.read_text(encoding="utf-8")
        assert text.count("![资料图片](../images/") == photos
    assert (source / "images" / "xiaoyi-photo-1.png").is_file()
    # The summary, for review: what was recognised in each article.
    for expected in ("4 articles", "wrote", "byline:    张永祥　郑涛", "page break mended"):
        assert expected in result.stdout
    # --add appended them to the edition's list; the edition is valid and clean.
    check = run_publisher("check", "--strict", "--source", source)
    assert check.returncode == 0, check.stderr
    assert "5 articles" in check.stderr

    before = {p: p.read_bytes() for p in articles.iterdir()}
    again = run_publisher("import", RAW, "--into", articles)
    assert again.returncode == 1
    assert "01-xiaoyi.md" in again.stderr and "--force" in again.stderr
    assert {p: p.read_bytes() for p in articles.iterdir()} == before  # nothing written
    forced = run_publisher("import", RAW, "--into", articles, "--force")
    assert forced.returncode == 0, forced.stderr
    assert {p: p.read_bytes() for p in articles.iterdir()} == before  # same names, same bytes


def test_own_docx_gives_the_article_back(tmp_path):
    """Kicker, title, byline and text come back from publisher's own per-article DOCX;
    the footnote stays a footnote, the photo is extracted, “” ‘’ stay Chinese quotes."""
    source, articles = edition(tmp_path)
    shutil.copy(SAMPLE / "articles" / "02-jiaokou.md", articles)
    liucun = (SAMPLE / "articles" / "04-liucun.md").read_text(encoding="utf-8")
    (articles / "04-liucun.md").write_text(
        liucun + "\n另据介绍[^1]。\n\n[^1]: 注释内容，含“引号”。\n", encoding="utf-8"
    )
    shutil.copytree(SAMPLE / "images", source / "images")
    out = tmp_path / "out"
    built = run_publisher("build", "docx", "--source", source, "--out", out)
    assert built.returncode == 0, built.stderr
    docx = sorted((out / "zh-Hans" / "articles").glob("*.docx"))
    into = tmp_path / "imported"
    result = run_publisher("import", *docx, "--into", into)
    assert result.returncode == 0, result.stderr
    jiaokou, liucun_md = sorted(into.glob("*.md"))
    # Each under its article's own name, which the DOCX carries.
    assert (jiaokou.name, liucun_md.name) == ("02-jiaokou.md", "04-liucun.md")
    same_article(jiaokou, SAMPLE / "articles" / "02-jiaokou.md")
    text = jiaokou.read_text(encoding="utf-8")
    # pandoc's Markdown writer with `smart` would write "三个一批", read back as ”三个一批”.
    assert "开展“三个一批”" in text and "组织‘两委’干部" in text and '"' not in text
    text = liucun_md.read_text(encoding="utf-8")
    assert "另据介绍[^1]。" in text and "[^1]: 注释内容，含“引号”。" in text
    assert "](images/liucun-1.png)" in text
    photo = (SAMPLE / "images" / "placeholder-photo-2.png").read_bytes()
    assert (into / "images" / "liucun-1.png").read_bytes() == photo


def test_encodings_and_bad_files(tmp_path):
    page = RAW.read_text(encoding="utf-8")
    zezhou = page[page.index("山西省泽州县") : page.index("(赵慧)") + 4]
    (tmp_path / "gb.txt").write_bytes(zezhou.encode("gb18030"))
    traditional = (
        "山西省澤州縣： 激活縣域撂荒地 助力鄉村振興\n\n隨著農業現代化的推進,土地資源得到利用。"
        "\n\n(趙慧)\n"
    )
    (tmp_path / "big5.txt").write_bytes(traditional.encode("big5"))
    into = tmp_path / "in"
    result = run_publisher("import", tmp_path / "gb.txt", tmp_path / "big5.txt", "--into", into)
    assert result.returncode == 0, result.stderr
    assert "gb.txt (GB18030): 1 article" in result.stdout and "(BIG5)" in result.stdout
    assert "Traditional characters (Big5)" in result.stdout
    gb, big5 = sorted(into.glob("*.md"))
    same_article(gb, SAMPLE / "articles" / "03-zezhou.md")
    assert front_matter(big5)["title"] == "激活縣域撂荒地　助力鄉村振興"
    assert body_paragraphs(big5) == ["隨著農業現代化的推進，土地資源得到利用。"]

    (tmp_path / "empty.txt").write_bytes(b" \n\n")
    (tmp_path / "photo.txt").write_bytes(
        (SAMPLE / "images" / "placeholder-photo-1.png").read_bytes()
    )
    (tmp_path / "latin1.txt").write_bytes("Café crème, naïve façade.".encode("latin-1"))
    for name, message in (
        ("empty.txt", "the file is empty"),
        ("photo.txt", "not a text file"),
        ("latin1.txt", "cannot tell the file's encoding"),
    ):
        bad = run_publisher("import", tmp_path / name, "--into", tmp_path / "bad")
        assert bad.returncode == 1, name
        assert f"{name}: {message}" in bad.stderr and "Traceback" not in bad.stderr
    assert not (tmp_path / "bad").exists()


def test_page_shapes_beyond_the_sample():
    """A subtitle, a credit naming roles, a headline with no place line, a photo before the
    first headline, a page break just before a photo; pure text, no files."""
    page = "\n".join(
        [
            "资料图片",
            "山西省晋中市： 春耕正当时",
            "——记平遥县的一个早晨",
            "清晨,田间地头一片繁忙,",
            "",
            "农机往来穿梭。",
            "(本报记者 王小明 通讯员 李华)",
            "山西省长治市 新苗 新绿",
            "长治市今年新增林地3万亩。",
            "(长治市林业局)",
        ]
    )
    first, second = split_page(page)
    assert (first.kicker, first.title) == ("山西省晋中市", "春耕正当时")
    assert first.subtitle == "记平遥县的一个早晨"
    assert first.body == [None, "清晨,田间地头一片繁忙,农机往来穿梭。"]
    assert first.byline == "本报记者　王小明　通讯员　李华"
    assert first.authors == ["王小明", "李华"] and first.place == "晋中"
    assert (second.kicker, second.title, second.authors) == ("山西省长治市", "新苗　新绿", [])
    # A speaker's colon is part of the headline; only a place line is a kicker.
    assert split_headline("专家：春耕要抓早") == (None, "专家：春耕要抓早")
    assert split_headline("春耕正当时 万亩良田披新绿") == (None, "春耕正当时　万亩良田披新绿")


def test_correspondents_docx_title_from_first_heading(tmp_path):
    """A Word file with no title in its properties: the first heading is the title; the
    rest keeps its structure, and its punctuation is fixed."""
    markdown = tmp_path / "copy.md"
    markdown.write_text(
        "# 春耕正当时\n\n## 小标题\n\n清晨,田间地头一片繁忙[^1]。\n\n"
        "[^1]: 据县农业局(农技站)统计。\n",
        encoding="utf-8",
    )
    word = tmp_path / "稿件.docx"
    subprocess.run(
        [pypandoc.get_pandoc_path(), markdown, "-o", word], check=True, capture_output=True
    )
    into = tmp_path / "in"
    result = run_publisher("import", word, "--into", into)
    assert result.returncode == 0, result.stderr
    (article,) = into.glob("*.md")
    assert article.name == "01-gaojian.md"  # 稿件, in pinyin
    assert front_matter(article)["title"] == "春耕正当时"
    text = article.read_text(encoding="utf-8")
    assert "## 小标题" in text and "清晨，田间地头一片繁忙[^1]。" in text
    assert "[^1]: 据县农业局（农技站）统计。" in text


def test_correspondents_docx_byline_caption_and_name(tmp_path):
    """A correspondent's Word file, as they write it: the bracketed credit at the end
    becomes the byline (and the authors), the caption line under the picture becomes
    the figure's caption and alt text, and --name names the article."""
    shutil.copy(SAMPLE / "images" / "placeholder-photo-1.png", tmp_path / "photo.png")
    markdown = tmp_path / "copy.md"
    markdown.write_text(
        "# 新修村路通到家门口\n\n村里的路修好了，村民出行方便多了。\n\n"
        "![](photo.png)\n\n图为新修的村路。\n\n“我们赶上了好时代。”村民说。\n\n（记者　李明）\n",
        encoding="utf-8",
    )
    word = tmp_path / "稿件.docx"
    subprocess.run(
        [pypandoc.get_pandoc_path(), markdown, "-o", word],
        check=True, capture_output=True, cwd=tmp_path,
    )  # fmt: skip
    into = tmp_path / "in"
    result = run_publisher("import", word, "--into", into, "--name", "cunlu")
    assert result.returncode == 0, result.stderr
    (article,) = into.glob("*.md")
    assert article.name == "01-cunlu.md"
    meta = front_matter(article)
    assert meta["byline"] == "记者　李明" and meta["authors"] == ["李明"]
    text = article.read_text(encoding="utf-8")
    assert "![图为新修的村路。](images/cunlu-1.png)" in text
    assert "（记者" not in text.split("---\n", 2)[2]
    assert body_paragraphs(article) == [
        "村里的路修好了，村民出行方便多了。",
        "“我们赶上了好时代。”村民说。",
    ]
    numbered = run_publisher("import", word, "--into", tmp_path / "n", "--name", "07-村路")
    assert numbered.returncode == 0, numbered.stderr
    assert [p.name for p in (tmp_path / "n").glob("*.md")] == ["07-cunlu.md"]
    two = run_publisher("import", RAW, "--into", tmp_path / "two", "--name", "x")
    assert two.returncode == 1 and "--name names one article" in two.stderr
