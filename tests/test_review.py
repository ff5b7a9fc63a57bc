"""The Traditional review list (`publisher review`): each signal on small cases, the
sample with and without its dictionary, recording decisions."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import opencc
import pytest
import zhconv_rs
from conftest import FIXTURES, ROOT, SAMPLE, TRADITIONAL, run_publisher

from publisher.base.languages import DICTIONARY_ALL, VARIANTS
from publisher.language.review import (
    Reader,
    ReadingFinding,
    _patch,
    _words,
    converter_hits,
    normalise,
    rank,
    segmentation_hits,
    vocabulary_hits,
)
from publisher.language.variants import Conversion
from publisher.read.sources import read_dictionary

CASES = FIXTURES / "review"
OPENCC_CONFIGS = {"zh-Hant-TW": "s2twp", "zh-Hant-HK": "s2hk"}
TW, HK = (VARIANTS[tag] for tag in TRADITIONAL)


def review_json(source: Path) -> dict:
    result = run_publisher("review", "--source", source, "--format", "json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def findings(review: dict) -> list[dict]:
    return [finding for group in review["groups"] for finding in group["findings"]]


def other_reading(ours: str, alignment: Conversion, hit) -> str:
    """The hit's phrase as the signal reads it."""
    return _patch(ours, alignment.target_span(hit.start, hit.end), hit.replacements)


def read(text: str, variant=TW, dictionary=None):
    """Everything a signal needs for one passage: words, our reading and its alignment."""
    reader = Reader(variant, dictionary or {})
    ((ours, alignment),) = reader.read([text])
    return reader, ours, alignment, _words(text)


# ---------------------------------------------------------------- each signal, small cases


def test_converter_signal_ignores_character_standards_and_quotes():
    # 瞭解/了解, 佔/占, 臺/台 and 「」/“” are standards, not readings: no hit.
    text = "据了解，他说“好”，占地一台，发展对象。"
    _, ours, alignment, words = read(text)
    theirs = zhconv_rs.zhconv(text, "zh-tw")
    assert ours != theirs and normalise(ours) != normalise(theirs)
    hits = converter_hits(text, ours, alignment, theirs, words, "zh-Hant-TW")
    # What is left is the one real disagreement: 物件 (software object) for 对象.
    assert [(text[h.start : h.end], other_reading(ours, alignment, h)) for h in hits] == [
        ("对象", "對象")
    ]
    assert normalise("佔臺週瞭「」") == normalise("占台周了“”")


def test_converter_signal_finds_a_phrase_across_words():
    text = "一手抓好特色种养发展壮大"
    _, ours, alignment, words = read(text, HK)
    assert ours.endswith("種養髮展壯大")
    theirs = zhconv_rs.zhconv(text, "zh-hk")
    (hit,) = converter_hits(text, ours, alignment, theirs, words, HK.tag)
    assert text[hit.start : hit.end] == "发展壮大"  # widened to jieba's word
    assert text[slice(*hit.core)] == "发"


def test_converter_signal_weakest_where_zhconv_leaves_a_character_as_written():
    # OpenCC reads 党群干群 (Party members and the masses, cadres and the masses) right:
    # 幹群. MediaWiki's tables have no rule for it and leave 干 as written.
    text = "在党群干群携手前行中"
    _, ours, alignment, words = read(text, TW)
    (hit,) = converter_hits(text, ours, alignment, zhconv_rs.zhconv(text, "zh-tw"), words, TW.tag)
    assert hit.as_written and hit.detail == "zhconv-rs leaves 干 as written"
    strong = ReadingFinding(CASES, 1, 1, "对象", "", {}, {"converter": {TW.tag: "對象"}})
    weak = ReadingFinding(CASES, 2, 1, "干群", "", {}, {"converter": {TW.tag: "干群"}}, weak=True)
    assert [g.phrase for g in rank([weak, strong])] == ["对象", "干群"]


@pytest.mark.parametrize(
    ("text", "variant", "phrase", "reading"),
    [
        ("他被发明了", TW, "被发明", "被發明"),  # 被髮明: 被发 read as 被髮
        ("一手抓好特色种养发展壮大", HK, "种养发展壮大", "種養發展壯大"),
        ("勇敢的士兵", TW, "的士兵", "的士兵"),  # 計程車兵: 的士 (taxi) changed length
        ("全面收集群众意见", TW, "收集群众", "收集群眾"),  # 收叢集眾
    ],
)
def test_segmentation_signal_finds_phrases_across_word_boundaries(text, variant, phrase, reading):
    reader, ours, alignment, words = read(text, variant)
    alone = reader.convert([text[a:b] for a, b in words])
    hits = segmentation_hits(text, ours, alignment, words, alone, reader)
    assert hits
    spans = {(text[h.start : h.end], other_reading(ours, alignment, h)) for h in hits}
    assert (phrase, reading) in spans
    assert reading not in ours  # the published reading is the other one


