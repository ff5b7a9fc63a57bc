"""The PDF editions, read back with poppler, pypdf and pdfplumber (character positions)."""

from __future__ import annotations

import itertools
import shutil
import statistics
import subprocess
import sys

import pytest
from articles import article_files, body_paragraphs, front_matter, squeeze
from conftest import FIXTURES, PUBLISHED, SAMPLE, build_ok, edition_files
from outputs import pdf_fonts, pdf_images, pdf_text
from pdf_lines import (
    BODY_SIZE,
    CLOSING_PUNCTUATION,
    OPENING_PUNCTUATION,
    body_lines,
    lone_character,
    paragraph_ends,
    pdf_lines,
    right_edges,
    text_block,
)
from pypdf import PdfReader

from publisher.writers import cjk_justify, weasyprint_gate

PRINT = FIXTURES / "print"
SLUGS = [path.stem for path in article_files(SAMPLE)]


def all_pdfs(out):
    return sorted(out.rglob("*.pdf"))


@pytest.fixture(scope="module")
def print_out(tmp_path_factory):
    """A one-article edition with a long headline, a long URL, footnotes, rare characters."""
    return build_ok(PRINT, tmp_path_factory.mktemp("print"), "pdf")


# ---------------------------------------------------------------- files, fonts, text


def test_edition_and_article_pdfs_for_every_variant(sample_out):
    for tag in PUBLISHED:
        assert edition_files(sample_out, tag)["pdf"].is_file()
        for slug in SLUGS:
            assert (sample_out / tag / "articles" / f"{slug}.pdf").is_file()


def test_every_font_embedded_subset_and_not_type3(sample_out, print_out):
    for path in [*all_pdfs(sample_out), *all_pdfs(print_out)]:
        fonts = pdf_fonts(path)
        assert fonts, path
        for font in fonts:
            assert font["emb"] == "yes" and font["sub"] == "yes", (path, font)
            assert font["uni"] == "yes", (path, font)  # text can be extracted and searched
            assert "Type 3" not in font["type"], (path, font)


def test_text_holds_every_article(sample_files):
    text = squeeze(pdf_text(sample_files["pdf"]))
    for path in article_files(SAMPLE):
        meta = front_matter(path)
        for paragraph in body_paragraphs(path):
            assert squeeze(paragraph) in text, paragraph[:30]
        assert squeeze(meta["kicker"]) in text
        assert squeeze(meta["title"]) in text
        assert f"（{squeeze(meta['byline'])}）" in text
        assert "资料图片" in text


def test_article_pdfs_hold_their_article_only(sample_out):
    paths = article_files(SAMPLE)
    for path in paths:
        text = squeeze(pdf_text(sample_out / "zh-Hans" / "articles" / f"{path.stem}.pdf"))
        for paragraph in body_paragraphs(path):
            assert squeeze(paragraph) in text
        for other in paths:
            if other != path:
                assert squeeze(body_paragraphs(other)[0]) not in text
        outline = PdfReader(sample_out / "zh-Hans" / "articles" / f"{path.stem}.pdf").outline
        assert [item.title for item in outline] == [front_matter(path)["title"]]


# ---------------------------------------------------------------- structure and metadata


@pytest.mark.parametrize("tag", PUBLISHED)
def test_outline_cover_contents_and_pages(sample_out, tag):
    reader = PdfReader(edition_files(sample_out, tag)["pdf"])
    outline = [item for item in reader.outline if not isinstance(item, list)]
    assert len(outline) == len(SLUGS)
    starts = [reader.get_destination_page_number(item) for item in outline]
    # Cover, contents, then every article on a page of its own.
    assert starts[0] == 2 and starts == sorted(set(starts))
    cover = reader.pages[0].extract_text()
    assert "2024年7月15日" in cover and ("样稿编辑部" in cover or "樣稿編輯部" in cover)
    contents = squeeze(reader.pages[1].extract_text())
    assert contents.startswith(("目录", "目錄"))
    for item, start in zip(outline, starts, strict=True):
        # Each entry: the title, a leader, the page number the article starts on.
        after = contents.split(squeeze(item.title), 1)[1].lstrip("…")
        assert after.startswith(str(start + 1)), (item.title, after[:10])


