"""The edition's own look, from edition.yaml: ``style:`` (sizes, colours, faces) and
``css:`` (stylesheets added on top of the styles folder's), for every format alike.

The PDF, the EPUB and the web edition get it as CSS after their own stylesheet, its
selectors more specific than the styles folder's (``html:lang(…)`` first), so that
it wins without ``!important``; the DOCX gets the same settings as its reference
document's styles (:func:`docx_look`). An EPUB reader sets its own text size and
faces, so the EPUB and the web edition take the colours and the line height only.
"""

from __future__ import annotations

from pathlib import Path

from publisher.base.model import Edition

# `css:` in edition.yaml as a mapping: these keys, or `all` for every format.
CSS_FORMATS = ("pdf", "epub", "html")


def style_css(edition: Edition, *, sizes_and_faces: bool) -> str:
    """``style:`` as CSS for the edition's variant (``edition.lang``)."""
    style, lang = edition.config.style, edition.lang
    root = f"html:lang({lang})"
    rules = []
    if sizes_and_faces and style.body_size:
        rules.append(f"{root} {{ font-size: {style.body_size}; }}")
    if style.line_height:
        rules.append(f"{root}, {root} body {{ line-height: {style.line_height:g}; }}")
    for selector, colour in (
        (".kicker", style.kicker_color),
        ("h1.title", style.headline_color),
        (".byline, .byline p", style.byline_color),
    ):
        if colour:
            chosen = ", ".join(f"{root} {part.strip()}" for part in selector.split(","))
            rules.append(f"{chosen} {{ color: {colour}; }}")
    if sizes_and_faces:
        fallback = '"HanaMinA", "HanaMinB"'
        if face := style.body_face.get(lang):
            rules.append(f'{root} {{ font-family: "{face}", {fallback}, serif; }}')
        if face := style.headline_face.get(lang):
            parts = ("h1", "h2", "h3", ".kicker", ".subtitle")
            chosen = ", ".join(f"{root} {part}" for part in parts)
            rules.append(f'{chosen} {{ font-family: "{face}", {fallback}, sans-serif; }}')
    return "\n".join(rules)


def extra_stylesheets(edition: Edition, format: str) -> list[Path]:
    """The files ``css:`` adds for ``format`` (pdf, epub, html), in the order given:
    a list is for every format; a mapping names formats, and `all`."""
    return [edition.root / name for name in edition.config.css.names(format)]


def added_css(edition: Edition, format: str) -> str:
    """What the EPUB and the web edition add after their stylesheet: ``style:``, then
    the ``css:`` files for the format (read as text; their url()s are not followed)."""
    parts = [style_css(edition, sizes_and_faces=False)]
    parts += [path.read_text(encoding="utf-8") for path in extra_stylesheets(edition, format)]
    return "\n".join(part for part in parts if part)


def docx_look(edition: Edition) -> dict[str, object]:
    """``style:`` for the DOCX's reference document: body size (points), line height
    and colours (RRGGBB); empty when the edition sets none of them."""
    style = edition.config.style
    look: dict[str, object] = {}
    if style.body_points:
        look["body_size"] = style.body_points
    if style.line_height:
        look["line_height"] = style.line_height
    for key in ("kicker_color", "headline_color", "byline_color"):
        colour = getattr(style, key)
        if colour:
            digits = colour.lstrip("#")  # #b00 is #bb0000
            look[key] = ("".join(c * 2 for c in digits) if len(digits) == 3 else digits).upper()
    return look


def docx_faces(edition: Edition) -> dict[str, str]:
    """``style:``'s faces for the DOCX's fonts (body, heading) of the variant."""
    style, faces = edition.config.style, {}
    if face := style.body_face.get(edition.lang):
        faces["body"] = face
    if face := style.headline_face.get(edition.lang):
        faces["heading"] = face
    return faces
