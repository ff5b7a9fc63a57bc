"""The command line: parses options, calls :mod:`publisher.run.build`, turns errors into exit codes.

Exit codes: 0 success; 1 bad sources, a failed build or a filesystem error (a
message, no traceback); 2 wrong usage; 130 interrupted, 143 SIGTERM, 129 SIGHUP.
"""

from __future__ import annotations

import atexit
import errno
import json
import logging
import os
import signal
import sys
from collections.abc import Callable
from contextlib import ExitStack, suppress
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import click

from publisher import DEFAULT_STYLES
from publisher.base.errors import PublisherError, WarningCounter, logger
from publisher.read.paths import display_path
from publisher.run.build_record import current_record
from publisher.run.progress import BuildProgress, Event
from publisher.run.storage import Outputs, is_url, local_sources, shown
from publisher.writers import FORMATS

# Each command imports what it needs when it runs: a build that finds nothing to
# do (build_record.py) must not pay for pydantic, OpenCC or WeasyPrint, nor
# `--help` for anything.
if TYPE_CHECKING:
    from publisher.document import copyedit
    from publisher.run.archive import ArchiveReport
    from publisher.run.build_record import BuildRecord
    from publisher.run.executors import Executor

# Folders may be fsspec URLs (memory://…, s3://…): kept as text, since a Path
# would fold their `//`.
source_option = click.option(
    "--source",
    default=None,
    help="The source folder (edition.yaml, articles/, images/); a path or an fsspec URL. "
    "Default: this folder if it holds edition.yaml, else source/.",
)
archive_option = click.option(
    "--archive",
    default=None,
    help="A folder of editions (each subfolder with an edition.yaml), instead of --source; "
    "outputs go to OUT/<edition name>/. A path or an fsspec URL.",
)
SCHEDULER_VARIABLE = "PUBLISHER_SCHEDULER"  # the Dask scheduler's address, as --scheduler
variants_option = click.option(
    "--variant",
    "variants",
    multiple=True,
    metavar="TAG",
    help="Build only this variant (repeatable); default: the edition's variants.",
)
articles_option = click.option(
    "--article",
    "articles",
    multiple=True,
    metavar="SLUG",
    help="Build only this article's own outputs (repeatable), to proof it without "
    "waiting for the edition.",
)
styles_option = click.option(
    "--styles",
    "styles_folder",
    type=click.Path(path_type=Path),
    default=None,
    help="The styles folder; a file it lacks is the default styles'. Default: edition.yaml's "
    "`styles:`, else the default styles.",
)
strict_option = click.option(
    "--strict",
    is_flag=True,
    help="Fail if anything produced a warning.",
)


def format_option(help: str = "How to print the result.") -> Callable[[Callable], Callable]:
    """``--format text|json``: for an editor, or for tools."""
    return click.option(
        "--format",
        "output_format",
        type=click.Choice(["text", "json"]),
        default="text",
        show_default=True,
        help=help,
    )


class _Formatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        if hasattr(record, "finding"):  # already FILE:LINE:COL: severity: …, as linters print
            return shown(record.getMessage())
        return f"{record.levelname.lower()}: {shown(record.getMessage())}"


class _Findings(logging.Handler):
    """Collects the copy-editing findings logged while attached (for ``--format json``)."""

    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.findings: list[copyedit.Finding] = []

    def emit(self, record: logging.LogRecord) -> None:
        if hasattr(record, "finding"):
            self.findings.append(record.finding)


# -q shows only warnings and errors, -v also what is up to date and the debug log.
QUIET, NORMAL, VERBOSE = -1, 0, 1
_verbosity = NORMAL


def _configure_logging(verbosity: int = NORMAL) -> None:
    global _verbosity
    _verbosity = verbosity
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_Formatter())
    logger = logging.getLogger("publisher")
    logger.handlers[:] = [handler]
    levels = {QUIET: logging.WARNING, NORMAL: logging.INFO, VERBOSE: logging.DEBUG}
    logger.setLevel(levels[verbosity])
    logger.propagate = False


