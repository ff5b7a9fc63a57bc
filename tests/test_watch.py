"""`publisher watch`: rebuilds on save, survives a bad edit, stops on Ctrl-C."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

from conftest import ROOT
from tiny import tiny_edition

ARTICLE = "articles/03-zezhou.md"


def wait_for(condition, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if value := condition():
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


@contextlib.contextmanager
def running_watch(log: Path, *arguments, own_group: bool = False):
    """`publisher watch ARGUMENTS`, its stderr in ``log``; killed if still running at the
    end. ``own_group``: in a process group of its own, as a terminal starts it."""
    with log.open("w") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-m", "publisher", "watch", *map(str, arguments)],
            stdout=subprocess.DEVNULL,
            stderr=stderr,
            cwd=ROOT,
            start_new_session=own_group,
        )
    try:
        yield process
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_watch_rebuilds_on_save_survives_a_bad_edit_and_stops_on_ctrl_c(tmp_path):
    source = tiny_edition(tmp_path, variants=("zh-Hans",))
    out, log = tmp_path / "build", tmp_path / "stderr.txt"
    epub = out / "zh-Hans" / "tiny.epub"
    with running_watch(log, "epub", "--source", source, "--out", out) as process:

        def summaries() -> int:
            return len(re.findall(r"built \d+, up to date \d+, failed \d+", log.read_text()))

        def after(change, what: str) -> None:
            """Make ``change``, then wait for the build it starts to finish."""
            done = summaries()
            change()
            wait_for(lambda: summaries() > done, 120, what)

        def article_text() -> str:
            with zipfile.ZipFile(epub) as package:
                return package.read("EPUB/articles/03-zezhou.xhtml").decode()

        wait_for(lambda: "watching" in log.read_text(), 120, "the first build")
        assert summaries() == 1 and re.search(r"wrote\s+\S*tiny\.epub", log.read_text())
        path = source / ARTICLE
        good = path.read_text(encoding="utf-8")

        after(lambda: path.write_text(good + "\n监视WATCH-EDIT-1。\n", "utf-8"), "the edit's build")
        assert "WATCH-EDIT-1" in article_text()

        bad = good.replace("title: 激活", "title: [激活", 1)
        after(lambda: path.write_text(bad, "utf-8"), "the bad edit's build")
        assert re.search(r"error: \S*03-zezhou\.md:\d+: invalid YAML", log.read_text())
        assert process.poll() is None  # the watch goes on
        assert "WATCH-EDIT-1" in article_text()  # the last good EPUB stays

        after(lambda: path.write_text(good + "\n监视WATCH-EDIT-2。\n", "utf-8"), "mending")
        assert "WATCH-EDIT-2" in article_text()

        # A dictionary entry is a source too (it does not change the zh-Hans text).
        dictionary = source / "dictionary.yaml"
        text = dictionary.read_text(encoding="utf-8")
        after(lambda: dictionary.write_text(text + "\n撂荒地: 撂荒地\n", "utf-8"), "a dictionary")
        assert re.search(r"saved: \S*dictionary\.yaml", log.read_text())
        assert re.search(r"up to date\s+\S*tiny\.epub\n[^\n]*built 0", log.read_text())

        process.send_signal(signal.SIGINT)
        try:
            assert process.wait(timeout=60) == 0, log.read_text()
        except subprocess.TimeoutExpired:
            raise AssertionError("Ctrl-C did not stop the watch:\n" + log.read_text()) from None
        assert "watch stopped" in log.read_text()
        assert "Traceback" not in log.read_text()


def test_watch_one_article_proofs_only_its_pdf(tmp_path):
    """The proof loop: `watch pdf --article SLUG` writes that article's PDF again after
    each save, and never the edition PDF or the other article's. With worker processes
    (kept for the whole watch), a terminal's Ctrl-C, which reaches them all, ends it
    without a traceback."""
    source = tiny_edition(tmp_path, variants=("zh-Hans",))
    out, log = tmp_path / "build", tmp_path / "stderr.txt"
    proof = out / "zh-Hans" / "articles" / "03-zezhou.pdf"
    arguments = ["pdf", "--article", "03-zezhou", "--jobs", "2", "--source", source, "--out", out]
    with running_watch(log, *arguments, own_group=True) as process:
        wait_for(lambda: "watching" in log.read_text(), 120, "the first build")
        first = proof.read_bytes()
        path = source / ARTICLE
        path.write_text(path.read_text(encoding="utf-8") + "\n校样PROOF。\n", "utf-8")
        wait_for(lambda: log.read_text().count("built 1") == 2, 120, "the proof after a save")
        assert proof.read_bytes() != first
        assert (
            "PROOF"
            in subprocess.run(
                ["pdftotext", proof, "-"], capture_output=True, text=True, check=True
            ).stdout
        )
        assert sorted(p.name for p in out.rglob("*.pdf")) == ["03-zezhou.pdf"]
        os.killpg(process.pid, signal.SIGINT)  # Ctrl-C: the watch and its worker
        assert process.wait(timeout=60) == 0, log.read_text()
        assert "watch stopped" in log.read_text()
        assert "Traceback" not in log.read_text()


def test_editors_temporary_files_are_no_saved_source(tmp_path):
    """What editors and tools write beside a file they save (sed -i's sed72vrPc, vim's
    4913 and .swp, Emacs's #…#, gedit's .goutputstream-…, Word's ~$…) starts no build;
    an article, an image and edition.yaml do."""
    from watchfiles import Change

    from publisher.commands.watching import source_filter

    watched = source_filter(tmp_path / "out")
    for name in ("articles/sed72vrPc", "articles/4913", "articles/.01-a.md.swp",
                 "articles/#01-a.md#", "articles/.goutputstream-QX81", "articles/~$draft.docx",
                 "articles/01-a.md~", "out/zh-Hans/daily.pdf"):  # fmt: skip
        assert not watched(Change.modified, str(tmp_path / name)), name
    for name in ("articles/01-a.md", "images/photo.png", "edition.yaml", "articles/sed.md"):
        assert watched(Change.modified, str(tmp_path / name)), name
