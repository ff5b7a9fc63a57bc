"""Bounds on what the sources may hold, so that time and memory follow the size of
the input, not what it expands to, and every writer gets what it can carry.

Each check names the file and line and says what to do (a :class:`SourceError`);
normalising (control characters) warns instead. All of it runs before the first
output is written.
"""

from __future__ import annotations

import datetime
import os
import re
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import AfterValidator

from publisher.base.errors import PublisherError, SourceError, warn

# A YAML file may share values through aliases (`&a` … `*a`), but everything they
# expand to counts: a kilobyte of nested aliases would otherwise unfold into
# billions of values (the "billion laughs"). An edition.yaml holds a few hundred.
MAX_YAML_VALUES = 10_000


def check_yaml_expansion(root: yaml.Node | None, path: Path, first_line: int = 1) -> None:
    """Refuse YAML whose aliases expand past :data:`MAX_YAML_VALUES` values, or refer
    to themselves, before anything constructs (or prints) the expanded value.

    Works on the composed node graph, where an alias is a shared node, so it costs
    time in the size of the text. Iterative: nesting depth cannot overflow the stack.
    """
    if root is None:
        return
    sizes: dict[int, int] = {}  # id(node) -> values it expands to
    on_path: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        key = id(node)
        if children_done:
            on_path.discard(key)
            sizes[key] = 1 + sum(sizes[id(child)] for child in _children(node))
            if sizes[key] > MAX_YAML_VALUES:
                _refuse_expansion(node, path, first_line)
            continue
        if key in sizes:
            continue
        if key in on_path:
            raise SourceError(
                path,
                "a YAML alias (`*name`) refers to the value that holds it",
                line=first_line + node.start_mark.line,
                hint="write the value out instead of the alias",
            )
        on_path.add(key)
        stack.append((node, True))
        stack.extend((child, False) for child in _children(node) if id(child) not in sizes)


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return []


def _refuse_expansion(node: yaml.Node, path: Path, first_line: int) -> None:
    raise SourceError(
        path,
        f"the YAML aliases (`*name`) expand to more than {MAX_YAML_VALUES:,} values",
        line=first_line + node.start_mark.line,
        hint="write the values out, or use fewer nested aliases",
    )


# ------------------------------------------------------------------------ titles

# A headline, kicker, subtitle or edition title longer than this is a paragraph. The
# PDF's running heads carry titles, and WeasyPrint sizes a margin box in time that
# grows much faster than its text (2,000 characters: 50 s); they carry at most
# RUNNING_HEAD_CHARS characters anyway (styles/print.css, writers/typography.py).
MAX_TITLE_CHARS = 200
RUNNING_HEAD_CHARS = 24


def running_head(title: str) -> str:
    """A title as a running head shows it: one line, cut with an ellipsis."""
    if len(title) <= RUNNING_HEAD_CHARS:
        return title
    return title[: RUNNING_HEAD_CHARS - 1] + "…"


# ------------------------------------------------------------- control characters

# Word's manual line break (U+000B) and page break (U+000C) arrive with pasted copy,
# as do backspaces and escapes; no XML format (EPUB, DOCX) may hold them, nor the
# non-characters U+FFFE/U+FFFF or a lone surrogate (a YAML "\ud800" escape).
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
LINE_BREAKS = "\x0b\x0c"
CJK = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\U00020000-\U0003ffff]")
_reported: set[tuple[str, int]] = set()  # (file, text hash): a file read twice warns once


def remove_control_characters(text: str, shown: str, *, line: int | None = None) -> str:
    """``text`` without control characters, with one warning naming the file and the
    first line that held any. Line numbers stay right: nothing adds or removes a line.

    A line or page break (U+000B, U+000C) becomes a space between two non-CJK
    characters (Latin words stay apart) and nothing elsewhere, as a line break
    inside a Chinese paragraph is nothing; any other is removed.
    """
    first = CONTROL.search(text)
    if first is None:
        return text

    def replace(match: re.Match) -> str:
        if match.group() not in LINE_BREAKS:
            return ""
        before = text[match.start() - 1 : match.start()]
        after = text[match.end() : match.end() + 1]
        if before.strip() and after.strip() and not CJK.match(before) and not CJK.match(after):
            return " "
        return ""

    found = sorted(set(CONTROL.findall(text)))
    key = (shown, hash(text))
    if key not in _reported:
        _reported.add(key)
        names = ", ".join(f"U+{ord(c):04X}" for c in found[:5])
        where = text.count("\n", 0, first.start()) + (line or 1)
        warn(
            f"removed {len(CONTROL.findall(text))} control character(s) ({names}; U+000B is "
            "Word's manual line break) that no EPUB or DOCX may hold",
            path=shown,
            line=where,
        )
    return CONTROL.sub(replace, text)


