"""Running pandoc, the binary that pypandoc-binary ships.

Called directly rather than through ``pypandoc.convert_text`` so that each
call gets its own environment (SOURCE_DATE_EPOCH for reproducible DOCX) and
its stderr becomes a clear error.
"""

from __future__ import annotations

import datetime
import os
import subprocess
from functools import cache
from pathlib import Path

import pypandoc

from .errors import BuildError, warn


@cache
def pandoc_path() -> str:
    return pypandoc.get_pandoc_path()


@cache
def pandoc_version() -> str:
    return pypandoc.get_pandoc_version()


def run_pandoc(
    arguments: list[str],
    text: str,
    *,
    timestamp: datetime.datetime | None = None,
    images_from: Path | None = None,
) -> str:
    """Run pandoc on ``text`` in its sandbox, where it reads no file it was not named.

    Returns what pandoc printed. ``timestamp`` becomes SOURCE_DATE_EPOCH, which
    pandoc uses for the dates inside the files it writes. ``images_from`` lets
    pandoc embed images, relative to that folder: the sandbox would refuse
    them, so the caller must have checked every image the document names.
    """
    environment = dict(os.environ)
    if timestamp is not None:
        environment["SOURCE_DATE_EPOCH"] = str(int(timestamp.timestamp()))
    result = subprocess.run(
        [pandoc_path(), *([] if images_from else ["--sandbox"]), *arguments],
        cwd=images_from,
        input=text.encode("utf-8"),
        capture_output=True,
        env=environment,
        check=False,
    )
    if result.returncode != 0:
        message = result.stderr.decode("utf-8", "replace").strip()
        raise BuildError(f"pandoc failed ({' '.join(arguments)}): {message}")
    for line in result.stderr.decode("utf-8", "replace").splitlines():
        if line.strip():
            warn(f"pandoc: {line.strip()}")
    return result.stdout.decode("utf-8")
