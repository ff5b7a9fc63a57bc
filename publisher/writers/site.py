"""The web edition: one static folder per variant, OUT/<variant>/site/, that any web
server or object store can host.

- ``index.html``: the edition's title and date, each article's kicker, title and
  first lines; ``articles/<slug>.html``: one page per article, its images in
  ``media/`` (by their path in the edition); ``about.html``: the edition's
  metadata; ``search.html``: the search box; ``sitemap.xml`` and ``feed.xml``.
- Every page links to the same page in the edition's other variants (a visible
  switch, and ``<link rel="alternate" hreflang>``), relatively: the variants'
  sites sit side by side in OUT/, so OUT/ is the site to serve. With ``site:
  {url: …}`` in edition.yaml, canonical URLs, the sitemap and the feed are
  absolute under it.
- The article's body is the HTML the EPUB and the PDF start from
  (:func:`publisher.writers.html.article_html`); the look is styles/site.css and
  styles/templates/site-page.html; a vertical edition (``epub: {vertical: …}``)
  also has each article set vertically, as a choice on the page.
- Search without a server: Pagefind indexes the finished folder (its extended
  build segments Chinese), in the variant's own script.

Reproducible like the other formats: no clock, sorted files, Pagefind's index
named by its content.
"""

from __future__ import annotations

import html as html_module
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from lxml import html as lxml_html

from publisher.base.errors import BuildError
from publisher.base.languages import variant_named
from publisher.base.model import Article, Edition, anchor
from publisher.writers.base import Writer, WriterContext
from publisher.writers.html import article_html
from publisher.writers.look import added_css

SITE_CSS = "site.css"
PAGE_TEMPLATE = "site-page.html"
LEAD_CHARACTERS = 80  # the first lines of an article on the index


@dataclass(frozen=True)
class _Link:
    tag: str
    name: str
    href: str
    current: bool = False


class SiteWriter(Writer):
    name = "html"
    extension = ""

    def write(self, context: WriterContext, target: Path) -> None:
        _Site(context, target).write()


