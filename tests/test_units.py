"""The article as the unit of work: what a rebuild rewrites, one layout for both PDFs,
proofing one article, a light no-op, progress lines, the executor seam."""

from __future__ import annotations

import itertools
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import PUBLISHED, ROOT, SAMPLE, build_ok, run_publisher
from outputs import pdf_fonts, pdf_text
from pypdf import PdfReader
from tiny import TINY_ARTICLES, tiny_edition

from publisher.base.errors import PublisherError
from publisher.run.executors import InlineExecutor, LocalExecutor
from publisher.writers import FORMATS, format_named, writer_for

EDITED = "02-jiaokou"


def files(out):
    """Every output: a file, or the web edition's site folder as one."""
    found = {p.relative_to(out): p for p in out.rglob("*.*") if ".cache" not in p.parts}
    found = {name: path for name, path in found.items() if "site" not in name.parts}
    found.update({p.relative_to(out): p for p in out.glob("*/site")})
    return found


def identity(path):
    """Changes when the file is written again (outputs are renamed into place)."""
    stat = path.stat()
    return stat.st_ino, stat.st_mtime_ns


def test_format_metadata_agrees_with_the_writers():
    for name in FORMATS:
        entry, writer = format_named(name), writer_for(name)
        assert (entry.extension, entry.per_article) == (writer.extension, writer.per_article)
        assert entry.folder is None or not entry.per_article


def test_one_article_edit_rewrites_the_editions_and_that_article_only(sample_copy, tmp_path):
    out = build_ok(sample_copy, tmp_path / "out")
    before = {name: identity(path) for name, path in files(out).items()}
    assert len(before) == 36
    pages = len(PdfReader(out / "zh-Hans" / "shanxi-rural.pdf").pages)
    # A page and more of new text: the articles after it move, and are not laid out again.
    article = sample_copy / "articles" / f"{EDITED}.md"
    added = "\n补记一段。" + "村民说，日子越过越好。" * 200 + "\n"
    article.write_text(article.read_text(encoding="utf-8") + added, encoding="utf-8")
    result = run_publisher("build", "--source", sample_copy, "--out", out)
    assert result.returncode == 0, result.stderr
    rewritten = {name for name, path in files(out).items() if identity(path) != before[name]}
    expected = {
        name
        for name in before
        if name.parent.name != "articles" or name.stem == EDITED  # editions, and its own
    }
    assert rewritten == expected
    assert {name.parts[0] for name in rewritten} == set(PUBLISHED)
    assert len(rewritten) == 3 * (4 + 2)  # per variant: 4 editions, the article's PDF and DOCX
    assert "built 18, up to date 18, failed 0" in result.stderr
    # The edit is in, in every variant; the Traditional ones converted.
    assert "补记一段" in pdf_text(out / "zh-Hans" / "articles" / f"{EDITED}.pdf")
    assert "補記一段" in pdf_text(out / "zh-Hant-TW" / "shanxi-rural.pdf")
    edition = out / "zh-Hans" / "shanxi-rural.pdf"
    assert len(PdfReader(edition).pages) > pages
    assert_numbered(edition)


def article_page_ranges(edition):
    """Each article's pages in the edition PDF, from its bookmarks."""
    reader = PdfReader(edition)
    starts = [reader.get_destination_page_number(o) for o in reader.outline]
    ends = [*starts[1:], len(reader.pages)]
    return list(zip(starts, ends, strict=True))


def pages_text(path, first, last):
    """The text of pages first+1 … last, without running heads and page numbers."""
    return subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-f", str(first + 1), "-l", str(last), "-y", "60",
         "-H", "722", "-W", "100000", str(path), "-"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip


