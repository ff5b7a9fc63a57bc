"""The EPUB edition: EPUBCheck, then its package, nav and content documents read back."""

from __future__ import annotations

import io
import re
import shutil
import zipfile
from collections import Counter
from pathlib import Path

import pytest
import tinycss2
import yaml
from articles import article_files, front_matter
from conftest import FIXTURES, PUBLISHED, ROOT, SAMPLE, build_ok, edition_files, run_publisher
from fontTools.ttLib import TTFont
from lxml import etree
from outputs import NS, XML_LANG, epub_package, epub_spine_documents, zip_xml
from PIL import Image, ImageColor

from publisher.commands.verify import epubcheck_problems

MARKUP = FIXTURES / "markup"
FEATURES = {"tableOfContents", "readingOrder", "structuralNavigation", "alternativeText"}
CONFORMANCE = "EPUB Accessibility 1.1 - WCAG 2.1 Level AA"


def package_items(path: Path) -> tuple[str, etree._Element, dict[str, etree._Element]]:
    """The OPF's folder inside the zip, the package and its manifest items by id."""
    opf, package = epub_package(path)
    folder = opf.rsplit("/", 1)[0] + "/" if "/" in opf else ""
    items = {i.get("id"): i for i in package.iterfind(".//opf:manifest/opf:item", NS)}
    return folder, package, items


def meta(package: etree._Element, prop: str) -> list[str]:
    """The values of ``<meta property="prop">`` in the package metadata."""
    return [m.text for m in package.iterfind(f".//opf:metadata/opf:meta[@property='{prop}']", NS)]


def nav_document(path: Path) -> tuple[str, etree._Element]:
    folder, _, items = package_items(path)
    (nav,) = [i for i in items.values() if "nav" in (i.get("properties") or "").split()]
    name = folder + nav.get("href")
    return name, zip_xml(path, name)


def article_documents(path: Path) -> list[str]:
    """Spine documents that hold an article (a ``chapter`` section), in reading order."""
    return [
        d
        for d in epub_spine_documents(path)
        if zip_xml(path, d).find(".//xhtml:section[@epub:type='chapter']", NS) is not None
    ]


def isbn13(stem: str) -> str:
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(stem))
    return stem + str((10 - total % 10) % 10)


# ---------------------------------------------------------------- validity


@pytest.mark.parametrize("tag", PUBLISHED)
def test_epubcheck_clean(sample_out, tag):
    assert epubcheck_problems(edition_files(sample_out, tag)["epub"]) == []


@pytest.fixture(scope="module")
def markup_epubs(tmp_path_factory) -> Path:
    """The markup fixture (footnotes, a table, a block quote, code, links) as EPUBs."""
    out = tmp_path_factory.mktemp("markup-epub")
    return build_ok(MARKUP, out, "epub", "--variant", "zh-Hans", "--variant", "zh-Hant-HK")


def test_epubcheck_clean_with_footnotes_tables_quotes(markup_epubs):
    assert epubcheck_problems(markup_epubs / "zh-Hant-HK" / "markup.epub") == []


def test_mimetype_first_and_stored(sample_files):
    with zipfile.ZipFile(sample_files["epub"]) as archive:
        first = archive.infolist()[0]
        assert first.filename == "mimetype"
        assert first.compress_type == zipfile.ZIP_STORED
        assert archive.read("mimetype") == b"application/epub+zip"


@pytest.mark.parametrize("tag", PUBLISHED)
def test_no_duplicate_ids_in_any_document(sample_out, tag):
    epub = edition_files(sample_out, tag)["epub"]
    with zipfile.ZipFile(epub) as archive:
        names = [n for n in archive.namelist() if n.endswith((".xhtml", ".opf", ".ncx"))]
        assert len(names) >= 7  # cover, title page, nav, four articles, OPF, NCX
        for name in names:
            root = etree.fromstring(archive.read(name))
            ids = Counter(root.xpath("//@id"))
            assert not [i for i, n in ids.items() if n > 1], name


