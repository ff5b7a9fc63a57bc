"""``publisher import``: raw copy (a newspaper page as text) and Word files become
canonical article files, with front matter, named ``NN-slug.md``.

Text is split into articles by :mod:`publisher.commands.rawcopy`; a DOCX is read by
pandoc (``docx+styles``, so that the Kicker, Subtitle and Byline paragraphs of
publisher's own DOCX come back as front matter). Either way the article
becomes a pandoc AST, which pandoc's Markdown writer turns into Markdown, and
the copy-editing fixes of :mod:`publisher.document.copyedit` are applied to it, as
``check --fix`` would. Everything is read, named and checked before the first
file is written; no file is overwritten without ``force``.
"""

from __future__ import annotations

import io
import json
import os
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from lxml import etree
from PIL import Image, UnidentifiedImageError

from publisher.base.atomic import write_atomically
from publisher.base.config import parse_yaml_mapping
from publisher.base.errors import SourceError
from publisher.base.model import Node
from publisher.base.pandoc import run_pandoc
from publisher.commands.placeholder import ALT, placeholder_png
from publisher.commands.rawcopy import CREDIT, PageArticle, split_page
from publisher.commands.scaffold import ARTICLE, EXAMPLE
from publisher.document import copyedit
from publisher.document.pandoc_ast import iter_ast, map_ast, rewrite_images, words
from publisher.read.paths import display_path
from publisher.read.sources import (
    EDITION_FILE,
    encoding_candidates,
    read_text,
    split_front_matter,
)
from publisher.writers.docx import ARTICLES_PROPERTY

# pandoc's Markdown writer without `smart`: with it, “” ‘’ become ASCII quotes,
# which pandoc reads back as closing quotes after a Chinese character. Without
# `raw_attribute`, a Word comment's HTML comment is written as is, not as
# `<!-- … -->`{=html}.
MARKDOWN_WRITER = ["--to", "markdown-smart-raw_attribute", "--wrap=none"]
IMAGES_FOLDER = "images"
IMAGE_TYPES = {b"\x89PNG": ".png", b"\xff\xd8\xff": ".jpg", b"GIF8": ".gif"}
DOCX_STYLES = {"Kicker": "kicker", "Subtitle": "subtitle", "Byline": "byline", "Title": "title"}
CORE = "docProps/core.xml"
NAMESPACES = {"dc": "http://purl.org/dc/elements/1.1/"}
NUMBERED = re.compile(r"(\d+)-(.+)\.md")


@dataclass
class Imported:
    """One article read from a file, not yet named or written."""

    source: Path
    title: str
    kicker: str | None = None
    subtitle: str | None = None
    byline: str | None = None
    authors: list[str] = field(default_factory=list)
    blocks: list[Node] = field(default_factory=list)
    # Image data by the target the blocks use for it ("image:N", or "photo:N" for a
    # placeholder), with its file suffix.
    images: dict[str, tuple[bytes, str]] = field(default_factory=dict)
    name_hint: str = ""  # what the slug is made from
    # The article's own name (01-xiaoyi), carried by a DOCX publisher wrote: the file
    # comes back under it.
    slug: str | None = None
    notes: list[str] = field(default_factory=list)  # what was recognised, for the summary

    @property
    def front_matter(self) -> dict:
        meta = {
            "kicker": self.kicker,
            "title": self.title,
            "subtitle": self.subtitle,
            "byline": self.byline,
            "authors": self.authors or None,
        }
        return {key: value for key, value in meta.items() if value}


# ---------------------------------------------------------------- reading


def decode_copy(path: Path, data: bytes) -> tuple[str, str]:
    """Text of a raw copy file and the encoding it was in: UTF-8, else the one Chinese
    encoding (GB18030, Big5, UTF-16 with a BOM) that reads it cleanly."""
    shown = display_path(path)
    if not data.strip():
        raise SourceError(shown, "the file is empty", hint="import the file that holds the copy")
    try:
        text, encoding = data.decode("utf-8-sig"), "UTF-8"
    except UnicodeDecodeError:
        if b"\0" in data and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
            text, encoding = "\0", "binary"
        else:
            candidates = encoding_candidates(data)
            if len(candidates) != 1:
                which = (
                    f"it reads as Chinese in each of {', '.join(candidates)}"
                    if candidates
                    else "no encoding publisher knows (UTF-8, GB18030, Big5, UTF-16) reads it"
                )
                raise SourceError(
                    shown,
                    f"cannot tell the file's encoding: {which}",
                    hint="convert it to UTF-8 (e.g. `iconv -f GB18030 -t UTF-8`) and check "
                    "the text, then import the converted file",
                ) from None
            encoding = candidates[0]
            text = data.decode(encoding).lstrip("\ufeff")
    if re.search(r"[\0-\x08\x0e-\x1f]", text):
        raise SourceError(
            shown,
            "not a text file (it holds binary data)",
            hint="import plain text (.txt) or a Word document (.docx)",
        )
    return text.replace("\r\n", "\n").replace("\r", "\n"), encoding


