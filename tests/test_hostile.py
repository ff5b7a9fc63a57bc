"""Hostile and extreme articles: each is refused clearly or builds safely, in every format.

Each file in tests/hostile/ is one case, built as a one-article edition. After
every build: no output holds the bytes of a file outside the project, no EPUB
holds a script, an event handler or a javascript: URL, and no temporary file
is left in the output folder.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import ROOT, SAMPLE, build_ok, run_publisher
from lxml import etree
from outputs import pdf_text
from pypdf import PdfReader

from publisher.base.atomic import TEMPORARY_PREFIX

HOSTILE = Path(__file__).parent / "hostile"
SECRET = "PUBLISHER-TEST-SECRET-7f3a9c"  # in a file outside the source folder
PASSWD = Path("/etc/passwd").read_bytes()[:40]

# Refused, with the line of the article the message must name and words it must hold.
REFUSED = {
    "empty-file.md": (1, ["no front matter"]),
    "wrong-encoding-gb18030.md": (2, ["not UTF-8", "GB18030", "iconv"]),
    "image-absolute-path.md": (7, ["not a file in the source folder"]),
    "image-parent-escape.md": (7, ["outside the source folder"]),
    "image-file-url.md": (7, ["not a file in the source folder"]),
    "image-symlink-outside.md": (7, ["outside the source folder"]),
}
# Built, with what was dropped named in warnings (file:line: … dropped).
DROPPED = {
    "raw-script.md": ["<script>"],
    "raw-iframe.md": ["<iframe>"],
    "raw-object-embed-form.md": ["<object>", "<embed>", "<form>", "<input>"],
    "event-handlers.md": ["onclick=", "onmouseover=", "onload=", "<svg>"],
    "javascript-links.md": ["javascript:alert(1)", "javascript:alert(2)", "JaVaScRiPt", "data:"],
    "stylesheets.md": ["a stylesheet", "style="],
    "raw-img-local-file.md": ["<img>"],
    "local-links.md": ["'other.md'", "'/etc/passwd'"],
    "raw-openxml-latex.md": ["raw openxml content", "raw latex content"],
    # Built as a link to the image (issue 10: a news digest's remote photos).
    "image-network-url.md": ["the network image 'https://example.com/photo.jpg'"],
}
BUILT = [
    "front-matter-only.md",
    "emoji.md",
    "rare-cjk.md",
    "nested-lists.md",
    "wide-table.md",
    "long-url.md",
    "huge-paragraph.md",
    "many-footnotes.md",
]


# Inputs of test_hostile_round_two.py.
ROUND_TWO = [
    "yaml-alias-bomb.yaml",
    "control-characters.md",
    "deep-nesting.md",
    "long-title.md",
    "date-past-2107.yaml",
]


def test_every_hostile_file_has_a_case():
    assert sorted(p.name for p in HOSTILE.iterdir()) == sorted(
        [*REFUSED, *DROPPED, *BUILT, *ROUND_TWO]
    )


def edition_of(case: str, tmp_path: Path) -> Path:
    """A one-article edition holding the case, beside a secret file outside it."""
    (tmp_path / "secret.txt").write_text(SECRET)
    source = tmp_path / "project" / "source"
    (source / "articles").mkdir(parents=True)
    (source / "images").mkdir()
    (source / "edition.yaml").write_text("title: 测试\nname: hostile\n")
    shutil.copy(HOSTILE / case, source / "articles" / case)
    (source / "images" / "secret-link.png").symlink_to(tmp_path / "secret.txt")
    return source


def assert_safe_outputs(out: Path) -> None:
    files = [p for p in out.rglob("*") if p.is_file() and ".cache" not in p.parts]
    assert not [p for p in out.rglob("*") if p.name.startswith(TEMPORARY_PREFIX)]
    for path in files:
        data = path.read_bytes()
        blobs = [data]
        if path.suffix in (".epub", ".docx"):
            with zipfile.ZipFile(path) as archive:
                blobs += [archive.read(name) for name in archive.namelist()]
        if path.suffix == ".pdf":  # its streams decompressed (an embedded file), its text
            reader = PdfReader(path)
            for number in range(1, reader.trailer["/Size"]):
                stream = reader.get_object(number)
                if hasattr(stream, "get_data"):
                    blobs.append(stream.get_data())
            blobs.append(pdf_text(path).encode())
        for blob in blobs:
            assert SECRET.encode() not in blob, path
            assert PASSWD not in blob, path
            assert b"file:" not in blob, path  # no link or reference to a local file
        if path.suffix == ".epub":
            assert_no_active_content(path)


FORBIDDEN_ELEMENTS = {"script", "iframe", "object", "embed", "form", "style"}


def assert_no_active_content(epub: Path) -> None:
    """No script, frame, object, form or style element, no event handler, no javascript: URL;
    the only link elements are the package's own stylesheets."""
    with zipfile.ZipFile(epub) as archive:
        for name in (n for n in archive.namelist() if n.endswith(".xhtml")):
            for element in etree.fromstring(archive.read(name)).iter():
                if not isinstance(element.tag, str):
                    continue
                tag = etree.QName(element).localname
                assert tag not in FORBIDDEN_ELEMENTS, (name, tag)
                if tag == "link":
                    assert element.get("rel") == "stylesheet", name
                    assert "://" not in element.get("href", "") and not element.get(
                        "href", ""
                    ).startswith("/"), name
                for attribute, value in element.attrib.items():
                    assert not etree.QName(attribute).localname.startswith("on"), (name, attribute)
                    assert "javascript:" not in value.lower(), (name, value)


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_refused_with_a_clear_message(case, tmp_path):
    source = edition_of(case, tmp_path)
    out = tmp_path / "out"
    result = run_publisher("build", "--source", source, "--out", out)
    line, words = REFUSED[case]
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert f"articles/{case}:{line}:" in result.stderr, result.stderr
    for word in words:
        assert word in result.stderr, (word, result.stderr)
    assert not out.exists() or not any(out.rglob("*"))


