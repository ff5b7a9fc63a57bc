"""Copy-editing of the sources: punctuation in Chinese text (GB/T 15834), found and fixed.

Contributors type ASCII commas, colons and brackets between Chinese characters
(the raw copy of the sample did throughout). Every mistake is one
:class:`Finding` with its file, line and column, and most carry a safe fix
that ``publisher check --fix`` (and ``publisher import``) apply in place.

What is text is pandoc's decision, not a regular expression's: the body is
parsed with pandoc's CommonMark reader and its ``sourcepos`` extension, which
gives every piece of text its exact place in the file. Only text is checked:
code, math, raw HTML, link targets, autolinks and attributes never reach the
rules, so a fix cannot touch them. A piece of text whose place pandoc cannot
give exactly (an escape, an entity) is reported but not fixed.

Rules, by who finds them:

* autocorrect (huacnlee/autocorrect, a well-kept linter for CJK copy), with
  only its punctuation rules on (its spacing rules put a space between Chinese
  and digits, which Chinese news does not): ``fullwidth``, a half-width
  ``, . ! ?`` between Chinese characters; ``no-space-fullwidth``, a space
  beside full-width punctuation.
* our own, for what autocorrect leaves: ``halfwidth-punctuation``, a half-width
  ``, ; : ! ? .`` with Chinese on either side, also across a closing quote or
  bracket (``“美丽乡村”,``); ``halfwidth-parentheses``, ASCII ``( )`` around
  or after Chinese (``(含补贴)``), fixed as a pair; ``ascii-quotes``, ASCII
  ``"…"`` around Chinese; ``unbalanced``, a quotation mark or bracket that
  is never closed or closes nothing (reported, not fixed).
"""

from __future__ import annotations

import bisect
import codecs
import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import autocorrect_py as autocorrect
import yaml

from publisher.base import yamltext
from publisher.base.atomic import write_atomically
from publisher.base.errors import SourceError, logger
from publisher.base.model import Node
from publisher.base.pandoc import run_pandoc
from publisher.base.punctuation import CLOSING, OPENING, PAIRS
from publisher.document.pandoc_ast import INLINE_WRAPPERS, iter_ast, reading_call
from publisher.read.paths import display_path
from publisher.read.sources import read_text, split_front_matter

AUTOCORRECT_RULES = """
rules:
  fullwidth: 1
  no-space-fullwidth: 1
  space-word: 0
  space-punctuation: 0
  space-bracket: 0
  space-backticks: 0
  space-dash: 0
  space-dollar: 0
  halfwidth-word: 0
  halfwidth-punctuation: 0
  spellcheck: 0
"""
# pandoc's CommonMark reader gives each piece of text its source position;
# bare URLs become links, so that they are not text either; ASCII quotes stay
# as typed (smart quotes would hide them from the rules).
SOURCEPOS_FORMAT = "commonmark_x-smart+sourcepos+autolink_bare_uris"
# The front matter fields that are text readers see; keys are never touched.
TEXT_FIELDS = ("kicker", "title", "subtitle", "byline", "description")

FULLWIDTH = {",": "，", ";": "；", ":": "：", "!": "！", "?": "？", ".": "。"}
# A URL or e-mail address that pandoc left as text (one glued to Chinese, 见https://…).
URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://[!-~]+|www\.[!-~]+|[\w.+-]+@[\w-]+\.[!-~]+", re.ASCII)
CONTEXT = 10  # characters shown on either side of a mistake


def is_chinese(character: str) -> bool:
    """A Han character or a full-width (CJK) punctuation mark."""
    if not character:
        return False
    code = ord(character)
    return (
        0x3400 <= code <= 0x4DBF
        or 0x4E00 <= code <= 0x9FFF
        or 0xF900 <= code <= 0xFAFF
        or 0x20000 <= code <= 0x323AF
        or 0x3001 <= code <= 0x303F
        or 0xFF01 <= code <= 0xFF60
    )