@pytest.mark.parametrize("text", ["他剪了头发", "心理发展很重要", "后优化提升", "1500万只肉鸡"])
def test_segmentation_signal_quiet_where_opencc_reads_the_words_right(text):
    # 后优化 → 後最佳化 changes length inside one word; 万|只: one character alone
    # reads as OpenCC's default (只, not 隻), which is no evidence.
    reader, ours, alignment, words = read(text, TW)
    alone = reader.convert([text[a:b] for a, b in words])
    assert segmentation_hits(text, ours, alignment, words, alone, reader) == []


def test_vocabulary_signal_compares_taiwan_phrases_with_taiwan_characters():
    text = "社区的发展对象和优化项目，头发"
    reader, ours, alignment, words = read(text, TW)
    plain = reader.bridge.convert_all([text])[0]
    hits = vocabulary_hits(ours, alignment, plain, words)
    found = {text[h.start : h.end]: other_reading(ours, alignment, h) for h in hits}
    assert found == {"社区": "社區", "对象": "對象", "优化": "優化", "项目": "項目"}
    assert "最佳化" in ours  # the length change is aligned through s2tw


def test_alignment_comes_from_the_conversion():
    _, ours, alignment, _ = read("后优化提升", TW)
    assert ours == "後最佳化提升"
    assert alignment.target_span(1, 3) == (1, 4)  # 优化 → 最佳化, not 後最佳化
    assert alignment.source_span(1, 4) == (1, 3)
    assert alignment.target_span(3, 5) == (4, 6)


# ---------------------------------------------------------------- the command on small cases


def test_review_lists_places_readings_and_signals_most_likely_first():
    result = run_publisher("review", "--source", CASES)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    first = out.splitlines()[0]
    assert first.startswith("1. ") and "3 signals: converter, segmentation, vocabulary" in first
    assert "tests/fixtures/review/articles/01-cases.md:5:2: 他【被发明】了" in out
    assert "published     被髮明 (zh-Hant-TW, zh-Hant-HK)" in out
    assert "segmentation  被發明 (zh-Hant-TW, zh-Hant-HK) — jieba 被|发明" in out
    # Grouped by phrase, with its count: 社区 twice.
    assert "社区 · 2 signals: converter, vocabulary · 2 places" in out
    # Code is not converted, so never listed; readings no signal questions neither.
    headers = [line for line in out.splitlines() if line[:1].isdigit()]
    assert len(headers) == 5
    assert not [h for h in headers if "种养" in h or "头发" in h or "心理" in h or "了解" in h]
    assert "places to review" in result.stderr


def test_review_json_for_tools():
    review = review_json(CASES)
    assert set(review["signals"]) == {"converter", "segmentation", "vocabulary"}
    top = review["groups"][0]
    assert len(top["signals"]) == 3
    finding = findings(review)[0]
    assert {"file", "line", "column", "phrase", "context", "published", "alternatives"} <= set(
        finding
    )
    counts = [len(g["signals"]) for g in review["groups"]]
    assert counts == sorted(counts, reverse=True)