# ---------------------------------------------------------------- reproducible


@pytest.fixture(scope="module")
def epub_again(tmp_path_factory) -> Path:
    """A second build of the sample's EPUBs, in another folder with its own cache."""
    return build_ok(SAMPLE, tmp_path_factory.mktemp("again") / "build", "epub")


@pytest.mark.parametrize("tag", PUBLISHED)
def test_two_builds_byte_identical(sample_out, epub_again, tag):
    first = edition_files(sample_out, tag)["epub"].read_bytes()
    assert first == edition_files(epub_again, tag)["epub"].read_bytes()


def test_identifiers_stable_and_distinct_per_variant(sample_out, epub_again):
    identifiers = {}
    for tag in PUBLISHED:
        _, package = epub_package(edition_files(sample_out, tag)["epub"])
        _, again = epub_package(edition_files(epub_again, tag)["epub"])
        unique = package.get("unique-identifier")
        identifiers[tag] = package.find(f".//dc:identifier[@id='{unique}']", NS).text
        assert re.fullmatch(r"urn:uuid:[0-9a-f-]{36}", identifiers[tag])
        assert again.find(f".//dc:identifier[@id='{unique}']", NS).text == identifiers[tag]
    assert len(set(identifiers.values())) == len(PUBLISHED)


# ---------------------------------------------------------------- package metadata


@pytest.mark.parametrize("tag", PUBLISHED)
def test_language_per_variant_in_package_and_every_document(sample_out, tag):
    epub = edition_files(sample_out, tag)["epub"]
    _, package = epub_package(epub)
    assert [e.text for e in package.iterfind(".//dc:language", NS)] == [tag]
    with zipfile.ZipFile(epub) as archive:
        documents = [n for n in archive.namelist() if n.endswith(".xhtml")]
    assert set(epub_spine_documents(epub)) <= set(documents)
    for document in documents:
        root = zip_xml(epub, document)
        assert root.get("lang") == tag and root.get(XML_LANG) == tag, document
        assert root.findtext("xhtml:head/xhtml:title", namespaces=NS).strip(), document


def test_package_metadata(sample_files):
    _, package = epub_package(sample_files["epub"])
    metadata = package.find("opf:metadata", NS)
    assert package.get("version") == "3.0"
    assert metadata.findtext("dc:title", namespaces=NS) == "山西乡村振兴"
    assert metadata.findtext("dc:publisher", namespaces=NS) == "样稿编辑部"
    assert metadata.findtext("dc:date", namespaces=NS) == "2024-07-15"
    assert metadata.findtext("dc:description", namespaces=NS).startswith("山西省孝义市")
    creators = metadata.findall("dc:creator", NS)
    assert [c.text for c in creators] == ["张永祥", "郑涛", "赵慧", "赵阳飞"]
    assert len({c.get("id") for c in creators}) == len(creators)
    assert meta(package, "dcterms:modified") == ["2024-07-15T00:00:00Z"]


def test_accessibility_metadata(sample_files):
    _, package = epub_package(sample_files["epub"])
    assert set(meta(package, "schema:accessMode")) == {"textual", "visual"}
    assert "textual" in meta(package, "schema:accessModeSufficient")
    assert set(meta(package, "schema:accessibilityFeature")) >= FEATURES
    assert meta(package, "schema:accessibilityHazard") == ["none"]
    (summary,) = meta(package, "schema:accessibilitySummary")
    assert summary.strip()
    # Every image has alt text and every table header cells, so the claim holds.
    assert meta(package, "dcterms:conformsTo") == [CONFORMANCE]
    assert meta(package, "a11y:certifiedBy") == ["样稿编辑部"]


