"""The command line: parses options, calls :mod:`publisher.build`, turns errors into exit codes.

Exit codes: 0 success; 1 bad sources or a failed build (a message, no
traceback); 2 wrong usage; 130 interrupted.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import click

from . import build as builds
from .errors import PublisherError, WarningCounter
from .sources import display_path
from .styles import DEFAULT_STYLES
from .writers import FORMATS

source_option = click.option(
    "--source",
    type=click.Path(path_type=Path),
    default=Path("source"),
    show_default=True,
    help="The source folder (edition.yaml, articles/, images/).",
)
strict_option = click.option(
    "--strict",
    is_flag=True,
    help="Fail if anything produced a warning.",
)


class _Formatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return f"{record.levelname.lower()}: {record.getMessage()}"


def _configure_logging() -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_Formatter())
    logger = logging.getLogger("publisher")
    logger.handlers[:] = [handler]
    logger.setLevel(logging.INFO)
    logger.propagate = False


def _finish(counter: WarningCounter, strict: bool) -> None:
    if strict and counter.messages:
        raise PublisherError(f"{len(counter.messages)} warning(s) and --strict: failing")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="publisher")
def main() -> None:
    """Turn canonical Chinese Markdown news articles into PDF, EPUB and DOCX editions."""
    _configure_logging()


@main.command()
@click.argument("formats", nargs=-1, type=click.Choice(list(FORMATS)))
@source_option
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    default=Path("build"),
    show_default=True,
    help="The output folder; files go to OUT/<variant>/<name>.<ext>.",
)
@click.option(
    "--variant",
    "variants",
    multiple=True,
    metavar="TAG",
    help="Build only this variant (repeatable); default: the edition's variants.",
)
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Outputs to render at once.",
)
@click.option(
    "--styles",
    "styles_folder",
    type=click.Path(path_type=Path),
    default=DEFAULT_STYLES,
    help="The styles folder.",
)
@strict_option
def build(
    formats: tuple[str, ...],
    source: Path,
    out: Path,
    variants: tuple[str, ...],
    jobs: int,
    styles_folder: Path,
    strict: bool,
) -> None:
    """Build FORMATS (pdf, epub, docx; default all three) for every published variant."""
    with _user_errors(), WarningCounter() as counter:
        written = builds.build_edition(
            source,
            out,
            formats or FORMATS,
            variants or None,
            jobs=jobs,
            styles_folder=styles_folder,
            report=lambda path: click.echo(f"wrote {display_path(path)}", err=True),
        )
        if not written:
            click.echo(f"{display_path(out)}: every output is up to date", err=True)
        _finish(counter, strict)


@main.command()
@source_option
@click.option(
    "--variants",
    "report_variants",
    is_flag=True,
    help="Also list every one-to-many character (发/干/后/里 …) whose Traditional "
    "reading OpenCC chose, with file, line and each variant's choice, for review.",
)
@strict_option
def check(source: Path, report_variants: bool, strict: bool) -> None:
    """Validate the sources (metadata, encoding, images, dictionary) without building."""
    with _user_errors(), WarningCounter() as counter:
        edition = builds.load_edition(source)
        if report_variants:
            found = builds.ambiguity_report(source)
            for ambiguity in found:
                click.echo(str(ambiguity))
            click.echo(
                f"{len(found)} one-to-many characters to review "
                "(add reviewed phrases to dictionary.yaml to remove them)",
                err=True,
            )
        _finish(counter, strict)
        click.echo(f"{display_path(source)}: {len(edition.articles)} articles, all valid", err=True)


class _user_errors:
    """Turn a user-fixable error into a message and exit 1, an interrupt into exit 130."""

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind, error, traceback) -> bool:
        if isinstance(error, PublisherError):
            click.echo(f"error: {error}", err=True)
            sys.exit(1)
        if isinstance(error, KeyboardInterrupt):
            click.echo(
                "interrupted: outputs not finished were not written; "
                "the previous ones are in place",
                err=True,
            )
            sys.exit(130)
        return False
