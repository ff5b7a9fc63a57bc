"""The parsed edition: each article's Markdown body as pandoc's AST, plus its metadata.

Each body is parsed once with pandoc (pypandoc-binary) and cached by the hash
of its text, so a rebuild parses only what changed. Images are resolved and
checked here, once, so that every writer can rely on them.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

from publisher.base.atomic import write_atomically
from publisher.base.errors import SourceError, warn
from publisher.base.limits import MAX_NESTING, NESTING_HINT, check_line_nesting, check_nesting
from publisher.base.model import Article, ArticleSource, Edition, EditionSource, Node
from publisher.base.pandoc import (
    MARKDOWN_FORMAT,
    markdown_format,
    pandoc_version,
    run_pandoc,
    runs_ahead,
)
from publisher.document import copyedit
from publisher.document.links import edition_links
from publisher.document.pandoc_ast import (
    image_targets,
    inline_text,
    iter_ast,
    map_ast,
    plain,
    reading_call,
)
from publisher.document.rawhtml import apply_policy
from publisher.read.images import check_image
from publisher.read.sources import read_text, source_file

# Bumped when what parse_markdown stores in the AST cache changes shape.
CACHE_FORMAT = "2"


class AstCache:
    """pandoc ASTs on disk, with pandoc's messages, keyed by pandoc's version, the
    format and the text.

    New entries are held in memory until :meth:`save`, which the build calls
    only once the whole edition is valid: bad sources write nothing.
    """

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder
        self.pending: dict[str, Node] = {}

    def key(self, text: str, reader: str = MARKDOWN_FORMAT) -> str:
        seed = f"{pandoc_version()}\0{reader}\0{text}"
        return hashlib.sha256(seed.encode()).hexdigest()

    def get(self, text: str, reader: str = MARKDOWN_FORMAT) -> Node | None:
        if self.folder is None:
            return None
        path = self.folder / f"{self.key(text, reader)}.json"
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None

    def has(self, text: str, reader: str = MARKDOWN_FORMAT) -> bool:
        if self.folder is None:
            return False
        return (self.folder / f"{self.key(text, reader)}.json").is_file()

    def put(self, text: str, document: Node, reader: str = MARKDOWN_FORMAT) -> None:
        if self.folder is not None:
            self.pending[self.key(text, reader)] = document

    def save(self) -> None:
        for key, document in self.pending.items():
            data = json.dumps(document, ensure_ascii=False).encode()
            write_atomically(self.folder / f"{key}.json", data)
        self.pending.clear()


# "… at line 9 column 1 …": where pandoc's Markdown reader found something (in
# the body; the warning gives the file's line instead).
MESSAGE_LINE = re.compile(r"\bline (\d+) column \d+")
MESSAGE_AT_LINE = re.compile(r" at line \d+ column \d+")
# What a message quotes from the text: 'x', `x`, or the TeX math it could not convert.
MESSAGE_QUOTE = re.compile(r"'([^']+)'|`([^`]+)`|TeX math (.+?), rendering as TeX")


def pandoc_message_line(message: str, body: str, first_line: int) -> int | None:
    """The file line a pandoc message is about: the line it names in the body, else
    the first line of the body holding what it quotes."""
    if found := MESSAGE_LINE.search(message):
        return first_line + int(found[1]) - 1
    for quoted in MESSAGE_QUOTE.finditer(message):
        needle = next(group for group in quoted.groups() if group)
        index = body.find(needle)
        if index >= 0:
            return first_line + body.count("\n", 0, index)
    return None


def report_pandoc(article: Article, message: str) -> None:
    """A message of pandoc's about an article, as a warning with its file and line."""
    line = pandoc_message_line(message, article.body, article.body_first_line)
    warn(f"pandoc: {message}", path=article.shown or str(article.source), line=line)


def report_pandoc_for(edition: Edition, message: str) -> None:
    """A message of pandoc's about the whole edition, given to the article it quotes
    (the first one whose body holds it; else the first article)."""
    for article in edition.articles:
        if pandoc_message_line(message, article.body, article.body_first_line):
            report_pandoc(article, message)
            return
    report_pandoc(edition.articles[0], message)


def parse_markdown(article: ArticleSource, cache: AstCache, format: str) -> Node:
    """An article's Markdown body -> pandoc JSON document (cached, with pandoc's
    messages, which are reported on every parse, cached or not)."""
    entry = cache.get(article.body, _cache_label(format))
    if entry is None:
        messages: list[str] = []
        output = run_pandoc(*reading_call(article.body, format), report=messages.append)
        entry = {"document": json.loads(output), "messages": messages}
        cache.put(article.body, entry, _cache_label(format))
    for message in entry["messages"]:
        line = pandoc_message_line(message, article.body, article.body_first_line)
        shown = MESSAGE_AT_LINE.sub("", message)
        warn(f"pandoc: {shown}", path=article.shown, line=line)
    return entry["document"]


