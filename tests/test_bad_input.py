"""Bad sources: a clear message naming the file (and line), exit 1, nothing written."""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import build_ok, run_publisher

FIRST = "articles/01-xiaoyi.md"


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def rename(source: Path, old: str, new: str, referrer: Path) -> None:
    """Rename a file of the source folder and the name its referrer gives it."""
    (source / old).rename(source / new)
    text = referrer.read_text(encoding="utf-8")
    old_name, new_name = (
        (old, new) if referrer.name == "edition.yaml" else (f"../{old}", f"../{new}")
    )
    assert old_name in text
    referrer.write_text(text.replace(old_name, new_name), encoding="utf-8")


def reencode(path: Path, encoding: str) -> None:
    path.write_bytes(path.read_text(encoding="utf-8").encode(encoding))


# name -> (how to break the sample, file named, line named or None, words the message must hold)
CASES: dict[str, tuple[Callable[[Path], None], str, int | None, list[str]]] = {
    "edition.yaml missing": (
        lambda s: (s / "edition.yaml").unlink(),
        "edition.yaml",
        None,
        ["missing", "title"],
    ),
    "edition.yaml invalid YAML": (
        lambda s: edit(s / "edition.yaml", "name: shanxi-rural", "name: [shanxi-rural"),
        "edition.yaml",
        None,
        ["invalid YAML"],
    ),
    "edition.yaml without title": (
        lambda s: edit(s / "edition.yaml", "title: 山西乡村振兴\n", ""),
        "edition.yaml",
        None,
        ["`title`", "missing"],
    ),
    "edition.yaml unknown key": (
        lambda s: edit(s / "edition.yaml", "publisher:", "pubisher:"),
        "edition.yaml",
        5,
        ["unknown key `pubisher`", "Did you mean `publisher`", "variants"],
    ),
    "edition.yaml bad name": (
        lambda s: edit(s / "edition.yaml", "name: shanxi-rural", "name: 山西"),
        "edition.yaml",
        3,
        ["`name`", "must be ASCII letters"],
    ),
    "article listed but missing": (
        lambda s: (s / "articles/03-zezhou.md").unlink(),
        "edition.yaml",
        14,
        ["articles/03-zezhou.md", "does not exist"],
    ),
    "article without front matter": (
        lambda s: (s / FIRST).write_text("今年以来，山西省孝义市……\n", encoding="utf-8"),
        FIRST,
        1,
        ["no front matter", "---"],
    ),
    "article with invalid YAML": (
        lambda s: edit(s / FIRST, "byline: 孝义市阳泉曲镇", "byline: [孝义市阳泉曲镇"),
        FIRST,
        4,
        ["invalid YAML"],
    ),
    "article without title": (
        lambda s: edit(s / FIRST, "title: 五笔润色绘新景　和美乡村入画来\n", ""),
        FIRST,
        2,
        ["`title`", "missing"],
    ),
    "article in GB18030": (
        lambda s: reencode(s / FIRST, "gb18030"),
        FIRST,
        2,
        ["not UTF-8", "GB18030", "iconv"],
    ),
    "article in Big5": (
        lambda s: (s / FIRST).write_bytes(
            "---\ntitle: 葡萄豐收\n---\n\n眼下，正是早熟葡萄成熟季，村民們忙著採摘。\n".encode(
                "big5"
            )
        ),
        FIRST,
        2,
        ["not UTF-8", "BIG5", "iconv"],
    ),
    "image missing": (
        lambda s: (s / "images/placeholder-photo-2.png").unlink(),
        "articles/04-liucun.md",
        14,
        ["placeholder-photo-2.png", "does not exist"],
    ),
    "image outside the source folder": (
        lambda s: edit(s / FIRST, "../images/placeholder-photo-1.png", "../../secret.png"),
        FIRST,
        7,
        ["outside the source folder"],
    ),
    "article file name not ASCII": (
        lambda s: rename(s, FIRST, "articles/01 新闻.md", s / "edition.yaml"),
        "articles/01 新闻.md",
        None,
        ["not plain ASCII", "rename"],
    ),
    "image of a type some format cannot carry": (
        lambda s: rename(s, "images/placeholder-photo-1.png", "images/photo.bmp", s / FIRST),
        FIRST,
        7,
        ["not PNG, JPEG or GIF"],
    ),
}


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("command", ["check", "build"])
def test_bad_input_is_refused_clearly(case, command, sample_copy, tmp_path):
    break_source, named_file, line, words = CASES[case]
    break_source(sample_copy)
    out = tmp_path / "out"
    arguments = ["--out", out] if command == "build" else []
    result = run_publisher(command, "--source", sample_copy, *arguments)
    assert result.returncode == 1, result.stderr
    message = result.stderr
    assert "Traceback" not in message
    location = f"{named_file}:{line}:" if line else f"{named_file}:"
    assert location in message, message
    assert "what to do:" in message, message
    for word in words:
        assert word in message, (word, message)
    assert not out.exists() or not any(out.rglob("*")), sorted(out.rglob("*"))


def test_failed_build_keeps_previous_outputs(sample_copy, tmp_path):
    out = build_ok(sample_copy, tmp_path / "out", "epub")
    epub = out / "zh-Hans" / "shanxi-rural.epub"
    before = epub.read_bytes()
    edit(sample_copy / FIRST, "title:", "titel:")  # no title: refused
    result = run_publisher("build", "epub", "--source", sample_copy, "--out", out)
    assert result.returncode == 1
    assert epub.read_bytes() == before
    assert sorted(p.name for p in (out / "zh-Hans").iterdir()) == ["shanxi-rural.epub"]


def test_bom_and_crlf_are_accepted(sample_copy, tmp_path):
    article = sample_copy / FIRST
    text = article.read_text(encoding="utf-8")
    article.write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8"))
    (sample_copy / "edition.yaml").write_bytes(
        (sample_copy / "edition.yaml").read_text(encoding="utf-8").replace("\n", "\r\n").encode()
    )
    result = run_publisher("check", "--source", sample_copy)
    assert result.returncode == 0, result.stderr
    # And the build reads them right: no BOM, no stray CR, the same text.
    out = build_ok(sample_copy, tmp_path / "out", "epub")
    with zipfile.ZipFile(out / "zh-Hans" / "shanxi-rural.epub") as archive:
        xhtml = archive.read("EPUB/articles/01-xiaoyi.xhtml").decode()
    assert "\ufeff" not in xhtml and "\r" not in xhtml
    assert "今年以来，山西省孝义市阳泉曲镇党委坚持以党建为引领" in xhtml
    assert "五笔润色绘新景" in xhtml


def test_duplicate_key_and_empty_title(sample_copy):
    edition = sample_copy / "edition.yaml"
    edition.write_text(edition.read_text(encoding="utf-8") + "title: 另一个标题\n", "utf-8")
    result = run_publisher("check", "--source", sample_copy)
    assert result.returncode == 1
    assert (
        "edition.yaml:18:" in result.stderr and "appears twice (first on line 2)" in result.stderr
    )
    edit(sample_copy / "edition.yaml", "title: 另一个标题\n", "")
    edit(sample_copy / FIRST, "title: 五笔润色绘新景　和美乡村入画来", "title: '   '")
    result = run_publisher("check", "--source", sample_copy)
    assert result.returncode == 1 and f"{FIRST}:3:" in result.stderr and "is empty" in result.stderr
