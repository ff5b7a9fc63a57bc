"""The review list: the places where OpenCC's Traditional reading is likely wrong.

OpenCC converts by longest phrase match, and its typical mistake is a phrase
matched across a word boundary (种养发展 read as 种 养发 展, 養髮 "hair care";
收集群众 read as 收 集群 众, 叢集 "cluster"); in Taiwan it also swaps mainland
words for local ones where the news means something else (社区 → 社群). Three
independent signals point at such places:

``converter``
    A second converter, zhconv-rs (MediaWiki's zh-tw and zh-hk tables, which
    Wikipedia's editors maintain), reads the passage differently. It follows
    other character standards (占/佔, 台/臺, 周/週, 了解/瞭解) and sets quotation
    marks itself, so both readings are normalised before they are compared.
    zhconv-rs is GPL-2.0-or-later and an optional extra: without it this signal
    is off and the review says so.
``segmentation``
    A word found by a segmenter (jieba's dictionary and model, through rjieba)
    reads differently inside its passage than alone: a phrase OpenCC matched
    crossed the word's boundary and changed it.
``vocabulary``
    Taiwan's phrases (s2twp) word the passage differently from Taiwan's
    characters alone (s2tw).

A place is a finding when a signal fires there; the findings are grouped by
source phrase, and the groups ranked by how many signals agree. A reading no
signal questions is not listed. The edition's dictionary is applied as in the
build, and what lies inside one of its phrases was reviewed by a person.
"""

from __future__ import annotations

import bisect
import difflib
import json
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import rjieba
import yaml

from publisher.base.atomic import write_atomically
from publisher.base.errors import PublisherError, warn
from publisher.base.languages import Variant
from publisher.language.ambiguities import (
    Passage,
    edition_passages,
    one_to_many,
    read_table,
    reviewed_positions,
)
from publisher.language.variants import Conversion, TextConverter
from publisher.read.paths import display_path
from publisher.read.sources import DICTIONARY_FILE, read_dictionary, read_text

if TYPE_CHECKING:
    from publisher.base.model import Edition

SIGNALS = ("converter", "segmentation", "vocabulary")
# The reading to offer for recording comes from OpenCC's own standards first.
ACCEPT_PREFERENCE = ("segmentation", "vocabulary", "converter")

# zhconv-rs's name for each variant's table.
ZHCONV_TARGETS = {"zh-Hant": "zh-hant", "zh-Hant-TW": "zh-tw", "zh-Hant-HK": "zh-hk"}
TAIWAN = "zh-Hant-TW"

_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\U00020000-\U0003ffff]")


# ---------------------------------------------------------------- normalising standards

# Character standards on which MediaWiki's tables and OpenCC differ without
# either being wrong: both sides are mapped to one form before comparing.
# The regional variant tables of OpenCC (羣/群, 衞/衛, 説/說 …) are added below.
_STANDARD_FORMS = {
    "佔": "占",  # 占 in MediaWiki's Taiwan table, 佔 in OpenCC's (佔領, 佔地)
    "臺": "台",  # 台 and 臺 are both in use in Taiwan (搭台, 一台)
    "週": "周",  # 周報/週報, 每周/每週
    "瞭": "了",  # 了解/瞭解
    "勳": "勛",
    "蹟": "跡",
    "紮": "扎",  # 扎根/紮根
    "佈": "布",  # Hong Kong 發佈 / 發布
    "亙": "亘",
    "譁": "嘩",
    "溼": "濕",
    "豔": "艷",
    "嫋": "裊",
    "鑑": "鑒",
    "峯": "峰",
    "牀": "床",
    "啓": "啟",
    "麪": "麵",
}
# Quotation marks: the regions' corner brackets and the source's curly ones.
_QUOTES = {"「": "“", "」": "”", "『": "‘", "』": "’"}


