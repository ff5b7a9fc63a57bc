"""What a build shows while it runs: each output as it is built, found up to date
or failed, then one summary line.

On a terminal, rich colours the lines and keeps a spinner with the count so
far at the bottom; anywhere else (a pipe, a log file, CI) plain lines, and
rich is not even imported (it would cost the no-op build its start-up time).
"""

from __future__ import annotations

import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Event:
    """One line of progress: an output ``built``, ``up to date`` or ``failed``."""

    status: str
    path: Path
    seconds: float | None = None
    message: str | None = None


STYLES = {"built": "green", "up to date": "dim", "failed": "bold red"}
# How each status reads at the head of its line.
LABELS = {"built": "wrote", "up to date": "up to date", "failed": "failed"}


class BuildProgress:
    """A ``progress`` callback for :func:`publisher.run.build.build_edition`, plus the summary."""

    def __init__(self, shown: Callable[[Path], str], *, terminal: bool | None = None) -> None:
        self.shown = shown
        self.counts: Counter[str] = Counter()
        self.start = time.perf_counter()
        self.terminal = sys.stderr.isatty() if terminal is None else terminal
        self._console = self._status = None
        if self.terminal:
            # load time: rich only on a terminal
            from rich.console import Console
            from rich.live import Live
            from rich.spinner import Spinner

            self._console = Console(stderr=True, highlight=False)
            # Refreshed at each event, not by a thread of rich's: worker processes are
            # forked while this is on screen (a watch restarting its pool), and a
            # fork must find no other thread (executors.fork_alone).
            self._spinner = Spinner("dots", "building…")
            self._status = Live(
                self._spinner, console=self._console, auto_refresh=False, transient=True
            )
            self._status.start(refresh=True)

    def __call__(self, event: Event) -> None:
        self.counts[event.status] += 1
        line = f"{LABELS[event.status]:<10} {self.shown(event.path)}"
        if event.seconds is not None and event.status == "built":
            line += f" ({event.seconds:.1f} s)"
        if self._console is None:
            print(line, file=sys.stderr, flush=True)
            return
        # load time: rich only on a terminal
        from rich.markup import escape

        self._console.print(f"[{STYLES[event.status]}]{escape(line)}[/]")
        self._spinner.update(text=f"building… {self._summary()}")
        self._status.refresh()

    def _summary(self) -> str:
        return (
            f"built {self.counts['built']}, up to date {self.counts['up to date']}, "
            f"failed {self.counts['failed']}"
        )

    def finish(self, warnings: int | None = None) -> str:
        """Stop the spinner; the summary line: built N, up to date M, failed K, the
        ``warnings`` said (when counted), seconds."""
        if self._status is not None:
            self._status.stop()
        said = ""
        if warnings is not None:
            said = f", {warnings} warning{'s' * (warnings != 1)}" if warnings else ", no warnings"
        return f"{self._summary()}{said} in {time.perf_counter() - self.start:.1f} s"