def test_no_conformance_claim_when_an_image_lacks_alt_text(sample_copy, tmp_path):
    article = sample_copy / "articles" / "01-xiaoyi.md"
    text = article.read_text(encoding="utf-8")
    article.write_text(re.sub(r"!\[资料图片\]\(([^)]*)\)\{[^}]*\}", r"![](\1)", text), "utf-8")
    result = run_publisher("build", "epub", "--source", sample_copy, "--out", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    assert "01-xiaoyi.md" in result.stderr and "alt" in result.stderr  # a warning says where
    _, package = epub_package(tmp_path / "out" / "zh-Hans" / "shanxi-rural.epub")
    assert meta(package, "dcterms:conformsTo") == []
    assert "alternativeText" not in meta(package, "schema:accessibilityFeature")
    assert "textual" not in meta(package, "schema:accessModeSufficient")


def test_isbn_and_cover_from_edition_yaml(sample_copy, tmp_path):
    isbn = isbn13("978753278888")
    Image.new("RGB", (1600, 2400), "#225588").save(sample_copy / "images" / "front.jpg")
    edition = sample_copy / "edition.yaml"
    extra = f"isbn: {isbn[:3]}-{isbn[3]}-{isbn[4:]}\ncover: images/front.jpg\n"
    edition.write_text(edition.read_text(encoding="utf-8") + extra, "utf-8")
    out = build_ok(sample_copy, tmp_path / "out", "epub")
    identifiers = {}
    for tag in PUBLISHED:
        _, package = epub_package(edition_files(out, tag)["epub"])
        unique = package.get("unique-identifier")
        identifiers[tag] = package.find(f".//dc:identifier[@id='{unique}']", NS).text
        if tag != "zh-Hans":  # a Traditional edition is derived from the ISBN one
            assert package.findtext(".//dc:source", namespaces=NS) == f"urn:isbn:{isbn}"
    # The ISBN identifies the edition in the source language; the others keep their own.
    assert identifiers["zh-Hans"] == f"urn:isbn:{isbn}"
    assert len(set(identifiers.values())) == len(PUBLISHED)
    # The cover is edition.yaml's, byte for byte, instead of a generated one.
    epub = edition_files(out, "zh-Hans")["epub"]
    folder, _, items = package_items(epub)
    (cover,) = [i for i in items.values() if "cover-image" in (i.get("properties") or "")]
    assert cover.get("media-type") == "image/jpeg"
    with zipfile.ZipFile(epub) as archive:
        jpeg = (sample_copy / "images" / "front.jpg").read_bytes()
        assert archive.read(folder + cover.get("href")) == jpeg
    assert epubcheck_problems(epub) == []


def test_bad_isbn_is_refused(sample_copy, tmp_path):
    edition = sample_copy / "edition.yaml"
    edition.write_text(edition.read_text(encoding="utf-8") + "isbn: 978-7-5327-8888-1\n", "utf-8")
    result = run_publisher("build", "epub", "--source", sample_copy, "--out", tmp_path / "out")
    assert result.returncode == 1
    assert "isbn" in result.stderr.lower() and "check digit" in result.stderr
    # `publisher check` refuses it too, with the line of edition.yaml.
    lines = edition.read_text(encoding="utf-8").count("\n")
    checked = run_publisher("check", "--source", sample_copy)
    assert checked.returncode == 1 and f"edition.yaml:{lines}:" in checked.stderr
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").rglob("*.epub"))


# ---------------------------------------------------------------- cover


@pytest.mark.parametrize("tag", PUBLISHED)
def test_generated_cover_image_and_page(sample_out, tag):
    epub = edition_files(sample_out, tag)["epub"]
    folder, package, items = package_items(epub)
    covers = [i for i in items.values() if "cover-image" in (i.get("properties") or "").split()]
    assert len(covers) == 1 and covers[0].get("media-type") == "image/png"
    legacy = package.find(".//opf:metadata/opf:meta[@name='cover']", NS)
    assert legacy.get("content") == covers[0].get("id")  # EPUB 2 readers' cover
    with zipfile.ZipFile(epub) as archive:
        image = Image.open(io.BytesIO(archive.read(folder + covers[0].get("href"))))
    assert image.format == "PNG" and image.height > image.width >= 1400
    # The design's colours: the background, most of the page; the type, with the shades
    # of its anti-aliased edges; the rule under the title.
    design = yaml.safe_load((ROOT / "styles" / "epub.yaml").read_text())["cover"]
    colours = {rgb: n for n, rgb in image.convert("RGB").getcolors(maxcolors=4096)}
    background, ink, rule = (ImageColor.getrgb(design[k]) for k in ("background", "text", "rule"))
    assert max(colours, key=colours.get) == background
    assert colours[ink] > 10_000 and colours[rule] > 1_000
    assert len(colours) >= 32  # edges are smooth
    # The cover page comes first in reading order and shows the cover image.
    first = zip_xml(epub, epub_spine_documents(epub)[0])
    img = first.find(".//xhtml:img", NS)
    assert img.get("src").endswith(covers[0].get("href"))
    assert img.get("role") == "doc-cover" and img.get("alt")


# ---------------------------------------------------------------- navigation and structure


@pytest.mark.parametrize("tag", PUBLISHED)
def test_nav_toc_lists_every_article_once(sample_out, tag):
    epub = edition_files(sample_out, tag)["epub"]
    name, nav = nav_document(epub)
    toc = nav.find(".//xhtml:nav[@epub:type='toc']", NS)
    links = toc.findall(".//xhtml:a", NS)
    folder = name.rsplit("/", 1)[0] + "/"
    targets = [folder + a.get("href").split("#")[0] for a in links]
    assert targets == article_documents(epub)
    assert len(links) == len(article_files(SAMPLE))
    if tag == "zh-Hans":
        titles = [front_matter(p)["title"] for p in article_files(SAMPLE)]
        assert ["".join(a.itertext()) for a in links] == titles


def test_nav_landmarks_and_reading_order(sample_files):
    epub = sample_files["epub"]
    name, nav = nav_document(epub)
    landmarks = nav.find(".//xhtml:nav[@epub:type='landmarks']", NS)
    kinds = [a.get(f"{{{NS['epub']}}}type") for a in landmarks.iterfind(".//xhtml:a", NS)]
    assert kinds == ["cover", "titlepage", "toc", "bodymatter"]
    spine = epub_spine_documents(epub)
    # cover, title page, contents (the nav itself), then the articles in edition order
    assert spine[2] == name and spine[3:] == article_documents(epub)
    assert zip_xml(epub, spine[1]).find(".//*[@epub:type='titlepage']", NS) is not None


def test_ncx_for_epub2_readers(sample_files):
    epub = sample_files["epub"]
    folder, package, items = package_items(epub)
    ncx_id = package.find(".//opf:spine", NS).get("toc")
    ncx = zip_xml(epub, folder + items[ncx_id].get("href"))
    labels = ncx.xpath("//n:navPoint/n:navLabel/n:text/text()", namespaces={"n": ncx.nsmap[None]})
    assert labels == [front_matter(p)["title"] for p in article_files(SAMPLE)]


def test_articles_headline_structure_and_semantics(sample_files):
    epub = sample_files["epub"]
    documents = article_documents(epub)
    titles = [front_matter(p)["title"] for p in article_files(SAMPLE)]
    assert len(documents) == len(titles)
    for document, title in zip(documents, titles, strict=True):
        root = zip_xml(epub, document)
        assert root.find("xhtml:body", NS).get(f"{{{NS['epub']}}}type") == "bodymatter"
        section = root.find(".//xhtml:section[@epub:type='chapter']", NS)
        assert section.get("role") == "doc-chapter"
        header = section.find("xhtml:header", NS)
        heading = header.find("xhtml:h1", NS)
        assert "".join(heading.itertext()) == title
        assert section.get("aria-labelledby") == heading.get("id")
        meta = front_matter(article_files(SAMPLE)[documents.index(document)])
        # Kicker and subtitle are paragraphs of the header, the byline one of a footer.
        kicker = header.find("xhtml:p[@class='kicker']", NS)
        assert "".join(kicker.itertext()) == meta["kicker"]
        if "subtitle" in meta:
            subtitle = header.find("xhtml:p[@class='subtitle']", NS)
            assert "".join(subtitle.itertext()) == meta["subtitle"]
        footer = section.find("xhtml:footer", NS)
        assert (
            "".join(footer.find("xhtml:p[@class='byline']", NS).itertext()).strip("（）")
            == (meta["byline"])
        )
        assert not [d for d in root.iter(f"{{{NS['xhtml']}}}div") if d.get("class")]


@pytest.mark.parametrize("tag", PUBLISHED)
def test_no_docx_attributes_in_the_epub(sample_out, tag):
    """custom-style is pandoc's DOCX paragraph style: no data-custom-style reaches the EPUB."""
    with zipfile.ZipFile(edition_files(sample_out, tag)["epub"]) as archive:
        for name in archive.namelist():
            if name.endswith((".xhtml", ".opf", ".ncx")):
                assert b"data-custom-style" not in archive.read(name), name


def test_stylesheet_keeps_lines_strict_paragraphs_whole_and_bylines_in_kai():
    """Widows, orphans and strict line breaking; the byline's Kai face first for every region."""
    css = (SAMPLE.parent / "styles" / "epub.css").read_text(encoding="utf-8")
    declarations: dict[str, dict[str, str]] = {}
    for rule in tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True):
        selector = tinycss2.serialize(rule.prelude).strip()
        for item in tinycss2.parse_declaration_list(rule.content, True, True):
            declarations.setdefault(selector, {})[item.lower_name] = tinycss2.serialize(
                item.value
            ).strip()
    assert declarations["p"]["widows"] == declarations["p"]["orphans"] == "2"
    assert declarations["body"]["line-break"] == "strict"
    for lang, kai in (("zh-Hans", "CN"), ("zh-Hant", "TW"), ("zh-Hant-HK", "HK")):
        family = declarations[f":lang({lang}) .byline"]["font-family"]
        assert family.startswith(f'"AR PL UKai {kai}"'), family