def _say(message: str) -> None:
    """A line of progress on stderr, unless --quiet."""
    if _verbosity > QUIET:
        click.echo(message, err=True)


class _Group(click.Group):
    """Lists each command with its whole first paragraph, not cut at 45 characters."""

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [
            (name, " ".join((command.help or "").split("\n\n")[0].split()))
            for name, command in self.commands.items()
            if not command.hidden
        ]
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


def _finish(counter: WarningCounter, strict: bool) -> None:
    if strict and counter.messages:
        raise PublisherError(f"{len(counter.messages)} warning(s) and --strict: failing")


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="publisher")
@click.option("-q", "--quiet", is_flag=True, help="Print only warnings and errors.")
@click.option("-v", "--verbose", is_flag=True, help="Also print debugging detail.")
def main(quiet: bool, verbose: bool) -> None:
    """Turn canonical Chinese Markdown news articles into PDF, EPUB and DOCX editions.

    Start with `publisher new DIR`, proof with `publisher preview --source DIR`,
    build with `publisher build --source DIR`. Each command has its own --help.
    """
    if quiet and verbose:
        raise click.UsageError("--quiet and --verbose exclude each other")
    _configure_logging(QUIET if quiet else VERBOSE if verbose else NORMAL)


def run() -> NoReturn:
    """The command line: :func:`main`, then a quick exit.

    As mypy's ``hard_exit`` does: once the command has ended, its exit handlers
    have run (workers joined, logs flushed, temporary folders removed) and its
    output is flushed, the process ends without the interpreter's teardown,
    which frees hundreds of modules one by one: 0.15 s after a build, 0.3 s
    once WeasyPrint is loaded. Nothing is left to write by then: every output
    is written and renamed into place before the command returns.
    """
    try:
        main()
        status: object = 0
    except SystemExit as exit:
        status = exit.code
    if status is not None and not isinstance(status, int):  # sys.exit("message")
        print(status, file=sys.stderr)
        status = 1
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        with suppress(OSError, ValueError):  # a closed pipe: nothing more can be said
            stream.flush()
    os._exit(status or 0)


