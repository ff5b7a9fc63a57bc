"""Running pandoc, the binary that pypandoc-binary ships.

Called directly rather than through ``pypandoc.convert_text`` so that each
call gets its own environment (SOURCE_DATE_EPOCH for reproducible DOCX) and
its stderr becomes a clear error.
"""

from __future__ import annotations

import datetime
import importlib.util
import os
import re
import subprocess
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future
from contextlib import contextmanager
from functools import cache
from pathlib import Path

from publisher.base.errors import BuildError


@cache
def pandoc_path() -> str:
    """pypandoc-binary's own pandoc, the one the project depends on, unless
    PYPANDOC_PANDOC names another. (pypandoc's search runs every pandoc it finds
    for its version, four processes in each process of a build, and prefers a
    newer one elsewhere on the system, which would change the outputs.)"""
    package = importlib.util.find_spec("pypandoc")  # found, not imported: 40 ms of urllib
    folder = package.submodule_search_locations if package else None
    bundled = Path(folder[0], "files", "pandoc") if folder else None
    if not os.environ.get("PYPANDOC_PANDOC") and bundled and os.access(bundled, os.X_OK):
        return str(bundled)
    # pypandoc (and urllib with it) only when pandoc is not the bundled one: 40 ms
    import pypandoc

    return pypandoc.get_pandoc_path()


@cache
def pandoc_version() -> str:
    """``3.9``: the second word of ``pandoc --version``, as pypandoc reads it."""
    try:
        result = subprocess.run(
            [pandoc_path(), "--version"], capture_output=True, text=True, check=True
        )
    except (OSError, subprocess.CalledProcessError) as error:
        raise BuildError(f"pandoc ({pandoc_path()}) does not run: {error}") from None
    return result.stdout.split()[1]


# pandoc's messages start with their level in brackets; the lines after one
# (a TeX parser's caret and expectations) belong to it.
MESSAGE_START = re.compile(r"^\[(WARNING|INFO|ERROR)\]\s*")


def pandoc_messages(stderr: str) -> list[str]:
    """pandoc's stderr as messages, each its first line without the level.

    INFO messages are dropped: pandoc prints them only with --verbose, never
    given. The continuation lines of a TeX parse error (the expected tokens, a
    caret) are dropped too: the first line says what and where, and is all a
    reader of the article can act on.
    """
    messages = []
    for line in stderr.splitlines():
        start = MESSAGE_START.match(line)
        if start:
            if start[1] != "INFO":
                messages.append(line[start.end() :].strip())
        elif line.strip() and not messages:
            messages.append(line.strip())  # not in pandoc's format: kept whole
    return messages


def run_pandoc(
    arguments: list[str],
    text: str,
    *,
    report: Callable[[str], None] | None = None,
    timestamp: datetime.datetime | None = None,
    images_from: Path | None = None,
) -> str:
    """Run pandoc on ``text``; what it printed, as text (see :func:`run_pandoc_binary`)."""
    output = run_pandoc_binary(
        arguments, text, report=report, timestamp=timestamp, images_from=images_from
    )
    return output.decode("utf-8")


def run_pandoc_binary(
    arguments: list[str],
    text: str,
    *,
    report: Callable[[str], None] | None = None,
    timestamp: datetime.datetime | None = None,
    images_from: Path | None = None,
) -> bytes:
    """Run pandoc on ``text`` in its sandbox, where it reads no file it was not named.

    Returns what pandoc printed (``--output=-`` for a binary format: pandoc then
    writes no file, so a full disk or a read-only folder is our error, not pandoc's).
    Each message pandoc gives goes to ``report``, which says where in the sources
    it belongs (no caller may print them raw; one that gives no ``report`` must
    pass ``--quiet``).
    ``timestamp`` becomes SOURCE_DATE_EPOCH, which pandoc uses for the dates
    inside the files it writes. ``images_from`` lets pandoc embed images,
    relative to that folder: the sandbox would refuse them, so the caller must
    have checked every image the document names.
    """
    environment = dict(os.environ)
    if timestamp is not None:
        environment["SOURCE_DATE_EPOCH"] = str(int(timestamp.timestamp()))
    # Started by runs_ahead? (It starts none with a timestamp or images.)
    started = None if timestamp or images_from else _ahead.pop((tuple(arguments), text), None)
    result = (
        started.result()
        if started is not None
        else _execute(arguments, text, environment, images_from)
    )
    if result.returncode != 0:
        message = result.stderr.decode("utf-8", "replace").strip()
        raise BuildError(f"pandoc failed ({' '.join(arguments)}): {message}")
    for message in pandoc_messages(result.stderr.decode("utf-8", "replace")):
        if report is None:  # only callers passing --quiet, which prints none
            raise BuildError(f"pandoc said, with no article to show it for: {message}")
        report(message)
    return result.stdout


def _execute(
    arguments: Sequence[str], text: str, environment: dict[str, str], images_from: Path | None
) -> subprocess.CompletedProcess:
    return subprocess.run(
        [pandoc_path(), *([] if images_from else ["--sandbox"]), *arguments],
        cwd=images_from,
        input=text.encode("utf-8"),
        capture_output=True,
        env=environment,
        check=False,
    )


# Calls started by runs_ahead, by arguments and text, until run_pandoc takes them.
_ahead: dict[tuple[tuple[str, ...], str], Future] = {}
# Side by side: pandoc is a second per hundred articles, and reading comes before any
# other work of a build.
AHEAD = 4


@contextmanager
def runs_ahead(calls: Sequence[tuple[Sequence[str], str]]) -> Iterator[None]:
    """Start these pandoc calls (arguments, input text) now, side by side; within the
    block, :func:`run_pandoc` given the same arguments and text takes the started
    call's result. What it prints, and in what order, does not change: the messages
    are read where the call is made. Every call has ended when the block ends, so no
    process forked afterwards inherits a pandoc's pipes."""
    # load time: threads are a read-ahead's only
    from concurrent.futures import ThreadPoolExecutor

    workers = min(AHEAD, os.cpu_count() or 1, len(calls))
    if workers < 2:
        yield
        return
    environment = dict(os.environ)
    keys = []
    with ThreadPoolExecutor(workers) as pool:
        try:
            for arguments, text in calls:
                key = (tuple(arguments), text)
                if key not in _ahead:
                    _ahead[key] = pool.submit(_execute, arguments, text, environment, None)
                    keys.append(key)
            yield
        finally:
            for key in keys:
                started = _ahead.pop(key, None)
                if started is not None:
                    started.cancel()


# east_asian_line_breaks: a line break between two CJK characters is dropped
# instead of becoming a space. raw_tex off: a backslash command in the text
# (\frac, a Windows path) stays text rather than becoming LaTeX no format shows.
MARKDOWN_FORMAT = "markdown+east_asian_line_breaks-raw_tex"
# News is full of dollar signs (prices, shell variables): TeX math only when the
# edition says `math: true`.
WITHOUT_MATH = "-tex_math_dollars"


def markdown_format(math: bool) -> str:
    """pandoc's input format for the articles of an edition."""
    return MARKDOWN_FORMAT if math else MARKDOWN_FORMAT + WITHOUT_MATH
