"""Builds: which outputs to make, where they go, in what order.

Everything is read and checked before the first output is written, so bad
sources never cost a half-built edition. Each output is written atomically.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from .ambiguities import Ambiguity, find_ambiguities
from .atomic import atomic_target, write_atomically
from .document import AstCache, Edition, parse_edition
from .errors import WarningCounter, logger
from .pandoc import pandoc_version
from .sources import read_edition
from .styles import DEFAULT_STYLES, Styles
from .variants import VARIANTS, Variant, apply_variant, variant_named
from .writers import FORMATS, WriterContext, writer_for

CACHE_FOLDER = ".cache"
# Their versions decide the outputs' bytes as much as the sources do.
TOOL_DISTRIBUTIONS = (
    "weasyprint",
    "pydyf",
    "ebooklib",
    "python-docx",
    "opencc",
    "fonttools",
    "pillow",
    "lxml",
    "nh3",
)


ARTICLES_FOLDER = "articles"


@dataclass(frozen=True)
class Output:
    """One file to make: the edition, or one article of it, in one variant and format."""

    path: Path
    article: str | None = None  # the slug, for a per-article output


@dataclass(frozen=True)
class Task:
    """The outputs of one variant in one format: converted once, written together."""

    variant: Variant
    format: str
    outputs: tuple[Output, ...]


def outputs_for(out: Path, edition: Edition, variant: Variant, format: str) -> tuple[Output, ...]:
    """``OUT/<variant>/<name>.<ext>``, and ``OUT/<variant>/articles/<slug>.<ext>`` for
    formats that are also wanted article by article."""
    writer = writer_for(format)
    folder = out / variant.tag
    outputs = [Output(folder / f"{edition.config.name}{writer.extension}")]
    if writer.per_article:
        outputs += [
            Output(folder / ARTICLES_FOLDER / f"{article.slug}{writer.extension}", article.slug)
            for article in edition.articles
        ]
    return tuple(outputs)


def load_edition(source: Path, cache: Path | None = None) -> Edition:
    """Read, validate and parse a source folder; cache the ASTs only if all is valid."""
    asts = AstCache(cache)
    edition = parse_edition(read_edition(source), asts)
    asts.save()
    return edition


def traditional_variants(edition: Edition) -> list[Variant]:
    """The edition's published Traditional variants (all there are when it publishes none):
    what the ambiguity report and the review list read."""
    published = [variant_named(tag) for tag in edition.config.variants or []]
    return [v for v in published if v.opencc_config] or [
        v for v in VARIANTS.values() if v.opencc_config
    ]


def ambiguity_report(source: Path) -> list[Ambiguity]:
    """One-to-many characters of the sources, for the edition's Traditional variants."""
    edition = load_edition(source)
    return find_ambiguities(edition, traditional_variants(edition))


def plan(
    edition: Edition, out: Path, formats: Iterable[str], variants: Iterable[str] | None
) -> list[Task]:
    """What a build makes, variants checked by name."""
    tags = list(variants or edition.config.variants or [edition.config.language])
    chosen = list(dict.fromkeys(variant_named(tag) for tag in tags))  # zh-TW is zh-Hant-TW
    return [
        Task(variant, format, outputs_for(out, edition, variant, format))
        for variant in chosen
        for format in dict.fromkeys(formats)
    ]


def environment_key(styles_folder: Path) -> str:
    """What every output of a build depends on besides its edition: the styles,
    publisher's own code and its tools' versions. Read once per build."""
    digest = hashlib.sha256()
    for folder in (styles_folder, Path(__file__).parent):
        for path in sorted(
            p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts
        ):
            digest.update(str(path.relative_to(folder)).encode())
            digest.update(path.read_bytes())
    versions = [pandoc_version(), *(metadata.version(name) for name in TOOL_DISTRIBUTIONS)]
    digest.update(json.dumps(versions).encode())
    return digest.hexdigest()


