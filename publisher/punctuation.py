"""Chinese punctuation by where it sits in the em box (GB/T 15834, clreq §3.1)."""

# Set in the corner of the em box with the blank on the right …
CLOSING = frozenset("”’）》」』】〕〗〉")
STOPS = frozenset("。，、：；！？")  # … in Simplified Chinese; centred in Traditional
# … and with the blank on the left.
OPENING = frozenset("“‘（《「『【〔〖〈")
# What may not start a line (clreq §3.1.7): closing marks, stops, and the
# marks that belong to the character before them.
NO_LINE_START = CLOSING | STOPS | frozenset("…—·")
