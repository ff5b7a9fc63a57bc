"""The vertical PDF's cost, against the horizontal PDF of the same variant in the same run.

    .venv/bin/python bench/vertical_pdf.py [--runs 3] [--variant zh-Hant-TW]

The sample is copied twice: as it is (the baseline: WeasyPrint's horizontal PDFs) and
with ``pdf: {vertical: [VARIANT]}`` (Vivliostyle on chromium). Each run builds the
variant's PDFs (the edition and its four articles, one unit, one process) into an
empty output folder, so nothing comes from a cache: font subsets and layouts are
all made again. Prints the median wall time and CPU time (this process and its
children: the build, node and chromium) per run and per PDF, and the ratio.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PDFS = 5  # the edition and its four articles


def build_once(source: Path, out: Path, variant: str) -> tuple[float, float]:
    """Wall and CPU seconds (children included) of one build of the variant's PDFs."""
    shutil.rmtree(out, ignore_errors=True)
    before = os.times()
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "publisher", "build", "pdf", "--source", str(source),
         "--out", str(out), "--variant", variant, "--jobs", "1"],
        check=True, capture_output=True,
    )  # fmt: skip
    wall = time.perf_counter() - start
    after = os.times()
    return wall, (after.children_user - before.children_user) + (
        after.children_system - before.children_system
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--variant", default="zh-Hant-TW")
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="publisher-bench-") as work:
        folder = Path(work)
        horizontal = Path(shutil.copytree(ROOT / "source", folder / "horizontal"))
        vertical = Path(shutil.copytree(ROOT / "source", folder / "vertical"))
        config = vertical / "edition.yaml"
        config.write_text(
            config.read_text("utf-8") + f"pdf:\n  vertical: [{arguments.variant}]\n", "utf-8"
        )
        times: dict[str, list[tuple[float, float]]] = {"horizontal": [], "vertical": []}
        for _ in range(arguments.runs):  # interleaved: the machine's noise falls on both
            for name, source in (("horizontal", horizontal), ("vertical", vertical)):
                times[name].append(build_once(source, folder / f"out-{name}", arguments.variant))
    medians = {
        name: (statistics.median(w for w, _ in runs), statistics.median(c for _, c in runs))
        for name, runs in times.items()
    }
    print(f"{arguments.variant}: edition PDF + 4 article PDFs, median of {arguments.runs} runs")
    print("| PDF | wall s | CPU s | wall s per PDF | CPU ratio |")
    print("| --- | ---: | ---: | ---: | ---: |")
    base_cpu = medians["horizontal"][1]
    for name, (wall, cpu) in medians.items():
        print(f"| {name} | {wall:.1f} | {cpu:.1f} | {wall / PDFS:.2f} | {cpu / base_cpu:.2f}x |")


if __name__ == "__main__":
    main()
