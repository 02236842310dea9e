"""Paths and defaults, in one place.

Every path can be overridden by an environment variable so that tests, CI and deployments can
point the tool elsewhere without code changes:

- ``COALITION_DB``: the store (a SQLite file path or an SQLAlchemy URL).
- ``COALITION_DATA_DIR``: the city folder loaded into an empty store on first run.
- ``COALITION_MAPS_DIR``: where ``coalition maps`` writes HTML files.

Nothing an installed package needs hangs off the source tree: relative paths (the defaults
``coalition.db`` and ``maps/``, and relative values of the variables above or of ``--db``) mean
the caller's working directory, and the sample city is found by :func:`coalition.samples.sample_dir`
(package data when installed, ``data/hartford`` in a checkout).
"""

from __future__ import annotations

import os
from pathlib import Path

from .samples import sample_dir

# The source checkout (tests, benchmarks and scripts only: an installed package never needs it).
PROJECT_ROOT = Path(__file__).resolve().parent.parent
PACKAGE_DIR = Path(__file__).resolve().parent
STATIC_DIR = PACKAGE_DIR / "static"

# Relative to the caller's working directory (resolved when used, not at import).
DEFAULT_DB_PATH = Path("coalition.db")
DEFAULT_MAPS_DIR = Path("maps")

# Uploads larger than this are refused before parsing (spreadsheets expand in memory).
MAX_UPLOAD_BYTES = 50 * 1024 * 1024
# Counts of residents or members below this are shown as a range ("fewer than 11") to anyone
# without exact-count rights (privacy: no identifiable small groups). Configurable with
# COALITION_SMALL_COUNT_THRESHOLD, never below SMALL_COUNT_FLOOR (see small_count_threshold()).
SMALL_COUNT_THRESHOLD = 11
SMALL_COUNT_FLOOR = 5
# Accounts (coalition.accounts): a session ends after this long without a request, and in any
# case this long after signing in; an account is locked for LOCKOUT_MINUTES after LOCKOUT_AFTER
# failed sign-ins in a row. Passwords are at least PASSWORD_MIN_LENGTH characters.
SESSION_IDLE_MINUTES = 30
SESSION_MAX_HOURS = 12
LOCKOUT_AFTER = 5
LOCKOUT_MINUTES = 15
PASSWORD_MIN_LENGTH = 10
# Default analysis parameters.
DEFAULT_K = 3
DEFAULT_SEED = 20100
DEFAULT_STABILITY_RUNS = 20_000  # enough for shares stable to ±0.02 between seeds
# Map display (coalition.maps): neighborhood boundaries are simplified together (shared borders stay
# shared) with this tolerance in metres, and coordinates rounded to this many decimals of a degree
# (5 decimals: about 1 m). Display only: analyses always use the exact boundaries.
MAP_SIMPLIFY_METRES = 10.0
MAP_COORDINATE_DECIMALS = 5
# Every version stays readable; an old version is read from the snapshot before it plus at most
# this many edits (a snapshot is added after this many edits in a row).
CHECKPOINT_EVERY = 200
# Keep that snapshot in a background thread (the edit that makes it due does not wait for it).
CHECKPOINT_IN_BACKGROUND = True
# How long a write waits for another one to finish before it fails (SQLite busy timeout), in ms:
# longer than the longest write (loading a 100,000-tie city takes about 20 s on a laptop).
BUSY_TIMEOUT_MS = 60_000
# Times a write is tried while another one holds the lock past the busy timeout.
WRITE_ATTEMPTS = 5


def db_url(path_or_url: str | os.PathLike | None = None) -> str:
    """The SQLAlchemy URL of the store.

    Parameters
    ----------
    path_or_url : str or path-like, optional
        A file path or a full SQLAlchemy URL. Defaults to ``COALITION_DB`` or ``coalition.db``.
        A relative path means the current working directory (made absolute here, so that a
        child process started elsewhere, such as the dashboard's server, opens the same file).

    Examples
    --------
    >>> db_url("/tmp/x.db")
    'sqlite:////tmp/x.db'
    >>> db_url("x.db") == f"sqlite:///{Path.cwd().resolve() / 'x.db'}"
    True
    """
    value = path_or_url if path_or_url is not None else os.environ.get("COALITION_DB")
    if value is None:
        value = DEFAULT_DB_PATH
    text = str(value)
    if "://" in text:
        return text
    return f"sqlite:///{Path(text).expanduser().resolve()}"


def data_dir() -> Path:
    """The city folder loaded into an empty store: ``COALITION_DATA_DIR`` or the sample city.

    Examples
    --------
    >>> data_dir() == sample_dir() or "COALITION_DATA_DIR" in os.environ
    True
    """
    value = os.environ.get("COALITION_DATA_DIR")
    return Path(value).expanduser().absolute() if value else sample_dir()


def maps_dir() -> Path:
    """Where generated maps go: ``COALITION_MAPS_DIR`` or ``maps/`` in the working directory.

    Examples
    --------
    >>> maps_dir() == Path.cwd() / "maps" or "COALITION_MAPS_DIR" in os.environ
    True
    """
    return Path(os.environ.get("COALITION_MAPS_DIR", DEFAULT_MAPS_DIR)).expanduser().absolute()


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


def small_count_threshold() -> int:
    """The small-count threshold: ``COALITION_SMALL_COUNT_THRESHOLD`` or 11, never below 5.

    Raises
    ------
    coalition.errors.ConfigError
        When the variable is not a whole number, or is below :data:`SMALL_COUNT_FLOOR`.

    Examples
    --------
    >>> os.environ.pop("COALITION_SMALL_COUNT_THRESHOLD", None) and None
    >>> small_count_threshold() == SMALL_COUNT_THRESHOLD
    True
    """
    from .errors import ConfigError

    text = os.environ.get("COALITION_SMALL_COUNT_THRESHOLD", "").strip()
    if not text:
        return SMALL_COUNT_THRESHOLD
    try:
        value = int(text)
    except ValueError:
        raise ConfigError(
            f"COALITION_SMALL_COUNT_THRESHOLD is {text!r}; set it to a whole number of at least "
            f"{SMALL_COUNT_FLOOR} (default {SMALL_COUNT_THRESHOLD}), or unset it."
        ) from None
    if value < SMALL_COUNT_FLOOR:
        raise ConfigError(
            f"COALITION_SMALL_COUNT_THRESHOLD is {value}; it may not be below {SMALL_COUNT_FLOOR}, "
            "because smaller groups of residents could be identified. Set it to "
            f"{SMALL_COUNT_FLOOR} or more (default {SMALL_COUNT_THRESHOLD})."
        )
    return value
