"""The README stays short and the guide holds the rest; every link and picture they
name is there."""

from __future__ import annotations

import re

from conftest import ROOT

PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def test_the_readme_is_at_most_250_lines():
    assert len((ROOT / "README.md").read_text(encoding="utf-8").splitlines()) <= 250


def test_every_link_and_picture_of_the_readme_and_the_guide_is_there():
    missing = []
    for page in PAGES:
        text = re.sub(r"```.*?```|`[^`]*`", "", page.read_text(encoding="utf-8"), flags=re.S)
        for target in re.findall(r"\]\(([^)#\s]+)", text):
            if "://" not in target and not (page.parent / target).exists():
                missing.append(f"{page.relative_to(ROOT)}: {target}")
    assert missing == []
    pictures = {p.name for p in (ROOT / "docs" / "pictures").glob("*.png")}
    assert {"zh-Hant-TW-vertical.png", "preview-zh-Hant-TW.png", "zh-Hans-3.png"} <= pictures
