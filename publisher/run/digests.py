"""The one way publisher sums up what a build depends on: folders (source, styles,
its own code), named files, and the tools' versions.

Every name and every file's bytes go in length-prefixed, so two trees that
differ only in where a name ends and its bytes begin never sum up alike. Used by
the outputs' keys (build.py), the build record (build_record.py) and the cluster's
check of its workers and their input folders (environment.py, cluster.py). Light
to import: the no-op road reads it.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

CACHE_FOLDER = ".cache"  # in the output folder: what builds keep between runs
# Their versions decide the outputs' bytes as much as the sources do.
TOOL_DISTRIBUTIONS = (
    "weasyprint",
    "pydyf",
    "ebooklib",
    "python-docx",
    "opencc",
    "fonttools",
    "pillow",
    "lxml",
    "nh3",
    "pagefind",
    "pagefind-bin-extended",
)
# Not read into any output: version control and caches beside the sources.
IGNORED_FOLDERS = frozenset({".git", ".hg", ".svn", "__pycache__", CACHE_FOLDER})
# A source folder holding more than this is hashed no further: the full build,
# which reads only what the edition names, is then the quicker way to know.
MAX_DIGESTED_BYTES = 256 * 1024 * 1024
MAX_DIGESTED_FILES = 20_000


class NotDigestible(Exception):
    """The folder cannot be summed up safely (a linked folder, too many bytes)."""


def _normalized(project: str) -> str:
    return re.sub(r"[-_.]+", "_", project).lower()  # PEP 503: runs of - _ . are one


def installed_versions(names: Sequence[str]) -> list[str]:
    """Each distribution's version, read from the name of its metadata folder
    (``weasyprint-70.0.dist-info``) as importlib.metadata finds it, without loading
    importlib.metadata (it pulls in the email package: a tenth of a no-op build)."""
    wanted = {_normalized(name) for name in names}
    found: dict[str, str] = {}
    for entry in sys.path:
        try:
            listing = os.listdir(entry or ".")
        except OSError:
            continue
        for folder in listing:
            project, _, version = folder.removesuffix(".dist-info").partition("-")
            key = _normalized(project)
            if folder.endswith(".dist-info") and key in wanted and key not in found:
                found[key] = version
    missing = [name for name in names if _normalized(name) not in found]
    if missing:
        # load time: importlib.metadata only for a distribution the fast path missed
        from importlib import metadata

        found.update({_normalized(name): metadata.version(name) for name in missing})
    return [found[_normalized(name)] for name in names]


def frame(data: bytes) -> bytes:
    """``data`` with its length before it: where it ends is never in doubt."""
    return len(data).to_bytes(8, "big") + data


def update_folder(
    digest: Any,
    folder: Path,
    *,
    skip: Path | None = None,
    budget: list[int] | None = None,
    follow_links: bool = False,
) -> None:
    """Every file below ``folder``, by relative path and bytes (each framed), in a
    fixed order. ``budget`` holds the bytes and the files still allowed; a linked
    folder is refused unless ``follow_links`` (os.walk would not look inside it, so
    its changes would go unseen)."""
    for root, folders, files in os.walk(folder, followlinks=follow_links):
        here = Path(root)
        for name in list(folders):
            path = here / name
            if name in IGNORED_FOLDERS or (skip is not None and path == skip):
                folders.remove(name)
            elif path.is_symlink() and not follow_links:
                raise NotDigestible(path)
        folders.sort()
        if budget is not None:
            budget[1] -= len(files)
            if budget[1] < 0:
                raise NotDigestible(here)
        for name in sorted(files):
            path = here / name
            digest.update(frame(str(path.relative_to(folder)).encode("utf-8", "surrogateescape")))
            try:
                mode = path.stat().st_mode
            except OSError:  # a broken link: its absence is what is recorded
                digest.update(b"-")
                continue
            if not stat.S_ISREG(mode):  # a FIFO or device: never opened (it could block)
                digest.update(b"?")
                continue
            data = path.read_bytes()
            if budget is not None:
                budget[0] -= len(data)
                if budget[0] < 0:
                    raise NotDigestible(path)
            digest.update(b"=" + frame(data))


def folders_digest(folders: Mapping[str, Path], **options: Any) -> str:
    """One digest of labelled folders (``update_folder``'s options apply to each)."""
    digest = hashlib.sha256()
    for label, folder in folders.items():
        digest.update(frame(label.encode()))
        update_folder(digest, Path(folder), **options)
    return digest.hexdigest()


def files_digest(files: Mapping[str, bytes]) -> str:
    """One digest of named files' bytes."""
    digest = hashlib.sha256()
    for name, data in sorted(files.items()):
        digest.update(frame(name.encode()) + frame(hashlib.sha256(data).digest()))
    return digest.hexdigest()


def tool_versions() -> dict[str, str]:
    """The versions of the tools whose output bytes a build takes (pandoc's is
    pypandoc-binary's), read without importing them."""
    names = (*TOOL_DISTRIBUTIONS, "pypandoc-binary")
    return dict(zip(names, installed_versions(names), strict=True))
