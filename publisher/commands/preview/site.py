"""One variant of the edition as the preview serves it: the EPUB's own files.

The pages are made by the EPUB writer itself (styles/epub.css and
styles/templates/epub-*.xhtml), so the preview shows what the EPUB holds and
has no look of its own. What is served is looked up by name in this in-memory
package, never joined to a path on disk: nothing outside the edition can be
reached, and there is no folder to list.
"""

from __future__ import annotations

import io
import json
import mimetypes
import posixpath
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from publisher.base.languages import variant_named
from publisher.language.variants import apply_variant
from publisher.read.styles import Styles
from publisher.run.build import load_edition, plan_outputs
from publisher.writers import WriterContext, writer_for

XHTML = "http://www.w3.org/1999/xhtml"
OPF = "http://www.idpf.org/2007/opf"
CONTAINER = "urn:oasis:names:tc:opendocument:xmlns:container"
SCRIPT = "/_preview/live.js"
XHTML_TYPE = "application/xhtml+xml"


@dataclass(frozen=True)
class Page:
    name: str  # relative to the package root: "articles/03-zezhou.xhtml"
    title: str
    slug: str | None = None  # the article shown, for its PDF


@dataclass(frozen=True)
class Site:
    """The EPUB of one variant, unpacked: its files by name and its reading order."""

    tag: str
    generation: int
    files: dict[str, bytes]
    pages: list[Page]  # the spine: cover, title page, contents, each article
    contents: str  # the navigation document's name
    pdfs: dict[str, Path] = field(default_factory=dict)  # slug -> its per-article PDF

    def media_type(self, name: str) -> str:
        if name.endswith(".xhtml"):
            return XHTML_TYPE
        return mimetypes.guess_type(name)[0] or "application/octet-stream"


def render_site(
    source: Path,
    tag: str,
    variants: list[str],
    out: Path,
    cache: Path,
    styles_folder: Path,
    generation: int,
) -> Site:
    """Read the sources and make ``tag``'s EPUB; raise the sources' error if they are bad."""
    edition = load_edition(source, cache / "ast")
    variant = variant_named(tag)
    converted = apply_variant(edition, variant)
    with tempfile.TemporaryDirectory(prefix="publisher-preview-") as folder:
        target = Path(folder) / "preview.epub"
        writer_for("epub")().write(WriterContext(converted, Styles(styles_folder), cache), target)
        data = target.read_bytes()
    # Where `publisher build pdf` puts each article's PDF (the keys are not needed).
    planned = plan_outputs(edition, out, ["pdf"], [tag], environment="")
    pdfs = {o.article: o.path for o in planned if o.article}
    anchors = {article.anchor: article.slug for article in converted.articles}
    site = _unpack(data, tag, generation, anchors, pdfs)
    return _with_live_script(site, variants)


def _unpack(
    data: bytes, tag: str, generation: int, anchors: dict[str, str], pdfs: dict[str, Path]
) -> Site:
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        container = etree.fromstring(package.read("META-INF/container.xml"))
        opf_name = container.find(f".//{{{CONTAINER}}}rootfile").get("full-path")
        root = posixpath.dirname(opf_name)
        files = {
            posixpath.relpath(name, root): package.read(name)
            for name in package.namelist()
            if name.startswith(f"{root}/") and not name.endswith("/")
        }
        opf = etree.fromstring(package.read(opf_name))
    manifest = {item.get("id"): item for item in opf.iter(f"{{{OPF}}}item")}
    contents = next(
        item.get("href") for item in manifest.values() if "nav" in (item.get("properties") or "")
    )
    pages = []
    for ref in opf.iter(f"{{{OPF}}}itemref"):
        name = manifest[ref.get("idref")].get("href")
        document = etree.fromstring(files[name])
        title = "".join(document.findtext(f".//{{{XHTML}}}title") or "")
        ids = set(document.xpath("//@id"))
        slug = next((slug for anchor, slug in anchors.items() if anchor in ids), None)
        pages.append(Page(name, title, slug))
    return Site(tag, generation, files, pages, contents, pdfs)


def _with_live_script(site: Site, variants: list[str]) -> Site:
    """Each page loads the preview's script, told where it is (it draws the toolbar)."""
    for number, page in enumerate(site.pages):
        document = etree.fromstring(site.files[page.name])
        head = document.find(f"{{{XHTML}}}head")

        def link(other: Page | None) -> dict | None:
            return other and {"href": f"/{site.tag}/{other.name}", "title": other.title}

        settings = {
            "variant": site.tag,
            "variants": variants,
            "generation": site.generation,
            "page": page.name,
            "contents": f"/{site.tag}/{site.contents}",
            "previous": link(site.pages[number - 1] if number > 0 else None),
            "next": link(site.pages[number + 1] if number + 1 < len(site.pages) else None),
            "pdf": page.slug and f"/_preview/pdf/{site.tag}/{page.slug}.pdf",
        }
        script = etree.SubElement(
            head,
            f"{{{XHTML}}}script",
            {"src": SCRIPT, "defer": "defer", "data-preview": json.dumps(settings)},
        )
        script.text = ""
        site.files[page.name] = etree.tostring(
            document, xml_declaration=True, encoding="utf-8", doctype="<!DOCTYPE html>"
        )
    return site


def error_page(message: str, tag: str, variants: list[str]) -> bytes:
    """What a page shows when the sources have never built: only the error, from the script."""
    settings = {
        "variant": tag,
        "variants": variants,
        "generation": -1,
        "page": "",
        "contents": f"/{tag}/",
        "previous": None,
        "next": None,
        "pdf": None,
    }
    html = etree.Element(f"{{{XHTML}}}html", nsmap={None: XHTML}, lang=tag)
    head = etree.SubElement(html, f"{{{XHTML}}}head")
    etree.SubElement(head, f"{{{XHTML}}}title").text = "publisher preview"
    script = etree.SubElement(
        head,
        f"{{{XHTML}}}script",
        {"src": SCRIPT, "defer": "defer", "data-preview": json.dumps(settings)},
    )
    script.text = ""
    body = etree.SubElement(html, f"{{{XHTML}}}body")
    etree.SubElement(body, f"{{{XHTML}}}pre").text = message
    return etree.tostring(html, xml_declaration=True, encoding="utf-8", doctype="<!DOCTYPE html>")
