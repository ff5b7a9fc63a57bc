"""Archives: a folder of editions, each built into ``OUT/<edition name>/``.

An archive is a folder whose immediate subfolders each hold an edition
(``edition.yaml`` and its articles). A bad edition is reported, by folder, file
and line, and the others are still built; the run fails at the end if any
edition failed.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from publisher.base.errors import PublisherError, SourceError, logger
from publisher.read.paths import display_path
from publisher.read.sources import EDITION_FILE, read_edition_config


@dataclass(frozen=True)
class ArchiveEdition:
    """One edition of an archive: its folder, and its name once edition.yaml is read."""

    folder: Path
    name: str | None = None  # None when edition.yaml could not be read
    error: str | None = None


@dataclass
class ArchiveReport:
    """What happened to each edition: what was written, what failed and why."""

    written: dict[str, list[object]] = field(default_factory=dict)  # edition name -> outputs
    failed: dict[str, str] = field(default_factory=dict)  # edition folder -> message

    def fail(self, folder: Path, error: Exception | str) -> None:
        """Record a failed edition and say so now, while the others go on."""
        self.failed[display_path(folder)] = str(error)
        logger.error(f"edition {display_path(folder)}: {error}")

    @property
    def ok(self) -> bool:
        return not self.failed


def edition_folders(archive: Path) -> list[Path]:
    """The immediate subfolders of ``archive`` that hold an edition.yaml, by name."""
    archive = Path(archive)
    if not archive.is_dir():
        raise SourceError(
            display_path(archive),
            "the archive folder does not exist",
            hint="pass a folder whose subfolders each hold an edition.yaml",
        )
    folders = sorted(p for p in archive.iterdir() if (p / EDITION_FILE).is_file())
    if not folders:
        raise SourceError(
            display_path(archive),
            "the archive holds no edition (no subfolder with an edition.yaml)",
            hint="put each edition in its own subfolder: ARCHIVE/<edition>/edition.yaml",
        )
    return folders


def discover(archive: Path) -> list[ArchiveEdition]:
    """Each edition of ``archive`` with its name; a bad or duplicate one carries its error.

    Names must be unique, since each edition's outputs go to ``OUT/<name>/``.
    """
    editions = []
    seen: dict[str, Path] = {}
    for folder in edition_folders(archive):
        try:
            config, lines = read_edition_config(folder.resolve())
        except PublisherError as error:
            editions.append(ArchiveEdition(folder, error=str(error)))
            continue
        if config.name in seen:
            where = display_path(folder / EDITION_FILE)
            line = lines.get("name")
            editions.append(
                ArchiveEdition(
                    folder,
                    error=str(
                        SourceError(
                            where,
                            f"the name `{config.name}` is already used by "
                            f"{display_path(seen[config.name])}",
                            line=line,
                            hint="give each edition of an archive its own `name:` (it names "
                            "the edition's output folder)",
                        )
                    ),
                )
            )
            continue
        seen[config.name] = folder
        editions.append(ArchiveEdition(folder, config.name))
    return editions


def check_archive(archive: Path) -> ArchiveReport:
    """Validate every edition of ``archive``; each bad one is reported, none stops the rest."""
    from publisher.run.build import load_edition  # not at import: the CLI's --help stays light

    report = ArchiveReport()
    for edition in discover(archive):
        if edition.error:
            report.fail(edition.folder, edition.error)
            continue
        try:
            loaded = load_edition(edition.folder)
        except PublisherError as error:
            report.fail(edition.folder, error)
            continue
        report.written[edition.name] = list(loaded.articles)
    return report


def build_archive(
    archive: Path, out: Path, *, in_flight: int = 1, **options: object
) -> ArchiveReport:
    """Build every edition of ``archive`` into ``out/<edition name>/``.

    ``options`` are those of :func:`publisher.run.build.build_edition`; one
    ``executor`` among them serves every edition. ``in_flight`` editions are
    read and submitted at once, so that a cluster's workers do not wait for the
    last unit of one edition before the next edition's units arrive. A bad
    edition is reported as it fails, and the others go on.
    """
    # load time: checking an archive needs no build, nor its writers
    from publisher.run.build import build_edition

    report = ArchiveReport()
    editions = discover(archive)
    for edition in editions:
        if edition.error is not None:
            report.fail(edition.folder, edition.error)
    good = [e for e in editions if e.error is None]

    def build(edition: ArchiveEdition) -> None:
        try:
            written = build_edition(edition.folder, out / edition.name, **options)
        except PublisherError as error:
            report.fail(edition.folder, error)
        else:
            report.written[edition.name] = written

    if in_flight <= 1:  # here, in the main thread (where signal handlers live)
        for edition in good:
            build(edition)
    else:
        with ThreadPoolExecutor(max_workers=in_flight) as threads:
            try:
                for future in [threads.submit(build, edition) for edition in good]:
                    future.result()
            finally:  # on Ctrl-C no new edition starts; those under way finish their units
                threads.shutdown(wait=True, cancel_futures=True)
    report.written = {e.name: report.written[e.name] for e in good if e.name in report.written}
    return report