def remove_control_characters_in(value: Any, shown: str, line: int | None) -> Any:
    """The same for the strings of parsed YAML (escapes such as ``"\\v"`` get past the
    text check)."""
    if isinstance(value, str):
        return remove_control_characters(value, shown, line=line)
    if isinstance(value, list):
        return [remove_control_characters_in(item, shown, line) for item in value]
    if isinstance(value, dict):
        return {
            remove_control_characters_in(k, shown, line): remove_control_characters_in(
                v, shown, line
            )
            for k, v in value.items()
        }
    return value


# ------------------------------------------------------------------------- dates

# EPUB and DOCX are zip files, whose dates run from 1980 to 2107.
FIRST_DATE = datetime.date(1980, 1, 1)
LAST_DATE = datetime.date(2107, 12, 31)


def check_date(day: datetime.date) -> datetime.date:
    """A pydantic validator: a publication date a zip file can hold."""
    if not FIRST_DATE <= day <= LAST_DATE:
        raise ValueError(
            f"{day.isoformat()} is outside {FIRST_DATE.year}–{LAST_DATE.year}, the years "
            "an EPUB or DOCX can hold; is it a typo?"
        )
    return day


PublicationDate = Annotated[datetime.date, AfterValidator(check_date)]


def source_date_epoch() -> datetime.datetime | None:
    """``SOURCE_DATE_EPOCH`` as a time, checked: None when unset."""
    value = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not value:
        return None
    last = datetime.datetime.combine(LAST_DATE, datetime.time(23, 59, 59), datetime.UTC)
    if not value.isdigit() or int(value) > last.timestamp():
        raise PublisherError(
            f"SOURCE_DATE_EPOCH={value[:20]} is not a time between 1970 and "
            f"{LAST_DATE.year} in seconds since 1970 (EPUB and DOCX cannot hold later dates); "
            "set it to a date's seconds, e.g. `date -d 2024-07-15 +%s`, or unset it"
        )
    return datetime.datetime.fromtimestamp(int(value), tz=datetime.UTC)


# ----------------------------------------------------------------------- nesting

# Block quotes, lists, emphasis … inside one another. Every step of publisher and
# its tools that walks a document recurses; 150 levels of `>` overflowed Python's
# stack. Real articles nest a few levels.
MAX_NESTING = 32
# The markers that open a nesting level at the start of a line: `>`, `-`, `*`, `+`,
# `1.`, `1)` (a list marker only when a space follows).
LINE_MARKERS = re.compile(r"[ \t]*(?:>|[-+*](?=[ \t])|\d{1,9}[.)](?=[ \t]))")
NESTING_HINT = (
    f"nest block quotes and lists at most {MAX_NESTING} levels deep (check for "
    "a run of `>` or of list markers pasted by mistake)"
)


def check_line_nesting(body: str, shown: str, first_line: int) -> None:
    """Refuse a line that opens more than :data:`MAX_NESTING` levels, before pandoc."""
    for number, line in enumerate(body.split("\n")):
        depth, position = 0, 0
        while match := LINE_MARKERS.match(line, position):
            depth, position = depth + 1, match.end()
        if depth > MAX_NESTING:
            raise SourceError(
                shown,
                f"the line opens {depth} levels of block quotes or lists, more than {MAX_NESTING}",
                line=first_line + number,
                hint=NESTING_HINT,
            )


def check_nesting(blocks: list, article: Any, shown: str) -> None:
    """Refuse a parsed body nested more than :data:`MAX_ELEMENTS_DEEP` elements deep
    (lists by indentation, emphasis in emphasis …), naming the line of its deepest text.

    Iterative, so any depth is safe to measure.
    """
    deepest: tuple[int, Any] = (0, None)
    stack: list[tuple[Any, int]] = [(blocks, 0)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict):
            depth += "t" in node
            if depth > deepest[0]:
                deepest = (depth, node)
            stack.extend((value, depth) for value in node.values())
        elif isinstance(node, list):
            stack.extend((item, depth) for item in node)
    if deepest[0] > MAX_ELEMENTS_DEEP:
        text = deepest[1].get("c") if deepest[1].get("t") == "Str" else None
        raise SourceError(
            shown,
            f"the text is nested more than {MAX_NESTING} levels deep (block quotes, lists, "
            "emphasis … inside one another)",
            line=article.line_of(text) if isinstance(text, str) else None,
            hint=NESTING_HINT,
        )


# Elements on the way down: a level of nesting is one (a quote, a list), the
# paragraph and its inlines a few more.
MAX_ELEMENTS_DEEP = 2 * MAX_NESTING
