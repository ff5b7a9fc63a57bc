"""The README stays short and the guide holds the rest; every link and picture they
name is there."""

from __future__ import annotations

import re
import sys

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


def test_the_edition_yaml_table_is_the_schemas():
    """docs/editing.md's table of edition.yaml keys is made from the schema (every key,
    nested ones too): `make docs-tables` writes it again after a change."""
    sys.path.insert(0, str(ROOT / "docs"))
    from config_table import BEGIN, END, table

    guide = (ROOT / "docs" / "editing.md").read_text(encoding="utf-8")
    written = guide[guide.index(BEGIN) : guide.index(END) + len(END)]
    assert written == table(), "run `make docs-tables`"
    for key in ("isbn", "cover", "pdf.press.bleed", "epub.vertical", "docx.fonts", "strict"):
        assert f"| `{key}` |" in written
