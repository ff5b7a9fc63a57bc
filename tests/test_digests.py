"""One digest for folders and tool versions (run/digests.py), with every name and every
file's bytes framed by their length."""

from __future__ import annotations

from pathlib import Path

import pytest

from publisher.run.build import environment_key
from publisher.run.build_record import inputs_digest
from publisher.run.digests import files_digest, folders_digest, frame, tool_versions


def tree(folder: Path, files: dict[str, bytes]) -> Path:
    for name, data in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)
    return folder


def test_where_a_name_ends_and_its_bytes_begin_counts(tmp_path):
    # Name and bytes run together alike ("ab" + "c" == "a" + "bc"), framed they do not.
    one = tree(tmp_path / "one", {"ab": b"c"})
    two = tree(tmp_path / "two", {"a": b"bc"})
    assert folders_digest({"x": one}) != folders_digest({"x": two})
    assert files_digest({"ab": b"c"}) != files_digest({"a": b"bc"})
    assert frame(b"ab") + frame(b"c") != frame(b"a") + frame(b"bc")


def test_the_builds_keys_and_record_take_it(tmp_path):
    styles = [tree(tmp_path / n, {"print.ab": b"c"} if n == "s1" else {"print.a": b"bc"})
              for n in ("s1", "s2")]  # fmt: skip
    assert environment_key(styles[0]) != environment_key(styles[1])
    source = tree(tmp_path / "src", {"edition.yaml": b"title: t\n"})
    out = tmp_path / "out"
    assert inputs_digest(source, out, styles[0]) != inputs_digest(source, out, styles[1])


def test_a_linked_folder_is_refused_where_changes_would_go_unseen(tmp_path):
    folder = tree(tmp_path / "f", {"a": b"1"})
    (folder / "link").symlink_to(tmp_path)
    from publisher.run.digests import NotDigestible

    with pytest.raises(NotDigestible):
        folders_digest({"f": folder})
    assert folders_digest({"f": folder}, follow_links=False, skip=folder / "link")


def test_tool_versions_name_the_tools_whose_bytes_a_build_takes():
    versions = tool_versions()
    assert versions["weasyprint"] == "70.0" and "pypandoc-binary" in versions


def test_fonts_are_looked_up_again_after_fontconfig_changes(tmp_path, monkeypatch):
    """A long-lived worker (a watch's) sees fonts installed after it started."""
    import os

    from publisher.run import environment

    monkeypatch.setattr(environment, "FONTCONFIG_PLACES", (tmp_path,))
    environment._fonts.cache_clear()
    first = environment.fonts(["serif"])
    misses = environment._fonts.cache_info().misses
    assert environment.fonts(["serif"]) == first
    assert environment._fonts.cache_info().misses == misses  # remembered
    os.utime(tmp_path, ns=(1, 1))  # as fc-cache rewrites fontconfig's folders
    environment.fonts(["serif"])
    assert environment._fonts.cache_info().misses == misses + 1  # looked up again
