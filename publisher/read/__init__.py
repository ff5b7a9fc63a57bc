"""Reading and validating what the user wrote: the source folder (edition.yaml,
articles, images, dictionary) and the styles folder. Files in, checked values out;
every error names its file and line.

May import: publisher.base.
"""
