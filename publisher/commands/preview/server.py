"""The preview server: Starlette on uvicorn, server-sent events (sse-starlette), watchfiles.

State lives in one :class:`Preview`. A save bumps its generation; the variants
someone is reading are rebuilt at once (in a thread: the web edition's writer), and
every open page is told over its event stream, either to refresh in place or to
show the error. Each article's PDF is rebuilt in the background by the real
``publisher build pdf`` in a child process, so WeasyPrint's time and memory
stay out of the server and a Ctrl-C interrupts it as it would a build.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import signal
import socket
import sys
import traceback
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import anyio
import uvicorn
import watchfiles
from sse_starlette import EventSourceResponse
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, RedirectResponse, Response
from starlette.routing import Route

from publisher.base.errors import PublisherError, logger
from publisher.commands.preview.site import Site, error_page, render_site
from publisher.commands.watching import source_filter, watched_folders
from publisher.run.build_record import CACHE_FOLDER

LIVE_SCRIPT = Path(__file__).with_name("live.js")
NO_CACHE = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}


def _message(error: BaseException) -> str:
    if isinstance(error, PublisherError):
        return str(error)
    # A bug in publisher: the page says so, the terminal keeps the traceback.
    logger.error("".join(traceback.format_exception(error)))
    return f"internal error ({type(error).__name__}: {error}); see the terminal"


class Preview:
    """The edition being previewed: its built variants, its error, its open pages."""

    def __init__(self, source: Path, out: Path, styles_folder: Path, variants: list[str]) -> None:
        self.source, self.out, self.styles_folder = source, out, styles_folder
        self.variants = variants  # published, canonical tags; the first is shown first
        self.generation = 0  # bumped by every save
        self.error: str | None = None
        self.failed = -1  # the generation whose sources failed to build
        self.sites: dict[str, Site] = {}
        self.lock = asyncio.Lock()
        self.pages: dict[asyncio.Queue, str] = {}  # one queue per open page -> its variant
        self.pdfs: dict[str, dict] = {}  # variant -> {"generation", "state", "error"}
        self.pdf_wanted = asyncio.Event()
        self.pdf_process: asyncio.subprocess.Process | None = None

    # ------------------------------------------------------------ building

    async def site(self, tag: str) -> Site | None:
        """``tag``'s pages for the current sources; the last good ones if the sources fail."""
        async with self.lock:
            current = self.sites.get(tag)
            # Current, or the sources fail now: the last good pages, under the error.
            if current and self.generation in (current.generation, self.failed):
                return current
            generation = self.generation
            try:
                site = await anyio.to_thread.run_sync(
                    render_site,
                    self.source,
                    tag,
                    self.variants,
                    self.out,
                    self.out / CACHE_FOLDER,
                    self.styles_folder,
                    generation,
                )
            except Exception as error:
                self.error, self.failed = _message(error), generation
                logger.error(self.error)
                return current
            self.sites[tag] = site
            return site

    async def changed(self) -> None:
        """The sources or styles were saved: rebuild what is being read, tell every page."""
        self.generation += 1
        self.error, self.failed = None, -1
        for tag in sorted(set(self.pages.values())):
            await self.site(tag)
        if not self.error and self.pages:
            logger.info("preview: rebuilt %s", ", ".join(sorted(set(self.pages.values()))))
        self.notify()
        self.pdf_wanted.set()

    async def watch(self, stop: asyncio.Event) -> None:
        async for _changes in watchfiles.awatch(
            *watched_folders(self.source, self.styles_folder),
            watch_filter=source_filter(self.out),
            stop_event=stop,
            debounce=300,
            step=50,
        ):
            await self.changed()

    async def build_pdfs(self) -> None:
        """Each variant being read gets its PDFs rebuilt after every good save, one at a time."""
        while True:
            await self.pdf_wanted.wait()
            self.pdf_wanted.clear()
            for tag in sorted(set(self.pages.values())):
                generation = self.generation
                done = self.pdfs.get(tag, {}).get("generation") == generation
                if done or self.failed == generation:
                    continue
                self.pdfs[tag] = {"generation": generation, "state": "building"}
                self.notify()
                error = await self.run_pdf_build(tag)
                self.pdfs[tag] = {
                    "generation": generation,
                    "state": "failed" if error else "ready",
                    "error": error,
                }
                self.notify()
                if self.generation != generation:
                    self.pdf_wanted.set()

    async def run_pdf_build(self, tag: str) -> str | None:
        """``publisher build pdf`` of one variant's articles (their own PDFs, not the
        edition's: the pages link to those); its error message, or None."""
        site = self.sites.get(tag)
        articles = [option for slug in site.pdfs for option in ("--article", slug)] if site else []
        self.pdf_process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "publisher",
            "--quiet",
            "build",
            "pdf",
            *articles,
            "--variant",
            tag,
            "--source",
            str(self.source),
            "--out",
            str(self.out),
            "--styles",
            str(self.styles_folder),
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
        )
        _, stderr = await self.pdf_process.communicate()
        code, self.pdf_process = self.pdf_process.returncode, None
        if code == 0:
            return None
        return stderr.decode("utf-8", "replace").strip() or f"exit code {code}"

    async def stop_pdf_build(self) -> None:
        """Interrupt a running PDF build as Ctrl-C would: it leaves no half-written file."""
        process = self.pdf_process
        if process is None or process.returncode is not None:
            return
        process.send_signal(signal.SIGINT)
        try:
            await asyncio.wait_for(process.wait(), 15)
        except TimeoutError:
            process.kill()
            await process.wait()

    # ------------------------------------------------------------ pages

    def state(self, tag: str) -> dict:
        """What a page of ``tag`` is told: the generation to show, the error, its PDFs."""
        pdf = self.pdfs.get(tag, {})
        current = pdf.get("generation") == self.generation
        return {
            "generation": self.generation,
            "error": self.error,
            "pdf": pdf.get("state") if current or pdf.get("state") == "building" else "stale",
            "pdf_error": pdf.get("error"),
        }

    def notify(self) -> None:
        for queue in self.pages:
            queue.put_nowait(None)


