"""Outputs appear whole or not at all.

Every output is written to a temporary file in its own folder, then renamed
into place (atomic on POSIX). A failed or interrupted write removes the
temporary file and leaves the previous good output untouched.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

# A leading dot: the stale-article sweep (build.py) passes over such names, so it
# never takes a temporary file that is being written.
TEMPORARY_PREFIX = ".publisher-tmp-"


@contextlib.contextmanager
def atomic_target(path: Path, *, folder: bool = False) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; on success it replaces ``path``.

    With ``folder``, the temporary path is a folder (an output of many files, the
    web edition's site): it takes the old folder's place by two renames, the old
    one moved aside first and removed after, so a reader finds the old whole or
    the new whole, never a mix (at most, for an instant, neither).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    if folder:
        temporary = Path(tempfile.mkdtemp(prefix=TEMPORARY_PREFIX, dir=path.parent))
    else:
        descriptor, name = tempfile.mkstemp(
            prefix=TEMPORARY_PREFIX, suffix=path.suffix, dir=path.parent
        )
        os.close(descriptor)
        temporary = Path(name)
    try:
        yield temporary
        os.chmod(temporary, 0o755 if folder else 0o644)  # outputs are for sharing
        if folder:
            _replace_folder(temporary, path)
        else:
            os.replace(temporary, path)
    finally:
        # BaseException too: Ctrl-C must not leave a temporary file behind.
        if folder:
            shutil.rmtree(temporary, ignore_errors=True)
        else:
            with contextlib.suppress(FileNotFoundError):
                temporary.unlink()


def _replace_folder(new: Path, path: Path) -> None:
    if not path.exists():
        os.rename(new, path)
        return
    aside = Path(tempfile.mkdtemp(prefix=TEMPORARY_PREFIX, dir=path.parent))
    os.rename(path, aside / "old")
    try:
        os.rename(new, path)
    except OSError:
        os.rename(aside / "old", path)  # put the old one back
        raise
    finally:
        shutil.rmtree(aside, ignore_errors=True)


def sweep_leftovers(folder: Path) -> int:
    """Remove the temporary files and folders a process killed while writing left in
    ``folder`` (a worker lost mid-unit, SIGKILL): called by a build that holds the
    folder's lock, so none is being written. How many went."""
    removed = 0
    for path in sorted(folder.rglob(f"{TEMPORARY_PREFIX}*")) if folder.is_dir() else ():
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
        removed += 1
    return removed


def write_atomically(path: Path, data: bytes) -> None:
    with atomic_target(path) as temporary:
        temporary.write_bytes(data)


@contextlib.contextmanager
def output_lock(folder: Path, waiting: Callable[[], None] | None = None) -> Iterator[None]:
    """Hold the output folder for one build at a time.

    Two builds into one ``--out`` would otherwise sweep, overwrite and rename each
    other's files. The lock is ``flock`` on the folder itself: the kernel releases
    it when the holder exits, however it exits, so it never goes stale, and it
    adds no file. A second build waits for the first (``waiting`` is called once
    if it has to). A folder made here and left empty (bad sources) is removed.
    """
    if folder.exists() and not folder.is_dir():
        raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), str(folder))
    created = not folder.exists()
    folder.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if waiting:
                waiting()
            fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield
    finally:
        os.close(descriptor)  # releases the lock
        if created:
            with contextlib.suppress(OSError):  # only if empty
                folder.rmdir()
