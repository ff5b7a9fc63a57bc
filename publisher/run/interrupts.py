"""SIGTERM and SIGHUP end a build as Ctrl-C does.

A terminal's Ctrl-C reaches every process of the build; ``kill`` (a CI job
cancelled, a closed SSH session) reaches only the main one. Both become a
:class:`Terminated` exception, a ``KeyboardInterrupt``, so every ``finally``
runs: temporary files are removed and the previous outputs stay in place. The
main process then stops its workers and waits for them. The main process forks
the first worker, which forks the others: it ends after them, so waiting for it
is waiting for all. A worker whose parent dies (even by SIGKILL) is sent SIGTERM
by the kernel; the first worker passes it on to the others before it ends, so
none goes on writing. Exit status: 128 + the signal's number (143 for SIGTERM,
129 for SIGHUP).
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import time
from collections.abc import Iterable, Iterator
from typing import NoReturn

SIGNALS = (signal.SIGTERM, signal.SIGHUP)
# What stops a worker: those, and a terminal's Ctrl-C.
_STOPPING = {signal.SIGINT, *SIGNALS}
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
# In the first worker: the workers it forked, which end before it does.
_children: list[int] = []


def end_worker(code: int) -> NoReturn:
    """End this worker with exit status ``code``, after the workers it forked (told to
    stop first, unless all is well: then they were told as this one was). Whoever waits
    for the first worker has waited for them all."""
    for pid in _children if code else ():
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)  # ignored by one already cleaning up
    for pid in _children:
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, 0)
    os._exit(code)


def _stop_worker(signum: int, frame: object) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not cut the cleanup
    if _task_running:  # unwind the task: its finally blocks remove its temporary files
        _raise_once(signum, frame)
    end_worker(128 + signum)  # idle: nothing to clean up


@contextlib.contextmanager
def worker_task() -> Iterator[None]:
    """Around a task in a worker: on SIGTERM, SIGHUP or SIGINT, clean up, then exit the
    worker.

    The worker would otherwise go on waiting for tasks from a parent that may be gone.
    """
    global _task_running
    _task_running = True
    try:
        yield
    except Terminated as stop:
        end_worker(stop.exit_code)
    finally:
        _task_running = False


def worker_started(parent: int) -> None:
    """In a worker process of ``parent`` (a pid): die with the parent, and clean up on
    SIGTERM, SIGHUP or SIGINT. A terminal's Ctrl-C reaches the workers too: an idle
    worker ends quietly, a busy one after removing its temporary files; the parent
    stops the rest."""
    _children.clear()  # a worker forked by the first one has none
    for number in _STOPPING:
        signal.signal(number, _stop_worker)
    with contextlib.suppress(OSError, AttributeError):  # Linux only; elsewhere best effort
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(128 + signal.SIGTERM)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, _STOPPING)  # held back by the fork


@contextlib.contextmanager
def signals_held() -> Iterator[None]:
    """SIGINT, SIGTERM and SIGHUP held back meanwhile, and delivered when the block ends:
    around a fork, so that neither side is stopped before it has noted the other. A
    worker forked here lets them through once it has its handlers (worker_started)."""
    held = signal.pthread_sigmask(signal.SIG_BLOCK, _STOPPING)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)


def forked_worker(pid: int) -> None:
    """In the first worker: ``pid`` is a worker it forked (see :func:`end_worker`)."""
    _children.append(pid)


def stop_workers(first: int, pids: Iterable[int]) -> None:
    """Stop the workers now (``first``, the one this process forked, and the others,
    which it forked), and wait until each has removed its temporary files.

    Letting them finish would let running units write their outputs.
    """
    for pid in {first, *pids}:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + WORKER_GRACE_SECONDS
    while time.monotonic() < deadline:
        with contextlib.suppress(ChildProcessError):
            if os.waitpid(first, os.WNOHANG)[0] == 0:
                time.sleep(0.01)
                continue
        return  # it has ended, after the others
    for pid in {first, *pids}:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    with contextlib.suppress(ChildProcessError):
        os.waitpid(first, 0)
