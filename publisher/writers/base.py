"""The one small interface every output format implements."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from ..document import Edition
from ..styles import Styles


@dataclass(frozen=True)
class WriterContext:
    """Everything a writer may read: the converted edition, the look, a cache folder."""

    edition: Edition  # already in the variant's language
    styles: Styles
    cache: Path  # for intermediate files that survive between builds


class Writer(ABC):
    """Renders a whole edition to one file.

    Per-article outputs are the same call with an edition of one article.
    ``write`` writes to ``target`` (a temporary path the build renames into
    place); it never decides where outputs live.
    """

    name: ClassVar[str]  # as typed on the command line: "pdf"
    extension: ClassVar[str]  # ".pdf"
    # Also written article by article, to OUT/<variant>/articles/<slug><extension>.
    per_article: ClassVar[bool] = False

    @abstractmethod
    def write(self, context: WriterContext, target: Path) -> None: ...
