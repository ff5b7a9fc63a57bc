"""Real-world sources read as they are: encodings named right, YAML errors where they start,
front matter from Hugo, Jekyll and pandoc (issue 10, items 2, 3 and 6).

These read sources only (no pandoc, no writers), through the real command line
where the message matters, so they are cheap.
"""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from conftest import run_publisher

from publisher.base.errors import SourceError
from publisher.read.sources import encoding_candidates, read_edition, read_text

GB_TEXT = "---\ntitle: 短讯\n---\n\n今天上午，孝义市召开乡村振兴工作会议。\n"
BIG5_TEXT = "---\ntitle: 短訊\n---\n\n今天上午，臺北市召開社區營造工作會議。\n"


def one_article(tmp_path: Path, article: bytes | str, edition: str = "") -> Path:
    source = tmp_path / "source"
    (source / "articles").mkdir(parents=True)
    (source / "edition.yaml").write_text(
        f"title: 测试\nname: test\ndate: 2024-07-15\n{edition}", encoding="utf-8"
    )
    path = source / "articles" / "01-a.md"
    if isinstance(article, str):
        path.write_text(article, encoding="utf-8")
    else:
        path.write_bytes(article)
    return source


def refusal(source: Path) -> str:
    """The message reading ``source`` is refused with (the command line prints it and
    exits 1: tests/test_bad_input.py runs that path)."""
    with pytest.raises(SourceError) as raised:
        read_edition(source)
    return str(raised.value)


# ------------------------------------------------------------------ encodings


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (GB_TEXT.encode("gb18030"), ["GB18030"]),
        (BIG5_TEXT.encode("big5"), ["BIG5"]),
        (GB_TEXT.encode("utf-16"), ["UTF-16"]),  # with its BOM, little-endian
        (b"\xfe\xff" + BIG5_TEXT.encode("utf-16-be"), ["UTF-16"]),
        # A few characters only: a statistical guess took such files for Korean CP949.
        ("---\ntitle: 通知\n---\n\n明天上午停水。\n".encode("gb18030"), ["GB18030"]),
    ],
    ids=["gb18030", "big5", "utf-16-le", "utf-16-be", "short-gb18030"],
)
def test_chinese_encodings_are_named_first(data, expected):
    assert encoding_candidates(data) == expected


def test_no_encoding_is_suggested_that_does_not_read_as_chinese():
    # A GB18030 file cut off in the middle of its last character: no codec reads it cleanly.
    assert encoding_candidates(GB_TEXT.encode("gb18030")[:-2]) == []
    # Latin-1 prose decodes under many codecs, none of them into Chinese.
    assert encoding_candidates("---\ntitle: café\n---\n\nDéjà vu, naïve.\n".encode("latin-1")) == []


def test_ambiguous_bytes_list_every_candidate(tmp_path):
    # These bytes are Chinese in both GB18030 (尼斯) and Big5 (攝佴): no single suggestion.
    data = "---\ntitle: 尼斯\n---\n".encode("gb18030")
    assert encoding_candidates(data) == ["GB18030", "BIG5"]
    path = tmp_path / "a.md"
    path.write_bytes(data)
    with pytest.raises(SourceError) as raised:
        read_text(path)
    assert "GB18030, BIG5" in str(raised.value) and "ENCODING" in str(raised.value)


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (GB_TEXT.encode("gb18030"), ["01-a.md:2:", "it is GB18030 text", "iconv -f GB18030"]),
        (BIG5_TEXT.encode("big5"), ["01-a.md:2:", "it is BIG5 text", "iconv -f BIG5"]),
        (GB_TEXT.encode("utf-16"), ["01-a.md:", "it is UTF-16 text", "iconv -f UTF-16"]),
        (
            GB_TEXT.encode("gb18030")[:-2],
            ["01-a.md:2:", "no Chinese encoding", "save it as UTF-8"],
        ),
    ],
    ids=["gb18030", "big5", "utf-16", "damaged"],
)
def test_wrong_encoding_message(data, words, tmp_path):
    message = refusal(one_article(tmp_path, data))
    for word in words:
        assert word in message, (word, message)
    assert "CP949" not in message
    if "no Chinese encoding" in words:
        assert "iconv" not in message  # no command that would garble the text


# ------------------------------------------------------------------ YAML positions

