"""publisher: canonical Chinese Markdown news articles to PDF, EPUB and DOCX.

The pipeline, one module per stage: :mod:`sources` (read and validate) →
:mod:`document` (pandoc AST) → :mod:`variants` (language variants) →
:mod:`writers` (one module per format) → :mod:`build` (outputs, atomically)
→ :mod:`cli`.
"""

from .build import build_edition, load_edition
from .errors import BuildError, PublisherError, SourceError

__all__ = ["BuildError", "PublisherError", "SourceError", "build_edition", "load_edition"]
