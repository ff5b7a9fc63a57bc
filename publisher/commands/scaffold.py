"""``publisher new DIR``: a minimal edition that checks clean and builds.

The files are written from the templates below, so the comments in them are
the documentation a new editor sees first. Nothing is overwritten.
"""

from __future__ import annotations

import datetime
import re
import shutil
from pathlib import Path

from publisher import DEFAULT_STYLES
from publisher.base.config import SLUG_PATTERN
from publisher.base.errors import PublisherError

EDITION = """\
# The edition: what every output's title page, cover and metadata show.
# Every key is described in docs/editing.md ("The source format").
# `publisher build` in this folder builds it into build/ here.
title: 新的版面                  # the title readers see
name: {name}                     # ASCII, names the output files: build/zh-Hans/{name}.pdf
language: zh-Hans                # the sources are written in Simplified Chinese
date: {date}                     # the publication date, YYYY-MM-DD; set it to the issue's
# publisher: 编辑部               # the newspaper, office or press
# description: 一两句话介绍本期。
# subject: [乡村振兴]
# Published variants; Traditional editions are converted by OpenCC:
# zh-Hant, zh-Hant-TW (Taiwan: 「」 and Taiwanese vocabulary), zh-Hant-HK.
variants: [zh-Hans, zh-Hant-TW, zh-Hant-HK]   # drop those you do not publish
# The look, the same in the PDF, the EPUB, the web edition and the DOCX (docs/styles.md):
# style: {{body_size: 12pt, page_size: 16开, byline_color: "#b00"}}
# The articles in reading order; without this list, every articles/*.md by file name.
articles:
  - articles/01-example.md
"""

ARTICLE = """\
---
kicker: 引题：标题上方的一行
title: 示例文章的主标题
subtitle: 副题：可以省略
byline: 本报记者　某某
authors: [某某]
---

这是正文的第一段。中文段落里的换行
不算空格，可以在任何地方断行。标点用中文的：，。：；“”《》。

## 小标题

**加粗**与*强调*都可以使用。脚注写在文末。[^1]

图片放在 images/ 目录里，写作
`![图片说明](../images/photo.jpg){{alt="图片内容的文字描述"}}`。

[^1]: 这是一个脚注，印在 PDF 页面的下方。
"""

DICTIONARY = """\
# Reviewed phrases that win over OpenCC's conversion to Traditional Chinese,
# one per line (see docs/traditional.md). `publisher review` lists the places
# OpenCC may have got wrong, most doubtful first; record each decision here, by
# hand or with `publisher review --accept PHRASE=READING` (or `--keep PHRASE` for
# OpenCC's reading), and the next build uses it:
#   干部: 幹部                         # every Traditional variant
#   发展对象: {zh-Hant-TW: 發展對象}    # one variant; `all` for the others
"""


EXAMPLE = "01-example.md"  # in articles/


def _name(folder: Path) -> str:
    """The folder's name as an ASCII slug, for ``name:``; ``edition`` if it has none."""
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", folder.resolve().name).strip("-._")
    return slug if re.fullmatch(SLUG_PATTERN, slug) else "edition"


def create_edition(folder: Path, today: datetime.date | None = None) -> list[Path]:
    """Write a new edition into ``folder`` (new or empty); return the files written.

    ``today`` is the date written into edition.yaml (default: the clock's; a new
    edition's date is the editor's to change, and builds never read the clock).
    """
    folder = Path(folder)
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise PublisherError(
            f"{folder}: already exists and is not an empty folder; "
            "choose a new name (nothing was written)"
        )
    day = today or datetime.date.today()
    files = {
        folder / "edition.yaml": EDITION.format(name=_name(folder), date=day.isoformat()),
        folder / "articles" / EXAMPLE: ARTICLE.format(),
        folder / "dictionary.yaml": DICTIONARY,
    }
    (folder / "articles").mkdir(parents=True, exist_ok=True)
    (folder / "images").mkdir(exist_ok=True)
    for path, text in files.items():
        path.write_text(text, encoding="utf-8")
    return list(files)


def copy_styles(folder: Path) -> list[Path]:
    """The default styles copied into ``folder`` (new, or empty), for an edition's own."""
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise PublisherError(f"{folder}: is a file; name a new folder for the styles")
    if folder.exists() and any(folder.iterdir()):
        raise PublisherError(
            f"{folder}: already holds files; name a new folder, so that no change of yours "
            "is overwritten"
        )
    copied = []
    try:
        for path in sorted(DEFAULT_STYLES.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                target = folder / path.relative_to(DEFAULT_STYLES)
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(path, target)
                copied.append(target)
    except OSError as error:
        raise PublisherError(f"{folder}: cannot write there ({error.strerror})") from None
    return copied
