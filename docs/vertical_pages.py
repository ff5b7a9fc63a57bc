"""Pictures of the vertical EPUB (直排) as a reading system shows it: `make vertical-pages`.

WeasyPrint has no vertical writing, so the picture comes from a browser engine that has it:
Debian's headless ``chromium``. The sample is copied and built with
``epub: {vertical: [zh-Hant-TW, zh-Hant-HK]}``, the zh-Hant-TW EPUB is unpacked, and one
article's XHTML is shown as a reader shows its first page: in a frame of a reader's size
(an iframe, so that the vertical-rl document starts at its right edge, as in a reading
system). Nothing is added to the document: its stylesheets and fonts are the EPUB's own.

    python docs/vertical_pages.py [SOURCE] [FOLDER]
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
VARIANT = "zh-Hant-TW"
ARTICLE = "EPUB/articles/04-liucun.xhtml"  # upright 65, 30, 6, 7; rotated 3000
PAGE = (720, 960)  # CSS pixels: a tablet held upright
BORDER = 16
MARGIN = 34


def build_vertical(source: Path, work: Path) -> Path:
    """The sample, with its Traditional variants vertical; the zh-Hant-TW EPUB."""
    copy = Path(shutil.copytree(source, work / "source"))
    config_path = copy / "edition.yaml"
    config = yaml.safe_load(config_path.read_text(encoding="utf-8"))
    config.setdefault("epub", {})["vertical"] = [
        tag for tag in config.get("variants", []) if tag.startswith("zh-Hant")
    ]
    config_path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    out = work / "build"
    subprocess.run(
        [
            *(sys.executable, "-m", "publisher", "build", "epub", "--variant", VARIANT),
            *("--source", str(copy), "--out", str(out)),
        ],
        check=True,
        cwd=ROOT,
    )
    return out / VARIANT / f"{config['name']}.epub"


def framed(document: Path) -> Path:
    """A page holding the document in a reader-sized frame, beside it."""
    width, height = PAGE
    page = document.with_name("reader-page.html")
    page.write_text(
        '<!DOCTYPE html><html><body style="margin:0;background:#ddd">'
        f'<iframe src="{document.name}" style="border:0;background:#fff;margin:{BORDER}px;'
        f'width:{width}px;height:{height}px"></iframe>'
        # The page's left margin, as a reader leaves one: the column the frame cuts is hidden.
        f'<div style="position:absolute;left:{BORDER}px;top:{BORDER}px;width:{MARGIN}px;'
        f'height:{height}px;background:#fff"></div></body></html>',
        encoding="utf-8",
    )
    return page


def main(source: Path = ROOT / "source", docs: Path = ROOT / "docs" / "pictures") -> None:
    chromium = shutil.which("chromium")
    if chromium is None:
        sys.exit(
            "chromium is missing: run `make vertical-pages` as root, or apt-get install chromium"
        )
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        epub = build_vertical(source, work)
        unpacked = work / "epub"
        zipfile.ZipFile(epub).extractall(unpacked)
        target = docs / f"{VARIANT}-vertical.png"
        window = f"--window-size={PAGE[0] + 2 * BORDER},{PAGE[1] + 2 * BORDER}"
        subprocess.run(
            [
                *(chromium, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars"),
                *(window, f"--screenshot={target}", framed(unpacked / ARTICLE).as_uri()),
            ],
            check=True,
            capture_output=True,
        )
        print(f"wrote {target}")


if __name__ == "__main__":
    main(*map(Path, sys.argv[1:3]))
