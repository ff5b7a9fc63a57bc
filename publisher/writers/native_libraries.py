"""WeasyPrint's native libraries, loaded without a search of the system.

WeasyPrint (``weasyprint.text.ffi``) asks cffi for each of its seven libraries
(GObject, Pango, HarfBuzz …) under half a dozen names, the Windows and macOS
ones first. cffi looks up every name it cannot open directly with
``ctypes.util.find_library``, which on Linux runs ``ldconfig``, then ``gcc``
and ``ld``, as subprocesses: about twenty of them, 0.4–0.7 s of every process
that renders a PDF, a fifth of proofing one article. While WeasyPrint loads,
that lookup answers "not found" at once, so cffi moves on to the names the
dynamic linker resolves by itself (``libpango-1.0.so.0``). Where those do not
load, WeasyPrint is imported again with the lookup in place.
"""

from __future__ import annotations

import ctypes.util
import sys


def load_weasyprint() -> None:
    """Import WeasyPrint's library bindings, skipping the slow lookup when it can."""
    if "weasyprint.text.ffi" in sys.modules:
        return
    lookup = ctypes.util.find_library
    ctypes.util.find_library = lambda name: None
    try:
        import weasyprint.text.ffi
    except OSError:
        pass  # not under the linker's names on this system: the full lookup, below
    finally:
        ctypes.util.find_library = lookup
    import weasyprint.text.ffi  # noqa: F401


load_weasyprint()
