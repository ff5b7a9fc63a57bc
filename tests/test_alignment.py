"""Traditional editions never lose, move or merge a character.

The variant step converts a paragraph's text in one piece and cuts the
result back into the AST's nodes. These tests hold it to OpenCC itself: a cut
is clean where OpenCC, given the two sides apart, gives the same text as for
the whole; a node between clean cuts must hold exactly OpenCC's conversion of
its own source text, and a node sharing a phrase with its neighbour may share
characters with that neighbour only. Paragraphs are built from OpenCC's own
dictionaries (tests/fixtures/opencc, Apache-2.0): the phrases whose conversion
changes length in s2twp (互联网 → 網際網路), the regional phrases, and random
text, with spaces, soft breaks, emphasis, links, code spans and footnotes at
random places, inside phrases too.
"""

from __future__ import annotations

import copy
import itertools
import logging
import re
import zipfile
from functools import cache
from pathlib import Path

import docx
import opencc
import pytest
from conftest import FIXTURES, build_ok, run_publisher
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree
from outputs import pdf_text

from publisher.base.config import ArticleMeta, EditionConfig
from publisher.base.languages import VARIANTS
from publisher.base.model import Article, Edition
from publisher.document.pandoc_ast import words as text
from publisher.language.ambiguities import OPENCC_DATA
from publisher.language.variants import TextConverter, apply_variant, split_as

DICTIONARIES = FIXTURES / "opencc"
CONVERTED = ("zh-Hant", "zh-Hant-TW", "zh-Hant-HK")
PARAGRAPHS_PER_EXAMPLE = 20
EXAMPLES = 105  # 2,100 paragraphs per variant


def entries(path: Path) -> list[tuple[str, list[str]]]:
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            key, _, values = line.partition("\t")
            out.append((key, values.split(" ")))
    return out


@cache
def converter(config: str) -> opencc.OpenCC:
    return opencc.OpenCC(config)


def convert(config: str, text: str) -> str:
    """OpenCC's own conversion, without the edition's dictionary or quotation marks."""
    return converter(config).convert(text)


@cache
def phrases() -> tuple[list[str], list[str]]:
    """Simplified phrases from OpenCC's regional dictionaries: those whose s2twp
    conversion changes length, and the rest (regional forms, names)."""
    changing, regional = set(), set()
    for name in ("TWPhrases", "TWVariantsPhrases", "HKVariantsPhrases", "HKPhrases"):
        for key, _ in entries(DICTIONARIES / f"{name}.txt"):
            simplified = convert("t2s", key)
            if len(convert("s2twp", simplified)) != len(simplified):
                changing.add(simplified)
            else:
                regional.add(simplified)
    for name in ("TWVariants", "HKVariants"):
        regional.update(convert("t2s", key) for key, _ in entries(OPENCC_DATA / f"{name}.txt"))
    return sorted(changing), sorted(regional)


# ---------------------------------------------------------------- the text between phrases


def test_the_phrases_whose_length_changes_are_many():
    changing, regional = phrases()
    assert len(changing) > 200 and len(regional) > 300
    assert {"互联网", "U盘", "内存", "元数据", "调制解调器"} <= set(changing)


@pytest.mark.parametrize("tag", CONVERTED)
def test_no_phrase_of_opencc_holds_a_character_between_stretches(tag):
    """Punctuation, spaces and symbols stand between phrases: each key of every
    dictionary is one stretch, so a text converts stretch by stretch."""
    stretch = TextConverter(VARIANTS[tag], {})._stretch
    files = [*DICTIONARIES.glob("*.txt"), *OPENCC_DATA.glob("*.txt")]
    keys = [key for path in files for key, _ in entries(path)]
    assert len(keys) > 50_000
    assert [key for key in keys if not stretch.fullmatch(key)] == []
    # and the characters that end a stretch are what a paragraph is full of
    assert stretch.findall("互联网，内存 U盘。“元数据”、调制（解调）") == [
        "互联网",
        "内存",
        "U盘",
        "元数据",
        "调制",
        "解调",
    ]


def test_an_edition_phrase_over_punctuation_stays_one_stretch():
    converter = TextConverter(VARIANTS["zh-Hant-TW"], {"发展·对象": {"all": "發展·對象"}})
    assert converter._stretch.fullmatch("发展·对象")
    (conversion,) = converter.align(["看发展·对象。"], [[1]])
    assert conversion.target == "看發展·對象。"


# ---------------------------------------------------------------- the cases of the issue


def converted_blocks(blocks: list, tag: str, dictionary: dict | None = None) -> list:
    article = Article("a", Path("a.md"), ArticleMeta(title="题"), blocks)
    edition = Edition(
        root=Path("."),
        config=EditionConfig(title="题", name="t"),
        lang="zh-Hans",
        articles=(article,),
        pandoc_api_version=(1, 23),
        dictionary=dictionary or {},
    )
    return list(apply_variant(edition, VARIANTS[tag]).articles[0].blocks)


