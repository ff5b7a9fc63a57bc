"""Reading the sample's sources back as plain paragraphs, for comparing with outputs."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

IMAGE_LINE = re.compile(r"^!\[")


def article_files(source: Path) -> list[Path]:
    edition = yaml.safe_load((source / "edition.yaml").read_text(encoding="utf-8"))
    return [source / name for name in edition["articles"]]


def front_matter(path: Path) -> dict:
    text = path.read_text(encoding="utf-8")
    return yaml.safe_load(text.split("---\n")[1])


def body_paragraphs(path: Path) -> list[str]:
    """The body's text paragraphs (not figures), as written."""
    body = path.read_text(encoding="utf-8").split("---\n", 2)[2]
    paragraphs = [p.replace("\n", "") for p in body.split("\n\n")]
    return [p.strip() for p in paragraphs if p.strip() and not IMAGE_LINE.match(p.strip())]


def squeeze(text: str) -> str:
    """Text without any white space, for comparing extracted text with the source."""
    return re.sub(r"\s+", "", text)