@main.command()
@click.argument("formats", nargs=-1, type=click.Choice(list(FORMATS)))
@source_option
@archive_option
@click.option(
    "--out",
    default=None,
    help="The output folder; files go to OUT/<variant>/<name>.<ext>. A path or an fsspec URL. "
    "Default: edition.yaml's `output:`, else the edition's own build/ (build/ for --archive).",
)
@variants_option
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=1),
    default=None,
    help="Worker processes rendering at once; default: one per core.",
)
@articles_option
@styles_option
@click.option(
    "--executor",
    "executor_kind",
    type=click.Choice(["local", "dask"]),
    default=None,
    help="Where the units run: worker processes here (local, the default) or a Dask "
    "cluster (dask: the one at --scheduler, else a LocalCluster of --jobs workers).",
)
@click.option(
    "--scheduler",
    metavar="ADDRESS",
    envvar=SCHEDULER_VARIABLE,
    default=None,
    help=f"The Dask scheduler, e.g. tcp://10.0.0.5:8786; implies --executor dask. "
    f"Default: ${SCHEDULER_VARIABLE}.",
)
@strict_option
@click.option(
    "--verify",
    "verify_after",
    is_flag=True,
    help="Then check every output in OUT, as `publisher verify` does.",
)
def build(
    formats: tuple[str, ...],
    source: str,
    archive: str | None,
    out: str,
    variants: tuple[str, ...],
    jobs: int | None,
    articles: tuple[str, ...],
    styles_folder: Path,
    executor_kind: str | None,
    scheduler: str | None,
    strict: bool,
    verify_after: bool,
) -> None:
    """Build FORMATS (pdf, epub, docx, html; default all four) for every published variant."""
    source, out = _where(source, out, archive)
    styles_folder = _styles(source, styles_folder, archive)
    if verify_after and (Outputs(out).remote or archive is not None):
        raise click.UsageError("--verify checks a local --out of one edition")
    outputs = Outputs(out)
    source_of = click.get_current_context().get_parameter_source
    if executor_kind == "local" and scheduler:
        if source_of("scheduler") is click.core.ParameterSource.COMMANDLINE:
            raise click.UsageError("--scheduler is for --executor dask")
        scheduler = None  # an explicit local build ignores the environment's scheduler
    kind = executor_kind or ("dask" if scheduler else "local")

    # --quiet: no line per output, no spinner, no summary.
    progress = BuildProgress(lambda path: shown(display_path(path))) if _verbosity > QUIET else None
    if archive is None and not outputs.remote and not is_url(source):
        record = current_record(
            Path(source), Path(out), styles_folder, formats or FORMATS, variants, articles
        )
        if record is not None:  # nothing changed since the last build called this way
            with _user_errors(), WarningCounter() as counter:
                _repeat(record, progress)
                if progress:
                    _say(progress.finish(len(counter.records)))
                _say(f"{out}: every output is up to date")
                _finish(counter, strict)
            if verify_after:
                _verify(Path(out), "text")
            return
    # The full road: read, check, plan, build what is stale.
    from publisher.run.executors import build_executor

    # load time: `--help`, `check` and a no-op build import only what they use
    from publisher.run.interrupts import terminate_on_signals

    if articles and archive is not None:
        raise click.UsageError("--article proofs one edition's article: use --source")
    options = {
        "formats": formats or FORMATS,
        "variants": variants or None,
        "jobs": jobs,
        "styles_folder": styles_folder,
        "report": outputs.publish if outputs.remote else None,
        "progress": progress,
    }
    if articles:
        options["articles"] = articles
    own_workers = kind == "local" and archive is None
    with _user_errors(), terminate_on_signals(), WarningCounter() as counter, ExitStack() as own:
        if own_workers:
            # The workers start before this process imports the build (half a second),
            # and load the writers while it reads the edition.
            options["executor"] = own.enter_context(
                build_executor(jobs, options["formats"], variants, articles)
            )
        # load time: `--help`, `check` and a no-op build import only what they use
        from publisher.run import build as builds
        from publisher.run.archive import build_archive
        from publisher.run.cluster import editions_in_flight, open_executor

        logger.debug(
            "building %s of %s into %s, variants: %s",
            ", ".join(options["formats"]),
            archive or source,
            out,
            ", ".join(variants) or "the edition's",
        )
        if not own_workers:
            options["executor"] = own.enter_context(
                open_executor(kind, scheduler, jobs, styles_folder, shared=archive is not None)
            )
            if kind == "dask":
                _say(f"building on the Dask cluster at {options['executor'].describe()}")
        with local_sources(archive or source) as local:
            if archive is not None:
                try:
                    in_flight = editions_in_flight(options["executor"])
                    report = build_archive(local, outputs.staging, in_flight=in_flight, **options)
                finally:
                    _progress_summary(progress, counter)
                _archive_summary(report, "built")
                _finish(counter, strict)
                return
            try:
                written = builds.build_edition(local, outputs.staging, **options)
            finally:
                _progress_summary(progress, counter)
            if not written:
                _say(f"{out}: every output is up to date")
            _finish(counter, strict)
    if verify_after:
        _verify(Path(out), "text")


def _progress_summary(progress: BuildProgress | None, counter: WarningCounter) -> None:
    """The build's summary line, once it ends, with the warnings it said: not when it
    stopped before any output (an error in the sources says what happened; "built 0,
    up to date 0, failed 0" before it would only contradict it)."""
    if progress is None:
        return
    line = progress.finish(len(counter.records))
    if progress.counts.total() or sys.exc_info()[0] is None:
        _say(line)


