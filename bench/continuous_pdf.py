"""What `pdf: {articles: continuous}` costs against articles on new pages, in one run.

    .venv/bin/python bench/continuous_pdf.py [--runs 5] [--sizes 200]

On new pages, each article is laid out once and its pages serve both its own PDF
and the edition's. Run on, the edition's pages are one layout of all the articles
(where an article starts depends on where the one before ended), and each
article's own PDF, which starts a page, is a layout of its own: every article is
laid out twice when both are built.

(a) the sample's zh-Hans PDFs (the edition and its four articles), one job:
    medians of --runs runs of the real command line, each way, alternated;
(b) a generated edition (the sample's articles repeated, bench/units.py), zh-Hans
    PDFs with one job, once each way: time and peak memory (the run of articles is
    laid out as one document, so its layout is in memory at once).

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


def run_on(source: Path) -> Path:
    """The same edition with `pdf: {articles: continuous}`."""
    return with_setting(source, "pdf: {articles: continuous}")


def one_job(source: Path) -> list[str]:
    return publisher("pdf", "--variant", "zh-Hans", "--jobs", "1", "--source", source)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--sizes", default="200")
    options = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-continuous-") as folder:
        work = Path(folder)
        sources = {
            "new pages": Path(shutil.copytree(SOURCE, work / "pages")),
            "continuous": run_on(Path(shutil.copytree(SOURCE, work / "continuous"))),
        }

        def cold(source: Path) -> tuple[float, float, float]:
            out = work / "out"
            shutil.rmtree(out, ignore_errors=True)
            return measured([*one_job(source), "--out", str(out)])

        medians = alternated_medians(sources, options.runs, cold)
        for kind, (wall, cpu, peak) in medians.items():
            rows.append((f"(a) sample zh-Hans PDFs (5), {kind}", wall, cpu, f"peak {peak:.0f} MB"))
        ratio = [medians["continuous"][i] / medians["new pages"][i] for i in range(2)]
        rows.append(("    continuous / new pages", *ratio, ""))
        for count in [int(size) for size in options.sizes.split(",") if size]:
            base = generated(work, count)
            run = run_on(Path(shutil.copytree(base, work / f"gen-run-{count}")))
            for kind, source in (("new pages", base), ("continuous", run)):
                out = work / f"out-{count}"
                wall, cpu, peak = measured([*one_job(source), "--out", str(out)])
                shutil.rmtree(out, ignore_errors=True)
                rows.append((f"(b) {count} articles, {kind}", wall, cpu, f"peak {peak:.0f} MB"))
                print(rows[-1], flush=True)
    print_table(rows)


if __name__ == "__main__":
    main()