def link(inlines: list, url: str = "https://example.com") -> dict:
    return {"t": "Link", "c": [["", [], []], inlines, [url, ""]]}


def test_the_issues_paragraphs_at_the_variant_step():
    first = [{"t": "Para", "c": text("元数据 元数据 调制 调制解调器")}]
    (para,) = converted_blocks(first, "zh-Hant-TW")
    assert para["c"] == text("後設資料 後設資料 調變 數據機")

    second = [{"t": "Para", "c": [*text("看"), link(text("互联网")), *text("与内存条。")]}]
    (para,) = converted_blocks(second, "zh-Hant-TW")
    assert para["c"] == [*text("看"), link(text("網際網路")), *text("與記憶體模組。")]


def test_a_phrase_across_an_edge_goes_whole_where_it_starts(caplog):
    # [互联](…)网: the author's link ends inside the phrase.
    blocks = [{"t": "Para", "c": [*text("看"), link(text("互联")), *text("网。")]}]
    with caplog.at_level(logging.WARNING, logger="publisher"):
        (para,) = converted_blocks(blocks, "zh-Hant-TW")
    assert para["c"] == [*text("看"), link(text("網際網路")), *text("。")]
    assert "互联网 runs across the edge of a link or emphasis" in caplog.text
    assert "a.md" in caplog.text


def test_a_phrase_across_an_edge_that_keeps_its_length_is_cut_where_the_source_is():
    blocks = [{"t": "Para", "c": [*text("剪头"), {"t": "Emph", "c": text("发")}]}]
    (para,) = converted_blocks(blocks, "zh-Hant-HK")
    assert para["c"] == [*text("剪頭"), {"t": "Emph", "c": text("髮")}]


def test_no_place_to_cut_converts_the_pieces_one_by_one_and_says_so(caplog):
    # A stretch too long to search, with an edge inside a phrase.
    long = "内存" * 1_050
    blocks = [{"t": "Para", "c": [*text(long + "互联"), {"t": "Emph", "c": text("网")}]}]
    with caplog.at_level(logging.WARNING, logger="publisher"):
        (para,) = converted_blocks(blocks, "zh-Hant-TW")
    assert para["c"][0]["c"] == "記憶體" * 1_050 + "互聯"
    assert para["c"][1]["c"] == text("網")
    assert "no place was found to cut" in caplog.text


def test_markup_inside_every_phrase_of_a_long_stretch_is_cut_right_and_soon():
    """Hostile: 1,000 emphasised halves of 头发 with no punctuation between them
    (a 2,000-character stretch, every place tried)."""
    inlines = []
    for _ in range(1_000):
        inlines += [{"t": "Str", "c": "头"}, {"t": "Emph", "c": text("发")}]
    (para,) = converted_blocks([{"t": "Para", "c": inlines}], "zh-Hant-TW")
    assert para["c"] == [{"t": "Str", "c": "頭"}, {"t": "Emph", "c": text("髮")}] * 1_000


def test_split_as_never_moves_a_cut_backwards():
    converter = TextConverter(VARIANTS["zh-Hant-TW"], {})
    source = "调制解调器"
    (conversion,) = converter.align([source], [[1, 2, 3, 4]])
    pieces, across = split_as(list(source), conversion)
    assert pieces == ["數據機", "", "", "", ""]
    assert across == [(0, 5, 0, 3)]


# ---------------------------------------------------------------- generated paragraphs

HAN = "发展头发后台里面干部软件乡村振兴的了是在网络视频内存数据制调解互联元盘条"
PLAIN = st.text(st.sampled_from([*HAN, *"UPSQL0123，。、：；！？（）《》—…·-"]), max_size=4)


@st.composite
def paragraph(draw) -> list[dict]:
    """Inlines over phrases and plain text, cut at random places into nodes."""
    changing, regional = phrases()
    tokens = draw(
        st.lists(
            st.one_of(st.sampled_from(changing), st.sampled_from(regional), PLAIN),
            min_size=1,
            max_size=8,
        )
    )
    source = "".join(tokens) or "发"
    cuts = sorted(set(draw(st.lists(st.integers(1, max(1, len(source) - 1)), max_size=6))))
    bounds = [0, *(c for c in cuts if 0 < c < len(source)), len(source)]
    inlines: list[dict] = []
    for number, (a, b) in enumerate(itertools.pairwise(bounds)):
        if number:
            between = draw(st.sampled_from(["", "", "", "space", "softbreak", "code", "note"]))
            if between == "space":
                inlines.append({"t": "Space"})
            elif between == "softbreak":
                inlines.append({"t": "SoftBreak"})
            elif between == "code":
                inlines.append({"t": "Code", "c": [["", ["发展"], []], "后台 内存"]})
            elif between == "note":
                note = draw(st.sampled_from(changing)) + "。"
                inlines.append({"t": "Note", "c": [{"t": "Para", "c": text(note)}]})
        piece = [{"t": "Str", "c": source[a:b]}]
        wrapper = draw(st.sampled_from(["", "", "Emph", "Strong", "Link", "Link in Emph"]))
        if wrapper in ("Emph", "Strong"):
            piece = [{"t": wrapper, "c": piece}]
        elif wrapper == "Link":
            piece = [link(piece, "https://例子.cn/互联网?q=内存")]
        elif wrapper == "Link in Emph":
            piece = [{"t": "Emph", "c": [link(piece, "#元数据")]}]
        inlines += piece
    return inlines