@dataclass(frozen=True)
class Finding:
    """One copy-editing mistake, located; ``old`` → ``new`` is its fix, if it has one."""

    path: str
    line: int
    column: int  # 1-based, in characters
    rule: str
    message: str
    context: str
    old: str = ""
    new: str | None = None  # None: no safe fix; "" deletes ``old``
    severity: str = "warning"
    offset: int | None = None  # in the file's text, where ``old`` starts (None: do not fix)

    def __post_init__(self) -> None:
        # A suggestion equal to the original is no suggestion (issue 10, item 4).
        assert self.new != self.old, self

    @property
    def fixable(self) -> bool:
        return self.new is not None and self.offset is not None

    def __str__(self) -> str:
        return (
            f"{self.path}:{self.line}:{self.column}: {self.severity}: {self.message}: "
            f"{self.context} [{self.rule}]"
        )

    def change(self) -> str:
        """The line ``check --fix`` prints for this finding once fixed."""
        what = f"“{self.old}” → “{self.new}”" if self.new else f"removed “{self.old}”"
        return f"{self.path}:{self.line}:{self.column}: fixed {what}: {self.context} [{self.rule}]"

    def as_json(self) -> dict[str, Any]:
        return {
            "file": self.path,
            "line": self.line,
            "column": self.column,
            "severity": self.severity,
            "rule": self.rule,
            "message": self.message,
            "context": self.context,
            "fix": None if self.new is None else {"old": self.old, "new": self.new},
        }


@dataclass(frozen=True)
class _Edit:
    """A mistake found in a run of text, by index into the run."""

    index: int
    old: str
    new: str | None
    rule: str
    message: str


@dataclass
class _Run:
    """The text of one block as readers see it, each character with its file offset
    (None where it has none that a fix could safely use)."""

    text: list[str]
    offsets: list[int | None]
    start: int  # a file offset to report at when a character has none

    def add(self, text: str, offset: int | None) -> None:
        self.text.extend(text)
        self.offsets.extend(offset + i if offset is not None else None for i in range(len(text)))


# ---------------------------------------------------------------- rules


@cache
def _configured() -> None:
    autocorrect.load_config(AUTOCORRECT_RULES)


def _autocorrect_edits(text: str) -> list[_Edit]:
    """autocorrect's changes to ``text``, one edit per character changed or space removed."""
    _configured()
    new = autocorrect.format(text)
    edits, i, j = [], 0, 0
    while i < len(text):
        if j < len(new) and text[i] == new[j]:
            i, j = i + 1, j + 1
        elif text[i] == " ":
            message = "space beside full-width punctuation"
            edits.append(_Edit(i, " ", "", "no-space-fullwidth", message))
            i += 1
        elif j < len(new) and FULLWIDTH.get(text[i]) == new[j]:
            message = f"half-width “{text[i]}” in Chinese text, use “{new[j]}”"
            edits.append(_Edit(i, text[i], new[j], "fullwidth", message))
            i, j = i + 1, j + 1
        else:
            return []  # a change we cannot place exactly: trust none of it
    return edits if j == len(new) else []


def _neighbour(text: str | list[str], index: int, step: int) -> str:
    """The character beside ``index``, looking through closing marks on the left and
    opening marks on the right (``“美丽乡村”,`` has Chinese before its comma)."""
    through = CLOSING if step < 0 else OPENING
    index += step
    while 0 <= index < len(text) and text[index] in through:
        index += step
    return text[index] if 0 <= index < len(text) else ""


def _own_edits(text: str) -> list[_Edit]:
    edits = []
    opened: list[int] = []
    for index, character in enumerate(text):
        if character not in FULLWIDTH and character not in "()":
            continue
        before, after = _neighbour(text, index, -1), _neighbour(text, index, 1)
        if character in FULLWIDTH:
            if character == ".":
                # A full stop only after Chinese and before nothing Latin (3.5, 文件.md).
                near = is_chinese(before) and (not after or after.isspace() or is_chinese(after))
            else:
                near = is_chinese(before) or is_chinese(after)
            if near:
                new = FULLWIDTH[character]
                message = f"half-width “{character}” next to Chinese text, use “{new}”"
                edits.append(_Edit(index, character, new, "halfwidth-punctuation", message))
        elif character == "(":
            opened.append(index)
        elif character == ")" and opened:
            # A pair is fixed whole: both or neither.
            start = opened.pop()
            inside = text[start + 1 : index]
            if any(map(is_chinese, inside)) or is_chinese(_neighbour(text, start, -1)):
                message = "half-width parentheses around Chinese text, use “（）”"
                edits.append(_Edit(start, "(", "（", "halfwidth-parentheses", message))
                edits.append(_Edit(index, ")", "）", "halfwidth-parentheses", message))
        elif character == ")" and (is_chinese(before) or is_chinese(after)):
            message = "half-width parenthesis next to Chinese text, use “）”"
            edits.append(_Edit(index, ")", "）", "halfwidth-parentheses", message))
    for start in opened:
        if is_chinese(_neighbour(text, start, -1)) or is_chinese(_neighbour(text, start, 1)):
            message = "half-width parenthesis next to Chinese text, use “（”"
            edits.append(_Edit(start, "(", "（", "halfwidth-parentheses", message))
    return edits


