"""Archive scale: one generated archive built with the local pool and with a Dask
LocalCluster of 1 and 2 workers, in one run.

    .venv/bin/python bench/archive_scale.py [--article-variants 2000] [FORMAT ...]

Every edition of the archive is the sample (4 articles with figures, 3
variants: 12 article-variants) under its own name, title and date, so the
outputs of two editions never coincide. Each configuration builds the whole
archive cold (fresh output folder, no cache) in a process of its own, and
reports wall time, throughput (article-variants per second, all the formats
asked for) and each worker's peak resident memory. Cluster start-up and the
environment check are timed apart from the build. The last lines turn the
measured cost per article-variant into an estimate for one million articles.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "source"
sys.path.insert(0, str(ROOT))
ARTICLES_PER_EDITION = 4
VARIANTS = 3
CONFIGURATIONS = (
    "local pool, 2 processes",
    "LocalCluster, 1 worker",
    "LocalCluster, 2 workers",
    # The workers see this machine's disk, so the build takes the shared route (they
    # read the sources and write the outputs); this one is made to ship them instead.
    "LocalCluster, 2 workers, shipped",
)


def make_archive(folder: Path, editions: int) -> Path:
    """``editions`` copies of the sample, each with its own name, title and date."""
    for number in range(1, editions + 1):
        edition = folder / f"edition-{number:04}"
        shutil.copytree(SAMPLE, edition, ignore=shutil.ignore_patterns("*.py"))
        config = yaml.safe_load((edition / "edition.yaml").read_text(encoding="utf-8"))
        config.update(name=f"daily-{number:04}", title=f"{config['title']}（第{number}期）")
        (edition / "edition.yaml").write_text(
            yaml.safe_dump(config, allow_unicode=True), encoding="utf-8"
        )
    return folder


def cpu_seconds() -> float:
    """CPU time of this process and its finished children (pandoc, pool workers)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def warm() -> float:
    """Import what units use, so that start-up is not counted as build time; the CPU
    time so far."""
    import publisher.writers.docx
    import publisher.writers.epub
    import publisher.writers.pdf  # noqa: F401

    return cpu_seconds()


def _warm_one(_: int) -> float:
    time.sleep(0.5)  # so that each of the pool's workers takes one
    return warm()