def _repeat(record: BuildRecord, progress: BuildProgress | None) -> None:
    """Say again what the recorded build said: its warnings, then each output, up to date."""
    for message, finding in record.warnings:
        # A copy-editing finding prints as FILE:LINE:COL: …, as when it was found.
        logger.warning(message, extra={"finding": None} if finding else None)
    for output in record.outputs if progress else ():
        progress(Event("up to date", output.path))


@main.command()
@source_option
@archive_option
@click.option(
    "--variants",
    "report_variants",
    is_flag=True,
    help="Also list every one-to-many character (发/干/后/里 …) whose Traditional "
    "reading OpenCC chose, with file, line and each variant's choice, for review.",
)
@click.option(
    "--fix",
    is_flag=True,
    help="Fix the punctuation of Chinese text in place (full-width ，：（） and the like), "
    "printing each change; code, URLs, link targets, front matter keys and raw HTML "
    "are never touched.",
)
@format_option(
    "How copy-editing findings are printed: text lines (FILE:LINE:COL: …) on "
    "stderr, or a JSON list on stdout for tools."
)
@strict_option
def check(
    source: str,
    archive: str | None,
    report_variants: bool,
    fix: bool,
    output_format: str,
    strict: bool,
) -> None:
    """Validate the sources (metadata, encoding, images, dictionary, copy-editing)
    without building."""
    source, _ = _where(source, "", archive)
    if archive is not None and report_variants:
        raise click.UsageError("--variants reports on one edition: use --source")
    if fix and (archive is not None or is_url(source)):
        raise click.UsageError("--fix edits files in place: give a local --source folder")
    # load time: `--help`, `check` and a no-op build import only what they use
    from publisher.document import copyedit
    from publisher.read.sources import read_edition
    from publisher.run import build as builds
    from publisher.run.archive import check_archive

    findings = _Findings()
    with _user_errors(), WarningCounter() as counter, local_sources(archive or source) as local:
        source = local
        if archive is not None:
            report = check_archive(local)
            _archive_summary(report, "valid")
            _finish(counter, strict)
            return
        if fix:
            for article in read_edition(source).articles:
                for change in copyedit.fix_file(article.path):
                    # With --format json, stdout holds only the JSON.
                    click.echo(change.change(), err=output_format == "json")
        if output_format == "json":
            _collect_findings(findings)
        try:
            edition = builds.load_edition(source)
        finally:
            if output_format == "json":
                _print_findings(findings)
        if report_variants:
            found = builds.ambiguity_report(edition)
            for ambiguity in found:
                click.echo(str(ambiguity))
            click.echo(
                f"{len(found)} one-to-many characters to review "
                "(add reviewed phrases to dictionary.yaml to remove them)",
                err=True,
            )
        for article in edition.articles:
            logger.debug("%s: %s", display_path(article.source), article.meta.title)
        _finish(counter, strict)
        # Counted, never "all valid" after warnings (issue 32).
        articles, warned = len(edition.articles), len(counter.records)
        _say(
            f"{shown(display_path(source))}: {articles} article{'s' * (articles != 1)} valid, "
            + (f"{warned} warning{'s' * (warned != 1)}" if warned else "no warnings")
        )


def _archive_summary(report: ArchiveReport, done: str) -> None:
    """The count, and which editions failed (each was reported as it failed): exit 1 if any."""
    total = len(report.written) + len(report.failed)
    line = f"{len(report.written)} of {total} editions {done}"
    if report.failed:
        click.echo(f"{line}; failed: {shown(', '.join(report.failed))}", err=True)
        sys.exit(1)
    click.echo(line, err=True)


@main.command()
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    default=None,
    help="The folder a build wrote. Default: as `publisher build` would write here.",
)
@format_option()
def verify(out: Path, output_format: str) -> None:
    """Check what a build wrote, file by file: EPUBCheck and Ace for each EPUB; fonts
    embedded and mapped, every glyph present, tags, language, alt text and the declared
    PDF/UA or PDF/A identification for each PDF; fonts and language for each DOCX.
    Exits 1 if any check fails."""
    _verify(Path(_where(None, out)[1]), output_format)


