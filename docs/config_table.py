"""The table of edition.yaml's keys in docs/editing.md, made from the schema itself
(publisher/base/config.py: each key's type, default and description), so that the
table cannot drift from what the build accepts. tests/test_docs.py compares.

    .venv/bin/python docs/config_table.py        # rewrite the table (make docs-tables)
"""

from __future__ import annotations

import sys
from pathlib import Path

from pydantic import BaseModel
from pydantic_core import PydanticUndefined

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from publisher.base.config import EditionConfig, section_schema  # noqa: E402

GUIDE = ROOT / "docs" / "editing.md"
BEGIN = "<!-- edition.yaml keys: made by docs/config_table.py from the schema; do not edit -->"
END = "<!-- end of the edition.yaml keys -->"


def _default(field: object) -> str:
    if field.is_required():
        return ""
    value = field.default
    if value is PydanticUndefined and field.default_factory is not None:
        value = field.default_factory()
    if value is None or value in ([], {}) or isinstance(value, BaseModel):
        return ""
    if isinstance(value, bool):
        value = str(value).lower()
    return f"`{value}`"


def rows(model: type[BaseModel] = EditionConfig, prefix: str = "") -> list[str]:
    """One Markdown row per key, a section's keys after it (`pdf`, then `pdf.tagged` …)."""
    lines = []
    for name, field in model.model_fields.items():
        key = f"{prefix}{name}"
        nested = section_schema(field.annotation)
        described = field.description or (nested.__doc__ if nested is not None else "")
        meaning = " ".join((described or "").split()).replace("``", "`").replace("|", "\\|")
        required = "yes" if field.is_required() else ""
        lines.append(f"| `{key}` | {required} | {_default(field)} | {meaning} |")
        if nested is not None:
            lines += rows(nested, f"{key}.")
    return lines


def table() -> str:
    head = ["| key | required | default | meaning |", "| --- | --- | --- | --- |"]
    return "\n".join([BEGIN, *head, *rows(), END])


def main() -> None:
    text = GUIDE.read_text(encoding="utf-8")
    start, end = text.index(BEGIN), text.index(END) + len(END)
    GUIDE.write_text(text[:start] + table() + text[end:], encoding="utf-8")
    print(f"wrote the edition.yaml table in {GUIDE.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
