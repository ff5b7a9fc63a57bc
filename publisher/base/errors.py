"""What can go wrong, and who can fix it.

Policy (after WeasyPrint's logger and MkDocs' strict mode):

* ``PublisherError`` and its subclasses are problems the user can fix: bad
  sources, a failed build. The CLI prints them as messages and exits 1, never
  with a traceback. A ``SourceError`` names the file, the line where there is
  one, and what to do.
* Warnings are things a careful editor wants to know but that do not stop a
  build (a dropped element, an ambiguous conversion). They go to the
  ``publisher`` logger through :func:`warn`; :class:`WarningCounter` counts
  them so that a ``--strict`` build can fail at the end.
* Anything else is a bug in publisher and keeps its traceback.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

logger = logging.getLogger("publisher")


class PublisherError(Exception):
    """A problem the user can fix; the message says how."""


class SourceError(PublisherError):
    """A problem in one source file, located by file and (where known) line."""

    def __init__(
        self, path: Path | str, message: str, *, line: int | None = None, hint: str | None = None
    ) -> None:
        self.path = Path(path)
        self.line = line
        self.message = message
        self.hint = hint
        super().__init__(str(self))

    def __reduce__(self) -> tuple:
        # Pickled as made (a cluster worker's planning raises it on the client), not
        # from its one message, which __init__ would not take back.
        return (_source_error, (type(self), self.path, self.message, self.line, self.hint))

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else f"{self.path}"
        text = f"{where}: {self.message}"
        if self.hint:
            text += f"\n  what to do: {self.hint}"
        return text


def _source_error(
    kind: type[SourceError], path: Path, message: str, line: int | None, hint: str | None
) -> SourceError:
    return kind(path, message, line=line, hint=hint)


class BuildError(PublisherError):
    """An output could not be produced from valid sources."""


def warn(message: str, *, path: Path | str | None = None, line: int | None = None) -> None:
    """Report a warning located in a source file, as errors are."""
    if path is not None:
        where = f"{path}:{line}" if line else f"{path}"
        message = f"{where}: {message}"
    logger.warning(message)


class _Capture(logging.Filter):
    """Holds back the warnings of the threads capturing them (see
    :func:`captured_warnings`); lets every other record through."""

    local = threading.local()

    def filter(self, record: logging.LogRecord) -> bool:
        sink = getattr(self.local, "sink", None)
        if sink is None or record.levelno < logging.WARNING:
            return True
        sink.append(record.getMessage())
        return False


_CAPTURE = _Capture()


@contextmanager
def captured_warnings() -> Iterator[list[str]]:
    """The warnings this thread logs meanwhile, kept from every handler and handed
    back: a unit's, printed by the build once for all the variants they hold in."""
    if _CAPTURE not in logger.filters:
        logger.addFilter(_CAPTURE)
    previous = getattr(_CAPTURE.local, "sink", None)
    _CAPTURE.local.sink = messages = []
    try:
        yield messages
    finally:
        _CAPTURE.local.sink = previous


class WarningCounter(logging.Handler):
    """Counts the warnings logged while it is attached, for strict builds (to the
    ``publisher`` logger, or the one given: a library's that logs its own)."""

    def __init__(self, attached_to: logging.Logger = logger) -> None:
        super().__init__(level=logging.WARNING)
        self.attached_to = attached_to
        self.records: list[logging.LogRecord] = []

    @property
    def messages(self) -> list[str]:
        return [record.getMessage() for record in self.records]

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def __enter__(self) -> WarningCounter:
        self.attached_to.addHandler(self)
        return self

    def __exit__(self, *exc: object) -> None:
        self.attached_to.removeHandler(self)
