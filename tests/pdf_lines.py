"""The lines of a PDF as pdfplumber sees them: characters with positions, grouped by line."""

from __future__ import annotations

import itertools
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import pdfplumber

BODY_SIZE = 10.5  # 五号, styles/print.css
# Marks set in the corner of the em box; when compressed (halt) a line-final
# one ends half an em before its nominal box, which pdfplumber cannot see.
CORNER_MARKS = set("”’）》」』】〕〗〉。，、：；！？")
CLOSING_PUNCTUATION = set("，。、：；！？”’）》」』】〕〗〉")
# What may not start a line: a lone character keeps these with it.
NO_LINE_START = CLOSING_PUNCTUATION | set("…—·")
OPENING_PUNCTUATION = set("“‘（《「『【〔〖〈")


@dataclass
class Line:
    page: int
    top: float
    chars: list[dict]
    page_width: float
    page_height: float

    @property
    def text(self) -> str:
        return "".join(c["text"] for c in self.chars)

    @property
    def x0(self) -> float:
        return self.chars[0]["x0"]

    @property
    def x1(self) -> float:
        return self.chars[-1]["x1"]

    @property
    def size(self) -> float:
        return max(round(c["size"], 1) for c in self.chars)

    @property
    def font(self) -> str:
        return self.chars[0]["fontname"]


def pdf_lines(path: Path) -> list[Line]:
    """Every line of every page, in reading order (pages, then top to bottom)."""
    lines = []
    with pdfplumber.open(path) as pdf:
        for number, page in enumerate(pdf.pages):
            rows: dict[tuple, list] = defaultdict(list)
            for char in page.chars:
                if char["text"].strip():
                    rows[round(char["top"], 1), round(char["size"], 1)].append(char)
            for top, size in sorted(rows):
                chars = sorted(rows[top, size], key=lambda c: c["x0"])
                lines.append(Line(number, top, chars, page.width, page.height))
    return lines


def body_lines(path: Path) -> list[Line]:
    """Lines of body text: the serif face at the body size."""
    return [
        line
        for line in pdf_lines(path)
        if "Serif" in line.font and abs(line.size - BODY_SIZE) < 0.1
    ]


def right_edges(path: Path) -> list[tuple[float, Line]]:
    """For each non-final body line, its distance from the text block's right edge.

    The text block is centred on the page (equal side margins); a line is a
    paragraph's last when the next body line starts indented.
    """
    lines = body_lines(path)
    left = min(line.x0 for line in lines)
    right = lines[0].page_width - left
    found = []
    for line, following in itertools.pairwise(lines):
        if following.x0 - left > 1:  # the next line is indented: this one ends a paragraph
            continue
        x1, last = line.x1, line.chars[-1]
        if last["text"] in CORNER_MARKS and abs(x1 - last["size"] / 2 - right) < 0.5:
            x1 -= last["size"] / 2  # a compressed mark: its advance is half an em
        found.append((right - x1, line))
    return found


def text_block(lines: list[Line]) -> tuple[float, float]:
    """The left and right edges of the text block the body lines are set in."""
    left = min(line.x0 for line in lines)
    return left, lines[0].page_width - left


def paragraph_ends(path: Path) -> list[Line]:
    """The last line of every body paragraph: the body line before an indented one, and the last."""
    lines = body_lines(path)
    left, _ = text_block(lines)
    ends = [line for line, following in itertools.pairwise(lines) if following.x0 - left > 1]
    return [*ends, lines[-1]]


def lone_character(line: Line) -> bool:
    """A line of one character and only the punctuation that follows it (孤字)."""
    return len(line.text.rstrip("".join(NO_LINE_START))) == 1
