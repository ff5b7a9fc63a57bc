"""Builds: which outputs to make, from what, where, and on which worker.

The unit of work is the article. Every output records, as a content hash (its
*key*), what it was built from: the articles it holds (their parsed text,
front matter and image bytes), the edition metadata it shows, the variant
(tag, quotation marks, its dictionary entries), ``styles/``, publisher's own
code and its tools' versions. An output is up to date when it exists and the
stamp beside it in ``OUT/.cache/keys/`` holds its key, so editing one article
rewrites the edition outputs and that article's own outputs, and nothing else.

Stale outputs are grouped into :class:`Unit`\\ s: one per article output
(DOCX, or PDF when the edition PDF is current), one per edition output, except
that a variant's edition PDF and its stale per-article PDFs are one unit, so
each article is laid out once for both (``writers/pdf.py``). Units are pure
and run on an executor (``executors.py``), longest first.

Everything is read and checked before the first output is written, so bad
sources never cost a half-built edition. Each output is written atomically.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Callable, Iterable, Sequence
from contextlib import ExitStack, closing, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from publisher import CODE, DEFAULT_STYLES
from publisher.base.atomic import (
    atomic_target,
    output_lock,
    sweep_leftovers,
    write_atomically,
)
from publisher.base.errors import (
    BuildError,
    PublisherError,
    WarningCounter,
    captured_warnings,
    logger,
    warn,
)
from publisher.base.languages import DICTIONARY_ALL, Variant, variant_named
from publisher.base.model import Article, Edition
from publisher.base.pandoc import pandoc_version
from publisher.document.parse import AstCache, parse_edition
from publisher.language.variants import apply_variant
from publisher.read.paths import display_path
from publisher.read.sources import EDITION_FILE, read_edition
from publisher.read.styles import Styles
from publisher.run.build_record import (
    BuildRecord,
    RecordedOutput,
    inputs_digest,
    invocation_id,
    is_current,
    styled,
)
from publisher.run.digests import CACHE_FOLDER, folders_digest, tool_versions
from publisher.run.executors import Executor, build_executor
from publisher.run.progress import Event
from publisher.writers import FORMATS, format_named
from publisher.writers.press import press_profile
from publisher.writers.vivliostyle import check_installed, engine_versions

if TYPE_CHECKING:
    from publisher.language.ambiguities import Ambiguity

KEYS_FOLDER = "keys"  # under CACHE_FOLDER: one stamp per output, holding its key
ARTICLES_FOLDER = "articles"


@dataclass(frozen=True)
class Output:
    """One file to make: the edition, or one article of it, in one variant and format."""

    path: Path
    variant: str
    format: str
    key: str  # content hash of everything the file is built from
    article: str | None = None  # the slug, for a per-article output
    stamp: Path | None = None  # where the key is recorded once the file is written
    # "horizontal": the horizontal copy of a PDF set vertically (pdf.horizontal);
    # "press": the edition's press PDF (pdf.press), PDF/X-4 for the print shop.
    layout: str = ""

    def up_to_date(self) -> bool:
        return is_current(self.path, self.stamp, self.key)


@dataclass(frozen=True)
class Unit:
    """Outputs of one variant and format made together by one call of :func:`run_unit`.

    Pure: everything the outputs depend on is in here (``edition`` holds the
    source-language articles the unit needs; the variant is applied in the
    unit) or covered by the outputs' keys (images, styles).
    """

    edition: Edition
    variant: Variant
    format: str
    outputs: tuple[Output, ...]
    styles_folder: Path
    cache: Path
    cost: float  # estimated seconds, for scheduling longest first
    layout: str = ""  # as its outputs'

    @property
    def name(self) -> str:
        slugs = [o.article for o in self.outputs if o.article]
        whole = any(o.article is None for o in self.outputs)
        what = "edition" if whole else ", ".join(slugs)
        return f"{self.variant.tag} {self.format}{f' {self.layout}' if self.layout else ''} {what}"


@dataclass
class UnitResult:
    """What a unit reports back (picklable): written paths, warnings, failure, time."""

    unit: str
    written: list[Path] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    variant: str = ""  # the tag of the unit's variant
    error: str | None = None
    failed: list[Path] = field(default_factory=list)
    seconds: float = 0.0
    pid: int = 0


# ---------------------------------------------------------------- reading


def load_edition(source: Path, cache: Path | None = None) -> Edition:
    """Read, validate and parse a source folder; cache the ASTs only if all is valid."""
    asts = AstCache(cache)
    edition = parse_edition(read_edition(source), asts)
    asts.save()
    return edition


def traditional_variants(edition: Edition) -> list[Variant]:
    """The edition's published Traditional variants: what the ambiguity report and the
    review list read (none for an edition that publishes Simplified only: a reading
    for a variant it does not publish is no decision anyone has to make)."""
    published = [variant_named(tag) for tag in edition.config.variants or []]
    return [v for v in published if v.opencc_config]


def ambiguity_report(edition: Edition) -> list[Ambiguity]:
    """One-to-many characters of a loaded edition, for its Traditional variants.

    It takes the edition ``check`` has already read, so that what reading reports
    (copy-editing, front matter) is said, and counted, once."""
    # load time: the ambiguity tables only for a report that asks for them
    from publisher.language.ambiguities import find_ambiguities

    return find_ambiguities(edition, traditional_variants(edition))


# ---------------------------------------------------------------- keys


def environment_key(styles_folder: Path) -> str:
    """What every output of a build depends on besides its sources: the styles,
    publisher's own code and its tools' versions. Read once per build."""
    # The default styles too: a styles folder of one's own takes the files it lacks there.
    code = folders_digest(styled({"code": CODE}, styles_folder), follow_links=True)
    # pandoc's own version too: PYPANDOC_PANDOC may name another binary than the bundled one.
    return _hash(code, tool_versions(), pandoc_version())


def _hash(*values: object) -> str:
    data = json.dumps(values, ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(data.encode()).hexdigest()


def article_key(article: Article) -> str:
    """An article's content: slug, front matter, parsed body and its images' bytes."""
    images = {t: hashlib.sha256(p.read_bytes()).hexdigest() for t, p in article.images.items()}
    return _hash(article.slug, article.meta.model_dump(mode="json"), article.blocks, images)


def variant_key(edition: Edition, variant: Variant) -> str:
    """What the variant step and the edition's look bring to every output of a variant:
    the edition metadata (not its article list), the variant's quotation marks and
    dictionary entries, the words the tool prints, the timestamp, the cover image."""
    config = edition.config.model_dump(mode="json", exclude={"articles"})
    entries = {
        phrase: targets.get(variant.tag, targets.get(DICTIONARY_ALL))
        for phrase, targets in edition.dictionary.items()
    }
    config = edition.config
    # The files edition.yaml names besides the articles: the covers and css: stylesheets.
    named = [config.cover, config.epub.cover, config.pdf.cover, *config.css.names()]
    cover_hash = [
        hashlib.sha256((edition.root / name).read_bytes()).hexdigest() if name else None
        for name in named
    ]
    return _hash(
        variant.tag,
        variant.opencc_config,
        edition.config.quotes.get(variant.tag, variant.quotes),
        sorted((k, v) for k, v in entries.items() if v is not None and variant.opencc_config),
        config,
        edition.labels,
        edition.lang,
        edition.modified.isoformat(),
        list(edition.pandoc_api_version),
        cover_hash,
    )


# ---------------------------------------------------------------- planning


def choose_variants(edition: Edition, variants: Iterable[str] | None) -> list[Variant]:
    """The variants to build, checked by name (zh-TW is zh-Hant-TW)."""
    tags = list(variants or edition.config.variants or [edition.config.language])
    return list(dict.fromkeys(variant_named(tag) for tag in tags))


def plan_outputs(
    edition: Edition,
    out: Path,
    formats: Iterable[str],
    variants: Iterable[str] | None,
    environment: str,
    articles: Iterable[str] | None = None,
) -> list[Output]:
    """Every output a build wants, with its key. With ``articles`` (slugs), only those
    articles' own outputs: the proof of one piece, not the edition."""
    slugs = {a.slug for a in edition.articles}
    wanted = list(dict.fromkeys(articles or ()))
    for slug in wanted:
        if slug not in slugs:
            raise BuildError(
                f"no article `{slug}` in the edition; its articles are: {', '.join(sorted(slugs))}"
            )
    formats = list(dict.fromkeys(formats))
    if wanted and not any(format_named(f).per_article for f in formats):
        own = ", ".join(f for f in FORMATS if format_named(f).per_article)
        asked = ", ".join(formats)
        raise BuildError(
            f"--article builds an article's own files ({own}); {asked} exists for the "
            "whole edition only"
        )
    keys = {a.slug: article_key(a) for a in edition.articles}
    outputs = []
    for variant in choose_variants(edition, variants):
        base = variant_key(edition, variant)
        folder = out / variant.tag
        for name in formats:
            fmt = format_named(name)
            for layout, engine in _layouts(edition, variant, name):
                suffix = f"-{layout}" if layout else ""

                def output(
                    path: Path,
                    key: str,
                    slug: str | None = None,
                    tag=variant.tag,
                    name=name,
                    layout=layout,
                ) -> Output:
                    return Output(path, tag, name, key, slug, stamp_of(out, path), layout)

                if not wanted:
                    whole = _hash(
                        environment, name, base, [keys[a.slug] for a in edition.articles], *engine
                    )
                    name_in_folder = fmt.folder or f"{edition.config.name}{suffix}{fmt.extension}"
                    outputs.append(output(folder / name_in_folder, whole))
                if fmt.per_article and layout != "press":  # the press takes the edition
                    for article in edition.articles:
                        if wanted and article.slug not in wanted:
                            continue
                        key = _hash(environment, name, base, keys[article.slug], *engine)
                        path = folder / ARTICLES_FOLDER / f"{article.slug}{suffix}{fmt.extension}"
                        outputs.append(output(path, key, article.slug))
    return outputs


