"""Reading built files back: PDF through poppler, EPUB and DOCX as zips of XML."""

from __future__ import annotations

import subprocess
import zipfile
from pathlib import Path

from lxml import etree

NS = {
    "opf": "http://www.idpf.org/2007/opf",
    "dc": "http://purl.org/dc/elements/1.1/",
    "xhtml": "http://www.w3.org/1999/xhtml",
    "epub": "http://www.idpf.org/2007/ops",
    "container": "urn:oasis:names:tc:opendocument:xmlns:container",
    "w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
}
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def pdf_text(path: Path) -> str:
    """The PDF's text, without running heads (the top 60 pt of each page are cropped)
    and page numbers (lines of digits alone)."""
    text = subprocess.run(
        [
            "pdftotext",
            "-enc",
            "UTF-8",
            "-x",
            "0",
            "-y",
            "60",
            "-W",
            "100000",
            "-H",
            "100000",
            str(path),
            "-",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return "\n".join(line for line in text.splitlines() if not line.strip().isdigit())


def pdf_images(path: Path) -> list[dict[str, str]]:
    """pdfimages' list: one row per image drawn, with its page."""
    lines = subprocess.run(
        ["pdfimages", "-list", str(path)], capture_output=True, text=True, check=True
    ).stdout.splitlines()[2:]
    return [{"page": line.split()[0], "type": line.split()[2]} for line in lines]


def pdf_fonts(path: Path) -> list[dict[str, str]]:
    """pdffonts' table: name, type, emb, sub, uni for each font."""
    lines = subprocess.run(
        ["pdffonts", str(path)], capture_output=True, text=True, check=True
    ).stdout.splitlines()[2:]
    fonts = []
    for line in lines:
        fields = line.split()
        # name type... encoding emb sub uni object ID: read from the right.
        fonts.append(
            {
                "name": fields[0],
                "type": " ".join(fields[1:-6]),
                "emb": fields[-5],
                "sub": fields[-4],
                "uni": fields[-3],
            }
        )
    return fonts


def zip_xml(path: Path, name: str) -> etree._Element:
    with zipfile.ZipFile(path) as archive:
        return etree.fromstring(archive.read(name))


def epub_package(path: Path) -> tuple[str, etree._Element]:
    """The OPF's path inside the EPUB and its parsed XML."""
    container = zip_xml(path, "META-INF/container.xml")
    opf = container.find(".//container:rootfile", NS).get("full-path")
    return opf, zip_xml(path, opf)


def epub_spine_documents(path: Path) -> list[str]:
    """The spine's content documents, as paths inside the zip."""
    opf, package = epub_package(path)
    folder = opf.rsplit("/", 1)[0] + "/" if "/" in opf else ""
    items = {i.get("id"): i for i in package.iterfind(".//opf:manifest/opf:item", NS)}
    return [
        folder + items[ref.get("idref")].get("href")
        for ref in package.iterfind(".//opf:spine/opf:itemref", NS)
    ]
