"""Builds on a real Dask cluster: a LocalCluster of two worker processes, one per module.

The archive's outputs must be the bytes of a local build; a bad edition is
reported while the others build; a worker whose fonts differ stops the build
before any work; a worker killed mid-build loses no output.
"""

from __future__ import annotations

import logging
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid

import pytest
from distributed import Client, LocalCluster

from publisher.base.errors import BuildError
from publisher.run.cluster import worker_cache, worker_inputs
from tests.archives import break_article, make_archive, make_edition, tree
from tests.conftest import ROOT, run_publisher

FORMATS = ("pdf", "epub", "docx")


@pytest.fixture(scope="module")
def cluster():
    with (
        LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            silence_logs=logging.CRITICAL,  # the killed worker's peers complain
        ) as local,
        Client(local) as client,
    ):
        yield client


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    """Three tiny editions (one article with a figure), the second with a bad article,
    and the local build of the good ones: the bytes every cluster build must give."""
    folder = tmp_path_factory.mktemp("archive")
    root = make_archive(folder / "archive", 3)
    article, line = break_article(root / "2024-07-02")
    local = run_publisher("build", *FORMATS, "--archive", root, "--out", folder / "local")
    assert local.returncode == 1 and "2 of 3 editions built" in local.stderr, local.stderr
    return root, article, line, tree(folder / "local")


def on_cluster(client, root, out, *more):
    """A build of an archive (or, given an edition's folder, of that edition)."""
    return run_publisher(
        "build",
        *FORMATS,
        "--source" if (root / "edition.yaml").is_file() else "--archive",
        root,
        "--out",
        out,
        "--executor",
        "dask",
        "--scheduler",
        client.scheduler.address,
        *more,
    )


@pytest.mark.parametrize("route", ["shared", "ship"])
def test_archive_on_the_cluster_gives_the_local_bytes(
    cluster, archive, tmp_path, monkeypatch, route
):
    """Both routes: the workers read the sources and write the outputs in place (they
    share this machine's disk), or get the units' inputs and send the outputs back."""
    monkeypatch.setenv("PUBLISHER_CLUSTER_ROUTE", route)
    root, article, line, local = archive
    result = on_cluster(cluster, root, tmp_path / "out")
    assert result.returncode == 1
    assert f"{article}:{line}: the image `../images/missing.png` does not exist" in result.stderr
    assert "2 of 3 editions built; failed:" in result.stderr
    assert tree(tmp_path / "out") == local
    assert f"building on the Dask cluster at {cluster.scheduler.address}" in result.stderr
    # This module's cluster is Dask's as it comes: the user is told what it costs.
    assert "run with Dask's MALLOC_TRIM_THRESHOLD_ and the profiler" in result.stderr
    assert "DASK_CONFIG=" in result.stderr


def test_the_cluster_started_for_a_build_has_publishers_dask_settings(monkeypatch):
    """--executor dask without a scheduler: a LocalCluster whose workers run without
    Dask's 64 KiB malloc trim threshold and without its profiler (both cost CPU)."""
    from publisher import DEFAULT_STYLES
    from publisher.run.cluster import DaskExecutor, settings_differ

    # Dask's nannies set it in the process that starts them (this module's cluster
    # did, in this test process); a command line starts in a clean one.
    monkeypatch.delenv("MALLOC_TRIM_THRESHOLD_", raising=False)

    with DaskExecutor(None, DEFAULT_STYLES, workers=1) as executor:
        assert list(executor.client.run(settings_differ).values()) == [[]]


