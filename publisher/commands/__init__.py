"""What the user types: the command line, the live preview, the import of raw pages
and DOCX, a new edition, the file watcher.

May import: every stage. Nothing imports it but ``publisher.__main__``.
"""