@pytest.mark.parametrize("case", sorted(DROPPED))
def test_unsafe_html_dropped_with_a_warning(case, tmp_path):
    source = edition_of(case, tmp_path)
    out = tmp_path / "out"
    result = run_publisher("build", "--source", source, "--out", out)
    assert result.returncode == 0, result.stderr
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
    for word in DROPPED[case]:
        assert any(word in w and f"articles/{case}:" in w and "dropped" in w for w in warnings), (
            word,
            result.stderr,
        )
    assert_safe_outputs(out)
    # With `strict: true` the same article is an error, and nothing is written.
    edition = source / "edition.yaml"
    edition.write_text(edition.read_text() + "strict: true\n")
    strict_out = tmp_path / "strict"
    result = run_publisher("build", "--source", source, "--out", strict_out)
    assert result.returncode == 1 and "is not allowed" in result.stderr, result.stderr
    assert f"articles/{case}:" in result.stderr
    assert not strict_out.exists() or not any(strict_out.rglob("*"))


@pytest.mark.parametrize("case", BUILT)
def test_extreme_input_builds_in_every_format(case, tmp_path):
    source = edition_of(case, tmp_path)
    out = build_ok(source, tmp_path / "out")
    assert_safe_outputs(out)
    for extension in ("pdf", "epub", "docx"):
        assert (out / "zh-Hans" / f"hostile.{extension}").stat().st_size > 0
    # Nothing runs off the page.
    import pdfplumber

    with pdfplumber.open(out / "zh-Hans" / "hostile.pdf") as pdf:
        for page in pdf.pages:
            for char in page.chars:
                assert char["x0"] >= -0.5 and char["x1"] <= page.width + 0.5, (case, char["text"])


def test_interrupted_build_leaves_previous_outputs(tmp_path):
    source = Path(shutil.copytree(SAMPLE, tmp_path / "source"))
    out = build_ok(source, tmp_path / "out")
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file() and ".cache" not in p.parts}
    # The next build would write different files: a new title.
    edition = source / "edition.yaml"
    edition.write_text(edition.read_text().replace("title: 山西乡村振兴", "title: 新标题"))
    build = subprocess.Popen(
        [sys.executable, "-m", "publisher", "build", "--source", source, "--out", out],
        cwd=ROOT,
        stderr=subprocess.PIPE,
        text=True,
    )
    first = build.stderr.readline()  # interrupt as soon as the first output is written
    assert first.startswith("wrote"), first
    build.send_signal(signal.SIGINT)
    _, rest = build.communicate(timeout=120)
    assert build.returncode == 130, rest
    assert "interrupted" in rest
    after = {p: p.read_bytes() for p in out.rglob("*") if p.is_file() and ".cache" not in p.parts}

    def sites(files: dict) -> dict:
        """Each web edition's folder, with its files: one output, swapped whole."""
        found: dict[Path, dict] = {}
        for path, data in files.items():
            folder = next((parent for parent in path.parents if parent.name == "site"), None)
            if folder is not None:
                found.setdefault(folder, {})[path] = data
        return found

    old_sites, new_sites = sites(before), sites(after)
    assert set(new_sites) == set(old_sites)
    for folder, files in new_sites.items():  # the old site whole, or a whole new one
        index = files[folder / "index.html"].decode()
        assert files == old_sites[folder] or "新标题" in index, folder
    before = {p: d for p, d in before.items() if "site" not in p.parts}
    after = {p: d for p, d in after.items() if "site" not in p.parts}
    assert set(after) == set(before)  # no file lost, none half-written, no temporary file
    unchanged = [p for p in after if after[p] == before[p]]
    assert unchanged, "the build finished before it was interrupted"
    for path in after:  # every file is whole: the old one or a complete new one
        if path.suffix == ".pdf":
            assert PdfReader(path).pages
        else:
            with zipfile.ZipFile(path) as archive:
                assert archive.testzip() is None
    assert not [p for p in out.rglob("*") if p.name.startswith(TEMPORARY_PREFIX)]


def test_article_linked_from_outside_is_refused(tmp_path):
    source = Path(shutil.copytree(SAMPLE, tmp_path / "source"))
    (tmp_path / "outside.md").write_text("---\ntitle: 外部\n---\n\n正文。\n")
    (source / "edition.yaml").write_text(
        re.sub(r"articles:\n(  - .*\n)+", "", (source / "edition.yaml").read_text())
    )
    os.symlink(tmp_path / "outside.md", source / "articles" / "05-outside.md")
    result = run_publisher("check", "--source", source)
    assert result.returncode == 1
    assert "05-outside.md" in result.stderr and "outside the source folder" in result.stderr
