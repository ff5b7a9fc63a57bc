"""Archive scale: one generated archive built with the local pool and with a Dask
cluster of 1 and 2 workers, in one run.

    .venv/bin/python bench/archive_scale.py [--article-variants 2000] [--plot SVG] [FORMAT ...]

Every edition of the archive is the sample (4 articles with figures, 3
variants: 12 article-variants) under its own name, title and date, so the
outputs of two editions never coincide. Each configuration builds the whole
archive cold (fresh output folder, no cache) in a process of its own. The
clusters are real: a ``dask scheduler`` process and a ``dask worker`` process
with 1 or 2 one-thread workers (profiler off), which the bench's process joins
as the client, as on a real deployment; so the client's CPU, the scheduler's
and the workers' are each measured apart. Start-up and the environment check
are timed apart from the build. Reported: wall time, throughput, CPU per
article-variant (all the formats asked for), the client's share and the
workers one client can feed, each worker's peak resident memory per window
of 100 units (the kernel's high-water mark, reset at each sample), and a
million-article estimate.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "source"
sys.path.insert(0, str(ROOT))
ARTICLES_PER_EDITION = 4
VARIANTS = 3
CONFIGURATIONS = (
    "local pool, 2 processes",
    "cluster, 1 worker",
    "cluster, 2 workers",
    # The workers see this machine's disk, so the build takes the shared route (a
    # worker plans, the workers read the sources and write the outputs); this one is
    # made to ship them instead.
    "cluster, 2 workers, shipped",
)
# Each worker's memory is sampled after every this many units.
SAMPLE_EVERY = 100


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


def window_peak_mb() -> float:
    """On a worker: its peak resident memory since the last call (the kernel's
    high-water mark, then reset)."""
    status = Path("/proc/self/status").read_text()
    peak = int(re.search(r"VmHWM:\s+(\d+)", status)[1]) / 1024
    Path("/proc/self/clear_refs").write_text("5")  # resets the high-water mark
    return peak


def start_cluster(workers: int, folder: Path) -> tuple[list[subprocess.Popen], str]:
    """A ``dask scheduler`` and a ``dask worker`` process of ``workers`` one-thread
    workers, as on a real deployment; their processes, and the scheduler's address."""
    # As the guide says to start them: with publisher's Dask settings.
    environment = {**os.environ, "DASK_CONFIG": str(ROOT / "publisher" / "run" / "dask")}
    address_file = folder / f"scheduler-{uuid.uuid4().hex}.json"
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL, "cwd": ROOT}
    scheduler = subprocess.Popen(
        [sys.executable, "-m", "distributed.cli.dask_scheduler", "--no-dashboard",
         "--port", "0", "--scheduler-file", str(address_file)],
        env=environment, **quiet,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while not address_file.is_file() and time.monotonic() < deadline:
        time.sleep(0.1)
    address = json.loads(address_file.read_text())["address"]
    worker = subprocess.Popen(
        [sys.executable, "-m", "distributed.cli.dask_worker", address, "--nworkers",
         str(workers), "--nthreads", "1", "--no-dashboard", "--memory-limit", "0"],
        env=environment, **quiet,
    )  # fmt: skip
    return [worker, scheduler], address


def process_cpu(pid: int) -> float:
    import psutil

    times = psutil.Process(pid).cpu_times()
    return times.user + times.system


class CountedUnits:
    """The build's executor, with every unit's end counted: each worker's memory peak
    is sampled after every ``SAMPLE_EVERY`` units (``series``)."""

    def __init__(self, executor, series: list) -> None:
        self.executor = executor
        self.series = series
        self.units = 0
        self.lock = threading.Lock()

    def plan(self, *arguments, **options):
        return self.executor.plan(*arguments, **options)

    def map_unordered(self, function, units):
        for result in self.executor.map_unordered(function, units):
            with self.lock:
                self.units += 1
                if self.units % SAMPLE_EVERY == 0:
                    found = self.executor.client.run(window_peak_mb)
                    self.series.append((self.units, [found[w] for w in sorted(found)]))
            yield result


def measure(configuration: str, archive: Path, out: Path, formats: list[str]) -> dict:
    """One configuration's build of the archive, in this process: wall time, the CPU
    time of the client, the scheduler and the workers, and the workers' memory."""
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
    processes: list[subprocess.Popen] = []
    start = time.perf_counter()
    if local:
        executor = LocalExecutor(2)
        list(executor.map_unordered(_warm_one, [0, 1]))
    else:
        workers = int(configuration.split(", ")[1].split()[0])
        if configuration.endswith("shipped"):
            os.environ["PUBLISHER_CLUSTER_ROUTE"] = "ship"
        processes, address = start_cluster(workers, out.parent)
        executor = DaskExecutor(address, DEFAULT_STYLES)
        executor.client.wait_for_workers(workers, timeout=60)
        before = executor.client.run(warm)
        executor.client.run(window_peak_mb)
        scheduler_before = process_cpu(processes[1].pid)
    startup = time.perf_counter() - start
    cpu_before = cpu_seconds()
    series: list[tuple[int, list[float]]] = []  # (units done, each worker's peak MB)
    start = time.perf_counter()
    try:
        with executor:
            # The local pool forks its workers only while no other thread runs
            # (executors.fork_alone): its editions go one after the other.
            in_flight = editions_in_flight(executor)
            counted = executor if local else CountedUnits(executor, series)
            report = build_archive(
                archive, out, formats=formats, executor=counted, in_flight=in_flight
            )
            seconds = time.perf_counter() - start
            if local:
                executor.close()  # the workers' CPU time is counted once they are reaped
                client = cpu_seconds() - cpu_before  # the pool's workers are its children
                workers_cpu, scheduler = 0.0, 0.0
                # The largest peak of any reaped child: the pool's workers (pandoc's is less).
                peaks = [resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024]
                units = None
            else:
                client = cpu_seconds() - cpu_before  # this process and its pandoc, if any
                after = executor.client.run(cpu_seconds)
                workers_cpu = sum(after[w] - before[w] for w in after)
                scheduler = process_cpu(processes[1].pid) - scheduler_before
                maxrss = executor.client.run(
                    lambda: resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
                )
                peaks = sorted((kb / 1024 for kb in maxrss.values()), reverse=True)
                units = counted.units
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=60)
    if report.failed:
        raise SystemExit(f"{configuration}: {report.failed}")
    return {
        "seconds": seconds,
        "startup": startup,
        "cpu": client + workers_cpu + scheduler,
        "client": client,
        "workers": workers_cpu,
        "scheduler": scheduler,
        "peaks": peaks,
        "units": units,
        "rss": series,
    }