def _verify(out: Path, output_format: str) -> None:
    # load time: the validators' libraries only for a verify
    from publisher.commands import verify as checks

    with _user_errors():
        if not out.is_dir():
            raise PublisherError(f"{out}: no such folder; build first, or name it with --out")
        paths = checks.outputs_in(out)
        if not paths:
            raise PublisherError(f"{out}: no EPUB, PDF or DOCX to verify; build first")
        reports = checks.verify_files(paths, out)
    if output_format == "json":
        click.echo(checks.render_json(reports))
    else:
        click.echo(checks.render_text(reports, out))
    if not all(report.passed for report in reports):
        sys.exit(1)


@main.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--into",
    type=click.Path(path_type=Path, file_okay=False),
    required=True,
    help="The folder for the article files, usually an edition's articles/ "
    "(images go to the edition's images/).",
)
@click.option("--force", is_flag=True, help="Replace articles and images that exist.")
@click.option(
    "--add", is_flag=True, help="Append the new articles to the edition's `articles:` list."
)
@click.option(
    "--accept-changes",
    "changes",
    flag_value="accept",
    help="Accept a Word file's tracked changes (without this or --reject-changes, a file "
    "with tracked changes is refused).",
)
@click.option(
    "--reject-changes", "changes", flag_value="reject", help="Reject its tracked changes."
)
@click.option(
    "--name",
    metavar="SLUG",
    help="The article's file name (`cunlu`, numbered after the folder's articles, or "
    "`03-cunlu`), for a file of one article.",
)
def import_copy(
    files: tuple[Path, ...],
    into: Path,
    force: bool,
    add: bool,
    changes: str | None,
    name: str | None,
) -> None:
    """Import raw copy (a page as UTF-8, GB18030 or Big5 text) or Word files (.docx) as
    article files NN-slug.md, with front matter and the copy-editing fixes applied.

    A Word file publisher wrote comes back under its article's file name (an edition's
    DOCX as its articles, one file each); its Word comments are kept in the Markdown
    as <!-- 批注 … -->, which no output shows."""
    # load time: `--help`, `check` and a no-op build import only what they use
    from publisher.commands import importer

    with _user_errors():
        importer.import_files(
            list(files), into, force=force, add=add, changes=changes, name=name, say=click.echo
        )


def _collect_findings(findings: _Findings) -> None:
    """Findings go to ``findings`` instead of stderr."""
    logger = logging.getLogger("publisher")
    logger.addHandler(findings)
    for handler in logger.handlers:
        if isinstance(handler, logging.StreamHandler):
            handler.addFilter(lambda record: not hasattr(record, "finding"))


def _print_findings(findings: _Findings) -> None:
    logging.getLogger("publisher").removeHandler(findings)
    document = [finding.as_json() for finding in findings.findings]
    click.echo(json.dumps(document, ensure_ascii=False, indent=2))


