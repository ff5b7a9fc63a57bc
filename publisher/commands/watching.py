"""What a save means: the folders `publisher watch` and `publisher preview` watch.

Sources, images and the dictionary live in the source folder, the look in the
styles folder; the output folder is never watched (a build's own writes would
start the next build). watchfiles (Rust's notify) does the watching; its
default filter skips VCS folders and some editors' swap and backup files, and
:data:`EDITOR_TEMPORARY` the others editors and tools write beside a file they
save (vim's 4913 probe, sed -i's sedXXXXXX, Emacs's #autosave#, gedit's
.goutputstream-…, LibreOffice's lock), which are no saved source.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import watchfiles


def watched_folders(source: Path, styles_folder: Path) -> list[Path]:
    """The folders whose changes make a rebuild: the sources and the styles."""
    return list(dict.fromkeys(folder.resolve() for folder in (source, styles_folder)))


EDITOR_TEMPORARY = (
    r"^4913$",  # vim: can it write in the folder?
    r"^sed[A-Za-z0-9]{6}$",  # sed -i
    r"^#.*#$",  # Emacs's autosave
    r"^\.goutputstream-",  # gedit, GIO
    r"^\.~lock\..*#$",  # LibreOffice
    r"\.(tmp|temp|part|crdownload|kate-swp|bak|orig)$",  # (.swp, .swx: the default's)
    r"^\.?~",  # Word's ~$name, and others'
)


def source_filter(out: Path) -> watchfiles.DefaultFilter:
    """watchfiles' default filter, editors' temporary files, and nothing under the
    output folder."""
    patterns = (*watchfiles.DefaultFilter.ignore_entity_patterns, *EDITOR_TEMPORARY)
    return watchfiles.DefaultFilter(ignore_entity_patterns=patterns, ignore_paths=[out.resolve()])


def changes(
    source: Path, styles_folder: Path, out: Path, ready: Callable[[], None]
) -> Iterator[set[Path]]:
    """The files saved, a batch at a time, until Ctrl-C (which is raised).

    ``ready`` is called once the watcher runs, so that nothing saved after it
    (for instance during a first build it starts) goes unseen.
    """
    started = False
    for batch in watchfiles.watch(
        *watched_folders(source, styles_folder),
        watch_filter=source_filter(out),
        debounce=300,
        step=50,
        rust_timeout=1000,
        yield_on_timeout=True,  # an empty batch: the first one says the watcher is up
        raise_interrupt=True,
    ):
        if not started:
            started = True
            ready()
        if batch:
            yield {Path(path) for _change, path in batch}