def _unbalanced(text: str, continued: bool) -> list[_Edit]:
    """Quotation marks and brackets that are never closed or close nothing.

    ``continued``: the next paragraph opens with “, so an unclosed “ at the start
    of this one is a quotation running over paragraphs, as Chinese writes it.
    """
    edits, stack = [], []
    for index, character in enumerate(text):
        if character in PAIRS:
            stack.append(index)
        elif character in CLOSING:
            if character == "’" and 0 < index < len(text) - 1 and text[index - 1].isascii():
                continue  # an apostrophe: don’t
            if stack and PAIRS[text[stack[-1]]] == character:
                stack.pop()
            else:
                message = f"“{character}” closes nothing in this paragraph"
                edits.append(_Edit(index, character, None, "unbalanced", message))
    for index in stack:
        if continued and index == 0 and text[0] == "“":
            continue
        message = f"“{text[index]}” is never closed in this paragraph"
        edits.append(_Edit(index, text[index], None, "unbalanced", message))
    return edits


def _run_edits(run: _Run, continued: bool) -> list[_Edit]:
    text = "".join(run.text)
    protected = {i for match in URL.finditer(text) for i in range(*match.span())}
    chosen: dict[int, _Edit] = {}
    for edit in _autocorrect_edits(text) + _own_edits(text):
        if edit.index not in protected:
            chosen.setdefault(edit.index, edit)  # autocorrect's name wins where both find it
    return sorted(chosen.values(), key=lambda e: e.index) + _unbalanced(text, continued)


# ---------------------------------------------------------------- text from pandoc's AST


class _Positions:
    """Line and column (1-based, in characters) <-> offset in a text."""

    def __init__(self, text: str) -> None:
        self.starts = [0]
        for index, character in enumerate(text):
            if character == "\n":
                self.starts.append(index + 1)

    def offset(self, line: int, column: int) -> int:
        return self.starts[line - 1] + column - 1

    def where(self, offset: int) -> tuple[int, int]:
        line = bisect.bisect_right(self.starts, offset)
        return line, offset - self.starts[line - 1] + 1


def _data_pos(attr: list) -> tuple[tuple[int, int], tuple[int, int]] | None:
    for key, value in attr[2]:
        if key == "data-pos":
            match = re.search(r"(\d+):(\d+)-(\d+):(\d+)$", value)
            if match:
                a, b, c, d = map(int, match.groups())
                return (a, b), (c, d)
    return None


