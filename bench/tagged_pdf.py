"""Tagged PDFs (the default) against untagged ones (`pdf: {tagged: false}`), in one run.

    .venv/bin/python bench/tagged_pdf.py [--runs 3] [--sizes 200,1000]

(a) a cold build of the sample's PDFs (3 variants, 15 files), tagged and untagged:
    medians of --runs runs of the real command line, wall-clock and CPU seconds;
(b) generated editions (the sample's four articles repeated; bench/units.py's),
    zh-Hans PDFs with one job, once each way: time and peak memory (the maximum
    resident set of the build and its workers).

The machine is noisy: read the ratios, which compare runs made in one sitting.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from units import (
    SOURCE,
    alternated_medians,
    generated,
    measured,
    print_table,
    publisher,
    with_setting,
)


def untagged(source: Path) -> Path:
    """The same edition with `pdf: {tagged: false}`."""
    return with_setting(source, "pdf: {tagged: false}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--sizes", default="200,1000")
    options = parser.parse_args()
    sizes = [int(size) for size in options.sizes.split(",") if size]
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-tagged-") as folder:
        work = Path(folder)
        tagged_source = Path(shutil.copytree(SOURCE, work / "tagged"))
        plain_source = untagged(Path(shutil.copytree(SOURCE, work / "untagged")))

        def cold(source: Path) -> tuple[float, float, float]:
            out = work / "out"
            shutil.rmtree(out, ignore_errors=True)
            return measured(publisher("pdf", "--jobs", "2", "--source", source, "--out", out))

        sources = {"tagged": tagged_source, "untagged": plain_source}
        medians = alternated_medians(sources, options.runs, cold)
        for kind, (wall, cpu, peak) in medians.items():
            rows.append((f"(a) sample PDFs (15), {kind}", wall, cpu, f"peak {peak:.0f} MB"))
        ratio_wall = medians["tagged"][0] / medians["untagged"][0]
        ratio_cpu = medians["tagged"][1] / medians["untagged"][1]
        rows.append(("    tagged / untagged", ratio_wall, ratio_cpu, "target <= 1.15 (wall)"))
        for count in sizes:
            base = generated(work, count)
            plain = untagged(Path(shutil.copytree(base, work / f"gen-plain-{count}")))
            for kind, source in (("tagged", base), ("untagged", plain)):
                out = work / f"out-{count}-{kind}"
                wall, cpu, peak = measured(
                    publisher("pdf", "--jobs", "1", "--source", source, "--out", out)
                )
                shutil.rmtree(out, ignore_errors=True)
                rows.append(
                    (
                        f"(b) {count} articles, zh-Hans PDFs, {kind}",
                        wall,
                        cpu,
                        f"peak {peak:.0f} MB; target < 1024 MB",
                    )
                )
                print(rows[-1], flush=True)
    print_table(rows)


if __name__ == "__main__":
    main()
