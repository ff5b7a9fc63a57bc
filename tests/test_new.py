"""`publisher new`, the command on the PATH, its help and verbosity."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pypdf
import pytest
from conftest import ROOT, run_publisher

COMMAND = ROOT / ".venv" / "bin" / "publisher"


def test_new_edition_checks_strictly_and_builds(tmp_path):
    made = run_publisher("new", "x", cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    edition = (tmp_path / "x" / "edition.yaml").read_text(encoding="utf-8")
    assert edition.count("#") >= 5  # commented for a new editor
    assert "name: x" in edition and "date: " in edition
    assert (tmp_path / "x" / "articles" / "01-example.md").is_file()
    assert "phrases" in (tmp_path / "x" / "dictionary.yaml").read_text(encoding="utf-8")
    checked = run_publisher("check", "--strict", "--source", "x", cwd=tmp_path)
    assert checked.returncode == 0, checked.stderr
    assert "warning:" not in checked.stderr and "no warnings" in checked.stderr
    built = run_publisher("build", "--strict", "--source", "x", cwd=tmp_path)
    assert built.returncode == 0, built.stderr
    for ext in ("pdf", "epub", "docx"):
        assert (tmp_path / "x" / "build" / "zh-Hans" / f"x.{ext}").stat().st_size > 1000


def test_new_refuses_a_folder_with_files(tmp_path):
    (tmp_path / "x").mkdir()
    (tmp_path / "x" / "notes.txt").write_text("mine")
    result = run_publisher("new", "x", cwd=tmp_path)
    assert result.returncode == 1
    assert "not an empty folder" in result.stderr
    assert sorted(p.name for p in (tmp_path / "x").iterdir()) == ["notes.txt"]


@pytest.mark.skipif(not COMMAND.exists(), reason="no .venv (make)")
def test_publisher_command_runs_outside_the_repository(tmp_path):
    """`make` leaves .venv/bin/publisher, which works from any folder and shell."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("VIRTUAL_ENV")}
    environment["PATH"] = "/usr/bin:/bin"
    result = subprocess.run(
        [COMMAND, "new", "y"], cwd=tmp_path, env=environment, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert Path(tmp_path / "y" / "edition.yaml").is_file()


def test_help_lists_whole_command_descriptions():
    result = run_publisher("--help")
    assert result.returncode == 0
    text = " ".join(result.stdout.split())
    for command in ("build", "check", "preview", "watch", "new"):
        assert f" {command} " in text
    assert "for every published variant." in text  # build's first sentence, not cut short
    assert "refreshed on every save." in text
    assert "-q, --quiet" in result.stdout and "-v, --verbose" in result.stdout


def test_quiet_and_verbose(tmp_path):
    run_publisher("new", "x", cwd=tmp_path)
    quiet = run_publisher("-q", "check", "--source", "x", cwd=tmp_path)
    assert quiet.returncode == 0 and quiet.stderr == ""
    normal = run_publisher("check", "--source", "x", cwd=tmp_path)
    assert "1 article valid, no warnings" in normal.stderr
    verbose = run_publisher("-v", "check", "--source", "x", cwd=tmp_path)
    assert "debug:" in verbose.stderr
    both = run_publisher("-q", "-v", "check", cwd=tmp_path)
    assert both.returncode == 2


def test_edition_without_a_date_is_warned_about_and_dated_nowhere(tmp_path):
    run_publisher("new", "x", cwd=tmp_path)
    edition = tmp_path / "x" / "edition.yaml"
    lines = edition.read_text(encoding="utf-8").splitlines()
    edition.write_text("\n".join(x for x in lines if not x.startswith("date:")), "utf-8")
    environment = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    result = subprocess.run(
        [sys.executable, "-m", "publisher", "build", "pdf", "docx", "--source", "x"],
        cwd=tmp_path, env=environment, capture_output=True, text=True,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "x/edition.yaml: no `date:`" in result.stderr
    pdf = pypdf.PdfReader(tmp_path / "x" / "build" / "zh-Hans" / "x.pdf")
    assert "/CreationDate" not in pdf.metadata and "/ModDate" not in pdf.metadata
    with zipfile.ZipFile(tmp_path / "x" / "build" / "zh-Hans" / "x.docx") as package:
        core = package.read("docProps/core.xml").decode()
    assert "1980" not in core and "dcterms:created" not in core


def test_python_without_the_venv_says_what_to_do():
    """`python3 -m publisher` with Debian's Python: a message, not a traceback."""
    plain = subprocess.run(
        ["/usr/bin/python3", "-c", "import click"], capture_output=True, check=False
    )
    if plain.returncode == 0:
        pytest.skip("this machine's own Python has publisher's dependencies")
    result = subprocess.run(
        ["/usr/bin/python3", "-m", "publisher", "--help"],
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "run `make`" in result.stderr and ".venv/bin/publisher" in result.stderr


def test_the_first_import_replaces_the_example_article(tmp_path):
    """`new` then `import`: the page's articles are 01…04, the example is gone from the
    folder and from edition.yaml, and the edition checks clean in its three variants."""
    from conftest import FIXTURES

    assert run_publisher("new", "x", cwd=tmp_path).returncode == 0
    edition = tmp_path / "x" / "edition.yaml"
    assert "variants: [zh-Hans, zh-Hant-TW, zh-Hant-HK]" in edition.read_text(encoding="utf-8")
    articles = tmp_path / "x" / "articles"
    result = run_publisher("import", FIXTURES / "raw-page.txt", "--into", articles)
    assert result.returncode == 0, result.stderr
    assert "removed" in result.stdout and "01-example.md" in result.stdout
    assert sorted(p.name for p in articles.glob("*.md")) == [
        "01-xiaoyi.md", "02-jiaokou.md", "03-zezhou.md", "04-liucun.md",
    ]  # fmt: skip
    text = edition.read_text(encoding="utf-8")
    assert "01-example" not in text and "  - articles/04-liucun.md\n" in text
    checked = run_publisher("check", "--source", tmp_path / "x")
    assert checked.returncode == 0, checked.stderr
    assert "4 articles valid" in checked.stderr
    # An example the editor has changed is theirs: it stays.
    assert run_publisher("new", "y", cwd=tmp_path).returncode == 0
    mine = tmp_path / "y" / "articles" / "01-example.md"
    mine.write_text(mine.read_text(encoding="utf-8") + "\n我加的一段。\n", encoding="utf-8")
    kept = run_publisher("import", FIXTURES / "raw-page.txt", "--into", mine.parent)
    assert kept.returncode == 0, kept.stderr
    assert mine.is_file() and (mine.parent / "02-xiaoyi.md").is_file()