def _photo(key: str, caption: str = "资料图片") -> Node:
    image = {"t": "Image", "c": [["", [], [["alt", ALT]]], words(caption), [key, ""]]}
    return {
        "t": "Figure",
        "c": [
            ["", [], []],
            [None, [{"t": "Plain", "c": words(caption)}]],
            [{"t": "Plain", "c": [image]}],
        ],
    }


def _count(number: int, thing: str) -> str:
    return f"{number} {thing}{'s' * (number != 1)}"


def from_page_article(source: Path, article: PageArticle) -> Imported:
    imported = Imported(
        source=source,
        title=article.title,
        kicker=article.kicker,
        subtitle=article.subtitle,
        byline=article.byline,
        authors=article.authors,
        name_hint=article.place,
    )
    paragraphs = photos = 0
    for paragraph in article.body:
        if paragraph is None:
            photos += 1
            key = f"photo:{photos}"  # a placeholder, named <slug>-photo-N.png
            imported.images[key] = (placeholder_png(photos), ".png")
            imported.blocks.append(_photo(key))
        else:
            paragraphs += 1
            imported.blocks.append({"t": "Para", "c": words(paragraph)})
    imported.notes.append(
        f"{_count(paragraphs, 'paragraph')}, {_count(photos, 'photo')} (placeholder images)"
    )
    if article.credit and not article.authors:
        imported.notes.append(f"the credit “{article.credit}” names no person: no authors")
    imported.notes += [f"page break mended after “…{cut}”" for cut in article.mended]
    return imported


def read_text_copy(path: Path, data: bytes) -> tuple[list[Imported], str]:
    text, encoding = decode_copy(path, data)
    articles = split_page(text)
    if not articles:
        raise SourceError(
            display_path(path),
            "no article found (a headline line, then paragraphs)",
            hint="check that this is the copy of a page; each article starts with its "
            "headline line, e.g. `山西省泽州县： 激活县域撂荒地 助力乡村振兴`",
        )
    imported = [from_page_article(path, article) for article in articles]
    if encoding.upper().startswith("BIG5"):
        for article in imported:
            article.notes.append("Traditional characters (Big5): the sources are Simplified")
    return imported, encoding


def _docx_core(archive: zipfile.ZipFile) -> dict[str, str]:
    """The document's title and author from its properties."""
    try:
        root = etree.fromstring(archive.read(CORE))
    except (KeyError, etree.XMLSyntaxError):
        return {}
    found = {}
    for key in ("title", "creator"):
        value = root.findtext(f"dc:{key}", namespaces=NAMESPACES)
        if value and value.strip():
            found[key] = value.strip()
    return found


def _stringify(blocks: list[Node], line_break: str = " ") -> str:
    """The text of ``blocks``; ``line_break`` for a line break (in a headline, publisher's
    DOCX breaks the line where the title has an ideographic space)."""
    words = []
    for node in iter_ast(blocks):
        if node["t"] == "Str":
            words.append(node["c"])
        elif node["t"] in ("Space", "SoftBreak"):
            words.append(" ")
        elif node["t"] == "LineBreak":
            words.append(line_break)
    return "".join(words).strip()


def read_docx(path: Path, data: bytes, changes: str | None = None) -> list[Imported]:
    """The articles of a Word file: one, or those of an edition DOCX publisher wrote.
    ``changes``: what to do with tracked changes ("accept" or "reject"); None refuses
    a document that has any. Comments are kept in the Markdown (:func:`word_work`)."""
    shown = display_path(path)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        archive.getinfo("word/document.xml")
    except (zipfile.BadZipFile, KeyError):
        raise SourceError(
            shown,
            "not a Word document (DOCX)",
            hint="save it from Word as .docx, or import it as plain text (.txt)",
        ) from None
    # Every change and comment as a span: pandoc's default accepts the changes
    # silently and drops the comments.
    arguments = ["--from", "docx+styles", "--track-changes=all", "--to", "json", str(path)]
    document = json.loads(run_pandoc(arguments, ""))
    worked, notes = word_work(document["blocks"], changes, shown)
    core = _docx_core(archive)
    if "title" in document["meta"]:
        core.setdefault("title", _stringify([document["meta"]["title"]]))
    slugs = _docx_slugs(archive)
    if len(slugs) > 1:
        return _edition_articles(path, archive, worked, slugs, notes)
    article = _docx_article(path, archive, worked, core, slugs[0] if slugs else None)
    article.notes += notes
    return [article]


