"""The vertical PDF (直排): ``pdf: {vertical: [...]}`` in edition.yaml.

The same document as the horizontal PDF (``templates/edition.html``: cover,
contents, articles with print typography), set with ``styles/print-vertical.css``
and laid out by Vivliostyle in chromium (:mod:`.vivliostyle`), since WeasyPrint
has no vertical writing. Then:

- Fonts: each face of ``styles/vertical-pdf.yaml`` goes in as a TrueType subset
  holding the document's characters (:func:`.fonts.subset_truetype`), so chromium
  embeds CID fonts with ToUnicode rather than Type 3 glyph pictures, and a PDF's
  bytes depend on its own document only.
- Bytes: chromium stamps the clock into the PDF; the PDF is rewritten with the
  edition's dates (or none), its language and the right-to-left page order, so the
  same sources give the same bytes.
- One layout per document: Vivliostyle cannot lay an article out once for both its
  own PDF and the edition's (the page numbers and running heads of a page are part
  of its layout), so the edition and each article are laid out apart, in one run
  of the engine per unit.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path

from lxml import html as lxml_html
from pypdf import PdfReader, PdfWriter
from pypdf.generic import BooleanObject, DictionaryObject, NameObject, TextStringObject

from publisher.base import yamltext
from publisher.base.errors import BuildError
from publisher.base.model import Edition, anchor
from publisher.document.headline import article_text
from publisher.writers import typography, vivliostyle
from publisher.writers.base import WriterContext
from publisher.writers.fonts import Face, find_face, report_uncovered, subset_truetype
from publisher.writers.html import article_html, data_uri, print_document
from publisher.writers.vertical_text import upright_digits

STYLESHEET = "print-vertical.css"
FACES = "vertical-pdf.yaml"
# Characters the stylesheet draws of its own (page numbers in Chinese numerals, the
# contents' spacing): in every subset, whatever the text holds.
GENERATED = "〇一二三四五六七八九十　0123456789"


def is_vertical(edition: Edition) -> bool:
    """Whether this variant's PDFs are set vertically (``edition`` is converted)."""
    return edition.lang in edition.config.pdf.vertical


def write_vertical(
    context: WriterContext, edition: Path | None, articles: Mapping[str, Path]
) -> None:
    """The vertical PDF of the edition (to ``edition``, unless None) and of each article
    named in ``articles`` (slug -> target)."""
    whole = context.edition
    parts = ([(whole, edition)] if edition is not None else []) + [
        (whole.only(slug), target) for slug, target in articles.items()
    ]
    design = yamltext.load(context.styles.file(FACES).read_text("utf-8")) or {}
    faces = _faces(context, design)
    fallback = context.styles.fallback_faces(FACES)
    for article in whole.articles:
        if edition is not None or article.slug in articles:
            report_uncovered(
                article_text(article), [faces[0][2].family, *fallback], "the vertical PDF",
                article.shown, article.line_of,
            )  # fmt: skip
    documents = [_document(context, part) for part, _ in parts]
    texts = ["".join(sorted(_characters(document) | set(GENERATED))) for document in documents]
    context.cache.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=context.cache, prefix="vertical-") as work:
        folder = Path(work)
        (folder / "fonts").mkdir()
        shutil.copyfile(context.styles.file(STYLESHEET), folder / STYLESHEET)
        heads = _fonts(folder, faces, texts, context.cache, _borrowed(design))
        pairs = []
        for number, (document, head) in enumerate(zip(documents, heads, strict=True)):
            page = folder / f"document-{number}.html"
            head += f'<link rel="stylesheet" href="{STYLESHEET}">\n'
            page.write_text(_with_head(document, head), "utf-8")
            pairs.append((page, folder / f"document-{number}.pdf"))
        vivliostyle.render(pairs, folder)
        for (_, laid_out), (part, target) in zip(pairs, parts, strict=True):
            _finish(laid_out, target, part)


def _faces(context: WriterContext, design: dict) -> list[tuple[str, int, Face]]:
    """(CSS family, weight, installed face) of the variant, from vertical-pdf.yaml."""
    tag = context.edition.lang
    families = (design.get("faces") or {}).get(tag)
    if not families:
        raise BuildError(
            f"{context.styles.file(FACES)}: no faces for {tag}; add them under `faces:`"
        )
    weights = design.get("weights") or {}
    return [
        (family, int(weight), find_face(installed, style))
        for family, installed in families.items()
        for weight, style in (weights.get(family) or {400: "Regular"}).items()
    ]


def _document(context: WriterContext, part: Edition) -> lxml_html.HtmlElement:
    """``part`` (the edition, or one article) as the vertical PDF's HTML tree."""
    slugs = {article.slug for article in part.articles}

    def xref(slug: str, fragment: str | None) -> str | None:
        # Another article of this document: its place in it; elsewhere, text.
        if slug not in slugs:
            return None
        return f"#{anchor(slug)}" + (f"-{fragment}" if fragment else "")

    bodies = [
        (article, article_html(part, article, data_uri, xref, typography.for_print))
        for article in part.articles
    ]
    tree = lxml_html.document_fromstring(print_document(context.styles, part, bodies))
    upright_digits(tree.body)
    return tree


