"""The digest behind the build record (publisher/run/build_record.py) on awkward source folders:
it must never block, never follow a folder it cannot watch, and give up rather than
read a huge folder. The behaviour of builds with the record is in test_units.py."""

from __future__ import annotations

import os
import shutil

import pytest
from conftest import ROOT, SAMPLE

from publisher.run import build_record
from publisher.run.build_record import inputs_digest

STYLES = ROOT / "styles"


@pytest.fixture
def source(tmp_path):
    return shutil.copytree(SAMPLE, tmp_path / "source")


def test_the_digest_follows_bytes_not_times_and_skips_the_output_folder(source, tmp_path):
    out = source / "build"  # an output folder inside the sources: never part of them
    first = inputs_digest(source, out, STYLES)
    (out / "zh-Hans").mkdir(parents=True)
    (out / "zh-Hans" / "tiny.pdf").write_bytes(b"%PDF")
    (source / ".git").mkdir()
    (source / ".git" / "index").write_bytes(b"changes with every commit")
    os.utime(source / "edition.yaml", (0, 0))
    assert inputs_digest(source, out, STYLES) == first
    (source / "images" / "new.png").write_bytes(b"")
    assert inputs_digest(source, out, STYLES) not in (first, None)


def test_a_fifo_is_named_not_opened(source, tmp_path):
    """Opening a FIFO would wait for a writer that never comes."""
    os.mkfifo(source / "articles" / "pipe.md")
    assert inputs_digest(source, tmp_path / "out", STYLES) is not None


def test_a_linked_folder_or_a_huge_folder_is_not_summed_up(source, tmp_path, monkeypatch):
    """A linked folder's files could change unseen; a huge folder costs more to hash
    than the full build costs to read: both mean no record, every build reads."""
    out = tmp_path / "out"
    (source / "more-images").symlink_to(source / "images", target_is_directory=True)
    assert inputs_digest(source, out, STYLES) is None
    (source / "more-images").unlink()
    monkeypatch.setattr(build_record, "MAX_DIGESTED_FILES", 5)
    assert inputs_digest(source, out, STYLES) is None
    monkeypatch.setattr(build_record, "MAX_DIGESTED_FILES", 100_000)
    monkeypatch.setattr(build_record, "MAX_DIGESTED_BYTES", 1000)
    assert inputs_digest(source, out, STYLES) is None


def test_a_broken_link_is_recorded_as_missing(source, tmp_path):
    out = tmp_path / "out"
    before = inputs_digest(source, out, STYLES)
    (source / "articles" / "05-later.md").symlink_to(tmp_path / "not-yet-written.md")
    dangling = inputs_digest(source, out, STYLES)
    assert dangling not in (before, None)
    (tmp_path / "not-yet-written.md").write_text("---\ntitle: 后来\n---\n正文。\n")
    assert inputs_digest(source, out, STYLES) not in (dangling, before, None)
