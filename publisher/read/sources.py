"""Reading and validating the sources: edition.yaml and the article files.

Everything here works on text and YAML only; pandoc is not involved yet. The
result is an :class:`EditionSource`, or a :class:`SourceError` that says which
file, which line and what to do.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import opencc

from publisher.base.config import (
    ArticleMeta,
    EditionConfig,
    article_front_matter,
    parse_yaml_mapping,
    validate,
)
from publisher.base.errors import SourceError, warn
from publisher.base.languages import DICTIONARY_ALL, VARIANTS, canonical_tag
from publisher.base.limits import remove_control_characters, source_date_epoch
from publisher.base.model import ArticleSource, EditionSource
from publisher.read.images import check_image
from publisher.read.paths import EDITION_FILE, display_path

DICTIONARY_FILE = "dictionary.yaml"
FRONT_MATTER_FENCE = "---"
FRONT_MATTER_CLOSERS = ("---", "...")


# Chinese sources come in these when not in UTF-8: tried first, in this order,
# before any statistical guess (which took short GB18030 files for Korean CP949).
CHINESE_ENCODINGS = ("GB18030", "BIG5")
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
# A decoding counts as Chinese text when this share of its non-ASCII characters
# is Han or CJK punctuation (mojibake brings kana, Hangul, Cyrillic, box lines).
MOSTLY_CJK = 0.9
CJK_TEXT = re.compile(
    r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff01-\uff5e\uffe0-\uffe6"
    r"\U00020000-\U0003134f\u2014\u2026\u201c\u201d\u2018\u2019\u00b7]"
)


def _decodes_to_chinese(data: bytes, encoding: str) -> bool:
    """Whether ``data`` decodes with ``encoding`` without error into mostly CJK text."""
    try:
        text = data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return False
    foreign = [c for c in text if ord(c) > 0x7F and c != "\ufeff"]
    return bool(foreign) and len(CJK_TEXT.findall("".join(foreign))) >= MOSTLY_CJK * len(foreign)


# Which reading has more of the commonest characters must win by this factor.
CLEARLY_BETTER = 3


@cache
def _common_characters() -> frozenset[str]:
    """The 100 commonest Chinese characters (charset_normalizer's table), Simplified and
    Traditional forms: about 40% of running Chinese text."""
    from charset_normalizer.constant import FREQUENCIES  # only for a file not in UTF-8

    simplified = "".join(FREQUENCIES["Chinese"])
    return frozenset(simplified + opencc.OpenCC("s2t").convert(simplified))


def _common_share(text: str) -> float:
    han = re.findall(r"[\u3400-\u9fff\uf900-\ufaff\U00020000-\U0003134f]", text)
    common = _common_characters()
    return sum(c in common for c in han) / len(han) if han else 0.0


def encoding_candidates(data: bytes) -> list[str]:
    """The encodings (iconv names) that read ``data`` as Chinese text, most likely first.

    A UTF-16 BOM settles it. Else GB18030 and Big5 come first: when either reads
    the file, no other guess is made (Japanese EUC also decodes much GB18030 into
    Han characters). Only then are charset_normalizer's guesses tried. Only
    encodings that decode the whole file cleanly into mostly CJK text are named.
    """
    if data.startswith(UTF16_BOMS):
        return ["UTF-16"] if _decodes_to_chinese(data, "utf-16") else []
    chinese = [name for name in CHINESE_ENCODINGS if _decodes_to_chinese(data, name)]
    if len(chinese) > 1:
        # Both decode into Han characters; real text is full of the most common
        # ones, the other reading's mojibake nearly never holds them.
        scores = {name: _common_share(data.decode(name)) for name in chinese}
        best = max(chinese, key=scores.__getitem__)
        if scores[best] > 0 and all(
            scores[n] * CLEARLY_BETTER <= scores[best] for n in chinese if n != best
        ):
            return [best]
    if chinese:
        return chinese
    # load time: charset_normalizer only for a file that is not UTF-8
    import charset_normalizer

    texts: dict[str, str] = {}  # decoded text -> the first encoding that gave it
    for match in charset_normalizer.from_bytes(data):
        if _decodes_to_chinese(data, match.encoding):  # GBK reads as GB2312 does: named once
            texts.setdefault(data.decode(match.encoding), match.encoding.upper().replace("_", "-"))
    return list(texts.values())


def read_text(path: Path) -> str:
    """Read a UTF-8 source file; accept a BOM and CRLF; explain any other encoding."""
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        shown = display_path(path)
        candidates = encoding_candidates(data)
        if data.startswith(UTF16_BOMS):
            line = None  # UTF-16 has no line the UTF-8 decoder could point at
        command = "`iconv -f {} -t UTF-8 " + f"{shown} > converted.md`"
        if len(candidates) == 1:
            looks = f"; it is {candidates[0]} text"
            hint = (
                f"save it as UTF-8, e.g. {command.format(candidates[0])} and replace the "
                "file with converted.md"
            )
        elif candidates:
            looks = f"; it reads as Chinese in each of {', '.join(candidates)}"
            hint = (
                f"convert it with the one whose text is right: {command.format('ENCODING')} "
                f"with ENCODING one of {', '.join(candidates)}; check converted.md, then "
                "replace the file with it"
            )
        else:
            looks = "; no Chinese encoding (GB18030, Big5, UTF-16) reads it cleanly"
            hint = (
                "open it in an editor that can show and change the encoding, save it as "
                "UTF-8, and check the text (part of it may be damaged)"
            )
        raise SourceError(shown, f"not UTF-8 text{looks}", line=line, hint=hint) from None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return remove_control_characters(text, display_path(path))


def source_file(
    root: Path, base: Path, name: str, *, what: str, shown: str, line: int | None, hint: str
) -> Path:
    """``name`` resolved against ``base``: an existing file inside the source folder.

    Absolute paths, URLs, ``../`` escapes and symbolic links that leave the
    folder are refused, naming ``shown`` (the file that names it) and ``line``.
    """
    if "://" in name or name.startswith(("data:", "/")):
        raise SourceError(
            shown, f"{what} `{name[:80]}` is not a file in the source folder", line=line, hint=hint
        )
    path = (base / name).resolve()
    if not path.is_relative_to(root.resolve()):
        raise SourceError(
            shown, f"{what} `{name}` lies outside the source folder", line=line, hint=hint
        )
    if not path.is_file():
        raise SourceError(
            shown,
            f"{what} `{name}` does not exist (looked for {display_path(path)})",
            line=line,
            hint=hint,
        )
    return path


def split_front_matter(text: str, path: Path) -> tuple[str, str, int]:
    """Split an article into its YAML front matter and its body.

    Returns the YAML text, the body and the file line the body starts on.
    """
    lines = text.split("\n")
    if not lines or lines[0].rstrip() != FRONT_MATTER_FENCE:
        raise SourceError(
            display_path(path),
            "the article has no front matter",
            line=1,
            hint="start the file with a `---` line, then `title: …` (and any other keys), "
            "then a closing `---` line",
        )
    for index in range(1, len(lines)):
        if lines[index].rstrip() in FRONT_MATTER_CLOSERS:
            return "\n".join(lines[1:index]), "\n".join(lines[index + 1 :]), index + 2
    raise SourceError(
        display_path(path),
        "the front matter is never closed",
        line=1,
        hint="end the front matter with a `---` line before the article text",
    )


def read_article(path: Path) -> ArticleSource:
    """Read one article file and validate its front matter."""
    text = read_text(path)
    yaml_text, body, body_first_line = split_front_matter(text, path)
    shown = display_path(path)
    data, lines = parse_yaml_mapping(yaml_text, Path(shown), first_line=2)
    data, lines, warnings = article_front_matter(data, lines)
    for message, line in warnings:
        warn(message, path=shown, line=line)
    meta = validate(ArticleMeta, data, lines, Path(shown), first_line=2)
    return ArticleSource(
        path=path,
        meta=meta,
        body=body,
        body_first_line=body_first_line,
        slug=meta.slug or path.stem,
        meta_lines=lines,
        shown=shown,
    )


def read_edition_config(root: Path) -> tuple[EditionConfig, dict]:
    """Read ``edition.yaml``; return it with the line of each key, for later messages."""
    path = root / EDITION_FILE
    shown = display_path(path)
    if root.exists() and not root.is_dir():
        raise SourceError(
            display_path(root),
            "is a file, not a source folder",
            hint="pass the folder that holds edition.yaml with --source DIR "
            f"(perhaps --source {display_path(root.parent)})",
        )
    if not root.is_dir():
        raise SourceError(
            display_path(root),
            "the source folder does not exist",
            hint="run from the repository root, or pass the folder with --source DIR",
        )
    if not path.is_file():
        raise SourceError(
            shown,
            "the edition file is missing",
            hint=f"create {shown} with at least `title: …` and `name: …` "
            "(see README, 'The source format')",
        )
    data, lines = parse_yaml_mapping(read_text(path), Path(shown))
    return validate(EditionConfig, data, lines, Path(shown)), lines


def article_paths(root: Path, config: EditionConfig, lines: dict) -> list[Path]:
    """The article files in edition order, each checked to exist inside the source folder."""
    shown = display_path(root / EDITION_FILE)
    if config.articles is None:
        paths = [
            source_file(
                root,
                root,
                path.relative_to(root).as_posix(),
                what="the article",
                shown=display_path(path),
                line=None,
                hint="copy the file into the source folder instead of linking to it",
            )
            for path in sorted((root / "articles").glob("*.md"))
        ]
        if not paths:
            raise SourceError(
                shown,
                "the edition has no articles",
                hint=f"add Markdown files to {display_path(root / 'articles')}/ "
                "or list them under `articles:`",
            )
        return paths
    paths = [
        source_file(
            root,
            root,
            name,
            what="the article",
            shown=shown,
            line=lines.get(f"articles[{index}]"),
            hint="keep articles inside the source folder (e.g. under articles/); create the "
            "file, or fix or remove its name under `articles:`",
        )
        for index, name in enumerate(config.articles)
    ]
    if not paths:
        raise SourceError(
            shown,
            "`articles:` lists no article",
            line=lines.get("articles"),
            hint="list at least one article file, or remove the key",
        )
    return paths


def read_dictionary(root: Path) -> dict[str, dict[str, str]]:
    """Read the reviewed phrase dictionary, ``dictionary.yaml``, if the edition has one.

    Each entry is ``简体词: 繁體詞`` (every Traditional variant) or
    ``简体词: {zh-Hant-TW: 臺灣用詞, all: 通用}``.
    """
    path = root / DICTIONARY_FILE
    if not path.is_file():
        return {}
    shown = display_path(path)
    data, lines = parse_yaml_mapping(read_text(path), Path(shown))
    hint = (
        "write `简体词: 繁體詞`, or `简体词: {zh-Hant-TW: …, zh-Hant-HK: …, all: …}`; "
        f"variants: {', '.join(t for t in VARIANTS if t != 'zh-Hans')}, all"
    )
    dictionary: dict[str, dict[str, str]] = {}
    for phrase, value in data.items():
        line = lines.get(str(phrase))
        targets = value if isinstance(value, dict) else {DICTIONARY_ALL: value}
        if not isinstance(phrase, str) or not phrase.strip():
            raise SourceError(shown, f"`{phrase}` is not a phrase", line=line, hint=hint)
        canonical = {}
        for tag, target in targets.items():
            name = DICTIONARY_ALL if tag == DICTIONARY_ALL else canonical_tag(str(tag))
            if name is None or name == "zh-Hans":
                raise SourceError(
                    shown, f"`{phrase}`: unknown variant `{tag}`", line=line, hint=hint
                )
            if not isinstance(target, str) or not target:
                raise SourceError(
                    shown, f"`{phrase}`: the conversion must be text", line=line, hint=hint
                )
            canonical[name] = target
        dictionary[phrase] = canonical
    return dictionary


def check_cover(root: Path, config: EditionConfig, lines: dict) -> None:
    """``cover:`` (and ``epub.cover``, ``pdf.cover``, each format's own) must name a
    PNG or JPEG file inside the source folder, whole."""
    shown = display_path(root / EDITION_FILE)
    for key, name in (
        ("cover", config.cover),
        ("epub.cover", config.epub.cover),
        ("pdf.cover", config.pdf.cover),
    ):
        if name is None:
            continue
        line = lines.get(key)
        path = source_file(
            root,
            root,
            name,
            what="the cover",
            shown=shown,
            line=line,
            hint="put the image under source/images/ and name it relative to the source "
            f"folder, or remove `{key}:` for a generated cover",
        )
        check_image(
            path, name=name, shown=shown, line=line, types=("PNG", "JPEG"), what="the cover"
        )


def check_press_profile(root: Path, config: EditionConfig, lines: dict) -> None:
    """``pdf: {press: {profile: …}}`` must name a CMYK printer profile in the source folder."""
    press = config.pdf.press
    if press is None or press.profile is None:
        return
    shown, line = display_path(root / EDITION_FILE), lines.get("pdf.press.profile")
    path = source_file(
        root,
        root,
        press.profile,
        what="the press profile",
        shown=shown,
        line=line,
        hint="put the print shop's .icc file in the source folder and name it relative to it, "
        "or remove `profile:` for Japan Color 2001 Coated",
    )
    problem = press_profile_problem(path.read_bytes())
    if problem:
        raise SourceError(
            shown,
            f"the press profile `{press.profile}` is {problem}",
            line=line,
            hint="ask the print shop for the CMYK profile of their press and paper",
        )


def press_profile_problem(data: bytes) -> str | None:
    """What keeps ``data`` from being a press PDF's output profile, or None: an ICC
    profile (its signature at byte 36) of a printer (class) in CMYK (colour space)."""
    if len(data) < 128 or data[36:40] != b"acsp":
        return "not an ICC profile"
    space, kind = data[16:20].decode("latin-1").strip(), data[12:16].decode("latin-1")
    if (space, kind) != ("CMYK", "prtr"):
        return f"a {space} profile of class `{kind}`, not a CMYK printer profile"
    return None


def check_stylesheets(root: Path, config: EditionConfig, lines: dict) -> None:
    """Each file ``css:`` names must be in the source folder; ``styles:`` a folder."""
    shown = display_path(root / EDITION_FILE)
    for name in config.css.names():
        path = source_file(
            root,
            root,
            name,
            what="the stylesheet",
            shown=shown,
            line=lines.get("css"),
            hint="put the .css file in the source folder and name it relative to it",
        )
        try:
            path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            raise SourceError(
                shown,
                f"the stylesheet `{name}` is not UTF-8 text",
                line=lines.get("css"),
                hint="save it as UTF-8 (a stylesheet is text)",
            ) from None
    folder = root / config.styles if config.styles is not None else None
    if folder is not None and not folder.is_dir():
        raise SourceError(
            shown,
            f"the styles folder `{config.styles}` "
            + ("is a file, not a folder" if folder.exists() else "does not exist"),
            line=lines.get("styles"),
            hint="make one with `publisher styles export DIR`, or remove `styles:`",
        )


def check_output(root: Path, config: EditionConfig, lines: dict) -> None:
    """``output:`` must name a folder (or nothing yet), not a file."""
    if config.output is not None and (root / config.output).is_file():
        raise SourceError(
            display_path(root / EDITION_FILE),
            f"`output: {config.output}` names a file; builds need a folder there",
            line=lines.get("output"),
            hint="name a folder (it is made if missing), or remove `output:` for build/",
        )


# Article files name output files (PDF, DOCX, the EPUB's documents): ASCII only.
ARTICLE_PATH = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)*")


def check_article_name(root: Path, path: Path) -> None:
    relative = path.relative_to(root).as_posix()
    if not ARTICLE_PATH.fullmatch(relative):
        raise SourceError(
            display_path(path),
            "the file name is not plain ASCII (letters, digits, '-', '_', '.'); it names "
            "the article's output files",
            hint="rename it, e.g. articles/05-liucun.md (the title can stay Chinese)",
        )


def read_edition(root: Path) -> EditionSource:
    """Read and validate a whole source folder (no parsing of Markdown yet)."""
    root = Path(root).resolve()
    config, lines = read_edition_config(root)
    source_date_epoch()  # checked before anything is written
    check_cover(root, config, lines)
    check_press_profile(root, config, lines)
    check_stylesheets(root, config, lines)
    check_output(root, config, lines)
    paths = article_paths(root, config, lines)
    for path in paths:
        check_article_name(root, path)
    articles = tuple(read_article(path) for path in paths)
    seen: dict[str, Path] = {}
    for article in articles:
        if article.slug in seen:
            raise SourceError(
                display_path(article.path),
                f"the slug `{article.slug}` is already used by {display_path(seen[article.slug])}",
                hint="give one of them its own `slug:` or rename the file",
            )
        seen[article.slug] = article.path
    return EditionSource(
        root=root, config=config, articles=articles, dictionary=read_dictionary(root)
    )