def _cache_label(format: str) -> str:
    # Its own name in the cache: these entries also hold the messages, which other
    # readers of the cache (copy-editing, with --quiet) have none of.
    return f"{format} with messages {CACHE_FORMAT}"


def _pandoc_calls(source: EditionSource, cache: AstCache, format: str) -> list:
    """The pandoc calls reading the edition will make (none cached): both parses of
    each article, the build's and copy-editing's; none for an article nested too deep
    for pandoc (refused before pandoc, by :func:`_parse_bounded`)."""
    calls = []
    for article in source.articles:
        shown = article.shown
        try:
            check_line_nesting(article.body, shown, article.body_first_line)
        except SourceError:
            continue
        if not cache.has(article.body, _cache_label(format)):
            calls.append(reading_call(article.body, format))
        # The body read_article split off: what copy-editing's find parses too.
        calls += copyedit.pandoc_calls(article.body, cache)
    return calls


# A TeX comment: everything after an unescaped % is dropped from the formula.
TEX_COMMENT = re.compile(r"(?<!\\)%")
UNRENDERED_MATH = re.compile(r"Could not convert TeX math (.+?), rendering as TeX", re.S)


def check_math(article: ArticleSource, blocks: list[Node], api_version: list[int]) -> list[Node]:
    """The article's blocks with every formula that would not render as TeX kept as
    written (code), each with a warning naming the file and line.

    pandoc's own TeX reader (texmath) decides, as it does for every format: the
    formulas are converted once here, so no writer meets a bad one.
    """
    formulas = [node["c"][1] for node in iter_ast(blocks) if node["t"] == "Math"]
    if not formulas:
        return blocks
    shown = article.shown
    bad: set[str] = set()

    def unrendered(message: str) -> None:
        found = UNRENDERED_MATH.search(message)
        if found is None:  # none other is known from texmath; reported all the same
            article_line = pandoc_message_line(message, article.body, article.body_first_line)
            warn(f"pandoc: {message}", path=shown, line=article_line)
        else:
            bad.add(found[1])

    document = {
        "pandoc-api-version": api_version,
        "meta": {},
        "blocks": [
            {"t": "Para", "c": [{"t": "Math", "c": [{"t": "InlineMath"}, tex]}]}
            for tex in dict.fromkeys(formulas)
        ],
    }
    run_pandoc(
        ["--from", "json", "--to", "html5", "--mathml"], json.dumps(document), report=unrendered
    )
    bad |= {tex for tex in formulas if TEX_COMMENT.search(tex)}
    for tex in sorted(bad, key=formulas.index):
        why = (
            "holds % (in TeX a comment: the rest would be lost; write \\%)"
            if TEX_COMMENT.search(tex)
            else "is not TeX pandoc can read"
        )
        warn(
            f"the math `{tex[:60]}` {why}; it is printed as written. If it is not math, "
            "write the dollar signs as \\$",
            path=shown,
            line=article.line_of(f"${tex}$") or article.line_of(tex),
        )

    def as_written(node: Node) -> Node | None:
        if node["t"] == "Math" and node["c"][1] in bad:
            delimiter = "$$" if node["c"][0]["t"] == "DisplayMath" else "$"
            return {"t": "Code", "c": [["", ["math"], []], f"{delimiter}{node['c'][1]}{delimiter}"]}
        return None

    return map_ast(blocks, as_written) if bad else blocks


URL_UNSAFE = set("#?%") | {" ", "\t"}


NETWORK_IMAGE = re.compile(r"https?://", re.I)


def network_images(article: ArticleSource, blocks: list[Node], *, strict: bool) -> list[Node]:
    """Images on the network (badges, a digest's photos) as links to them, with a warning:
    a build reads nothing from the network. Inside a link (a badge) the image becomes
    its alt text. With ``strict: true`` in edition.yaml each is an error."""
    shown = article.shown
    for node in iter_ast(blocks):
        if node["t"] == "Image" and NETWORK_IMAGE.match(node["c"][2][0]):
            url, line = node["c"][2][0], article.line_of(node["c"][2][0])
            hint = "download it into source/images/ and refer to it by a relative path"
            if strict:
                raise SourceError(
                    shown, f"the network image {url[:80]!r} is not allowed", line=line, hint=hint
                )
            warn(
                f"the network image {url[:80]!r} dropped (a build reads nothing from the "
                f"network), shown as a link to it; {hint}",
                path=shown,
                line=line,
            )

    def rewrite(node: Node) -> Node | None:
        if node["t"] == "Image" and NETWORK_IMAGE.match(node["c"][2][0]):
            _, inlines, (url, _) = node["c"]
            text = inlines or plain(url)
            return {"t": "Link", "c": [["", ["network-image"], []], text, [url, ""]]}
        if node["t"] == "Link":  # a badge: no link inside a link
            inlines = [
                {"t": "Span", "c": [["", [], []], inline["c"][1]]}
                if inline["t"] == "Link" and "network-image" in inline["c"][0][1]
                else inline
                for inline in node["c"][1]
            ]
            return {"t": "Link", "c": [node["c"][0], inlines, node["c"][2]]}
        return None

    return map_ast(blocks, rewrite)


