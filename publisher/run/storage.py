"""Sources and outputs anywhere fsspec reaches: a local path, ``memory://``, ``s3://`` …

A local path stays the default and is used as it is. For a URL, the client
copies the sources into a local folder before reading them (so every check
works as for a local folder, and no worker needs the sources' storage), and
publishes each output to the URL atomically: written under a temporary name
beside it, then moved into place, so a reader never sees half a file.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from publisher.base.atomic import TEMPORARY_PREFIX, write_atomically
from publisher.base.errors import PublisherError, SourceError


def is_url(location: str | os.PathLike[str]) -> bool:
    """True for ``protocol://…`` (``file://`` too), False for a plain path."""
    return "://" in str(location)


def _filesystem(url: str):  # -> (fsspec.AbstractFileSystem, str)
    import fsspec  # imported when a URL is used, not for every build

    try:
        return fsspec.core.url_to_fs(url)
    except (ImportError, ValueError) as error:
        raise PublisherError(
            f"{url}: cannot open this storage ({error}); install the fsspec package for its "
            "protocol (e.g. s3fs for s3://) in the same environment"
        ) from None


@contextlib.contextmanager
def local_sources(location: str | Path) -> Iterator[Path]:
    """A local folder holding the sources at ``location`` (a path or an fsspec URL).

    A URL is copied into a temporary folder that is removed afterwards; messages
    name files in it by their URL (see :func:`shown`).
    """
    if not is_url(location):
        yield Path(location)
        return
    fs, root = _filesystem(str(location))
    if not fs.isdir(root):
        raise SourceError(str(location), "the source folder does not exist")
    with tempfile.TemporaryDirectory(prefix="publisher-sources-") as folder:
        local = Path(folder) / "sources"
        local.mkdir()
        for path in fs.find(root):
            relative = path[len(root.rstrip("/")) + 1 :]
            target = local / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(fs.cat_file(path))
        _shown[str(local)] = str(location).rstrip("/")
        try:
            yield local
        finally:
            _shown.pop(str(local), None)


_shown: dict[str, str] = {}  # local copy -> the URL it was copied from


def shown(message: str) -> str:
    """``message`` with local copies of URL sources named by their URL again."""
    for local, url in _shown.items():
        message = message.replace(local, url)
    return message


class Outputs:
    """Where a build's outputs go: a local folder, or an fsspec URL.

    For a URL, the build renders into :attr:`staging`, a local folder that
    keeps the cache (what is up to date) between builds on this machine, and
    :meth:`publish` copies each written file to the URL atomically.
    """

    def __init__(self, location: str | Path) -> None:
        self.location = str(location)
        self.remote = is_url(location)
        if self.remote:
            self.fs, self.root = _filesystem(self.location)
            cache_home = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
            key = hashlib.sha256(self.location.encode()).hexdigest()[:16]
            self.staging = cache_home / "publisher" / "outputs" / key
        else:
            self.staging = Path(location)

    def url(self, path: Path) -> str:
        """Where a file of :attr:`staging` is published."""
        relative = Path(path).relative_to(self.staging).as_posix()
        return f"{self.location.rstrip('/')}/{relative}" if self.remote else str(path)

    def publish(self, path: Path) -> str:
        """Copy one written output of :attr:`staging` to its place (a folder, the web
        edition's site, file by file); returns where it went."""
        if not self.remote:
            return str(path)
        files = (
            sorted(p for p in Path(path).rglob("*") if p.is_file())
            if Path(path).is_dir()
            else [Path(path)]
        )
        for file in files:
            self.write(file.relative_to(self.staging).as_posix(), file.read_bytes())
        return self.url(path)

    def write(self, relative: str, data: bytes) -> None:
        """Write ``data`` to ``relative`` under the outputs, atomically."""
        if not self.remote:
            write_atomically(self.staging / relative, data)
            return
        target = f"{self.root.rstrip('/')}/{relative}"
        folder, _, name = target.rpartition("/")
        temporary = f"{folder}/{TEMPORARY_PREFIX}{name}"
        self.fs.makedirs(folder, exist_ok=True)
        try:
            self.fs.pipe_file(temporary, data)
            self.fs.mv(temporary, target)
        finally:
            with contextlib.suppress(FileNotFoundError, OSError):
                if self.fs.exists(temporary):
                    self.fs.rm_file(temporary)