def test_accept_and_keep_write_entries_and_keep_the_comments(tmp_path):
    source = Path(shutil.copytree(CASES, tmp_path / "source"))
    dictionary = source / "dictionary.yaml"
    before = dictionary.read_text()
    result = run_publisher(
        "review", "--source", source, "--accept", "被发明", "--keep", "收集群众",
        "--accept", "头发=頭髮",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    after = dictionary.read_text()
    assert after.startswith(before)  # comments and entries as they were
    assert "\n被发明: 被發明\n" in after
    assert "\n收集群众: {zh-Hant-TW: 收叢集眾, zh-Hant-HK: 收集羣眾}\n" in after
    assert "\n头发: 頭髮\n" in after
    assert read_dictionary(source)["被发明"] == {DICTIONARY_ALL: "被發明"}
    # Entries already there are not listed again, and the build reads them.
    phrases = {finding["phrase"] for finding in findings(review_json(source))}
    assert not {"被发明", "收集群众"} & phrases
    again = run_publisher("review", "--source", source, "--accept", "被发明")
    assert again.returncode == 1 and "`被发明` is already there" in again.stderr
    unknown = run_publisher("review", "--source", source, "--accept", "天气")
    assert unknown.returncode == 1 and "--accept 天气=繁體" in unknown.stderr
    assert dictionary.read_text() == after


def test_review_without_zhconv_turns_that_signal_off():
    # As if the optional extra were not installed: importing zhconv_rs fails.
    code = (
        "import sys; sys.modules['zhconv_rs'] = None; "
        "from publisher.commands.cli import main; main()"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, "review", "--source", str(CASES), "--format", "json"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "note: zhconv-rs is not installed" in result.stderr
    review = json.loads(result.stdout)
    assert review["signals"]["converter"] == 0 and review["notes"]
    assert "被发明" in {f["phrase"] for f in findings(review)}


def test_review_all_is_the_full_per_character_report():
    full = run_publisher("review", "--all", "--source", CASES)
    check = run_publisher("check", "--variants", "--source", CASES)
    assert full.returncode == check.returncode == 0, full.stderr
    assert full.stdout == check.stdout and " 发 → " in full.stdout


# ---------------------------------------------------------------- the sample


def known_mistakes() -> dict[str, dict[str, str]]:
    """The sample's known OpenCC mistakes: every entry of its reviewed dictionary that
    corrects OpenCC (one keeping OpenCC's reading in every variant, as `review --keep`
    writes, records a decision, not a mistake)."""
    dictionary = read_dictionary(SAMPLE)
    assert "种养发展" in dictionary

    def kept(phrase: str, targets: dict[str, str]) -> bool:
        return all(
            opencc.OpenCC(OPENCC_CONFIGS[tag]).convert(phrase) == target
            for tag, target in targets.items()
            if tag in OPENCC_CONFIGS
        )

    return {p: t for p, t in dictionary.items() if not kept(p, t)}


@pytest.fixture(scope="module")
def review_without_dictionary(tmp_path_factory) -> dict:
    source = Path(shutil.copytree(SAMPLE, tmp_path_factory.mktemp("review") / "source"))
    (source / "dictionary.yaml").write_text("# emptied for the test\n")
    return review_json(source)


def _covered(found: list[dict], file: str, line: int, column: int, length: int, tag: str) -> bool:
    return any(
        f["file"].endswith(file)
        and f["line"] == line
        and f["column"] < column + length
        and column < f["column"] + len(f["phrase"])
        and any(tag in readings for readings in f["alternatives"].values())
        for f in found
    )


def test_empty_dictionary_lists_every_known_mistake_within_40(review_without_dictionary):
    found = findings(review_without_dictionary)
    assert len(found) <= 40
    for phrase, targets in known_mistakes().items():
        wrong = 0
        for tag in TRADITIONAL:
            target = targets.get(tag, targets.get(DICTIONARY_ALL))
            if target is None:
                continue
            converter = opencc.OpenCC(OPENCC_CONFIGS[tag])
            for path in sorted((SAMPLE / "articles").glob("*.md")):
                for number, line in enumerate(path.read_text().splitlines(), start=1):
                    places = [i for i in range(len(line)) if line.startswith(phrase, i)]
                    # OpenCC's own reading of the line: how many came out right.
                    missing = len(places) - converter.convert(line).count(target)
                    if missing <= 0:
                        continue
                    wrong += missing
                    covered = [
                        p
                        for p in places
                        if _covered(found, path.name, number, p + 1, len(phrase), tag)
                    ]
                    assert len(covered) >= missing, (phrase, tag, path.name, number)
        assert wrong, f"{phrase}: not a mistake OpenCC makes on the sample"


def test_dictionary_in_place_leaves_only_what_remains(review_without_dictionary):
    review = review_json(SAMPLE)
    found = findings(review)
    assert len(found) < len(findings(review_without_dictionary))
    texts = {p.name: p.read_text().splitlines() for p in (SAMPLE / "articles").glob("*.md")}
    for finding in found:
        assert finding["signals"]
        line = texts[Path(finding["file"]).name][finding["line"] - 1]
        start = finding["column"] - 1
        for phrase in known_mistakes():
            at = line.find(phrase, max(0, start - len(phrase) + 1))
            assert at < 0 or at >= start + len(finding["phrase"]), (phrase, finding["phrase"])


@pytest.mark.parametrize("tag", TRADITIONAL)
def test_traditional_editions_read_zhongyang_fazhan(tag):
    reader = Reader(VARIANTS[tag], read_dictionary(SAMPLE))
    assert reader.convert(["一手抓好特色种养发展壮大"]) == ["一手抓好特色種養發展壯大"]


def test_review_reads_only_the_variants_the_edition_publishes(tmp_path):
    """An edition that publishes Simplified only has no Traditional reading to decide:
    review says so, and lists nothing."""
    from tiny import tiny_edition

    source = tiny_edition(tmp_path, ("zh-Hans",))
    result = run_publisher("review", "--source", source)
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    assert "publishes no Traditional variant" in result.stderr
    both = json.dumps(review_json(CASES), ensure_ascii=False)
    assert "zh-Hant-HK" in both and "zh-Hant-TW" in both
    taiwan = Path(shutil.copytree(CASES, tmp_path / "tw"))
    edition = taiwan / "edition.yaml"
    text = edition.read_text(encoding="utf-8")
    edition.write_text(
        text.replace("variants: [zh-Hans, zh-TW, zh-HK]", "variants: [zh-Hans, zh-TW]"),
        encoding="utf-8",
    )
    found = json.dumps(review_json(taiwan), ensure_ascii=False)
    assert "zh-Hant-TW" in found and "zh-Hant-HK" not in found