def fingerprint(edition: Edition, task: Task, environment: str) -> str:
    """Everything a task's outputs depend on: the converted edition (text, metadata,
    image bytes, timestamp) and the build's :func:`environment_key`."""
    digest = hashlib.sha256(environment.encode())

    def add(value: object) -> None:
        digest.update(json.dumps(value, ensure_ascii=False, sort_keys=True, default=str).encode())

    add([task.format, task.variant.tag, [str(o.path) for o in task.outputs]])
    add(
        [
            edition.config.model_dump(mode="json"),
            edition.labels,
            edition.lang,
            edition.modified.isoformat(),
            list(edition.pandoc_api_version),
        ]
    )
    for article in edition.articles:
        add([article.slug, article.meta.model_dump(mode="json"), article.blocks])
        for target, path in sorted(article.images.items()):
            add([target, hashlib.sha256(path.read_bytes()).hexdigest()])
    return digest.hexdigest()


def render(
    edition: Edition, task: Task, styles_folder: Path, cache: Path, environment: str
) -> list[Path]:
    """Make one task's outputs (in this process or a worker), unless they are up to date.

    Returns the paths written; an up-to-date task writes nothing.
    """
    converted = apply_variant(edition, task.variant)
    key = fingerprint(converted, task, environment)
    stamp = cache / "outputs" / f"{task.variant.tag}.{task.format}.key"
    if all(o.path.is_file() for o in task.outputs) and stamp.is_file() and stamp.read_text() == key:
        return []
    writer = writer_for(task.format)()
    styles = Styles(styles_folder)
    for output in task.outputs:
        part = converted.only(output.article) if output.article else converted
        with atomic_target(output.path) as temporary:
            writer.write(WriterContext(part, styles, cache), temporary)
    _remove_stale_articles(task)
    write_atomically(stamp, key.encode())
    return [output.path for output in task.outputs]


def _remove_stale_articles(task: Task) -> None:
    """Per-article files of articles the edition no longer has would pass for current."""
    articles = [o.path for o in task.outputs if o.article]
    if not articles:
        return
    for path in articles[0].parent.glob(f"*{articles[0].suffix}"):
        if path not in articles:
            path.unlink()


def _quiet_worker() -> None:
    """A worker prints nothing: its warnings go back to the main process with its result."""
    logging.getLogger("publisher").handlers[:] = []


def _render_in_worker(
    edition: Edition, task: Task, styles_folder: Path, cache: Path, environment: str
) -> tuple[list[Path], list[str]]:
    with WarningCounter() as counter:
        paths = render(edition, task, styles_folder, cache, environment)
    return paths, counter.messages


def build_edition(
    source: Path,
    out: Path,
    formats: Iterable[str] = FORMATS,
    variants: Iterable[str] | None = None,
    *,
    jobs: int = 1,
    styles_folder: Path = DEFAULT_STYLES,
    report: Callable[[Path], None] | None = None,
) -> list[Path]:
    """Build the edition in ``source`` into ``out``; return the paths written.

    ``report``, if given, is called with each path as it is written.
    """
    cache = out / CACHE_FOLDER
    edition = load_edition(source, cache / "ast")
    tasks = plan(edition, out, formats, variants)
    Styles(styles_folder).file("print.css")  # fail before work if the styles are gone
    environment = environment_key(styles_folder)
    written: list[Path] = []

    def done(paths: list[Path]) -> None:
        written.extend(paths)
        for path in paths if report else ():
            report(path)

    if jobs > 1 and len(tasks) > 1:
        workers = min(jobs, len(tasks), os.cpu_count() or 1)
        with ProcessPoolExecutor(max_workers=workers, initializer=_quiet_worker) as pool:
            futures = [
                pool.submit(_render_in_worker, edition, t, styles_folder, cache, environment)
                for t in tasks
            ]
            for future in futures:
                paths, warnings = future.result()
                for message in warnings:  # printed and counted here, once
                    logger.warning(message)
                done(paths)
    else:
        for task in tasks:
            done(render(edition, task, styles_folder, cache, environment))
    return written