@pytest.mark.parametrize("tag", ["zh-Hans", "zh-Hant-HK"])
def test_article_pdfs_and_the_edition_share_one_layout(sample_out, tag):
    """The same text on the same pages in the same fonts; the edition's page numbers,
    contents and bookmarks count from its cover."""
    folder = sample_out / tag
    edition = folder / "shanxi-rural.pdf"
    ranges = article_page_ranges(edition)
    slugs = sorted(p.stem for p in (folder / "articles").glob("*.pdf"))
    edition_fonts = {f["name"] for f in pdf_fonts(edition)}
    for slug, (first, last) in zip(slugs, ranges, strict=True):
        own = folder / "articles" / f"{slug}.pdf"
        assert len(PdfReader(own).pages) == last - first
        assert pages_text(own, 0, last - first) == pages_text(edition, first, last), slug
        # One subset per font in the edition, named as in the article's own PDF.
        assert {f["name"] for f in pdf_fonts(own)} <= edition_fonts
    assert len(edition_fonts) == len({name.split("+")[1] for name in edition_fonts})
    assert_numbered(edition)


def assert_numbered(edition):
    """The contents give each article's first page, its bookmark leads there, and the
    number printed at the foot of each page is its place in the edition."""
    ranges = article_page_ranges(edition)
    contents = pages_text(edition, 1, 2)
    printed = [int(n) for n in re.findall(r"…\s*(\d+)", contents)]
    assert printed == [first + 1 for first, _ in ranges]
    reader = PdfReader(edition)
    for number in range(2, len(reader.pages) + 1):
        foot = subprocess.run(
            ["pdftotext", "-f", str(number), "-l", str(number), "-y", "785", "-H", "57",
             "-W", "1000", str(edition), "-"],
            capture_output=True, text=True, check=True,
        ).stdout.split()  # fmt: skip
        assert foot == [str(number)], number


def test_proof_builds_that_article_alone_as_the_edition_build_does(sample_out, tmp_path):
    out = tmp_path / "proof"
    result = run_publisher(
        "build", "pdf", "docx", "--variant", "zh-Hans", "--article", EDITED,
        "--source", SAMPLE, "--out", out,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    built = set(files(out))
    assert {str(p) for p in built} == {
        f"zh-Hans/articles/{EDITED}.pdf",
        f"zh-Hans/articles/{EDITED}.docx",
    }
    proof = out / "zh-Hans" / "articles" / f"{EDITED}.pdf"
    assert proof.read_bytes() == (sample_out / "zh-Hans" / "articles" / proof.name).read_bytes()
    wrong = run_publisher("build", "--article", "nonesuch", "--source", SAMPLE, "--out", out)
    assert wrong.returncode == 1 and "no article `nonesuch`" in wrong.stderr
    assert EDITED in wrong.stderr
    whole = run_publisher("build", "epub", "--article", EDITED, "--source", SAMPLE, "--out", out)
    assert whole.returncode == 1 and "epub exists for the whole edition only" in whole.stderr


def publisher_traced(*arguments, env=None) -> tuple[subprocess.CompletedProcess, set[str]]:
    """The real command line under ``-X importtime``: its result and the modules it loaded."""
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "publisher", *map(str, arguments)],
        capture_output=True, text=True, cwd=ROOT, check=False,
        env={**os.environ, **(env or {})},
    )  # fmt: skip
    imported = {
        line.split("|")[-1].strip() for line in result.stderr.splitlines() if "import time" in line
    }
    result.stderr = "\n".join(
        line for line in result.stderr.splitlines() if "import time" not in line
    )
    return result, imported


# What reading an edition loads: a no-op answered by the build record loads none of it.
FULL_ROAD = {"publisher.run.build", "pydantic", "opencc", "weasyprint", "ebooklib", "docx", "rich"}


def test_noop_shows_every_output_and_imports_nothing_heavy(sample_out):
    """Up to date: one plain line per output (not a terminal) and the summary, found
    from the build record without reading the edition (no pydantic, OpenCC, writers)."""
    result, imported = publisher_traced(
        "build", "--jobs", "2", "--source", SAMPLE, "--out", sample_out
    )
    assert result.returncode == 0, result.stderr
    assert "publisher.run.build_record" in imported
    assert not FULL_ROAD & imported
    assert sum(line.startswith("up to date ") for line in result.stderr.splitlines()) == 36
    assert "built 0, up to date 36, failed 0, no warnings in" in result.stderr