class _Collector:
    """Walks a sourcepos AST and cuts its text into runs, one per block."""

    def __init__(self, body: str, base: int) -> None:
        self.body = body
        self.base = base  # the body's offset in the file
        self.positions = _Positions(body)
        self.runs: list[_Run] = []

    def span_offset(self, attr: list, text: str) -> int | None:
        """The file offset of ``text`` if the source there holds exactly it."""
        pos = _data_pos(attr)
        if pos is None:
            return None
        start = self.positions.offset(*pos[0])
        end = self.positions.offset(*pos[1])
        if self.body[start:end] != text:
            return None
        return self.base + start

    def blocks(self, blocks: list[Node]) -> None:
        for block in blocks:
            self.block(block)

    def block(self, node: Node) -> None:
        kind, content = node["t"], node.get("c")
        if kind in ("Para", "Plain"):
            self.inline_block(content)
        elif kind == "Header":
            self.inline_block(content[2])
        elif kind in ("Div", "BlockQuote"):
            self.blocks(content[1] if kind == "Div" else content)
        elif kind in ("BulletList", "OrderedList"):
            for item in content if kind == "BulletList" else content[1]:
                self.blocks(item)
        elif kind == "DefinitionList":
            for term, definitions in content:
                self.inline_block(term)
                for definition in definitions:
                    self.blocks(definition)
        elif kind == "LineBlock":
            for line in content:
                self.inline_block(line)
        elif kind == "Figure":
            self.blocks(content[1][1])
            self.blocks(content[2])
        elif kind == "Table":
            self.table(content)
        # CodeBlock, RawBlock, HorizontalRule: no text to edit

    def table(self, content: list) -> None:
        _attr, caption, _specs, head, bodies, foot = content
        self.blocks(caption[1])
        rows = list(head[1]) + list(foot[1])
        for body in bodies:
            rows += body[2] + body[3]
        for row in rows:
            for cell in row[1]:
                self.blocks(cell[4])

    def inline_block(self, inlines: list[Node]) -> None:
        run = _Run([], [], self.base)
        self.inlines(inlines, run)
        if run.text:
            known = [o for o in run.offsets if o is not None]
            run.start = known[0] if known else self.base
            self.runs.append(run)

    def inlines(self, inlines: list[Node], run: _Run) -> None:
        for node in inlines:
            self.inline(node, run, None)

    def inline(self, node: Node, run: _Run, attr: list | None) -> None:
        kind, content = node["t"], node.get("c")
        if kind == "Span":
            inner = content[1]
            if len(inner) == 1 and inner[0]["t"] in ("Str", "Space"):
                self.inline(inner[0], run, content[0])
            else:
                self.inlines(inner, run)
        elif kind == "Str":
            run.add(content, self.span_offset(attr, content) if attr else None)
        elif kind == "Space":
            run.add(" ", self.span_offset(attr, " ") if attr else None)
        elif kind == "SoftBreak":
            pass  # a line break inside a paragraph joins Chinese without a space
        elif kind in INLINE_WRAPPERS:
            self.inlines(content, run)
        elif kind == "Link":
            text, (target, _title) = content[1], content[2]
            if "".join(_plain(text)) in (target, target.removeprefix("mailto:")):
                run.add("\0", None)  # an autolink: its text is the URL
            else:
                self.inlines(text, run)
        elif kind == "Note":
            run.add("\0", None)
            self.blocks(content)
        elif kind == "Image":
            run.add("\0", None)
            self.inline_block(content[1])
        else:  # Code, Math, RawInline, Cite, LineBreak: not text to edit, and a boundary
            run.add("\0", None)


def _plain(inlines: list[Node]) -> list[str]:
    out = []
    for node in inlines:
        if node["t"] == "Str":
            out.append(node["c"])
        elif node["t"] == "Span":
            out += _plain(node["c"][1])
    return out


def _quote_edits(run: _Run) -> list[_Edit]:
    """ASCII double quotes, paired in order: a pair holding or touching Chinese
    becomes “”. The rules after this one see every pair as “” (so that "X", is a
    comma after a closing quote)."""
    marks = [i for i, c in enumerate(run.text) if c == '"']
    edits = []
    for opening, closing in zip(marks[::2], marks[1::2], strict=False):
        inside = run.text[opening + 1 : closing]
        if any(map(is_chinese, inside)) or is_chinese(_neighbour(run.text, opening, -1)):
            message = "ASCII quotation marks around Chinese text, use “”"
            edits.append(_Edit(opening, '"', "“", "ascii-quotes", message))
            edits.append(_Edit(closing, '"', "”", "ascii-quotes", message))
        run.text[opening], run.text[closing] = "“", "”"
    if len(marks) % 2:
        last = marks[-1]
        if is_chinese(_neighbour(run.text, last, -1)) or is_chinese(_neighbour(run.text, last, 1)):
            message = "an ASCII quotation mark next to Chinese text, and no other to pair it with"
            edits.append(_Edit(last, '"', None, "ascii-quotes", message))
    return edits


# ---------------------------------------------------------------- articles


def _parse(body: str, asts: Any, reader: str = SOURCEPOS_FORMAT) -> Node:
    """pandoc's AST of ``body`` read as ``reader`` (cached in ``asts`` if given)."""
    document = asts.get(body, reader) if asts is not None else None
    if document is None:
        document = json.loads(run_pandoc(*reading_call(body, reader, quiet=True)))
        if asts is not None:
            asts.put(body, document, reader)
    return document


