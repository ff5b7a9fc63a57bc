"""SIGTERM and SIGHUP end a build as Ctrl-C does.

A terminal's Ctrl-C reaches every process of the build; ``kill`` (a CI job
cancelled, a closed SSH session) reaches only the main one. Both become a
:class:`Terminated` exception, a ``KeyboardInterrupt``, so every ``finally``
runs: temporary files are removed and the previous outputs stay in place. The
main process then stops its workers and waits for them, and a worker whose
parent dies (even by SIGKILL) is sent SIGTERM by the kernel, so none goes on
writing. Exit status: 128 + the signal's number (143 for SIGTERM, 129 for SIGHUP).
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor

SIGNALS = (signal.SIGTERM, signal.SIGHUP)
PR_SET_PDEATHSIG = 1  # <linux/prctl.h>
WORKER_GRACE_SECONDS = 10


class Terminated(KeyboardInterrupt):
    """The build was told to stop by a signal other than SIGINT."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum

    @property
    def exit_code(self) -> int:
        return 128 + self.signum


def _raise_once(signum: int, frame: object) -> None:
    # Further signals are ignored while the exception unwinds and cleans up.
    for number in SIGNALS:
        signal.signal(number, signal.SIG_IGN)
    raise Terminated(signum)


@contextlib.contextmanager
def terminate_on_signals() -> Iterator[None]:
    """In the main process: SIGTERM and SIGHUP raise :class:`Terminated` meanwhile."""
    previous = {number: signal.signal(number, _raise_once) for number in SIGNALS}
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


_task_running = False


def _stop_worker(signum: int, frame: object) -> None:
    if _task_running:  # unwind the task: its finally blocks remove its temporary files
        _raise_once(signum, frame)
    os._exit(128 + signum)  # idle: nothing to clean up


@contextlib.contextmanager
def worker_task() -> Iterator[None]:
    """Around a task in a worker: on SIGTERM or SIGHUP, clean up, then exit the worker.

    The pool would catch the exception and wait for the next task, from a parent
    that may be gone.
    """
    global _task_running
    _task_running = True
    try:
        yield
    except Terminated as stop:
        os._exit(stop.exit_code)
    finally:
        _task_running = False


def worker_started(parent: int) -> None:
    """In a worker process of ``parent`` (a pid): die with the parent, and clean up on
    SIGTERM, SIGHUP or SIGINT. A terminal's Ctrl-C reaches the workers too: an idle
    worker ends quietly (not with a traceback of the pool's queue), a busy one after
    removing its temporary files; the parent stops the rest."""
    for number in (*SIGNALS, signal.SIGINT):
        signal.signal(number, _stop_worker)
    with contextlib.suppress(OSError, AttributeError):  # Linux only; elsewhere best effort
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(128 + signal.SIGTERM)


def stop_workers(pool: ProcessPoolExecutor) -> None:
    """Stop a pool's workers now, and wait until each has removed its temporary files.

    ``shutdown()`` alone would let running tasks finish and write their outputs.
    """
    manager = getattr(pool, "_executor_manager_thread", None)
    processes = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)  # no task starts any more
    for process in processes:
        with contextlib.suppress(ProcessLookupError, ValueError):
            if process.is_alive():
                os.kill(process.pid, signal.SIGTERM)
    for process in processes:
        process.join(WORKER_GRACE_SECONDS)
        if process.is_alive():
            process.kill()
            process.join()
    # The pool's thread notices its workers are gone and closes its pipes; left
    # running, it races the interpreter's exit (a traceback from concurrent.futures).
    if manager is not None:
        manager.join(WORKER_GRACE_SECONDS)
