"""The variant step's cost, against OpenCC's own conversion of the same text in the same run.

    .venv/bin/python bench/variant_step.py [--copies 50] [--runs 5]

The sample's four articles are repeated ``--copies`` times into one edition.
Rows: OpenCC converting every run of text of the edition in one call (the
baseline: what any converter must pay), and the variant step converting the
edition and cutting the result back into its nodes where OpenCC allows
(publisher.language.variants.apply_variant). Medians of --runs runs; read the ratio.
"""

from __future__ import annotations

import argparse
import copy
import itertools
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from publisher.base.languages import VARIANTS  # noqa: E402
from publisher.document.parse import parse_edition  # noqa: E402
from publisher.language.variants import Slot, TextConverter, apply_variant, collect_runs  # noqa: E402
from publisher.read.sources import read_edition  # noqa: E402


def median_time(action, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=50)
    parser.add_argument("--runs", type=int, default=5)
    arguments = parser.parse_args()
    edition = parse_edition(read_edition(ROOT / "source"))
    edition = replace(edition, articles=edition.articles * arguments.copies)
    groups = itertools.count()
    texts = [
        "".join(p.text if isinstance(p, Slot) else p for p in run)
        for article in edition.articles
        for run in collect_runs(copy.deepcopy(article.blocks), groups)
    ]
    count = len(edition.articles)
    print(f"{count} articles, {sum(map(len, texts)):,} characters of text")
    print("| variant | OpenCC alone | variant step | ratio | per article |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for tag in ("zh-Hant-TW", "zh-Hant-HK"):
        converter = TextConverter(VARIANTS[tag], edition.dictionary)
        baseline = median_time(lambda c=converter: c.convert_all(texts), arguments.runs)
        step = median_time(lambda t=tag: apply_variant(edition, VARIANTS[t]), arguments.runs)
        print(
            f"| {tag} | {baseline * 1000:.0f} ms | {step * 1000:.0f} ms | "
            f"{step / baseline:.1f}× | {step / count * 1000:.2f} ms |"
        )


if __name__ == "__main__":
    main()
