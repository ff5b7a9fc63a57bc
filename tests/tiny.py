"""A tiny edition for the interactive commands' tests: two short articles of the sample."""

from __future__ import annotations

import shutil
from pathlib import Path

from conftest import SAMPLE

TINY_ARTICLES = ("articles/03-zezhou.md", "articles/04-liucun.md")


def tiny_edition(folder: Path, variants: tuple[str, ...] = ("zh-Hans", "zh-Hant-TW")) -> Path:
    """``folder/source``: the sample's two shortest articles (one with an image), its
    dictionary."""
    source = folder / "source"
    (source / "articles").mkdir(parents=True)
    (source / "images").mkdir()
    for name in TINY_ARTICLES:
        shutil.copy(SAMPLE / name, source / name)
    shutil.copy(SAMPLE / "images" / "placeholder-photo-2.png", source / "images")
    shutil.copy(SAMPLE / "dictionary.yaml", source / "dictionary.yaml")
    (source / "edition.yaml").write_text(
        "title: 山西乡村振兴\nname: tiny\nlanguage: zh-Hans\ndate: 2024-07-15\n"
        f"variants: [{', '.join(variants)}]\n"
        f"articles: [{', '.join(TINY_ARTICLES)}]\n",
        encoding="utf-8",
    )
    return source