@main.command()
@source_option
@click.option(
    "--all",
    "everything",
    is_flag=True,
    help="List every one-to-many character instead, with each variant's choice "
    "(the full report of `check --variants`).",
)
@format_option("text for an editor, json for tools.")
@click.option(
    "--accept",
    "accepted",
    multiple=True,
    metavar="PHRASE[=READING]",
    help="Record a decision in dictionary.yaml: the reading the list offers for PHRASE, "
    "or READING for every variant (repeatable).",
)
@click.option(
    "--keep",
    "kept",
    multiple=True,
    metavar="PHRASE",
    help="Record in dictionary.yaml that the published reading of PHRASE is right (repeatable).",
)
def review(
    source: str,
    everything: bool,
    output_format: str,
    accepted: tuple[str, ...],
    kept: tuple[str, ...],
) -> None:
    """List where OpenCC's Traditional reading is likely wrong, most likely first."""
    from publisher.language import review as reviews  # zhconv-rs and jieba load only for the review

    # load time: `--help`, `check` and a no-op build import only what they use
    from publisher.language.ambiguities import find_ambiguities
    from publisher.read.sources import DICTIONARY_FILE
    from publisher.run import build as builds

    source, _ = _where(source, "")
    if (accepted or kept) and is_url(source):
        raise click.UsageError("--accept and --keep write dictionary.yaml: use a local --source")
    with _user_errors(), local_sources(source) as local:
        edition = builds.load_edition(local)
        variants = builds.traditional_variants(edition)
        if not variants:
            click.echo(
                f"{shown(display_path(local))}: the edition publishes no Traditional variant, "
                "so there is nothing to review (add zh-Hant-TW or zh-Hant-HK to `variants:` "
                "in edition.yaml)",
                err=True,
            )
            return
        if everything:
            found = find_ambiguities(edition, variants)
            if output_format == "json":
                click.echo(json.dumps([a.as_json() for a in found], ensure_ascii=False, indent=2))
            else:
                for ambiguity in found:
                    click.echo(shown(str(ambiguity)))
            click.echo(f"{len(found)} one-to-many characters", err=True)
            return
        result = reviews.review_edition(edition, variants, reviews.second_converter())
        if accepted or kept:
            for entry in reviews.record_decisions(local, result, accepted, kept):
                click.echo(f"{display_path(local / DICTIONARY_FILE)}: added {entry}", err=True)
            return
        for note in result.notes:
            click.echo(f"note: {note}", err=True)
        if output_format == "json":
            click.echo(shown(reviews.render_json(result)))
        else:
            click.echo(shown(reviews.render_text(result)), nl=False)
        click.echo(reviews.summary(result), err=True)


def _where(
    source: str | Path | None, out: str | Path | None, archive: str | None = None
) -> tuple[str, str]:
    """--source and --out as given, else the edition in this folder (or source/) and
    where it builds (its `output:`, else its own build/); an archive's or a URL's
    outputs go to build/ here."""
    from publisher.read.paths import default_source, output_folder  # light

    source = str(source) if source is not None else str(default_source())
    if out is None:
        local = archive is None and not is_url(source)
        out = str(output_folder(Path(source))) if local else "build"
        if local and Path(out).is_file():  # as a source error is said: exit 1
            click.echo(
                f"error: {display_path(Path(source) / 'edition.yaml')}: `output:` names a "
                f"file ({display_path(out)}); builds need a folder there",
                err=True,
            )
            raise SystemExit(1)
    return source, str(out)


def _styles(source: str | Path, styles_folder: Path | None, archive: str | None = None) -> Path:
    """--styles as given, else the edition's `styles:` (relative to its folder), else
    the default styles; a folder of one's own is said, with the files it borrows."""
    from publisher.read.paths import styles_folder as edition_styles  # light

    if styles_folder is None and archive is None and not is_url(str(source)):
        styles_folder = edition_styles(Path(source))
    if styles_folder is None:
        return DEFAULT_STYLES
    # load time: Jinja's and the styles' reader only for a styles folder of one's own
    from publisher.read.styles import Styles

    borrowed = Styles(styles_folder).borrowed() if Path(styles_folder).is_dir() else []
    if borrowed:
        _say(
            f"styles: {display_path(styles_folder)}; from the default styles: "
            + ", ".join(borrowed)
        )
    return Path(styles_folder)


# preview, watch and new work on a folder on this machine.
local_source_option = click.option(
    "--source",
    type=click.Path(path_type=Path),
    default=None,
    help="The source folder (edition.yaml, articles/, images/). Default: this folder if it "
    "holds edition.yaml, else source/.",
)
out_option = click.option(
    "--out",
    type=click.Path(path_type=Path),
    default=None,
    help="The output folder; files go to OUT/<variant>/<name>.<ext>. Default: edition.yaml's "
    "`output:`, else the edition's own build/.",
)


