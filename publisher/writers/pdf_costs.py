"""Five costs WeasyPrint (70.x) and pydyf pay for every PDF, cut.

Measured on the sample, they were over a third of a PDF unit's time. All but
the zlib level leave the PDF's bytes as they were:

* Each font a page uses becomes a ``weasyprint.pdf.fonts.Font``, which first
  copies the whole font file out of HarfBuzz into Python: 20–27 MB for each
  Noto CJK collection, four of them in every PDF, about 25 ms and the memory
  each time. Nearly always the copy is then thrown away for the font's subset.
  Here the copy is made only if something reads it (a font that is not
  subset, a bitmap or colour font, fontTools' fallback).
* cffi parses every C type named in a string, and a string such as
  ``hb_codepoint_t[1042]`` names a new type for each array length: a parse of
  several milliseconds that WeasyPrint's subsetting pays three times per font.
  Here an array of length N is asked for as ``T[]`` of N items, one type.
* WeasyPrint subsets each font twice with HarfBuzz: once keeping the glyph ids,
  then again to drop the empty glyphs after the last one used and the hints.
  For a CFF font (Noto CJK is one), HarfBuzz 6 already ends the first subset at
  the last glyph used, so one pass that also drops the hints gives the same
  bytes in 40 % of the time. Other fonts, or a HarfBuzz that does not, get the
  two passes.
* Given a file identifier (ours comes from the edition), pydyf's ``PDF.write``
  serialises every object a second time to hash it, compressing every stream
  (the font subsets: megabytes) again: a tenth of a PDF unit. Here each
  stream's bytes are made once per write and the hash reads those.
* pydyf compresses every stream at zlib's level 9. A PDF's streams are mostly
  its font subsets, where level 9 takes twice the time of level 6 (zlib's
  default) and saves 0.3 % of their size. Here streams use level 6.
"""

from __future__ import annotations

import re
import threading
import zlib
from typing import Any

import pydyf
from weasyprint.pdf import fonts
from weasyprint.text.ffi import ffi

from publisher.writers import weasyprint_gate

_installed = False
# Set in a thread while a Font is made: its copy of the font file is deferred.
_making = threading.local()
# Set in a thread while pydyf writes a PDF: each stream's bytes, by the stream's id.
_writing = threading.local()
_ARRAY = re.compile(r"\s*([A-Za-z_][\w ]*?)\s*\[(\d+)\]\s*")


class _FaceData:
    """Stands for a font's file until something reads it."""


_FROM_FACE = _FaceData()


def install() -> None:
    """Patch WeasyPrint and pydyf once, after the compatibility gate (versions, sources)."""
    global _installed
    if _installed:
        return
    weasyprint_gate.check()
    _defer_file_copy()
    _one_type_per_array()
    _one_subset_pass_for_cff()
    _streams_serialised_once()
    pydyf.zlib = _Zlib
    _installed = True


def _defer_file_copy() -> None:
    copy_face = fonts.get_hb_object_data
    make_font = fonts.Font.__init__

    def get_hb_object_data(
        hb_object: Any, ot_color: str | None = None, glyph: int | None = None
    ) -> Any:
        if ot_color is None and getattr(_making, "font", False):
            return _FROM_FACE  # Font.__init__'s copy of the whole face
        return copy_face(hb_object, ot_color, glyph)

    def __init__(self: fonts.Font, *arguments: Any) -> None:
        _making.font = True
        try:
            make_font(self, *arguments)
        finally:
            _making.font = False

    def read(self: fonts.Font) -> bytes:
        content = self.__dict__["_file_content"]
        if content is _FROM_FACE:
            content = self.__dict__["_file_content"] = copy_face(self.hb_face)
        return content

    def write(self: fonts.Font, content: bytes) -> None:
        self.__dict__["_file_content"] = content

    fonts.get_hb_object_data = get_hb_object_data
    fonts.Font.__init__ = __init__
    fonts.Font.file_content = property(read, write)


def _one_type_per_array() -> None:
    allocate = ffi.new

    def new(cdecl: Any, init: Any = None) -> Any:
        # Twenty thousand calls a PDF, nearly all for a pointer: "[" spares them the regex.
        if isinstance(cdecl, str) and "[" in cdecl and (array := _ARRAY.fullmatch(cdecl)):
            length = int(array[2])
            if init is None:
                return allocate(f"{array[1]}[]", length)
            if hasattr(init, "__len__") and len(init) == length:
                return allocate(f"{array[1]}[]", init)
        return allocate(cdecl, init)

    ffi.new = new