def test_figures_carry_image_caption_and_alt(sample_files):
    epub = sample_files["epub"]
    figures = []
    for document in epub_spine_documents(epub):
        figures += zip_xml(epub, document).findall(".//xhtml:figure", NS)
    assert len(figures) == 2
    with zipfile.ZipFile(epub) as archive:
        names = archive.namelist()
    for figure in figures:
        image = figure.find(".//xhtml:img", NS)
        assert image.get("alt").startswith("资料图片占位图")
        assert "".join(figure.find("xhtml:figcaption", NS).itertext()) == "资料图片"
        assert any(name.endswith(image.get("src").replace("../", "")) for name in names)


def test_footnotes_are_asides_with_noterefs(markup_epubs):
    root = zip_xml(markup_epubs / "zh-Hans" / "markup.epub", "EPUB/articles/01-markup.xhtml")
    refs = root.findall(".//xhtml:a[@epub:type='noteref']", NS)
    notes = root.findall(".//xhtml:aside[@epub:type='footnote']", NS)
    assert len(refs) == len(notes) == 1
    assert refs[0].get("role") == "doc-noteref" and notes[0].get("role") == "doc-footnote"
    assert refs[0].get("href") == "#" + notes[0].get("id")
    assert "脚注里的后台与头发" in "".join(notes[0].itertext())
    back = notes[0].find(".//xhtml:a[@role='doc-backlink']", NS)
    assert back.get("href") == "#" + refs[0].get("id")
    assert root.find(".//xhtml:ol", NS) is None  # pandoc's endnote list is gone
    assert root.find(".//xhtml:table//xhtml:th", NS) is not None
    assert root.find(".//xhtml:blockquote/xhtml:p", NS) is not None