@main.command()
@local_source_option
@out_option
@click.option(
    "--variant",
    metavar="TAG",
    help="The variant shown first (default: the edition's first); the page switches between all.",
)
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8000,
    show_default=True,
    help="The port to listen on; 0 picks a free one.",
)
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="The address to listen on; anything but loopback shows the edition to the network.",
)
@styles_option
def preview(
    source: Path, out: Path, variant: str | None, port: int, host: str, styles_folder: Path
) -> None:
    """Serve the edition in the browser as the EPUB shows it, refreshed on every save.

    The contents, then each article; a switch between the published variants; each
    article's PDF, rebuilt in the background (in OUT); an error in the sources is
    shown in the page, with its file and line, until it is mended. Ctrl-C stops.
    """
    # load time: `--help`, `check` and a no-op build import only what they use
    from publisher.base.languages import variant_named
    from publisher.commands.preview.server import serve
    from publisher.read.sources import read_edition

    source, out = map(Path, _where(source, out))
    styles_folder = _styles(source, styles_folder)
    with _user_errors():
        first = [variant_named(variant).tag] if variant else []
        try:
            config = read_edition(source).config
            published = [variant_named(t).tag for t in config.variants or [config.language]]
        except PublisherError as error:  # shown in the page too, until mended
            click.echo(f"error: {error}", err=True)
            published = ["zh-Hans"]
        variants = list(dict.fromkeys([*first, *published]))
        if host not in ("127.0.0.1", "localhost", "::1"):
            logger.warning("listening on %s: anyone who can reach it can read the edition", host)
        serve(
            source,
            out,
            styles_folder,
            variants,
            host=host,
            port=port,
            announce=lambda url: click.echo(f"preview of {display_path(source)}: {url}"),
        )
        _say("preview stopped")


@main.command()
@click.argument("formats", nargs=-1, type=click.Choice(list(FORMATS)))
@local_source_option
@out_option
@variants_option
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Outputs to render at once.",
)
@articles_option
@styles_option
def watch(
    formats: tuple[str, ...],
    source: Path,
    out: Path,
    variants: tuple[str, ...],
    jobs: int,
    articles: tuple[str, ...],
    styles_folder: Path,
) -> None:
    """Build FORMATS, then rebuild whenever a source, image, style or dictionary is saved.

    Only outputs whose inputs changed are written again. A bad edit prints its error
    and the watch goes on; saving the mended file builds again. Ctrl-C stops. The
    proof loop: `publisher watch pdf --variant zh-Hans --article SLUG` writes that
    article's PDF again a moment after each save, the writers already loaded.
    """
    # load time: `--help`, `check` and a no-op build import only what they use
    from publisher.commands import watching
    from publisher.run import build as builds
    from publisher.run.executors import build_executor

    source, out = map(Path, _where(source, out))
    styles_folder = _styles(source, styles_folder)

    def once(executor: Executor) -> None:
        # The same lines as `publisher build`: each output, then the summary.
        progress = BuildProgress(display_path) if _verbosity > QUIET else None
        try:
            with WarningCounter():
                builds.build_edition(
                    source,
                    out,
                    formats or FORMATS,
                    variants or None,
                    styles_folder=styles_folder,
                    articles=articles or None,
                    progress=progress,
                    executor=executor,
                )
        except PublisherError as error:
            click.echo(f"error: {error}", err=True)
            _say("still watching: save the mended file to build again")
        finally:
            if progress:
                _say(progress.finish())

    # Ctrl-C is how a watch ends: also when started with SIGINT ignored (as a shell
    # starts background jobs); a SIGTERM ends it the same way.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.default_int_handler)

    # One executor for the whole watch: its workers (or this process, for one job)
    # keep the writers loaded, so a build after a save starts warm.
    with build_executor(jobs, formats or FORMATS, variants, articles) as executor:

        def start() -> None:
            once(executor)
            _say(f"watching {display_path(source)} and the styles; Ctrl-C stops")

        try:
            for changed in watching.changes(source, styles_folder, out, ready=start):
                _say("saved: " + ", ".join(sorted(display_path(path) for path in changed)))
                once(executor)
        except KeyboardInterrupt:
            _say("watch stopped")


