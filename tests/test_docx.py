"""The DOCX editions, opened with python-docx and read as XML.

Every DOCX of the sample is checked, the edition's and each article's, in every
published variant: named styles on the right paragraphs, East Asian fonts and
Word's language tag, core properties, page size, one section per article, the
contents. ``tests/fixtures/docx`` adds what the sample lacks: a footnote, a
quotation, a subtitle and subhead, a JIS B5 page and the edition's own fonts.
"""

from __future__ import annotations

import datetime
import re
import zipfile
from pathlib import Path

import docx
import pytest
import yaml
from articles import article_files, body_paragraphs
from conftest import FIXTURES, PUBLISHED, ROOT, SAMPLE, build_ok, edition_files, run_publisher
from outputs import NS, zip_xml

from publisher.base.languages import variant_named
from publisher.language.variants import apply_variant
from publisher.run.build import load_edition
from publisher.writers.docx import headline_lines, page_geometry

W = f"{{{NS['w']}}}"
FONTS = yaml.safe_load((ROOT / "styles" / "docx-fonts.yaml").read_text(encoding="utf-8"))
FIXTURE = FIXTURES / "docx"
THEME_FONT_ATTRIBUTES = ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme")
BODY_STYLES = ("Body Text", "First Paragraph")


def paragraphs_by_style(document, style: str) -> list[str]:
    return [p.text for p in document.paragraphs if p.style.name == style]


def converted(source: Path, tag: str):
    """The edition as the variant's readers get it: what the DOCX must hold."""
    return apply_variant(load_edition(source), variant_named(tag))


def docx_files(out: Path, tag: str, name: str = "shanxi-rural") -> list[Path]:
    """The edition DOCX first, then each article's."""
    edition = edition_files(out, tag, name)["docx"]
    return [edition, *sorted((out / tag / "articles").glob("*.docx"))]


@pytest.fixture(scope="module")
def fixture_out(tmp_path_factory) -> Path:
    return build_ok(FIXTURE, tmp_path_factory.mktemp("docx") / "build", "docx")


def style_element(styles, style_id: str):
    return styles.find(f".//w:style[@w:styleId='{style_id}']", NS)


def east_asian(element) -> tuple[str, str]:
    """(East Asian font, Latin font) an rPr-holding element names."""
    fonts = element.find(".//w:rFonts", NS)
    return fonts.get(W + "eastAsia"), fonts.get(W + "ascii")


# ---------------------------------------------------------------- every DOCX of the sample


@pytest.mark.parametrize("tag", PUBLISHED)
def test_every_docx_opens_with_the_article_structure_in_named_styles(sample_out, tag):
    edition = converted(SAMPLE, tag)
    files = docx_files(sample_out, tag)
    assert len(files) == 1 + len(edition.articles)
    for path, articles in [(files[0], edition.articles)] + [
        (path, [article]) for path, article in zip(files[1:], edition.articles, strict=True)
    ]:
        document = docx.Document(path)
        assert path.stem in ("shanxi-rural", articles[0].slug)
        assert paragraphs_by_style(document, "Kicker") == [a.meta.kicker for a in articles]
        # A headline's line breaks (see test_two_part_headline_breaks_between_its_parts).
        headlines = [t.replace("\n", "\u3000") for t in paragraphs_by_style(document, "Heading 1")]
        assert headlines == [a.meta.title for a in articles]
        assert paragraphs_by_style(document, "Byline") == [a.byline_text for a in articles]
        # Each article begins with its kicker, ends with its byline.
        headline_parts = [
            p.style.name for p in document.paragraphs if p.style.name in ("Kicker", "Byline")
        ]
        assert headline_parts == ["Kicker", "Byline"] * len(articles)
        body = [p for p in document.paragraphs if p.style.name in BODY_STYLES]
        assert body and all(p.text for p in body)


def test_body_text_as_written(sample_files):
    document = docx.Document(sample_files["docx"])
    body = [p.text for p in document.paragraphs if p.style.name in BODY_STYLES]
    expected = [p for path in article_files(SAMPLE) for p in body_paragraphs(path)]
    assert body == expected


