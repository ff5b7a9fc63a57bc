"""Outputs appear whole or not at all.

Every output is written to a temporary file in its own folder, then renamed
into place (atomic on POSIX). A failed or interrupted write removes the
temporary file and leaves the previous good output untouched.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

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
