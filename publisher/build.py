"""Builds: which outputs to make, where they go, in what order.

Everything is read and checked before the first output is written, so bad
sources never cost a half-built edition. Each output is written atomically.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from .ambiguities import Ambiguity, find_ambiguities
from .atomic import atomic_target
from .document import AstCache, Edition, parse_edition
from .sources import read_edition
from .styles import DEFAULT_STYLES, Styles
from .variants import VARIANTS, Variant, apply_variant, variant_named
from .writers import WRITERS, WriterContext

CACHE_FOLDER = ".cache"


@dataclass(frozen=True)
class Output:
    """One file to make: an edition in one variant and one format."""

    variant: Variant
    format: str
    path: Path


def output_path(out: Path, edition: Edition, variant: Variant, format: str) -> Path:
    return out / variant.tag / f"{edition.config.name}{WRITERS[format].extension}"


def load_edition(source: Path, cache: Path | None = None) -> Edition:
    """Read, validate and parse a source folder; cache the ASTs only if all is valid."""
    asts = AstCache(cache)
    edition = parse_edition(read_edition(source), asts)
    asts.save()
    return edition


def ambiguity_report(source: Path) -> list[Ambiguity]:
    """One-to-many characters of the sources, for every Traditional variant there is."""
    return find_ambiguities(read_edition(source), [v for v in VARIANTS.values() if v.opencc_config])


def plan(
    edition: Edition, out: Path, formats: Iterable[str], variants: Iterable[str] | None
) -> list[Output]:
    """The outputs a build makes, variants checked by name."""
    tags = list(variants or edition.config.variants or [edition.config.language])
    chosen = [variant_named(tag) for tag in dict.fromkeys(tags)]
    return [
        Output(variant, format, output_path(out, edition, variant, format))
        for variant in chosen
        for format in formats
    ]


def render(edition: Edition, output: Output, styles_folder: Path, cache: Path) -> Path:
    """Make one output (in this process or a worker)."""
    context = WriterContext(apply_variant(edition, output.variant), Styles(styles_folder), cache)
    with atomic_target(output.path) as temporary:
        WRITERS[output.format]().write(context, temporary)
    return output.path


def build_edition(
    source: Path,
    out: Path,
    formats: Iterable[str] = tuple(WRITERS),
    variants: Iterable[str] | None = None,
    *,
    jobs: int = 1,
    styles_folder: Path = DEFAULT_STYLES,
    report=None,
) -> list[Path]:
    """Build the edition in ``source`` into ``out``; return the paths written.

    ``report``, if given, is called with each path as it is written.
    """
    cache = out / CACHE_FOLDER
    edition = load_edition(source, cache / "ast")
    outputs = plan(edition, out, formats, variants)
    Styles(styles_folder).file("print.css")  # fail before work if the styles are gone
    written = []
    if jobs > 1 and len(outputs) > 1:
        with ProcessPoolExecutor(max_workers=min(jobs, len(outputs), os.cpu_count() or 1)) as pool:
            futures = [pool.submit(render, edition, o, styles_folder, cache) for o in outputs]
            for future in futures:
                written.append(future.result())
                if report:
                    report(written[-1])
    else:
        for output in outputs:
            written.append(render(edition, output, styles_folder, cache))
            if report:
                report(written[-1])
    return written