def test_figures_in_their_articles(sample_files):
    reader = PdfReader(sample_files["pdf"])
    starts = [reader.get_destination_page_number(item) for item in reader.outline]
    pages = [int(image["page"]) for image in pdf_images(sample_files["pdf"])]
    assert len(pages) == 2
    # At the top of the first article, inside the last (pdfimages counts from 1).
    assert pages[0] == starts[0] + 1 and pages[1] >= starts[3] + 1


def test_metadata(sample_files, sample_out):
    reader = PdfReader(sample_files["pdf"])
    assert reader.trailer["/Root"]["/Lang"] == "zh-Hans"
    info = reader.metadata
    assert info.title == "山西乡村振兴"
    assert info.author == "张永祥, 郑涛, 赵慧, 赵阳飞"
    assert info.subject.startswith("山西省孝义市")
    assert info["/Keywords"] == "乡村振兴, 山西"
    assert info["/CreationDate"].startswith("D:20240715")
    article = PdfReader(sample_out / "zh-Hant-TW" / "articles" / "02-jiaokou.pdf").metadata
    assert article.title == "深入開展「三個一批」行動\u3000助推幸福養老提檔升級"
    assert article.author == "張永祥, 鄭濤"


def test_running_heads(sample_files):
    lines = pdf_lines(sample_files["pdf"])
    heads = [(line.page, squeeze(line.text)) for line in lines if line.size == 8 and line.top < 60]
    # No running head on the cover or the contents.
    assert heads and not any(page in (0, 1) for page, _ in heads)
    # Every article page carries the edition title and its own article's title.
    reader = PdfReader(sample_files["pdf"])
    starts = [reader.get_destination_page_number(item) for item in reader.outline]
    titles = [squeeze(item.title) for item in reader.outline]
    for number in range(starts[0], len(reader.pages)):
        current = titles[max(i for i, start in enumerate(starts) if start <= number)]
        on_page = "".join(text for page, text in heads if page == number)
        assert "山西乡村振兴" in on_page and current in on_page, (number, on_page)


def test_byline_in_kai_and_kicker_above_headline(sample_files):
    lines = pdf_lines(sample_files["pdf"])
    bylines = [line for line in lines if line.text.startswith("（") and "UKai" in line.font]
    assert [squeeze(line.text) for line in bylines] == [
        squeeze(f"（{front_matter(p)['byline']}）") for p in article_files(SAMPLE)
    ]
    for path in article_files(SAMPLE):
        meta = front_matter(path)
        kicker = next(line for line in lines if line.text == meta["kicker"] and line.size == 12)
        # The headline's first line (a two-part headline may take two).
        first_part = meta["title"].split("\u3000")[0]
        title = next(line for line in lines if line.size == 20 and line.text.startswith(first_part))
        assert kicker.page == title.page and kicker.top < title.top
        assert kicker.size < title.size


@pytest.mark.parametrize(
    ("tagged", "archival", "marker"),
    [
        (True, False, "/StructTreeRoot"),
        (False, True, "pdfaid"),
        (True, True, "pdfaid"),
    ],
)
def test_accessibility_and_archive_options(tmp_path, tagged, archival, marker):
    source = tmp_path / "source"
    shutil.copytree(PRINT, source)
    edition = source / "edition.yaml"
    edition.write_text(
        edition.read_text().replace("variants: [zh-Hans, zh-Hant-TW]", "variants: [zh-Hans]")
        + f"pdf: {{tagged: {str(tagged).lower()}, archival: {str(archival).lower()}}}\n"
    )
    out = build_ok(source, tmp_path / "out", "pdf")
    pdf = out / "zh-Hans" / "print-test.pdf"
    reader = PdfReader(pdf)
    root = reader.trailer["/Root"]
    if marker == "/StructTreeRoot":
        assert "/StructTreeRoot" in root and root["/MarkInfo"]["/Marked"]
    else:
        xmp = root["/Metadata"].get_object().get_data().decode()
        assert 'pdfaid:part="3"' in xmp
        # PDF/A-3a (accessible: tagged) when also tagged, else PDF/A-3u.
        assert f'pdfaid:conformance="{"A" if tagged else "U"}"' in xmp
        assert ("/StructTreeRoot" in root) == tagged