def plot_memory(series: list[tuple[int, list[float]]], title: str) -> str:
    """An SVG line chart: each worker's peak resident memory per window of units."""
    width, height, left, bottom, top, right = 640, 300, 60, 40, 30, 20
    most = max(max(sizes) for _, sizes in series)
    ceiling = max(1000.0, math.ceil(most / 100) * 100)
    last = series[-1][0]

    def x(units: float) -> float:
        return left + (width - left - right) * units / last

    def y(mb: float) -> float:
        return height - bottom - (height - bottom - top) * mb / ceiling

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'font-family="sans-serif" font-size="11">',
        f'<rect width="{width}" height="{height}" fill="white"/>',
        f'<text x="{left}" y="18" font-size="13">{title}</text>',
    ]
    for mb in range(0, int(ceiling) + 1, 200):
        parts.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y(mb):.1f}" '
            f'y2="{y(mb):.1f}" stroke="#ddd"/>'
        )
        parts.append(f'<text x="{left - 6}" y="{y(mb) + 4:.1f}" text-anchor="end">{mb}</text>')
    parts.append(
        f'<line x1="{left}" x2="{width - right}" y1="{y(900):.1f}" y2="{y(900):.1f}" '
        'stroke="#c00" stroke-dasharray="4 3"/>'
    )
    parts.append(
        f'<text x="{width - right}" y="{y(900) - 4:.1f}" text-anchor="end" '
        'fill="#c00">900 MB</text>'
    )
    step = max(SAMPLE_EVERY, round(last / 8, -2))
    for units in range(0, last + 1, int(step)):
        parts.append(
            f'<text x="{x(units):.1f}" y="{height - bottom + 16}" '
            f'text-anchor="middle">{units}</text>'
        )
    parts.append(
        f'<text x="{(left + width - right) / 2}" y="{height - 6}" '
        'text-anchor="middle">units done</text>'
    )
    parts.append(
        f'<text x="14" y="{(top + height - bottom) / 2}" text-anchor="middle" '
        f'transform="rotate(-90 14 {(top + height - bottom) / 2})">peak MB</text>'
    )
    for index, colour in zip(range(len(series[0][1])), ("#1f5fa8", "#e08a00"), strict=False):
        points = " ".join(f"{x(u):.1f},{y(sizes[index]):.1f}" for u, sizes in series)
        parts.append(
            f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="1.5"/>'
        )
        parts.append(
            f'<text x="{left + 10}" y="{y(ceiling * 0.6) + 14 * index:.1f}" '
            f'fill="{colour}">worker {index + 1}</text>'
        )
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def windows(series: list[tuple[int, list[float]]], size: int = 500) -> tuple[float, float]:
    """The highest worker peak over the first ``size`` units and over the last."""
    last = series[-1][0]
    first = max(max(s) for u, s in series if u <= size)
    final = max(max(s) for u, s in series if u > last - size)
    return first, final


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
    parser.add_argument("--plot", type=Path, help="write the 2-worker memory chart here (SVG)")
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
        "(client + scheduler + workers) | start-up s | peak MB per worker |"
    )
    print("| --- | --- | --- | --- | --- | --- |")
    for configuration, row in rows.items():
        split = (
            f" ({row['client'] / count:.4f} + {row['scheduler'] / count:.4f} + "
            f"{row['workers'] / count:.3f})"
            if row["units"]
            else ""
        )
        print(
            f"| {configuration} | {row['seconds']:.1f} | {count / row['seconds']:.2f} | "
            f"{row['cpu'] / count:.3f}{split} | {row['startup']:.1f} | "
            f"{' / '.join(f'{p:.0f}' for p in row['peaks'])} |"
        )
    local = rows.get(CONFIGURATIONS[0])
    print()
    print(
        "| route (2 workers) | units | CPU vs local pool | client CPU s per article-variant "
        "| workers' | client's share of a worker | workers one client feeds |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for configuration in [c for c in CONFIGURATIONS[2:] if c in rows]:
        row = rows[configuration]
        client, workers = row["client"] / count, row["workers"] / count
        route = "shipped" if configuration.endswith("shipped") else "shared"
        ratio = f"{row['cpu'] / local['cpu']:.2f}x" if local else "-"
        print(
            f"| {route} | {row['units']} | {ratio} | {client:.4f} | {workers:.3f} | "
            f"{100 * client / workers:.2f}% | {workers / client:.0f} |"
        )
    for configuration in [c for c in CONFIGURATIONS[1:] if c in rows]:
        series = rows[configuration]["rss"]
        if not series:
            continue
        print(f"\n{configuration}: each worker's peak RSS (MB) per {SAMPLE_EVERY} units")
        print("| units | " + " | ".join(str(units) for units, _ in series) + " |")
        print("| --- |" + " --- |" * len(series))
        for index in range(len(series[0][1])):
            sizes = " | ".join(f"{sizes[index]:.0f}" for _, sizes in series)
            print(f"| worker {index + 1} | {sizes} |")
        if series[-1][0] >= 1000:
            first, last = windows(series)
            print(
                f"highest peak, first 500 units: {first:.0f} MB; last 500: {last:.0f} MB "
                f"({100 * (last - first) / first:+.1f}%)"
            )
    chart = rows.get(CONFIGURATIONS[2], {}).get("rss")
    if arguments.plot and chart:
        arguments.plot.write_text(
            plot_memory(chart, f"Each worker's peak memory per {SAMPLE_EVERY} units "
                        f"(2 workers, shared route, {' '.join(arguments.formats)})"),
            encoding="utf-8",
        )  # fmt: skip
        print(f"\nchart: {arguments.plot}")
    if not all(c in rows for c in CONFIGURATIONS[1:3]):
        return
    one, two = (rows[c]["seconds"] for c in CONFIGURATIONS[1:3])
    print(f"\nscaling 1 -> 2 workers: {one / two:.2f}x faster (ideal 2.00x)")
    # On a dedicated core a unit takes about its CPU time: the CPU seconds per
    # article-variant of the 2-worker cluster (client and scheduler included) are the cost.
    row = rows[CONFIGURATIONS[2]]
    cost = row["cpu"] / count
    work = 1_000_000 * VARIANTS * cost
    client_hours = 1_000_000 * VARIANTS * row["client"] / count / 3600
    feeds = row["workers"] / row["client"]
    print(
        f"cost: {cost:.3f} CPU s per article-variant ({' '.join(arguments.formats)}); one "
        f"million articles in {VARIANTS} variants = {work / 3600:,.0f} worker-hours, i.e. "
        f"{math.ceil(work / 86400)} one-core workers for one day or {math.ceil(work / 3600 / 8)} "
        f"for 8 hours; the client's share is {client_hours:,.1f} CPU hours, and one client "
        f"feeds about {feeds:.0f} workers"
    )


if __name__ == "__main__":
    main()
