"""Running a build's units on a Dask distributed cluster (``--executor dask``).

The build hands the same pure units to this executor as to the local pool.
What differs is where they run: on workers that may share no disk with the
client. So

* before any work, every worker describes its environment (versions and the
  fonts it would use, :mod:`publisher.run.environment`) and the build stops on
  the first difference;
* a unit's input files (images, the cover, ``styles/``) travel as tasks
  keyed by their content hash, sent once per build and kept on the workers
  that use them; a worker writes each set of files once, into a local folder
  named by their hashes, however many units use it;
* a unit renders into a folder of the worker's and returns the bytes; the
  client writes them, atomically, as a local build does.

That is the shipped route, for sources on the client's own disk. When every
worker sees the client's source, styles and output folders (a shared disk, or
this machine's own workers), the build takes the shared route instead: a
worker plans the edition (reads, checks and parses it, caching the ASTs in the
output folder's cache by content, keys the outputs and finds the stale ones),
and each unit goes to a worker as the places of its inputs and the keys of its
outputs. That worker reads the sources, checks that they still give those keys,
and writes the outputs in place, atomically. The client reads no article: it
hashes the sources for its build record, submits, and prints what comes back.

Dask retries the units of a worker that is lost (``distributed.scheduler.
allowed-failures``); a unit that fails for its own reason is not retried.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import io
import logging
import os
import pickle
import shutil
import tempfile
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePath
from typing import Any, TypeVar

import yaml

from publisher.base.atomic import write_atomically
from publisher.base.errors import BuildError, WarningCounter, logger
from publisher.base.languages import variant_named
from publisher.run.build import (
    KEYS_FOLDER,
    BuildPlan,
    Output,
    Unit,
    UnitResult,
    environment_key,
    load_edition,
    plan_outputs,
)
from publisher.run.digests import CACHE_FOLDER, files_digest
from publisher.run.environment import compare, describe, font_families
from publisher.run.executors import plan_here

U = TypeVar("U")
R = TypeVar("R")
T = TypeVar("T")


class DaskExecutor:
    """Runs units on a Dask cluster: the one at ``address``, else a new LocalCluster
    of ``workers`` processes on this machine (one per core by default)."""

    def __init__(
        self, address: str | None, styles_folder: Path, *, workers: int | None = None
    ) -> None:
        import dask  # only for cluster builds: distributed takes a second to import
        import distributed

        self.cluster = None
        try:
            if address:
                self.client = distributed.Client(address, timeout="20s")
            else:
                with dask.config.set(worker_settings()):
                    self.cluster = distributed.LocalCluster(
                        n_workers=workers or len(os.sched_getaffinity(0)),
                        threads_per_worker=1,  # WeasyPrint and pandoc: one unit per process
                        processes=True,
                        dashboard_address=None,
                        # Failures reach the user as units' errors; the workers' own log
                        # lines (a slow shutdown, a closed stream) would only be noise.
                        silence_logs=logging.CRITICAL,
                    )
                self.client = distributed.Client(self.cluster)
        except OSError as error:
            raise BuildError(
                f"cannot reach the Dask scheduler at {address}: {error}\n"
                "  what to do: start it (`dask scheduler`) and its workers (`dask worker "
                "ADDRESS`) from this environment, and check the address"
            ) from None
        # (output folder, folders of the sources) -> whether the workers see them.
        self.routes: dict[tuple[Path, ...], bool] = {}
        try:
            self.expected = check_workers(self.client, styles_folder)
        except BaseException:
            self.close()
            raise

    def plan(
        self,
        function: Callable[..., BuildPlan],
        arguments: Sequence[Any],
        *,
        reads: Sequence[Path],
        writes: Path,
    ) -> BuildPlan:
        """A build's plan: made by a worker when the workers see the folders (the
        shared route), its units then :class:`InPlaceBatch` stand-ins; else here. An error
        the planning raises (a bad source, by file and line) is raised here; a worker
        that cannot read or write the folders hands the plan to another."""
        if not self._workers_see(list(reads), writes):
            return plan_here(function, arguments)
        task = _Task(
            functools.partial(plan_away, function, self.expected),
            tuple(arguments),
            f"publisher plan {writes.name} {uuid.uuid4().hex[:16]}",
            f"the plan of {writes}",
        )
        while True:
            # Ahead of the units already queued: an edition waiting for its plan
            # would leave a worker idle once the units before it are done.
            future = self._submit(task, priority=1)
            try:
                plan = future.result()
            finally:
                future.release()
            if not isinstance(plan, StorageFailed):
                return plan
            self._failed_on(task, plan)

    def _submit(self, task: _Task, **options: Any) -> Any:
        """Submit ``task``, to a worker other than those that failed it (if any)."""
        if not task.avoid:
            return self.client.submit(task.call, task.argument, key=task.key, pure=False, **options)
        others = [w for w in self.client.scheduler_info()["workers"] if w not in task.avoid]
        if not others:
            raise BuildError(
                f"{task.name}: no worker could read or write its files (tried "
                f"{', '.join(sorted(task.avoid))}): {task.error}\n  what to do: check the "
                "workers' storage (free space, quotas, the shared mount)"
            )
        return self.client.submit(
            task.call, task.argument, key=f"{task.key} retry {len(task.avoid)}", pure=False,
            workers=others, allow_other_workers=False, **options,
        )  # fmt: skip

    @staticmethod
    def _failed_on(task: _Task, failure: StorageFailed) -> None:
        task.avoid.add(failure.worker)
        task.error = failure.error
        logger.info(
            f"{task.name}: worker {failure.worker} could not read or write its files "
            f"({failure.error}); it goes to another worker"
        )

    def map_unordered(self, function: Callable[[U], R], units: Iterable[U]) -> Iterator[R]:
        """``function(unit)`` for each unit, on the workers; results as units finish.

        Each unit's input folders go to the cluster once per call, file by file
        under their content hash (a worker that has an image already does not
        get it again); the files a unit wrote come back and are written here.
        A unit whose workers were lost again and again (Dask's ``KilledWorker``)
        does not stop the others: its error is raised once they are done. A unit
        whose worker could not read or write its files (a full disk, a quota, a
        failing mount) goes to another worker. If the build is interrupted (Ctrl-C,
        SIGTERM), the units not started are cancelled and those running are waited
        for, so that no worker writes into the output folder once this returns.
        """
        # load time: distributed only for cluster builds
        from distributed import as_completed

        shared: dict[Path, dict[str, Any]] = {}
        submitted: dict[Any, _Task] = {}
        every: list[Any] = []
        finished = False
        try:
            for unit in units:
                batch = unit if isinstance(unit, InPlaceBatch) else None
                if batch is None:
                    reads, out = unit_folders(unit)
                    if self._workers_see(reads, out):
                        batch = InPlaceBatch((plan_in_place(unit),))
                if batch is not None:
                    # The shared route: the units name their inputs; the worker reads them,
                    # checks them against the plan and writes the outputs in place.
                    call = functools.partial(run_in_place, function, self.expected)
                    task = _Task(call, batch, unit_key(batch), batch.name)
                else:
                    for folder in reads:
                        if folder not in shared:
                            shared[folder] = self._send_folder(folder)
                    packed = (unit, {str(f): shared[f] for f in reads}, str(out))
                    call = functools.partial(run_away, function, self.expected)
                    task = _Task(call, packed, unit_key(unit), unit.name, out)
                future = self._submit(task)
                submitted[future] = task
                every.append(future)
            errors = []
            running = as_completed(submitted)
            for future in running:
                task = submitted[future]
                try:
                    result, files = future.result()
                except Exception as error:  # the unit's own failures come as results
                    errors.append(f"{task.name}: {type(error).__name__}: {error}")
                    continue
                if isinstance(result, StorageFailed):
                    self._failed_on(task, result)
                    try:
                        again = self._submit(task)
                    except BuildError as error:
                        errors.append(str(error))
                        continue
                    submitted[again] = task
                    every.append(again)
                    running.add(again)
                    continue
                if task.out is None:  # the shared route: the results of a batch of units
                    yield from result
                    continue
                write_back(task.out, files)
                yield result
            finished = True
        finally:
            if not finished:
                self._stop(every)
            for future in every:
                future.release()
            shared.clear()
        if errors:
            raise BuildError("\n".join(errors))

    def _stop(self, futures: list[Any]) -> None:
        """Cancel ``futures``, and wait (a while) for those a worker is running: Dask
        cannot stop a running task, which would go on writing its outputs."""
        keys = [future.key for future in futures if not future.done()]
        with contextlib.suppress(Exception):  # a lost scheduler has nothing left to stop
            self.client.cancel(futures)
            deadline = time.monotonic() + STOP_GRACE_SECONDS
            while keys and time.monotonic() < deadline:
                if not any(self.client.run(_running, keys, on_error="ignore").values()):
                    break
                time.sleep(0.2)

    def _workers_see(self, reads: list[Path], out: Path) -> bool:
        """Whether every worker sees the unit's folders as this machine does (a shared
        disk, or this machine's own workers): then units go by the shared route.
        Asked once per parent of the output folder and of the sources (an archive's
        editions and their outputs are siblings): each worker reads a probe this
        machine wrote into the output folder, and the sources' and styles' first files."""
        route = os.environ.get("PUBLISHER_CLUSTER_ROUTE", "auto")
        if route not in ("auto", "shared", "ship"):
            raise BuildError(
                f"PUBLISHER_CLUSTER_ROUTE={route}: say auto (the default), shared or ship"
            )
        if route == "ship":
            return False
        place = tuple(folder.parent for folder in (out, *reads))
        if place not in self.routes:
            probe = out / CACHE_FOLDER / f"shared-probe-{uuid.uuid4().hex}"
            write_atomically(probe, probe.name.encode())
            files = [probe] + [
                folder / name
                for folder, name in zip(reads, ("edition.yaml", "print.css"), strict=False)
            ]
            expected = {str(p): hashlib.sha256(p.read_bytes()).hexdigest() for p in files}
            try:
                seen = self.client.run(sees_files, expected, on_error="return")
            finally:
                probe.unlink(missing_ok=True)
            everywhere = bool(seen) and all(answer is True for answer in seen.values())
            if route == "shared" and not everywhere:
                blind = sorted(a for a, answer in seen.items() if answer is not True)
                raise BuildError(
                    "PUBLISHER_CLUSTER_ROUTE=shared, but these workers do not see "
                    f"{reads[0]} and {out} as this machine does: {', '.join(blind)}"
                )
            self.routes[place] = everywhere
        return self.routes[place]

    def _send_folder(self, folder: Path) -> dict[str, Any]:
        """Every file of ``folder`` (not caches) as a task of its own, keyed by its
        content hash: sent once, kept on the worker that needs it, and, unlike
        scattered data, made again from the scheduler's copy if that worker is lost."""
        paths = [
            p
            for p in sorted(folder.rglob("*"))
            if p.is_file() and not {"__pycache__", ".cache"} & set(p.relative_to(folder).parts)
        ]
        sent = {}
        for path in paths:
            data = path.read_bytes()
            key = f"publisher-input-{hashlib.sha256(data).hexdigest()[:32]}"
            sent[path.relative_to(folder).as_posix()] = self.client.submit(
                _content, data, key=key, pure=False
            )
        return sent

    def describe(self) -> str:
        """The scheduler's address and its workers, for the user."""
        workers = len(self.client.scheduler_info()["workers"])
        where = "a new LocalCluster" if self.cluster is not None else "the scheduler"
        return f"{self.client.scheduler.address} ({where}, {workers} worker{'s' * (workers != 1)})"

    def close(self) -> None:
        # Housekeeping, never a reason for the build to fail; a lost worker is skipped.
        with contextlib.suppress(Exception):
            self.client.run(prune_worker_files, on_error="ignore")
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()

    def __enter__(self) -> DaskExecutor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# How long an interrupted build waits for the units its workers are running.
STOP_GRACE_SECONDS = 120


@dataclass
class _Task:
    """A call to submit, and where it failed: the workers that could not read or
    write its files, and the last such error."""

    call: Callable[[Any], Any]
    argument: Any
    key: str
    name: str
    out: Path | None = None  # the shipped route: where the files it returns go
    avoid: set[str] = field(default_factory=set)
    error: str = ""


@dataclass(frozen=True)
class StorageFailed:
    """What a call on a worker returns when the worker could not read or write its
    files (a full disk, a quota, a failing mount): the call goes to another worker.
    A unit's own failures (a bad source) come back as its result instead."""

    worker: str
    error: str


def _storage_failed(error: OSError) -> StorageFailed:
    # load time: distributed only for cluster builds
    from distributed import get_worker

    return StorageFailed(get_worker().address, f"{type(error).__name__}: {error}")


def _running(keys: list[str], dask_worker: Any = None) -> int:
    """On a worker: how many of ``keys`` it is still executing (cancelled or not)."""
    states = ("executing", "long-running", "cancelled", "resumed")
    tasks = dask_worker.state.tasks
    return sum(1 for key in keys if key in tasks and tasks[key].state in states)


def _content(data: bytes) -> bytes:
    return data


def unit_key(unit: Any) -> str:
    """A readable task key derived from content: the unit's name, and a hash of its
    outputs' paths and keys (which cover everything they are built from)."""
    seed = repr([(str(o.path), o.key) for o in unit.outputs])
    return f"publisher {unit.name} {hashlib.sha256(seed.encode()).hexdigest()[:16]}"


# Dask's settings for publisher's workers, which the guide says to start them with
# (DASK_CONFIG naming this file's folder) and the LocalCluster of --executor dask has.
DASK_SETTINGS = Path(__file__).parent / "dask" / "publisher.yaml"


def worker_settings() -> dict[str, Any]:
    """:data:`DASK_SETTINGS` as ``dask.config.set`` takes them: by dotted key (a nested
    mapping would replace Dask's whole ``distributed`` section)."""

    def flat(mapping: dict[str, Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
        for key, value in mapping.items():
            if isinstance(value, dict):
                yield from flat(value, f"{prefix}{key}.")
            else:
                yield f"{prefix}{key}", value

    return dict(flat(yaml.safe_load(DASK_SETTINGS.read_text(encoding="utf-8"))))


def settings_differ() -> list[str]:
    """On a worker: publisher's Dask settings it does not run with."""
    import dask  # load time: as in DaskExecutor, distributed only for cluster builds

    differ = []
    if os.environ.get("MALLOC_TRIM_THRESHOLD_") is not None:
        differ.append("MALLOC_TRIM_THRESHOLD_")
    if dask.config.get("distributed.worker.profile.enabled", default=True):
        differ.append("the profiler")
    return differ


def check_workers(client: Any, styles_folder: Path) -> tuple[list[str], dict[str, object]]:
    """Stop unless every worker would build with the client's versions and fonts;
    return the font families asked for and this machine's description. Say so
    (not a warning: the outputs are the same) when workers run without publisher's
    Dask settings, which cost them CPU."""
    families = font_families(styles_folder)
    here = describe(families)
    if not client.scheduler_info()["workers"]:
        client.wait_for_workers(1, timeout=60)
    names = {a: w.get("name") for a, w in client.scheduler_info()["workers"].items()}
    found = client.run(describe, families)
    compare(here, {f"{address} (name {names.get(address)})": d for address, d in found.items()})
    differ = {address: d for address, d in client.run(settings_differ).items() if d}
    if differ:
        what = sorted({name for d in differ.values() for name in d})
        logger.info(
            f"{len(differ)} of {len(found)} workers run with Dask's {' and '.join(what)}, "
            "which cost a PDF unit 15-30% more CPU; start them with "
            f"DASK_CONFIG={DASK_SETTINGS.parent} (docs/archives.md)"
        )
    return families, here


def check_late_worker(expected: tuple[list[str], dict[str, object]]) -> None:
    """In a unit: the check for a worker that joined after the build started (one
    restarted after a crash, one added by an autoscaler). The worker describes
    itself once per process; each unit compares."""
    # load time: distributed only for cluster builds
    from distributed import get_worker

    families, client = expected
    found = _this_process(tuple(families))
    compare(client, {get_worker().address: found}, "not built on that worker")


@functools.cache
def _this_process(families: tuple[str, ...]) -> dict[str, object]:
    return describe(list(families))


# ------------------------------------------------------------ units away from home


class _Rebase(pickle.Pickler):
    """Pickles a value with every path under one of ``mapping``'s folders moved to the
    folder it maps to: a unit's paths are the client's, its worker has its own."""

    def __init__(self, file: io.BytesIO, mapping: dict[Path, Path]) -> None:
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self.mapping = sorted(mapping.items(), key=lambda item: -len(item[0].parts))

    def reducer_override(self, obj: object) -> object:
        if isinstance(obj, PurePath):
            for old, new in self.mapping:  # the deepest folder first
                if obj.is_relative_to(old):
                    return type(obj), (new / obj.relative_to(old),)
        return NotImplemented


def rebase(value: T, mapping: dict[Path, Path]) -> T:
    """A copy of ``value`` whose paths under a folder of ``mapping`` lie under its target."""
    buffer = io.BytesIO()
    _Rebase(buffer, mapping).dump(value)
    return pickle.loads(buffer.getvalue())


def unit_folders(unit: Any) -> tuple[list[Path], Path]:
    """The folders a build unit reads (its edition's sources, the styles) and the one it
    writes (the edition's output folder, whose ``.cache`` holds the stamps)."""
    return [Path(unit.edition.root), Path(unit.styles_folder)], Path(unit.cache).parent


def worker_cache() -> Path:
    """The cache of a worker machine: what units make on the way (parsed Markdown, DOCX
    reference documents, font subsets), each file named by its content's hash, so
    units and builds share it safely."""
    return Path(tempfile.gettempdir()) / "publisher-cache"


def worker_inputs() -> Path:
    """Where a worker machine keeps the input folders units read (:func:`materialize`)."""
    return Path(tempfile.gettempdir()) / "publisher-inputs"


# A worker machine's input folders and cache files unused for this long go when a
# build ends (:func:`prune_worker_files`): all are named by their content, so one
# removed is made again by the next unit that needs it, while a worker serving a
# daily archive for years does not fill its disk.
WORKER_FILES_MAX_AGE = 7 * 24 * 3600


def prune_worker_files(max_age: float = WORKER_FILES_MAX_AGE) -> int:
    """On a worker: remove the input folders (and staging left by a crash) and the
    cache files last used more than ``max_age`` seconds ago; how many went."""
    cutoff = time.time() - max_age
    removed = 0
    inputs = worker_inputs()
    for folder in sorted(inputs.iterdir()) if inputs.is_dir() else ():
        with contextlib.suppress(FileNotFoundError):  # another worker of the machine pruned it
            if folder.stat().st_mtime < cutoff:
                # Renamed first: a unit never finds a folder half-removed under its name.
                doomed = folder.with_name(f".pruned-{folder.name}-{os.getpid()}")
                folder.rename(doomed)
                shutil.rmtree(doomed, ignore_errors=True)
                removed += 1
    cache = worker_cache()
    for path in sorted(cache.rglob("*")) if cache.is_dir() else ():
        with contextlib.suppress(FileNotFoundError):
            if path.is_file() and path.stat().st_mtime < cutoff:
                path.unlink()
                removed += 1
    return removed


def run_away(
    function: Callable[[U], R],
    expected: tuple[list[str], dict[str, object]],
    packed: tuple[U, dict[str, dict[str, bytes]], str],
) -> tuple[R | StorageFailed, dict[str, bytes] | None]:
    """On a worker: ``function(unit)`` with the unit's input folders made from their
    blobs and its outputs written to a folder of its own; returns the result (paths
    as the client's) and every file written, by path relative to the output folder."""
    check_late_worker(expected)
    unit, inputs, out = packed
    try:
        mapping = {Path(folder): materialize(files) for folder, files in inputs.items()}
        with tempfile.TemporaryDirectory(prefix="publisher-unit-") as folder:
            # Outputs and their stamps come back; the rest of the cache stays here.
            mapping[Path(out)] = Path(folder)
            mapping[Path(out) / CACHE_FOLDER] = worker_cache()
            keys = Path(out) / CACHE_FOLDER / KEYS_FOLDER
            mapping[keys] = Path(folder) / CACHE_FOLDER / KEYS_FOLDER
            result = function(rebase(unit, mapping))
            written = {
                path.relative_to(folder).as_posix(): path.read_bytes()
                for path in sorted(Path(folder).rglob("*"))
                if path.is_file()
            }
            return rebase(result, {Path(folder): Path(out)}), written
    except OSError as error:
        return _storage_failed(error), None


def sees_files(expected: dict[str, str]) -> bool:
    """On a worker: whether each file is here with the content digest given."""
    for name, digest in expected.items():
        try:
            if hashlib.sha256(Path(name).read_bytes()).hexdigest() != digest:
                return False
        except OSError:
            return False
    return True


@dataclass(frozen=True)
class InPlace:
    """A unit as the shared route sends it: the places of its inputs, not their bytes
    or ASTs, and its outputs with their keys (which cover every input's content)."""

    root: Path
    slug: str | None  # the article, for a unit of one article's outputs
    variant: str
    format: str
    outputs: tuple[Output, ...]
    styles: Path
    cache: Path
    cost: float
    layout: str
    name: str


def plan_in_place(unit: Unit) -> InPlace:
    """What the shared route sends of a unit."""
    edition = unit.edition
    return InPlace(
        edition.root, edition.articles[0].slug if edition.single_article else None,
        unit.variant.tag, unit.format, unit.outputs, unit.styles_folder, unit.cache,
        unit.cost, unit.layout, unit.name,
    )  # fmt: skip


@dataclass(frozen=True)
class InPlaceBatch:
    """Units of one edition and variant, sent together by the shared route: their
    worker reads the edition and keys its outputs once for all of them, and the
    client and the scheduler handle one task instead of one per output (21 for
    an edition of 4 articles in every format)."""

    units: tuple[InPlace, ...]

    @property
    def name(self) -> str:
        if len(self.units) == 1:
            return self.units[0].name
        first = self.units[0]
        return f"{first.variant} {first.root.name} ({len(self.units)} units)"

    @property
    def outputs(self) -> tuple[Output, ...]:
        return tuple(output for unit in self.units for output in unit.outputs)

    @property
    def cost(self) -> float:
        return sum(unit.cost for unit in self.units)


def batches(units: Iterable[Unit]) -> list[InPlaceBatch]:
    """``units`` by variant, as the shared route sends them, longest first."""
    by_variant: dict[str, list[InPlace]] = {}
    for unit in units:
        by_variant.setdefault(unit.variant.tag, []).append(plan_in_place(unit))
    found = [InPlaceBatch(tuple(group)) for group in by_variant.values()]
    return sorted(found, key=lambda batch: -batch.cost)


def plan_away(
    function: Callable[..., BuildPlan],
    expected: tuple[list[str], dict[str, object]],
    arguments: Sequence[Any],
) -> BuildPlan | StorageFailed:
    """On a worker that sees the client's folders: plan the build, and hand back its
    units as :class:`InPlaceBatch` stand-ins and the warnings said, for the client
    to print."""
    check_late_worker(expected)
    try:
        with WarningCounter() as said:
            plan = function(*arguments)
    except OSError as error:
        return _storage_failed(error)
    return replace(
        plan,
        units=batches(plan.units),
        said=[
            (r.getMessage(), {"finding": r.finding} if hasattr(r, "finding") else None)
            for r in said.records
        ],
    )


def run_in_place(
    function: Callable[[Any], R],
    expected: tuple[list[str], dict[str, object]],
    batch: InPlaceBatch,
) -> tuple[list[R | UnitResult] | StorageFailed, None]:
    """On a worker that sees the client's folders: read the edition once (its ASTs from
    the output folder's cache, where its plan left them), check that the outputs'
    keys are those planned (else the sources changed in between), and run each unit,
    which writes its outputs and stamps in place, atomically. Returns the short
    results."""
    check_late_worker(expected)
    first = batch.units[0]
    try:
        edition = load_edition(first.root, first.cache / "ast")
        out, environment = first.cache.parent, environment_key(first.styles)
        formats = sorted({unit.format for unit in batch.units})
        planned = plan_outputs(edition, out, formats, [first.variant], environment)
        keys = {o.path: o.key for o in planned}
        results: list[R | UnitResult] = []
        for place in batch.units:
            changed = [o.path for o in place.outputs if keys.get(o.path) != o.key]
            part = edition.only(place.slug) if place.slug else edition
            unit = Unit(
                part, variant_named(place.variant), place.format, place.outputs,
                place.styles, place.cache, place.cost, place.layout,
            )  # fmt: skip
            if changed:
                results.append(
                    UnitResult(
                        unit.name,
                        error=f"{place.root}: the sources changed while the build ran (the "
                        f"worker read other files than were planned {changed[0].name} "
                        "from); build again",
                        failed=[o.path for o in place.outputs],
                    )
                )
                continue
            results.append(function(unit))
        return results, None
    except OSError as error:
        return _storage_failed(error), None


def write_back(out: Path, files: dict[str, bytes]) -> None:
    """Write a unit's files under ``out`` as a local build does: each atomically, the
    outputs before the cache (stamps say an output is current only once it is there)."""
    for name in sorted(files, key=lambda name: (name.startswith(f"{CACHE_FOLDER}/"), name)):
        write_atomically(out / name, files[name])


# ------------------------------------------------------------ files as blobs


def materialize(files: dict[str, bytes]) -> Path:
    """A local folder holding ``files``, named by their content: written once per worker
    machine and reused by every unit that needs the same files."""
    root = worker_inputs() / files_digest(files)
    if root.is_dir():
        with contextlib.suppress(FileNotFoundError):
            os.utime(root)  # in use: not for pruning
        if root.is_dir():
            return root
    root.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=root.parent))
    for name, data in files.items():
        target = staging / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    try:
        staging.rename(root)  # whole or not at all; another process may have won
    except OSError:
        shutil.rmtree(staging, ignore_errors=True)
    return root


def open_executor(
    kind: str, scheduler: str | None, jobs: int | None, styles_folder: Path, *, shared: bool
) -> contextlib.AbstractContextManager:
    """The executor a command line asked for, as a context manager (None: let
    ``build_edition`` choose). ``shared``: one pool kept for several editions."""
    if kind == "dask":
        return DaskExecutor(scheduler, styles_folder, workers=jobs)
    if shared and jobs != 1:
        # load time: the local pool only when one is asked for
        from publisher.run.executors import LocalExecutor

        return LocalExecutor(jobs)
    return contextlib.nullcontext()


def editions_in_flight(executor: object) -> int:
    """Editions of an archive submitted at once: enough that every worker has the next
    edition's units while the last units of one finish (1: one after the other)."""
    if isinstance(executor, DaskExecutor):
        return max(2, 2 * sum(executor.client.nthreads().values()))
    # Local workers are forked, on demand, from this process: a fork while another
    # thread runs pandoc hands the worker pandoc's stdin pipe, and pandoc, never seeing
    # its input end, hangs. So local editions go one after the other (each edition's
    # units still run on every worker). The Dask client forks nothing.
    return 1
