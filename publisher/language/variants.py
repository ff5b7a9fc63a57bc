"""Language variants of an edition: Simplified as written, and Traditional for each region.

A variant turns the parsed edition into the edition a region's readers get.
It works on the document only and knows nothing about output formats: every
writer receives an already-converted :class:`~publisher.base.model.Edition`.

What is converted: every text node a reader sees (pandoc ``Str`` nodes, image
alt text and link titles) and the reader-visible metadata. What never is:
code, math, raw HTML, URLs, link targets, image paths, identifiers, classes
and other attributes, which are not ``Str`` nodes and are never visited.

How: the text of each run of inlines (a paragraph, a heading, a caption) is
joined across inline markup, so a phrase split by emphasis or a link is still
converted as one phrase; all runs of the edition go to OpenCC in one call.
The result is cut back into the original nodes where the conversion itself
says it may be cut (:class:`Conversion`): at a place where the two sides,
converted apart, give the same text as the whole. Each node then holds the
conversion of its own source text. A phrase across a node's edge (头*发*,
[互联](…)网) is cut one character for one where its conversion keeps the
length (頭*髮*); where it does not, it goes whole to the node it starts in,
with a warning; where no place to cut is found, the nodes are converted one by
one, with a warning. No character is ever lost, doubled or moved by a guess.
The edition's reviewed dictionary is applied first and wins over OpenCC's own
phrases, then quotation marks are set as the region sets them.
"""

from __future__ import annotations

import bisect
import copy
import itertools
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from functools import cache, cached_property
from typing import TYPE_CHECKING, Any

import opencc

from publisher.base.errors import PublisherError, warn
from publisher.base.languages import DICTIONARY_ALL, QuoteStyle, Variant
from publisher.base.model import Node
from publisher.document.pandoc_ast import INLINE_TYPES, INLINE_WRAPPERS, map_ast
from publisher.read.paths import display_path

if TYPE_CHECKING:
    from publisher.base.model import Article, Edition

# ---------------------------------------------------------------- text conversion


@cache
def _converter(config: str) -> opencc.OpenCC:
    return opencc.OpenCC(config)