def create_app(preview: Preview) -> Starlette:
    """The routes. Every name is looked up in what was built; none is joined to a path."""

    def known(tag: str) -> bool:
        return tag in preview.variants

    async def home(request: Request) -> Response:
        return RedirectResponse(f"/{preview.variants[0]}/", status_code=307)

    async def variant_home(request: Request) -> Response:
        tag = request.path_params["tag"]
        if not known(tag):
            return Response("not found", 404)
        site = await preview.site(tag)
        if site is None:
            return Response(
                error_page(preview.error or "", tag, preview.variants),
                media_type="text/html; charset=utf-8",
                headers=NO_CACHE,
            )
        return RedirectResponse(f"/{tag}/{site.contents}", status_code=307)

    async def page(request: Request) -> Response:
        tag, name = request.path_params["tag"], request.path_params["name"]
        if not known(tag):
            return Response("not found", 404)
        site = await preview.site(tag)
        if site is None:
            body = error_page(preview.error or "", tag, preview.variants)
            return Response(body, 503, media_type="text/html; charset=utf-8", headers=NO_CACHE)
        if name not in site.files:
            return Response("not found", 404)
        return Response(site.files[name], media_type=site.media_type(name), headers=NO_CACHE)

    async def pdf(request: Request) -> Response:
        tag, name = request.path_params["tag"], request.path_params["name"]
        site = preview.sites.get(tag) if known(tag) else None
        slug = name.removesuffix(".pdf")
        path = site.pdfs.get(slug) if site and name.endswith(".pdf") else None
        if path is None or not path.is_file():
            return Response("not found", 404)
        return FileResponse(path, media_type="application/pdf", headers=NO_CACHE)

    async def script(request: Request) -> Response:
        return FileResponse(LIVE_SCRIPT, media_type="text/javascript", headers=NO_CACHE)

    async def events(request: Request) -> Response:
        tag = request.query_params.get("variant", "")
        if not known(tag):
            return Response("not found", 404)
        queue: asyncio.Queue = asyncio.Queue()
        preview.pages[queue] = tag
        preview.pdf_wanted.set()

        async def stream() -> AsyncIterator[dict]:
            try:
                while True:
                    yield {"event": "state", "data": json.dumps(preview.state(tag))}
                    await queue.get()
            finally:
                preview.pages.pop(queue, None)

        return EventSourceResponse(stream(), ping=15, headers=NO_CACHE)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        stop = asyncio.Event()
        tasks = [
            asyncio.create_task(preview.watch(stop)),
            asyncio.create_task(preview.build_pdfs()),
        ]
        try:
            yield
        finally:
            stop.set()
            for task in tasks:
                task.cancel()
            await preview.stop_pdf_build()
            await asyncio.gather(*tasks, return_exceptions=True)

    return Starlette(
        routes=[
            Route("/", home),
            Route("/_preview/live.js", script),
            Route("/_preview/events", events),
            Route("/_preview/pdf/{tag}/{name}", pdf),
            Route("/{tag}/", variant_home),
            Route("/{tag}/{name:path}", page),
        ],
        lifespan=lifespan,
    )


def serve(
    source: Path,
    out: Path,
    styles_folder: Path,
    variants: list[str],
    host: str = "127.0.0.1",
    port: int = 8000,
    announce: Callable[[str], None] = print,
) -> None:
    """Serve until Ctrl-C. ``announce`` is told the URL once the socket listens."""
    preview = Preview(source, out, styles_folder, variants)
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as error:
        raise PublisherError(
            f"cannot listen on {host}:{port}: {error.strerror}; choose another --port"
        ) from None
    bound = sock.getsockname()[1]
    shown = f"[{host}]" if ":" in host else host
    config = uvicorn.Config(
        create_app(preview),
        log_level=logging.WARNING,
        access_log=False,
        timeout_graceful_shutdown=5,
        lifespan="on",
    )
    server = uvicorn.Server(config)
    sock.listen()  # connections wait from now on, before uvicorn has started
    announce(f"http://{shown}:{bound}/")
    # uvicorn shuts down gracefully on Ctrl-C, then raises it again: the normal way out.
    with contextlib.suppress(KeyboardInterrupt):
        server.run(sockets=[sock])
