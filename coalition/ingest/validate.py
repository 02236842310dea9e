"""Validate a whole city folder (every problem at once) and read it into a CityData."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import DataError, Problem, ValidationError
from ..i18n import _
from ..model import CityData, gc_paused
from .boundaries import _adjacency_tolerance, _match_boundaries, _metric_crs, _read_boundaries
from .checks import _check_tables
from .figures import check_figures
from .files import _read_city_toml, _read_tables
from .forbidden import people_files, redact_problems, screen_tables
from .geography import check_geography

log = logging.getLogger(__name__)


@dataclass
class ValidationReport:
    """The outcome of :func:`validate_city`.

    Attributes
    ----------
    problems : list of Problem
        Every error and warning found, in the order found.
    city : CityData or None
        The validated tables when there is no error, else None.
    """

    problems: list[Problem] = field(default_factory=list)
    city: CityData | None = None

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]

    @property
    def ok(self) -> bool:
        return not self.errors

    def as_dict(self) -> dict:
        return {
            "ok": self.ok,
            "errors": [p.as_dict() for p in self.errors],
            "warnings": [p.as_dict() for p in self.warnings],
        }


def validate_city(path: str | Path) -> ValidationReport:
    """Check a city folder completely and return every problem found.

    Parameters
    ----------
    path : str or path-like
        The city data folder.

    Returns
    -------
    ValidationReport
        ``.ok`` is True when nothing blocks loading; ``.city`` then holds the tables.

    Raises
    ------
    DataError
        When the path is not a folder.

    Examples
    --------
    >>> validate_city("data/hartford").ok  # doctest: +SKIP
    True
    """
    folder = Path(path)
    if not folder.is_dir():
        raise DataError(
            _(
                "'{folder}' is not a folder. Give the path of a city data folder (see "
                "data/template/)."
            ).format(folder=folder)
        )
    # Reading makes millions of small objects and no cycles: collect after, not during.
    with gc_paused():
        report = _validate_folder(folder)
    for problem in report.problems:
        log.debug("%s", problem)
    return report


def _validate_folder(folder: Path) -> ValidationReport:
    """The work of :func:`validate_city` on a folder known to exist."""
    problems: list[Problem] = []
    config = _read_city_toml(folder, problems)
    name_field = str(config.get("boundary_name_field", "name"))
    raw_tables, refused = screen_tables(_read_tables(folder, problems))
    problems.extend(refused)  # a person's details are refused, never read (docs/data-format.md)
    typed, files = _check_tables(raw_tables, problems)
    check_figures(typed, files, problems)
    neighborhoods = typed["neighborhoods"]

    boundaries, boundary_file = _read_boundaries(folder, name_field, problems, config)
    matched = None
    if boundaries is not None and not neighborhoods.empty:
        matched = _match_boundaries(
            neighborhoods, boundaries, boundary_file, files["neighborhoods"], problems
        )
    if neighborhoods.empty and "neighborhoods" in raw_tables:
        problems.append(
            Problem(files["neighborhoods"], _("No neighborhoods: add at least one row."))
        )
    metric_crs = _metric_crs(config, boundaries, problems)
    adjacency_tolerance_m = _adjacency_tolerance(config, problems)
    check_geography(matched, typed, files, metric_crs, boundary_file, problems)

    # A refused value never shows, even in a problem of another check that repeats it.
    report = ValidationReport(problems=redact_problems(problems, people_files(raw_tables)))
    if report.ok and matched is not None:
        tables = {t: f.drop(columns="_row").reset_index(drop=True) for t, f in typed.items()}
        report.city = CityData(
            name=str(config.get("name") or folder.resolve().name),
            tables=tables,
            boundaries=matched,
            metric_crs=metric_crs,
            meta={
                "source_dir": str(folder.resolve()),
                "adjacency_tolerance_m": adjacency_tolerance_m,
                "warnings": [p.as_dict() for p in report.warnings],
            },
        )
    return report


def read_city(path: str | Path) -> CityData:
    """Read and validate a city folder.

    Parameters
    ----------
    path : str or path-like
        The city data folder.

    Returns
    -------
    CityData

    Raises
    ------
    ValidationError
        With every problem found, when any blocks loading.
    DataError
        When the path is not a folder.

    Examples
    --------
    >>> city = read_city("data/hartford")  # doctest: +SKIP
    >>> len(city.tables["neighborhoods"])  # doctest: +SKIP
    17
    """
    report = validate_city(path)
    if not report.ok or report.city is None:
        raise ValidationError(report.problems)
    return report.city