@pytest.mark.parametrize("tag", PUBLISHED)
def test_edition_opens_with_title_page_and_contents(sample_out, tag):
    edition = converted(SAMPLE, tag)
    path = edition_files(sample_out, tag)["docx"]
    document = docx.Document(path)
    styles = [p.style.name for p in document.paragraphs[:3]]
    texts = [p.text for p in document.paragraphs[:3]]
    assert styles == ["Title", "Publisher", "Date"]
    assert texts == [edition.title, edition.config.publisher, "2024年7月15日"]
    # pandoc's own title block (one Author line per person) is not there.
    assert not paragraphs_by_style(document, "Author")

    body = zip_xml(path, "word/document.xml")
    contents = body.find(".//w:sdt", NS)
    heading = contents.find(".//w:p/w:pPr/w:pStyle[@w:val='TOCHeading']/../..", NS)
    assert "".join(heading.itertext()) == {"zh-Hans": "目录"}.get(tag, "目錄")
    # The contents start a page of their own, after the title page.
    assert heading.find("w:pPr/w:pageBreakBefore", NS) is not None
    links = contents.findall(".//w:hyperlink", NS)
    titles = [a.meta.title for a in edition.articles]
    assert ["".join(link.find("w:r/w:t", NS).text) for link in links] == titles
    bookmarks = {b.get(W + "name") for b in body.iterfind(".//w:bookmarkStart", NS)}
    assert {link.get(W + "anchor") for link in links} <= bookmarks


@pytest.mark.parametrize("tag", PUBLISHED)
def test_contents_entries_give_their_page(sample_out, tag):
    """Each entry ends in a PAGEREF field to its headline's bookmark, showing a page
    number (LibreOffice lays it out; Word updates it on opening: w:updateFields)."""
    path = edition_files(sample_out, tag)["docx"]
    contents = zip_xml(path, "word/document.xml").find(".//w:sdt", NS)
    pages = []
    for link in contents.iterfind(".//w:hyperlink", NS):
        instruction = "".join(t.text for t in link.iterfind(".//w:instrText", NS)).split()
        assert instruction == ["PAGEREF", link.get(W + "anchor"), "\\h"]
        begin = link.find(".//w:fldChar[@w:fldCharType='begin']", NS)
        assert begin.get(W + "dirty") == "true"
        runs = list(link.iter(W + "r"))
        separate = next(
            i
            for i, r in enumerate(runs)
            if r.find("w:fldChar[@w:fldCharType='separate']", NS) is not None
        )
        pages.append(int(runs[separate + 1].find("w:t", NS).text))
        assert link.find("w:r/w:tab", NS) is not None  # the dot leader of TOC 1's tab stop
    # Title page 1, contents 2, then the articles, each on a new page.
    assert pages[0] == 3 and pages == sorted(set(pages))
    # No TOC field: LibreOffice would show its saved entries instead of laying them out.
    assert "TOC" not in "".join(t.text for t in contents.iterfind(".//w:instrText", NS))
    settings = zip_xml(path, "word/settings.xml")
    assert settings.find("w:updateFields", NS).get(W + "val") == "true"


@pytest.mark.parametrize("tag", PUBLISHED)
def test_article_docx_is_the_article_alone(sample_out, tag):
    for path in docx_files(sample_out, tag)[1:]:
        document = docx.Document(path)
        assert document.paragraphs[0].style.name == "Kicker"
        assert not paragraphs_by_style(document, "Title")
        assert zip_xml(path, "word/document.xml").find(".//w:sdt", NS) is None
        assert len(document.sections) == 1


def test_figures_embedded_with_captions_and_alt_text(sample_files):
    document = docx.Document(sample_files["docx"])
    assert len(document.inline_shapes) == 2
    assert paragraphs_by_style(document, "Image Caption") == ["资料图片", "资料图片"]
    body = zip_xml(sample_files["docx"], "word/document.xml")
    descriptions = [e.get("descr") for e in body.iter() if e.tag.endswith("}docPr")]
    assert all(d.startswith("资料图片占位图") for d in descriptions)
    figures = [p for p in document.paragraphs if p.style.name == "Captioned Figure"]
    assert len(figures) == 2