def _layouts(edition: Edition, variant: Variant, format: str) -> list[tuple[str, tuple[str, ...]]]:
    """The layouts of a format in a variant, each with what its key adds: a PDF set
    vertically (pdf.vertical) depends on Vivliostyle's and chromium's versions, and
    may keep a horizontal copy (pdf.horizontal); a press PDF (pdf.press) depends on
    its profile. A variant set vertically has no press PDF: Vivliostyle's is RGB, and
    a horizontal press PDF of a vertical edition is not the edition the shop proofed."""
    options = edition.config.pdf
    if format != "pdf":
        return [("", ())]
    if variant.tag not in options.vertical:
        if options.press is None:
            return [("", ())]
        return [("", ()), ("press", ("press", press_profile(edition).digest))]
    vertical = ("", ("vertical", engine_versions()))
    return [vertical, ("horizontal", ("horizontal",))] if options.horizontal else [vertical]


def _cost(sizes: dict[str, int], format: str, slugs: Iterable[str]) -> float:
    """Seconds a unit is likely to take: a fixed start, plus its articles' length
    times the format's weight (a PDF layout costs several times an EPUB)."""
    return 0.3 + format_named(format).weight * sum(sizes[s] for s in slugs) / 20_000


def make_units(
    edition: Edition, stale: Sequence[Output], styles_folder: Path, cache: Path
) -> list[Unit]:
    """Group stale outputs into units, longest first.

    An edition output is one unit; a per-article output is a unit of its own
    (an article's DOCX needs nothing of the others), except that the stale
    per-article PDFs of a variant whose edition PDF is also stale go with it:
    one layout of each article serves both.
    """
    groups: dict[tuple, list[Output]] = {}
    for output in stale:
        whole = (output.variant, output.format, output.layout, None)
        if output.article is None or (output.format == "pdf" and whole in groups):
            groups.setdefault(whole, []).append(output)
        else:
            groups.setdefault(
                (output.variant, output.format, output.layout, output.article), [output]
            )
    sizes = {a.slug: len(json.dumps(a.blocks, ensure_ascii=False)) for a in edition.articles}
    units = []
    for (tag, format, layout, slug), outputs in groups.items():
        part = edition if slug is None else edition.only(slug)
        units.append(
            Unit(
                part,
                variant_named(tag),
                format,
                tuple(outputs),
                styles_folder,
                cache,
                _cost(sizes, format, [slug] if slug else sizes),
                layout,
            )
        )
    return sorted(units, key=lambda u: -u.cost)


