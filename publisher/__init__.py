"""publisher: canonical Chinese Markdown news articles to PDF, EPUB and DOCX.

The pipeline, one module per stage: :mod:`sources` (read and validate) →
:mod:`document` (pandoc AST) → :mod:`variants` (language variants) →
:mod:`writers` (one module per format) → :mod:`build` (outputs, atomically)
→ :mod:`cli`.
"""

from __future__ import annotations

from importlib import import_module
from pathlib import Path
from typing import Any

# The look (stylesheets, templates, fonts: styles.py) lives beside the package.
DEFAULT_STYLES = Path(__file__).resolve().parent.parent / "styles"

# Loaded on first use, so that importing the package (as `python -m publisher`
# does before anything else) needs none of its dependencies yet.
_EXPORTS = {
    "build_edition": "build",
    "load_edition": "build",
    "BuildError": "errors",
    "PublisherError": "errors",
    "SourceError": "errors",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'publisher' has no attribute {name!r}")
    return getattr(import_module(f".{_EXPORTS[name]}", __name__), name)