@main.group()
def styles() -> None:
    """The look: stylesheets, templates and fonts (see docs/styles.md)."""


@styles.command("export")
@click.argument("folder", type=click.Path(path_type=Path))
def export_styles(folder: Path) -> None:
    """Copy the default styles into FOLDER, to change them: name it in edition.yaml as
    `styles: FOLDER` (or pass --styles FOLDER). Files you delete from it come from the
    defaults again, so keep only those you change."""
    # load time: `--help`, `check` and a no-op build import only what they use
    from publisher.commands.scaffold import copy_styles

    with _user_errors():
        copied = copy_styles(folder)
        _say(f"copied {len(copied)} files of the default styles to {display_path(folder)}")


@main.command()
@click.argument("folder", type=click.Path(path_type=Path))
def new(folder: Path) -> None:
    """Create a new edition in FOLDER: a commented edition.yaml, one example article and an
    empty dictionary.yaml, ready to check, preview and build."""
    # load time: `--help`, `check` and a no-op build import only what they use
    from publisher.commands.scaffold import create_edition

    with _user_errors():
        for path in create_edition(folder):
            _say(f"created {display_path(path)}")
        _say(
            f"next: publisher preview --source {display_path(folder)}   "
            f"or   publisher build --source {display_path(folder)}"
        )


# Filesystem errors the user fixes (not bugs): what to do about each.
FILESYSTEM_HINTS = {
    errno.ENOSPC: "free some space, or build into another --out",
    errno.EDQUOT: "free some space, or build into another --out",
    errno.EFBIG: "the file is larger than this system allows; build into another --out",
    errno.EROFS: "that file system is read-only: build into another --out",
    errno.EACCES: "you may not write (or read) there: fix its permissions or use another folder",
    errno.EPERM: "you may not write (or read) there: fix its permissions or use another folder",
    errno.ENOTDIR: "a file stands where a folder is needed: give --out a folder",
    errno.EEXIST: "a file stands where a folder is needed: give --out a folder",
    errno.EISDIR: "a folder stands where a file is needed: move it away",
    errno.ELOOP: "a symbolic link leads back to itself: point it at a real file or folder",
}
# pathlib's resolve() reports a looping link so up to Python 3.12 (later as ELOOP).
LINK_LOOP = "Symlink loop from "


class _user_errors:
    """Turn a user-fixable error into a message and exit 1, an interrupt into exit 130
    (143 for SIGTERM, 129 for SIGHUP)."""

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind, error, traceback) -> bool:
        if isinstance(error, RuntimeError) and str(error).startswith(LINK_LOOP):
            path = str(error).removeprefix(LINK_LOOP).strip("'")
            error = OSError(errno.ELOOP, os.strerror(errno.ELOOP), path)
        if isinstance(error, PublisherError):
            click.echo(f"error: {shown(str(error))}", err=True)
            sys.exit(1)
        if isinstance(error, OSError) and error.errno in FILESYSTEM_HINTS:
            where = f"{display_path(error.filename)}: " if error.filename else ""
            click.echo(
                f"error: {where}{error.strerror}; {FILESYSTEM_HINTS[error.errno]} "
                "(the previous outputs are in place)",
                err=True,
            )
            sys.exit(1)
        if isinstance(error, KeyboardInterrupt):
            # load time: `--help`, `check` and a no-op build import only what they use
            from publisher.run.interrupts import Terminated

            click.echo(
                "interrupted: outputs not finished were not written; "
                "the previous ones are in place",
                err=True,
            )
            sys.exit(error.exit_code if isinstance(error, Terminated) else 130)
        return False
