"""``publisher preview``: the edition in the browser, refreshed on every save.

:mod:`.site` makes a variant's pages (the web edition's own HTML and CSS);
:mod:`.server` serves them and refreshes them; ``live.js`` is the page's side.
"""

from __future__ import annotations

from publisher.commands.preview.server import serve

__all__ = ["serve"]