class _Site:
    def __init__(self, context: WriterContext, target: Path) -> None:
        self.context = context
        self.edition: Edition = context.edition
        self.target = target
        config = self.edition.config
        self.tag = self.edition.lang
        self.variants = [variant_named(t).tag for t in (config.variants or [config.language])]
        if self.tag not in self.variants:
            self.variants.append(self.tag)
        self.vertical = self.tag in config.epub.vertical
        self.base_url = config.site.url.rstrip("/") + "/" if config.site.url else None
        self.images: dict[Path, str] = {}  # file -> its name under media/
        self.bodies: dict[str, str] = {}  # slug -> its HTML (pandoc once per article)

    # ------------------------------------------------------------ the folder

    def write(self) -> None:
        if not self.edition.articles:
            raise BuildError("the edition has no articles; a site needs at least one")
        (self.target / "articles").mkdir(parents=True, exist_ok=True)
        shutil.copyfile(self.context.styles.file(SITE_CSS), self.target / SITE_CSS)
        if added := added_css(self.edition, "html"):  # the edition's own look, after
            with (self.target / SITE_CSS).open("a", encoding="utf-8") as css:
                css.write(f"\n/* edition.yaml: style: and css: */\n{added}\n")
        for article in self.edition.articles:
            self._article(article, vertical=False)
            if self.vertical:
                self._article(article, vertical=True)
        self._index()
        self._about()
        self._search()
        self._copy_images()
        self._sitemap()
        self._feed()
        self._index_for_search()

    def _page(self, path: str, **values: object) -> None:
        """``path`` (relative to the site) from the page template."""
        depth = path.count("/")
        root = "../" * depth
        defaults = dict.fromkeys(("description", "article", "layout_switch", "json_ld"))
        values = {**defaults, "vertical": False, "search": False, **values}
        variants = self._variants(path)
        text = self.context.styles.render(
            PAGE_TEMPLATE,
            lang=self.tag,
            edition=self.edition,
            labels=self.edition.labels,
            root=root,
            canonical=self._absolute(path),
            alternates=[link for link in variants if not link.current],
            switch=variants,
            **values,
        )
        destination = self.target / path
        destination.parent.mkdir(parents=True, exist_ok=True)
        destination.write_text(text, encoding="utf-8")

    def _variants(self, path: str) -> list[_Link]:
        """The same page in each published variant: OUT/<tag>/site/<path>, relatively."""
        up = "../" * (path.count("/") + 2)  # out of site/ and <variant>/
        vertical = self.edition.config.epub.vertical
        links = []
        for tag in self.variants:
            # A variant set horizontally has no vertical pages: its horizontal one.
            theirs = path if tag in vertical else path.replace("-vertical.html", ".html")
            href = path if tag == self.tag else f"{up}{tag}/site/{theirs}"
            links.append(_Link(tag, variant_named(tag).name, href, tag == self.tag))
        return links

    def _absolute(self, path: str) -> str | None:
        if self.base_url is None:
            return None
        return f"{self.base_url}{self.tag}/site/{path}"

    # ------------------------------------------------------------ pages

    def _article(self, article: Article, *, vertical: bool) -> None:
        name = f"articles/{article.slug}{'-vertical' if vertical else ''}.html"
        body = self._body(article)
        main = f'<article id="{anchor(article.slug)}">{body}</article>'
        other = f"{article.slug}{'' if vertical else '-vertical'}.html"
        layout_switch = None
        if self.vertical:
            label = self.edition.labels["horizontal" if vertical else "vertical"]
            layout_switch = {"href": other, "name": label}
        self._page(
            name,
            title=f"{article.meta.title} · {self.edition.title}",
            description=article.meta.description or self._lead(body),
            article=article,
            main=main,
            vertical=vertical,
            layout_switch=layout_switch,
            json_ld=self._news_article(article, name),
        )

    def _index(self) -> None:
        items = []
        for article in self.edition.articles:
            href = f"articles/{article.slug}.html"
            body = self._body(article)
            kicker = (
                f'<p class="kicker">{_text(article.meta.kicker)}</p>' if article.meta.kicker else ""
            )
            items.append(
                f'<li>{kicker}<h2><a href="{href}">{_text(article.meta.title)}</a></h2>'
                f'<p class="lead">{_text(self._lead(body))}</p></li>'
            )
        date = self.edition.date_text
        heading = f"<h1>{_text(self.edition.title)}</h1>"
        if date:
            heading += f'<p class="date">{_text(date)}</p>'
        main = f'<section class="index">{heading}<ol>{"".join(items)}</ol></section>'
        self._page(
            "index.html",
            title=self.edition.title,
            description=self.edition.config.description,
            main=main,
        )

    def _about(self) -> None:
        config, labels = self.edition.config, self.edition.labels
        rows = [(labels["published"], self.edition.date_text)]
        rows += [
            (labels["publisher"], config.publisher),
            (labels["identifier"], self.edition.identifier),
        ]
        rows.append((labels["languages"], "、".join(variant_named(t).name for t in self.variants)))
        items = "".join(f"<dt>{_text(k)}</dt><dd>{_text(v)}</dd>" for k, v in rows if v)
        description = f"<p>{_text(config.description)}</p>" if config.description else ""
        main = (
            f'<section class="about"><h1>{_text(labels["about"])}</h1>{description}'
            f"<dl>{items}</dl></section>"
        )
        self._page("about.html", title=f"{labels['about']} · {self.edition.title}", main=main)

    def _search(self) -> None:
        labels = self.edition.labels
        main = f'<section><h1>{_text(labels["search"])}</h1><div id="search"></div></section>'
        self._page(
            "search.html",
            title=f"{labels['search']} · {self.edition.title}",
            main=main,
            search=True,
        )

    # ------------------------------------------------------------ what pages hold

    def _body(self, article: Article) -> str:
        if article.slug not in self.bodies:
            self.bodies[article.slug] = article_html(
                self.edition, article, self._image_url, self._xref
            )
        return self.bodies[article.slug]

    def _image_url(self, path: Path) -> str:
        if path not in self.images:
            # The whole path in the edition: images/a.png and a.png stay two files.
            self.images[path] = path.relative_to(self.edition.root).as_posix()
        return f"../media/{self.images[path]}"

    def _xref(self, slug: str, fragment: str | None) -> str:
        target = anchor(slug) + (f"-{fragment}" if fragment else "")
        return f"{slug}.html#{target}"

    def _copy_images(self) -> None:
        for path, name in sorted(self.images.items(), key=lambda item: item[1]):
            destination = self.target / "media" / name
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, destination)

    @staticmethod
    def _lead(body: str) -> str:
        """The article's first lines: its first paragraphs' text, cut short."""
        tree = lxml_html.fragment_fromstring(body, create_parent="div")
        paragraphs = [
            p.text_content().strip()
            for p in tree.iter("p")
            if not {"kicker", "subtitle", "byline"} & set((p.get("class") or "").split())
        ]
        text = "".join(paragraphs)
        return text[:LEAD_CHARACTERS] + ("……" if len(text) > LEAD_CHARACTERS else "")

    def _news_article(self, article: Article, path: str) -> str:
        data: dict[str, object] = {
            "@context": "https://schema.org",
            "@type": "NewsArticle",
            "headline": article.meta.title,
            "inLanguage": self.tag,
            "isPartOf": {"@type": "Periodical", "name": self.edition.title},
        }
        if self.edition.date:
            data["datePublished"] = self.edition.date.isoformat()
        people = article.meta.authors or ([article.meta.byline] if article.meta.byline else [])
        if people:
            data["author"] = [{"@type": "Person", "name": name} for name in people]
        if self.edition.config.publisher:
            data["publisher"] = {"@type": "Organization", "name": self.edition.config.publisher}
        if url := self._absolute(path):
            data["url"] = url
        # In a <script>: no "<" at all, so nothing in a title can close or comment it.
        return json.dumps(data, ensure_ascii=False, sort_keys=True).replace("<", "\\u003c")

    # ------------------------------------------------------------ sitemap, feed, search

    def _pages(self) -> list[str]:
        pages = ["index.html", "about.html", "search.html"]
        pages += [f"articles/{a.slug}.html" for a in self.edition.articles]
        return pages

    def _sitemap(self) -> None:
        entries = []
        for page in self._pages():
            location = self._absolute(page) or page
            links = "".join(
                f'<xhtml:link rel="alternate" hreflang="{link.tag}" '
                f'href="{xml_escape(self._link_url(link, page))}"/>'
                for link in self._variants(page)
            )
            modified = (
                f"<lastmod>{self.edition.date.isoformat()}</lastmod>" if self.edition.date else ""
            )
            entries.append(f"<url><loc>{xml_escape(location)}</loc>{modified}{links}</url>")
        (self.target / "sitemap.xml").write_text(
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
            'xmlns:xhtml="http://www.w3.org/1999/xhtml">\n' + "\n".join(entries) + "\n</urlset>\n",
            encoding="utf-8",
        )

    def _link_url(self, link: _Link, page: str) -> str:
        """The page of ``link``'s variant as the sitemap (in site/) names it."""
        if self.base_url is None:
            return page if link.current else f"../../{link.tag}/site/{page}"
        return f"{self.base_url}{link.tag}/site/{page}"

    def _feed(self) -> None:
        edition = self.edition
        updated = edition.modified.strftime("%Y-%m-%dT%H:%M:%SZ")
        identifier = f"urn:publisher:{edition.identifier}"
        entries = []
        for article in edition.articles:
            page = f"articles/{article.slug}.html"
            href = self._absolute(page) or page
            body = self._body(article)
            authors = article.meta.authors or ([article.meta.byline] if article.meta.byline else [])
            author_xml = "".join(
                f"<author><name>{xml_escape(name)}</name></author>" for name in authors
            )
            entries.append(
                "<entry>"
                f"<id>{xml_escape(identifier)}:{xml_escape(article.slug)}</id>"
                f"<title>{xml_escape(article.meta.title)}</title>"
                f'<link rel="alternate" type="text/html" href="{xml_escape(href)}"/>'
                f"<published>{updated}</published><updated>{updated}</updated>"
                f"{author_xml}<summary>{xml_escape(self._lead(body))}</summary>"
                "</entry>"
            )
        publisher = edition.config.publisher or edition.title
        self_link = self._absolute("feed.xml") or "feed.xml"
        home = self._absolute("index.html") or "index.html"
        (self.target / "feed.xml").write_text(
            '<?xml version="1.0" encoding="utf-8"?>\n'
            f'<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="{self.tag}">\n'
            f"<id>{xml_escape(identifier)}</id><title>{xml_escape(edition.title)}</title>"
            f"<updated>{updated}</updated><author><name>{xml_escape(publisher)}</name></author>"
            f'<link rel="self" href="{xml_escape(self_link)}"/>'
            f'<link rel="alternate" type="text/html" href="{xml_escape(home)}"/>\n'
            + "\n".join(entries)
            + "\n</feed>\n",
            encoding="utf-8",
        )

    def _index_for_search(self) -> None:
        """Pagefind's index of the finished pages, in site/pagefind/."""
        # Run in the site itself with none of Pagefind's own settings: a pagefind.yml in
        # the working folder, or a PAGEFIND_* variable, would change the index.
        environment = {k: v for k, v in os.environ.items() if not k.startswith("PAGEFIND_")}
        result = subprocess.run(
            [sys.executable, "-m", "pagefind", "--site", ".", "--silent"],
            capture_output=True,
            text=True,
            cwd=self.target,
            env=environment,
            check=False,
        )
        if result.returncode != 0:
            raise BuildError(
                f"Pagefind could not index the site: {result.stderr.strip()[-300:]}; "
                "reinstall with `make` (pagefind[extended] is pinned in requirements.lock)"
            )


def xml_escape(value: str) -> str:
    """Text for XML, in content or in a double-quoted attribute."""
    return escape(value, {'"': "&quot;"})


def _text(value: object) -> str:
    return html_module.escape(str(value), quote=True)