def _docx_article(
    path: Path, archive: zipfile.ZipFile, blocks: list[Node], core: dict[str, str],
    slug: str | None,
) -> Imported:  # fmt: skip
    """One article from a Word file's blocks (its own, or one's part of an edition DOCX)."""
    shown = display_path(path)
    parts: dict[str, str] = {}
    blocks = _unstyled(_captions(blocks), parts)
    trailing = _trailing_credit(blocks) if "byline" not in parts else None
    if trailing is not None:  # a correspondent's Word file ends as the page does
        blocks = blocks[:-1]
        parts["byline"] = trailing.byline or ""
    title = core.get("title") or parts.get("title", "")
    headers = [b for b in blocks if b["t"] == "Header"]
    # The heading is the title also when broken into lines (publisher's DOCX breaks a
    # two-part headline between its parts, where the title has an ideographic space).
    if headers and (
        not title or re.sub(r"\s", "", _stringify(headers[0]["c"][2])) == re.sub(r"\s", "", title)
    ):
        title = title or _stringify(headers[0]["c"][2], line_break="\u3000")
        blocks.remove(headers[0])
    if not title:
        raise SourceError(
            shown,
            "the document has no title (no title in its properties, no heading)",
            hint="give it a title in Word (File › Info › Title) or a first heading",
        )
    byline = parts.get("byline", "")
    credit = CREDIT.fullmatch(byline)
    imported = Imported(
        source=path,
        title=title,
        kicker=parts.get("kicker"),
        subtitle=parts.get("subtitle"),
        byline=credit[1] if credit else byline or None,
        authors=[a for a in re.split(r"[;；,，、]\s*", core.get("creator", "")) if a]
        or (trailing.authors if trailing is not None else []),
        name_hint=slug or path.stem,
        slug=slug,
    )
    imported.blocks = _docx_images(archive, blocks, imported)
    notes = sum(1 for node in iter_ast(imported.blocks) if node["t"] == "Note")
    paragraphs = sum(1 for block in imported.blocks if block["t"] == "Para")
    imported.notes.append(
        f"{_count(paragraphs, 'paragraph')}, {_count(len(imported.images), 'image')}, "
        f"{_count(notes, 'footnote')}"
    )
    return imported


# Word's tracked changes as pandoc's docx reader marks them (--track-changes=all).
CHANGE_CLASSES = ("insertion", "deletion", "paragraph-insertion", "paragraph-deletion")
CUSTOM = "docProps/custom.xml"
CUSTOM_NAMESPACES = {
    "cp": "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties",
    "vt": "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes",
}


def _quoted(text: str, most: int = 24) -> str:
    text = re.sub(r"\s+", " ", text).strip()
    return f"“{text[:most]}…”" if len(text) > most else f"“{text}”"


def _comments(blocks: list[Node]) -> dict[str, dict[str, Any]]:
    """Each comment by its id: author, text, and the text it is anchored to."""
    found: dict[str, dict[str, Any]] = {}
    open_ids: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, list):
            for item in node:
                walk(item)
            return
        if not isinstance(node, dict):
            return
        if node.get("t") == "Span":
            classes, attributes = node["c"][0][1], dict(node["c"][0][2])
            if "comment-start" in classes:
                found[attributes.get("id", "")] = {
                    "author": attributes.get("author", ""),
                    "text": _stringify(node["c"][1]),
                    "anchored": [],
                }
                open_ids.append(attributes.get("id", ""))
                return  # its content is the comment, not the text it is about
            if "comment-end" in classes:
                if attributes.get("id", "") in open_ids:
                    open_ids.remove(attributes.get("id", ""))
                return
        if node.get("t") == "Str":
            for key in open_ids:
                found[key]["anchored"].append(node["c"])
        elif node.get("t") in ("Space", "SoftBreak"):
            for key in open_ids:
                found[key]["anchored"].append(" ")
        for value in node.values():
            walk(value)

    walk(blocks)
    return found


def comment_markup(author: str, anchored: str, text: str) -> str:
    """A Word comment as the Markdown keeps it: an HTML comment, which no output shows."""
    about = f"{_quoted(anchored)}：" if anchored.strip() else ""
    body = f"批注（{author or '佚名'}）{about}{text}".replace("--", "——")
    return f"<!-- {body} -->"