def measure(configuration: str, archive: Path, out: Path, formats: list[str]) -> dict:
    """One configuration's build of the archive, in this process: wall time, the
    workers' CPU time and their peak memory."""
    from publisher import DEFAULT_STYLES
    from publisher.run.archive import build_archive
    from publisher.run.cluster import (
        DaskExecutor,
        editions_in_flight,
        worker_cache,
        worker_inputs,
    )
    from publisher.run.executors import LocalExecutor

    # Cold for every configuration: the cluster's workers keep content-named files
    # (inputs, EPUB font subsets) in this machine's temporary folder across builds.
    for folder in (worker_cache(), worker_inputs()):
        shutil.rmtree(folder, ignore_errors=True)
    local = configuration.startswith("local")
    start = time.perf_counter()
    if local:
        executor = LocalExecutor(2)
        list(executor.map_unordered(_warm_one, [0, 1]))
    else:
        workers = int(configuration.split(", ")[1].split()[0])
        if configuration.endswith("shipped"):
            os.environ["PUBLISHER_CLUSTER_ROUTE"] = "ship"
        executor = DaskExecutor(None, DEFAULT_STYLES, workers=workers)
        before = executor.client.run(warm)
    startup = time.perf_counter() - start
    cpu_before = cpu_seconds()
    start = time.perf_counter()
    with executor:
        # The local pool forks its workers only while no other thread runs
        # (executors.fork_alone): its editions go one after the other.
        in_flight = editions_in_flight(executor)
        series: list[tuple[int, list[float]]] = []  # (outputs built, each worker's RSS MB)
        options = {} if local else {"progress": _memory_sampler(executor.client, series)}
        report = build_archive(
            archive, out, formats=formats, executor=executor, in_flight=in_flight, **options
        )
        seconds = time.perf_counter() - start
        if local:
            executor.close()  # the workers' CPU time is counted once they are reaped
            cpu = cpu_seconds() - cpu_before
            # The largest peak of any reaped child: the pool's workers (pandoc's is less).
            peaks = [resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024]
            client = cpu  # the pool's workers are this process's children
        else:
            # The client: this process and its pandoc (the cluster's workers, though
            # started from here, are reaped only when it closes).
            client = cpu_seconds() - cpu_before
            after = executor.client.run(cpu_seconds)
            cpu = sum(after[w] - before[w] for w in after) + client
            maxrss = executor.client.run(lambda: resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
            peaks = sorted((kb / 1024 for kb in maxrss.values()), reverse=True)
    if report.failed:
        raise SystemExit(f"{configuration}: {report.failed}")
    return {
        "seconds": seconds,
        "startup": startup,
        "cpu": cpu,
        "client": client,
        "peaks": peaks,
        "rss": series if not local else [],
    }


# Every this many outputs built, each cluster worker's resident memory is sampled.
SAMPLE_EVERY = 250


def _rss_mb() -> float:
    import psutil

    return psutil.Process().memory_info().rss / 2**20


def _memory_sampler(client, series: list) -> object:
    """A build's progress callback that samples the workers' memory as outputs land."""
    lock = threading.Lock()
    built = [0]

    def progress(event) -> None:
        if event.status != "built":
            return
        with lock:
            built[0] += 1
            if built[0] % SAMPLE_EVERY == 0:
                found = client.run(_rss_mb)
                series.append((built[0], sorted(found.values(), reverse=True)))

    return progress


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("formats", nargs="*", default=["pdf", "epub", "docx"])
    parser.add_argument("--article-variants", type=int, default=2000)
    parser.add_argument(
        "--only",
        type=int,
        nargs="+",
        help="run only these configurations, by number: "
        + "; ".join(f"{n}: {c}" for n, c in enumerate(CONFIGURATIONS, 1)),
    )
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    parser.add_argument("--archive", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.measure:  # a child: one configuration, JSON on stdout
        result = measure(arguments.measure, arguments.archive, arguments.out, arguments.formats)
        print(json.dumps(result))
        return

    per_edition = ARTICLES_PER_EDITION * VARIANTS
    editions = max(1, math.ceil(arguments.article_variants / per_edition))
    count = editions * per_edition
    print(
        f"archive: {editions} editions x {ARTICLES_PER_EDITION} articles x {VARIANTS} variants "
        f"= {count} article-variants; formats: {' '.join(arguments.formats)}"
    )
    rows = {}
    with tempfile.TemporaryDirectory(prefix="publisher-bench-") as folder:
        archive = make_archive(Path(folder) / "archive", editions)
        for number, configuration in enumerate(CONFIGURATIONS):
            if arguments.only and number + 1 not in arguments.only:
                continue
            child = subprocess.run(
                [
                    sys.executable,
                    __file__,
                    *arguments.formats,
                    "--measure",
                    configuration,
                    "--archive",
                    str(archive),
                    "--out",
                    str(Path(folder) / f"out-{number}"),
                ],
                cwd=ROOT,
                capture_output=True,
                text=True,
                check=False,
            )
            if child.returncode != 0:
                raise SystemExit(f"{configuration} failed:\n{child.stderr[-3000:]}")
            rows[configuration] = json.loads(child.stdout.strip().splitlines()[-1])
            row = rows[configuration]
            print(
                f"  {configuration}: {row['seconds']:.1f} s, {count / row['seconds']:.2f} "
                f"article-variants/s, CPU {row['cpu']:.0f} s, start {row['startup']:.1f} s, "
                f"peak MB per worker {', '.join(f'{p:.0f}' for p in row['peaks'])}",
                flush=True,
            )

    print()
    print(
        "| configuration | build s | article-variants/s | CPU s per article-variant "
        "| start-up s | peak MB per worker |"
    )
    print("| --- | --- | --- | --- | --- | --- |")
    for configuration, row in rows.items():
        print(
            f"| {configuration} | {row['seconds']:.1f} | {count / row['seconds']:.2f} | "
            f"{row['cpu'] / count:.2f} | {row['startup']:.1f} | "
            f"{' / '.join(f'{p:.0f}' for p in row['peaks'])} |"
        )
    print()
    print(
        "| route (2 workers) | client CPU s per article-variant | workers' "
        "| workers one client feeds |"
    )
    print("| --- | --- | --- | --- |")
    for configuration in [c for c in CONFIGURATIONS[2:] if c in rows]:
        row = rows[configuration]
        client, workers = row["client"] / count, (row["cpu"] - row["client"]) / count
        route = "shipped" if configuration.endswith("shipped") else "shared"
        print(f"| {route} | {client:.4f} | {workers:.3f} | {workers / client:.0f} |")
    for configuration in [c for c in CONFIGURATIONS[1:] if c in rows]:
        series = rows[configuration]["rss"]
        if not series:
            continue
        print(f"\n{configuration}: each worker's RSS (MB) every {SAMPLE_EVERY} outputs built")
        print(
            "| outputs | " + " | ".join(f"worker {n + 1}" for n in range(len(series[0][1]))) + " |"
        )
        print("| --- |" + " --- |" * len(series[0][1]))
        for built, sizes in series:
            print(f"| {built} | " + " | ".join(f"{size:.0f}" for size in sizes) + " |")
    if not all(c in rows for c in CONFIGURATIONS[1:3]):
        return
    one, two = (rows[c]["seconds"] for c in CONFIGURATIONS[1:3])
    print(f"\nscaling 1 -> 2 workers: {one / two:.2f}x faster (ideal 2.00x)")
    # On a dedicated core a unit takes about its CPU time: the CPU seconds per
    # article-variant of the 2-worker cluster (client included) are the cost.
    cost = rows[CONFIGURATIONS[2]]["cpu"] / count
    work = 1_000_000 * VARIANTS * cost
    print(
        f"cost: {cost:.2f} CPU s per article-variant ({' '.join(arguments.formats)}); one "
        f"million articles in {VARIANTS} variants = {work / 3600:,.0f} worker-hours, i.e. "
        f"{math.ceil(work / 86400)} one-core workers for one day or {math.ceil(work / 3600 / 8)} "
        "for 8 hours, if the workers scale linearly (see the 1 -> 2 figure)"
    )


if __name__ == "__main__":
    main()
