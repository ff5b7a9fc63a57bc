"""The default styles ship inside the wheel.

The top-level ``styles/`` folder is the one copy of the default look: the
sample, ``make`` and an editable install read it there. A wheel (``pip install
.``, ``pipx install .``, ``uv tool install .``) gets it copied in as
``publisher/data/styles``, where :data:`publisher.DEFAULT_STYLES` finds it.
Everything else about the package is in pyproject.toml.
"""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py


class BuildWithStyles(build_py):
    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return  # an editable install reads styles/ where it is
        target = Path(self.build_lib, "publisher", "data", "styles")
        shutil.copytree(
            Path(__file__).parent / "styles",
            target,
            dirs_exist_ok=True,
            ignore=shutil.ignore_patterns("__pycache__", "*.pyc"),
        )


setup(cmdclass={"build_py": BuildWithStyles})
