"""Build hook: the wheel carries the sample city, without a second copy of it in git.

Everything else about the package is declared in pyproject.toml. ``build_py`` copies
``data/hartford/`` (the data folder the README and ``make run`` use, without ``raw/``: the public
source files ``make sample`` rebuilds it from) into the build as ``coalition/_sample/hartford/``,
where an installed package finds it (``coalition.samples``). An editable install reads the
checkout's ``data/hartford/`` directly, so nothing is copied there. The sdist carries
``data/hartford/`` too (MANIFEST.in), so a wheel built from the sdist has the sample as well.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
SAMPLE = HERE / "data" / "hartford"
LEFT_OUT = {"raw"}  # source files for `make sample`, not needed to load the city
TARGET = ("coalition", "_sample", "hartford")


class BuildPyWithSample(build_py):
    """``build_py`` that also copies the sample city into the built package."""

    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return
        if not (SAMPLE / "city.toml").is_file():
            raise SystemExit(
                f"The sample city is missing ({SAMPLE}): build from a checkout or "
                "from the project's sdist, which both carry data/hartford/."
            )
        target = Path(self.build_lib, *TARGET)
        if target.exists():
            shutil.rmtree(target)
        shutil.copytree(
            SAMPLE,
            target,
            ignore=lambda folder, names: [
                n for n in names if Path(folder) == SAMPLE and n in LEFT_OUT
            ],
        )


setup(cmdclass={"build_py": BuildPyWithSample})
