"""The SHA-256 of every output of the sample, and the versions of what decides their bytes.

    .venv/bin/python tests/sample_digests.py OUT > tests/fixtures/sample-digests.json

records a build (``make sample-digests`` does it for build/). tests/test_reproducible.py
compares each build of the suite with the record while the versions are the recorded
ones: a change that should leave the outputs alone (a move, a refactor) is held to it,
and one that changes them on purpose records them again, in the same commit.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from importlib import metadata
from pathlib import Path

DISTRIBUTIONS = ("weasyprint", "pydyf", "pypandoc-binary", "opencc", "ebooklib", "python-docx")
DEBIAN = ("fonts-noto-cjk", "fonts-arphic-ukai", "fonts-hanazono", "fonts-noto-color-emoji",
          "libharfbuzz-subset0", "libpango-1.0-0")  # fmt: skip


def versions() -> dict[str, str]:
    found = {name: metadata.version(name) for name in DISTRIBUTIONS}
    for package in DEBIAN:
        query = ["dpkg-query", "-W", "-f=${Version}", package]
        result = subprocess.run(query, capture_output=True, text=True, check=False)
        found[package] = result.stdout.strip() or "absent"
    return found


def digests(out: Path) -> dict[str, str]:
    return {
        path.relative_to(out).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(out.rglob("*.*"))
        if ".cache" not in path.parts
    }


if __name__ == "__main__":
    record = {"versions": versions(), "outputs": digests(Path(sys.argv[1]))}
    print(json.dumps(record, indent=1, sort_keys=True))