def pandoc_calls(body: str, asts: Any) -> list[tuple[list[str], str]]:
    """The pandoc calls :func:`find` will make for an article whose body (after its
    front matter) is ``body``, none it has cached: so that they can be started ahead
    (``pandoc.runs_ahead``)."""
    if asts is not None and asts.has(body, SOURCEPOS_FORMAT):
        return []
    # quiet: pandoc's own warnings come from the build's parse, once.
    return [reading_call(body, SOURCEPOS_FORMAT, quiet=True)]


def _build_blocks(body: str, asts: Any) -> list[Node]:
    """The body as the build reads it (pandoc's Markdown, not CommonMark)."""
    from publisher.base.pandoc import MARKDOWN_FORMAT  # document uses this module

    return _parse(body, asts, MARKDOWN_FORMAT)["blocks"]


def _squeezed(text: str) -> str:
    return re.sub(r"[\s\"'“”‘’]+", "", text)


def _seen_as_text(blocks: list[Node]) -> str:
    """All the text the build's reader sees, squeezed: for checking that CommonMark
    and pandoc's Markdown agree on what is text (they differ on a few constructs, such
    as attributes with non-ASCII names, which CommonMark leaves as text)."""
    return _squeezed("".join(node["c"] for node in iter_ast(blocks) if node["t"] == "Str"))


def _disputed(run: _Run, seen: str) -> set[int]:
    """Indices of the run's characters in a stretch the build does not read as text."""
    disputed: set[int] = set()
    start = 0
    text = "".join(run.text)
    for stretch in text.split("\0"):
        if _squeezed(stretch) not in seen:
            disputed.update(range(start, start + len(stretch)))
        start += len(stretch) + 1
    return disputed