def test_the_build_record_answers_only_while_nothing_changed(tmp_path):
    """Every change a build depends on takes the full road again; a touch does not."""
    source = tiny_edition(tmp_path, ("zh-Hans",))
    styles = Path(shutil.copytree(ROOT / "styles", tmp_path / "styles"))
    out = tmp_path / "out"
    arguments = ("build", "epub", "docx", "--source", source, "--styles", styles, "--out", out)

    def build(env=None) -> tuple[str, bool]:
        result, imported = publisher_traced(*arguments, env=env)
        assert result.returncode == 0, result.stderr
        summary = re.search(r"built \d+, up to date \d+", result.stderr).group()
        return summary, "publisher.run.build" not in imported

    assert build() == ("built 4, up to date 0", False)
    assert build() == ("built 0, up to date 4", True)
    article = source / TINY_ARTICLES[0]
    article.touch()  # a new time, the same bytes
    assert build() == ("built 0, up to date 4", True)
    article.write_text(article.read_text(encoding="utf-8") + "\n补记一段。\n", encoding="utf-8")
    assert build() == ("built 3, up to date 1", False)  # the edition EPUB and DOCX, its DOCX
    assert build() == ("built 0, up to date 4", True)
    (out / "zh-Hans" / "articles" / "04-liucun.docx").unlink()
    assert build() == ("built 1, up to date 3", False)
    (styles / "epub.css").write_text((styles / "epub.css").read_text() + "\n/* */\n")
    assert build() == ("built 4, up to date 0", False)
    (source / "notes.txt").write_text("not part of the edition", encoding="utf-8")
    assert build() == ("built 0, up to date 4", False)  # read, found current, recorded
    assert build() == ("built 0, up to date 4", True)
    assert build(env={"SOURCE_DATE_EPOCH": "1700000000"})[1] is False


def test_a_recorded_build_says_its_warnings_again(tmp_path):
    """A copy-editing finding is printed by every build, and --strict fails every time."""
    source = tiny_edition(tmp_path, ("zh-Hans",))
    article = source / TINY_ARTICLES[1]
    article.write_text(
        article.read_text(encoding="utf-8") + "\n村里有新路,也有新桥.\n", encoding="utf-8"
    )
    arguments = ("build", "epub", "--source", source, "--out", tmp_path / "out")
    first, _ = publisher_traced(*arguments)
    assert first.returncode == 0, first.stderr
    findings = [line for line in first.stderr.splitlines() if ": warning: " in line]
    assert findings and all(line.startswith(str(article)) or TINY_ARTICLES[1] in line
                            for line in findings)  # fmt: skip
    again, imported = publisher_traced(*arguments)
    assert "publisher.run.build" not in imported
    assert [line for line in again.stderr.splitlines() if ": warning: " in line] == findings
    for _ in range(2):
        strict, _ = publisher_traced(*arguments, "--strict")
        assert strict.returncode == 1 and findings[0] in strict.stderr
        assert "--strict: failing" in strict.stderr


def test_a_failed_unit_is_reported_and_the_others_built(tmp_path):
    styles = shutil.copytree(ROOT / "styles", tmp_path / "styles")
    # A missing file would be the default styles' own: a broken one fails the unit.
    (styles / "epub.yaml").write_text("families: {}\n", encoding="utf-8")
    out = tmp_path / "out"
    result = run_publisher(
        "build", "epub", "docx", "--variant", "zh-Hans", "--styles", styles,
        "--source", SAMPLE, "--out", out,
    )  # fmt: skip
    assert result.returncode == 1
    assert "failed     " in result.stderr and "epub.yaml" in result.stderr
    assert "built 5, up to date 0, failed 1" in result.stderr
    assert (out / "zh-Hans" / "shanxi-rural.docx").is_file()
    assert not (out / "zh-Hans" / "shanxi-rural.epub").exists()