def word_work(blocks: list[Node], changes: str | None, shown: str) -> tuple[list[Node], list[str]]:
    """``blocks`` with Word's tracked changes accepted or rejected (``changes``) and its
    comments as HTML comments where they end; and notes for the summary. A document
    with tracked changes and no ``changes`` is refused, naming them and the comments."""
    tracked = [
        (classes, dict(node["c"][0][2]).get("author", ""), _stringify(node["c"][1]))
        for node in iter_ast(blocks)
        if node["t"] == "Span"
        for classes in [node["c"][0][1]]
        if any(c in CHANGE_CLASSES for c in classes)
    ]
    comments = _comments(blocks)
    said = [
        f"{c['author'] or '佚名'} on {_quoted(''.join(c['anchored']))}: {c['text']}"
        for c in comments.values()
    ]
    if tracked and changes is None:
        shown_changes = [
            f"{author or '佚名'} {'inserted' if 'insertion' in classes else 'deleted'} "
            f"{_quoted(text)}"
            for classes, author, text in tracked
            if text
        ]
        listed = "; ".join(shown_changes[:4]) + ("; …" if len(shown_changes) > 4 else "")
        noted = ""
        if said:
            noted = f" It also has {_count(len(said), 'comment')}: {'; '.join(said[:3])}."
        raise SourceError(
            shown,
            f"the document has {_count(len(tracked), 'tracked change')} not accepted or "
            f"rejected ({listed}); nothing was imported.{noted}",
            hint="import with --accept-changes or --reject-changes (comments are kept in "
            "the Markdown as <!-- 批注 … -->), or accept or reject them in Word "
            "(Review › Accept / Reject)",
        )
    accept = changes != "reject"

    def bare(content: list[Node]) -> Node:
        return {"t": "Span", "c": [["", [], []], content]}

    def resolve(node: Node) -> Node | None:
        if node["t"] != "Span":
            return None
        classes, attributes = node["c"][0][1], dict(node["c"][0][2])
        if "insertion" in classes:
            return bare(node["c"][1] if accept else [])
        if "deletion" in classes:
            return bare([] if accept else node["c"][1])
        if "paragraph-insertion" in classes or "paragraph-deletion" in classes:
            return bare([])
        if "comment-start" in classes:
            return bare([])
        if "comment-end" in classes:
            comment = comments.get(attributes.get("id", ""))
            if comment is None:
                return bare([])
            markup = comment_markup(
                comment["author"], "".join(comment["anchored"]), comment["text"]
            )
            return {"t": "RawInline", "c": ["html", markup]}
        return None

    resolved = _unwrap_bare(map_ast(blocks, resolve))
    # A paragraph whose whole text was a rejected insertion or an accepted deletion.
    resolved = [b for b in resolved if not (b["t"] in ("Para", "Plain") and not b["c"])]
    notes = []
    if tracked:
        verb = "accepted" if accept else "rejected"
        notes.append(f"{_count(len(tracked), 'tracked change')} {verb}")
    if comments:
        notes.append(
            f"{_count(len(comments), 'comment')} kept as <!-- 批注 … --> ({'; '.join(said[:3])})"
        )
    return resolved, notes


def _docx_slugs(archive: zipfile.ZipFile) -> list[str]:
    """The articles a DOCX publisher wrote holds, by name, from its custom properties."""
    try:
        root = etree.fromstring(archive.read(CUSTOM))
    except (KeyError, etree.XMLSyntaxError):
        return []
    for prop in root.findall("cp:property", CUSTOM_NAMESPACES):
        if prop.get("name") == ARTICLES_PROPERTY:
            value = prop.findtext("vt:lpwstr", default="", namespaces=CUSTOM_NAMESPACES)
            return [slug for slug in value.split() if re.fullmatch(r"[\w.-]+", slug)]
    return []


def _edition_articles(
    path: Path, archive: zipfile.ZipFile, blocks: list[Node], slugs: list[str], notes: list[str]
) -> list[Imported]:
    """An edition DOCX publisher wrote, cut into its articles: each starts at its
    headline (a level-1 heading; the kicker just before it goes with it), the title
    page and the contents before the first are left out."""
    starts = []
    for index, block in enumerate(blocks):
        header = block["t"] == "Header" and block["c"][0] == 1
        if header and "TOC-Heading" not in block["c"][1][1]:
            kicker = index > 0 and _custom_style(blocks[index - 1]) == "Kicker"
            starts.append(index - 1 if kicker else index)
    if len(starts) != len(slugs):
        raise SourceError(
            display_path(path),
            f"the edition DOCX names {_count(len(slugs), 'article')} ({', '.join(slugs)}) "
            f"but has {_count(len(starts), 'headline')} (level-1 headings)",
            hint="keep one Heading 1 per article (the headline), or import the "
            "articles' own DOCX files",
        )
    articles = []
    for number, (start, slug) in enumerate(zip(starts, slugs, strict=True)):
        end = starts[number + 1] if number + 1 < len(starts) else len(blocks)
        article = _docx_article(path, archive, blocks[start:end], {}, slug)
        articles.append(article)
    if articles:
        articles[0].notes += notes
    return articles


