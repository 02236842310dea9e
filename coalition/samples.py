"""The sample city (Hartford, Connecticut): where it lives, and a copy for people who installed
the package.

An installed wheel ships the sample city folder as package data at ``coalition/_sample/hartford/``;
a source checkout has it at ``data/hartford/``. :func:`sample_dir` finds whichever exists and
:func:`copy_sample` writes a copy that a user can open, edit and load (``coalition sample DIR``).

Examples
--------
>>> sample_dir().name
'hartford'
>>> (sample_dir() / "city.toml").is_file()
True
"""

from __future__ import annotations

import logging
import os
import shutil
from pathlib import Path

from .errors import DataError

log = logging.getLogger(__name__)

PACKAGE_DIR = Path(__file__).resolve().parent
PACKAGED_SAMPLE = PACKAGE_DIR / "_sample" / "hartford"
CHECKOUT_SAMPLE = PACKAGE_DIR.parent / "data" / "hartford"
# What a city folder holds besides data: the raw downloads it was built from stay behind.
_NOT_COPIED = ("raw", "__pycache__")


def sample_dir() -> Path:
    """The sample city folder: the packaged copy when installed, else the checkout's.

    Returns
    -------
    pathlib.Path
        ``coalition/_sample/hartford`` when it exists (an installed wheel), otherwise
        ``data/hartford`` of the source checkout (which may be missing if neither is there).

    Examples
    --------
    >>> sample_dir().is_dir()
    True
    """
    return PACKAGED_SAMPLE if PACKAGED_SAMPLE.is_dir() else CHECKOUT_SAMPLE


def copy_sample(dest: str | os.PathLike) -> Path:
    """Write the sample city folder into ``dest`` (created; it must not hold files already).

    Parameters
    ----------
    dest : path-like
        The folder to create. A relative path means the current working directory.

    Returns
    -------
    pathlib.Path
        The absolute path of the folder written.

    Raises
    ------
    DataError
        When ``dest`` exists and is not an empty folder (nothing is overwritten), when it cannot
        be written, or when this installation has no sample city.

    Examples
    --------
    >>> import tempfile
    >>> folder = copy_sample(Path(tempfile.mkdtemp()) / "hartford")
    >>> (folder / "organizations.csv").is_file()
    True
    """
    source = sample_dir()
    if not source.is_dir():
        raise DataError(
            f"This installation has no sample city (looked in {PACKAGED_SAMPLE} and "
            f"{CHECKOUT_SAMPLE}). Reinstall the package."
        )
    target = Path(dest).expanduser().absolute()
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise DataError(
            f"{target} already exists and is not an empty folder: choose a new "
            "folder name (nothing was overwritten)."
        )
    try:
        shutil.copytree(
            source, target, ignore=shutil.ignore_patterns(*_NOT_COPIED), dirs_exist_ok=True
        )
    except OSError as exc:
        raise DataError(
            f"Cannot write the sample city to {target} ({exc.strerror or exc}). "
            "Choose a folder you can write to."
        ) from exc
    log.info("copied the sample city from %s to %s", source, target)
    return target
