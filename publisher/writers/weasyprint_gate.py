"""The one place where publisher meets WeasyPrint's and pydyf's internals.

The PDF writer patches WeasyPrint and pydyf (cjk_justify.py, pdf_costs.py) and
calls names they do not publish (pdf.py). Those are checked here, once per
process and before any patch is installed: the versions against the ones
publisher was checked with (pinned in pyproject.toml and requirements.lock), and
the source of every private function and patch target against its digest as
checked. Any difference is one clear error naming the library or the symbol, and
the versions supported, before any output is written.

When WeasyPrint or pydyf is upgraded: read each function below in the new
version against the patches, then record the new versions and digests
(``.venv/bin/python -m publisher.writers.weasyprint_gate`` prints them).
"""

from __future__ import annotations

import hashlib
import importlib
import inspect
import sys
from collections.abc import Mapping
from functools import cache

from publisher.base.errors import BuildError

SUPPORTED = {"weasyprint": ("70.0",), "pydyf": ("0.13.0",)}

# Every private name publisher calls and every function it replaces or wraps, with
# the first 16 hex digits of the SHA-256 of its source in the supported versions.
CHECKED = {
    "weasyprint.layout.inline.justify_line": "f83b21ff8793ba6b",
    "weasyprint.text.line_break.Layout.set_text": "fe23ca9937dbf520",
    "weasyprint.layout.block.iter_line_boxes": "04aec48abfcad809",
    "weasyprint.layout.inline.count_expandable_spaces": "175fe6f42576ed38",
    "weasyprint.text.line_break.create_layout": "6587192cc0ab3ffa",
    "weasyprint.layout.inline.get_next_linebox": "67af458c2545e74f",
    "weasyprint.pdf.fonts.Font.__init__": "1f281166b10302a4",
    "weasyprint.pdf.fonts.Font._harfbuzz_subset": "f80805663ede8080",
    "weasyprint.pdf.fonts.Font.subset": "61ed6bc2e9a7e43a",
    "weasyprint.pdf.fonts.get_hb_object_data": "03040a623df04c2b",
    "pydyf.Stream.data": "bdc2bc513f286de7",
    "pydyf.PDF.write": "242cd38f92ecd33f",
    "weasyprint.pdf._use_references": "4d1abd9646c3f4dc",
    "weasyprint.pdf._w3c_date_to_pdf": "38d2c6a30e786cd3",
    "weasyprint.pdf.fonts.build_fonts_dictionary": "fc551bef35d0d6c3",
    "weasyprint.pdf.anchors.add_links": "262e8b9b299892a7",
    "weasyprint.pdf.anchors.add_annotations": "4e4bce55b8c5ebe2",
    "weasyprint.pdf.anchors.add_forms": "b31587edaf8c3233",
    "weasyprint.pdf.anchors.add_outlines": "9f5d6afde78956a1",
    "weasyprint.pdf.tags._build_box_tree": "f716251a83e7096e",
    "weasyprint.pdf.stream.Stream.__init__": "918b7e8bb22a7a82",
    "weasyprint.pdf.pdfua.pdfua": "b4b53c61f718ca91",
    "weasyprint.pdf.pdfa.pdfa": "ea4cd3554d52a964",
    "weasyprint.document.Document.__init__": "3e9c12ed2ef35b9b",
    "weasyprint.document.Page.paint": "b2f0dcbda755b5d5",
}


def check_versions(installed: Mapping[str, str] | None = None) -> None:
    """The WeasyPrint and pydyf in use are versions publisher supports: the module's own
    word where it is loaded, else ``installed`` (distribution -> version, read from
    the metadata without importing WeasyPrint: half a second a build saves)."""
    for name, supported in SUPPORTED.items():
        module = sys.modules.get(name)
        if module is None and installed is None:
            module = importlib.import_module(name)
        if module is not None:
            found = getattr(module, "__version__", None) or getattr(module, "VERSION", "unknown")
        else:
            found = (installed or {}).get(name, "unknown")
        if found not in supported:
            raise BuildError(
                f"{name} {found} is installed, but publisher supports {name} "
                f"{' or '.join(supported)} only (its PDF extensions patch {name}'s internals): "
                "run `make` to install the pinned versions (requirements.lock)"
            )


def digest(name: str) -> str | None:
    """The digest of ``name``'s source (a dotted module path and attributes), or None
    if it does not exist."""
    parts = name.split(".")
    for split in range(len(parts), 0, -1):
        try:
            found: object = importlib.import_module(".".join(parts[:split]))
        except ImportError:
            continue
        try:
            for attribute in parts[split:]:
                found = getattr(found, attribute)
        except AttributeError:
            return None
        if isinstance(found, property):
            found = found.fget
        try:
            source = inspect.getsource(found)  # type: ignore[arg-type]
        except (OSError, TypeError):  # compiled, or made at run time: not the one checked
            return "no source"
        return hashlib.sha256(source.encode()).hexdigest()[:16]
    return None


@cache
def check() -> None:
    """Versions, then every checked name; once per process (before the patches go in)."""
    check_versions()
    for name, expected in CHECKED.items():
        found = digest(name)
        if found != expected:
            what = "is missing" if found is None else "has changed"
            raise BuildError(
                f"{name} {what} in this WeasyPrint or pydyf; publisher was checked against "
                f"WeasyPrint {', '.join(SUPPORTED['weasyprint'])} and pydyf "
                f"{', '.join(SUPPORTED['pydyf'])}: run `make` to install them"
            )


if __name__ == "__main__":
    for name in CHECKED:
        sys.stdout.write(f'    "{name}": "{digest(name)}",\n')
