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
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from publisher import CODE, DEFAULT_STYLES
from publisher.base.atomic import write_atomically
from publisher.run.digests import (
    CACHE_FOLDER,
    MAX_DIGESTED_BYTES,
    MAX_DIGESTED_FILES,
    NotDigestible,
    folders_digest,
    tool_versions,
)

RECORDS_FOLDER = "builds"  # under CACHE_FOLDER


def styled(folders: dict[str, Path], styles_folder: Path) -> dict[str, Path]:
    """``folders`` and the styles: the folder, and the default styles too when it is
    another (a styles folder of one's own takes the files it lacks from them)."""
    folders = {**folders, "styles": Path(styles_folder)}
    if Path(styles_folder).resolve() != DEFAULT_STYLES.resolve():
        folders["defaults"] = DEFAULT_STYLES
    return folders


def inputs_digest(source: Path, out: Path, styles_folder: Path) -> str | None:
    """What a build of ``source`` with ``styles_folder`` depends on, as one digest;
    None when it cannot be taken safely (then every build goes the full road)."""
    budget = [MAX_DIGESTED_BYTES, MAX_DIGESTED_FILES]
    folders = styled({"source": source, "code": CODE}, styles_folder)
    try:
        digest = folders_digest(
            {label: Path(folder).resolve() for label, folder in folders.items()},
            skip=Path(out).resolve(),
            budget=budget,
        )
        versions = tool_versions()
    except (NotDigestible, OSError, RuntimeError, ImportError, LookupError):
        return None
    environment = [os.environ.get(name) for name in ("SOURCE_DATE_EPOCH", "PYPANDOC_PANDOC")]
    return _hash_json([digest, versions, sys.version, environment])


def _hash_json(value: object) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True).encode()).hexdigest()


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
