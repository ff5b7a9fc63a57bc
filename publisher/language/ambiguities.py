"""The ambiguity report: where OpenCC had to choose a reading for a one-to-many character.

发 is 發 (to send) or 髮 (hair), 干 is 幹, 乾 or 干, 后 is 後 or 后 … OpenCC
chooses by its phrase tables, and usually well; an editor reviews the rest.
The report lists each such character of the sources with its file, line and
context and what each Traditional variant made of it. Characters inside a
phrase of the edition's reviewed dictionary are not listed: that choice was
made by a person.
"""

from __future__ import annotations

import copy
import itertools
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from publisher import CODE
from publisher.base.languages import DICTIONARY_ALL, Variant
from publisher.language.variants import Run, Slot, TextConverter, collect_runs
from publisher.read.paths import display_path
from publisher.read.sources import read_text

OPENCC_DATA = CODE / "data" / "opencc"
CONTEXT = 6  # characters shown each side

if TYPE_CHECKING:
    from publisher.base.model import Edition
# Big5's level-1 block: the 5,401 characters in common use in Taiwan.
BIG5_COMMON = range(0xA440, 0xC67F)


@cache
def read_table(name: str) -> dict[str, tuple[str, ...]]:
    """An OpenCC dictionary text file: key, tab, candidates separated by spaces."""
    table = {}
    for line in (OPENCC_DATA / name).read_text(encoding="utf-8").splitlines():
        if line.startswith("#") or "\t" not in line:
            continue
        key, candidates = line.split("\t", 1)
        table[key] = tuple(candidates.split())
    return table


def _common(character: str) -> bool:
    """Whether a reader meets this character (or its Taiwan form, 麪 → 麵) in common use."""
    for form in (character, *read_table("TWVariants.txt").get(character, ())):
        try:
            code = int.from_bytes(form.encode("big5"), "big")
        except UnicodeEncodeError:
            continue
        if code in BIG5_COMMON:
            return True
    return False


@cache
def one_to_many() -> dict[str, tuple[str, ...]]:
    """Simplified characters with two or more Traditional readings in common use.

    OpenCC's table lists 276 characters with several candidates, but many of
    the extra candidates are rare variants (党 → 黨 党); the report keeps the
    186 whose readings a reader meets: 发 (發 髮), 干 (幹 乾 干), 面 (面 麵) ….
    """
    return {
        simplified: candidates
        for simplified, candidates in read_table("STCharacters.txt").items()
        if sum(map(_common, candidates)) >= 2
    }


@dataclass(frozen=True)
class Ambiguity:
    path: Path
    line: int
    column: int
    character: str
    candidates: tuple[str, ...]
    chosen: dict[str, str]  # variant tag -> the character it became
    context: str

    def as_json(self) -> dict:
        return {
            "file": display_path(self.path),
            "line": self.line,
            "column": self.column,
            "character": self.character,
            "candidates": list(self.candidates),
            "chosen": self.chosen,
            "context": self.context,
        }

    def __str__(self) -> str:
        chosen = ", ".join(f"{tag} {char}" for tag, char in self.chosen.items())
        return (
            f"{display_path(self.path)}:{self.line}:{self.column}: {self.character} → "
            f"{chosen} (candidates {' '.join(self.candidates)}) in “{self.context}”"
        )


@dataclass(frozen=True)
class Passage:
    """One run of reader-visible text of an article, as the variant step converts it."""

    path: Path
    lines: list[str]  # the article file's lines, to place a position of ``text``
    text: str

    def place(self, position: int) -> tuple[int, int]:
        """The file line and column of ``text[position]``."""
        start = max(0, position - CONTEXT)
        context = self.text[start : position + CONTEXT + 1]
        return _place(self.lines, context, position - start)

    def context(self, start: int, end: int) -> str:
        return self.text[max(0, start - CONTEXT) : end + CONTEXT]


def edition_passages(edition: Edition) -> list[Passage]:
    """Every run of text a reader sees, in the order of the articles.

    The same runs the variant step converts (a phrase across markup or a line
    break is one phrase), with code, URLs and attributes left out.
    """
    passages = []
    for article in edition.articles:
        lines = read_text(article.source).split("\n")
        groups = itertools.count()
        meta = [getattr(article.meta, k) for k in ("kicker", "title", "subtitle", "byline")]
        runs = [Run(next(groups), text) for text in meta if text]
        runs += collect_runs(copy.deepcopy(article.blocks), groups)
        for run in runs:
            text = "".join(p.text if isinstance(p, Slot) else p for p in run)
            passages.append(Passage(article.source, lines, text))
    return passages


def find_ambiguities(edition: Edition, variants: list[Variant]) -> list[Ambiguity]:
    """Every one-to-many character a reader sees, with each variant's choice.

    It reads the edition's passages converted with the edition's dictionary, as
    the variant step converts them. Each character is placed by the source line
    that holds the text around it.
    """
    table = one_to_many()
    converters = [TextConverter(v, edition.dictionary) for v in variants if v.opencc_config]
    passages = edition_passages(edition)
    texts = [passage.text for passage in passages]
    conversions = {c.variant.tag: c.align(texts) for c in converters}
    found = []
    for index, passage in enumerate(passages):
        text = passage.text
        reviewed = reviewed_positions(text, edition.dictionary)
        for position, char in enumerate(text):
            if char not in table or position in reviewed:
                continue
            chosen = {}
            for tag, converted in conversions.items():
                chosen[tag] = converted[index].reading(position)
            line, column = passage.place(position)
            context = passage.context(position, position + 1)
            found.append(Ambiguity(passage.path, line, column, char, table[char], chosen, context))
    return found


def _place(lines: list[str], context: str, offset: int) -> tuple[int, int]:
    """The line and column where ``context`` (or the most of it) stands in the file."""
    for width in range(len(context), 0, -1):
        start = max(0, offset - width // 2)
        needle = context[start : start + width]
        if offset - start >= len(needle):
            continue
        for number, line in enumerate(lines, start=1):
            column = line.find(needle)
            if column >= 0:
                return number, column + offset - start + 1
    return 1, 1


def reviewed_positions(line: str, dictionary: dict, tag: str | None = None) -> set[int]:
    """Positions of ``line`` inside a phrase of the dictionary (that holds for ``tag``)."""
    positions: set[int] = set()
    for phrase, targets in dictionary.items():
        if tag is not None and tag not in targets and DICTIONARY_ALL not in targets:
            continue
        start = line.find(phrase)
        while start >= 0:
            positions.update(range(start, start + len(phrase)))
            start = line.find(phrase, start + 1)
    return positions