@cache
def _normal_forms() -> dict[int, str]:
    """One form for each set of characters that differ only by standard."""
    pairs = list(_STANDARD_FORMS.items())
    for table in ("TWVariants.txt", "HKVariants.txt"):
        for standard, regional in read_table(table).items():
            pairs += [(form, standard) for form in regional if len(form) == len(standard) == 1]
    representative: dict[str, str] = {}

    def find(char: str) -> str:
        while representative.get(char, char) != char:
            char = representative[char]
        return char

    for a, b in pairs:
        root_a, root_b = find(a), find(b)
        if root_a != root_b:
            representative[root_a] = root_b
    forms = {char: find(char) for char in representative}
    forms.update(_QUOTES)
    return str.maketrans(forms)


def normalise(text: str) -> str:
    """``text`` with one form for each pair of standards; same length, position for position."""
    return text.translate(_normal_forms())


# ---------------------------------------------------------------- positions


class Reader:
    """A variant's conversion, as the build makes it (with the edition's dictionary),
    and where each source character went."""

    def __init__(self, variant: Variant, dictionary: dict[str, dict[str, str]]) -> None:
        self.tag = variant.tag
        self.converter = TextConverter(variant, dictionary)
        # s2twp is s2tw plus Taiwan's phrases, the only step that changes lengths.
        self.bridge = (
            TextConverter(replace(variant, opencc_config="s2tw"), dictionary)
            if variant.opencc_config == "s2twp"
            else None
        )

    def convert(self, texts: list[str]) -> list[str]:
        return self.converter.convert_all(texts)

    def read(self, texts: list[str]) -> list[tuple[str, Conversion]]:
        """Each text's conversion, with where each part of it came from."""
        return [(conversion.target, conversion) for conversion in self.converter.align(texts)]


# ---------------------------------------------------------------- findings


@dataclass
class Hit:
    """One signal at one place of one passage, for one variant.

    ``start``/``end`` is the source span to show (whole words), ``core`` the
    characters that actually read differently, ``replacements`` the other
    reading as edits of the published text: (start, end, text) in its positions.
    """

    signal: str
    tag: str
    start: int
    end: int
    core: tuple[int, int]
    replacements: list[tuple[int, int, str]]
    detail: str = ""
    as_written: bool = False  # the other reading is the source's characters unchanged


@dataclass
class ReadingFinding:
    """One place to review: a source phrase with each variant's reading and the other readings."""

    path: Path
    line: int
    column: int
    phrase: str
    context: str
    published: dict[str, str]  # variant tag -> its reading of the phrase
    alternatives: dict[str, dict[str, str]]  # signal -> variant tag -> the other reading
    details: dict[str, str] = field(default_factory=dict)  # signal -> what it saw
    # Only zhconv-rs disagrees, by leaving the characters as written: the weakest case.
    weak: bool = False

    @property
    def signals(self) -> list[str]:
        return [s for s in SIGNALS if s in self.alternatives]

    @property
    def location(self) -> str:
        return f"{display_path(self.path)}:{self.line}:{self.column}"

    def suggestion(self) -> dict[str, str]:
        """The dictionary entry's targets this finding offers: variant tag -> reading."""
        for signal in ACCEPT_PREFERENCE:
            if signal in self.alternatives:
                return self.alternatives[signal]
        return {}

    def as_json(self) -> dict[str, Any]:
        return {
            "file": display_path(self.path),
            "line": self.line,
            "column": self.column,
            "phrase": self.phrase,
            "context": self.context,
            "published": self.published,
            "signals": self.signals,
            "alternatives": self.alternatives,
            "details": self.details,
            "entry": dictionary_entry(self.phrase, self.suggestion(), self.published),
        }


@dataclass
class Group:
    phrase: str
    findings: list[ReadingFinding]

    @property
    def signals(self) -> list[str]:
        found = {s for f in self.findings for s in f.signals}
        return [s for s in SIGNALS if s in found]

    def entry(self) -> str:
        finding = max(self.findings, key=lambda f: len(f.signals))
        return dictionary_entry(self.phrase, finding.suggestion(), finding.published)


