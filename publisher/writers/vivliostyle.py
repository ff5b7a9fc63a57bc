"""Vivliostyle CLI (npm) on Debian's chromium: the engine of the vertical PDF.

WeasyPrint has no ``writing-mode``, and chromium's own printing turns every page
after the first horizontal; Vivliostyle paginates vertical CSS in the browser
(``@page`` rules, running heads, multi-column tiers) and prints each page. This
module finds the engine and the browser, names their versions (part of the
vertical PDFs' keys and of a cluster worker's check) and runs them; it knows
nothing of editions.
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path

from publisher import CODE
from publisher.base.errors import BuildError

PACKAGE = "@vivliostyle/cli"  # pinned in package.json, installed by `make`
COMMAND = "vivliostyle"
BROWSERS = ("chromium", "chromium-browser")
# A vertical PDF of a few hundred pages takes well under this on one core.
TIMEOUT_SECONDS = 600


def _node_modules() -> Path:
    # Beside the package in a checkout (where `make` runs `npm ci`).
    return CODE.parent / "node_modules"


def engine_command() -> list[str]:
    """Vivliostyle's command: PUBLISHER_VIVLIOSTYLE, else the one `make` installed beside
    the package (node_modules), else one on the PATH."""
    if shutil.which("node") is None:
        raise BuildError(
            "the vertical PDF (pdf: {vertical: …}) needs node, which is not installed: "
            "run `make` (it installs nodejs), or apt-get install nodejs"
        )
    named = os.environ.get("PUBLISHER_VIVLIOSTYLE")
    candidates = [named] if named else []
    candidates += [str(_node_modules() / ".bin" / COMMAND), COMMAND]
    for candidate in candidates:
        found = shutil.which(candidate)
        if found:
            return [found]
    raise BuildError(
        f"the vertical PDF (pdf: {{vertical: …}}) needs Vivliostyle CLI, which is not "
        f"installed: run `make` in the repository (npm installs {PACKAGE} from "
        "package.json), or set PUBLISHER_VIVLIOSTYLE to its vivliostyle command"
    )


def browser() -> str:
    """The chromium Vivliostyle prints with: PUBLISHER_CHROMIUM, else Debian's."""
    named = os.environ.get("PUBLISHER_CHROMIUM")
    for candidate in [named] if named else BROWSERS:
        found = shutil.which(candidate)
        if found:
            return found
    raise BuildError(
        "the vertical PDF (pdf: {vertical: …}) needs chromium, which is not installed: "
        "run `make` (it installs Debian's chromium), or set PUBLISHER_CHROMIUM to a "
        "chromium or chrome binary"
    )


def check_installed() -> None:
    """Stop with what to install unless node, Vivliostyle and chromium are here."""
    engine_command()
    browser()


def _package_version(folder: Path) -> str | None:
    try:
        return str(json.loads((folder / "package.json").read_text("utf-8"))["version"])
    except (OSError, ValueError, KeyError):
        return None


def engine_versions() -> str:
    """Vivliostyle's and chromium's versions, as one line ("not installed" for what is
    missing): the vertical PDF's bytes depend on both."""
    try:
        command = Path(engine_command()[0]).resolve()
    except BuildError:
        engine = "Vivliostyle not installed"
    else:
        # node_modules/@vivliostyle/cli/dist/cli.js -> the package's folder
        package = next((p for p in command.parents if (p / "package.json").is_file()), None)
        version = _package_version(package) if package else None
        engine = f"Vivliostyle CLI {version or 'of unknown version'}"
    try:
        found = browser()
    except BuildError:
        return f"{engine}, chromium not installed"
    return f"{engine}, {_browser_version(found, *_stamp(found))}"


def _stamp(path: str) -> tuple[int, int]:
    stat = Path(path).resolve().stat()
    return stat.st_size, stat.st_mtime_ns


@functools.cache
def _browser_version(path: str, size: int, mtime_ns: int) -> str:
    result = subprocess.run(
        [path, "--version"], capture_output=True, text=True, check=False, timeout=60
    )
    return result.stdout.strip().split(" built on")[0] or f"{Path(path).name} (no version)"


def render(documents: Sequence[tuple[Path, Path]], folder: Path) -> None:
    """Lay out each HTML file and print it to its PDF (pairs of paths inside ``folder``),
    in one run of Vivliostyle. Nothing is fetched: the documents hold their images,
    and their fonts lie in ``folder``, which Vivliostyle serves on the loopback."""
    command = engine_command()
    chromium = browser()
    config = folder / "vivliostyle.config.js"
    entries = [
        {"entry": html.relative_to(folder).as_posix(), "output": pdf.relative_to(folder).as_posix()}
        for html, pdf in documents
    ]
    config.write_text(f"module.exports = {json.dumps(entries, ensure_ascii=False)};\n", "utf-8")
    environment = dict(os.environ)
    # No browser download, no update check, no telemetry: the engine is what make installed.
    environment.update(PUPPETEER_SKIP_DOWNLOAD="1", NO_UPDATE_NOTIFIER="1", CI="1")
    arguments = [*command, "build", "--config", config.name, "--executable-browser", chromium]
    arguments += ["--log-level", "info"]
    try:
        result = subprocess.run(
            arguments, cwd=folder, env=environment, timeout=TIMEOUT_SECONDS,
            capture_output=True, text=True, check=False,
        )  # fmt: skip
    except subprocess.TimeoutExpired:
        raise BuildError(
            f"Vivliostyle did not finish the vertical PDF within {TIMEOUT_SECONDS} s"
        ) from None
    missing = [pdf for _, pdf in documents if not pdf.is_file()]
    if result.returncode != 0 or missing:
        said = (result.stderr.strip() or result.stdout.strip())[-600:] or "no message"
        raise BuildError(
            f"Vivliostyle could not lay out the vertical PDF (exit {result.returncode}): "
            f"{said}\n  what to do: check that `{command[0]} --version` and "
            f"`{chromium} --version` run; `make` installs both"
        )