# Placeholders for dictionary phrases: Supplementary Private Use Areas, which
# OpenCC passes through untouched; the first free one of the two is taken.
_PLACEHOLDER_BASES = (0xF0000, 0x100000)
_PRIVATE_PLANES = re.compile("[\U000f0000-\U0010ffff]")


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
        used = {c for text in texts for c in _PRIVATE_PLANES.findall(text)}
        base = next(
            (
                base
                for base in _PLACEHOLDER_BASES
                if not any(base <= ord(c) < base + len(self.phrases) for c in used)
            ),
            None,
        )
        if base is None:
            raise PublisherError(
                "the text uses characters of both Private Use planes 15 and 16, which the "
                "dictionary's phrases need for themselves; remove them or the dictionary"
            )
        self.base = base
        if self.phrases:
            last = self.base + len(self.phrases) - 1
            self.placeholders = re.compile(f"[{chr(self.base)}-{chr(last)}]")
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

    # ------------------------------------------------------------ where each character went

    @cached_property
    def _stretch(self) -> re.Pattern[str]:
        """A stretch between two characters no phrase holds.

        OpenCC's phrases hold letters and ideographs, and of the rest only - · 〇
        (tests/test_alignment.py reads its dictionaries); the edition's own
        phrases may hold more. Punctuation, spaces and symbols stand between
        phrases, so a text converts stretch by stretch: each place where a cut
        is looked for costs the length of one stretch, not of the paragraph.
        """
        extra = {c for phrase in self.phrases for c in phrase if not re.match(r"\w", c)}
        inside = re.escape("".join(sorted(extra | set("-·〇"))))
        return re.compile(rf"[\w{inside}\ue000-\uf8ff\U000f0000-\U0010ffff]+")

    def align(
        self, texts: list[str], cuts: Sequence[Sequence[int]] | None = None
    ) -> list[Conversion]:
        """Each text's conversion (``convert_all``'s) with where each part of it came from.

        ``cuts`` holds, for each text, the places where it is to be cut: the
        conversion is searched for units around those only. None searches the
        whole text (for reports, which place every character).
        """
        targets = self.convert_all(texts)
        if self.variant.opencc_config is None:
            return [Conversion(text, text, _one_for_one(text)) for text in texts]
        stretches = [[m.span() for m in self._stretch.finditer(text)] for text in texts]
        alone = iter(
            self.convert_all([texts[i][a:b] for i, s in enumerate(stretches) for a, b in s])
        )
        converted = [[next(alone) for _ in s] for s in stretches]
        for index, text in enumerate(texts):
            if _assemble(text, stretches[index], converted[index]) != targets[index]:
                # The stretches did not convert alone as in the whole (a new OpenCC
                # phrase over punctuation): the text is searched as one stretch.
                stretches[index], converted[index] = [(0, len(text))], [targets[index]]
        # The places to try, in each stretch (text, stretch) -> offsets in it.
        tries: dict[tuple[int, int], list[int]] = {}
        for index in range(len(texts)):
            for number, (a, b) in enumerate(stretches[index]):
                length = b - a
                if cuts is None:
                    wanted = range(1, length) if length <= _LONGEST_SEARCHED_WHOLE else ()
                else:
                    near = set()
                    if length <= _LONGEST_SEARCHED:
                        for cut in cuts[index]:
                            if a < cut < b:
                                near.update(
                                    range(
                                        max(1, cut - a - _REACH), min(length, cut - a + _REACH + 1)
                                    )
                                )
                    wanted = sorted(near)
                if wanted:
                    tries[index, number] = list(wanted)
        halves = []
        for (index, number), offsets in tries.items():
            a, b = stretches[index][number]
            for offset in offsets:
                halves += [texts[index][a : a + offset], texts[index][a + offset : b]]
        results = iter(self.convert_all(halves))
        found: dict[tuple[int, int], dict[int, int]] = {}
        for key, offsets in tries.items():
            whole = converted[key[0]][key[1]]
            safe = found.setdefault(key, {})
            for offset in offsets:
                left, right = next(results), next(results)
                if left + right == whole:
                    safe[offset] = len(left)
        return [
            _conversion(
                text,
                targets[index],
                stretches[index],
                converted[index],
                {
                    n: (tries.get((index, n), ()), found.get((index, n), {}))
                    for n in range(len(stretches[index]))
                },
            )
            for index, text in enumerate(texts)
        ]

    def _protect(self, text: str) -> str:
        if self.pattern is None:
            return text
        return self.pattern.sub(lambda m: chr(self.base + self.phrases.index(m.group())), text)

    def _restore(self, text: str) -> str:
        if not self.phrases:
            return text
        return self.placeholders.sub(lambda m: self.targets[ord(m.group()) - self.base], text)


# Where a cut is looked for: this far either side of it (OpenCC's longest phrase is 15
# characters). A stretch longer than the first limit is not searched around its cuts,
# nor one longer than the second everywhere (the search costs its length per place).
_REACH = 40
_LONGEST_SEARCHED = 2000
_LONGEST_SEARCHED_WHOLE = 1000

Span = tuple[int, int, int, int]  # source start, end; target start, end