def test_two_clients_with_disjoint_editions_share_one_output_folder(cluster, tmp_path):
    """Past one client's ceiling, several clients build ranges of an archive into one
    output folder at once: each edition's folder is its own, locked by its build."""
    first = make_archive(tmp_path / "first", 2)
    second = tmp_path / "second"
    for day in (3, 4):
        make_edition(second / f"2024-07-{day:02}", f"daily-{day:02}", f"日报第{day}期")
    out = tmp_path / "out"
    command = [sys.executable, "-m", "publisher", "build", "docx", "--out", str(out)]
    command += ["--scheduler", cluster.scheduler.address, "--archive"]
    clients = [
        subprocess.Popen(
            [*command, str(archive)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for archive in (first, second)
    ]
    said = [client.communicate(timeout=300) for client in clients]
    assert [client.returncode for client in clients] == [0, 0], said
    local = run_publisher("build", "docx", "--archive", first, "--out", tmp_path / "local")
    assert local.returncode == 0, local.stderr
    built = tree(out)
    assert sorted({name.split("/")[0] for name in built}) == [
        "daily-01", "daily-02", "daily-03", "daily-04",
    ]  # fmt: skip
    assert {k: v for k, v in built.items() if k.startswith(("daily-01", "daily-02"))} == (
        tree(tmp_path / "local")
    )


def count_submissions(executor) -> list[bytes]:
    """What the executor's client submits from now on, pickled as Dask sends it."""
    from distributed.protocol.pickle import dumps

    payloads: list[bytes] = []
    submit = executor.client.submit

    def counted(function, *arguments, **options):
        payloads.append(dumps((function, arguments)))
        return submit(function, *arguments, **options)

    executor.client.submit = counted
    return payloads


PHRASE = "村民的日子越过越红火".encode()  # the tiny edition's text, as pandoc's AST holds it


@pytest.mark.parametrize("route", ["shared", "ship"])
def test_the_shared_route_sends_no_source_through_the_scheduler(
    cluster, tmp_path, monkeypatch, route
):
    """What the client submits, pickled as Dask sends it, counted: by the shared route
    a unit names its inputs and carries no source text, AST or image; by the other
    route it carries the parsed article and the image's bytes."""
    from publisher import DEFAULT_STYLES
    from publisher.run.build import environment_key, load_edition, make_units, plan_outputs
    from publisher.run.build import run_unit as run_one
    from publisher.run.cluster import DaskExecutor

    monkeypatch.setenv("PUBLISHER_CLUSTER_ROUTE", route)
    edition_folder = make_edition(tmp_path / "edition", "daily", "日报")
    image = (edition_folder / "images" / "photo.png").read_bytes()
    out = tmp_path / "out"
    edition = load_edition(edition_folder)
    outputs = plan_outputs(edition, out, ["docx"], None, environment_key(DEFAULT_STYLES))
    units = make_units(edition, outputs, DEFAULT_STYLES, out / ".cache")
    with DaskExecutor(cluster.scheduler.address, DEFAULT_STYLES) as executor:
        payloads = count_submissions(executor)
        results = list(executor.map_unordered(run_one, units))
    assert all(r.error is None for r in results), results
    assert (out / "zh-Hans" / "daily.docx").is_file()
    sent = b"".join(payloads)
    if route == "shared":
        assert len(payloads) == len(units) == 2
        assert PHRASE not in sent and image[-64:] not in sent
        assert max(map(len, payloads)) < 20_000, [len(p) for p in payloads]
    else:
        assert PHRASE in sent and image[-64:] in sent


@pytest.mark.parametrize("route", ["shared", "ship"])
def test_by_the_shared_route_the_client_reads_no_article(cluster, tmp_path, monkeypatch, route):
    """A whole build through the shared route: a worker plans the edition (reads and
    parses it) and the client only submits; the client never loads the edition, and
    nothing it submits carries an article's text or an image."""
    import publisher.run.build as build_module
    from publisher import DEFAULT_STYLES
    from publisher.run.cluster import DaskExecutor

    monkeypatch.setenv("PUBLISHER_CLUSTER_ROUTE", route)
    edition_folder = make_edition(tmp_path / "edition", "daily", "日报")
    image = (edition_folder / "images" / "photo.png").read_bytes()
    local = tmp_path / "local"
    build_module.build_edition(edition_folder, local, ["docx", "epub"], jobs=1)
    if route == "shared":

        def tripwire(*arguments, **options):
            raise AssertionError("the client loaded the edition")

        monkeypatch.setattr(build_module, "load_edition", tripwire)
    out = tmp_path / "out"
    with DaskExecutor(cluster.scheduler.address, DEFAULT_STYLES) as executor:
        payloads = count_submissions(executor)
        written = build_module.build_edition(
            edition_folder, out, ["docx", "epub"], executor=executor
        )
    assert len(written) == 3  # the edition's DOCX and EPUB, the article's DOCX
    assert tree(out) == tree(local)
    sent = b"".join(payloads)
    if route == "shared":
        # The plan, then the units of the variant as one batch.
        assert len(payloads) == 1 + 1
        assert PHRASE not in sent and image[-64:] not in sent
    else:
        assert PHRASE in sent


def test_a_vertical_pdf_on_the_cluster_gives_the_local_bytes(cluster, tmp_path):
    """The vertical PDF's unit (Vivliostyle and chromium, font subsets) on a worker."""
    edition = make_edition(tmp_path / "edition", "daily", "日报")
    config = edition / "edition.yaml"
    config.write_text(
        config.read_text("utf-8") + "variants: [zh-Hans, zh-Hant-TW]\n"
        "pdf: {vertical: [zh-Hant-TW]}\n",
        "utf-8",
    )
    wanted = ("pdf", "--variant", "zh-Hant-TW", "--source", edition)
    local = run_publisher("build", *wanted, "--out", tmp_path / "local")
    assert local.returncode == 0, local.stderr
    remote = run_publisher(
        "build", *wanted, "--out", tmp_path / "out", "--scheduler", cluster.scheduler.address
    )
    assert remote.returncode == 0, remote.stderr
    built = tree(tmp_path / "out")
    assert sorted(built) == ["zh-Hant-TW/articles/01-news.pdf", "zh-Hant-TW/daily.pdf"]
    assert built == tree(tmp_path / "local")
    assert b"/Direction /R2L" in built["zh-Hant-TW/daily.pdf"]


def test_the_scheduler_may_come_from_the_environment(cluster, archive, tmp_path):
    root, *_ = archive
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "publisher",
            "build",
            "epub",
            "--source",
            root / "2024-07-01",
            "--out",
            tmp_path / "out",
        ],
        env={**os.environ, "PUBLISHER_SCHEDULER": cluster.scheduler.address},
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert f"building on the Dask cluster at {cluster.scheduler.address}" in result.stderr
    epub = tmp_path / "out" / "zh-Hans" / "daily-01.epub"
    assert epub.read_bytes() == archive[3]["daily-01/zh-Hans/daily-01.epub"]


def test_a_worker_with_other_fonts_is_refused_before_any_work(cluster, archive, tmp_path):
    """A third worker whose fontconfig knows only DejaVu, and which finds no chromium for
    the vertical PDF: real fc-match, real digests, the real engine lookup."""
    root, *_ = archive
    config = tmp_path / "fonts.conf"
    config.write_text(
        '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>'
        f"<dir>/usr/share/fonts/truetype/dejavu</dir><cachedir>{tmp_path}/fc</cachedir>"
        "</fontconfig>"
    )
    odd = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "distributed.cli.dask_worker",
            cluster.scheduler.address,
            "--nworkers",
            "1",
            "--nthreads",
            "1",
            "--name",
            "odd-fonts",
            "--no-dashboard",
        ],
        env={
            **os.environ,
            "FONTCONFIG_FILE": str(config),
            "PUBLISHER_CHROMIUM": str(tmp_path / "no-chromium"),
        },
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        cluster.wait_for_workers(3, timeout=60)
        result = on_cluster(cluster, root, tmp_path / "out")
        late = late_worker_checks(cluster, "odd-fonts")
    finally:
        odd.terminate()
        try:
            odd.wait(timeout=60)
        except subprocess.TimeoutExpired:
            odd.kill()
            odd.wait()
        deadline = time.monotonic() + 60  # until the scheduler has let it go
        while len(cluster.scheduler_info()["workers"]) > 2 and time.monotonic() < deadline:
            time.sleep(0.2)
    assert result.returncode == 1
    assert "odd-fonts" in result.stderr
    assert "font AR PL UKai CN:style=Regular: DejaVu" in result.stderr, result.stderr
    assert "vertical PDF engine Vivliostyle CLI" in result.stderr, result.stderr
    assert "chromium not installed (here: " in result.stderr, result.stderr
    assert "nothing was built" in result.stderr
    assert not (tmp_path / "out").exists() or tree(tmp_path / "out") == {}
    # A worker that joins once a build has begun (restarted, or added by an autoscaler)
    # was not in the first check: each unit checks its worker.
    assert all(outcome is None for name, outcome in late.items() if name != "odd-fonts")
    assert "not built on that worker" in str(late["odd-fonts"])
    assert "font AR PL UKai CN:style=Regular: DejaVu" in str(late["odd-fonts"])