YAML_CASES = {
    # front matter text (after the opening ---), line the construct opens, line the parser stopped
    "unclosed double quote": (
        'title: "五笔润色绘新景\nkicker: 山西省孝义市\nsubtitle: 副题\nbyline: 某镇\n'
        "---\n\n正文。\n",
        2,
        5,
    ),
    "unclosed quote closed by the next value": (
        "title: '五笔润色绘新景\nkicker: '山西省孝义市'\nbyline: 某镇\n---\n\n正文。\n",
        2,
        3,
    ),
    "unclosed bracket": (
        "title: 标题\nauthors: [张三, 李四\nkicker: 山西\n---\n\n正文。\n",
        3,
        4,
    ),
}


@pytest.mark.parametrize("case", YAML_CASES)
def test_yaml_error_names_where_the_construct_opens(case, tmp_path):
    front, opened, stopped = YAML_CASES[case]
    message = refusal(one_article(tmp_path, "---\n" + front))
    assert f"01-a.md:{opened}: invalid YAML" in message, message
    assert f"on line {opened}" in message and f"stopped at line {stopped}" in message


def test_yaml_error_without_an_open_construct_names_the_line(tmp_path):
    article = "---\ntitle: 标题\nsubtitle: 副题: 说明\n---\n\n正文。\n"
    message = refusal(one_article(tmp_path, article))
    assert "01-a.md:3: invalid YAML: mapping values are not allowed here" in message


# ------------------------------------------------------------------ front matter of other tools

HUGO = """---
title: "乡村振兴见闻"
author: 张三
date: 2024-07-15T08:00:00+08:00
lastmod: 2024-07-16
tags: [乡村振兴, 山西]
categories:
  - 新闻
slug: hugo-post
draft: false
description: 一篇来自 Hugo 的文章
weight: 10
---

正文。
"""
JEKYLL = """---
layout: post
title: 葡萄丰收
author: [李四, 王五]
tags: 农业, 交口县
excerpt: 葡萄熟了
lang: zh-CN
permalink: /2024/07/grapes/
published: false
---

正文。
"""
PANDOC = """---
title: 古村新貌
author:
  - name: 赵六
    affiliation: 泽州县融媒体中心
abstract: 古村落焕发新生
subject: 文化
header-includes: \\usepackage{xeCJK}
---

正文。
"""


def test_front_matter_of_other_tools_is_mapped(tmp_path):
    from publisher.read.sources import read_article

    (tmp_path / "hugo.md").write_text(HUGO, encoding="utf-8")
    (tmp_path / "jekyll.md").write_text(JEKYLL, encoding="utf-8")
    (tmp_path / "pandoc.md").write_text(PANDOC, encoding="utf-8")
    hugo = read_article(tmp_path / "hugo.md").meta
    assert hugo.authors == ["张三"] and hugo.keywords == ["乡村振兴", "山西", "新闻"]
    assert str(hugo.date) == "2024-07-15" and hugo.slug == "hugo-post"
    assert hugo.other == {"lastmod": datetime.date(2024, 7, 16), "draft": False, "weight": 10}
    jekyll = read_article(tmp_path / "jekyll.md").meta
    assert jekyll.authors == ["李四", "王五"] and jekyll.keywords == ["农业", "交口县"]
    assert jekyll.description == "葡萄熟了" and jekyll.lang == "zh-CN"
    pandoc = read_article(tmp_path / "pandoc.md").meta
    assert pandoc.authors == ["赵六"] and pandoc.other["header-includes"]
    assert pandoc.description == "古村落焕发新生" and pandoc.keywords == ["文化"]


def test_other_tools_keys_build_without_error(tmp_path):
    source = one_article(tmp_path, JEKYLL)
    result = run_publisher("check", "--source", source)
    assert result.returncode == 0, result.stderr
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
    # The one warning: Jekyll's `published: false` says the article is a draft.
    assert len(warnings) == 1 and "01-a.md:9:" in warnings[0] and "draft" in warnings[0]


def test_unknown_key_is_a_warning_with_a_guess_and_an_error_under_strict(tmp_path):
    source = one_article(tmp_path, "---\ntitle: 标题\nkickr: 山西\n---\n\n正文。\n")
    result = run_publisher("check", "--source", source)
    assert result.returncode == 0, result.stderr
    assert "01-a.md:3: unknown front matter key `kickr` ignored; did you mean `kicker`?" in (
        result.stderr
    )
    strict = run_publisher("check", "--strict", "--source", source)
    assert strict.returncode == 1 and "--strict" in strict.stderr, strict.stderr


def test_missing_title_stays_an_error(tmp_path):
    source = one_article(tmp_path, "---\nauthor: 张三\ntags: [a]\n---\n\n正文。\n")
    result = run_publisher("check", "--source", source)
    assert result.returncode == 1
    assert "01-a.md:2: the required key `title` is missing" in result.stderr, result.stderr
