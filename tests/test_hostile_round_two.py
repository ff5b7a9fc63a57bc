"""Hostile and unlucky input, round two: no hang, no memory blow-up, no crash after a
partial write.

Each case builds (or checks) the smallest edition that shows the problem. The
memory cases run under ``RLIMIT_AS`` in the subprocess, so a regression fails the
test instead of the machine; the time cases have generous timeouts, as they test
termination, not speed. The input files are in tests/hostile/.
"""

from __future__ import annotations

import io
import os
import re
import resource
import shutil
import signal
import struct
import subprocess
import sys
import time
import zipfile
import zlib
from pathlib import Path

import pytest
from conftest import ROOT
from lxml import etree
from pypdf import PdfReader

from publisher.base.atomic import TEMPORARY_PREFIX
from publisher.base.limits import MAX_NESTING, MAX_TITLE_CHARS, MAX_YAML_VALUES, running_head

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
    elif path.suffix in (".epub", ".docx"):
        with zipfile.ZipFile(path) as archive:
            assert archive.testzip() is None, path
    else:  # a file of a web edition: its site folder is swapped in whole
        assert "site" in path.parts, path


def assert_refused(result: subprocess.CompletedProcess, where: str, *words: str) -> None:
    """Exit 1, one message naming ``where`` (file:line) and holding ``words``."""
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, result.stderr
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
    # The first worker forks the others: they are its children, and must end too.
    workers += [pid for worker in workers for pid in children_of(worker)]
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


