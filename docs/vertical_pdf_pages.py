"""Pictures of the vertical print PDF (直排): `make vertical-pdf-pages`.

The sample is copied and built with ``pdf: {vertical: [zh-Hant-TW, zh-Hant-HK]}``; the
cover, the contents and the first article's pages of each of those PDFs become PNGs in
docs/pictures (``vertical-pdf-<variant>-<page>.png``), drawn by poppler's pdftoppm from
the PDF itself.

    python docs/vertical_pdf_pages.py [SOURCE] [FOLDER]
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
VARIANTS = ("zh-Hant-TW", "zh-Hant-HK")
PAGES = (1, 2, 3, 4)  # cover, contents, the first article's two pages
RESOLUTION = 50  # dots per inch: an A4 page 413 pixels wide


def main(source: Path, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="publisher-vertical-pdf-") as work:
        copy = Path(shutil.copytree(source, Path(work) / "source"))
        config_path = copy / "edition.yaml"
        config = yaml.safe_load(config_path.read_text(encoding="utf-8"))
        config.setdefault("pdf", {})["vertical"] = list(VARIANTS)
        config_path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
        out = Path(work) / "out"
        arguments = ["build", "pdf", "--source", str(copy), "--out", str(out)]
        for variant in VARIANTS:
            arguments += ["--variant", variant]
        subprocess.run([sys.executable, "-m", "publisher", *arguments], check=True)
        for variant in VARIANTS:
            pdf = out / variant / f"{config['name']}.pdf"
            for page in PAGES:
                subprocess.run(
                    ["pdftoppm", "-png", "-singlefile", "-r", str(RESOLUTION), "-f", str(page),
                     "-l", str(page), str(pdf), str(folder / f"vertical-pdf-{variant}-{page}")],
                    check=True,
                )  # fmt: skip
                print(folder / f"vertical-pdf-{variant}-{page}.png")


if __name__ == "__main__":
    main(
        Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "source",
        Path(sys.argv[2]) if len(sys.argv) > 2 else ROOT / "docs" / "pictures",
    )