@pytest.mark.parametrize("tag", PUBLISHED)
def test_east_asian_fonts_and_language_per_variant(sample_out, tag):
    fonts = FONTS[tag]
    for path in docx_files(sample_out, tag):
        styles = zip_xml(path, "word/styles.xml")
        defaults = styles.find("w:docDefaults", NS)
        for element in (defaults, style_element(styles, "Normal")):
            assert east_asian(element) == (fonts["body"], fonts["latin"])
            lang = element.find(".//w:lang", NS)
            assert lang.get(W + "eastAsia") == fonts["word_language"]
        for style_id in ("Heading1", "Kicker", "Subtitle", "Title", "TOCHeading"):
            element = style_element(styles, style_id)
            assert east_asian(element) == (fonts["heading"], fonts["latin_heading"]), style_id
        # No style takes its font from the theme (DengXian, Calibri …).
        for rfonts in styles.iterfind(".//w:rFonts", NS):
            assert not any(rfonts.get(W + a) for a in THEME_FONT_ATTRIBUTES)
        settings = zip_xml(path, "word/settings.xml")
        theme_lang = settings.find("w:themeFontLang", NS)
        assert theme_lang.get(W + "eastAsia") == fonts["word_language"]
        # No run overrides the language: every paragraph is in the variant's.
        body = zip_xml(path, "word/document.xml")
        assert body.find(".//w:r/w:rPr/w:lang", NS) is None


def test_body_style_is_indented_two_characters_and_justified(sample_files):
    styles = zip_xml(sample_files["docx"], "word/styles.xml")
    for style_id in ("BodyText", "BlockText"):
        style = style_element(styles, style_id)
        assert style.find(".//w:ind", NS).get(W + "firstLineChars") == "200"
    body_text = style_element(styles, "BodyText")
    assert body_text.find(".//w:jc", NS).get(W + "val") == "both"
    assert style_element(styles, "BlockText").find(".//w:ind", NS).get(W + "leftChars") == "200"
    for style_id in ("Kicker", "Byline", "FootnoteText", "ImageCaption", "TOC1"):
        assert style_element(styles, style_id) is not None, style_id
    # No extra space between Chinese and Latin letters or digits (3名, not 3 名).
    for place in (style_element(styles, "Normal"), styles.find(".//w:pPrDefault", NS)):
        for name in ("autoSpaceDE", "autoSpaceDN"):
            assert place.find(f".//w:{name}", NS).get(W + "val") == "0", name


@pytest.mark.parametrize("tag", PUBLISHED)
def test_core_properties(sample_out, tag):
    edition = converted(SAMPLE, tag)
    files = docx_files(sample_out, tag)
    for path, title, creators in [(files[0], edition.title, edition.authors)] + [
        (path, a.meta.title, a.meta.authors or [edition.config.publisher])
        for path, a in zip(files[1:], edition.articles, strict=True)
    ]:
        properties = docx.Document(path).core_properties
        assert properties.title == title
        assert properties.author == "; ".join(creators or [edition.config.publisher])
        assert properties.language == FONTS[tag]["word_language"]
        when = datetime.datetime(2024, 7, 15, tzinfo=datetime.UTC)
        assert properties.created == properties.modified == when
        assert properties.identifier == edition.identifier


@pytest.mark.parametrize("tag", PUBLISHED)
def test_a4_and_one_section_per_article(sample_out, tag):
    for path in docx_files(sample_out, tag):
        document = docx.Document(path)
        for section in document.sections:
            assert round(section.page_width.mm) == 210 and round(section.page_height.mm) == 297
            assert section.footer.paragraphs  # the page number
    document = docx.Document(edition_files(sample_out, tag)["docx"])
    # The title page and contents, then one section per article, each on a new page.
    assert len(document.sections) == 1 + 4
    assert all(s.start_type == 2 for s in document.sections[1:])  # WD_SECTION.NEW_PAGE


def test_two_builds_are_identical(sample_out, tmp_path):
    again = build_ok(SAMPLE, tmp_path / "again", "docx")
    for tag in PUBLISHED:
        for first in docx_files(sample_out, tag):
            second = again / first.relative_to(sample_out)
            assert first.read_bytes() == second.read_bytes(), first.relative_to(sample_out)
            with zipfile.ZipFile(first) as archive:
                assert {i.date_time[:3] for i in archive.infolist()} == {(2024, 7, 15)}


# ---------------------------------------------------------------- the fixture: footnotes, B5, fonts


def test_footnotes_are_word_footnotes(fixture_out):
    for tag in ("zh-Hans", "zh-Hant-TW"):
        path = edition_files(fixture_out, tag, "docx-sample")["docx"]
        notes = zip_xml(path, "word/footnotes.xml")
        real = [n for n in notes.iterfind("w:footnote", NS) if n.get(W + "type") is None]
        assert len(real) == 1
        text = "".join(real[0].itertext()).strip()
        assert text == {"zh-Hans": "脚注里的后台与头发。"}.get(tag, "腳註裡的後臺與頭髮。")
        style = real[0].find(".//w:pStyle", NS).get(W + "val")
        assert style == "FootnoteText"
        body = zip_xml(path, "word/document.xml")
        references = body.findall(".//w:footnoteReference", NS)
        assert [r.get(W + "id") for r in references] == [real[0].get(W + "id")]


