"""Copy-editing of the sources: half-width punctuation in Chinese text (GB/T 15834).

Contributors type ASCII commas and colons between Chinese characters (the raw
copy of the sample did throughout). autocorrect (huacnlee/autocorrect, a
well-kept linter for CJK copy) finds them, Markdown-aware, so code is left
alone. Only its punctuation rules are on: its spacing rules put a space
between Chinese and digits, which Chinese news does not.
"""

from __future__ import annotations

from functools import cache

import autocorrect_py as autocorrect

from .errors import warn
from .sources import ArticleSource, display_path

RULES = """
rules:
  fullwidth: 1
  no-space-fullwidth: 1
  space-word: 0
  space-punctuation: 0
  space-bracket: 0
  space-backticks: 0
  space-dash: 0
  space-dollar: 0
  halfwidth-word: 0
  halfwidth-punctuation: 0
  spellcheck: 0
"""


@cache
def _configured() -> None:
    autocorrect.load_config(RULES)


def check_punctuation(article: ArticleSource) -> int:
    """Warn, with file and line, where Chinese text holds half-width punctuation;
    return how many places do. The body is read as Markdown (code is not text);
    of the front matter, the headline fields (not its YAML syntax)."""
    _configured()
    shown = display_path(article.path)
    found = 0
    result = autocorrect.lint_for(article.body, "article.md")
    for line in result.lines:
        _report(shown, article.body_first_line + line.line - 1, line.old, line.new)
        found += 1
    for field in ("kicker", "title", "subtitle", "byline"):
        text = getattr(article.meta, field)
        if text and (fixed := autocorrect.format(text)) != text:
            _report(shown, article.meta_lines.get(field), text, fixed)
            found += 1
    return found


def _report(shown: str, line: int | None, old: str, new: str) -> None:
    warn(
        f"half-width punctuation in Chinese text (GB/T 15834): “{old[:40]}” "
        f"should read “{new[:40]}”",
        path=shown,
        line=line,
    )
