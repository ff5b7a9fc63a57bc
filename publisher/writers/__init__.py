"""Output formats: one module each, registered here by name."""

from __future__ import annotations

from .base import Writer, WriterContext
from .docx import DocxWriter
from .epub import EpubWriter
from .pdf import PdfWriter

WRITERS: dict[str, type[Writer]] = {
    writer.name: writer for writer in (PdfWriter, EpubWriter, DocxWriter)
}

__all__ = ["WRITERS", "Writer", "WriterContext"]