# ---------------------------------------------------------------- running


def run_unit(unit: Unit) -> UnitResult:
    """Make a unit's outputs (in this process or a worker); each written atomically,
    then its stamp. A user-fixable failure is reported in the result, not raised,
    so the other units go on."""
    # load time: the writers (WeasyPrint, ebooklib) only in a process that renders
    from publisher.writers import WriterContext, writer_for

    start = time.perf_counter()
    result = UnitResult(unit.name, pid=os.getpid(), variant=unit.variant.tag)
    with captured_warnings() as said:
        try:
            converted = apply_variant(unit.edition, unit.variant)
            writer = writer_for(unit.format)()
            context = WriterContext(
                converted,
                Styles(unit.styles_folder),
                unit.cache,
                horizontal=unit.layout == "horizontal",
                press=unit.layout == "press",
            )
            with ExitStack() as stack:
                whole = next((o for o in unit.outputs if o.article is None), None)
                folder = format_named(unit.format).folder is not None
                targets = {
                    o: stack.enter_context(atomic_target(o.path, folder=folder))
                    for o in unit.outputs
                }
                writer.write_outputs(
                    context,
                    targets[whole] if whole else None,
                    {o.article: t for o, t in targets.items() if o.article},
                )
            # Renamed into place together when the stack closed; now the stamps, each
            # after what the unit said, which a later build skipping it says again.
            for output in unit.outputs:
                write_atomically(said_file(output.stamp), json.dumps(said).encode())
                write_atomically(output.stamp, output.key.encode())
            result.written = [o.path for o in unit.outputs]
        except PublisherError as error:
            result.error = str(error)
            result.failed = [o.path for o in unit.outputs]
    result.warnings = list(said)
    result.seconds = time.perf_counter() - start
    return result


