"""The record of a finished build, which answers the next one at once when nothing changed.

A build decides output by output whether to rebuild (``build.py``), but to get
there it must read, validate and parse the whole edition, and import what that
takes: most of a second spent to learn that nothing is to do. So a build that
succeeds records, in ``OUT/.cache/builds/``, one file per way of calling it
(source, styles, formats, variants, articles):

* a digest of everything the build could have read: every file of the source
  and styles folders (their bytes, not their times), publisher's own code, its
  tools' versions, Python's and ``SOURCE_DATE_EPOCH``, taken *before* the
  build read anything, so an edit made while it ran is never recorded as built;
* the outputs it made or found current, with their keys;
* the warnings it printed, so that a repeated build says them again (and
  ``--strict`` fails again).

The next build with the same options takes the same digest; when it matches
and every output is in place with its key, nothing the outputs depend on can
have changed, and the build is over. Anything else (a changed byte anywhere,
an output deleted, no record) takes the full road. This module imports only
the standard library: it runs before anything heavy is loaded.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import stat
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from publisher import CODE
from publisher.base.atomic import write_atomically

CACHE_FOLDER = ".cache"  # in the output folder: what builds keep between runs
RECORDS_FOLDER = "builds"  # under CACHE_FOLDER
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
)
# Not read into any output: version control and caches beside the sources.
IGNORED_FOLDERS = frozenset({".git", ".hg", ".svn", "__pycache__", CACHE_FOLDER})
# A source folder holding more than this is hashed no further: the full build,
# which reads only what the edition names, is then the quicker way to know.
MAX_DIGESTED_BYTES = 256 * 1024 * 1024
MAX_DIGESTED_FILES = 20_000


class _NotDigestible(Exception):
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


def _digest_folder(digest: Any, folder: Path, skip: Path | None, budget: list[int]) -> None:
    """Every file below ``folder`` by relative path and bytes, in a fixed order;
    ``budget`` holds the bytes and the files still allowed."""
    for root, folders, files in os.walk(folder):
        here = Path(root)
        for name in list(folders):
            path = here / name
            if path.is_symlink():  # os.walk would not look inside: its changes would go unseen
                raise _NotDigestible(path)
            if name in IGNORED_FOLDERS or (skip is not None and path == skip):
                folders.remove(name)
        folders.sort()
        budget[1] -= len(files)
        if budget[1] < 0:
            raise _NotDigestible(here)
        for name in sorted(files):
            path = here / name
            digest.update(str(path.relative_to(folder)).encode("utf-8", "surrogateescape") + b"\0")
            try:
                mode = path.stat().st_mode
            except OSError:  # a broken link: its absence is what is recorded
                digest.update(b"-\0")
                continue
            if not stat.S_ISREG(mode):  # a FIFO or device: never opened (it could block)
                digest.update(b"?\0")
                continue
            data = path.read_bytes()
            budget[0] -= len(data)
            if budget[0] < 0:
                raise _NotDigestible(path)
            digest.update(len(data).to_bytes(8, "big") + data)


def inputs_digest(source: Path, out: Path, styles_folder: Path) -> str | None:
    """What a build of ``source`` with ``styles_folder`` depends on, as one digest;
    None when it cannot be taken safely (then every build goes the full road)."""
    digest = hashlib.sha256()
    out = Path(out).resolve()
    budget = [MAX_DIGESTED_BYTES, MAX_DIGESTED_FILES]
    try:
        for label, folder in (
            ("source", source),
            ("styles", styles_folder),
            ("code", CODE),
        ):
            digest.update(f"\0{label}\0".encode())
            _digest_folder(digest, Path(folder).resolve(), out, budget)
        versions = installed_versions((*TOOL_DISTRIBUTIONS, "pypandoc-binary"))
    except (_NotDigestible, OSError, RuntimeError, ImportError, LookupError):
        return None
    digest.update(json.dumps([versions, sys.version, os.environ.get("SOURCE_DATE_EPOCH")]).encode())
    return digest.hexdigest()


def invocation_id(
    source: Path,
    styles_folder: Path,
    formats: Iterable[str],
    variants: Iterable[str] | None,
    articles: Iterable[str] | None,
) -> str:
    """One name per way of calling a build: each keeps its own record."""
    call = {
        "source": str(Path(source).resolve()),
        "styles": str(Path(styles_folder).resolve()),
        "formats": sorted(set(formats)),
        "variants": list(variants or ()),
        "articles": sorted(set(articles or ())),
    }
    return hashlib.sha256(json.dumps(call, sort_keys=True).encode()).hexdigest()[:32]


def is_current(path: Path, stamp: Path, key: str) -> bool:
    """An output is current when its file is there and its stamp holds its key."""
    try:
        return (path.is_file() or path.is_dir()) and stamp.read_text() == key
    except (OSError, UnicodeDecodeError):  # gone, or a stamp that is not one
        return False


@dataclass(frozen=True)
class RecordedOutput:
    path: Path
    stamp: Path  # the file holding its key (build.py's ``Output.stamp``)
    key: str

    def up_to_date(self) -> bool:
        return is_current(self.path, self.stamp, self.key)


@dataclass(frozen=True)
class BuildRecord:
    inputs: str  # :func:`inputs_digest` when the build began
    outputs: tuple[RecordedOutput, ...]
    warnings: tuple[tuple[str, bool], ...]  # (message, is a copy-editing finding)

    @staticmethod
    def location(out: Path, invocation: str) -> Path:
        return Path(out) / CACHE_FOLDER / RECORDS_FOLDER / f"{invocation}.json"

    def save(self, out: Path, invocation: str) -> None:
        """Kept when it can be: without it, the next build only takes the full road."""
        document = {
            "inputs": self.inputs,
            "outputs": [[str(o.path), str(o.stamp), o.key] for o in self.outputs],
            "warnings": [list(w) for w in self.warnings],
        }
        # A full disk after the last output: the outputs stand, the next build reads again.
        with contextlib.suppress(OSError):
            write_atomically(self.location(out, invocation), json.dumps(document).encode())

    @classmethod
    def load(cls, out: Path, invocation: str) -> BuildRecord | None:
        try:
            document = json.loads(cls.location(out, invocation).read_bytes())
            return cls(
                document["inputs"],
                tuple(RecordedOutput(Path(p), Path(s), k) for p, s, k in document["outputs"]),
                tuple((str(m), bool(f)) for m, f in document["warnings"]),
            )
        except (OSError, ValueError, KeyError, TypeError):  # none yet, or not ours: build
            return None

    def holds(self, inputs: str | None) -> bool:
        """True when the recorded build is still the build these inputs would make."""
        if inputs is None or inputs != self.inputs:
            return False
        return all(output.up_to_date() for output in self.outputs)


def current_record(
    source: Path,
    out: Path,
    styles_folder: Path,
    formats: Iterable[str],
    variants: Iterable[str] | None,
    articles: Iterable[str] | None,
) -> BuildRecord | None:
    """The record of the last build called this way, if nothing has changed since."""
    try:
        invocation = invocation_id(source, styles_folder, formats, variants, articles)
        record = BuildRecord.load(out, invocation)
        if record is None or not record.holds(inputs_digest(source, out, styles_folder)):
            return None
    except (OSError, RuntimeError):  # a link that loops: the full road says what is wrong
        return None
    return record