@dataclass
class Review:
    groups: list[Group]
    notes: list[str]  # signals that were off, and why

    @property
    def findings(self) -> list[ReadingFinding]:
        return [f for g in self.groups for f in g.findings]

    def count(self, signal: str) -> int:
        return sum(signal in f.signals for f in self.findings)


def review_edition(
    edition: Edition, variants: Sequence[Variant], zhconv: Any | None = None
) -> Review:
    """The review list for the edition's published Traditional ``variants``.

    ``zhconv`` is the zhconv-rs conversion function, or None when it is not
    installed (the converter signal is then off).
    """
    variants = [v for v in variants if v.opencc_config]
    notes = []
    if zhconv is None:
        notes.append(
            "zhconv-rs is not installed, so the second-converter signal is off; "
            "install it with `pip install -e '.[review]'` (`make` does)"
        )
    if not any(v.opencc_config == "s2twp" for v in variants):
        notes.append("no Taiwan edition is published, so the vocabulary signal is off")
    passages = edition_passages(edition)
    texts = [p.text for p in passages]
    words = [_words(text) for text in texts]
    readers = [Reader(v, edition.dictionary) for v in variants]
    published = {reader.tag: reader.read(texts) for reader in readers}
    hits: list[list[Hit]] = [[] for _ in texts]
    for reader in readers:
        ours = published[reader.tag]
        alone = _words_alone(reader, texts, words)
        for index, text in enumerate(texts):
            hits[index] += segmentation_hits(text, *ours[index], words[index], alone[index], reader)
        if zhconv is not None:
            target = ZHCONV_TARGETS[reader.tag]
            for index, text in enumerate(texts):
                theirs = zhconv(text, target)
                hits[index] += converter_hits(text, *ours[index], theirs, words[index], reader.tag)
        if reader.bridge is not None:
            plain = reader.bridge.convert_all(texts)
            for index in range(len(texts)):
                hits[index] += vocabulary_hits(*ours[index], plain[index], words[index])
    findings = []
    for index, passage in enumerate(passages):
        kept = [
            hit
            for hit in hits[index]
            if not _reviewed(hit, reviewed_positions(passage.text, edition.dictionary, hit.tag))
        ]
        findings += _findings(passage, kept, {tag: read[index] for tag, read in published.items()})
    return Review(rank(findings), notes)


def rank(findings: Iterable[ReadingFinding]) -> list[Group]:
    """Findings grouped by phrase; the groups most signals agree on first, then the
    most frequent (a weak finding after the others), then in the order of the edition."""
    groups: dict[str, Group] = {}
    for finding in findings:
        groups.setdefault(finding.phrase, Group(finding.phrase, [])).findings.append(finding)
    order = {phrase: number for number, phrase in enumerate(groups)}
    return sorted(
        groups.values(),
        key=lambda g: (
            -max(len(f.signals) for f in g.findings),
            all(f.weak for f in g.findings),
            -len(g.findings),
            order[g.phrase],
        ),
    )


def _reviewed(hit: Hit, reviewed: set[int]) -> bool:
    start, end = hit.core
    return all(p in reviewed for p in range(start, max(end, start + 1)))


# ---------------------------------------------------------------- the signals


def _words(text: str) -> list[tuple[int, int]]:
    """The spans of the words of ``text`` that hold a Han character, by jieba."""
    return [(start, end) for word, start, end in rjieba.tokenize(text) if _HAN.search(word)]


def _words_alone(
    reader: Reader, texts: list[str], words: list[list[tuple[int, int]]]
) -> list[list[str]]:
    """Each word of each text converted on its own, in one OpenCC call."""
    flat = [text[a:b] for text, spans in zip(texts, words, strict=True) for a, b in spans]
    converted = iter(reader.convert(flat))
    return [[next(converted) for _ in spans] for spans in words]


