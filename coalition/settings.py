"""Paths and defaults, in one place.

Every path can be overridden by an environment variable so that tests, CI and deployments can
point the tool elsewhere without code changes:

- ``COALITION_DB``: the store (a SQLite file path or an SQLAlchemy URL).
- ``COALITION_DATA_DIR``: the city folder loaded into an empty store on first run.
- ``COALITION_MAPS_DIR``: where ``coalition maps`` writes HTML files.
"""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
PACKAGE_DIR = Path(__file__).resolve().parent
STATIC_DIR = PACKAGE_DIR / "static"

DEFAULT_DB_PATH = PROJECT_ROOT / "coalition.db"
DEFAULT_DATA_DIR = PROJECT_ROOT / "data" / "hartford"
DEFAULT_MAPS_DIR = PROJECT_ROOT / "maps"

# Uploads larger than this are refused before parsing (spreadsheets expand in memory).
MAX_UPLOAD_BYTES = 50 * 1024 * 1024
# Counts smaller than this are suppressed in shared views (privacy: no identifiable small groups).
SMALL_COUNT_THRESHOLD = 5
# Default analysis parameters.
DEFAULT_K = 3
DEFAULT_SEED = 20100
DEFAULT_STABILITY_RUNS = 20_000  # enough for shares stable to ±0.02 between seeds
# Versions of the data kept in the store's history (older ones are deleted on each write).
HISTORY_LIMIT = 50


def db_url(path_or_url: str | os.PathLike | None = None) -> str:
    """The SQLAlchemy URL of the store.

    Parameters
    ----------
    path_or_url : str or path-like, optional
        A file path or a full SQLAlchemy URL. Defaults to ``COALITION_DB`` or ``coalition.db``
        in the project root.

    Examples
    --------
    >>> db_url("/tmp/x.db")
    'sqlite:////tmp/x.db'
    """
    value = path_or_url if path_or_url is not None else os.environ.get("COALITION_DB")
    if value is None:
        value = DEFAULT_DB_PATH
    text = str(value)
    if "://" in text:
        return text
    return f"sqlite:///{Path(text).expanduser().resolve()}"


def data_dir() -> Path:
    """The city folder loaded on first run (``COALITION_DATA_DIR`` or ``data/hartford``)."""
    return Path(os.environ.get("COALITION_DATA_DIR", DEFAULT_DATA_DIR))


def maps_dir() -> Path:
    """Where generated maps are written (``COALITION_MAPS_DIR`` or ``maps/``)."""
    return Path(os.environ.get("COALITION_MAPS_DIR", DEFAULT_MAPS_DIR))


def read_only() -> bool:
    """True when ``COALITION_READ_ONLY`` is 1/true/yes: the dashboard then offers no recording.

    For a screen shown to a commission, or a shared machine, where nobody should change data.

    Examples
    --------
    >>> import os; os.environ["COALITION_READ_ONLY"] = "yes"; read_only()
    True
    >>> del os.environ["COALITION_READ_ONLY"]; read_only()
    False
    """
    return os.environ.get("COALITION_READ_ONLY", "").strip().lower() in {"1", "true", "yes"}