def test_leftovers_of_a_killed_writer_go_with_the_next_build(tmp_path):
    """A process killed while writing (a lost cluster worker, SIGKILL) leaves its
    temporary file or folder; the next build into the folder, holding its lock,
    removes them before it writes."""
    source = tiny_edition(tmp_path)
    out = tmp_path / "out"
    assert subprocess.run([*PUBLISHER, "build", "docx", "--source", str(source), "--out",
                           str(out)], cwd=ROOT, check=False).returncode == 0  # fmt: skip
    file = out / "zh-Hans" / f"{TEMPORARY_PREFIX}dead.docx"
    folder = out / "zh-Hans" / f"{TEMPORARY_PREFIX}dead-site" / "articles"
    file.write_bytes(b"PK half a zip")
    folder.mkdir(parents=True)
    built = subprocess.run(
        [*PUBLISHER, "build", "epub", "--source", str(source), "--out", str(out)],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert built.returncode == 0, built.stderr
    assert not list(out.rglob(f"{TEMPORARY_PREFIX}*"))
    assert (out / "zh-Hans" / "tiny.docx").is_file() and (out / "zh-Hans" / "tiny.epub").is_file()


def test_out_naming_a_file(tmp_path):
    source = tiny_edition(tmp_path)
    out = tmp_path / "out.pdf"
    out.write_bytes(b"not a folder")
    result = publisher("build", "docx", "--source", source, "--out", out)
    assert_refused(result, "out.pdf: Not a directory", "give --out a folder")
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
    assert {p: p.read_bytes() for p in files_in(out)} == before
    assert not temporary_files(out)


# ------------------------------------------- 4. image bombs, 7. broken images


def png_bomb(path: Path, side: int) -> Path:
    """A real single-colour RGBA PNG of side × side pixels, of about 714 KB for 13300:
    identical rows, deflated once and repeated (a full flush makes the pieces
    independent), with the checksums computed over all of it."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    row = b"\0" + b"\x80" * (side * 4)  # filter byte, then RGBA pixels
    block = row * 100
    whole, rest = divmod(side, 100)
    piece = zlib.compressobj(9, zlib.DEFLATED, -15)
    repeated = piece.compress(block) + piece.flush(zlib.Z_FULL_FLUSH)
    last = zlib.compressobj(9, zlib.DEFLATED, -15)
    end = last.compress(row * rest) + last.flush()
    adler = 1
    for _ in range(whole):
        adler = zlib.adler32(block, adler)
    adler = zlib.adler32(row * rest, adler)
    stream = b"\x78\xda" + repeated * whole + end + struct.pack(">I", adler)
    header = struct.pack(">IIBBBBB", side, side, 8, 6, 0, 0, 0)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", stream) + chunk(b"IEND", b"")
    )
    return path


IMAGE_ARTICLE = '---\ntitle: 标题\n---\n\n正文。\n\n![图](../images/{name}){{alt="图"}}\n'


def photo(path: Path, kind: str = "PNG") -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (120, 80), (200, 30, 30)).save(buffer, kind)
    path.write_bytes(buffer.getvalue())
    return buffer.getvalue()


@pytest.mark.parametrize("side", [13300, 20000])
def test_png_bomb_is_refused_in_bounded_memory(tmp_path, side):
    source = tiny_edition(tmp_path, article=IMAGE_ARTICLE.format(name="bomb.png"))
    png_bomb(source / "images" / "bomb.png", side)
    assert (source / "images" / "bomb.png").stat().st_size < 2_000_000
    out = tmp_path / "out"
    result = publisher("build", "pdf", "--jobs", "2", "--source", source, "--out", out)
    assert_refused(result, "articles/01-a.md:7:", "bomb.png", "more than 50,000,000", "scale it")
    assert not out.exists()


BROKEN_IMAGES = {
    # name in the article: (how the file is made, words of the message)
    "empty.png": (lambda path: path.write_bytes(b""), ["is empty (0 bytes)"]),
    "drawing.png": (
        lambda path: path.write_text('<svg xmlns="http://www.w3.org/2000/svg"/>'),
        ["is an SVG drawing, not PNG, JPEG or GIF"],
    ),
    "cut.png": (
        lambda path: path.write_bytes(photo(path)[:150]),
        ["is damaged or cut short"],
    ),
    "cut.jpg": (
        lambda path: path.write_bytes(photo(path, "JPEG")[:400]),
        ["is damaged or cut short"],
    ),
    "photo.png": (lambda path: photo(path, "JPEG"), ["is a JPEG image named `.png`", "photo.jpg"]),
}


@pytest.mark.parametrize("name", sorted(BROKEN_IMAGES))
def test_broken_image_is_refused(tmp_path, name):
    source = tiny_edition(tmp_path, article=IMAGE_ARTICLE.format(name=name))
    make, words = BROKEN_IMAGES[name]
    make(source / "images" / name)
    result = publisher("check", "--source", source)
    assert_refused(result, "articles/01-a.md:7:", f"`../images/{name}`", *words)


@pytest.mark.parametrize("problem", ["empty", "cut short"])
def test_broken_cover_is_refused(tmp_path, problem):
    source = tiny_edition(tmp_path, "cover: images/cover.png\n")
    cover = source / "images" / "cover.png"
    cover.write_bytes(b"" if problem == "empty" else photo(cover)[:100])
    result = publisher("check", "--source", source)
    assert_refused(result, "edition.yaml:3:", "the cover `images/cover.png`", problem)


def test_weasyprint_image_warnings_are_counted(tmp_path):
    """An image WeasyPrint cannot load (here from a stylesheet) is a warning, not silence."""
    source = tiny_edition(tmp_path)
    styles = Path(shutil.copytree(ROOT / "styles", tmp_path / "styles"))
    (styles / "missing.png").write_bytes(b"")
    with (styles / "print.css").open("a") as css:
        css.write("\nbody { background: url(missing.png); }\n")
    out = tmp_path / "out"
    result = publisher(
        "build", "pdf", "--strict", "--source", source, "--styles", styles, "--out", out
    )
    assert "warning: PDF: Failed to load image" in result.stderr, result.stderr
    assert "missing.png" in result.stderr
    assert result.returncode == 1 and "--strict" in result.stderr, result.stderr  # counted


# ------------------------------------------------------------- 1. long titles


def test_long_title_is_refused_before_any_output(tmp_path):
    article = (HOSTILE / "long-title.md").read_text(encoding="utf-8")
    source = tiny_edition(tmp_path, article=article)
    out = tmp_path / "out"
    result = publisher("build", "pdf", "--source", source, "--out", out)
    assert_refused(
        result, "articles/01-a.md:2:", "10,000 characters long", f"at most {MAX_TITLE_CHARS}"
    )
    assert len(result.stderr) < 600  # the title is not repeated in full
    assert not out.exists()


def test_longest_titles_lay_out_with_running_heads_cut(tmp_path):
    """Titles at the limit build (in bounded time: this hung for minutes at 2,000
    characters), and the running heads carry them cut to one line."""
    title = "乡村振兴" * (MAX_TITLE_CHARS // 4)
    edition_title = "山西" * (MAX_TITLE_CHARS // 2)
    source = tiny_edition(
        tmp_path,
        article=f"---\ntitle: {title}\nkicker: {title}\nsubtitle: {title}\n---\n\n正文。\n",
    )
    (source / "edition.yaml").write_text(f"title: {edition_title}\nname: tiny\n", encoding="utf-8")
    out = tmp_path / "out"
    result = publisher("build", "pdf", "--source", source, "--out", out, timeout=300)
    assert result.returncode == 0, result.stderr
    pdf = out / "zh-Hans" / "tiny.pdf"
    heads = subprocess.run(  # the top of each page: the running heads
        ["pdftotext", "-enc", "UTF-8", "-y", "0", "-H", "60", "-W", "1000", pdf, "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert running_head(title) in heads and running_head(edition_title) in heads, heads
    assert len(running_head(title)) < len(title)


# ------------------------------------------------------- 3. control characters


def test_control_characters_are_removed_with_a_warning(tmp_path):
    article = (HOSTILE / "control-characters.md").read_text(encoding="utf-8")
    source = tiny_edition(tmp_path, article=article)
    out = tmp_path / "out"
    result = publisher("build", "epub", "docx", "--source", source, "--out", out)
    assert result.returncode == 0, result.stderr
    warnings = [line for line in result.stderr.splitlines() if "control character" in line]
    assert any("articles/01-a.md:6:" in w and "U+000B" in w for w in warnings), result.stderr
    assert any("articles/01-a.md:2:" in w for w in warnings), result.stderr  # the kicker
    assert any("articles/01-a.md:3:" in w for w in warnings), result.stderr  # the title
    for path in files_in(out):
        assert_whole(path)
        with zipfile.ZipFile(path) as archive:
            for name in archive.namelist():
                if name.endswith((".xhtml", ".xml", ".opf", ".ncx")):
                    data = archive.read(name)
                    etree.fromstring(data)  # well-formed XML
                    assert not re.search(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]", data), (path, name)
    with zipfile.ZipFile(out / "zh-Hans" / "tiny.epub") as epub:
        text = b"".join(epub.read(n) for n in epub.namelist() if n.endswith(".xhtml"))
    assert "标题第二行".encode() in text and b"Manual break" in text
    assert "手动换行来自".encode() in text


# ---------------------------------------------------------------- 9. nesting


def test_deep_block_quotes_are_refused_with_the_line(tmp_path):
    article = (HOSTILE / "deep-nesting.md").read_text(encoding="utf-8")
    source = tiny_edition(tmp_path, article=article)
    result = publisher("check", "--source", source)
    assert_refused(result, "articles/01-a.md:5:", "150 levels", f"at most {MAX_NESTING}")


def test_deep_lists_are_refused_with_the_line(tmp_path):
    """Nested by indentation, which no line shows by itself: pandoc parses, then the
    depth is measured without recursion."""
    body = "\n".join("  " * level + f"- 第{level}层" for level in range(300))
    source = tiny_edition(tmp_path, article=body + "\n")
    result = publisher("check", "--source", source)
    assert_refused(result, "articles/01-a.md:304:", f"more than {MAX_NESTING} levels")


def test_nesting_at_the_limit_builds(tmp_path):
    body = (
        "> " * MAX_NESTING
        + "三十二层引用。\n\n"
        + "\n".join("  " * level + f"- 第{level}层" for level in range(MAX_NESTING))
    )
    source = tiny_edition(tmp_path, article=body + "\n")
    result = publisher("build", "epub", "--source", source, "--out", tmp_path / "out")
    assert result.returncode == 0, result.stderr


# ------------------------------------------------------------------ 10. dates


def test_date_past_2107_is_refused_before_any_output(tmp_path):
    source = tiny_edition(tmp_path)
    shutil.copy(HOSTILE / "date-past-2107.yaml", source / "edition.yaml")
    out = tmp_path / "out"
    result = publisher("build", "epub", "--source", source, "--out", out)
    assert_refused(result, "edition.yaml:4:", "2204-07-15", "1980–2107", "typo")
    assert not out.exists()


def test_large_source_date_epoch_is_refused_before_any_output(tmp_path):
    source = tiny_edition(tmp_path)
    out = tmp_path / "out"
    env = {"SOURCE_DATE_EPOCH": "99999999999"}
    result = publisher("build", "epub", "--source", source, "--out", out, env=env)
    assert_refused(result, "SOURCE_DATE_EPOCH=99999999999", "2107", "unset it")
    assert not out.exists()


# --------------------------------------------------------------------- also


def test_source_naming_a_file(tmp_path):
    source = tiny_edition(tmp_path)
    result = publisher("check", "--source", source / "edition.yaml")
    assert_refused(result, "edition.yaml: is a file, not a source folder", f"--source {source}")


@pytest.mark.parametrize("where", ["source", "image"])
def test_a_link_that_loops_is_named(tmp_path, where):
    """A symbolic link that leads back to itself, as the source folder or as an image."""
    source = tiny_edition(tmp_path, "", "正文。\n\n![图](../images/loop.png)\n")
    loop = tmp_path / "loop" if where == "source" else source / "images" / "loop.png"
    loop.symlink_to(loop.name)
    given = loop if where == "source" else source
    result = publisher("build", "epub", "--source", given, "--out", tmp_path / "out")
    assert_refused(result, "loop", "leads back to itself")


def test_warnings_name_the_file_and_line(tmp_path):
    """An image without alt text (EPUB accessibility) and margins Word cannot take (DOCX;
    a page size it cannot take is an error of edition.yaml now)."""
    source = tiny_edition(
        tmp_path,
        "pdf: {margins: 2em 3em}\n",
        "---\ntitle: 标题\n---\n\n正文。\n\n![](../images/photo.png)\n",
    )
    photo(source / "images" / "photo.png")
    result = publisher("build", "epub", "docx", "--source", source, "--out", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
    assert any("articles/01-a.md:7:" in w and "no alt text" in w for w in warnings), warnings
    assert any("edition.yaml:" in w and "pdf.margins" in w for w in warnings), warnings