def _expand(words: list[tuple[int, int]], start: int, end: int) -> tuple[int, int]:
    """``start:end`` widened to the whole words it touches (``words`` are in order)."""
    first = bisect.bisect_right(words, (start, len(words) and words[-1][1] + 1)) - 1
    for word_start, word_end in words[max(0, first) :]:
        if word_start >= max(end, start + 1):
            break
        if start < word_end:
            start, end = min(start, word_start), max(end, word_end)
    return start, end


def converter_hits(
    text: str,
    ours: str,
    alignment: Conversion,
    theirs: str,
    words: list[tuple[int, int]],
    tag: str,
) -> list[Hit]:
    """Where zhconv-rs's reading differs from ours once standards and quotes agree.

    Where it leaves a one-to-many character as written (干, 里, which are
    Traditional characters too), MediaWiki's tables may simply have no rule for
    the place: the hit says so, and such a place alone ranks last.
    """
    hits = _differences("converter", tag, ours, alignment, theirs, words, normalise)
    for hit in hits:
        written = text[slice(*hit.core)]
        ambiguous = any(char in one_to_many() for char in written)
        if ambiguous and all(replacement == written for *_, replacement in hit.replacements):
            hit.detail = f"zhconv-rs leaves {written} as written"
            hit.as_written = True
    return hits


def vocabulary_hits(
    ours: str, alignment: Conversion, plain: str, words: list[tuple[int, int]]
) -> list[Hit]:
    """Where Taiwan's phrases (s2twp) word the text differently from s2tw."""
    return _differences("vocabulary", TAIWAN, ours, alignment, plain, words, str)


def _differences(
    signal: str,
    tag: str,
    ours: str,
    alignment: Conversion,
    other: str,
    words: list[tuple[int, int]],
    normal: Callable[[str], str],
) -> list[Hit]:
    """A hit for each stretch where ``other`` reads differently from ``ours``."""
    if ours == other:
        return []
    hits = []
    for j1, j2, k1, k2 in _changes(normal(ours), normal(other)):
        core = alignment.source_span(j1, j2)
        start, end = _expand(words, *core)
        hits.append(Hit(signal, tag, start, end, core, [(j1, j2, other[k1:k2])]))
    return hits


def _changes(ours: str, other: str) -> Iterable[tuple[int, int, int, int]]:
    """The stretches where two readings of one text differ: position by position when
    they have one length (most do: it is also linear), else as difflib matches them."""
    if len(ours) != len(other):
        matcher = difflib.SequenceMatcher(None, ours, other, autojunk=False)
        for kind, j1, j2, k1, k2 in matcher.get_opcodes():
            if kind != "equal":
                yield j1, j2, k1, k2
        return
    start = None
    for position, (a, b) in enumerate(zip(ours, other, strict=True)):
        if a != b and start is None:
            start = position
        elif a == b and start is not None:
            yield start, position, start, position
            start = None
    if start is not None:
        yield start, len(ours), start, len(ours)


def segmentation_hits(
    text: str,
    ours: str,
    alignment: Conversion,
    words: list[tuple[int, int]],
    alone: list[str],
    reader: Reader,
) -> list[Hit]:
    """Words of two or more characters that read differently in the passage than alone:
    an OpenCC phrase crossed into them from a neighbour. The hit spans the word and
    the neighbour the phrase came from."""
    hits = []
    for number, (start, end) in enumerate(words):
        if end - start < 2:
            continue  # a single character alone reads as OpenCC's default: no evidence
        j1, j2 = alignment.target_span(start, end)
        stretch = alignment.source_span(j1, j2)
        if stretch != (start, end):
            # A phrase whose conversion changed length crossed the word's edge
            # (的士兵 → 計程車兵): compare the words it covers, each read alone.
            first, last = _covering(words, *stretch)
            j1, j2 = alignment.target_span(words[first][0], words[last][1])
            if ours[j1:j2] == "".join(alone[first : last + 1]):
                continue
        elif ours[j1:j2] == alone[number]:
            continue
        else:
            first, last = _culprits(text, ours[j1:j2], words, number, reader)
        span = (words[first][0], words[last][1])
        t1, t2 = alignment.target_span(*span)
        reading = "".join(alone[first : last + 1])
        split = "|".join(text[a:b] for a, b in words[first : last + 1])
        hits.append(
            Hit(
                "segmentation",
                reader.tag,
                *span,
                (start, end),
                [(t1, t2, reading)],
                f"jieba {split}",
            )
        )
    return hits


