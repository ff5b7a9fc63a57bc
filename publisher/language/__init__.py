"""Language: the Traditional variants of the parsed edition (OpenCC on text only),
and the reports on them (the ambiguity report, the review list).

May import: publisher.base, publisher.read, publisher.document.
"""