def late_worker_checks(client, odd: str) -> dict[str, object]:
    """What the check each unit makes first says on every worker, as a build that began
    before ``odd`` joined expects (this machine's description): None, or the error."""
    from publisher import DEFAULT_STYLES
    from publisher.run.cluster import check_late_worker
    from publisher.run.environment import describe, font_families

    families = font_families(DEFAULT_STYLES)
    expected = (families, describe(families))
    outcomes = {}
    for address, worker in client.scheduler_info()["workers"].items():
        future = client.submit(check_late_worker, expected, workers=[address], pure=False)
        try:
            outcomes[worker["name"]] = future.result(timeout=120)
        except BuildError as error:
            outcomes[worker["name"]] = error
    assert odd in outcomes
    return outcomes


def test_worker_files_unused_for_a_week_go_when_a_build_ends(cluster, archive, tmp_path):
    """Input folders and cache files of the workers' machine, by their last use."""
    root, *_ = archive
    name = f"test-{uuid.uuid4().hex}"
    stale_folder, fresh_folder = worker_inputs() / f"{name}-old", worker_inputs() / f"{name}-new"
    stale_file = worker_cache() / f"{name}-old.json"
    for path in (stale_folder, fresh_folder):
        (path / "images").mkdir(parents=True)
        (path / "images" / "a.png").write_bytes(b"not read")
    stale_file.parent.mkdir(parents=True, exist_ok=True)
    stale_file.write_text("{}")
    week_and_a_day = time.time() - 8 * 24 * 3600
    for path in (stale_folder, stale_file):
        os.utime(path, (week_and_a_day, week_and_a_day))
    try:
        result = on_cluster(cluster, root / "2024-07-01", tmp_path / "out")
        assert (fresh_folder / "images" / "a.png").is_file()
    finally:
        shutil.rmtree(fresh_folder, ignore_errors=True)
    assert result.returncode == 0, result.stderr
    assert not stale_folder.exists() and not stale_file.exists()
    assert not list(worker_inputs().glob(f".pruned-{name}*"))
    assert (tmp_path / "out" / "zh-Hans" / "daily-01.pdf").is_file()