def runs(inlines: list[dict]) -> list[list[tuple[str, dict | None]]]:
    """The runs of text the variant step converts together, as (text, its Str node)
    pieces; a space's piece has no node. Code ends a run; a note's text is a run
    of its own."""
    found: list[list] = [[]]

    def visit(nodes: list[dict]) -> None:
        for node in nodes:
            kind = node["t"]
            if kind == "Str":
                found[-1].append((node["c"], node))
            elif kind in ("Space", "SoftBreak"):
                found[-1].append((" ", None))
            elif kind in ("Emph", "Strong"):
                visit(node["c"])
            elif kind == "Link":
                visit(node["c"][1])
            elif kind == "Code":
                found.append([])
            elif kind == "Note":
                current = found.pop()
                for block in node["c"]:
                    found.append([])
                    visit(block["c"])
                found.append(current)

    visit(inlines)
    return [run for run in found if run]


def without_text(value):
    """The AST with every Str's text blanked: what must never change."""
    value = copy.deepcopy(value)

    def blank(node):
        if isinstance(node, list):
            for item in node:
                blank(item)
        elif isinstance(node, dict):
            if node.get("t") == "Str":
                node["c"] = ""
            else:
                blank(node.get("c"))

    blank(value)
    return value


def check_run(config: str, source_run: list, converted_run: list) -> None:
    pieces = [piece for piece, _ in source_run]
    outputs = [node["c"] if node else " " for _, node in converted_run]
    whole = "".join(pieces)
    expected = convert(config, whole)
    # No character lost, doubled or moved out of the run.
    assert "".join(outputs) == expected, (pieces, outputs)
    # Between clean cuts, each node holds the conversion of its own text; a
    # node that shares a phrase with its neighbour shares characters with it only.
    group_start = 0
    position = 0
    for index, piece in enumerate(pieces):
        position += len(piece)
        last = index == len(pieces) - 1
        clean = last or (
            convert(config, whole[:position]) + convert(config, whole[position:]) == expected
        )
        if clean:
            group = pieces[group_start : index + 1]
            got = "".join(outputs[group_start : index + 1])
            assert got == convert(config, "".join(group)), (pieces, outputs, group)
            group_start = index + 1


COUNTED = dict.fromkeys(CONVERTED, 0)


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(paragraphs=st.lists(paragraph(), min_size=PARAGRAPHS_PER_EXAMPLE, max_size=20))
def check_generated_paragraphs(paragraphs):
    blocks = [{"t": "Para", "c": inlines} for inlines in paragraphs]
    for tag in CONVERTED:
        config = VARIANTS[tag].opencc_config
        converted = converted_blocks(blocks, tag)
        assert without_text(converted) == without_text(blocks)
        for source_para, converted_para in zip(blocks, converted, strict=True):
            source_runs, converted_runs = runs(source_para["c"]), runs(converted_para["c"])
            assert len(source_runs) == len(converted_runs)
            for source_run, converted_run in zip(source_runs, converted_runs, strict=True):
                check_run(config, source_run, converted_run)
        COUNTED[tag] += len(blocks)


def test_generated_paragraphs_keep_every_character_in_its_node():
    check_generated_paragraphs()
    assert all(count >= 2_000 for count in COUNTED.values()), COUNTED


# ---------------------------------------------------------------- through Markdown and every format

MARKDOWN = """---
title: 对齐
---

元数据 元数据 调制 调制解调器

看[互联网](https://example.com/互联网)与内存条。

他用*U盘*拷贝**元数据**，又把内存
条换了`内存 代码`，见注[^1]。

[^1]: 注释里的互联网与调制解调器。

剪了头*发*，看[互联](https://example.com)网。
"""


@pytest.fixture(scope="module")
def alignment_out(tmp_path_factory) -> Path:
    source = tmp_path_factory.mktemp("alignment") / "source"
    (source / "articles").mkdir(parents=True)
    (source / "edition.yaml").write_text(
        "title: 对齐\nname: align\nlanguage: zh-Hans\n"
        "variants: [zh-Hans, zh-Hant-TW, zh-Hant-HK]\n",
        encoding="utf-8",
    )
    (source / "articles" / "01-align.md").write_text(MARKDOWN, encoding="utf-8")
    return build_ok(source, source.parent / "build", "--jobs", "2")