def resolve_images(article: ArticleSource, blocks: list[Node], root: Path) -> dict[str, Path]:
    """Map each image target to its file; refuse what is missing, outside the source,
    of a type some format cannot carry (by content: images.py), damaged, too large,
    or named so that a URL cannot hold it. Checked here, once, before any output,
    so writers need not check again."""
    images = {}
    shown = article.shown
    for target in image_targets(blocks):
        line = article.line_of(target)
        path = source_file(
            root,
            article.path.parent,
            target,
            what="the image",
            shown=shown,
            line=line,
            hint="save the image under source/images/ and refer to it by a path relative to "
            "the article, e.g. ../images/photo.jpg (download a network image first)",
        )
        check_image(path, name=target, shown=shown, line=line)
        if URL_UNSAFE & set(path.relative_to(root).as_posix()):
            raise SourceError(
                shown,
                f"the image file name `{path.name}` holds a space, #, ? or %",
                line=line,
                hint="rename the file without them",
            )
        images[target] = path
    return images


def _parse_bounded(article: ArticleSource, cache: AstCache, format: str) -> Node:
    """:func:`parse_markdown`, refusing nesting past :data:`limits.MAX_NESTING` with its
    line: a run of `>` before pandoc, anything deeper after (limits.py)."""
    shown = article.shown
    check_line_nesting(article.body, shown, article.body_first_line)
    try:
        document = parse_markdown(article, cache, format)
    except RecursionError:  # too deep for json to read back: nested past any limit
        raise SourceError(
            shown, f"the text is nested more than {MAX_NESTING} levels deep", hint=NESTING_HINT
        ) from None
    check_nesting(document["blocks"], article, shown)
    return document


def parse_edition(source: EditionSource, cache: AstCache | None = None) -> Edition:
    """Parse every article of a validated source folder into an :class:`Edition`."""
    cache = cache or AstCache(None)
    format = markdown_format(source.config.math)
    # pandoc's parses, started side by side: all, then read in order, as before.
    with runs_ahead(_pandoc_calls(source, cache, format)):
        return _parse_articles(source, cache, format)


def report_images_without_alt(article: ArticleSource, blocks: list[Node]) -> None:
    """Each picture with no alt text (no `alt` and no caption), once, with its line: the
    EPUB then claims no accessibility conformance and the tagged PDF's figure has no
    description, in every variant. Said when reading, so that `check --strict` fails."""
    for node in iter_ast(blocks):
        if node["t"] != "Image":
            continue
        alt = dict(node["c"][0][2]).get("alt", "")
        if alt.strip() or inline_text(node["c"][1]).strip():
            continue
        target = node["c"][2][0]
        warn(
            f'the image {target} has no alt text; write what it shows in {{alt="…"}} (the '
            "EPUB makes no accessibility conformance claim without it, and the tagged PDF "
            "leaves the figure undescribed)",
            path=article.shown,
            line=article.line_of(target),
        )


def _parse_articles(source: EditionSource, cache: AstCache, format: str) -> Edition:
    articles = []
    api_version: tuple[int, ...] = ()
    documents = [_parse_bounded(article, cache, format) for article in source.articles]
    # Links between articles are resolved against every article's ids: all parsed first.
    parsed = list(zip(source.articles, documents, strict=True))
    links = edition_links([(article, document["blocks"]) for article, document in parsed])
    for article, document in parsed:
        api_version = tuple(document["pandoc-api-version"])
        blocks = links.resolve(article, document["blocks"])
        blocks = apply_policy(article, blocks, strict=source.config.strict)
        blocks = network_images(article, blocks, strict=source.config.strict)
        shown = article.shown
        text = read_text(article.path)
        copyedit.report(copyedit.find(text, shown, cache, document["blocks"]))
        report_images_without_alt(article, blocks)
        if source.config.math:
            blocks = check_math(article, blocks, document["pandoc-api-version"])
        articles.append(
            Article(
                slug=article.slug,
                source=article.path,
                meta=article.meta,
                blocks=blocks,
                images=resolve_images(article, blocks, source.root),
                body=article.body,
                body_first_line=article.body_first_line,
                shown=article.shown,
            )
        )
    return Edition(
        root=source.root,
        config=source.config,
        lang=source.config.language,
        articles=tuple(articles),
        pandoc_api_version=api_version,
        dictionary=source.dictionary,
    )