def _characters(tree: lxml_html.HtmlElement) -> set[str]:
    """What the document can draw: its text, and the attributes the stylesheet shows
    (running heads: data-*) or chromium shows (alt, title). Not the pictures' data:
    URIs, megabytes of base64 that no one reads."""
    found = set(tree.body.text_content())
    for element in tree.body.iter():
        for name, value in element.attrib.items():
            if name in ("alt", "title") or name.startswith("data-"):
                found.update(value)
    return found


def _borrowed(design: dict) -> dict[str, tuple[str, str]]:
    """Family -> (the family it borrows from, the characters): vertical-pdf.yaml's
    ``borrow``, for characters a face has no vertical form of."""
    return {
        family: (str(spec["from"]), str(spec["characters"]))
        for family, spec in (design.get("borrow") or {}).items()
    }


def _fonts(
    folder: Path,
    faces: list[tuple[str, int, Face]],
    texts: list[str],
    cache: Path,
    borrowed: dict[str, tuple[str, str]],
) -> list[str]:
    """For each document (its characters in ``texts``), each face's TrueType subset in
    ``folder``/fonts and the @font-face rules that name them; then, for a family that
    borrows characters, a rule giving those from the other family's file (declared
    last, so that it wins for them: CSS Fonts 4, ``unicode-range``)."""
    rules: list[list[str]] = [[] for _ in texts]
    files: list[dict[tuple[str, int], str]] = [{} for _ in texts]
    for number, (family, weight, face) in enumerate(faces):
        for document, data in enumerate(subset_truetype(face, texts, cache)):
            name = f"fonts/{document}-{number}-{weight}.ttf"
            (folder / name).write_bytes(data)
            files[document][family, weight] = name
            rules[document].append(_font_face(family, weight, name))
    for family, (lender, characters) in borrowed.items():
        ranges = ", ".join(f"U+{ord(c):04X}" for c in sorted(set(characters)))
        for document, named in enumerate(files):
            for owner, weight in list(named):
                lent = named.get((lender, weight)) or named.get((lender, 400))
                if owner == family and lent:
                    rules[document].append(_font_face(family, weight, lent, ranges))
    return ["<style>\n" + "\n".join(own) + "\n</style>\n" for own in rules]


def _font_face(family: str, weight: int, name: str, ranges: str = "") -> str:
    also = f" unicode-range: {ranges};" if ranges else ""
    return (
        f'@font-face {{ font-family: "{family}"; font-weight: {weight}; '
        f'src: url("{name}") format("truetype");{also} }}'
    )


def _with_head(tree: lxml_html.HtmlElement, head: str) -> str:
    html = lxml_html.tostring(tree, encoding="unicode", doctype="<!DOCTYPE html>")
    return html.replace("</head>", f"{head}</head>", 1)


def _figures_as_groups(tree: DictionaryObject) -> None:
    """Chromium tags an HTML ``figure`` as a Figure holding the picture's own Figure
    (with its alt text) and the Caption; a Figure without alt text fails PDF/UA, and
    this one is a group, not a picture: it becomes a Div."""
    stack, seen = [tree], 0
    while stack and seen < 1_000_000:  # bounded: a structure tree is no place for a loop
        node = stack.pop()
        seen += 1
        kids = node.get("/K")
        kids = kids if isinstance(kids, list) else [kids]  # one kid, a list, or none
        kids = [k.get_object() for k in kids if hasattr(k, "get_object")]
        kids = [k for k in kids if isinstance(k, DictionaryObject)]
        picture = any(k.get("/S") == "/Figure" and "/Alt" in k for k in kids)
        if node.get("/S") == "/Figure" and "/Alt" not in node and picture:
            node[NameObject("/S")] = NameObject("/Div")
        stack += kids


def _finish(laid_out: Path, target: Path, part: Edition) -> None:
    """The PDF as chromium printed it, with the edition's dates instead of the clock's,
    its language, and pages that follow each other from right to left."""
    writer = PdfWriter(clone_from=laid_out)
    writer.pdf_header = PdfReader(laid_out).pdf_header.encode()  # chromium's 1.7, not pypdf's 1.3
    info = writer._info.get_object() if writer._info is not None else DictionaryObject()
    for key in ("/CreationDate", "/ModDate"):
        info.pop(key, None)
    if part.date:
        stamp = part.modified.strftime("D:%Y%m%d%H%M%SZ")
        info[NameObject("/CreationDate")] = TextStringObject(stamp)
        info[NameObject("/ModDate")] = TextStringObject(stamp)
    info[NameObject("/Producer")] = TextStringObject("publisher (Vivliostyle, chromium)")
    if part.authors:
        info[NameObject("/Author")] = TextStringObject(", ".join(part.authors))
    root = writer._root_object
    root[NameObject("/Lang")] = TextStringObject(part.lang)
    preferences = root.get("/ViewerPreferences")
    preferences = preferences.get_object() if preferences is not None else DictionaryObject()
    preferences[NameObject("/Direction")] = NameObject("/R2L")
    preferences[NameObject("/DisplayDocTitle")] = BooleanObject(True)
    root[NameObject("/ViewerPreferences")] = preferences
    if "/StructTreeRoot" in root:
        _figures_as_groups(root["/StructTreeRoot"].get_object())
    with open(target, "wb") as file:
        writer.write(file)