def _custom_style(block: Node) -> str | None:
    if block["t"] != "Div":
        return None
    return dict(block["c"][0][2]).get("custom-style")


# Word's caption styles, and how a caption line under a picture starts when it has none.
CAPTION_STYLES = ("Caption", "Image Caption", "题注", "題注")
CAPTION_START = re.compile(r"[（(]?(图|圖|上图|下图|上圖|下圖|资料图片|資料圖片|摄影|攝影|新华社)")
CAPTION_LENGTH = 80


def _lone_image(block: Node) -> Node | None:
    """The picture a paragraph holds and nothing else (inside a style's wrapper too)."""
    while block["t"] == "Div" and len(block["c"][1]) == 1:
        block = block["c"][1][0]
    if block["t"] not in ("Para", "Plain"):
        return None
    inlines = [i for i in block["c"] if i["t"] not in ("Space", "SoftBreak")]
    return inlines[0] if len(inlines) == 1 and inlines[0]["t"] == "Image" else None


def _caption_text(block: Node) -> str | None:
    """The text of a caption paragraph: in a caption style, or short and starting as
    captions do (图为…, 资料图片, 摄影), else None."""
    styled = block["t"] == "Div" and _custom_style(block) in CAPTION_STYLES
    text = _stringify([block]).strip()
    if not text or len(text) > CAPTION_LENGTH:
        return None
    return text if styled or CAPTION_START.match(text) else None


def _captions(blocks: list[Node]) -> list[Node]:
    """A picture followed by its caption line becomes a figure with that caption, which
    is also its alt text (pandoc writes ![caption](…))."""
    out: list[Node] = []
    index = 0
    while index < len(blocks):
        picture = _lone_image(blocks[index])
        following = blocks[index + 1] if index + 1 < len(blocks) else None
        caption = _caption_text(following) if picture and following else None
        if picture is not None and caption is not None:
            attr, _description, target = picture["c"]
            inlines = words(caption)
            image = {"t": "Image", "c": [attr, inlines, target]}
            caption_block = [{"t": "Plain", "c": inlines}]
            out.append(
                {"t": "Figure", "c": [["", [], []], [None, caption_block], [
                    {"t": "Plain", "c": [image]}]]}
            )  # fmt: skip
            index += 2
            continue
        out.append(blocks[index])
        index += 1
    return out


def _trailing_credit(blocks: list[Node]) -> PageArticle | None:
    """The bracketed credit a correspondent's copy ends with (（记者 李明）), as the
    raw-page import reads it: the byline, and the authors when it names people."""
    if not blocks or blocks[-1]["t"] not in ("Para", "Plain"):
        return None
    found = CREDIT.fullmatch(_stringify([blocks[-1]]).strip())
    if found is None:
        return None
    return PageArticle(headline="", kicker=None, title="", credit=found[1].strip())


def _unstyled(blocks: list[Node], parts: dict[str, str]) -> list[Node]:
    """``blocks`` without docx+styles' wrappers; the Kicker, Subtitle, Byline and
    Title paragraphs taken out into ``parts``."""
    out = []
    for block in blocks:
        if block["t"] == "Div" and dict(block["c"][0][2]).get("custom-style"):
            style = dict(block["c"][0][2])["custom-style"]
            if style in DOCX_STYLES and DOCX_STYLES[style] not in parts:
                parts[DOCX_STYLES[style]] = _stringify(block["c"][1])
            else:
                out += _unstyled(block["c"][1], parts)
        else:
            out.append(block)

    def plain(node: Node) -> Node | None:
        if node["t"] == "Note":  # Word puts a space after the note's number
            first = node["c"][0] if node["c"] else None
            if first and first["t"] in ("Para", "Plain") and first["c"][:1] == [{"t": "Space"}]:
                return {"t": "Note", "c": [{**first, "c": first["c"][1:]}, *node["c"][1:]]}
        attributes = node["c"][0][2] if node["t"] in ("Span", "Figure", "Div") else None
        if node["t"] in ("Span", "Figure", "Div"):
            kept = [[k, v] for k, v in attributes if k != "custom-style"]
            return {"t": node["t"], "c": [[*node["c"][0][:2], kept], *node["c"][1:]]}
        return None

    return _unwrap_bare(map_ast(out, plain))


def _unwrap_bare(node: Any) -> Any:
    """Spans and divs with no attributes left are just their content."""
    if isinstance(node, list):
        out = []
        for item in map(_unwrap_bare, node):
            bare = isinstance(item, dict) and item.get("t") in ("Span", "Div")
            if bare and item["c"][0] == ["", [], []]:
                out += item["c"][1]
            else:
                out.append(item)
        return out
    if isinstance(node, dict):
        return {key: _unwrap_bare(value) for key, value in node.items()}
    return node


