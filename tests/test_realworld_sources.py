"""Real-world sources read as they are: encodings named right, YAML errors where they start,
front matter from Hugo, Jekyll and pandoc (issue 10, items 2, 3 and 6).

These read sources only (no pandoc, no writers), through the real command line
where the message matters, so they are cheap.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import run_publisher

from publisher.errors import SourceError
from publisher.sources import encoding_candidates, read_text

GB_TEXT = "---\ntitle: 短讯\n---\n\n今天上午，孝义市召开乡村振兴工作会议。\n"
BIG5_TEXT = "---\ntitle: 短訊\n---\n\n今天上午，臺北市召開社區營造工作會議。\n"


def one_article(tmp_path: Path, article: bytes | str, edition: str = "") -> Path:
    source = tmp_path / "source"
    (source / "articles").mkdir(parents=True)
    (source / "edition.yaml").write_text(f"title: 测试\nname: test\n{edition}", encoding="utf-8")
    path = source / "articles" / "01-a.md"
    if isinstance(article, str):
        path.write_text(article, encoding="utf-8")
    else:
        path.write_bytes(article)
    return source


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
    result = run_publisher("check", "--source", one_article(tmp_path, data))
    assert result.returncode == 1, result.stderr
    for word in words:
        assert word in result.stderr, (word, result.stderr)
    assert "CP949" not in result.stderr and "Traceback" not in result.stderr
    if "no Chinese encoding" in words:
        assert "iconv" not in result.stderr  # no command that would garble the text


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
    result = run_publisher("check", "--source", one_article(tmp_path, "---\n" + front))
    assert result.returncode == 1, result.stderr
    assert f"01-a.md:{opened}: invalid YAML" in result.stderr, result.stderr
    assert f"on line {opened}" in result.stderr and f"stopped at line {stopped}" in result.stderr


def test_yaml_error_without_an_open_construct_names_the_line(tmp_path):
    article = "---\ntitle: 标题\nsubtitle: 副题: 说明\n---\n\n正文。\n"
    result = run_publisher("check", "--source", one_article(tmp_path, article))
    assert result.returncode == 1
    assert "01-a.md:3: invalid YAML: mapping values are not allowed here" in result.stderr
