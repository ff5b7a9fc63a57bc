"""The document: each article's Markdown parsed once by pandoc into its AST (cached
by content), links between articles resolved, raw HTML cleaned, copy-editing checks.

May import: publisher.base, publisher.read.
"""