def _fonts_of(html: str) -> list:
    """The fonts WeasyPrint would embed for ``html``, each with the glyphs it uses."""
    import pydyf
    from weasyprint import HTML
    from weasyprint.pdf.stream import Stream

    fonts: dict = {}
    resources = {key: pydyf.Dictionary() for key in ("ExtGState", "XObject", "Pattern", "Shading")}
    for page in HTML(string=html).render().pages:
        page.paint(Stream(fonts, (0, 0, 1, 1), resources, {}, None, {}, None), 0.75)
    return list(fonts.values())


def test_one_subset_pass_gives_weasyprints_bytes():
    """pdf_costs subsets a CFF font (Noto CJK) once where WeasyPrint subsets twice, for the
    same bytes; a TrueType font (UKai) keeps WeasyPrint's two passes."""
    import copy

    from publisher.writers import pdf_costs

    pdf_costs.install()
    text = "山西乡村振兴：小麦、玉米、谷子，“一村一品”——新农村（资料图片）。臺灣繁體"
    fonts = _fonts_of(
        "".join(
            f"<p style='font-family: {family}; font-weight: {weight}'>{text}</p>"
            for family, weight in [
                ("Noto Serif CJK SC", 400), ("Noto Sans CJK SC", 700),
                ("Noto Sans CJK TC", 400), ("AR PL UKai CN", 400),
            ]
        )
    )  # fmt: skip
    assert len(fonts) == 4
    for font in fonts:
        cff = "CFF " in font.tables
        assert cff == ("Noto" in font.family), font.family
        weasyprint_font, ours = copy.copy(font), copy.copy(font)
        pdf_costs.WEASYPRINT_SUBSET(weasyprint_font, font.to_unicode, False)
        ours.subset(font.to_unicode, False)  # as build_fonts_dictionary calls it
        assert ours.file_content == weasyprint_font.file_content, font.family
        assert len(ours.file_content) < 2_000_000  # a subset, not the 20 MB collection
        if cff:
            assert pdf_costs.subset_once(font, font.to_unicode, False) == ours.file_content


def test_font_file_read_only_when_needed():
    """A font's whole file is copied out of HarfBuzz only if read (never for a subset)."""
    from publisher.writers import pdf_costs

    pdf_costs.install()
    (font,) = _fonts_of("<p style='font-family: Noto Serif CJK SC'>山西</p>")
    assert font.__dict__["_file_content"] is pdf_costs._FROM_FACE
    whole = font.file_content  # what WeasyPrint embeds for a font it does not subset
    assert whole[:4] == b"ttcf" and len(whole) > 20_000_000


def test_streams_serialised_once_per_write():
    """With an identifier, pydyf hashes every object it has written: each stream is
    made (serialised, compressed) once, and the file's bytes are pydyf's own."""
    import io

    import pydyf

    from publisher.writers import pdf_costs

    pdf_costs.install()
    made = []

    class Content:
        """A stream item that notes each time pydyf turns it into bytes."""

        def __str__(self) -> str:
            made.append(1)
            return "0 0 m 10 10 l S"

    def pdf_bytes() -> bytes:
        document = pydyf.PDF()
        page = pydyf.Dictionary({"Type": "/Page", "Parent": document.pages.reference})
        content = pydyf.Stream([Content(), b"BT ET"], compress=True)
        document.add_object(content)
        page["Contents"] = content.reference
        document.add_page(page)
        output = io.BytesIO()
        document.write(output, b"1.7", b"edition-id", True)
        return output.getvalue()

    ours = pdf_bytes()
    assert len(made) == 1
    made.clear()
    patched = pydyf.PDF.write, pydyf.Stream.data
    pydyf.PDF.write, pydyf.Stream.data = pdf_costs.PYDYF_WRITE, pdf_costs.PYDYF_STREAM_DATA
    try:
        theirs = pdf_bytes()
    finally:
        pydyf.PDF.write, pydyf.Stream.data = patched
    assert len(made) == 2  # what this saves: pydyf made the stream twice
    assert ours == theirs and b"/ID" in ours