def test_fixture_parts_in_their_styles(fixture_out):
    document = docx.Document(edition_files(fixture_out, "zh-Hans", "docx-sample")["docx"])
    assert paragraphs_by_style(document, "Subtitle") == ["副题：后台发展"]
    assert paragraphs_by_style(document, "Block Text") == ["引文里的后台与头发。"]
    assert paragraphs_by_style(document, "Heading 2") == ["小标题"]  # `##` stays level 2
    assert paragraphs_by_style(document, "Table Caption") == ["表格说明"]
    assert paragraphs_by_style(document, "Heading 1") == ["软件里的头发", "第二篇短稿"]
    # An article without a kicker starts its section with the headline.
    assert paragraphs_by_style(document, "Kicker") == ["测试地点"]


def test_page_size_and_margins_from_edition(fixture_out):
    for path in docx_files(fixture_out, "zh-Hans", "docx-sample"):
        for section in docx.Document(path).sections:
            assert (round(section.page_width.mm), round(section.page_height.mm)) == (182, 257)
            assert round(section.top_margin.mm) == 20 and round(section.left_margin.mm) == 18


def test_edition_fonts_replace_the_styles_fonts(fixture_out):
    taiwan = zip_xml(
        edition_files(fixture_out, "zh-Hant-TW", "docx-sample")["docx"], "word/styles.xml"
    )
    normal = style_element(taiwan, "Normal")
    assert east_asian(normal) == ("DFKai-SB", "Georgia")
    # What the edition does not name stays as styles/docx-fonts.yaml has it.
    assert east_asian(style_element(taiwan, "Heading1"))[0] == FONTS["zh-Hant-TW"]["heading"]
    simplified = zip_xml(
        edition_files(fixture_out, "zh-Hans", "docx-sample")["docx"], "word/styles.xml"
    )
    assert east_asian(style_element(simplified, "Normal"))[0] == FONTS["zh-Hans"]["body"]


def test_unknown_font_key_is_refused(tmp_path):
    source = tmp_path / "source"
    source.mkdir()
    (source / "articles").mkdir()
    (source / "articles" / "01-a.md").write_text("---\ntitle: 标题\n---\n\n正文。\n", "utf-8")
    (source / "edition.yaml").write_text(
        "title: 测试\nname: t\ndocx:\n  fonts:\n    zh-Hans: {bodyy: SimSun}\n", "utf-8"
    )
    result = run_publisher("check", "--source", source)
    assert result.returncode == 1
    assert "bodyy" in result.stderr and "body, heading, latin, latin_heading" in result.stderr


@pytest.mark.parametrize(
    ("size", "margins", "expected"),
    [
        ("A4", "22mm 20mm 24mm", (210, 297, 22, 20, 24, 20)),
        ("a5", "15mm", (148, 210, 15, 15, 15, 15)),
        ("B5", "1cm 2cm 3cm 4cm", (176, 250, 10, 20, 30, 40)),
        ("A4 landscape", "10mm 12mm", (297, 210, 10, 12, 10, 12)),
        ("185mm 260mm", "0.5in", (185, 260, 12.7, 12.7, 12.7, 12.7)),
    ],
)
def test_page_geometry_from_css(size, margins, expected):
    page = page_geometry(size, margins)
    keys = ("width", "height", "top", "right", "bottom", "left")
    assert tuple(round(page[k], 1) for k in keys) == expected


def test_page_geometry_falls_back_to_a4(caplog):
    page = page_geometry("auto", "2em")
    assert (page["width"], page["height"]) == (210, 297)
    assert "top" not in page  # the reference document's margins stay
    assert "no Word equivalent" in caplog.text


# ---------------------------------------------------------------- headlines, fonts, styles


def headline_texts(path: Path) -> list[list[str]]:
    """Each Heading 1 paragraph as its lines (split at its w:br)."""
    body = zip_xml(path, "word/document.xml")
    lines = []
    for paragraph in body.iterfind(".//w:p/w:pPr/w:pStyle[@w:val='Heading1']/../..", NS):
        text = "".join(
            "\n" if e.tag == W + "br" else e.text or "" for e in paragraph.iter(W + "t", W + "br")
        )
        lines.append(text.split("\n"))
    return lines


