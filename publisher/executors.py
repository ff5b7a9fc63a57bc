"""Where the units of a build run: the executor seam.

A build (``publisher.build``) turns an edition into a list of units. A unit is
pure: a frozen, picklable object holding its content-addressed inputs (the
parsed articles, the edition metadata, the variant, the keys of its outputs)
and the paths it writes. Running it is a plain function call,
``function(unit) -> result``, that reads nothing but the unit and the files
its keys cover (images, ``styles/``), writes only its own outputs (each
atomically, beside its stamp in the cache folder) and returns a small
picklable result (paths written, warnings, seconds). Running a unit twice
gives the same bytes.

An executor runs such calls and yields results as units finish, in any
order. That is the whole interface (:class:`Executor`):

* ``map_unordered(function, units)``: an iterator of ``function(unit)``
  results in completion order; an exception raised by a unit is raised from
  the iterator. ``units`` are already sorted longest first (by
  ``unit.cost``), so a scheduler that starts them in that order balances
  its workers.
* ``close()``: stop the workers. Executors are context managers, and may be
  kept open across builds (``publisher watch``) so workers stay warm.

Workers must see the output folder (a local pool does; a distributed
executor needs a shared file system).

Two implementations live here: :class:`InlineExecutor` (this process: no
start-up cost, used for one job or one unit) and :class:`LocalExecutor`
(long-lived worker processes, one per core by default).
"""

from __future__ import annotations

import gc
import logging
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from importlib import import_module
from typing import TYPE_CHECKING, Protocol, TypeVar

from .interrupts import stop_workers, worker_started, worker_task

if TYPE_CHECKING:
    from concurrent.futures import Future, ProcessPoolExecutor

U = TypeVar("U")
R = TypeVar("R")


class Executor(Protocol):
    """Runs pure units; see the module's documentation for the contract."""

    def map_unordered(self, function: Callable[[U], R], units: Iterable[U]) -> Iterator[R]: ...

    def close(self) -> None: ...

    def __enter__(self) -> Executor: ...

    def __exit__(self, *exc: object) -> None: ...


class InlineExecutor:
    """Runs each unit in this process, in order."""

    def map_unordered(self, function: Callable[[U], R], units: Iterable[U]) -> Iterator[R]:
        for unit in units:
            yield function(unit)

    def close(self) -> None:
        pass

    def __enter__(self) -> InlineExecutor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _start_worker(parent: int, modules: Sequence[str] = ()) -> None:
    """A worker prints nothing: its warnings go back to the main process with its result.
    It stops, cleaning up, when its parent does (interrupts.py). Then it loads
    ``modules`` (the writers), while the parent is still reading the edition."""
    logging.getLogger("publisher").handlers[:] = []
    worker_started(parent)
    for module in modules:
        import_module(module)
    # What is loaded now stays loaded: the garbage collector's full passes, during
    # layout, need not look through it again.
    gc.freeze()


def _run_in_worker(function: Callable[[U], R], unit: U) -> R:
    with worker_task():  # SIGTERM: the unit's temporary files go, then the worker
        return function(unit)


def default_jobs() -> int:
    """One worker per core this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def build_executor(
    jobs: int | None,
    formats: Sequence[str],
    variants: Iterable[str] | None,
    articles: Iterable[str] | None,
) -> InlineExecutor | LocalExecutor:
    """A build's own executor: this process for one job, else ``jobs`` worker
    processes (None: one per core), no more than it can have units (known
    beforehand for a proof). Workers start at once and load the writers while this
    process reads, so even one unit is done sooner in a worker."""
    from .writers import format_named  # format metadata: imports no writer

    jobs = jobs or default_jobs()
    if jobs == 1:
        return InlineExecutor()
    articles, variants = list(articles or ()), list(variants or ())
    most = len(articles) * len(formats) * len(variants) if articles and variants else jobs
    pool = LocalExecutor(min(jobs, most), preload=[format_named(f).module for f in formats])
    pool.start()
    return pool


class LocalExecutor:
    """A pool of worker processes on this machine, started on first use and kept
    until :meth:`close`. At most ``jobs`` units run at once; the next unit starts
    as soon as a worker is free, so long units started first keep every core busy."""

    def __init__(self, jobs: int | None = None, preload: Sequence[str] = ()) -> None:
        self.jobs = jobs or default_jobs()
        self.preload = tuple(preload)
        self._pool: ProcessPoolExecutor | None = None
        self._used = False

    def start(self) -> None:
        """Start the workers now rather than at the first unit, so that they load
        ``preload`` (a second for WeasyPrint) while this process reads the sources.
        Call it before this process starts any subprocess in another thread: a
        worker forked meanwhile would inherit that subprocess's pipes."""
        from concurrent.futures import ProcessPoolExecutor

        if self._pool is None:
            self._pool = ProcessPoolExecutor(
                max_workers=self.jobs,
                initializer=_start_worker,
                initargs=(os.getpid(), self.preload),
            )
            # With the fork start method the first call forks every worker at once.
            self._pool.submit(int)

    def map_unordered(self, function: Callable[[U], R], units: Iterable[U]) -> Iterator[R]:
        # Imported here: multiprocessing is not needed by a build with nothing to do.
        from concurrent.futures import FIRST_COMPLETED, wait

        self.start()
        self._used = True
        # Submitted in the caller's order; the pool starts them as workers free up.
        pending: set[Future] = {self._pool.submit(_run_in_worker, function, unit) for unit in units}
        try:
            while pending:
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for future in sorted(done, key=id):
                    yield future.result()
        finally:
            for future in pending:
                future.cancel()

    def close(self) -> None:
        if self._pool is not None and not self._used:
            stop_workers(self._pool)  # started, never given a unit: not worth waiting for
        elif self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
        self._pool = None

    def __enter__(self) -> LocalExecutor:
        return self

    def __exit__(self, kind: object, *exc: object) -> None:
        if kind is not None and self._pool is not None:
            # An error, Ctrl-C, SIGTERM: close() would let running units finish and
            # write; the workers stop now instead, removing their temporary files.
            stop_workers(self._pool)
            self._pool = None
        self.close()
