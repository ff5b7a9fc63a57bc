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
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

# A leading dot: the stale-article sweep (build.py) passes over such names, so it
# never takes a temporary file that is being written.
TEMPORARY_PREFIX = ".publisher-tmp-"


@contextlib.contextmanager
def atomic_target(path: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; on success it replaces ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, name = tempfile.mkstemp(
        prefix=TEMPORARY_PREFIX, suffix=path.suffix, dir=path.parent
    )
    os.close(descriptor)
    temporary = Path(name)
    try:
        yield temporary
        os.chmod(temporary, 0o644)  # mkstemp makes it 0600; outputs are for sharing
        os.replace(temporary, path)
    finally:
        # BaseException too: Ctrl-C must not leave a temporary file behind.
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()


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
