"""Language variants of an edition: Simplified as written, and Traditional for each region.

A variant turns the parsed edition into the edition a region's readers get.
It works on the document only and knows nothing about output formats: every
writer receives an already-converted :class:`~publisher.document.Edition`.

What is converted: every text node a reader sees (pandoc ``Str`` nodes, image
alt text and link titles) and the reader-visible metadata. What never is:
code, math, raw HTML, URLs, link targets, image paths, identifiers, classes
and other attributes, which are not ``Str`` nodes and are never visited.

How: the text of each run of inlines (a paragraph, a heading, a caption) is
joined across inline markup, so a phrase split by emphasis or a link is still
converted as one phrase; all runs of the edition go to OpenCC in one call;
the result is cut back into the original nodes by aligning it with the
source. The edition's reviewed dictionary is applied first and wins over
OpenCC's own phrases, then quotation marks are set as the region sets them.
"""

from __future__ import annotations

import copy
import difflib
import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from functools import cache
from typing import TYPE_CHECKING, Any, Literal

import opencc

from .errors import PublisherError
from .pandoc_ast import INLINE_TYPES, INLINE_WRAPPERS, Node, map_ast

if TYPE_CHECKING:
    from .document import Edition

QuoteStyle = Literal["curly", "corner"]


@dataclass(frozen=True)
class Variant:
    """A published variant; ``tag`` is its BCP 47 tag and its output folder's name."""

    tag: str
    opencc_config: str | None  # None: the text stays as written
    quotes: QuoteStyle  # the default; an edition may choose otherwise
    description: str


VARIANTS = {
    variant.tag: variant
    for variant in (
        Variant("zh-Hans", None, "curly", "Simplified Chinese, as the sources are written"),
        Variant("zh-Hant", "s2t", "curly", "Traditional Chinese, OpenCC's standard forms"),
        Variant("zh-Hant-TW", "s2twp", "corner", "Taiwan: characters, vocabulary and 「」"),
        Variant("zh-Hant-HK", "s2hk", "corner", "Hong Kong: characters and 「」"),
    )
}
ALIASES = {"zh-TW": "zh-Hant-TW", "zh-HK": "zh-Hant-HK", "zh-CN": "zh-Hans"}
DICTIONARY_ALL = "all"  # dictionary key for an entry that holds in every Traditional variant


def canonical_tag(tag: str) -> str | None:
    """The variant tag for ``tag`` or one of its aliases, else None."""
    tag = ALIASES.get(tag, tag)
    return tag if tag in VARIANTS else None


def variant_named(tag: str) -> Variant:
    """The variant for a tag or alias, or an error listing the tags there are."""
    canonical = canonical_tag(tag)
    if canonical is None:
        names = ", ".join([*VARIANTS, *ALIASES])
        raise PublisherError(f"unknown variant `{tag}`; the variants are: {names}")
    return VARIANTS[canonical]


# ---------------------------------------------------------------- text conversion


@cache
def _converter(config: str) -> opencc.OpenCC:
    return opencc.OpenCC(config)


# Placeholders for dictionary phrases: Supplementary Private Use Areas, which
# OpenCC passes through untouched; the first free one of the two is taken.
_PLACEHOLDER_BASES = (0xF0000, 0x100000)


class TextConverter:
    """Converts many strings for one variant in one OpenCC call."""

    def __init__(self, variant: Variant, dictionary: dict[str, dict[str, str]]) -> None:
        self.variant = variant
        # phrase -> its conversion in this variant, longest phrase first
        entries = {
            phrase: targets.get(variant.tag, targets.get(DICTIONARY_ALL))
            for phrase, targets in dictionary.items()
        }
        self.phrases = sorted(
            (p for p, t in entries.items() if t is not None), key=len, reverse=True
        )
        self.targets = [entries[p] for p in self.phrases]
        self.pattern = re.compile("|".join(map(re.escape, self.phrases))) if self.phrases else None

    def convert_all(self, texts: list[str]) -> list[str]:
        if self.variant.opencc_config is None or not texts:
            return list(texts)
        # Placeholders must be characters no text holds: Private Use planes 15
        # and 16 are unused in news text, and checked.
        used = {c for text in texts for c in text if ord(c) >= 0xF0000}
        self.base = next(
            base
            for base in _PLACEHOLDER_BASES
            if not any(base <= ord(c) < base + len(self.phrases) for c in used)
        )
        protected = [self._protect(text) for text in texts]
        # One call: lines never cross in OpenCC, so newline separates the texts.
        joined = "\n".join(protected)
        converted = _converter(self.variant.opencc_config).convert(joined).split("\n")
        results, index = [], 0
        for text in protected:
            lines = text.count("\n") + 1
            results.append(self._restore("\n".join(converted[index : index + lines])))
            index += lines
        return results

    def _protect(self, text: str) -> str:
        if self.pattern is None:
            return text
        return self.pattern.sub(lambda m: chr(self.base + self.phrases.index(m.group())), text)

    def _restore(self, text: str) -> str:
        if not self.phrases:
            return text
        return "".join(
            self.targets[ord(c) - self.base]
            if self.base <= ord(c) < self.base + len(self.phrases)
            else c
            for c in text
        )