def test_a_worker_killed_mid_build_loses_no_output(cluster, archive, tmp_path):
    root, _, _, local = archive
    build = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "publisher",
            "build",
            *FORMATS,
            "--archive",
            str(root),
            "--out",
            str(tmp_path / "out"),
            "--executor",
            "dask",
            "--scheduler",
            cluster.scheduler.address,
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    killed = None
    deadline = time.monotonic() + 120
    while killed is None and build.poll() is None and time.monotonic() < deadline:
        busy = [w for w, keys in cluster.processing().items() if keys]
        if busy:
            pid = cluster.run(os.getpid, workers=busy[:1])[busy[0]]
            os.kill(pid, signal.SIGKILL)
            killed = busy[0]
        time.sleep(0.02)
    _, stderr = build.communicate(timeout=300)
    assert killed, "no unit was running to kill: " + stderr
    assert build.returncode == 1 and "2 of 3 editions built" in stderr, stderr
    assert tree(tmp_path / "out") == local
    cluster.wait_for_workers(2, timeout=60)  # the nanny started it again


def file_size_limit(limit: int):
    """For a worker process: files of at most ``limit`` bytes (a full quota); a longer
    write fails with EFBIG, since Python ignores SIGXFSZ."""

    def apply() -> None:
        import resource

        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return apply


