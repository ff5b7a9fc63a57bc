"""publisher: canonical Chinese Markdown news articles to PDF, EPUB and DOCX.

The pipeline, one subpackage per stage, each importing only the ones before it
(tests/test_layout.py checks): :mod:`.base` (the types all stages share) →
:mod:`.read` (sources and styles, validated) → :mod:`.document` (pandoc's AST)
→ :mod:`.language` (the Traditional variants) → :mod:`.writers` (one module per
format) → :mod:`.run` (builds, atomically, on local or Dask workers) →
:mod:`.commands` (the command line).
"""

from __future__ import annotations

from importlib import import_module
from pathlib import Path
from typing import Any

# publisher's own code, whose digest is part of every build's key.
CODE = Path(__file__).resolve().parent
# The default look (stylesheets, templates, fonts: read/styles.py): inside the
# package when installed from a wheel (setup.py copies it in), else the
# repository's styles/ beside the package (a checkout, an editable install).
_SHIPPED_STYLES = CODE / "data" / "styles"
DEFAULT_STYLES = _SHIPPED_STYLES if _SHIPPED_STYLES.is_dir() else CODE.parent / "styles"

# Loaded on first use, so that importing the package (as `python -m publisher`
# does before anything else) needs none of its dependencies yet.
_EXPORTS = {
    "build_edition": "run.build",
    "load_edition": "run.build",
    "BuildError": "base.errors",
    "PublisherError": "base.errors",
    "SourceError": "base.errors",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'publisher' has no attribute {name!r}")
    return getattr(import_module(f".{_EXPORTS[name]}", __name__), name)
