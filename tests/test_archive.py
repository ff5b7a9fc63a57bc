"""Archives of editions, and sources and outputs on fsspec filesystems (no cluster)."""

from __future__ import annotations

import fsspec
import pytest
from click.testing import CliRunner

from publisher.commands.cli import main
from tests.archives import break_article, make_archive, tree
from tests.conftest import run_publisher


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    """Three tiny editions, the second with a bad article."""
    root = make_archive(tmp_path_factory.mktemp("archive") / "archive", 3)
    article, line = break_article(root / "2024-07-02")
    return root, article, line


def test_archive_builds_the_good_editions_and_names_the_bad_one(archive, tmp_path):
    root, article, line = archive
    result = run_publisher("build", "epub", "docx", "--archive", root, "--out", tmp_path / "out")
    assert result.returncode == 1
    # The bad edition by folder, file and line, and in the summary.
    assert f"edition {root / '2024-07-02'}" in result.stderr
    assert f"{article}:{line}: the image `../images/missing.png` does not exist" in result.stderr
    assert "2 of 3 editions built; failed:" in result.stderr
    built = tree(tmp_path / "out")
    assert sorted(built) == [
        f"daily-{day}/zh-Hans/{name}"
        for day in ("01", "03")
        for name in ("articles/01-news.docx", f"daily-{day}.docx", f"daily-{day}.epub")
    ]
    # The same bytes as each edition built on its own.
    alone = run_publisher(
        "build", "epub", "docx", "--source", root / "2024-07-03", "--out", tmp_path / "alone"
    )
    assert alone.returncode == 0, alone.stderr
    assert tree(tmp_path / "alone") == tree(tmp_path / "out" / "daily-03")


def test_check_archive_checks_every_edition(archive):
    root, article, line = archive
    result = run_publisher("check", "--archive", root)
    assert result.returncode == 1
    assert f"{article}:{line}: the image `../images/missing.png` does not exist" in result.stderr
    assert "2 of 3 editions valid" in result.stderr


def test_duplicate_edition_names_are_refused(tmp_path):
    root = make_archive(tmp_path / "archive", 2)
    config = root / "2024-07-02" / "edition.yaml"
    config.write_text(config.read_text().replace("daily-02", "daily-01"))
    result = run_publisher("check", "--archive", root)
    assert result.returncode == 1
    assert f"{config}:2: the name `daily-01` is already used by {root / '2024-07-01'}" in (
        result.stderr
    )


def test_archive_without_editions_is_an_error(tmp_path):
    result = run_publisher("build", "--archive", tmp_path)
    assert result.returncode == 1
    assert "holds no edition" in result.stderr


def test_sources_and_outputs_on_fsspec_memory_filesystem(archive, tmp_path, monkeypatch):
    """An archive read from memory:// and published to memory:// holds the same bytes
    as a local build; the bad edition is named by its URL."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    root, _, line = archive
    memory = fsspec.filesystem("memory")
    memory.put(str(root), "/archive", recursive=True)
    result = CliRunner().invoke(
        main, ["build", "epub", "--archive", "memory://archive", "--out", "memory://out"]
    )
    assert result.exit_code == 1
    assert f"memory://archive/2024-07-02/articles/01-news.md:{line}" in result.output
    published = {path.removeprefix("/out/"): memory.cat_file(path) for path in memory.find("/out")}
    local = run_publisher("build", "epub", "--archive", root, "--out", tmp_path / "local")
    assert local.returncode == 1
    assert published == tree(tmp_path / "local")
    assert not [p for p in memory.find("/out") if ".publisher-tmp-" in p]  # all moved into place


def test_outputs_to_a_file_url(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    root = make_archive(tmp_path / "archive", 1)
    url = (tmp_path / "published").as_uri()
    result = CliRunner().invoke(
        main, ["build", "epub", "--source", str(root / "2024-07-01"), "--out", url]
    )
    assert result.exit_code == 0, result.output
    assert (tmp_path / "published" / "zh-Hans" / "daily-01.epub").is_file()