def _square(n: int) -> int:
    if n < 0:
        raise ValueError("negative")
    return n * n


@pytest.mark.parametrize("executor", [InlineExecutor, lambda: LocalExecutor(2)])
def test_executors_run_every_unit_and_raise_its_error(executor):
    with executor() as running:
        assert sorted(running.map_unordered(_square, [3, 1, 2])) == [1, 4, 9]
        # Kept open: a second batch on the same workers.
        assert list(running.map_unordered(_square, [5])) == [25]
        with pytest.raises(ValueError, match="negative"):
            list(running.map_unordered(_square, [1, -1]))


def _loaded_where(module: str) -> tuple[int, int, bool]:
    time.sleep(0.2)  # long enough that both workers take a unit
    return os.getpid(), os.getppid(), module in sys.modules


def _killed(n: int) -> int:
    os.kill(os.getpid(), signal.SIGKILL)  # as the kernel does to a worker out of memory
    return n


def test_local_workers_load_once_and_stop_with_the_pool(tmp_path, monkeypatch):
    """The first worker loads the writers, then forks the others: loaded once, not once
    per worker. Every worker runs units, and none outlives close()."""
    loads = tmp_path / "loads"
    (tmp_path / "heavy_writer.py").write_text(
        "import os, pathlib\n"
        f"with pathlib.Path({str(loads)!r}).open('a') as f:\n"
        "    f.write(f'{os.getpid()}\\n')\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    with LocalExecutor(3, preload=["heavy_writer"]) as pool:
        ran = set(pool.map_unordered(_loaded_where, ["heavy_writer"] * 6))
    assert len({pid for pid, _, _ in ran}) == 3, ran  # three workers took units
    assert all(loaded for _, _, loaded in ran)
    (first,) = map(int, loads.read_text().split())  # loaded in one process only
    assert {parent for pid, parent, _ in ran if pid != first} == {first}
    for pid, _, _ in ran:
        assert not Path(f"/proc/{pid}").exists() or "Z" in Path(f"/proc/{pid}/stat").read_text()


def test_a_worker_that_dies_is_an_error_not_a_hang():
    with LocalExecutor(2) as pool, pytest.raises(PublisherError, match="worker process stopped"):
        list(pool.map_unordered(_killed, [1, 2, 3]))


def _open_files(_: int) -> list[str]:
    time.sleep(0.2)  # both workers take one
    fds = Path("/proc/self/fd")
    return [os.readlink(fd) for fd in fds.iterdir() if fd.exists()]


def _ends_as_on_ctrl_c(seconds: float) -> float:
    time.sleep(seconds)
    if seconds:
        os._exit(130)  # as a worker does on Ctrl-C (interrupts.py)
    return seconds


def test_workers_hold_no_lock_of_this_process_and_start_again(tmp_path):
    """Workers started while this process holds the output lock keep none of its files
    (or the next build would wait for them forever); a pool whose worker died starts
    afresh at the next map (a watch goes on)."""
    import fcntl

    from publisher.base.atomic import output_lock

    out = tmp_path / "out"
    out.mkdir()
    with LocalExecutor(2) as pool:
        with output_lock(out):
            opened = [path for files in pool.map_unordered(_open_files, [1, 2]) for path in files]
        assert opened and str(out) not in opened
        descriptor = os.open(out, os.O_RDONLY)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)  # free: nobody holds it
        finally:
            os.close(descriptor)
        with pytest.raises(PublisherError, match="worker process stopped"):
            list(pool.map_unordered(_killed, [1, 2]))
        assert sorted(pool.map_unordered(_square, [2, 3])) == [4, 9]


