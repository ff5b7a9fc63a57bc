"""The one compatibility gate for WeasyPrint and pydyf: a version outside the pin, or a
private function that changed, stops a build with one line naming it, before any output."""

from __future__ import annotations

import subprocess
import sys

import pytest
from conftest import ROOT
from tiny import tiny_edition


def run_patched(patch: str, *arguments: str) -> subprocess.CompletedProcess:
    """The real command line, in a process where ``patch`` ran first."""
    code = (
        f"import sys\n{patch}\nsys.argv = ['publisher', *sys.argv[1:]]\n"
        "from publisher.commands.cli import run\nrun()\n"
    )
    return subprocess.run(
        [sys.executable, "-c", code, *arguments], capture_output=True, text=True, cwd=ROOT
    )


def test_the_pinned_versions_pass():
    result = subprocess.run(
        [sys.executable, "-c", "from publisher.writers import weasyprint_gate as g; g.check()"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(("library", "version"), [("weasyprint", "71.0"), ("pydyf", "0.12.1")])
def test_a_version_outside_the_pin_stops_the_build(tmp_path, library, version):
    source = tiny_edition(tmp_path, ("zh-Hans",))
    out = tmp_path / "out"
    result = run_patched(
        f"import {library}; {library}.__version__ = {version!r}",
        "build", "pdf", "--source", str(source), "--out", str(out),
    )  # fmt: skip
    assert result.returncode == 1, result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert errors == [
        f"error: {library} {version} is installed, but publisher supports {library} "
        f"{'70.0' if library == 'weasyprint' else '0.13.0'} only (its PDF extensions patch "
        f"{library}'s internals): run `make` to install the pinned versions (requirements.lock)"
    ], result.stderr
    assert not list(out.rglob("*.pdf"))


def test_a_changed_private_function_is_named():
    code = (
        "import weasyprint.pdf\n"
        "def _use_references(pdf, resources, images, color_profiles): pass\n"
        "weasyprint.pdf._use_references = _use_references\n"
        "from publisher.writers import weasyprint_gate\n"
        "weasyprint_gate.check()\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 1
    assert "weasyprint.pdf._use_references has changed in this WeasyPrint or pydyf" in (
        result.stderr
    )


def test_the_build_reads_the_versions_without_importing_weasyprint():
    code = (
        "import sys\n"
        "from publisher.writers.weasyprint_gate import check_versions\n"
        "check_versions({'weasyprint': '70.0', 'pydyf': '0.13.0'})\n"
        "assert 'weasyprint' not in sys.modules\n"
        "check_versions({'weasyprint': '71.0', 'pydyf': '0.13.0'})\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 1
    assert "weasyprint 71.0 is installed, but publisher supports weasyprint 70.0" in result.stderr
