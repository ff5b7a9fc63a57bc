"""WeasyPrint, loaded fast: its native libraries without a search of the system,
and the fontTools modules it uses only for fonts HarfBuzz cannot subset, deferred.

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
import importlib
import sys
import types
from collections.abc import Callable
from typing import Any

# What WeasyPrint imports but calls only for fonts HarfBuzz cannot subset.
DEFERRED_MODULES = ("fontTools.subset", "fontTools.varLib.instancer")


class _Deferred(types.ModuleType):
    """Stands for a module: each of its names is a function that imports the module
    on its first call (WeasyPrint only calls what it takes from these two)."""

    def __getattr__(self, name: str) -> Callable[..., Any]:
        if name.startswith("__"):
            raise AttributeError(name)

        def call(*arguments: Any, **keywords: Any) -> Any:
            return getattr(importlib.import_module(self.__name__), name)(*arguments, **keywords)

        return call


def load_weasyprint() -> None:
    """Import WeasyPrint's library bindings, skipping the slow lookup when it can."""
    if "weasyprint.text.ffi" in sys.modules:
        return
    lookup = ctypes.util.find_library
    ctypes.util.find_library = lambda name: None
    deferred = [name for name in DEFERRED_MODULES if name not in sys.modules]
    sys.modules.update((name, _Deferred(name)) for name in deferred)
    try:
        try:
            # imported here, while the library search is patched
            import weasyprint.text.ffi
        except OSError:
            pass  # not under the linker's names on this system: the full lookup, below
        finally:
            ctypes.util.find_library = lookup
        import weasyprint.text.ffi  # noqa: F401
    finally:
        for name in deferred:  # whoever imports them next gets the real modules
            if isinstance(sys.modules.get(name), _Deferred):
                del sys.modules[name]


load_weasyprint()
