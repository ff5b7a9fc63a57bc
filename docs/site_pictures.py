"""docs/pictures/site-*.png: an article page of the web edition, wide and on a phone.

Run by `make site-pictures` (part of `make docs-pictures`): serves the sample's build
folder on loopback and takes the pictures in Debian's chromium (Playwright).
"""

from __future__ import annotations

import functools
import http.server
import threading
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
PICTURES = ROOT / "docs" / "pictures"
PAGE = "zh-Hant-TW/site/articles/04-liucun.html"
VIEWS = {"site-wide.png": (1280, 800), "site-phone.png": (390, 844)}


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *arguments: object) -> None:
        pass


def main(out: Path = ROOT / "build") -> None:
    handler = functools.partial(_Quiet, directory=str(out))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with sync_playwright() as driver:
            browser = driver.chromium.launch(
                executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"]
            )
            for name, (width, height) in VIEWS.items():
                page = browser.new_page(viewport={"width": width, "height": height})
                page.goto(f"http://127.0.0.1:{server.server_port}/{PAGE}")
                page.screenshot(path=str(PICTURES / name))
                print(f"wrote {(PICTURES / name).relative_to(ROOT)}")
            browser.close()
    finally:
        server.shutdown()


if __name__ == "__main__":
    main()