@dataclass(frozen=True)
class Conversion:
    """A text, its conversion, and which part of the one became which of the other.

    ``spans`` tile both texts in order. A span is as small as the conversion
    allows: a character that converted alone, a phrase OpenCC converted as one
    (优化 → 最佳化), or, where no cut was looked for, a whole stretch; those
    are ``loose``: a place inside them was never tried.
    """

    source: str
    target: str
    spans: tuple[Span, ...]
    loose: frozenset[int] = field(default_factory=frozenset)

    @cached_property
    def _starts(self) -> tuple[list[int], list[int]]:
        return [s[0] for s in self.spans], [s[2] for s in self.spans]

    def target_span(self, start: int, end: int) -> tuple[int, int]:
        """The part of the conversion that ``source[start:end]`` became."""
        return self._map(start, end, 0)

    def source_span(self, start: int, end: int) -> tuple[int, int]:
        """The part of the source that became ``target[start:end]``."""
        return self._map(start, end, 2)

    def reading(self, position: int) -> str:
        """What ``source[position]`` became (发 in 头发: 髮; 优 in 优化: 最佳化)."""
        return self.target[slice(*self.target_span(position, position + 1))]

    def _map(self, start: int, end: int, side: int) -> tuple[int, int]:
        """A span of one side on the other: the spans it touches, whole where they
        changed length, else one character for one (as :meth:`cut` places a cut)."""
        other = 2 - side
        spans = self.spans
        if not spans:
            return 0, 0
        end = max(end, start + 1)
        index = max(0, bisect.bisect_right(self._starts[side // 2], start) - 1)
        first = last = None
        while index < len(spans) and spans[index][side] < end:
            if spans[index][side + 1] > start:
                first = index if first is None else first
                last = index
            index += 1
        if first is None or last is None:  # the very end of the text
            return spans[-1][other + 1], spans[-1][other + 1]
        head, tail = spans[first], spans[last]
        low, high = head[other], tail[other + 1]
        if head[1] - head[0] == head[3] - head[2]:
            low += max(0, start - head[side])
        if tail[1] - tail[0] == tail[3] - tail[2]:
            high = tail[other] + min(end, tail[side + 1]) - tail[side]
        return low, high

    def cut(self, position: int) -> tuple[int, Span | None] | None:
        """Where a cut of the source at ``position`` falls in the conversion.

        With it, the span it fell inside when it could not fall between two
        (a phrase across it whose conversion changed length, which goes whole
        to the side it starts on), else None. None alone: no place was found.
        """
        if position >= len(self.source):
            return len(self.target), None
        index = bisect.bisect_right(self._starts[0], position) - 1
        s1, s2, t1, t2 = self.spans[index]
        if position == s1:
            return t1, None
        if index in self.loose:
            return None
        if s2 - s1 == t2 - t1:  # one character for one: 头*发* → 頭*髮*
            return t1 + position - s1, None
        return t2, self.spans[index]


def _one_for_one(text: str) -> tuple[Span, ...]:
    return tuple((i, i + 1, i, i + 1) for i in range(len(text)))


def _assemble(text: str, stretches: list[tuple[int, int]], converted: list[str]) -> str:
    """The text with each stretch replaced by its conversion."""
    out, position = [], 0
    for (a, b), target in zip(stretches, converted, strict=True):
        out += [text[position:a], target]
        position = b
    out.append(text[position:])
    return "".join(out)


def _conversion(
    text: str,
    target: str,
    stretches: list[tuple[int, int]],
    converted: list[str],
    searched: dict[int, tuple[Sequence[int], dict[int, int]]],
) -> Conversion:
    """The spans of one text: the characters between stretches map to themselves;
    a stretch is cut where a cut was found safe."""
    spans: list[Span] = []
    loose: set[int] = set()
    position, shift = 0, 0  # in the source; target minus source so far

    def between(end: int) -> None:
        """The characters up to ``end``, which stand for themselves (one character for one)."""
        nonlocal position
        if end > position:
            spans.append((position, end, position + shift, end + shift))
        position = end

    for number, (a, b) in enumerate(stretches):
        between(a)
        tried, safe = searched[number]
        tried = set(tried)
        cuts = [(0, 0)]
        for offset in sorted(safe):
            if cuts[-1][1] <= safe[offset] <= len(converted[number]):
                cuts.append((offset, safe[offset]))
        cuts.append((b - a, len(converted[number])))
        for (o1, c1), (o2, c2) in itertools.pairwise(cuts):
            if any(o not in tried for o in range(o1 + 1, o2)):
                loose.add(len(spans))
            spans.append((a + o1, a + o2, a + shift + c1, a + shift + c2))
        shift += len(converted[number]) - (b - a)
        position = b
    between(len(text))
    return Conversion(text, target, tuple(spans), frozenset(loose))


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
_EDITION_TEXT = ("title", "publisher", "description", "subject", "rights", "issue", "series")
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
    owners: list[Article | None] = [None] * len(runs)  # whose text each run is
    articles = []
    for article in edition.articles:
        meta = {k: copy.deepcopy(getattr(article.meta, k)) for k in _ARTICLE_TEXT}
        blocks = map_ast(copy.deepcopy(article.blocks), _quoted_as_text)
        runs += [Run(next(groups), slot) for slot in _meta_slots(meta)]
        runs += collect_runs(blocks, groups)
        owners += [article] * (len(runs) - len(owners))
        articles.append((article, meta, blocks))

    pieces = [[p.text if isinstance(p, Slot) else p for p in run] for run in runs]
    edges = [list(itertools.accumulate(map(len, run_pieces[:-1]))) for run_pieces in pieces]
    conversions = converter.align(["".join(run_pieces) for run_pieces in pieces], edges)
    cut = [split_as(run_pieces, c) for run_pieces, c in zip(pieces, conversions, strict=True)]
    uncut = [index for index, split in enumerate(cut) if split is None]
    alone = iter(converter.convert_all([p for index in uncut for p in pieces[index]]))
    depths: dict[int, int] = {}  # group -> quote nesting so far
    for index, run in enumerate(runs):
        split = cut[index]
        if split is None:
            converted = [next(alone) for _ in pieces[index]]
            _report_uncut(variant, owners[index], pieces[index])
        else:
            converted, across = split
            for span in across:
                _report_across(variant, owners[index], conversions[index], span, edges[index])
        joined, depths[run.group] = set_quotes("".join(converted), quotes, depths.get(run.group, 0))
        position = 0
        for piece, text in zip(run, converted, strict=True):
            if isinstance(piece, Slot):
                piece.set(joined[position : position + len(text)])
            position += len(text)

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


def split_as(pieces: list[str], conversion: Conversion) -> tuple[list[str], list[Span]] | None:
    """The conversion of ``"".join(pieces)`` cut into pieces like the source's.

    Each piece gets the conversion of its own text. A phrase across a cut
    whose conversion changed length goes whole to the piece it starts in: the
    spans of those phrases come with the pieces. None: no place to cut was found.
    """
    bounds, across, position = [0], [], 0
    for piece in pieces[:-1]:
        position += len(piece)
        found = conversion.cut(position)
        if found is None:
            return None
        at, span = found
        if span is not None and span not in across:
            across.append(span)
        bounds.append(max(at, bounds[-1]))
    bounds.append(len(conversion.target))
    return [conversion.target[a:b] for a, b in itertools.pairwise(bounds)], across


def _report_across(
    variant: Variant, article: Article | None, conversion: Conversion, span: Span, edges: list[int]
) -> None:
    s1, s2, t1, t2 = span
    cut = next(edge for edge in edges if s1 < edge < s2)
    # The source as written around the phrase's start, to find its line.
    needle = conversion.source[max(0, s1 - 6) : cut]
    warn(
        f"{variant.tag}: {conversion.source[s1:s2]} runs across the edge of a link or "
        f"emphasis and converts as one phrase, {conversion.target[t1:t2]}, which stays "
        "whole where it starts; move the markup to the phrase's edge to place it otherwise",
        path=display_path(article.source) if article else None,
        line=article.line_of(needle) if article else None,
    )


def _report_uncut(variant: Variant, article: Article | None, pieces: list[str]) -> None:
    text = "".join(pieces)
    warn(
        f"{variant.tag}: no place was found to cut the conversion of “{text[:20]}…” where its "
        "markup changes, so each piece was converted alone (a phrase across two may read "
        "wrong); shorten the passage between punctuation marks",
        path=display_path(article.source) if article else None,
        line=article.line_of(pieces[0][:20]) if article else None,
    )
