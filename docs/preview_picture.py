"""docs/pictures/preview-zh-Hant-TW.png: the preview of a sample article in Taiwan's variant.

Run by `make preview-picture`: starts `publisher preview`, opens the page in
Debian's chromium (Playwright), waits for the article's PDF link, takes the picture.
"""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
PICTURE = ROOT / "docs" / "pictures" / "preview-zh-Hant-TW.png"
PAGE = "zh-Hant-TW/site/articles/03-zezhou.html"  # text only: 「」 and Taiwan forms


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        log = Path(folder) / "stdout.txt"
        with log.open("w") as stdout:
            server = subprocess.Popen(
                [sys.executable, "-m", "publisher", "preview", "--port", "0",
                 "--variant", "zh-Hant-TW", "--out", str(ROOT / "build")],
                stdout=stdout, cwd=ROOT,
            )  # fmt: skip
        try:
            deadline = time.monotonic() + 120
            while not (found := re.search(r"http://\S+/", log.read_text())):
                if time.monotonic() > deadline or server.poll() is not None:
                    sys.exit("the preview did not start")
                time.sleep(0.2)
            with sync_playwright() as driver:
                browser = driver.chromium.launch(executable_path="/usr/bin/chromium")
                page = browser.new_page(viewport={"width": 1000, "height": 560})
                page.goto(found.group(0) + PAGE)
                page.locator("#pdf[href]").wait_for(timeout=300_000)
                page.screenshot(path=str(PICTURE))
                browser.close()
        finally:
            server.send_signal(signal.SIGINT)
            server.wait(timeout=60)
    print(f"wrote {PICTURE.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
