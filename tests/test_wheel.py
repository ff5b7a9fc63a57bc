"""publisher installs like any Python tool: the wheel, in a clean venv, works in an
empty folder (the default styles and templates ship inside it)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import ROOT

NOT_SHIPPED = shutil.ignore_patterns(
    ".venv", "build", "dist", ".git", "__pycache__", ".pytest_cache", ".ruff_cache", "*.egg-info"
)


def run(command: list, cwd: Path) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [str(part) for part in command], cwd=cwd, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, f"{command}\n{result.stdout}\n{result.stderr}"
    return result


@pytest.mark.xdist_group("wheel")
def test_the_wheel_installs_in_a_clean_venv_and_builds_a_new_edition(tmp_path):
    # Built from a copy, so that setuptools' build/ never mixes with the editions' build/.
    checkout = Path(shutil.copytree(ROOT, tmp_path / "checkout", ignore=NOT_SHIPPED))
    run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation",
         "-w", tmp_path / "dist", checkout], cwd=checkout)  # fmt: skip
    (wheel,) = (tmp_path / "dist").glob("publisher-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    for shipped in ("print.css", "epub.css", "docx_reference.py", "templates/edition.html"):
        assert f"publisher/data/styles/{shipped}" in names
    assert "publisher/data/opencc/STCharacters.txt" in names
    assert not [name for name in names if name.startswith(("tests/", "source/", "styles/"))]

    venv = tmp_path / "venv"
    run([sys.executable, "-m", "venv", venv], cwd=tmp_path)
    python = venv / "bin" / "python"
    # The pinned versions, as `make` installs them (from pip's cache when it has them).
    run([python, "-m", "pip", "install", "-q", "--disable-pip-version-check", wheel,
         "-c", ROOT / "requirements.lock"], cwd=tmp_path)  # fmt: skip

    empty = tmp_path / "anywhere"
    empty.mkdir()
    publisher = venv / "bin" / "publisher"
    run([publisher, "new", "x"], cwd=empty)
    result = run([publisher, "build", "--source", "x", "--out", "out"], cwd=empty)
    assert "failed 0" in result.stdout + result.stderr
    built = sorted(p.relative_to(empty / "out").as_posix() for p in (empty / "out").rglob("*.*"))
    for ext in ("pdf", "epub", "docx"):
        assert any(name.startswith("zh-Hans/") and name.endswith(f".{ext}") for name in built)
    # The styles came from the installed package, not from this checkout.
    where = run([python, "-c", "import publisher; print(publisher.DEFAULT_STYLES)"], cwd=empty)
    assert str(venv) in where.stdout