def _covering(words: list[tuple[int, int]], start: int, end: int) -> tuple[int, int]:
    """The first and last word that ``start:end`` touches."""
    touched = [n for n, (a, b) in enumerate(words) if a < end and start < b]
    return touched[0], touched[-1]


def _culprits(
    text: str,
    reading: str,
    words: list[tuple[int, int]],
    number: int,
    reader: Reader,
) -> tuple[int, int]:
    """The words, around word ``number``, whose joint conversion gives its reading in the
    passage: the neighbour the phrase came from (both, for a phrase over three words)."""
    start, end = words[number]
    tries = []
    if number > 0 and words[number - 1][1] == start:
        tries.append((number - 1, number))
    if number + 1 < len(words) and words[number + 1][0] == end:
        tries.append((number, number + 1))
    if len(tries) == 2:
        tries.append((number - 1, number + 1))
    for first, last in tries:
        span = text[words[first][0] : words[last][1]]
        ((converted, alignment),) = reader.read([span])
        offset = start - words[first][0]
        j1, j2 = alignment.target_span(offset, offset + end - start)
        if converted[j1:j2] == reading:
            return first, last
    return number, number


# ---------------------------------------------------------------- from hits to findings


def _findings(
    passage: Passage, hits: list[Hit], published: dict[str, tuple[str, Conversion]]
) -> list[ReadingFinding]:
    """The hits of one passage, overlapping ones merged into one finding each."""
    clusters: list[list[Hit]] = []
    for hit in sorted(hits, key=lambda h: (h.start, h.end)):
        if clusters and hit.start < max(h.end for h in clusters[-1]):
            clusters[-1].append(hit)
        else:
            clusters.append([hit])
    alignments = {tag: alignment for tag, (_, alignment) in published.items()}
    published = {tag: text for tag, (text, _) in published.items()}
    findings = []
    for cluster in clusters:
        start, end = cluster[0].start, max(h.end for h in cluster)
        spans = {tag: alignments[tag].target_span(start, end) for tag in published}
        readings = {tag: published[tag][t1:t2] for tag, (t1, t2) in spans.items()}
        alternatives: dict[str, dict[str, str]] = {}
        details: dict[str, str] = {}
        for signal in SIGNALS:
            for tag in published:
                edits = [
                    e for h in cluster if (h.signal, h.tag) == (signal, tag) for e in h.replacements
                ]
                if edits:
                    alternatives.setdefault(signal, {})[tag] = _patch(
                        published[tag], spans[tag], edits
                    )
            seen = dict.fromkeys(h.detail for h in cluster if h.signal == signal and h.detail)
            if seen:
                details[signal] = "; ".join(seen)
        line, column = passage.place(start)
        context = (
            passage.text[max(0, start - CONTEXT_CHARS) : start]
            + f"【{passage.text[start:end]}】"
            + passage.text[end : end + CONTEXT_CHARS]
        )
        findings.append(
            ReadingFinding(
                passage.path,
                line,
                column,
                passage.text[start:end],
                context,
                readings,
                alternatives,
                details,
                weak=all(h.signal == "converter" and h.as_written for h in cluster),
            )
        )
    return findings


CONTEXT_CHARS = 8