_OPENING = {"“": 0, "‘": 1}  # double, single
_CLOSING = {"”": 0, "’": 1}
_CORNER = (("「", "」"), ("『", "』"))


def set_quotes(text: str, style: QuoteStyle, depth: int = 0) -> tuple[str, int]:
    """Curly quotation marks as corner brackets, outer 「」 and inner 『』, by nesting depth.

    Depth decides, not the source's double or single mark, so nesting comes
    out right even where the source nested “ inside “. A closing ’ with no
    open quote is an apostrophe and stays. ``depth`` is the nesting at the
    start of ``text``; the nesting at its end is returned with it, so a quote
    can run across a code span or a line break.
    """
    if style == "curly" or not any(c in text for c in "“‘”’"):
        return text, depth
    out = []
    for char in text:
        if char in _OPENING:
            out.append(_CORNER[depth % 2][0])
            depth += 1
        elif char in _CLOSING and depth > 0:
            depth -= 1
            out.append(_CORNER[depth % 2][1])
        else:
            out.append(char)
    return "".join(out), depth


def split_as(pieces: list[str], converted: str) -> list[str]:
    """Cut ``converted`` (the conversion of ``"".join(pieces)``) into pieces like the source's.

    Where a conversion changed a phrase's length (最佳化 for 优化) and the
    phrase straddled two pieces, the whole phrase goes to the piece it starts in.
    """
    original = "".join(pieces)
    ends, position = [], 0
    for piece in pieces:
        position += len(piece)
        ends.append(position)
    cuts = [map_position(original, converted, end) for end in ends[:-1]]
    bounds = [0, *cuts, len(converted)]
    return [converted[bounds[i] : bounds[i + 1]] for i in range(len(pieces))]


