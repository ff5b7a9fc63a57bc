"""`publisher watch`: rebuilds on save, survives a bad edit, stops on Ctrl-C."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import time
import zipfile

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


def test_watch_rebuilds_on_save_survives_a_bad_edit_and_stops_on_ctrl_c(tmp_path):
    source = tiny_edition(tmp_path, variants=("zh-Hans",))
    out, log = tmp_path / "build", tmp_path / "stderr.txt"
    epub = out / "zh-Hans" / "tiny.epub"
    with log.open("w") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-m", "publisher", "watch", "epub", "--source", source, "--out", out],
            stdout=subprocess.DEVNULL,
            stderr=stderr,
            cwd=ROOT,
        )
    try:

        def builds() -> int:
            return len(re.findall(r"wrote \S*tiny\.epub", log.read_text()))

        def article_text() -> str:
            with zipfile.ZipFile(epub) as package:
                return package.read("EPUB/articles/03-zezhou.xhtml").decode()

        wait_for(lambda: "watching" in log.read_text(), 120, "the first build")
        assert builds() == 1
        path = source / ARTICLE
        good = path.read_text(encoding="utf-8")

        path.write_text(good + "\n监视WATCH-EDIT-1。\n", encoding="utf-8")
        wait_for(lambda: builds() == 2, 120, "the rebuild after an edit")
        assert "WATCH-EDIT-1" in article_text()

        path.write_text(good.replace("title: 激活", "title: [激活", 1), encoding="utf-8")
        wait_for(lambda: "error:" in log.read_text(), 120, "the bad edit's error")
        assert re.search(r"error: \S*03-zezhou\.md:\d+: invalid YAML", log.read_text())
        assert process.poll() is None  # the watch goes on
        assert "WATCH-EDIT-1" in article_text()  # the last good EPUB stays

        path.write_text(good + "\n监视WATCH-EDIT-2。\n", encoding="utf-8")
        wait_for(lambda: builds() == 3, 120, "the rebuild after mending")
        assert "WATCH-EDIT-2" in article_text()

        # A dictionary entry is a source too (it does not change the zh-Hans text).
        with (source / "dictionary.yaml").open("a", encoding="utf-8") as dictionary:
            dictionary.write("\n撂荒地: 撂荒地\n")
        wait_for(lambda: "up to date" in log.read_text(), 120, "the build after the dictionary")
        assert re.search(r"saved: \S*dictionary\.yaml", log.read_text())

        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=60) == 0
        assert "watch stopped" in log.read_text()
        assert "Traceback" not in log.read_text()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