@pytest.mark.parametrize("route", ["shared", "ship"])
def test_a_worker_whose_storage_fails_loses_no_output(tmp_path, monkeypatch, route):
    """A real `dask worker` process that cannot write a file longer than 16 KB (its
    quota is full) beside a good worker: every unit it takes fails there on writing
    its PDF, goes to the other worker, and the outputs are a local build's bytes."""
    monkeypatch.setenv("PUBLISHER_CLUSTER_ROUTE", route)
    edition = make_edition(tmp_path / "edition", "daily", "日报")
    yaml_file = edition / "edition.yaml"
    yaml_file.write_text(
        yaml_file.read_text(encoding="utf-8") + "variants: [zh-Hans, zh-Hant-TW, zh-Hant-HK]\n",
        encoding="utf-8",
    )
    local = run_publisher("build", "pdf", "--source", edition, "--out", tmp_path / "local")
    assert local.returncode == 0, local.stderr
    with (
        LocalCluster(
            n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None,
            silence_logs=logging.CRITICAL,
        ) as good,
        Client(good) as client,
    ):  # fmt: skip
        full = subprocess.Popen(
            [sys.executable, "-m", "distributed.cli.dask_worker", good.scheduler.address,
             "--nworkers", "1", "--nthreads", "1", "--name", "full-disk", "--no-dashboard"],
            preexec_fn=file_size_limit(16_000),
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            client.wait_for_workers(2, timeout=60)
            result = run_publisher(
                "build", "pdf", "--source", edition, "--out", tmp_path / "out",
                "--scheduler", good.scheduler.address,
            )  # fmt: skip
        finally:
            full.terminate()
            full.wait(timeout=60)
    assert result.returncode == 0, result.stderr
    assert "could not read or write its files (OSError: [Errno 27] File too large" in (
        result.stderr
    ), result.stderr  # the full worker took a unit, at least
    assert "it goes to another worker" in result.stderr
    assert tree(tmp_path / "out") == tree(tmp_path / "local")
    assert not list((tmp_path / "out").rglob(".publisher-tmp-*"))


def test_a_client_stopped_by_sigterm_leaves_no_partial_file(cluster, tmp_path):
    """SIGTERM to the client while workers write in place (the shared route): the units
    not started are cancelled, those running are waited for, and once the client has
    exited nothing is being written: no temporary file, and every output there is a
    local build's, byte for byte."""
    edition = make_edition(tmp_path / "edition", "daily", "日报")
    yaml_file = edition / "edition.yaml"
    yaml_file.write_text(
        yaml_file.read_text(encoding="utf-8") + "variants: [zh-Hans, zh-Hant-TW, zh-Hant-HK]\n",
        encoding="utf-8",
    )
    local = run_publisher("build", *FORMATS, "--source", edition, "--out", tmp_path / "local")
    assert local.returncode == 0, local.stderr
    out = tmp_path / "out"
    build = subprocess.Popen(
        [sys.executable, "-m", "publisher", "build", *FORMATS, "--source", str(edition),
         "--out", str(out), "--scheduler", cluster.scheduler.address],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "PUBLISHER_CLUSTER_ROUTE": "shared"},
    )  # fmt: skip
    deadline = time.monotonic() + 120
    while not list(out.rglob(".publisher-tmp-*")):  # a worker is writing an output
        assert build.poll() is None and time.monotonic() < deadline, build.communicate()
        time.sleep(0.01)
    build.send_signal(signal.SIGTERM)
    _, stderr = build.communicate(timeout=180)
    assert build.returncode == 143, stderr
    assert "Traceback" not in stderr, stderr
    assert not list(out.rglob(".publisher-tmp-*"))
    built = tree(out)
    expected = tree(tmp_path / "local")
    assert len(built) < len(expected), "the build was not stopped"
    for name, data in built.items():
        assert data == expected[name], name
    time.sleep(2)  # nothing of the build's is still running on a worker
    assert tree(out) == built and not list(out.rglob(".publisher-tmp-*"))