def _front_matter_runs(yaml_text: str, base: int, text: str) -> list[_Run]:
    """The text fields of the front matter (``yaml_text``, at ``base`` in the file's
    ``text``), placed where the YAML has them."""
    try:
        # PyYAML's own parser: its marks count characters, as the runs must (yamltext.py).
        node = yaml.compose(yaml_text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return []  # reading the article reports it
    if not isinstance(node, yaml.MappingNode):
        return []
    runs = []
    for key, value in node.value:
        if key.value not in TEXT_FIELDS or not isinstance(value, yaml.ScalarNode):
            continue
        start, stop = base + value.start_mark.index, base + value.end_mark.index
        raw = text[start:stop]
        offset: int | None = None
        if value.style is None and raw == value.value:
            offset = start
        elif value.style in ("'", '"') and raw[1:-1] == value.value:
            offset = start + 1  # a quoted value without escapes
        run = _Run([], [], offset if offset is not None else start)
        run.add(value.value, offset)
        runs.append(run)
    return runs


def find(
    text: str, shown: str, asts: Any = None, blocks: list[Node] | None = None
) -> list[Finding]:
    """Every copy-editing finding in an article's text (front matter and body), which
    must have Unix line ends (as :func:`publisher.read.sources.read_text` gives it).

    ``blocks``: the body as the build parsed it, if the caller has it.
    """
    positions = _Positions(text)
    try:
        yaml_text, body, body_first_line = split_front_matter(text, Path(shown))
    except SourceError:  # no front matter: all of it is body
        body, body_offset, runs = text, 0, []
    else:
        body_offset = positions.starts[body_first_line - 1]
        runs = _front_matter_runs(yaml_text, text.index("\n") + 1, text)
    front = len(runs)
    collector = _Collector(body, body_offset)
    collector.blocks(_parse(body, asts)["blocks"])
    runs += collector.runs
    seen = _seen_as_text(blocks if blocks is not None else _build_blocks(body, asts))
    findings = []
    for number, run in enumerate(runs):
        disputed = _disputed(run, seen) if number >= front else set()
        typed = "".join(run.text)  # as typed, for the context shown
        edits = _quote_edits(run)
        continued = number + 1 < len(runs) and runs[number + 1].text[:1] in (["“"], ['"'])
        edits += _run_edits(run, continued)
        findings += [
            _finding(run, typed, edit, positions, shown)
            for edit in edits
            if edit.index not in disputed
        ]
    return sorted(findings, key=lambda f: (f.line, f.column, f.rule))


def _finding(run: _Run, typed: str, edit: _Edit, positions: _Positions, shown: str) -> Finding:
    offset = run.offsets[edit.index]
    line, column = positions.where(offset if offset is not None else run.start)
    text = typed.replace("\0", " ").replace("\n", " ")
    before = text[max(0, edit.index - CONTEXT) : edit.index]
    after = text[edit.index + 1 : edit.index + 1 + CONTEXT]
    context = (
        ("…" if edit.index > CONTEXT else "")
        + before
        + text[edit.index]
        + after
        + ("…" if edit.index + 1 + CONTEXT < len(text) else "")
    )
    return Finding(
        path=shown,
        line=line,
        column=column,
        rule=edit.rule,
        message=edit.message,
        context=context.strip(),
        old=edit.old,
        new=edit.new,
        offset=offset,
    )


def apply(text: str, findings: list[Finding]) -> tuple[str, list[Finding]]:
    """``text`` with every fixable finding fixed; returns it and the findings applied."""
    applied = []
    for finding in sorted(findings, key=lambda f: f.offset or 0, reverse=True):
        if not finding.fixable:
            continue
        start = finding.offset
        assert start is not None and finding.new is not None
        if text[start : start + len(finding.old)] != finding.old:
            continue  # not where we found it: leave it for the editor
        text = text[:start] + finding.new + text[start + len(finding.old) :]
        applied.append(finding)
    return text, sorted(applied, key=lambda f: (f.line, f.column))


def fix_text(text: str, shown: str, asts: Any = None) -> tuple[str, list[Finding]]:
    """Apply the safe fixes until none is left (a fix can reveal another: a space
    beside a comma that became full-width); returns the text and the changes.

    The fixed text is checked: the same front matter keys and non-text values, and
    the same code, URLs, raw HTML and attributes as the build reads them. A fix
    that would change any of them is a bug: it is refused, naming ``shown``.
    """
    fixed, changes = text, []
    for _ in range(3):
        fixed, applied = apply(fixed, find(fixed, shown, asts))
        if not applied:
            break
        changes += applied
    if not changes:
        return text, []
    old_meta, new_meta = _front_matter_data(text, shown), _front_matter_data(fixed, shown)
    same_meta = list(old_meta) == list(new_meta) and all(
        old_meta[k] == new_meta[k] for k in old_meta if k not in TEXT_FIELDS
    )
    if not same_meta or _untouchable(_body(text, shown)) != _untouchable(_body(fixed, shown)):
        raise SourceError(
            shown,
            "the copy-editing fixes would change more than text; nothing was written",
            hint="fix the punctuation by hand, and report this as a bug of publisher",
        )
    return fixed, changes


def report(findings: list[Finding]) -> None:
    """Log each finding as a warning; the CLI prints it as it reads (FILE:LINE:COL: …)."""
    for finding in findings:
        logger.warning(str(finding), extra={"finding": finding})


def _untouchable(body: str) -> list:
    """What a fix must never change, as the build's own reader sees it: code, math,
    raw HTML and other raw formats, link and image targets, every attribute."""
    kept: list = []
    for node in iter_ast(_build_blocks(body, None)):
        kind, content = node["t"], node.get("c")
        if kind in ("Code", "CodeBlock", "RawInline", "RawBlock", "Math"):
            kept.append((kind, content))
        elif kind in ("Link", "Image"):
            kept.append((kind, content[0], content[2]))
        elif kind in ("Header", "Div", "Span", "Figure", "Table"):
            kept.append((kind, content[1] if kind == "Header" else content[0]))
    return kept


def _front_matter_data(text: str, shown: str) -> dict:
    try:
        yaml_text, _body, _line = split_front_matter(text, Path(shown))
    except SourceError:
        return {}
    data = yamltext.load(yaml_text)
    return data if isinstance(data, dict) else {}


def fix_file(path: Path, asts: Any = None) -> list[Finding]:
    """Fix ``path`` in place (atomically; its BOM and line ends kept); return the changes
    (see :func:`fix_text`)."""
    shown = display_path(path)
    data = path.read_bytes()
    new, changes = fix_text(read_text(path), shown, asts)
    if not changes:
        return []
    if b"\r\n" in data:
        new = new.replace("\n", "\r\n")
    write_atomically(
        path, (codecs.BOM_UTF8 if data.startswith(codecs.BOM_UTF8) else b"") + new.encode()
    )
    return changes


def _body(text: str, shown: str) -> str:
    try:
        return split_front_matter(text, Path(shown))[1]
    except SourceError:
        return text