def _docx_images(archive: zipfile.ZipFile, blocks: list[Node], imported: Imported) -> list[Node]:
    """Take each image out of the DOCX (``media/…`` in pandoc's AST); PNG, JPEG and GIF
    as they are, anything Pillow reads as PNG; what it cannot read is dropped."""
    keys: dict[str, str | None] = {}
    for node in iter_ast(blocks):
        if node["t"] != "Image" or node["c"][2][0] in keys:
            continue
        target = node["c"][2][0]
        try:
            data = archive.read(f"word/{target}")
        except KeyError:
            keys[target] = None
            continue
        suffix = next((s for magic, s in IMAGE_TYPES.items() if data.startswith(magic)), None)
        if suffix is None:
            try:
                buffer = io.BytesIO()
                Image.open(io.BytesIO(data)).save(buffer, format="PNG")
                data, suffix = buffer.getvalue(), ".png"
            except (UnidentifiedImageError, OSError):
                imported.notes.append(f"image {target} dropped: not a format publisher can use")
                keys[target] = None
                continue
        key = f"image:{len(imported.images) + 1}"
        imported.images[key] = (data, suffix)
        keys[target] = key

    def image(node: Node) -> Node | None:
        if node["t"] != "Image":
            return None
        key = keys.get(node["c"][2][0])
        if key is None:
            return {"t": "Span", "c": [["", [], []], node["c"][1]]}  # its caption, as text
        attributes = [[k, v] for k, v in node["c"][0][2] if k not in ("width", "height")]
        return {"t": "Image", "c": [[*node["c"][0][:2], attributes], node["c"][1], [key, ""]]}

    def figure(node: Node) -> Node | None:
        """The canonical figure: the image's text is the caption, what Word held as the
        image's description becomes its alt text (pandoc then writes ![caption](…))."""
        if node["t"] != "Figure":
            return None
        caption = [i for b in node["c"][1][1] for i in b["c"]] if node["c"][1][1] else []
        content = node["c"][2]
        if len(content) != 1 or content[0]["c"][:1] == [] or content[0]["t"] != "Plain":
            return None
        picture = content[0]["c"][0]
        if len(content[0]["c"]) != 1 or picture["t"] != "Image" or not caption:
            return None
        attr, description, target = picture["c"]
        alt = _stringify([{"t": "Plain", "c": description}])
        attributes = [[k, v] for k, v in attr[2] if k != "alt"]
        if alt and alt != _stringify([{"t": "Plain", "c": caption}]):
            attributes.append(["alt", alt])
        picture = {"t": "Image", "c": [[*attr[:2], attributes], caption, target]}
        return {"t": "Figure", "c": [node["c"][0], node["c"][1], [{"t": "Plain", "c": [picture]}]]}

    return map_ast(map_ast(blocks, image), figure)


