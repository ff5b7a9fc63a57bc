"""One variant of the edition as the preview serves it: the web edition's own files.

The pages are made by the web edition's writer itself (``build html``:
styles/site.css and styles/templates/site-page.html), so the preview shows what
gets published and has no look of its own; it adds only its script (live
refresh, previous and next, the article's PDF). They are served at the paths a
build writes them to (``/<variant>/site/…``), so the links between variants work
as they do on the published site. What is served is looked up by name in memory,
never joined to a path on disk: nothing outside the edition can be reached, and
there is no folder to list.
"""

from __future__ import annotations

import html
import json
import mimetypes
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from publisher.base.languages import variant_named
from publisher.language.variants import apply_variant
from publisher.read.styles import Styles
from publisher.run.build import load_edition, plan_outputs
from publisher.writers import WriterContext, format_named, writer_for

SCRIPT = "/_preview/live.js"
HTML_TYPE = "text/html; charset=utf-8"
SITE = format_named("html").folder  # the web edition's folder in OUT/<variant>/


@dataclass(frozen=True)
class Page:
    name: str  # relative to the variant's folder: "site/articles/03-zezhou.html"
    title: str
    slug: str | None = None  # the article shown, for its PDF


@dataclass(frozen=True)
class Site:
    """The web edition of one variant: its files by name and its reading order."""

    tag: str
    generation: int
    files: dict[str, bytes]
    pages: list[Page]  # the index, each article, the about page
    contents: str  # the index's name
    pdfs: dict[str, Path] = field(default_factory=dict)  # slug -> its per-article PDF

    def media_type(self, name: str) -> str:
        if name.endswith(".html"):
            return HTML_TYPE
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
        target = Path(folder) / SITE
        writer_for("html")().write(WriterContext(converted, Styles(styles_folder), cache), target)
        files = {
            f"{SITE}/{path.relative_to(target).as_posix()}": path.read_bytes()
            for path in sorted(target.rglob("*"))
            if path.is_file()
        }
    # Where `publisher build pdf` puts each article's PDF (the keys are not needed).
    planned = plan_outputs(edition, out, ["pdf"], [tag], environment="")
    pdfs = {o.article: o.path for o in planned if o.article}
    pages = [Page(f"{SITE}/index.html", converted.title)]
    pages += [
        Page(f"{SITE}/articles/{a.slug}.html", a.meta.title, a.slug) for a in converted.articles
    ]
    pages.append(Page(f"{SITE}/about.html", converted.labels["about"]))
    site = Site(tag, generation, files, pages, f"{SITE}/index.html", pdfs)
    return _with_live_script(site, variants)


def _with_live_script(site: Site, variants: list[str]) -> Site:
    """Each page loads the preview's script, told where it is (it draws the toolbar)."""
    for number, page in enumerate(site.pages):

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
        site.files[page.name] = _inject(site.files[page.name], settings)
    return site


def _inject(page: bytes, settings: dict) -> bytes:
    script = (
        f'<script src="{SCRIPT}" defer data-preview="{html.escape(json.dumps(settings))}">'
        "</script>\n</head>"
    )
    return page.decode("utf-8").replace("</head>", script, 1).encode("utf-8")


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
    page = (
        f'<!DOCTYPE html>\n<html lang="{html.escape(tag)}"><head><meta charset="utf-8">'
        "<title>publisher preview</title></head>"
        f"<body><pre>{html.escape(message)}</pre></body></html>"
    )
    return _inject(page.encode("utf-8"), settings)
