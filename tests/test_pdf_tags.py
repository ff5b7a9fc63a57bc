"""Tagged PDF by default, on the fast road (each article laid out once): the structure
tree holds the headlines in order, the figures with their alt text and the variant's
language; running heads and page numbers are artifacts. Archival PDFs take the same road."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pdfplumber
import pytest
from conftest import EDITION_NAME, PUBLISHED, SAMPLE, build_ok
from pypdf import PdfReader

from publisher.read.sources import read_edition


def pdf_info(path: Path) -> str:
    return subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True).stdout


def elements(tree: list[dict]) -> list[dict]:
    found = []
    for node in tree:
        found.append(node)
        found += elements(node.get("children", []))
    return found


def element_text(pdf: pdfplumber.PDF, node: dict) -> str:
    chars = []

    def collect(element: dict) -> None:
        if "mcids" in element:
            page = pdf.pages[element["page_number"] - 1]
            chars.extend(c["text"] for c in page.chars if c.get("mcid") in element["mcids"])
        for child in element.get("children", []):
            collect(child)

    collect(node)
    return "".join(chars)


def xmp(path: Path) -> str:
    root = PdfReader(path).trailer["/Root"]
    return root["/Metadata"].get_object().get_data().decode()


def test_every_pdf_is_tagged(sample_out):
    pdfs = sorted(sample_out.rglob("*.pdf"))
    assert len(pdfs) == 15
    for path in pdfs:
        info = pdf_info(path)
        assert "Tagged:          yes" in info, path
        assert 'pdfuaid:part="1"' in xmp(path), path


@pytest.mark.parametrize("tag", PUBLISHED)
def test_the_structure_tree_of_the_edition(sample_out, tag):
    source = read_edition(SAMPLE)
    with pdfplumber.open(sample_out / tag / f"{EDITION_NAME}.pdf") as pdf:
        assert pdf.doc.catalog["Lang"].decode() == tag
        tree = pdf.structure_tree
        assert [node["type"] for node in tree] == ["Document"]
        everything = elements(tree)
        headings = [element_text(pdf, n) for n in everything if n["type"] == "H1"]
        # the cover's title, then each article's headline, in reading order
        assert len(headings) == 1 + len(source.articles)
        for heading, article in zip(headings[1:], source.articles, strict=True):
            assert heading, article.path
        if tag == "zh-Hans":
            titles = [a.meta.title.replace("\u3000", "") for a in source.articles]
            assert headings[1:] == titles
        figures = [n for n in everything if n["type"] == "Figure"]
        assert len(figures) == 2
        assert all(figure.get("alt_text") for figure in figures)
        assert {"P", "Art", "Div", "Caption"} <= {n["type"] for n in everything}
        # Every character is either in the tree or furniture marked as an artifact.
        for page in pdf.pages:
            loose = [c["text"] for c in page.chars if c.get("mcid") is None]
            artifacts = [c["text"] for c in page.chars if c.get("tag") == "Artifact"]
            assert loose == artifacts, page.page_number


def test_running_heads_and_page_numbers_are_artifacts(sample_out):
    with pdfplumber.open(sample_out / "zh-Hans" / f"{EDITION_NAME}.pdf") as pdf:
        page = pdf.pages[2]  # the first article page
        artifact = "".join(c["text"] for c in page.chars if c.get("tag") == "Artifact")
        assert artifact.endswith("3")  # the page number
        assert "山西乡村振兴" in artifact  # the edition's running head


def edition_with(tmp_path: Path, pdf_options: str) -> Path:
    source = Path(shutil.copytree(SAMPLE, tmp_path / "src"))
    with (source / "edition.yaml").open("a", encoding="utf-8") as file:
        file.write(f"pdf: {pdf_options}\n")
    return source


@pytest.mark.xdist_group("archival")
def test_archival_takes_the_same_road_and_extracts_the_same_text(sample_out, tmp_path):
    source = edition_with(tmp_path, "{archival: true}")
    out = build_ok(source, tmp_path / "out", "pdf", "--variant", "zh-Hans")
    for path in [out / "zh-Hans" / f"{EDITION_NAME}.pdf", *(out / "zh-Hans").glob("articles/*")]:
        metadata = xmp(path)
        assert 'pdfaid:part="3"' in metadata and 'pdfaid:conformance="A"' in metadata, path
        root = PdfReader(path).trailer["/Root"]
        (intent,) = root["/OutputIntents"]
        assert intent.get_object()["/S"] == "/GTS_PDFA1"
        assert "Tagged:          yes" in pdf_info(path)
        default = sample_out / "zh-Hans" / path.relative_to(out / "zh-Hans")
        texts = [
            "".join(page.extract_text() for page in PdfReader(p).pages) for p in (path, default)
        ]
        assert texts[0] == texts[1], path


def test_tagged_false_gives_an_untagged_pdf(tmp_path):
    source = edition_with(tmp_path, "{tagged: false}")
    out = build_ok(source, tmp_path / "out", "pdf", "--variant", "zh-Hans")
    info = pdf_info(out / "zh-Hans" / f"{EDITION_NAME}.pdf")
    assert "Tagged:          no" in info
    assert not re.search(rb"StructTreeRoot", (out / "zh-Hans" / f"{EDITION_NAME}.pdf").read_bytes())


def test_bookmarks_follow_the_headlines_in_the_structure(sample_out):
    """The outline (bookmarks) lists the same headlines, in the same order, as the
    structure tree's H1 elements of the articles."""
    path = sample_out / "zh-Hans" / f"{EDITION_NAME}.pdf"
    reader = PdfReader(path)

    def titles(outline: list) -> list[str]:
        found = []
        for item in outline:
            if isinstance(item, list):
                continue  # subheads: a level below
            found.append(item.title.replace("\u3000", "").replace(" ", ""))
        return found

    with pdfplumber.open(path) as pdf:
        headings = [
            element_text(pdf, node) for node in elements(pdf.structure_tree) if node["type"] == "H1"
        ]
    assert titles(reader.outline) == headings[1:]  # the cover's title is no bookmark