def test_stylesheet_from_styles_linked_from_every_document(sample_files):
    epub = sample_files["epub"]
    css = (SAMPLE.parent / "styles" / "epub.css").read_bytes()
    with zipfile.ZipFile(epub) as archive:
        assert archive.read("EPUB/styles/epub.css") == css
        documents = [n for n in archive.namelist() if n.endswith(".xhtml")]
    for document in documents:
        links = zip_xml(epub, document).findall(".//xhtml:link[@rel='stylesheet']", NS)
        assert [link.get("href").rsplit("/", 1)[-1] for link in links] == ["epub.css"]


# ---------------------------------------------------------------- embedded fonts


@pytest.fixture(scope="module")
def embedded(tmp_path_factory) -> tuple[Path, Path]:
    """The sample with ``epub: {embed_fonts: true}``, built twice into separate folders."""
    base = tmp_path_factory.mktemp("embed")
    source = Path(shutil.copytree(SAMPLE, base / "source"))
    edition = source / "edition.yaml"
    edition.write_text(edition.read_text(encoding="utf-8") + "epub: {embed_fonts: true}\n")
    first = build_ok(source, base / "first", "epub", "--jobs", "2")
    second = build_ok(source, base / "second", "epub", "--variant", "zh-Hant-HK")
    return first, second