def test_fonttools_subset_loaded_on_first_use():
    """WeasyPrint's fontTools fallbacks load when called, not with the PDF writer."""
    code = (
        "import sys; import publisher.writers.pdf; "
        "assert 'fontTools.subset' not in sys.modules, 'loaded early'; "
        "from weasyprint.pdf import fonts; fonts.subset.Options(hinting=False); "
        "assert 'fontTools.subset' in sys.modules"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


# ---------------------------------------------------------------- Chinese typography


def test_justification_extension_matches_weasyprint():
    # Fails loudly when WeasyPrint is upgraded under the patch: review cjk_justify.py.
    weasyprint_gate.check()
    cjk_justify.install()
    from weasyprint.layout import inline

    assert inline.justify_line is cjk_justify.justify_line


@pytest.mark.parametrize("tag", PUBLISHED)
def test_body_lines_justified_to_half_a_point(sample_out, tag):
    edges = right_edges(edition_files(sample_out, tag)["pdf"])
    assert len(edges) > 50
    worst = max(abs(distance) for distance, _ in edges)
    assert worst <= 0.5, [(round(d, 2), line.text[-6:]) for d, line in edges if abs(d) > 0.5]
    # And the median line is flush, not just inside the bound.
    assert statistics.median(abs(distance) for distance, _ in edges) < 0.15


@pytest.mark.parametrize("tag", PUBLISHED)
def test_no_paragraph_ends_with_a_lone_character(sample_out, tag):
    """No 孤字: the sample has paragraphs that would end in …景。 or …说。 alone;
    their character is pulled back by narrowing the line before, which stays flush."""
    path = edition_files(sample_out, tag)["pdf"]
    ends = paragraph_ends(path)
    assert len(ends) > 20
    assert not [line.text for line in ends if lone_character(line)]
    _, right = text_block(body_lines(path))
    pulled = [line for line in ends if line.x1 > right - BODY_SIZE / 2]
    assert pulled  # the narrowed lines, which now end their paragraphs at the full measure
    for line in pulled:
        assert abs(right - line.x1) <= 0.5, (line.text, right - line.x1)
        advances = [b["x0"] - a["x0"] for a, b in itertools.pairwise(line.chars)]
        narrowest = statistics.median(advances)
        # Narrowed by at most cjk_justify.MAX_PULL_BACK em per character.
        assert narrowest >= BODY_SIZE * (1 - cjk_justify.MAX_PULL_BACK) - 0.01, line.text


@pytest.mark.parametrize("tag", PUBLISHED)
def test_no_line_starts_with_closing_or_ends_with_opening_punctuation(sample_out, print_out, tag):
    paths = [edition_files(sample_out, tag)["pdf"]]
    if tag in ("zh-Hans", "zh-Hant-TW"):
        paths.append(print_out / tag / "print-test.pdf")
    for path in paths:
        for line in pdf_lines(path):
            assert line.text[0] not in CLOSING_PUNCTUATION, (path.name, line.text)
            assert line.text[-1] not in OPENING_PUNCTUATION, (path.name, line.text)


def test_adjacent_punctuation_takes_one_and_a_half_ems(sample_files):
    checked = 0
    for line in body_lines(sample_files["pdf"]):
        pairs = list(zip(line.chars, line.chars[1:], strict=False))
        # The line's justification space: what two ideographs are set apart beyond an em.
        ideographs = [
            b["x0"] - a["x0"]
            for a, b in pairs
            if "\u4e00" <= a["text"] <= "\u9fff" and "\u4e00" <= b["text"] <= "\u9fff"
        ]
        if not ideographs:
            continue
        spacing = statistics.median(ideographs) - BODY_SIZE
        for first, second in pairs:
            if first["text"] + second["text"] in ("”。", "”，", "：“", "。”", "，“", "》《"):
                gap = second["x0"] - first["x0"]
                # The first mark advances half an em, not a whole one.
                assert abs(gap - (BODY_SIZE / 2 + spacing)) < 0.15, (line.text, gap, spacing)
                checked += 1
    assert checked > 10


@pytest.mark.parametrize("tag", ["zh-Hans", "zh-Hant-TW"])
def test_no_headline_line_of_one_character(print_out, tag):
    headline = [line for line in pdf_lines(print_out / tag / "print-test.pdf") if line.size == 20]
    assert len(headline) == 2  # the fixture's headline does not fit one line
    assert all(len(line.text) >= 2 for line in headline), [line.text for line in headline]


@pytest.mark.parametrize("tag", ["zh-Hans", "zh-Hant-TW"])
def test_nothing_outside_the_page_or_the_text_block(print_out, sample_out, tag):
    for path in (print_out / tag / "print-test.pdf", edition_files(sample_out, tag)["pdf"]):
        lines = pdf_lines(path)
        body = body_lines(path)
        left = min(line.x0 for line in body)
        right = body[0].page_width - left
        for line in lines:
            assert line.x0 >= 0 and line.x1 <= line.page_width, (path.name, line.text)
            if line.top > 60 and line.size <= BODY_SIZE:  # not running heads
                overhang = line.x1 - right
                # A line-final compressed mark or the space after a byline may hang.
                assert overhang <= BODY_SIZE / 2 + 0.5, (path.name, line.text, overhang)
                assert line.x0 >= left - 0.5, (path.name, line.text)


def test_footnotes_at_the_foot_of_their_page(print_out):
    lines = pdf_lines(print_out / "zh-Hans" / "print-test.pdf")
    notes = [line for line in lines if line.text.startswith(("1.", "2."))]
    assert [n.text for n in notes] == ["1.第一个脚注，排在页脚。", "2.第二个脚注，也排在页脚。"]
    body = [
        line
        for line in body_lines(print_out / "zh-Hans" / "print-test.pdf")
        if line.page == notes[0].page
    ]
    assert all(note.top > max(line.top for line in body) for note in notes)
    assert all(note.size < BODY_SIZE for note in notes)
    assert "正文加脚注1，再加一个脚注2。" in squeeze(
        pdf_text(print_out / "zh-Hans" / "print-test.pdf")
    )


def test_rare_characters_fall_back_to_a_font_that_has_them(print_out):
    path = print_out / "zh-Hans" / "print-test.pdf"
    assert "𪚥" in pdf_text(path) and "𠀀" in pdf_text(path)
    rare = [c for line in pdf_lines(path) for c in line.chars if c["text"] in "𪚥𠀀"]
    assert rare and all("HanaMin" in c["fontname"] for c in rare)


def test_long_url_and_word_wrap_inside_the_block(print_out):
    text = squeeze(pdf_text(print_out / "zh-Hans" / "print-test.pdf"))
    assert "segment039?query=" in text
    assert "Pneumonoultramicroscopicsilicovolcanoconiosis" * 4 in text


def test_cover_image_and_one_article_edition(tmp_path):
    source = tmp_path / "source"
    (source / "articles").mkdir(parents=True)
    (source / "images").mkdir()
    shutil.copy(SAMPLE / "images" / "placeholder-photo-1.png", source / "images" / "front.png")
    (source / "edition.yaml").write_text("title: 单篇\nname: one\ncover: images/front.png\n")
    # A `#` in the body is a subhead: the outline keeps one entry per article.
    (source / "articles" / "a.md").write_text("---\ntitle: 唯一一篇\n---\n\n# 小标题\n\n正文。\n")
    out = build_ok(source, tmp_path / "out", "pdf")
    edition = PdfReader(out / "zh-Hans" / "one.pdf")
    # Even with one article, the edition has its cover (the image) and contents.
    assert [int(i["page"]) for i in pdf_images(out / "zh-Hans" / "one.pdf")] == [1]
    assert squeeze(edition.pages[1].extract_text()).startswith("目录")
    top = [item.title for item in edition.outline if not isinstance(item, list)]
    assert top == ["唯一一篇"]  # the subhead is nested under its article
    assert [item.title for item in edition.outline[1]] == ["小标题"]
    article = PdfReader(out / "zh-Hans" / "articles" / "a.pdf")
    assert len(article.pages) == 1 and article.outline[0].title == "唯一一篇"


def test_units_of_a_process_share_one_font_configuration(tmp_path):
    """WeasyPrint never frees a font configuration's native memory: a process's units
    share one per stylesheet, unless the stylesheet adds faces of its own."""
    from publisher import DEFAULT_STYLES
    from publisher.writers.pdf import LocalFetcher, print_look

    fetcher = LocalFetcher([DEFAULT_STYLES])
    first, second = (print_look(DEFAULT_STYLES / "print.css", fetcher) for _ in range(2))
    assert first[0] is second[0] and first[1] is second[1]
    own = tmp_path / "print.css"
    own.write_text(
        (DEFAULT_STYLES / "print.css").read_text(encoding="utf-8")
        + '\n@font-face { font-family: "Mine"; src: local("Noto Serif CJK SC"); }\n',
        encoding="utf-8",
    )
    third, fourth = (print_look(own, LocalFetcher([tmp_path])) for _ in range(2))
    assert third[0] is not fourth[0] and third[0] is not first[0]
