"""The same sources give byte-identical outputs; dates come from the edition, not the clock."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import zipfile

import docx
import pytest
from conftest import FIXTURES, SAMPLE, build_ok, run_publisher
from sample_digests import digests, versions


def test_two_builds_are_byte_identical(sample_out, tmp_path):
    """Every output, per-article and Traditional ones too, from a copy of the sources
    elsewhere into another folder, a second later."""
    time.sleep(1.1)  # a clock-dependent timestamp would now differ
    source = shutil.copytree(SAMPLE, tmp_path / "elsewhere" / "src")
    again = build_ok(source, tmp_path / "again" / "deeper")
    first = sorted(
        p.relative_to(sample_out) for p in sample_out.rglob("*.*") if ".cache" not in p.parts
    )
    assert len([p for p in first if "site" not in p.parts]) == 33
    assert len([p for p in first if "site" in p.parts]) > 3 * 8  # three sites' pages and more
    for path in first:
        assert (sample_out / path).read_bytes() == (again / path).read_bytes(), path


def test_the_sample_gives_the_recorded_bytes(sample_out):
    """Byte for byte the outputs recorded in tests/fixtures/sample-digests.json (made
    before the package's moves), while the tools that decide the bytes are the ones
    recorded; `make sample-digests` records a change made on purpose."""
    record = json.loads((FIXTURES / "sample-digests.json").read_text())
    if versions() != record["versions"]:
        pytest.skip(f"other tool versions than recorded: {versions()} != {record['versions']}")
    assert digests(sample_out) == record["outputs"]


def test_source_date_epoch_sets_the_timestamp(tmp_path):
    environment = dict(os.environ, SOURCE_DATE_EPOCH="1700000000")
    subprocess.run(
        [sys.executable, "-m", "publisher", "build", "epub", "--source", SAMPLE, "--out", tmp_path],
        check=True,
        env=environment,
        capture_output=True,
    )
    with zipfile.ZipFile(tmp_path / "zh-Hans" / "shanxi-rural.epub") as archive:
        opf = archive.read("EPUB/content.opf").decode()
        assert archive.infolist()[1].date_time[:3] == (2023, 11, 14)
    assert "2023-11-14T22:13:20Z" in opf


def test_rebuild_writes_only_what_changed(sample_copy, tmp_path):
    out = build_ok(sample_copy, tmp_path / "out", "epub", "docx")
    outputs = sorted(p for p in out.rglob("*.*") if ".cache" not in p.parts)
    stamps = {p: p.stat().st_mtime_ns for p in outputs}
    arguments = ("build", "epub", "docx", "--source", sample_copy, "--out", out)
    again = run_publisher(*arguments)
    assert again.returncode == 0 and "every output is up to date" in again.stderr
    assert {p: p.stat().st_mtime_ns for p in outputs} == stamps
    # A Taiwan-only dictionary entry changes the Taiwan edition and nothing else.
    dictionary = sample_copy / "dictionary.yaml"
    dictionary.write_text(dictionary.read_text() + "乡村: {zh-Hant-TW: 農村}\n")
    third = run_publisher(*arguments)
    assert third.returncode == 0, third.stderr
    changed = {p for p in outputs if p.stat().st_mtime_ns != stamps[p]}
    assert changed and all(p.is_relative_to(out / "zh-Hant-TW") for p in changed), third.stderr
    document = docx.Document(out / "zh-Hant-TW" / "shanxi-rural.docx")
    assert "農村振興" in "".join(p.text for p in document.paragraphs)


def test_outputs_of_a_removed_article_are_removed(sample_copy, tmp_path):
    out = build_ok(sample_copy, tmp_path / "out", "docx")
    assert (out / "zh-Hans" / "articles" / "03-zezhou.docx").is_file()
    edition = sample_copy / "edition.yaml"
    edition.write_text(edition.read_text().replace("  - articles/03-zezhou.md\n", ""))
    build_ok(sample_copy, out, "docx")
    names = sorted(p.name for p in (out / "zh-Hans" / "articles").iterdir())
    assert names == ["01-xiaoyi.docx", "02-jiaokou.docx", "04-liucun.docx"]