def read_file(path: Path, changes: str | None = None) -> tuple[list[Imported], str]:
    """The articles of one file, and what it was read as."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise SourceError(display_path(path), f"cannot read the file: {error.strerror}") from None
    if path.suffix.lower() == ".docx" or data.startswith(b"PK\x03\x04"):
        return read_docx(path, data, changes), "DOCX"
    return read_text_copy(path, data)


# ---------------------------------------------------------------- naming and writing


def slugify(text: str) -> str:
    """An ASCII file name from Chinese (pinyin) or Latin text: 交口 → jiaokou."""
    from pypinyin import lazy_pinyin  # its tables take a second to load: only when naming

    text = NUMBERED.sub(r"\2", text + ".md").removesuffix(".md")  # 04-liucun → liucun
    words = lazy_pinyin(text)
    slug = re.sub(r"[^a-z0-9]+", "-", "".join(words).lower()).strip("-")
    return slug[:40].strip("-") or "article"


@dataclass
class Planned:
    article: Imported
    path: Path
    markdown: str
    images: dict[Path, bytes]
    fixes: int
    replaces: bool  # an existing article of the same name (with force)
    image_names: dict[str, Path]  # image key in the blocks -> its file


def _edition_root(into: Path) -> Path | None:
    for folder in (into, into.parent):
        if (folder / EDITION_FILE).is_file():
            return folder
    return None


def front_matter(meta: dict) -> str:
    """YAML, one key a line as the sources write it (lists in brackets)."""
    lines = []
    for key, value in meta.items():
        dumped = yaml.safe_dump(
            value, allow_unicode=True, default_flow_style=True, width=10_000
        ).removesuffix("\n...\n")
        lines.append(f"{key}: {dumped.strip()}")
    return "\n".join(lines) + "\n"


def _markdown(
    article: Imported, path: Path, image_names: dict[str, Path], kept: dict[str, Any]
) -> tuple[str, int]:
    """The article file's text, and how many copy-editing fixes it took. ``kept``: the
    front matter of the article it replaces, whose keys a Word file does not carry stay."""
    blocks = rewrite_images(
        article.blocks,
        lambda key: Path(os.path.relpath(image_names[key], path.parent)).as_posix(),
    )
    document = {"pandoc-api-version": [1, 23, 1, 1], "meta": {}, "blocks": blocks}
    body = run_pandoc(["--from", "json", *MARKDOWN_WRITER], json.dumps(document))
    imported = article.front_matter
    carried = {*FROM_WORD, *(["authors"] if article.authors else [])}
    meta = {
        key: imported.get(key, value)
        for key, value in kept.items()
        if key not in carried or key in imported
    }
    meta.update(imported)
    text = f"---\n{front_matter(meta)}---\n\n{body}"
    fixed, changes = copyedit.fix_text(text, display_path(path))
    return fixed, len(changes)


def untouched_example(into: Path) -> Path | None:
    """The example article of a fresh `publisher new` edition, as it was written: the
    first import replaces it (an edited one stays)."""
    example = into.absolute() / EXAMPLE
    try:
        return example if example.read_text(encoding="utf-8") == ARTICLE.format() else None
    except (OSError, UnicodeDecodeError):
        return None


def _without_example(text: str, example: str, replacing: list[str]) -> str:
    """edition.yaml's text with the example's entry in `articles:` replaced by
    ``replacing`` (or dropped), in its own indentation."""
    found = re.search(rf"^(\s*-\s*){re.escape(example)}\s*\n", text, flags=re.MULTILINE)
    if found is None:
        return text
    entries = "".join(f"{found[1]}{name}\n" for name in replacing)
    return text[: found.start()] + entries + text[found.end() :]


def plan(
    articles: list[Imported], into: Path, *, force: bool, leaving: Path | None = None
) -> tuple[list[Planned], Path | None]:
    """Name every article and image; refuse (naming them all) names that exist,
    unless ``force``. ``leaving``: an article that goes (the example of `new`), whose
    name and number are free."""
    into = into.absolute()
    root = _edition_root(into)
    images_folder = (root or into) / IMAGES_FOLDER
    existing = {}
    for path in sorted(into.glob("*.md")) if into.is_dir() else []:
        if path == leaving:
            continue
        match = NUMBERED.fullmatch(path.name)
        existing[match[2] if match else path.stem] = path
    numbers = [int(m[1]) for p in existing.values() if (m := NUMBERED.fullmatch(p.name))]
    next_number = max(numbers, default=0) + 1
    planned, taken, clashes = [], set(), []
    for article in articles:
        own = NUMBERED.fullmatch(f"{article.slug}.md") if article.slug else None
        slug = base = own[2] if own else slugify(article.name_hint or article.title)
        counter = 2
        while slug in taken:
            slug, counter = f"{base}-{counter}", counter + 1
        taken.add(slug)
        if slug in existing:
            path, replaces = existing[slug], True
            clashes.append(path)
        elif own and slug == base:  # publisher's own DOCX: the article's own file name
            path, replaces = into / f"{article.slug}.md", False
        else:
            path, replaces = into / f"{next_number:02d}-{slug}.md", False
            next_number += 1
        names = {
            key: images_folder / f"{slug}-{'photo-' if key.startswith('photo:') else ''}"
            f"{key.split(':')[1]}{suffix}"
            for key, (_data, suffix) in article.images.items()
        }
        clashes += [p for p in names.values() if p.exists()]
        images = {names[key]: data for key, (data, _suffix) in article.images.items()}
        planned.append(Planned(article, path, "", images, 0, replaces, names))
    if clashes and not force:
        listed = ", ".join(display_path(p) for p in clashes[:6])
        more = f" and {len(clashes) - 6} more" if len(clashes) > 6 else ""
        raise SourceError(
            display_path(into),
            f"already holds {listed}{more}; nothing was written",
            hint="import into another folder, or pass --force to replace them",
        )
    for item in planned:
        kept = _front_matter_of(item.path) if item.replaces else {}
        item.markdown, item.fixes = _markdown(item.article, item.path, item.image_names, kept)
    return planned, root


# What a Word file gives of an article's front matter: these keys come from it (a
# byline deleted in Word goes), the others (date, keywords …) stay as they were when
# an import replaces the article.
FROM_WORD = ("kicker", "title", "subtitle", "byline")


def _front_matter_of(path: Path) -> dict[str, Any]:
    """The front matter of an article file (empty if it has none or it is unreadable)."""
    try:
        yaml_text, _body, _line = split_front_matter(read_text(path), path)
        meta = yaml.safe_load(yaml_text)
    except (OSError, SourceError, yaml.YAMLError):
        return {}
    return meta if isinstance(meta, dict) else {}


def add_to_edition(root: Path | None, paths: list[Path], into: Path) -> str | None:
    """The new text of edition.yaml with ``paths`` appended to ``articles:`` (None: the
    edition lists no articles and finds them in articles/ by name)."""
    if root is None:
        raise SourceError(
            display_path(into),
            f"--add: no {EDITION_FILE} in this folder or the one above",
            hint="import into an edition's articles/ folder, or leave out --add",
        )
    edition = root / EDITION_FILE
    text = edition.read_text(encoding="utf-8")
    data, lines = parse_yaml_mapping(text, Path(display_path(edition)))
    names = [p.absolute().relative_to(root.absolute()).as_posix() for p in paths]
    listed = data.get("articles")
    if listed is None:
        if into.absolute() == (root / "articles").absolute():
            return None
        raise SourceError(
            display_path(edition),
            "--add: the edition has no `articles:` list and the files are not in articles/",
            hint="import into articles/, or add an `articles:` list",
        )
    new = [name for name in names if name not in listed]
    if not new:
        return text
    if not listed:
        raise SourceError(
            display_path(edition),
            "--add: `articles:` is empty; add the first article by hand",
            line=lines.get("articles"),
        )
    source_lines = text.split("\n")
    last = lines[f"articles[{len(listed) - 1}]"] - 1
    item = re.match(r"(\s*-\s*)", source_lines[last])
    if item is None:
        raise SourceError(
            display_path(edition),
            "--add: `articles:` is written on one line; add the new articles by hand",
            line=lines.get("articles"),
            hint=f"add {', '.join(new)}",
        )
    source_lines[last + 1 : last + 1] = [f"{item[1]}{name}" for name in new]
    return "\n".join(source_lines)


def import_files(
    files: list[Path],
    into: Path,
    *,
    force: bool = False,
    add: bool = False,
    changes: str | None = None,
    name: str | None = None,
    say: Callable[[str], None] = print,
) -> list[Path]:
    """Import ``files`` into ``into``; print a summary with ``say``; return the articles
    written. Nothing is written when anything is wrong."""
    articles: list[Imported] = []
    for path in files:
        found, what = read_file(path, changes)
        say(f"{display_path(path)} ({what}): {len(found)} article{'s' * (len(found) > 1)}")
        articles += found
    if name is not None:
        _name_the_article(articles, name, files)
    example = untouched_example(into)
    planned, root = plan(articles, into, force=force, leaving=example)
    edition_text = add_to_edition(root, [p.path for p in planned], into) if add else None
    if example is not None and root is not None:
        edition_text = _without_example(
            edition_text or (root / EDITION_FILE).read_text(encoding="utf-8"),
            example.relative_to(root.absolute()).as_posix(),
            [] if add else [p.path.relative_to(root.absolute()).as_posix() for p in planned],
        )
    for item in planned:
        for path, data in item.images.items():
            write_atomically(path, data)
        write_atomically(item.path, item.markdown.encode("utf-8"))
    if edition_text is not None and root is not None:
        write_atomically(root / EDITION_FILE, edition_text.encode("utf-8"))
    if example is not None:
        example.unlink()
        say(f"  removed {display_path(example)}, the example article of `publisher new`")
    for item in planned:
        _summary(item, say)
    edition = root / EDITION_FILE if root is not None else None
    listed = edition is not None and "articles" in (yaml.safe_load(edition.read_text()) or {})
    if edition is not None and listed and not add:
        say(f"add them to {display_path(edition)}'s `articles:` (or import with --add)")
    return [item.path for item in planned]


def _name_the_article(articles: list[Imported], name: str, files: list[Path]) -> None:
    """``--name``: the one article's file name, NN-slug (kept as given) or a slug (numbered
    after the folder's articles); pinyin for Chinese, as imports name files."""
    if len(articles) != 1:
        raise SourceError(
            display_path(files[0]),
            f"--name names one article, and the import holds {len(articles)}",
            hint="import the files one at a time, or leave out --name",
        )
    article = articles[0]
    own = NUMBERED.fullmatch(f"{name}.md")
    article.slug = f"{own[1]}-{slugify(own[2])}" if own else None
    article.name_hint = own[2] if own else name


def _summary(item: Planned, say: Callable[[str], None]) -> None:
    verb = "replaced" if item.replaces else "wrote"
    say(f"  {verb} {display_path(item.path)}")
    for key, value in item.article.front_matter.items():
        shown = ", ".join(value) if isinstance(value, list) else value
        say(f"    {key + ':':10} {shown}")
    for note in item.article.notes:
        say(f"    {note}")
    if item.fixes:
        say(f"    {item.fixes} punctuation fixes (full-width ，：（） …); see `publisher check`")
