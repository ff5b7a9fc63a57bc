"""Output formats: one module each, registered here by name.

The registry names modules rather than importing them, so that commands that
write nothing (``publisher check``, ``--help``) do not pay for loading
WeasyPrint, ebooklib and python-docx.
"""

from __future__ import annotations

from importlib import import_module

from .base import Writer, WriterContext

_REGISTRY = {
    "pdf": ("publisher.writers.pdf", "PdfWriter"),
    "epub": ("publisher.writers.epub", "EpubWriter"),
    "docx": ("publisher.writers.docx", "DocxWriter"),
}
FORMATS: tuple[str, ...] = tuple(_REGISTRY)


def writer_for(format: str) -> type[Writer]:
    """The writer class of a format named in :data:`FORMATS`."""
    module, name = _REGISTRY[format]
    return getattr(import_module(module), name)


__all__ = ["FORMATS", "Writer", "WriterContext", "writer_for"]
