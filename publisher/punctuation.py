"""Chinese punctuation by where it sits in the em box (GB/T 15834, clreq §3.1)."""

# Opening marks (set with the blank on the left of the em box) and the closing
# mark of each (blank on the right).
PAIRS = dict(zip("“‘（《「『【〔〖〈", "”’）》」』】〕〗〉", strict=True))
OPENING = frozenset(PAIRS)
CLOSING = frozenset(PAIRS.values())
STOPS = frozenset("。，、：；！？")  # in the corner in Simplified Chinese; centred in Traditional
# What may not start a line (clreq §3.1.7): closing marks, stops, and the
# marks that belong to the character before them.
NO_LINE_START = CLOSING | STOPS | frozenset("…—·")
