"""Traditional editions, checked on the built files of every format."""

from __future__ import annotations

import re
import zipfile

import docx
import pytest
from articles import squeeze
from conftest import FIXTURES, PUBLISHED, TRADITIONAL, build_ok, edition_files, run_publisher
from lxml import etree
from outputs import NS, XML_LANG, epub_package, epub_spine_documents, pdf_fonts, pdf_text, zip_xml
from pypdf import PdfReader

from publisher.language.ambiguities import read_table

W = f"{{{NS['w']}}}"
MARKUP = FIXTURES / "markup"
REGION_VARIANTS = {"zh-Hant-TW": "TWVariants.txt", "zh-Hant-HK": "HKVariants.txt"}


def simplified_only(tag: str) -> set[str]:
    """Characters OpenCC's table marks Simplified-only, less the region's standard forms."""
    table = read_table("STCharacters.txt")
    only = {s for s, candidates in table.items() if s not in candidates}
    regional = read_table(REGION_VARIANTS[tag]) if tag in REGION_VARIANTS else {}
    return only - {form for forms in regional.values() for form in forms}


def epub_text(path) -> str:
    texts = []
    for document in epub_spine_documents(path):
        root = zip_xml(path, document)
        for code in root.iterfind(".//xhtml:code", NS):
            code.getparent().remove(code)  # code is never converted
        texts.append("".join(root.itertext()))
    return "".join(texts)


def docx_text(path) -> str:
    return "\n".join(p.text for p in docx.Document(path).paragraphs)


# ---------------------------------------------------------------- the sample


@pytest.mark.parametrize("tag", TRADITIONAL)
def test_no_simplified_only_character_left(sample_out, tag):
    files = edition_files(sample_out, tag)
    forbidden = simplified_only(tag)
    for name, text in (
        ("pdf", pdf_text(files["pdf"])),
        ("epub", epub_text(files["epub"])),
        ("docx", docx_text(files["docx"])),
    ):
        left = sorted({c for c in text if c in forbidden})
        assert not left, (name, left)
    _, package = epub_package(files["epub"])
    metadata = "".join(package.find("opf:metadata", NS).itertext())
    assert not {c for c in metadata if c in forbidden}


@pytest.mark.parametrize("tag", TRADITIONAL)
def test_corner_quotes_nest(sample_out, tag):
    text = squeeze(epub_text(edition_files(sample_out, tag)["epub"]))
    assert not set("“”‘’") & set(text)
    assert "「今年我們給葡萄『披新衣』" in text
    # Every 『』 sits inside a 「」.
    depth = 0
    for char in text:
        depth += {"「": 1, "」": -1}.get(char, 0)
        if char in "『』":
            assert depth == 1
    assert depth == 0


# Where OpenCC's Taiwan phrases went wrong on the sample, and the reviewed form.
TAIWAN_FIXES = {
    "發展物件": "發展對象",
    "陽泉曲社群": "陽泉曲社區",
    "微信影片號": "微信視頻號",
    "釋出黨的": "發布黨的",
    "抓好乾部": "抓好幹部",
    "啟用發展": "激活發展",
    "材料專案": "材料項目",
    "支援大勝昌": "支持大勝昌",
    "場所執行": "場所運作",
    "後最佳化": "後優化",
    "收叢集眾": "收集群眾",
    "示範建立": "示範創建",
    "啟用縣域": "激活縣域",
    "最佳化配置": "優化配置",
    "觀光采摘": "觀光採摘",
    "種養髮展": "種養發展",
}


def test_sample_opencc_mistakes_fixed_in_taiwan(sample_out):
    files = edition_files(sample_out, "zh-Hant-TW")
    for text in (
        squeeze(pdf_text(files["pdf"])),
        epub_text(files["epub"]),
        docx_text(files["docx"]),
    ):
        for wrong, right in TAIWAN_FIXES.items():
            assert wrong not in text, wrong
            assert right in squeeze(text), right