@pytest.mark.parametrize("tag", PUBLISHED)
def test_two_part_headline_breaks_between_its_parts(sample_out, tag):
    """深入开展“三个一批”行动　助推幸福养老提档升级 does not fit the 20 characters of a
    22-pt line: it breaks between its parts, not after 提; shorter ones stay whole."""
    edition = converted(SAMPLE, tag)
    headlines = headline_texts(edition_files(sample_out, tag)["docx"])
    expected = []
    for article in edition.articles:
        title = article.meta.title
        expected.append(title.split("\u3000") if len(title) > 20 else [title])
    assert headlines == expected
    assert any(len(lines) == 2 for lines in headlines)


@pytest.mark.parametrize(
    ("text", "per_line", "lines"),
    [
        ("五笔润色绘新景　和美乡村入画来", 20, ["五笔润色绘新景　和美乡村入画来"]),
        ("五笔润色绘新景　和美乡村入画来", 10, ["五笔润色绘新景", "和美乡村入画来"]),
        (
            "一二三四五六七八九十一二三四五六七八九十一",
            20,
            ["一二三四五六七八九十一", "二三四五六七八九十一"],
        ),
        # No line starts with a closing mark or ends with an opening one.
        (
            "一二三四五六七八九十“一二”三四五六七八九十",
            20,
            ["一二三四五六七八九十", "“一二”三四五六七八九十"],
        ),
        (
            "一二三四五六七八九十一，二三四五六七八九十",
            20,
            ["一二三四五六七八九十", "一，二三四五六七八九十"],
        ),
    ],
)
def test_headline_lines_leave_no_character_alone(text, per_line, lines):
    assert headline_lines(text, per_line) == lines
    assert all(len(line) >= 2 for line in lines)


SERIF_FAMILIES = {"roman"}
SANS_FAMILIES = {"swiss", "modern"}


@pytest.mark.parametrize("tag", PUBLISHED)
def test_font_table_tells_a_substitute_what_each_face_is(sample_out, tag):
    """Family, PANOSE, character set and pitch for every face; the region's free face
    named (what LibreOffice finds) and the Windows face of the same design as the
    alternative (what Word takes on Windows): SimSun/PMingLiU for the Song/Ming body."""
    fonts, region = FONTS[tag], {"zh-Hans": "SC", "zh-Hant-HK": "HK"}.get(tag, "TC")
    table = zip_xml(edition_files(sample_out, tag)["docx"], "word/fontTable.xml")
    entries = {font.get(W + "name"): font for font in table.iterfind("w:font", NS)}
    assert set(entries) == {fonts[k] for k in ("body", "heading", "latin", "latin_heading")}

    def value(name: str, tag_name: str) -> str:
        return entries[name].find(f"w:{tag_name}", NS).get(W + "val")

    for name in entries:
        assert len(value(name, "panose1")) == 20 and int(value(name, "panose1"), 16) > 0
        assert value(name, "pitch") in ("variable", "fixed")
    assert value(fonts["body"], "family") in SERIF_FAMILIES
    assert value(fonts["heading"], "family") in SANS_FAMILIES
    assert fonts["body"] == f"Noto Serif CJK {region}"
    assert fonts["heading"] == f"Noto Sans CJK {region}"
    windows = {"zh-Hans": ("SimSun", "SimHei")}.get(tag, ("PMingLiU", "Microsoft JhengHei"))
    if tag == "zh-Hant-HK":
        windows = ("MingLiU_HKSCS", "Microsoft JhengHei")
    assert (value(fonts["body"], "altName"), value(fonts["heading"], "altName")) == windows
    charset = "86" if tag == "zh-Hans" else "88"
    assert value(fonts["body"], "charset") == value(fonts["heading"], "charset") == charset


STYLE_REFERENCES = (".//w:pStyle", ".//w:rStyle", ".//w:tblStyle")


def used_style_ids(path: Path) -> set[str]:
    used = set()
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            if name.endswith(".xml") and name != "word/styles.xml":
                root = zip_xml(path, name)
                for query in STYLE_REFERENCES:
                    used |= {e.get(W + "val") for e in root.iterfind(query, NS)}
    return used


