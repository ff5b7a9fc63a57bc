"""Distributor metadata: a series with its position, an ISBN per variant, and each
format's own cover; read back from the EPUB's package, the PDF's document information
and the DOCX's custom properties."""

from __future__ import annotations

import io
import shutil
import zipfile

import pytest
from conftest import SAMPLE, build_ok, run_publisher
from outputs import NS, epub_package
from PIL import Image
from pypdf import PdfReader

from publisher.commands.verify import epubcheck_problems

SETTINGS = """\
series: 山西乡村振兴系列
series_position: 3
isbn: {zh-Hans: 9787111111115, zh-Hant-TW: 978-957-000-000-9}
epub: {cover: images/epub-cover.png}
pdf: {cover: images/pdf-cover.png}
"""


@pytest.fixture(scope="module")
def shelf(tmp_path_factory):
    folder = tmp_path_factory.mktemp("distributor")
    source = shutil.copytree(SAMPLE, folder / "source")
    Image.new("RGB", (1600, 2400), (20, 60, 140)).save(source / "images" / "epub-cover.png")
    Image.new("RGB", (1600, 2262), (20, 140, 60)).save(source / "images" / "pdf-cover.png")
    edition = source / "edition.yaml"
    edition.write_text(edition.read_text(encoding="utf-8") + SETTINGS, encoding="utf-8")
    return source, build_ok(source, folder / "out", "pdf", "epub", "docx")


def _meta(package, prop: str) -> list[str]:
    return [m.text for m in package.iterfind(f".//opf:meta[@property='{prop}']", NS)]


def test_the_series_in_every_format(shelf):
    _, out = shelf
    for tag, name in (("zh-Hans", "山西乡村振兴系列"), ("zh-Hant-TW", "山西鄉村振興系列")):
        _, package = epub_package(out / tag / "shanxi-rural.epub")
        (collection,) = package.iterfind(".//opf:meta[@property='belongs-to-collection']", NS)
        assert collection.text == name and collection.get("id") == "series"
        refining = package.iterfind(".//opf:meta[@refines='#series']", NS)
        refined = {m.get("property"): m.text for m in refining}
        assert refined == {"collection-type": "series", "group-position": "3"}
        info = PdfReader(out / tag / "shanxi-rural.pdf").metadata
        assert (info["/Series"], info["/SeriesPosition"]) == (name, "3")
        with zipfile.ZipFile(out / tag / "shanxi-rural.docx") as docx:
            custom = docx.read("docProps/custom.xml").decode()
        assert f'name="Series"><vt:lpwstr>{name}</vt:lpwstr>' in custom
        assert 'name="Series position"><vt:lpwstr>3</vt:lpwstr>' in custom
    assert epubcheck_problems(out / "zh-Hant-TW" / "shanxi-rural.epub") == []


def test_an_isbn_per_variant(shelf):
    _, out = shelf
    identifiers = {}
    for tag in ("zh-Hans", "zh-Hant-TW", "zh-Hant-HK"):
        _, package = epub_package(out / tag / "shanxi-rural.epub")
        identifiers[tag] = package.findtext(".//dc:identifier", namespaces=NS)
        source = package.findtext(".//dc:source", namespaces=NS)
        assert source == (None if tag == "zh-Hans" else "urn:isbn:9787111111115"), tag
    assert identifiers["zh-Hans"] == "urn:isbn:9787111111115"
    assert identifiers["zh-Hant-TW"] == "urn:isbn:9789570000009"
    assert identifiers["zh-Hant-HK"].startswith("urn:uuid:")  # none of its own


def test_each_format_its_own_cover(shelf):
    source, out = shelf
    with zipfile.ZipFile(out / "zh-Hans" / "shanxi-rural.epub") as epub:
        _, package = epub_package(out / "zh-Hans" / "shanxi-rural.epub")
        (item,) = package.iterfind(".//opf:item[@properties='cover-image']", NS)
        assert (
            epub.read(f"EPUB/{item.get('href')}")
            == (source / "images" / "epub-cover.png").read_bytes()
        )
    page = PdfReader(out / "zh-Hans" / "shanxi-rural.pdf").pages[0]
    # The pages share one resource dictionary: the cover is the picture of its size.
    pictures = [Image.open(io.BytesIO(p.data)) for p in page.images]
    (cover,) = [p for p in pictures if p.size == (1600, 2262)]
    assert cover.convert("RGB").getpixel((10, 10)) == (20, 140, 60)


def test_a_bad_isbn_of_a_variant_names_the_line(sample_copy):
    edition = sample_copy / "edition.yaml"
    text = edition.read_text(encoding="utf-8")
    edition.write_text(text + "isbn: {zh-Hant-TW: 978-957-000-000-3}\n", "utf-8")
    checked = run_publisher("check", "--source", sample_copy)
    assert checked.returncode == 1
    assert "wrong check digit (expected 9)" in checked.stderr
    assert f"edition.yaml:{len(text.splitlines()) + 1}:" in checked.stderr