def test_hong_kong_keeps_its_forms(sample_out):
    text = epub_text(edition_files(sample_out, "zh-Hant-HK")["epub"])
    assert "抓好幹部" in text and "觀光採摘" in text  # dictionary entries for all variants
    assert "種養發展壯大" in text and "種養髮展" not in text
    assert "黨羣幹羣" in text and "韓志剛説" in text  # Hong Kong standard forms
    assert "發展對象" in text  # OpenCC right without Taiwan phrases


@pytest.mark.parametrize("tag", PUBLISHED)
def test_language_tags_and_fonts(sample_out, tag):
    files = edition_files(sample_out, tag)
    # PDF: document language and the region's Noto CJK face.
    assert PdfReader(files["pdf"]).trailer["/Root"]["/Lang"] == tag
    region = {"zh-Hans": "SC", "zh-Hant-TW": "TC", "zh-Hant-HK": "HK"}[tag]
    kai = {"zh-Hans": "CN", "zh-Hant-TW": "TW", "zh-Hant-HK": "HK"}[tag]  # bylines
    names = [font["name"].split("+")[1] for font in pdf_fonts(files["pdf"])]
    assert names and all(
        re.fullmatch(rf"Noto-(Serif|Sans)-CJK-{region}(-Bold)?|AR-PL-UKai-{kai}", n) for n in names
    ), names
    # EPUB: dc:language and every content document's lang and xml:lang.
    _, package = epub_package(files["epub"])
    assert package.findtext(".//dc:language", namespaces=NS) == tag
    for document in epub_spine_documents(files["epub"]):
        root = zip_xml(files["epub"], document)
        assert root.get("lang") == tag and root.get(XML_LANG) == tag
    # DOCX: Word's East Asian language and a font Word has for the region.
    styles = zip_xml(files["docx"], "word/styles.xml")
    normal = styles.find(".//w:style[@w:styleId='Normal']", NS)
    word = {"zh-Hans": "zh-CN", "zh-Hant-TW": "zh-TW", "zh-Hant-HK": "zh-HK"}[tag]
    # The region's free serif face, which LibreOffice finds by name; Word on Windows
    # takes the Windows face named as its alternative in fontTable.xml.
    font = f"Noto Serif CJK {REGION[tag]}"
    assert normal.find(".//w:lang", NS).get(W + "eastAsia") == word
    assert normal.find(".//w:rFonts", NS).get(W + "eastAsia") == font
    windows = {"zh-Hans": "SimSun", "zh-Hant-TW": "PMingLiU", "zh-Hant-HK": "MingLiU_HKSCS"}[tag]
    table = zip_xml(files["docx"], "word/fontTable.xml")
    entry = table.find(f".//w:font[@w:name='{font}']", NS)
    assert entry.find("w:altName", NS).get(W + "val") == windows
    assert entry.find("w:family", NS).get(W + "val") == "roman"


REGION = {"zh-Hans": "SC", "zh-Hant-TW": "TC", "zh-Hant-HK": "HK"}


def test_identifiers_differ_per_variant_and_stay(sample_out, tmp_path):
    identifiers = {}
    for tag in PUBLISHED:
        _, package = epub_package(edition_files(sample_out, tag)["epub"])
        identifiers[tag] = package.findtext(".//dc:identifier", namespaces=NS)
    assert len(set(identifiers.values())) == len(PUBLISHED)
    again = build_ok(
        FIXTURES.parent.parent / "source", tmp_path / "again", "epub", "--variant", "zh-TW"
    )
    _, package = epub_package(edition_files(again, "zh-Hant-TW")["epub"])
    assert package.findtext(".//dc:identifier", namespaces=NS) == identifiers["zh-Hant-TW"]


def test_file_names_stay_ascii(sample_out):
    for path in sample_out.rglob("*"):
        if ".cache" not in path.parts:
            assert path.name.isascii(), path
    with zipfile.ZipFile(edition_files(sample_out, "zh-Hant-TW")["epub"]) as archive:
        assert all(name.isascii() for name in archive.namelist())


# ---------------------------------------------------------------- markup that must not change


