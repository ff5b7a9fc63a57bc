"""Shared by every stage: the configuration models, the variant table, the parsed
edition's types (:mod:`.model`), errors and limits, pandoc's runner and AST
helpers, atomic writes.

May import: nothing of publisher but this package. Every stage may import it.
"""