def map_position(original: str, converted: str, position: int) -> int:
    """Where ``position`` of ``original`` falls in its conversion."""
    if len(original) == len(converted):
        return position
    matcher = difflib.SequenceMatcher(None, original, converted, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if i1 <= position < i2 or (position == i2 == len(original)):
            if tag == "equal" or (i2 - i1) == (j2 - j1):
                return j1 + (position - i1)
            return j1 if position == i1 else j2
    return len(converted)


# ---------------------------------------------------------------- the document's text


class Slot:
    """One convertible string inside the AST: ``container[key]``."""

    def __init__(self, container: Any, key: Any) -> None:
        self.container, self.key = container, key

    @property
    def text(self) -> str:
        return self.container[self.key]

    def set(self, text: str) -> None:
        self.container[self.key] = text


Piece = Slot | str  # a str is a fixed separator (the space of a Space node)


class Run(list):
    """Pieces converted together. Runs of one ``group`` are one paragraph's or
    heading's, cut by code or line breaks: quotation marks pair across them."""

    def __init__(self, group: int, *pieces: Piece) -> None:
        super().__init__(pieces)
        self.group = group


_NEVER = {"CodeBlock", "RawBlock"}  # blocks whose text is not language


def collect_runs(value: Any, groups: Iterator[int]) -> list[Run]:
    """Every run of convertible text in an AST (which is modified in place later).

    ``groups`` numbers the runs' groups, shared by all the calls for one edition.
    """
    runs: list[Run] = []

    def single(slot: Slot) -> Run:
        return Run(next(groups), slot)

    def visit(node: Any) -> None:
        if isinstance(node, list):
            if node and isinstance(node[0], dict) and node[0].get("t") in INLINE_TYPES:
                runs.append(Run(next(groups)))
                inlines(node)
            else:
                for item in node:
                    visit(item)
        elif isinstance(node, dict) and "t" in node and node["t"] not in _NEVER:
            visit(node.get("c"))

    def attribute_runs(attr: list) -> list[Run]:
        return [single(Slot(pair, 1)) for pair in attr[2] if pair[0] in ("alt", "title")]

    def title_run(target: list) -> list[Run]:
        return [single(Slot(target, 1))] if target[1] else []

    def aside(*extra: Run) -> None:
        """Runs of their own (alt text, titles), leaving the current run open."""
        current = runs.pop()
        runs.extend(extra)
        runs.append(current)

    def inlines(nodes: list) -> None:
        for node in nodes:
            kind, content = node["t"], node.get("c")
            if kind == "Str":
                runs[-1].append(Slot(node, "c"))
            elif kind in ("Space", "SoftBreak"):
                runs[-1].append(" ")
            elif kind in ("LineBreak", "Code", "Math", "RawInline"):
                runs.append(Run(runs[-1].group))  # a phrase does not run across these
            elif kind in INLINE_WRAPPERS:
                inlines(content)
            elif kind in ("Span", "Quoted", "Cite"):
                inlines(content[1])
            elif kind == "Link":
                if not _shows_its_address(node):
                    inlines(content[1])  # the link text is part of the sentence
                aside(*attribute_runs(content[0]), *title_run(content[2]))
            elif kind == "Image":  # its description is a run of its own
                current = runs.pop()
                runs.extend(
                    [*attribute_runs(content[0]), *title_run(content[2]), Run(next(groups))]
                )
                inlines(content[1])
                runs.append(current)
            elif kind == "Note":  # its paragraphs are runs of their own
                current = runs.pop()
                visit(content)
                runs.append(current)

    visit(value)
    return [run for run in runs if any(isinstance(p, Slot) for p in run)]


def _shows_its_address(link: Node) -> bool:
    """An autolink (<https://…>) shows its URL as its text: that text is an address too."""
    attr, text, (url, _) = link["c"]
    shown = "".join(n.get("c", "") for n in text if n["t"] == "Str")
    return bool({"uri", "email"} & set(attr[1])) or shown in (url, url.removeprefix("mailto:"))


def _quoted_as_text(node: Node) -> Node | None:
    """pandoc's Quoted node (from ASCII quotes) as explicit marks, so regions can set them."""
    if node["t"] != "Quoted":
        return None
    double = node["c"][0]["t"] == "DoubleQuote"
    opening, closing = ("“", "”") if double else ("‘", "’")
    return {
        "t": "Span",
        "c": [
            ["", [], []],
            [{"t": "Str", "c": opening}, *node["c"][1], {"t": "Str", "c": closing}],
        ],
    }


def _meta_slots(values: dict[str, Any]) -> Iterator[Slot]:
    for key, value in values.items():
        if isinstance(value, str):
            yield Slot(values, key)
        elif isinstance(value, list):
            for index, item in enumerate(value):
                if isinstance(item, str):
                    yield Slot(value, index)


# Reader-visible metadata; names, slugs, identifiers and paths are not.
_EDITION_TEXT = ("title", "publisher", "description", "subject", "rights")
_ARTICLE_TEXT = ("title", "kicker", "subtitle", "byline", "authors", "description", "keywords")


def apply_variant(edition: Edition, variant: Variant) -> Edition:
    """The edition as ``variant``'s readers get it: a converted copy."""
    if variant.tag == edition.lang:
        return edition
    if edition.lang != "zh-Hans":
        raise PublisherError(f"no conversion from {edition.lang} to {variant.tag}")
    quotes = edition.config.quotes.get(variant.tag, variant.quotes)
    converter = TextConverter(variant, edition.dictionary)

    edition_meta = {k: copy.deepcopy(getattr(edition.config, k)) for k in _EDITION_TEXT}
    labels = dict(edition.labels)
    groups = itertools.count()
    slots = [*_meta_slots(edition_meta), *_meta_slots(labels)]
    runs = [Run(next(groups), slot) for slot in slots]
    articles = []
    for article in edition.articles:
        meta = {k: copy.deepcopy(getattr(article.meta, k)) for k in _ARTICLE_TEXT}
        blocks = map_ast(copy.deepcopy(article.blocks), _quoted_as_text)
        runs += [Run(next(groups), slot) for slot in _meta_slots(meta)]
        runs += collect_runs(blocks, groups)
        articles.append((article, meta, blocks))

    texts = ["".join(p.text if isinstance(p, Slot) else p for p in run) for run in runs]
    depths: dict[int, int] = {}  # group -> quote nesting so far
    for run, converted in zip(runs, converter.convert_all(texts), strict=True):
        converted, depths[run.group] = set_quotes(converted, quotes, depths.get(run.group, 0))
        pieces = [p.text if isinstance(p, Slot) else p for p in run]
        for piece, text in zip(run, split_as(pieces, converted), strict=True):
            if isinstance(piece, Slot):
                piece.set(text)

    converted_articles = tuple(
        replace(article, meta=article.meta.model_copy(update=meta), blocks=blocks)
        for article, meta, blocks in articles
    )
    return replace(
        edition,
        config=edition.config.model_copy(update=edition_meta),
        labels=labels,
        articles=converted_articles,
        lang=variant.tag,
    )
