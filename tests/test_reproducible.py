"""The same sources give byte-identical outputs; dates come from the edition, not the clock."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import zipfile

from conftest import SAMPLE, build_ok


def test_two_builds_are_byte_identical(sample_files, tmp_path):
    time.sleep(1.1)  # a clock-dependent timestamp would now differ
    again = build_ok(SAMPLE, tmp_path / "again") / "zh-Hans"
    for extension, first in sample_files.items():
        second = again / first.name
        assert first.read_bytes() == second.read_bytes(), extension


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
