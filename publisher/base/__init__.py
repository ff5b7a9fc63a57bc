"""Shared by every stage: the configuration models, the variant table, the types
the stages pass on (:mod:`.model`: the edition as read, and as parsed), errors and
limits, pandoc's runner, atomic writes.

May import: nothing of publisher but this package. Every stage may import it.
"""