@pytest.fixture(scope="module")
def markup_out(tmp_path_factory):
    return build_ok(MARKUP, tmp_path_factory.mktemp("markup"), "epub", "docx", "pdf")


def xhtml(out, tag):
    return zip_xml(out / tag / "markup.epub", "EPUB/articles/01-markup.xhtml")


INVARIANT_XPATHS = [
    ".//xhtml:code",
    ".//xhtml:pre",
    ".//xhtml:a/@href",
    ".//xhtml:img/@src",
    ".//xhtml:figure/@id",
    ".//xhtml:img/@class",
    ".//xhtml:img/@data-说明",
    ".//xhtml:span/@class",
    ".//xhtml:span/@title",
    ".//xhtml:a[@class='uri']",
]


def _values(root, xpath):
    found = root.xpath(xpath.replace("xhtml:", "h:"), namespaces={"h": NS["xhtml"]})
    return [
        v if isinstance(v, str) else etree.tostring(v, encoding="unicode", with_tail=False)
        for v in found
    ]


@pytest.mark.parametrize("tag", ["zh-Hant", "zh-Hant-TW", "zh-Hant-HK"])
def test_code_urls_paths_and_attributes_untouched(markup_out, tag):
    source, converted = xhtml(markup_out, "zh-Hans"), xhtml(markup_out, tag)
    for xpath in INVARIANT_XPATHS:
        expected = _values(source, xpath)
        assert expected, xpath  # the fixture has one
        assert _values(converted, xpath) == expected, xpath
    assert converted.find(".//xhtml:code", NS).text == "后台发展 = 1"
    # DOCX: the hyperlink's target is the source's URL.
    with zipfile.ZipFile(markup_out / tag / "markup.docx") as archive:
        relationships = archive.read("word/_rels/document.xml.rels").decode()
    assert 'Target="https://example.cn/头发/后台?q=发展"' in relationships
    pdf = pdf_text(markup_out / tag / "markup.pdf")
    assert "后台发展 = 1" in pdf and '代码块里的后台 发展 = "头发"' in pdf


@pytest.mark.parametrize("tag", ["zh-Hant", "zh-Hant-TW", "zh-Hant-HK"])
def test_text_around_markup_is_converted(markup_out, tag):
    root = xhtml(markup_out, tag)
    text = "".join(root.itertext())
    # A phrase split by emphasis or a link is converted as a phrase: 头发 is 頭髮, not 頭發.
    assert "理了頭髮" in squeeze(text) and "剪了頭髮" in squeeze(text)
    assert root.find(".//xhtml:em", NS).text == "髮"
    figure = root.find(".//xhtml:figure", NS)
    assert figure.find("xhtml:img", NS).get("alt").startswith("替代文字")
    assert "後" in figure.find("xhtml:img", NS).get("alt")
    assert "".join(figure.find("xhtml:figcaption", NS).itertext()).startswith(
        ("圖片說明", "圖片説明")
    )
    assert root.find(".//xhtml:a[@title]", NS).get("title").endswith("標題裡") or root.find(
        ".//xhtml:a[@title]", NS
    ).get("title").endswith("標題裏")
    for cell in ("表頭", "單元格", "引文", "腳註", "頭髮與軟", "測試地點", "記者"):
        assert cell in text, cell


def test_dictionary_overrides_opencc(markup_out):
    # OpenCC's Taiwan phrases turn 软件 into 軟體; the fixture's dictionary says 軟件.
    assert "軟件" in "".join(xhtml(markup_out, "zh-Hant-TW").itertext())
    assert "軟體" not in "".join(xhtml(markup_out, "zh-Hant-TW").itertext())
    assert "軟件" in "".join(xhtml(markup_out, "zh-Hant-HK").itertext())  # OpenCC's own