def _patch(text: str, span: tuple[int, int], edits: list[tuple[int, int, str]]) -> str:
    """``text[span]`` with the edits (spans of ``text``) made; an edit overlapping an
    earlier one is left out."""
    start, end = span
    out, position = [], start
    for edit_start, edit_end, replacement in sorted(set(edits)):
        if edit_start < position:
            continue
        out += [text[position:edit_start], replacement]
        position = max(position, edit_end)
    out.append(text[position:end])
    return "".join(out)


# ---------------------------------------------------------------- the second converter


def second_converter() -> Callable[[str, str], str] | None:
    """zhconv-rs's conversion function, or None when the optional extra is not installed."""
    try:
        # an optional extra (GPL): the review runs without it
        from zhconv_rs import zhconv
    except ImportError:
        return None
    return zhconv


# ---------------------------------------------------------------- recording a decision


def dictionary_entry(phrase: str, targets: dict[str, str], published: dict[str, str]) -> str:
    """The line of dictionary.yaml that records ``targets`` (variant tag -> reading).

    One reading for every published variant is written for all variants;
    otherwise the entry names the variants it holds for.
    """
    if set(targets) == set(published) and len(set(targets.values())) == 1:
        return f"{_scalar(phrase)}: {_scalar(next(iter(targets.values())))}"
    inner = ", ".join(f"{tag}: {_scalar(reading)}" for tag, reading in targets.items())
    return f"{_scalar(phrase)}: {{{inner}}}"


def _scalar(text: str) -> str:
    """``text`` as a YAML scalar: plain where YAML reads it back unchanged, else quoted."""
    try:
        if yaml.safe_load(f"k: {text}") == {"k": text} and "," not in text and "}" not in text:
            return text
    except yaml.YAMLError:
        pass
    return json.dumps(text, ensure_ascii=False)


def accept(
    source: Path,
    phrase: str,
    review: Review | None,
    reading: str | None = None,
    keep: bool = False,
) -> str:
    """Add ``phrase`` to the edition's dictionary.yaml and return the entry written.

    With ``reading`` the entry holds for every variant; with ``keep`` it records
    the published readings as reviewed (the list is right to ask, OpenCC was
    right to choose); otherwise it takes the reading the review list offers.
    The file's comments and entries stay as they are: the entry is appended,
    under a comment saying where it came from.
    """
    path = Path(source) / DICTIONARY_FILE
    shown = display_path(path)
    existing = read_dictionary(Path(source))
    if phrase in existing:
        raise PublisherError(
            f"{shown}: `{phrase}` is already there; edit its entry in the file to change it"
        )
    comment = "# Accepted from `publisher review`"
    if reading is not None:
        entry = f"{_scalar(phrase)}: {_scalar(reading)}"
    else:
        group = next((g for g in review.groups if g.phrase == phrase), None) if review else None
        if group is None:
            raise PublisherError(
                f"`{phrase}` is not a phrase of the review list; give its reading: "
                f"--accept {phrase}=繁體"
            )
        first = group.findings[0]
        if keep:
            entry = dictionary_entry(phrase, first.published, first.published)
            comment = f"# Kept as published, reviewed with `publisher review` ({first.location})"
        else:
            entry = group.entry()
            comment += f" ({', '.join(group.signals)}; first at {first.location})"
    old = read_text(path) if path.is_file() else "# Reviewed phrases (see README).\n"
    if old and not old.endswith("\n"):
        old += "\n"
    write_atomically(path, f"{old}{comment}.\n{entry}\n".encode())
    try:
        read_dictionary(Path(source))
    except PublisherError:
        write_atomically(path, old.encode())
        raise
    return entry


