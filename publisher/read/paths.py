"""Paths as the user names them, for every message (light: the command line's quick
roads import it without the reading stage's libraries)."""

from __future__ import annotations

from pathlib import Path


def display_path(path: Path | str) -> str:
    """A path as the user would type it: relative to the working folder when inside it."""
    path = Path(path).absolute()
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)
