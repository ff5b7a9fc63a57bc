"""Build speed of the sample edition, against a baseline measured in the same run.

    .venv/bin/python bench/build_speed.py [--runs 5]

Rows: publisher building each format for one variant (zh-Hans), cold (empty
output folder and cache) and warm (a rebuild with the AST cache); the baseline
is what a user would do without publisher: pandoc straight from the Markdown
(pandoc's own EPUB and DOCX writers; HTML through WeasyPrint with no
stylesheet of ours for the PDF). Medians of --runs runs; these machines are
noisy, so read the ratios, not the seconds.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pypandoc

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "source"
PANDOC = pypandoc.get_pandoc_path()


def timed(command: list[str], cwd: Path = ROOT) -> float:
    start = time.perf_counter()
    subprocess.run(command, cwd=cwd, check=True, capture_output=True)
    return time.perf_counter() - start


def publisher(fmt: str, out: Path, *, cold: bool) -> float:
    if cold and out.exists():
        shutil.rmtree(out)
    return timed(
        [
            sys.executable,
            "-m",
            "publisher",
            "build",
            fmt,
            "--variant",
            "zh-Hans",
            "--source",
            str(SOURCE),
            "--out",
            str(out),
        ]
    )


def baseline(fmt: str, work: Path) -> float:
    articles = sorted((SOURCE / "articles").glob("*.md"))
    if fmt == "pdf":
        script = (
            "import subprocess, sys, weasyprint\n"
            f"html = subprocess.run([{PANDOC!r}, '--standalone', '-f', "
            "'markdown+east_asian_line_breaks', '-t', 'html5', '--metadata', 'title=t', "
            f"*{[str(a) for a in articles]!r}], capture_output=True, text=True, "
            f"cwd={str(SOURCE / 'articles')!r}).stdout\n"
            f"weasyprint.HTML(string=html, base_url={str(SOURCE / 'articles') + '/'!r})"
            f".write_pdf({str(work / 'base.pdf')!r})\n"
        )
        return timed([sys.executable, "-c", script])
    return timed(
        [
            PANDOC,
            "-f",
            "markdown+east_asian_line_breaks",
            "-o",
            str(work / f"base.{fmt}"),
            "--metadata",
            "title=t",
            *map(str, articles),
        ],
        cwd=SOURCE / "articles",
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    print(
        f"{'format':<6} {'baseline s':>11} {'cold s':>8} {'warm s':>8} {'cold/base':>10} "
        f"{'warm/base':>10}"
    )
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        for fmt in ("pdf", "epub", "docx"):
            base = statistics.median(baseline(fmt, work) for _ in range(runs))
            cold = statistics.median(publisher(fmt, work / "out", cold=True) for _ in range(runs))
            warm = statistics.median(publisher(fmt, work / "out", cold=False) for _ in range(runs))
            print(
                f"{fmt:<6} {base:>11.2f} {cold:>8.2f} {warm:>8.2f} {cold / base:>10.2f} "
                f"{warm / base:>10.2f}"
            )


if __name__ == "__main__":
    main()