def record_decisions(
    source: Path, review: Review, accepted: Iterable[str], kept: Iterable[str]
) -> list[str]:
    """``--accept PHRASE[=READING]`` and ``--keep PHRASE``: the entries written."""
    decisions = [(*item.partition("=")[::2], False) for item in accepted]
    decisions += [(phrase, "", True) for phrase in kept]
    entries = []
    for phrase, reading, keep in decisions:
        if not phrase.strip():
            raise PublisherError("--accept and --keep need a phrase: --accept 种养发展")
        entries.append(accept(source, phrase, review, reading or None, keep=keep))
    return entries


# ---------------------------------------------------------------- output


def _by_reading(readings: dict[str, str]) -> str:
    """``{tag: reading}`` as `reading (tag, tag)`, variants with the same reading together."""
    tags: dict[str, list[str]] = {}
    for tag, reading in readings.items():
        tags.setdefault(reading, []).append(tag)
    return "   ".join(f"{reading} ({', '.join(t)})" for reading, t in tags.items())


# A finding two signals or more agree on: what the review lists first, and what a
# build says is still undecided (one signal alone is often a house style, 占/佔).
HIGH = 2


def undecided(review: Review) -> list[Group]:
    """The groups the review ranks high that the dictionary has not decided (a decided
    phrase is no finding at all: the review applies the dictionary as the build does)."""
    return [g for g in review.groups if len(g.signals) >= HIGH]


def report_undecided(edition: Edition, variants: Sequence[Variant]) -> None:
    """A counted warning (so that --strict fails) naming the phrases of the published
    Traditional ``variants`` whose reading the review ranks high and nobody decided."""
    groups = undecided(review_edition(edition, variants, second_converter()))
    if not groups:
        return
    found = {tag for g in groups for f in g.findings for tag in f.published}
    tags = [variant.tag for variant in variants if variant.tag in found]
    phrases = "、".join(g.phrase for g in groups[:8]) + ("…" if len(groups) > 8 else "")
    count = len(groups)
    warn(
        f"{count} conversion{'s' * (count != 1)} to {', '.join(tags)} that `publisher review` "
        f"ranks high {'are' if count != 1 else 'is'} not decided in {DICTIONARY_FILE}: "
        f"{phrases}; decide each with `publisher review --accept PHRASE` or `--keep PHRASE`",
        path=display_path(edition.root / DICTIONARY_FILE),
    )


def summary(review: Review) -> str:
    counts = ", ".join(f"{signal} {review.count(signal)}" for signal in SIGNALS)
    return (
        f"{len(review.findings)} places to review in {len(review.groups)} phrases "
        f"(findings per signal: {counts})"
    )


def render_text(review: Review) -> str:
    """The list for an editor: phrases most signals agree on first."""
    out = []
    for number, group in enumerate(review.groups, start=1):
        signals = group.signals
        places = len(group.findings)
        out.append(
            f"{number}. {group.phrase} · {len(signals)} signal{'s' * (len(signals) > 1)}: "
            f"{', '.join(signals)} · {places} place{'s' * (places > 1)}"
        )
        for finding in group.findings:
            out.append(f"  {finding.location}: {finding.context}")
            out.append(f"    published     {_by_reading(finding.published)}")
            for signal, readings in finding.alternatives.items():
                detail = finding.details.get(signal)
                out.append(
                    f"    {signal:<13} {_by_reading(readings)}" + (f" — {detail}" if detail else "")
                )
        out.append(f"  accept: publisher review --accept {group.phrase}   # writes {group.entry()}")
        out.append(f"  or keep the published reading: publisher review --keep {group.phrase}")
        out.append("")
    return "\n".join(out)


def render_json(review: Review) -> str:
    return json.dumps(
        {
            "signals": {signal: review.count(signal) for signal in SIGNALS},
            "notes": review.notes,
            "groups": [
                {
                    "phrase": group.phrase,
                    "signals": group.signals,
                    "entry": group.entry(),
                    "findings": [finding.as_json() for finding in group.findings],
                }
                for group in review.groups
            ],
        },
        ensure_ascii=False,
        indent=2,
    )
