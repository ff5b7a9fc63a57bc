"""No fork while another thread runs: the workers are forked before any thread starts,
and the code refuses a fork that would find one (executors.fork_alone)."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
import threading
import time

import pytest
from conftest import ROOT
from tiny import tiny_edition

from publisher.run.executors import LocalExecutor, fork_alone


def test_a_fork_with_another_thread_alive_is_refused():
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait, name="a-thread-of-ours")
    thread.start()
    try:
        with pytest.raises(RuntimeError, match="while other threads run: a-thread-of-ours"):
            fork_alone()
        with pytest.raises(RuntimeError, match="a-thread-of-ours"):
            LocalExecutor(2).start()
    finally:
        stop.set()
        thread.join()


def test_a_build_on_a_terminal_forks_with_no_other_thread(tmp_path):
    """The progress display on (stderr is a terminal: a pty), two workers forked."""
    source = tiny_edition(tmp_path, ("zh-Hans", "zh-Hant-TW"))
    main, secondary = pty.openpty()
    build = subprocess.Popen(
        [sys.executable, "-m", "publisher", "build", "pdf", "--jobs", "2",
         "--source", str(source), "--out", str(tmp_path / "out")],
        cwd=ROOT, stdin=subprocess.DEVNULL, stdout=secondary, stderr=secondary,
    )  # fmt: skip
    os.close(secondary)
    output = b""
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        try:
            chunk = os.read(main, 65536)
        except OSError:  # the terminal closed: the build ended
            break
        if not chunk:
            break
        output += chunk
    os.close(main)
    assert build.wait(timeout=60) == 0, output.decode(errors="replace")
    text = output.decode(errors="replace")
    assert "refusing to fork" not in text and "Traceback" not in text
    assert "\x1b[" in text  # rich drew on the terminal: the progress display was on
    assert "built 4, up to date 0, failed 0" in text
