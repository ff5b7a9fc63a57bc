"""The one small interface every output format implements."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import ClassVar

from publisher.base.model import Edition
from publisher.read.styles import Styles


@dataclass(frozen=True)
class WriterContext:
    """Everything a writer may read: the converted edition, the look, a cache folder."""

    edition: Edition  # already in the variant's language
    styles: Styles
    cache: Path  # for intermediate files that survive between builds
    # The horizontal copy of a variant whose PDF is set vertically (edition.yaml
    # `pdf: {vertical: [...], horizontal: true}`): set as if it were not.
    horizontal: bool = False
    # The press PDF (edition.yaml `pdf: {press: …}`): PDF/X-4 for the print shop.
    press: bool = False


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

    def write_outputs(
        self, context: WriterContext, edition: Path | None, articles: Mapping[str, Path]
    ) -> None:
        """Write the edition to ``edition`` (unless None) and each article named in
        ``articles`` (slug -> target) alone. Writers that can share work between
        them (the PDF lays out each article once) do it here."""
        if edition is not None:
            self.write(context, edition)
        for slug, target in articles.items():
            self.write(replace(context, edition=context.edition.only(slug)), target)