def expected_lines(tag: str) -> list[str]:
    config = VARIANTS[tag].opencc_config
    conv = (lambda t: convert(config, t)) if config else (lambda t: t)
    return [
        conv("元数据 元数据 调制 调制解调器"),
        conv("看互联网与内存条。"),
        conv("他用U盘拷贝元数据，又把内存条换了"),
        conv("注释里的互联网与调制解调器。"),
        conv("剪了头发，看互联网。"),
    ]


def epub_article(out: Path, tag: str) -> etree._Element:
    with zipfile.ZipFile(out / tag / "align.epub") as archive:
        return etree.fromstring(archive.read("EPUB/articles/01-align.xhtml"))


def squeezed(value: str) -> str:
    return re.sub(r"\s+", "", value)


@pytest.mark.parametrize("tag", ["zh-Hans", "zh-Hant-TW", "zh-Hant-HK"])
def test_markdown_through_every_format(alignment_out, tag):
    config = VARIANTS[tag].opencc_config
    conv = (lambda t: convert(config, t)) if config else (lambda t: t)
    lines = expected_lines(tag)
    if tag == "zh-Hant-TW":
        assert lines[:2] == ["後設資料 後設資料 調變 數據機", "看網際網路與記憶體模組。"]

    root = epub_article(alignment_out, tag)
    xhtml = "{http://www.w3.org/1999/xhtml}"
    paragraphs = ["".join(p.itertext()) for p in root.iter(f"{xhtml}p")]
    assert lines[0] in paragraphs
    assert lines[1] in paragraphs
    links = {a.get("href"): "".join(a.itertext()) for a in root.iter(f"{xhtml}a")}
    assert links["https://example.com/互联网"] == conv("互联网")  # 網際網路 in Taiwan
    # [互联](…)网: a phrase whose conversion changes length goes whole into the
    # link, where it starts; one that keeps it is cut where the source is.
    whole = conv("互联网")
    assert links["https://example.com"] == (whole[:2] if len(whole) == 3 else whole)
    if tag == "zh-Hant-TW":
        assert links["https://example.com"] == "網際網路"
    emphasis = ["".join(e.itertext()) for e in root.iter(f"{xhtml}em")]
    assert emphasis == [conv("U盘"), conv("头发")[1:]]
    assert ["".join(e.itertext()) for e in root.iter(f"{xhtml}code")] == ["内存 代码"]
    body = squeezed("".join(root.itertext()))
    for line in lines:
        assert squeezed(line) in body

    text = squeezed(pdf_text(alignment_out / tag / "align.pdf"))
    for line in lines:
        assert squeezed(line) in text, line

    document = docx.Document(alignment_out / tag / "align.docx")
    paragraphs = [p.text for p in document.paragraphs]
    assert lines[0] in paragraphs and lines[1] in paragraphs
    words = squeezed("".join(paragraphs))
    for line in (lines[2], lines[4]):
        assert squeezed(line) in words
    with zipfile.ZipFile(alignment_out / tag / "align.docx") as archive:
        notes = archive.read("word/footnotes.xml").decode()
    assert lines[3] in squeezed(re.sub(r"<[^>]+>", "", notes))


def test_the_review_places_a_finding_after_length_changing_phrases(tmp_path):
    """FILE:LINE:COL of a finding in a long paragraph whose phrases change length
    before it, with markup between them."""
    source = tmp_path / "source"
    (source / "articles").mkdir(parents=True)
    (source / "edition.yaml").write_text(
        "title: 审校\nname: review\nvariants: [zh-Hans, zh-Hant-TW, zh-Hant-HK]\n",
        encoding="utf-8",
    )
    head = "互联网与内存条的元数据，" * 8 + "[U盘](https://example.com)与*调制解调器*，"
    (source / "articles" / "01-long.md").write_text(
        f"---\ntitle: 长段落\n---\n\n{head}一手抓好特色种养发展壮大。\n", encoding="utf-8"
    )
    result = run_publisher("review", "--source", source)
    assert result.returncode == 0, result.stderr
    line = 5
    column = len(head) + len("一手抓好特色种养") + 1  # 发, where OpenCC read 养发 as 養髮
    place = f"articles/01-long.md:{line}:"
    found = [row for row in result.stdout.splitlines() if place in row and "发展" in row]
    assert found, result.stdout
    columns = {int(re.search(rf"{re.escape(place)}(\d+)", row).group(1)) for row in found}
    assert columns & set(range(column - 2, column + 1)), (columns, column, result.stdout)