# The fixture takes a minute of CPU (fontTools subsets each CJK face): its tests share
# one test worker (`--dist loadgroup`, pyproject.toml) so that it is built once.
@pytest.mark.xdist_group("embedded")
@pytest.mark.parametrize("tag", PUBLISHED)
def test_embedded_font_subset_covers_the_text(embedded, sample_out, tag):
    epub = edition_files(embedded[0], tag)["epub"]
    folder, package, items = package_items(epub)
    fonts = [i for i in items.values() if i.get("media-type") == "font/woff2"]
    assert len(fonts) == 2  # regular and bold
    text = set()
    with zipfile.ZipFile(epub) as archive:
        for name in archive.namelist():
            if name.endswith(".xhtml"):
                body = etree.fromstring(archive.read(name)).find("xhtml:body", NS)
                text |= set("".join(body.itertext()))
        region = {"zh-Hans": "SC", "zh-Hant-TW": "TC", "zh-Hant-HK": "HK"}[tag]
        css = archive.read("EPUB/styles/fonts.css").decode()
        assert f'"Noto Serif CJK {region}"' in css
        sizes = []
        for font in fonts:
            data = archive.read(folder + font.get("href"))
            sizes.append(len(data))
            face = TTFont(io.BytesIO(data))
            assert face["name"].getDebugName(1) == f"Noto Serif CJK {region}"
            if font.get("href").endswith("normal.woff2"):
                cmap = face.getBestCmap()
                missing = {c for c in text if not c.isspace() and ord(c) not in cmap}
                assert not missing, sorted(missing)
    # A subset, not the whole face: well under a megabyte for one newspaper page.
    assert sum(sizes) < 1_000_000
    assert epub.stat().st_size > edition_files(sample_out, tag)["epub"].stat().st_size
    # Apple Books uses embedded fonts only when told to.
    assert meta(package, "ibooks:specified-fonts") == ["true"]


@pytest.mark.xdist_group("embedded")
def test_embedded_fonts_epubcheck_clean_and_reproducible(embedded):
    first, second = (edition_files(out, "zh-Hant-HK")["epub"] for out in embedded)
    assert first.read_bytes() == second.read_bytes()
    assert epubcheck_problems(first) == []


def test_fonts_not_embedded_by_default(sample_files):
    _, _, items = package_items(sample_files["epub"])
    assert not [i for i in items.values() if i.get("media-type", "").startswith("font/")]
