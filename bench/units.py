"""The article as the unit of work, measured in one run: prints one table.

    .venv/bin/python bench/units.py [--runs 3] [--sizes 100,200,1000] [--jobs N]

(a) a cold full build of the sample (3 variants, 33 outputs) beside the naive
    route: per variant, OpenCC over each article's Markdown, then one process
    per call, one after another: pandoc to EPUB, pandoc to DOCX, pandoc to HTML
    and WeasyPrint to PDF for each article, and one pandoc EPUB of the
    variant's articles;
(b) the no-op: a rebuild with nothing changed (answered by the build record,
    ``publisher/run/build_record.py``), and the same without the record;
(c) the rebuild after a one-article edit;
(d) the proof loop: that article's zh-Hans PDF alone after the edit, beside
    a cold build of the zh-Hans PDFs: once as a command (``build --article``),
    once as the loop an editor keeps open (``watch --article``: from the save
    to the PDF written, the writers already loaded);
(e) generated editions of 100, 200 and 1,000 articles (the sample's four
    repeated), one variant's PDFs with one job: time and peak memory (the
    maximum resident set of the build process), and the slope in seconds per
    article.

Every figure is the median of --runs runs of the real command line (a fresh
process each time), except (e), run once per size: wall-clock seconds, and the
CPU seconds of all the processes involved. These machines are shared and noisy:
read the ratios, which compare runs made minutes apart; CPU seconds suffer less
from other people's load than wall-clock ones (but hide parallelism).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

import opencc
import pypandoc

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "source"
PANDOC = pypandoc.get_pandoc_path()
VARIANTS = {"zh-Hans": None, "zh-Hant-TW": "s2twp", "zh-Hant-HK": "s2hk"}
EDITED = "02-jiaokou"


class Timing(NamedTuple):
    wall: float  # seconds on the clock
    cpu: float  # user + system seconds of this process and every process it waited for


def _cpu() -> float:
    own, children = (
        resource.getrusage(w) for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
    )
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def clocked(work: Callable[[], object]) -> Timing:
    start, cpu = time.perf_counter(), _cpu()
    work()
    return Timing(time.perf_counter() - start, _cpu() - cpu)


def timed(command: list[str], cwd: Path = ROOT) -> Timing:
    return clocked(lambda: subprocess.run(command, cwd=cwd, check=True, capture_output=True))


def publisher(*arguments: str | Path) -> list[str]:
    return [sys.executable, "-m", "publisher", "build", *map(str, arguments)]


def with_setting(source: Path, line: str) -> Path:
    """The edition at ``source`` with ``line`` added to its edition.yaml (`pdf: {…}`)."""
    edition = source / "edition.yaml"
    edition.write_text(edition.read_text(encoding="utf-8") + line + "\n", encoding="utf-8")
    return source


def alternated_medians(
    sources: dict[str, Path], runs: int, cold: Callable[[Path], tuple[float, ...]]
) -> dict[str, list[float]]:
    """Each way's medians (wall, CPU, peak) over ``runs`` cold builds, the ways taken in
    turn, so that drift on a noisy machine touches them alike."""
    timings: dict[str, list[tuple[float, ...]]] = {kind: [] for kind in sources}
    for _ in range(runs):
        for kind, source in sources.items():
            timings[kind].append(cold(source))
    return {
        kind: [statistics.median(run[i] for run in found) for i in range(3)]
        for kind, found in timings.items()
    }


def print_table(rows: list[tuple[str, float, float, str]]) -> None:
    """The rows as Markdown; a row naming a ratio (`a / b`) has no unit."""
    print("\n| measured | wall | CPU | |\n| --- | ---: | ---: | --- |")
    for what, wall, cpu, note in rows:
        unit = "" if " / " in what else " s"
        print(f"| {what.strip()} | {wall:.2f}{unit} | {cpu:.2f}{unit} | {note} |")


def measured(command: list[str]) -> tuple[float, float, float]:
    """Wall and CPU seconds and peak resident memory (MB) of one run, in a process of its own
    (the maximum resident set is a high-water mark over all of a process's children)."""
    probe = (
        "import json, resource, subprocess, sys, time\n"
        "start = time.perf_counter()\n"
        "subprocess.run(json.loads(sys.argv[1]), check=True, capture_output=True)\n"
        "seconds = time.perf_counter() - start\n"
        "usage = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
        "print(json.dumps([seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024]))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe, json.dumps(command)],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    return tuple(json.loads(result.stdout))


def run(command: list[str], cwd: Path) -> None:
    subprocess.run(command, cwd=cwd, check=True, capture_output=True)


def naive(work: Path) -> None:
    """The route without publisher, one process per call, one after another."""
    articles = sorted((SOURCE / "articles").glob("*.md"))
    for tag, config in VARIANTS.items():
        folder = work / "naive" / tag / "articles"
        folder.mkdir(parents=True, exist_ok=True)
        shutil.copytree(SOURCE / "images", folder.parent / "images", dirs_exist_ok=True)
        converter = opencc.OpenCC(f"{config}.json") if config else None
        converted = []
        for article in articles:
            text = article.read_text(encoding="utf-8")
            target = folder / article.name
            target.write_text(converter.convert(text) if converter else text, encoding="utf-8")
            converted.append(target)
        for article in converted:
            stem = folder / article.stem
            common = ["-f", "markdown+east_asian_line_breaks", str(article)]
            run([PANDOC, *common, "-o", f"{stem}.epub"], folder)
            run([PANDOC, *common, "-o", f"{stem}.docx"], folder)
            run([PANDOC, *common, "-s", "-t", "html5", "-o", f"{stem}.html"], folder)
            run([sys.executable, "-m", "weasyprint", f"{stem}.html", f"{stem}.pdf"], folder)
        run(
            [
                PANDOC,
                "-f",
                "markdown+east_asian_line_breaks",
                *map(str, converted),
                "-o",
                str(folder.parent / "edition.epub"),
            ],
            folder,
        )


def edit(source: Path, n: int) -> None:
    """A one-article edit that changes the text, a new sentence each time."""
    article = source / "articles" / f"{EDITED}.md"
    article.write_text(article.read_text(encoding="utf-8") + f"\n补记第{n}段。\n", encoding="utf-8")


def generated(work: Path, count: int) -> Path:
    """An edition of ``count`` articles, the sample's four repeated, in zh-Hans."""
    source = work / f"gen-{count}"
    shutil.rmtree(source, ignore_errors=True)
    shutil.copytree(SOURCE / "images", source / "images")
    (source / "articles").mkdir(parents=True)
    (source / "edition.yaml").write_text(
        f"title: 山西乡村振兴（{count}篇）\nname: generated\nlanguage: zh-Hans\ndate: 2024-07-15\n",
        encoding="utf-8",
    )
    samples = sorted((SOURCE / "articles").glob("*.md"))
    for number in range(count):
        original = samples[number % len(samples)]
        target = source / "articles" / f"{number:04d}-{original.stem.split('-', 1)[1]}.md"
        target.write_text(original.read_text(encoding="utf-8"), encoding="utf-8")
    return source


SUMMARY = ", up to date "  # in a build's summary line: built N, up to date M, …


class Watch:
    """``publisher watch pdf --variant zh-Hans --article EDITED``, running: the proof loop
    an editor keeps open. :meth:`after` times a save until the PDF is written again."""

    def __init__(self, source: Path, out: Path, log: Path) -> None:
        self.log = log
        arguments = ["pdf", "--variant", "zh-Hans", "--article", EDITED]
        command = publisher(*arguments, "--source", source, "--out", out)
        command[command.index("build")] = "watch"
        with log.open("w") as stderr:
            self.process = subprocess.Popen(command, cwd=ROOT, stderr=stderr)
        self._wait(lambda text: "watching" in text)

    def _wait(self, done: Callable[[str], bool]) -> None:
        deadline = time.monotonic() + 300
        while not done(self.log.read_text(encoding="utf-8")):
            if time.monotonic() > deadline or self.process.poll() is not None:
                raise RuntimeError("the watch did not build:\n" + self.log.read_text())
            time.sleep(0.005)

    def _cpu(self) -> float:
        """User and system seconds of the watch and the children it waited for."""
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return sum(int(f) for f in fields[11:15]) / os.sysconf("SC_CLK_TCK")

    def after(self, save: Callable[[], None]) -> Timing:
        builds = self.log.read_text(encoding="utf-8").count(SUMMARY)
        start, cpu = time.perf_counter(), self._cpu()
        save()
        self._wait(lambda text: text.count(SUMMARY) > builds)
        return Timing(time.perf_counter() - start, self._cpu() - cpu)

    def __enter__(self) -> Watch:
        return self

    def __exit__(self, *exc: object) -> None:
        self.process.send_signal(signal.SIGINT)
        self.process.wait(timeout=60)


def median(runs: int, measure: Callable[[], Timing]) -> Timing:
    timings = [measure() for _ in range(runs)]
    return Timing(*(statistics.median(t[i] for t in timings) for i in range(2)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--sizes", default="100,200,1000")
    parser.add_argument("--jobs", default="2", help="workers for (a)–(c); (e) uses one")
    parser.add_argument("--sample", action=argparse.BooleanOptionalAction, default=True,
                        help="measure (a)–(d) on the sample (--no-sample: only (e))")  # fmt: skip
    options = parser.parse_args()
    sizes = [int(n) for n in options.sizes.split(",") if n]
    rows: list[tuple[str, str, str, str]] = []

    def row(what: str, value: Timing | str, note: str = "") -> None:
        wall, cpu = (
            (f"{value.wall:.2f} s", f"{value.cpu:.2f} s")
            if isinstance(value, Timing)
            else (value, "")
        )
        rows.append((what, wall, cpu, note))
        print(f"{what:<46} {wall:>10} {cpu:>10}  {note}", flush=True)

    def ratio(a: Timing, b: Timing) -> str:
        return f"{a.wall / b.wall:.2f} (CPU {a.cpu / b.cpu:.2f})"

    # Python keeps compiled modules beside the sources; a checkout has none yet, and
    # this environment may forbid writing them (PYTHONDONTWRITEBYTECODE): compile once,
    # as the first run of any command would, so that no run pays for it.
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "publisher")], check=True)
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        source = Path(shutil.copytree(SOURCE, work / "source"))
        out = work / "out"
        jobs = ("--jobs", options.jobs)

        if options.sample:

            def cold_full() -> Timing:
                shutil.rmtree(out, ignore_errors=True)
                return timed(publisher(*jobs, "--source", source, "--out", out))

            def naive_route() -> Timing:
                shutil.rmtree(work / "naive", ignore_errors=True)
                return clocked(lambda: naive(work))

            full, route = median(options.runs, cold_full), median(options.runs, naive_route)
            row("(a) full sample build, cold (33 outputs)", full, f"{ratio(full, route)} of naive")
            row("    naive route (no edition PDF or DOCX)", route, "target: build <= 0.25")

            noop = median(options.runs, lambda: timed(publisher("--source", source, "--out", out)))
            row("(b) no-op rebuild", noop, "target <= 0.3 s")

            def full_road() -> Timing:
                shutil.rmtree(out / ".cache" / "builds")  # no record: read, plan, find all current
                return timed(publisher("--source", source, "--out", out))

            road = median(options.runs, full_road)
            row("    no-op without the build record", road, "reads and plans the whole edition")

            edits = iter(range(1000))

            def after_edit() -> Timing:
                edit(source, next(edits))
                return timed(publisher(*jobs, "--source", source, "--out", out))

            edited = median(options.runs, after_edit)
            row("(c) rebuild after a one-article edit", edited, f"{ratio(edited, full)} of (a)")

            pdfs = work / "pdfs"

            def cold_pdfs() -> Timing:
                shutil.rmtree(pdfs, ignore_errors=True)
                return timed(
                    publisher("pdf", "--variant", "zh-Hans", "--source", source, "--out", pdfs)
                )

            def proof() -> Timing:
                edit(source, next(edits))
                return timed(
                    publisher(
                        "pdf",
                        "--variant",
                        "zh-Hans",
                        "--article",
                        EDITED,
                        "--source",
                        source,
                        "--out",
                        pdfs,
                    )
                )

            cold = median(options.runs, cold_pdfs)
            loop = median(options.runs, proof)
            row("(d) cold build of the zh-Hans PDFs (5 files)", cold)
            row(
                f"    proof: build --article {EDITED}, after an edit",
                loop,
                f"{ratio(loop, cold)} of cold; target <= 0.35",
            )
            with Watch(source, pdfs, work / "watch.log") as watch:
                watched = median(
                    options.runs, lambda: watch.after(lambda: edit(source, next(edits)))
                )
            row(
                f"    proof loop: watch --article {EDITED}, save to PDF",
                watched,
                f"{ratio(watched, cold)} of cold; target <= 0.35",
            )

        figures = []
        for count in sizes:
            generated_source = generated(work, count)
            target = work / f"gen-out-{count}"
            seconds, cpu, peak = measured(
                publisher("pdf", "--jobs", "1", "--source", generated_source, "--out", target)
            )
            shutil.rmtree(target, ignore_errors=True)
            figures.append((count, seconds, cpu))
            row(
                f"(e) {count} articles, zh-Hans PDFs, one job",
                Timing(seconds, cpu),
                f"peak {peak:.0f} MB; target < 1024 MB",
            )
            if len(figures) > 1:  # after each size, so that a long run reports as it goes
                (n0, t0, c0), (n1, t1, c1) = figures[0], figures[-1]
                slope = Timing((t1 - t0) / (n1 - n0), (c1 - c0) / (n1 - n0))
                row(f"    slope {n0}→{n1} articles", slope, "seconds per article per variant")
                for size, seconds, cpu in figures[1:-1]:
                    wall_line = t0 + (size - n0) * slope.wall
                    cpu_line = c0 + (size - n0) * slope.cpu
                    row(
                        f"    {size}: measured / linear",
                        f"{seconds / wall_line:.2f}",
                        f"CPU {cpu / cpu_line:.2f}",
                    )
        print("\n| measured | wall | CPU | |\n| --- | ---: | ---: | --- |")
        for what, wall, cpu, note in rows:
            print(f"| {what.strip()} | {wall} | {cpu} | {note} |")


if __name__ == "__main__":
    main()