# Tables WeasyPrint drops from every subset (pdf/fonts.py, Font._harfbuzz_subset).
_DROPPED_TABLES = (
    b"BASE", b"DSIG", b"EBDT", b"EBLC", b"EBSC", b"GPOS", b"GSUB", b"JSTF", b"LTSH", b"PCLT",
    b"SVG ",
)  # fmt: skip


# WeasyPrint's own subsetting: two passes.
WEASYPRINT_SUBSET = fonts.Font._harfbuzz_subset


def _one_subset_pass_for_cff() -> None:
    def _harfbuzz_subset(self: fonts.Font, to_unicode: dict, hinting: bool) -> None:
        if "CFF " in self.tables and (subset := subset_once(self, to_unicode, hinting)):
            self.file_content = subset
        else:
            WEASYPRINT_SUBSET(self, to_unicode, hinting)

    fonts.Font._harfbuzz_subset = _harfbuzz_subset


def subset_once(font: fonts.Font, to_unicode: dict, hinting: bool) -> bytes | None:
    """WeasyPrint's two subsets of ``font`` in one, or None where HarfBuzz does not
    end the font at its last glyph used."""
    # load time: HarfBuzz's bindings only once the patches are installed
    from weasyprint.text.ffi import harfbuzz, harfbuzz_subset

    plan = ffi.gc(
        harfbuzz_subset.hb_subset_input_create_or_fail(),
        harfbuzz_subset.hb_subset_input_destroy,
    )
    glyphs = sorted(to_unicode)
    harfbuzz.hb_set_add_sorted_array(
        harfbuzz_subset.hb_subset_input_glyph_set(plan),
        ffi.new("hb_codepoint_t[]", glyphs),
        len(glyphs),
    )
    flags = (
        harfbuzz_subset.HB_SUBSET_FLAGS_RETAIN_GIDS
        | harfbuzz_subset.HB_SUBSET_FLAGS_PASSTHROUGH_UNRECOGNIZED
        | harfbuzz_subset.HB_SUBSET_FLAGS_DESUBROUTINIZE
    )
    if not hinting:
        flags |= harfbuzz_subset.HB_SUBSET_FLAGS_NO_HINTING
    if font.missing:
        flags |= harfbuzz_subset.HB_SUBSET_FLAGS_NOTDEF_OUTLINE
    harfbuzz_subset.hb_subset_input_set_flags(plan, flags)
    tables = sorted(harfbuzz.hb_tag_from_string(name, -1) for name in _DROPPED_TABLES)
    dropped = harfbuzz_subset.HB_SUBSET_SETS_DROP_TABLE_TAG
    harfbuzz.hb_set_add_sorted_array(
        harfbuzz_subset.hb_subset_input_set(plan, dropped),
        ffi.new("hb_codepoint_t[]", tables),
        len(tables),
    )
    face = harfbuzz_subset.hb_subset_or_fail(font.hb_face, plan)
    if face == ffi.NULL:
        return None
    face = ffi.gc(face, harfbuzz.hb_face_destroy)
    if harfbuzz.hb_face_get_glyph_count(face) != glyphs[-1] + 1:
        return None
    return fonts.get_hb_object_data(face) or None


# pydyf's own, kept for the tests.
PYDYF_WRITE = pydyf.PDF.write
PYDYF_STREAM_DATA = pydyf.Stream.data


def _streams_serialised_once() -> None:
    serialise = PYDYF_STREAM_DATA.fget

    def data(self: pydyf.Stream) -> bytes:
        made = getattr(_writing, "streams", None)
        if made is None:  # not within a write: the stream may still change
            return serialise(self)
        if id(self) not in made:  # the stream is kept with its bytes: its id is not reused
            made[id(self)] = (self, serialise(self))
        return made[id(self)][1]

    def write(self: pydyf.PDF, *arguments: Any, **keywords: Any) -> Any:
        _writing.streams = {}
        try:
            return PYDYF_WRITE(self, *arguments, **keywords)
        finally:
            _writing.streams = None

    pydyf.Stream.data = property(data)
    pydyf.PDF.write = write


class _Zlib:
    """zlib as pydyf sees it: its streams' ``compressobj(level=9)`` at level 6."""

    compress = staticmethod(zlib.compress)
    decompress = staticmethod(zlib.decompress)

    @staticmethod
    def compressobj(level: int = zlib.Z_DEFAULT_COMPRESSION) -> Any:
        return zlib.compressobj(min(level, 6))