def said_file(stamp: Path) -> Path:
    """Where the warnings of the unit that wrote an output are kept, beside its stamp."""
    return stamp.with_name(stamp.name + ".said")


def said_before(output: Output) -> list[str]:
    """The warnings recorded when a current output was written (none if unrecorded)."""
    try:
        said = json.loads(said_file(output.stamp).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    return [m for m in said if isinstance(m, str)] if isinstance(said, list) else []


def stamp_of(out: Path, path: Path) -> Path:
    """Where the key of the output at ``path`` (under ``out``) is recorded once written."""
    return out / CACHE_FOLDER / KEYS_FOLDER / f"{path.relative_to(out).as_posix()}.key"


def _remove_stale_outputs(out: Path, outputs: Sequence[Output], name: str) -> None:
    """Per-article files of articles the edition no longer has would pass for current;
    so would an edition's PDF of a layout it no longer asks for (`-press`, `-horizontal`).
    Each goes with its stamp and what its unit said."""
    planned = {o.path for o in outputs}
    stale = [
        out / variant / f"{name}-{layout}.pdf"
        for variant in {o.variant for o in outputs if o.format == "pdf" and o.article is None}
        for layout in ("press", "horizontal")
    ]
    kept: dict[Path, set[Path]] = {}
    for output in outputs:
        if output.article:
            kept.setdefault(output.path.parent, set()).add(output.path)
    for folder, paths in kept.items():
        suffix = next(iter(paths)).suffix
        # Dot files are not articles: a temporary file being written is one.
        stale += [p for p in folder.glob(f"*{suffix}") if not p.name.startswith(".")]
    for path in stale:
        if path.is_file() and path not in planned:
            path.unlink()
            stamp = stamp_of(out, path)
            stamp.unlink(missing_ok=True)
            said_file(stamp).unlink(missing_ok=True)


def build_edition(source: Path, out: Path, *arguments: Any, **options: Any) -> list[Path]:
    """:func:`build_unlocked`, one build at a time per output folder (atomic.py): two
    builds into one ``--out`` would sweep and rename each other's files. A second
    build waits for the first."""
    with output_lock(out, lambda: logger.info(f"waiting for another build into {out} to end")):
        return build_unlocked(source, out, *arguments, **options)


def build_unlocked(
    source: Path,
    out: Path,
    formats: Iterable[str] = FORMATS,
    variants: Iterable[str] | None = None,
    *,
    jobs: int | None = 1,
    styles_folder: Path = DEFAULT_STYLES,
    articles: Iterable[str] | None = None,
    report: Callable[[Path], None] | None = None,
    progress: Callable[[Event], None] | None = None,
    executor: Executor | None = None,
) -> list[Path]:
    """Build the edition in ``source`` into ``out``; return the paths written.

    ``articles`` (slugs) builds only those articles' own outputs. ``report`` is
    called with each path as it is written; ``progress`` with an :class:`Event`
    for every output (built, up to date, failed). ``executor`` runs the units
    (kept open by the caller across builds, e.g. by a watcher); else one is
    made for this build: ``jobs`` worker processes (None: one per core), or
    this process when there is one job or one unit. Raises :class:`BuildError`
    after the other units finished if any unit failed.
    """
    formats = list(formats)
    sweep_leftovers(out)  # this build holds the folder: no temporary file is being written
    # Taken before anything is read: an edit made while this build runs is not recorded as built.
    inputs = inputs_digest(source, out, styles_folder)
    with ExitStack() as stack:
        if executor is None:
            executor = stack.enter_context(build_executor(jobs, formats, variants, articles))
        said = stack.enter_context(WarningCounter())
        # Once every unit has ended, a temporary file left is a dead writer's (a worker
        # lost mid-unit, whose unit ran again elsewhere): it goes, failed build or not.
        stack.callback(sweep_leftovers, out)
        written, outputs = _build(
            source, out, formats, variants, styles_folder, articles, report, progress, executor
        )
    if inputs is not None:
        BuildRecord(
            inputs,
            tuple(RecordedOutput(o.path, o.stamp, o.key) for o in outputs),
            tuple((r.getMessage(), hasattr(r, "finding")) for r in said.records),
        ).save(out, invocation_id(source, styles_folder, formats, variants, articles))
    return written


@dataclass
class BuildPlan:
    """What a build will do: every output it wants, with its key; the stale ones; the
    units that make them. An executor that planned away from here (a cluster
    worker) hands back its own stand-ins for the units, and the warnings said there."""

    outputs: list[Output]
    stale: list[Output]
    units: list[Any]
    said: list[tuple[str, dict[str, Any] | None]] = field(default_factory=list)


def plan_build(
    source: Path,
    out: Path,
    formats: list[str],
    variants: Iterable[str] | None,
    styles_folder: Path,
    articles: Iterable[str] | None,
) -> BuildPlan:
    """Read, check and parse the edition, key its outputs, find the stale ones and group
    them into units; everything that can stop a build stops it here, before any output."""
    cache = out / CACHE_FOLDER
    edition = load_edition(source, cache / "ast")
    if edition.date is None:  # nor SOURCE_DATE_EPOCH: the writers leave dates out
        warn(
            "no `date:`: the outputs carry no publication or creation date; add `date: YYYY-MM-DD`",
            path=display_path(edition.root / EDITION_FILE),
        )
    Styles(styles_folder).file("print.css")  # fail before work if the styles are gone
    environment = environment_key(styles_folder)
    outputs = plan_outputs(edition, out, formats, variants, environment, articles)
    built = {output.variant for output in outputs}
    if reviewed := [v for v in traditional_variants(edition) if v.tag in built]:
        # load time: the review's segmenter only for a build of a Traditional edition
        from publisher.language.review import report_undecided

        report_undecided(edition, reviewed)
    if not articles:
        _remove_stale_outputs(out, outputs, edition.config.name)
    stale = [o for o in outputs if not o.up_to_date()]
    if any(output.format == "pdf" for output in stale):
        # load time: the gate only for a build that lays out a PDF
        from publisher.writers.weasyprint_gate import check_versions

        # Before any output is written; from the metadata, not by importing WeasyPrint.
        check_versions(tool_versions())
    vertical = edition.config.pdf.vertical
    if any(o.format == "pdf" and o.variant in vertical and not o.layout for o in stale):
        check_installed()  # node, Vivliostyle and chromium, before any output
    return BuildPlan(outputs, stale, make_units(edition, stale, styles_folder, cache))


def _build(
    source: Path,
    out: Path,
    formats: list[str],
    variants: Iterable[str] | None,
    styles_folder: Path,
    articles: Iterable[str] | None,
    report: Callable[[Path], None] | None,
    progress: Callable[[Event], None] | None,
    executor: Executor,
) -> tuple[list[Path], list[Output]]:
    """The build itself: the paths written, and every output planned."""
    # Where the executor says: a cluster whose workers see the folders plans there,
    # so that this process never reads or parses an article.
    plan = executor.plan(
        plan_build,
        (source, out, formats, variants, styles_folder, articles),
        reads=[source, styles_folder],
        writes=out,
    )
    for message, extra in plan.said:
        logger.warning(message, extra=extra)
    stale = set(plan.stale)
    # Each warning once, with the variants it holds in: of the units that run, and
    # those recorded for the outputs skipped as current (so --strict sees them).
    said: dict[str, list[str]] = {}
    for output in plan.outputs:
        if output not in stale:
            for message in said_before(output):
                said.setdefault(message, []).append(output.variant)
            if progress:
                progress(Event("up to date", output.path))

    written: list[Path] = []
    errors: list[str] = []
    # Closed at once on an interruption, not when the traceback lets go of it: an
    # executor stops its units there, before this build sweeps its output folder.
    # (No call without units: a local pool would start its workers for nothing.)
    units = plan.units
    running = closing(executor.map_unordered(run_unit, units)) if units else nullcontext(())
    with running as results:
        for result in results:
            for message in result.warnings:
                said.setdefault(message, []).append(result.variant)
            written.extend(result.written)
            if result.error:
                errors.append(f"{result.unit}: {result.error}")
            for path in result.written:
                if report:
                    report(path)
                if progress:
                    progress(Event("built", path, result.seconds))
            for path in result.failed if progress else ():
                progress(Event("failed", path, result.seconds, result.error))
    variants = list(dict.fromkeys(output.variant for output in plan.outputs))  # the edition's order
    for message, where in said.items():
        shown = [variant for variant in variants if variant in where]
        logger.warning(f"{message} ({', '.join(shown)})" if len(variants) > 1 else message)
    if errors:
        raise BuildError(errors[0] if len(errors) == 1 else "\n".join(errors))
    return written, plan.outputs
