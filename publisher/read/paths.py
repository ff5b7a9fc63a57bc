"""Paths as the user names them, for every message (light: the command line's quick
roads import it without the reading stage's libraries)."""

from __future__ import annotations

from pathlib import Path

from publisher.base import yamltext

EDITION_FILE = "edition.yaml"


def display_path(path: Path | str) -> str:
    """A path as the user would type it: relative to the working folder when inside it."""
    path = Path(path).absolute()
    try:
        relative = path.relative_to(Path.cwd())
    except ValueError:
        return str(path)
    return str(relative) if relative.parts else str(path)  # the working folder itself: whole


def default_source() -> Path:
    """The edition a command works on without --source: the current folder if it is an
    edition's (it holds edition.yaml), else ``source/`` (the repository's sample)."""
    return Path(".") if Path(EDITION_FILE).is_file() else Path("source")


def _setting(root: Path, key: str) -> str | None:
    """A text setting of edition.yaml, read without the schema (the quick roads)."""
    try:
        config = yamltext.load((root / EDITION_FILE).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError, yamltext.yaml.YAMLError):
        return None
    value = config.get(key) if isinstance(config, dict) else None
    return value if isinstance(value, str) and value.strip() else None


def styles_folder(root: Path) -> Path | None:
    """The edition's own styles folder (edition.yaml `styles:`), if it names one."""
    named = _setting(root, "styles")
    return root / named if named else None


def output_folder(root: Path) -> Path:
    """Where an edition's builds go without --out: edition.yaml's `output:`, relative to
    the edition's folder, else its own ``build/``, so that editions never share outputs.
    An edition.yaml that does not read gives ``build/``, and the build then says what
    is wrong with it."""
    return root / (_setting(root, "output") or "build")
