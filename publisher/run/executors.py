"""Where the units of a build run: the executor seam.

A build (``publisher.run.build``) turns an edition into a list of units. A unit is
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

* ``plan(function, arguments, reads=..., writes=...)``: ``function(*arguments)``,
  the planning of a build (reading and parsing the sources, keying the
  outputs), where the executor wants it: here for a local pool; on a worker
  for a cluster whose workers see the folders ``reads`` and ``writes``, so
  that the client never reads an article. Its result's units may then be the
  executor's own stand-ins, which only its ``map_unordered`` takes.
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
import signal
import threading
import traceback
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import suppress
from importlib import import_module
from typing import TYPE_CHECKING, Any, NoReturn, Protocol, TypeVar

from publisher.base.errors import BuildError
from publisher.run.interrupts import (
    end_worker,
    forked_worker,
    signals_held,
    stop_workers,
    worker_started,
    worker_task,
)

if TYPE_CHECKING:
    from multiprocessing.connection import Connection
    from pathlib import Path

U = TypeVar("U")
R = TypeVar("R")


P = TypeVar("P")


def plan_here(function: Callable[..., P], arguments: Sequence[Any]) -> P:
    """A local executor's ``plan``: in this process, where the sources are."""
    return function(*arguments)


class Executor(Protocol):
    """Runs pure units; see the module's documentation for the contract."""

    def plan(
        self,
        function: Callable[..., P],
        arguments: Sequence[Any],
        *,
        reads: Sequence[Path],
        writes: Path,
    ) -> P: ...

    def map_unordered(self, function: Callable[[U], R], units: Iterable[U]) -> Iterator[R]: ...

    def close(self) -> None: ...

    def __enter__(self) -> Executor: ...

    def __exit__(self, *exc: object) -> None: ...


class InlineExecutor:
    """Runs each unit in this process, in order."""

    def plan(self, function: Callable[..., P], arguments: Sequence[Any], **_: object) -> P:
        return plan_here(function, arguments)

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


def _leave_parent_behind(keep: Sequence[Connection]) -> None:
    """In the first worker, just forked: close every file it inherited but the standard
    streams and ``keep``, its pipes. The parent's objects stay, unused: frozen out of
    the garbage collector first, so that none closes a file number reused here."""
    gc.freeze()
    with suppress(ValueError):
        signal.set_wakeup_fd(-1)  # an event loop's, in the parent
    low = 3
    for number in sorted({connection.fileno() for connection in keep}):
        os.closerange(low, number)
        low = number + 1
    os.closerange(low, os.sysconf("SC_OPEN_MAX"))


def fork_alone() -> int:
    """``os.fork()``, refused while another thread of this process runs.

    A child forked while another thread holds a lock (logging's, the allocator's,
    GLib's) inherits the lock held and no thread to release it, and can hang. So
    the pool starts before any thread (the progress display has none of its own,
    and pandoc's read-ahead threads end before its block does); this holds it to that.
    """
    others = [t.name for t in threading.enumerate() if t is not threading.current_thread()]
    if others:
        raise RuntimeError(
            f"publisher refuses to fork worker processes while other threads run: "
            f"{', '.join(others)} (a bug of publisher's: please report it)"
        )
    return os.fork()


def _first_worker(connections: Sequence[Connection], parent: int, preload: Sequence[str]) -> None:
    """The first worker: loads ``preload``, then forks the other workers, which start
    loaded (and share what was loaded, copy on write), then serves as one of them."""
    _start_worker(parent, preload)
    first, mine = os.getpid(), 0
    for index in range(1, len(connections)):
        with signals_held():  # a stop signal waits until the fork is noted on both sides
            pid = fork_alone()
            if pid == 0:
                worker_started(first)
                mine = index
                break
            forked_worker(pid)
    for index, connection in enumerate(connections):
        if index != mine:
            connection.close()
    _serve(connections[mine])


def _serve(connection: Connection) -> None:
    """A worker's loop: says it is ready (with its pid), then runs each (function, unit)
    it is sent and sends back (True, result) or (False, exception), until told to stop."""
    connection.send(os.getpid())
    while True:
        try:
            task = connection.recv()
        except (EOFError, OSError):  # the main process is gone
            return
        except Exception as error:  # a task that does not unpickle here: a bug
            _reply(connection, (False, _noted(error)))
            continue
        if task is None:
            return
        function, unit = task
        try:
            _reply(connection, (True, _run_in_worker(function, unit)))
        except Exception as error:
            _reply(connection, (False, _noted(error)))


def _noted(error: Exception) -> Exception:
    """The error, with the worker's traceback (lost in pickling) as a note."""
    error.add_note("".join(traceback.format_exception(error)).rstrip())
    return error


def _reply(connection: Connection, reply: tuple[bool, Any]) -> None:
    try:
        connection.send(reply)
    except Exception as error:  # the result does not pickle: a bug, said as one
        connection.send((False, RuntimeError(f"a result that does not pickle: {error!r}")))


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
    from publisher.writers import format_named  # format metadata: imports no writer

    jobs = jobs or default_jobs()
    if jobs == 1:
        return InlineExecutor()
    articles, variants = list(articles or ()), list(variants or ())
    most = len(articles) * len(formats) * len(variants) if articles and variants else jobs
    pool = LocalExecutor(min(jobs, most), preload=[format_named(f).module for f in formats])
    pool.start()
    return pool


