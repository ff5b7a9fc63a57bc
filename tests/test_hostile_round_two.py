"""Hostile and unlucky input, round two: no hang, no memory blow-up, no crash after a
partial write.

Each case builds (or checks) the smallest edition that shows the problem. The
memory cases run under ``RLIMIT_AS`` in the subprocess, so a regression fails the
test instead of the machine; the time cases have generous timeouts, as they test
termination, not speed. The input files are in tests/hostile/.
"""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from conftest import ROOT
from pypdf import PdfReader

from publisher.atomic import TEMPORARY_PREFIX
from publisher.limits import MAX_YAML_VALUES

HOSTILE = Path(__file__).parent / "hostile"
# Address space for one publisher process: a small build needs about 600 MB of it
# (most of it libraries mapped, not memory used), a bomb would need gigabytes.
MEMORY_LIMIT = 1200 * 2**20
TERMINATION_TIMEOUT = 240  # seconds: a hang, not slowness, fails
PUBLISHER = (sys.executable, "-m", "publisher")


def publisher(
    *arguments: str | Path,
    memory: int | None = MEMORY_LIMIT,
    timeout: float = TERMINATION_TIMEOUT,
    env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess:
    """The real command line, under a memory limit and a timeout."""

    def limit() -> None:
        if memory:
            resource.setrlimit(resource.RLIMIT_AS, (memory, memory))

    return subprocess.run(
        [*PUBLISHER, *map(str, arguments)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=timeout,
        preexec_fn=limit,
        env={**os.environ, **(env or {})},
        check=False,
    )


def tiny_edition(folder: Path, edition: str = "", article: str = "正文。\n") -> Path:
    """A one-article edition; ``edition`` adds lines to edition.yaml."""
    source = folder / "source"
    (source / "articles").mkdir(parents=True)
    (source / "images").mkdir()
    (source / "edition.yaml").write_text(f"title: 测试\nname: tiny\n{edition}", encoding="utf-8")
    if not article.startswith("---\n"):
        article = f"---\ntitle: 标题\n---\n\n{article}"
    (source / "articles" / "01-a.md").write_text(article, encoding="utf-8")
    return source


def files_in(out: Path) -> list[Path]:
    return [p for p in out.rglob("*") if p.is_file() and ".cache" not in p.parts]


def temporary_files(out: Path) -> list[Path]:
    return [p for p in out.rglob("*") if p.name.startswith(TEMPORARY_PREFIX)]


def assert_whole(path: Path) -> None:
    if path.suffix == ".pdf":
        assert PdfReader(path).pages, path
    else:
        with zipfile.ZipFile(path) as archive:
            assert archive.testzip() is None, path


def assert_refused(result: subprocess.CompletedProcess, where: str, *words: str) -> None:
    """Exit 1, one message naming ``where`` (file:line) and holding ``words``."""
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    assert where in result.stderr, result.stderr
    for word in words:
        assert word in result.stderr, (word, result.stderr)


# ------------------------------------------------------------ 2. YAML alias bomb


def test_yaml_alias_bomb_is_refused_in_bounded_memory(tmp_path):
    source = tiny_edition(tmp_path)
    bomb = (HOSTILE / "yaml-alias-bomb.yaml").read_text(encoding="utf-8")
    assert len(bomb.encode()) < 1024
    (source / "edition.yaml").write_text(bomb, encoding="utf-8")
    out = tmp_path / "out"
    result = publisher("build", "--source", source, "--out", out, timeout=60)
    assert_refused(result, "edition.yaml:", f"expand to more than {MAX_YAML_VALUES:,} values")
    assert len(result.stderr) < 500  # never the expanded value
    assert not files_in(out)


def test_yaml_alias_referring_to_itself_is_refused(tmp_path):
    source = tiny_edition(tmp_path)
    (source / "edition.yaml").write_text("title: 测试\nname: tiny\nsubject: &a [x, *a]\n")
    result = publisher("check", "--source", source, timeout=60)
    assert_refused(result, "edition.yaml:3:", "refers to the value that holds it")


def test_a_wrong_value_is_shown_short(tmp_path):
    """A value of the wrong type is quoted in the message, but only its start."""
    source = tiny_edition(tmp_path)
    shared = "&a [" + ", ".join(["长长长长长长长长长长"] * 9) + "]"
    (source / "edition.yaml").write_text(
        f"title: 测试\nname: tiny\nsubject: {shared}\nrights: [*a, *a, *a, *a, *a, *a]\n",
        encoding="utf-8",
    )
    result = publisher("check", "--source", source, timeout=60)
    assert_refused(result, "edition.yaml:4:", "`rights`")
    assert len(result.stderr) < 400, result.stderr


# ------------------------------------------------- 5. two builds into one --out


def test_two_builds_into_one_out_at_once(tmp_path):
    """Ten times: every run ends 0 (or 1 with a message), every output is whole."""
    source = tiny_edition(tmp_path)
    for round in range(10):
        out = tmp_path / f"out{round}"
        builds = [
            subprocess.Popen(
                [*PUBLISHER, "build", "docx", "--source", str(source), "--out", str(out)],
                cwd=ROOT,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(2)
        ]
        for build in builds:
            _, errors = build.communicate(timeout=TERMINATION_TIMEOUT)
            assert build.returncode in (0, 1), errors
            assert "Traceback" not in errors, errors
            if build.returncode == 1:
                assert errors.startswith("error:"), errors
        assert not temporary_files(out)
        outputs = files_in(out)
        assert {p.relative_to(out).as_posix() for p in outputs} == {
            "zh-Hans/tiny.docx",
            "zh-Hans/articles/01-a.docx",
        }
        for path in outputs:
            assert_whole(path)


# ------------------------------------------------------------ 6. SIGTERM, SIGHUP


def children_of(pid: int) -> list[int]:
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            children.append(int(stat.parent.name))
    return children


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.parametrize(
    ("jobs", "signum", "code"),
    [
        (1, signal.SIGTERM, 143),
        (2, signal.SIGTERM, 143),
        (2, signal.SIGHUP, 129),
        (2, signal.SIGKILL, -9),  # workers must not outlive their parent
    ],
)
def test_terminated_build_stops_everything(tmp_path, jobs, signum, code):
    source = tiny_edition(tmp_path, "variants: [zh-Hans, zh-Hant-TW]\n")
    out = tmp_path / "out"
    build = subprocess.Popen(
        [*PUBLISHER, "build", "pdf", "-j", str(jobs), "--source", str(source), "--out", str(out)],
        cwd=ROOT,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + TERMINATION_TIMEOUT
    # Stop it while a PDF is being written.
    while not [p for p in temporary_files(out) if p.suffix == ".pdf"]:
        assert build.poll() is None and time.monotonic() < deadline, "never wrote an output"
        time.sleep(0.02)
    workers = children_of(build.pid)
    assert len(workers) >= jobs - 1
    build.send_signal(signum)
    _, errors = build.communicate(timeout=TERMINATION_TIMEOUT)
    assert build.returncode == code, errors
    assert "Traceback" not in errors, errors
    if code > 0:
        assert "interrupted" in errors
    while any(alive(pid) for pid in workers):  # they exit soon, having cleaned up
        assert time.monotonic() < deadline, "a worker outlived its parent"
        time.sleep(0.05)
    assert not temporary_files(out)
    for path in files_in(out):  # what was finished is whole
        assert_whole(path)
    keys = out / ".cache" / "keys"
    for stamp in keys.rglob("*.key"):  # an output marked up to date is there, whole
        assert_whole(out / stamp.relative_to(keys).with_suffix(""))
    assert "wrote" not in errors or code == -9 or len(list(out.rglob("*.pdf"))) < 4, errors


# -------------------------------------------------------- 8. filesystem errors


def test_out_naming_a_file(tmp_path):
    source = tiny_edition(tmp_path)
    out = tmp_path / "out.pdf"
    out.write_bytes(b"not a folder")
    result = publisher("build", "docx", "--source", source, "--out", out)
    assert_refused(result, "out.pdf: Not a directory", "give --out a folder")
    assert len(result.stderr.strip().splitlines()) == 1
    assert out.read_bytes() == b"not a folder"


@pytest.fixture
def small_disk(tmp_path):
    """A 1 MB file system of its own (tmpfs); needs root."""
    disk = tmp_path / "disk"
    disk.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(disk)], capture_output=True
    )
    if mounted.returncode != 0:
        pytest.skip("cannot mount a tmpfs here (needs root)")
    yield disk
    subprocess.run(["umount", "-l", str(disk)], check=True)


@pytest.mark.parametrize("problem", ["full", "read-only"])
def test_disk_full_or_read_only(tmp_path, small_disk, problem):
    source = tiny_edition(tmp_path)
    out = small_disk / "out"
    first = publisher("build", "docx", "--source", source, "--out", out)
    assert first.returncode == 0, first.stderr
    before = {p: p.read_bytes() for p in files_in(out)}
    (source / "edition.yaml").write_text("title: 新标题\nname: tiny\n", encoding="utf-8")
    if problem == "full":
        with open(small_disk / "filler", "wb", buffering=0) as filler, pytest.raises(OSError):
            while True:
                filler.write(b"\0" * 4096)
        words = ["No space left on device", "free some space"]
    else:
        subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], check=True)
        words = ["Read-only file system", "build into another --out"]
    result = publisher("build", "docx", "--source", source, "--out", out)
    assert_refused(result, str(out.name), *words)
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert {p: p.read_bytes() for p in files_in(out)} == before
    assert not temporary_files(out)
