import sys

try:
    from publisher.commands.cli import run
except ModuleNotFoundError as error:  # e.g. `python3 -m publisher` outside the .venv
    sys.exit(
        f"publisher: the Python module `{error.name}` is not installed for {sys.executable}; "
        "run `make` in the repository, then `.venv/bin/publisher` "
        "(or `make install-user` for a `publisher` command on your PATH)"
    )

# Guarded: a LocalCluster's worker processes start by importing the main module.
if __name__ == "__main__":
    run()
