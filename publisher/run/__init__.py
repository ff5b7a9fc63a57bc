"""Running builds: the plan of outputs and units, the build record that answers a
no-op, local and Dask executors, archives, output storage, progress and stop signals.

May import: every stage before it (base, read, document, language, writers).
"""
