"""Chinese punctuation by where it sits in the em box (GB/T 15834, clreq §3.1), and
what counts as CJK text."""

import re

# Opening marks (set with the blank on the left of the em box) and the closing
# mark of each (blank on the right).
PAIRS = dict(zip("“‘（《「『【〔〖〈", "”’）》」』】〕〗〉", strict=True))
OPENING = frozenset(PAIRS)
CLOSING = frozenset(PAIRS.values())
STOPS = frozenset("。，、：；！？")  # in the corner in Simplified Chinese; centred in Traditional
# What may not start a line (clreq §3.1.7): closing marks, stops, and the
# marks that belong to the character before them.
NO_LINE_START = CLOSING | STOPS | frozenset("…—·")

# CJK text (what takes justification space in the PDF, the East Asian font in the
# DOCX): ideographs (with extensions and compatibility forms), kana, bopomofo,
# CJK symbols and punctuation, the full-width forms, and the marks Chinese text
# takes from General Punctuation and Latin-1 (“” ‘’ — … ·), which Chinese fonts
# set as CJK punctuation.
CJK = re.compile(
    "[\u00b7\u2014\u2018\u2019\u201c\u201d\u2026"
    "\u2e80-\u2fdf\u3000-\u30ff\u3100-\u312f\u31a0-\u31ff\u3400-\u4dbf\u4e00-\u9fff"
    "\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef\U00020000-\U0003ffff]"
)