class _Worker:
    """This process's end of one worker: its connection, its pid once it is ready."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.pid: int | None = None


class LocalExecutor:
    """Worker processes on this machine, started at once (or on first use) and kept
    until :meth:`close`. At most ``jobs`` units run at once; the next unit starts as
    soon as a worker is free, so long units started first keep every core busy.

    This process forks one worker, which loads ``preload`` (a second for WeasyPrint)
    while this process reads the sources, then forks the others from itself: they
    start loaded, so the loading is paid once rather than once per worker, and the
    workers share its memory. Each worker has a pipe to this process: a task goes to
    a worker that is free, and its result or error comes back on the same pipe.
    """

    def __init__(self, jobs: int | None = None, preload: Sequence[str] = ()) -> None:
        self.jobs = jobs or default_jobs()
        self.preload = tuple(preload)
        self._workers: list[_Worker] = []
        self._first = 0  # the pid of the worker this process forked
        self._running: dict[Connection, _Worker] = {}  # left running by a map not read to its end
        self._used = False

    def plan(self, function: Callable[..., P], arguments: Sequence[Any], **_: object) -> P:
        return plan_here(function, arguments)

    def start(self) -> None:
        """Start the workers now rather than at the first unit, so that they load
        ``preload`` while this process reads the sources; or again, after they were
        stopped (a worker died). A worker keeps none of this process's open files but
        its pipe and the standard streams: a lock held here (``output_lock``) is not
        held by the workers too."""
        # load time: multiprocessing only when a pool starts
        from multiprocessing import Pipe

        if self._workers:
            return
        pairs = [Pipe() for _ in range(self.jobs)]
        theirs = [connection for _, connection in pairs]
        parent = os.getpid()
        with signals_held():  # a stop signal waits until the fork is noted on both sides
            pid = fork_alone()
            if pid == 0:  # a worker (the first, or one it forked): it never returns
                code = 1
                try:
                    _leave_parent_behind(theirs)
                    _first_worker(theirs, parent, self.preload)
                    code = 0
                except Exception:  # the parent only learns that the worker stopped: say why
                    # On the standard error itself: sys.stderr may be an object of the
                    # parent's (a test's capture) whose file was closed here.
                    with suppress(OSError):
                        os.write(2, traceback.format_exc().encode("utf-8", "replace"))
                finally:
                    end_worker(code)  # whatever was raised meanwhile, even by the above
            self._first = pid
        for connection in theirs:
            connection.close()
        self._workers = [_Worker(ours) for ours, _ in pairs]

    def map_unordered(self, function: Callable[[U], R], units: Iterable[U]) -> Iterator[R]:
        # load time: multiprocessing only when a pool runs
        from multiprocessing.connection import wait

        self.start()
        self._used = True
        self._finish_running()
        waiting = deque(units)  # in the caller's order: longest first
        running = self._running
        by_connection = {worker.connection: worker for worker in self._workers}
        while waiting or running:
            for worker in self._workers:
                if waiting and worker.pid and worker.connection not in running:
                    try:
                        worker.connection.send((function, waiting.popleft()))
                    except OSError:  # an idle worker that died
                        self._broken()
                    running[worker.connection] = worker
            starting = [w.connection for w in self._workers if not w.pid]
            for connection in wait([*starting, *running]):
                worker = by_connection[connection]
                message = self._receive(worker)
                if not worker.pid:  # its first message: it is ready
                    worker.pid = message
                    continue
                del running[connection]
                succeeded, value = message
                if not succeeded:
                    raise value
                yield value

    def _receive(self, worker: _Worker) -> Any:
        try:
            return worker.connection.recv()
        except (EOFError, OSError):
            self._broken()
        except Exception as error:  # a result or error that does not unpickle here
            return False, RuntimeError(f"a worker's reply could not be read: {error!r}")

    def _broken(self) -> NoReturn:
        self._stop()  # the others too: the pool is broken, as its build is
        raise BuildError(
            "a worker process stopped (killed, or out of memory?); what it was making "
            "was not written\n  what to do: build again, with fewer --jobs if memory "
            "is short"
        )

    def _finish_running(self) -> None:
        """Wait for the units a map left running when its caller stopped reading."""
        while self._running:
            self._receive(self._running.popitem()[1])

    def close(self) -> None:
        """Let running units finish, then stop the workers."""
        if not self._workers:
            return
        if not self._used:  # started, never given a unit: not worth waiting for
            self._stop()
            return
        try:
            self._finish_running()
        except BuildError:  # a worker gone meanwhile (Ctrl-C reaches them too): stopped
            return
        finally:
            for worker in self._workers:
                with suppress(OSError):
                    worker.connection.send(None)
                worker.connection.close()
            self._workers = []
            with suppress(ChildProcessError):
                os.waitpid(self._first, 0)  # it waits for the workers it forked

    def _stop(self) -> None:
        if not self._workers:
            return
        stop_workers(self._first, [w.pid for w in self._workers if w.pid])
        for worker in self._workers:
            worker.connection.close()
        self._workers, self._running = [], {}

    def __enter__(self) -> LocalExecutor:
        return self

    def __exit__(self, kind: object, *exc: object) -> None:
        if kind is not None and self._workers:
            # An error, Ctrl-C, SIGTERM: close() would let running units finish and
            # write; the workers stop now instead, removing their temporary files.
            self._stop()
        self.close()