def test_quotes_configurable_per_edition(tmp_path):
    source = tmp_path / "source"
    (source / "articles").mkdir(parents=True)
    (source / "edition.yaml").write_text(
        "title: 引号\nname: q\nvariants: [zh-TW, zh-Hant]\n"
        "quotes: {zh-TW: curly, zh-Hant: corner}\n"
    )
    (source / "articles" / "a.md").write_text("---\ntitle: 引号\n---\n\n他说“好”，又说“行”。\n")
    out = build_ok(source, tmp_path / "out", "epub")
    tw = "".join(zip_xml(out / "zh-Hant-TW" / "q.epub", "EPUB/articles/a.xhtml").itertext())
    hant = "".join(zip_xml(out / "zh-Hant" / "q.epub", "EPUB/articles/a.xhtml").itertext())
    assert "他說“好”，又說“行”。" in tw
    assert "他說「好」，又說「行」。" in hant


def test_ambiguity_report_lists_file_line_and_choices():
    result = run_publisher("check", "--variants", "--source", MARKUP)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    # 头发 on line 9: 发 is 發 or 髮, and OpenCC chose 髮 in every variant.
    hair = [line for line in lines if ":9:" in line and " 发 → " in line and "头" in line]
    assert hair and "zh-Hant-TW 髮" in hair[0] and "candidates 發 髮" in hair[0]
    assert all(
        line.startswith(str(MARKUP / "articles" / "01-markup.md").split("tests/")[0])
        or line.startswith("tests/")
        for line in lines
    )
    assert "one-to-many characters to review" in result.stderr


def test_unknown_variant_in_edition_yaml(sample_copy):
    path = sample_copy / "edition.yaml"
    path.write_text(path.read_text().replace("zh-Hant-HK]", "zh-Hant-MO]"))
    result = run_publisher("check", "--source", sample_copy)
    assert result.returncode == 1
    assert "edition.yaml:10:" in result.stderr and "unknown variant `zh-Hant-MO`" in result.stderr


def test_bad_dictionary_entry(sample_copy):
    (sample_copy / "dictionary.yaml").write_text("干部: 幹部\n发展: {zh-Hant-XX: 發展}\n")
    result = run_publisher("check", "--source", sample_copy)
    assert result.returncode == 1
    assert "dictionary.yaml:2:" in result.stderr and "zh-Hant-XX" in result.stderr


@pytest.mark.parametrize("tag", TRADITIONAL)
def test_pdf_text_is_the_converted_text(sample_out, tag):
    """Each Traditional PDF holds the same converted paragraphs as the EPUB."""
    files = edition_files(sample_out, tag)
    pdf = squeeze(pdf_text(files["pdf"]))
    paragraphs = []
    for document in epub_spine_documents(files["epub"]):
        paragraphs += [
            squeeze("".join(p.itertext()))
            for p in zip_xml(files["epub"], document).iterfind(".//xhtml:p", NS)
        ]
    body = [p for p in paragraphs if len(p) > 40]
    assert len(body) > 15
    for paragraph in body:
        assert paragraph in pdf, paragraph[:20]


def test_ambiguity_report_reads_what_the_build_converts(tmp_path):
    source = tmp_path / "source"
    (source / "articles").mkdir(parents=True)
    (source / "edition.yaml").write_text("title: 报告\nname: r\nvariants: [zh-TW]\n")
    (source / "articles" / "a.md").write_text(
        "---\ntitle: 报告\n---\n\n他剪了头\n发很短，`后台发展`的代码不算。\n\n"
        "第二段,有一个半角逗号。\n"
    )
    result = run_publisher("check", "--variants", "--source", source)
    assert result.returncode == 0, result.stderr
    # The sources are read once: the copy-editing finding is said once.
    assert result.stderr.count("articles/a.md:8:") == 1, result.stderr
    lines = result.stdout.splitlines()
    # 头发 across a line break is one phrase: 髮, as in the build; only Taiwan is published.
    hair = [line for line in lines if " 发 → " in line]
    assert len(hair) == 1 and "zh-Hant-TW 髮" in hair[0] and "zh-Hant-HK" not in hair[0]
    assert "articles/a.md:6:1:" in hair[0]
    # Code is never converted, so never listed.
    assert not [line for line in lines if " 后 → " in line or "台 →" in line]