def test_a_worker_that_cannot_start_says_why_and_never_returns(tmp_path, monkeypatch, capfd):
    """A worker whose writers do not load prints why on the standard error and ends;
    the build fails clearly. sys.stderr here is closed, as a test's capture is in a
    worker once it has closed the files it inherited: the worker must neither fail on
    it nor, failing, return into the code that forked it."""
    (tmp_path / "broken_writer.py").write_text("raise ImportError('no such library: libpango')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    closed = (tmp_path / "stderr").open("w")
    closed.close()
    monkeypatch.setattr(sys, "stderr", closed)
    with (
        LocalExecutor(2, preload=["broken_writer"]) as pool,
        pytest.raises(PublisherError, match="worker process stopped"),
    ):
        list(pool.map_unordered(_square, [1]))
    assert "no such library: libpango" in capfd.readouterr().err


def test_closing_after_workers_ended_on_ctrl_c_is_quiet():
    """A watch stopped by Ctrl-C mid-build closes its pool after the workers have ended
    on the same Ctrl-C: close() returns, as the pool it replaced did."""
    pool = LocalExecutor(2)
    results = pool.map_unordered(_ends_as_on_ctrl_c, [0.5, 0])
    assert next(results) == 0
    results.close()  # the caller stops reading; one unit is still running
    pool.close()
    assert not pool._workers


def test_pandoc_parses_start_side_by_side_and_report_in_order(tmp_path, monkeypatch):
    """Reading starts every pandoc parse of the edition at once (pandoc.runs_ahead),
    yet gives the edition and the messages, in article order, of one parse after the
    other, and leaves no call behind."""
    from publisher.base import pandoc
    from publisher.base.errors import WarningCounter
    from publisher.run.build import load_edition

    source = tiny_edition(tmp_path, ("zh-Hans",))
    for number, name in enumerate(TINY_ARTICLES):
        path = source / name  # a pandoc warning in each: a link reference given twice
        path.write_text(
            path.read_text(encoding="utf-8") + f"\n[参{number}]: a.html\n[参{number}]: b.html\n",
            encoding="utf-8",
        )

    execute, spans = pandoc._execute, []

    def timed(*arguments):  # the real pandoc, its start and end noted
        start = time.monotonic()
        result = execute(*arguments)
        spans.append((start, time.monotonic()))
        return result

    monkeypatch.setattr(pandoc, "_execute", timed)

    def read(ahead: int) -> tuple[list, list[str]]:
        monkeypatch.setattr(pandoc, "AHEAD", ahead)
        spans.clear()
        with WarningCounter() as said:
            edition = load_edition(source)  # no cache: every parse runs pandoc
        assert not pandoc._ahead
        return [article.blocks for article in edition.articles], said.messages

    def overlapping() -> bool:
        return any(b[0] < a[1] and a[0] < b[1] for a, b in itertools.combinations(spans, 2))

    side_by_side = read(4)
    assert len(spans) == 4 and overlapping()  # two parses of each article, at once
    assert side_by_side == read(1) and not overlapping()
    duplicates = [m for m in side_by_side[1] if "Duplicate link reference" in m]
    assert len(duplicates) == 2
    assert [Path(n).name in m for n, m in zip(TINY_ARTICLES, duplicates, strict=True)] == [1, 1]


def test_pandoc_is_the_bundled_one_found_without_a_search(tmp_path):
    """publisher runs pypandoc-binary's pandoc, found without pypandoc's search (which
    runs every pandoc on the system), and reads its version as pypandoc does;
    PYPANDOC_PANDOC still names another."""
    import pypandoc

    code = "from publisher.base import pandoc; print(pandoc.pandoc_path(), pandoc.pandoc_version())"
    bundled = Path(pypandoc.__file__).parent / "files" / "pandoc"
    found = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert found.stdout.split() == [str(bundled), pypandoc.get_pandoc_version()], found.stderr
    link = tmp_path / "pandoc"
    link.symlink_to(bundled)
    chosen = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={**os.environ, "PYPANDOC_PANDOC": str(link)},
    )
    assert chosen.stdout.split()[0] == str(link), chosen.stderr
