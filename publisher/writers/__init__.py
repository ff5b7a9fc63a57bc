"""Output formats: one module each, registered here by name with what a build
must know about them before rendering anything.

The registry names modules rather than importing them, and holds each format's
extension and whether it is also written article by article, so that planning
a build, a no-op rebuild, ``publisher check`` and ``--help`` never load
WeasyPrint, ebooklib or python-docx. ``tests/test_units.py`` checks that these
entries agree with the writer classes.

May import: publisher.base, publisher.read, publisher.document (the writers
render an edition the language stage has converted, but never convert).
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from publisher.writers.base import Writer, WriterContext


@dataclass(frozen=True)
class Format:
    """A format as the build plans it: no import of its writer needed."""

    name: str  # as typed on the command line: "pdf"
    extension: str  # ".pdf"
    per_article: bool  # also written to OUT/<variant>/articles/<slug><extension>
    module: str
    writer: str  # the Writer class in ``module``
    # How long one article takes relative to the others, for balancing units
    # across workers (measured on the sample: laying out a PDF dominates).
    weight: float = 1.0
    # A format written as a folder (the web edition's site/) rather than one file:
    # its name under OUT/<variant>/.
    folder: str | None = None


_REGISTRY = {
    f.name: f
    for f in (
        Format("pdf", ".pdf", True, "publisher.writers.pdf", "PdfWriter", weight=4.0),
        Format("epub", ".epub", False, "publisher.writers.epub", "EpubWriter", weight=0.5),
        Format("docx", ".docx", True, "publisher.writers.docx", "DocxWriter", weight=0.5),
        Format("html", "", False, "publisher.writers.site", "SiteWriter", 0.5, "site"),
    )
}
FORMATS: tuple[str, ...] = tuple(_REGISTRY)


def format_named(name: str) -> Format:
    """The registry entry of a format named in :data:`FORMATS`."""
    return _REGISTRY[name]


def writer_for(format: str) -> type[Writer]:
    """The writer class of a format named in :data:`FORMATS` (imports its module)."""
    entry = _REGISTRY[format]
    return getattr(import_module(entry.module), entry.writer)


def __getattr__(name: str) -> Any:
    # Writer and WriterContext need the document model: loaded when first asked for.
    if name in ("Writer", "WriterContext"):
        from publisher.writers import base

        return getattr(base, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["FORMATS", "Format", "Writer", "WriterContext", "format_named", "writer_for"]
