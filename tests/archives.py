"""Tiny generated archives: editions of one short article with an image, for archive builds."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.conftest import SAMPLE

IMAGE = SAMPLE / "images" / "placeholder-photo-1.png"


def make_edition(folder: Path, name: str, title: str) -> Path:
    """One edition of one article with a figure, in ``folder``."""
    (folder / "articles").mkdir(parents=True)
    (folder / "images").mkdir()
    shutil.copy(IMAGE, folder / "images" / "photo.png")
    (folder / "edition.yaml").write_text(
        f"title: {title}\nname: {name}\ndate: 2024-07-15\npublisher: 样稿编辑部\n",
        encoding="utf-8",
    )
    (folder / "articles" / "01-news.md").write_text(
        f"---\ntitle: {title}：乡村新景\nauthors: [张永祥]\n---\n\n"
        "村里的路修好了，\n村民的日子越过越红火。\n\n"
        '![新修的村路](../images/photo.png){alt="新修的村路"}\n\n'
        "“我们赶上了好时代。”村民说。\n",
        encoding="utf-8",
    )
    return folder


def make_archive(root: Path, count: int) -> Path:
    """``root`` with ``count`` good editions, ``2024-07-01`` … by day."""
    for day in range(1, count + 1):
        make_edition(root / f"2024-07-{day:02}", f"daily-{day:02}", f"日报第{day}期")
    return root


def break_article(folder: Path) -> tuple[Path, int]:
    """Make an edition's article name an image that does not exist; return the file
    and the line, which an error must name."""
    article = folder / "articles" / "01-news.md"
    text = article.read_text(encoding="utf-8")
    article.write_text(text.replace("photo.png", "missing.png"), encoding="utf-8")
    return article, 9


def tree(folder: Path) -> dict[str, bytes]:
    """Every output file under ``folder`` (not the cache), by relative path."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and ".cache" not in p.parts
    }
