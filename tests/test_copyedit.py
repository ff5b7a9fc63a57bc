"""Copy-editing: one finding per mistake, located by column; --fix touches text only."""

from __future__ import annotations

import json
import re

from articles import body_paragraphs
from conftest import FIXTURES, SAMPLE, run_publisher

RAW = (FIXTURES / "raw-page.txt").read_text(encoding="utf-8")
FINDING = re.compile(
    r"^(?P<file>\S+):(?P<line>\d+):(?P<column>\d+): warning: .+ \[(?P<rule>[a-z-]+)\]$"
)
# The raw copy's half-width marks: every one of them sits between or next to Chinese.
MARKS = ",:()"


def edition(tmp_path, body: str, front: str = "title: 原稿") -> tuple:
    source = tmp_path / "source"
    (source / "articles").mkdir(parents=True)
    (source / "edition.yaml").write_text("title: 原稿\nname: raw\n", encoding="utf-8")
    article = source / "articles" / "a.md"
    article.write_bytes(f"---\n{front}\n---\n\n{body}\n".encode())
    return source, article


def raw_paragraph(start: str) -> str:
    return next(line for line in RAW.splitlines() if line.startswith(start))


def test_raw_page_as_one_article_reports_every_half_width_mark(tmp_path):
    body = "\n\n".join(line.strip() for line in RAW.splitlines() if line.strip())
    source, article = edition(tmp_path, body, "title: 原稿,未改")
    result = run_publisher("check", "--source", source)
    assert result.returncode == 0, result.stderr
    findings = [m for m in map(FINDING.match, result.stderr.splitlines()) if m]
    lines = article.read_text(encoding="utf-8").split("\n")
    marks = sum(body.count(mark) for mark in MARKS)
    assert marks == 188
    pointed = {
        (m["rule"], lines[int(m["line"]) - 1][int(m["column"]) - 1])
        for m in findings
        if m["file"].endswith("a.md")
    }
    # One finding per mark (and the title's comma), each pointing at its mark; and the
    # spaces beside full-width marks in three headline lines (山西省泽州县： 激活…).
    assert len(findings) == marks + 1 + 3
    assert pointed == {
        ("fullwidth", ","),  # autocorrect's
        ("fullwidth", ":"),  # autocorrect's: 即:配备
        ("halfwidth-punctuation", ","),  # ours: 村“两委”, and the like
        ("halfwidth-punctuation", ":"),  # ours: 说:“
        ("halfwidth-parentheses", "("),  # ours
        ("halfwidth-parentheses", ")"),
        ("no-space-fullwidth", " "),  # autocorrect's
    }
    assert "raw.md" not in result.stderr and "a.md:2:" in result.stderr

    as_json = run_publisher("check", "--format", "json", "--source", source)
    document = json.loads(as_json.stdout)
    assert len(document) == marks + 4 and "a.md:" not in as_json.stderr
    first = document[0]
    assert (first["line"], first["column"], first["rule"]) == (2, 10, "fullwidth")
    assert first["context"] == "原稿,未改" and first["fix"] == {"old": ",", "new": "，"}
    # Never a suggestion equal to the original (issue 10, item 4).
    assert all(f["fix"]["old"] != f["fix"]["new"] for f in document)


def test_fix_changes_prose_only_then_strict_check_passes(tmp_path):
    paragraph = raw_paragraph("网格控笔")  # holds 村(社区)
    added = "同步建立“美丽乡村”,微信视频号(含补贴)上线。"
    code = "```\n代码,不改(含补贴):“引号”,照旧\n```"
    urls = (
        "网址见<https://example.com/a,b(c)>和[说明](https://example.com/x,y)，"
        "或 https://example.com/p,q 与`内联,代码`。"
    )
    html = '<span title="甲,乙">标注</span>'
    body = f"{paragraph}{added}\n\n{code}\n\n{urls}\n\n{html}"
    source, article = edition(tmp_path, body, 'title: 原稿,未改\nkicker: "山西省:孝义市"')
    article.write_bytes(b"\xef\xbb\xbf" + article.read_bytes().replace(b"\n", b"\r\n"))
    before = article.read_bytes()

    fixed = run_publisher("check", "--fix", "--source", source)
    assert fixed.returncode == 0, fixed.stderr
    after = article.read_bytes()
    assert after.startswith(b"\xef\xbb\xbf") and after.count(b"\r\n") == before.count(b"\r\n")
    text = after.decode("utf-8-sig")
    # Code, URLs, link targets, raw HTML and keys: byte for byte.
    for kept in (code, urls.split("，")[0], "(https://example.com/x,y)", "https://example.com/p,q"):
        assert kept.replace("\n", "\r\n") in text
    assert "`内联,代码`" in text and html in text
    assert 'title: 原稿，未改\r\nkicker: "山西省：孝义市"' in text
    # The prose as the canonical source has it, and the two mistakes autocorrect leaves.
    canonical = next(
        p for p in body_paragraphs(SAMPLE / "articles/01-xiaoyi.md") if "网格控笔" in p
    )
    assert f"{canonical}同步建立“美丽乡村”，微信视频号（含补贴）上线。" in text
    # Each change printed with FILE:LINE:COL.
    changes = fixed.stdout.splitlines()
    added_marks, front_matter_marks = 3, 2
    expected = sum(map(paragraph.count, MARKS)) + added_marks + front_matter_marks
    assert len(changes) == expected and all(
        re.match(r"\S+a\.md:\d+:\d+: fixed ", c) for c in changes
    )
    assert any(
        ":6:" in c and "“美丽乡村”," in c and "[halfwidth-punctuation]" in c for c in changes
    )

    strict = run_publisher("check", "--strict", "--source", source)
    assert strict.returncode == 0, strict.stderr
    again = run_publisher("check", "--fix", "--source", source)
    assert again.stdout == "" and article.read_bytes() == after  # nothing left to fix


def test_unbalanced_marks_and_ascii_quotes(tmp_path):
    body = (
        '他说"你好,世界"。\n\n'
        "还有“没有关闭。\n\n"
        "“跨段引语的第一段，\n\n“第二段。”\n\n"
        "一个》多余。\n\n"
        "自动链接<https://例子.cn/一,二>不改。"
    )
    source, _ = edition(tmp_path, body)
    result = run_publisher("check", "--format", "json", "--source", source)
    found = [(f["line"], f["column"], f["rule"], f["fix"]) for f in json.loads(result.stdout)]
    assert found == [
        (5, 3, "ascii-quotes", {"old": '"', "new": "“"}),
        (5, 6, "fullwidth", {"old": ",", "new": "，"}),
        (5, 9, "ascii-quotes", {"old": '"', "new": "”"}),
        (7, 3, "unbalanced", None),
        (13, 3, "unbalanced", None),
    ]