@pytest.mark.parametrize("tag", PUBLISHED)
def test_one_clean_style_set(sample_out, fixture_out, tag):
    paths = docx_files(sample_out, tag)
    if tag in ("zh-Hans", "zh-Hant-TW"):
        paths += docx_files(fixture_out, tag, "docx-sample")
    for path in paths:
        styles = zip_xml(path, "word/styles.xml")
        defined = {s.get(W + "styleId"): s for s in styles.iterfind("w:style", NS)}
        # No character style linked to a paragraph style (a blue 20-pt "Heading 1 Char").
        assert styles.find(".//w:link", NS) is None, path.name
        # Every style used or based on is defined.
        used = used_style_ids(path)
        based = {e.get(W + "val") for e in styles.iterfind(".//w:basedOn", NS)}
        following = {e.get(W + "val") for e in styles.iterfind(".//w:next", NS)}
        assert used | based | following <= set(defined), (path.name, (used | based) - set(defined))
        assert "Footer" in defined and "TableNormal" in defined
        # Nothing left from pandoc's default that neither the editor nor the document uses.
        gallery = {k for k, s in defined.items() if s.find("w:qFormat", NS) is not None}
        defaults = {k for k, s in defined.items() if s.get(W + "default") == "1"}
        # One default style per kind: paragraph, character, table.
        kinds = [defined[k].get(W + "type") for k in defaults]
        assert sorted(kinds) == ["character", "paragraph", "table"], (path.name, defaults)
        leftovers = set(defined) - used - based - following - gallery - defaults
        assert not leftovers, (path.name, leftovers)
        assert not [k for k in defined if k.endswith("Tok") or k.startswith("Heading5")]
        assert "FirstParagraph" not in used


@pytest.mark.parametrize("tag", PUBLISHED)
def test_every_article_opens_in_the_same_body_style(sample_out, tag):
    document = docx.Document(edition_files(sample_out, tag)["docx"])
    firsts, waiting = [], False
    for paragraph in document.paragraphs:
        if paragraph.style.name == "Heading 1":
            waiting = True
        elif waiting and paragraph.style.name in BODY_STYLES:
            firsts.append(paragraph.style.name)
            waiting = False
    assert firsts == ["Body Text"] * 4


def cjk_runs_without_hint(root) -> list[str]:
    missing = []
    for run in root.iter(W + "r"):
        text = "".join(t.text or "" for t in run.iterfind("w:t", NS))
        if re.search(r"[\u3000-\u9fff\uff00-\uffef“”‘’]", text):
            fonts = run.find("w:rPr/w:rFonts", NS)
            if fonts is None or fonts.get(W + "hint") != "eastAsia":
                missing.append(text)
    return missing


@pytest.mark.parametrize("tag", PUBLISHED)
def test_punctuation_compressed_and_chinese_runs_east_asian(sample_out, fixture_out, tag):
    """Word compresses adjacent punctuation, and every run of Chinese, the contents'
    entries too (“葡”平致富路), is East Asian text: its “” are set full width."""
    paths = docx_files(sample_out, tag)
    if tag in ("zh-Hans", "zh-Hant-TW"):
        paths += docx_files(fixture_out, tag, "docx-sample")[:1]
    for path in paths:
        settings = zip_xml(path, "word/settings.xml")
        control = settings.find("w:characterSpacingControl", NS)
        assert control.get(W + "val") == "compressPunctuation"
        for part in ("word/document.xml", "word/footnotes.xml"):
            assert not cjk_runs_without_hint(zip_xml(path, part)), (path.name, part)
    contents = zip_xml(edition_files(sample_out, tag)["docx"], "word/document.xml").find(
        ".//w:sdt", NS
    )
    entries = [r for r in contents.iter(W + "r") if r.find("w:t", NS) is not None]
    assert any("萄" in "".join(r.itertext()) for r in entries)
    assert not cjk_runs_without_hint(contents)


@pytest.mark.parametrize("tag", PUBLISHED)
def test_word_asks_to_update_fields_only_where_there_are_fields(sample_out, tag):
    """`w:updateFields` makes Word ask on every opening: the edition has it, for its
    contents' page numbers (PAGEREF fields); an article's own DOCX has no field and
    does not ask."""

    def asks(path: Path) -> bool:
        with zipfile.ZipFile(path) as archive:
            return b"<w:updateFields" in archive.read("word/settings.xml")

    edition = edition_files(sample_out, tag)["docx"]
    with zipfile.ZipFile(edition) as archive:
        assert b"PAGEREF" in archive.read("word/document.xml")
    assert asks(edition)
    for path in sorted((sample_out / tag / "articles").glob("*.docx")):
        with zipfile.ZipFile(path) as archive:
            assert b"<w:fldChar" not in archive.read("word/document.xml"), path
        assert not asks(path), path
