"""Import an uploaded city or table: check it like ``coalition validate``, preview, then apply.

A convener in a working session uploads either

- a **whole city**: a zip of the city folder (the files may sit in a folder inside the zip, as
  ``hartford/organizations.csv``), or one ``.xlsx`` workbook with a sheet per table (as
  :func:`coalition.ingest.read_city` reads ``city.xlsx``); or
- **one table**: a CSV file (or one sheet of a workbook) of organizations, communities,
  navigators, committees or ties, whose rows are added to the current city (a row whose id is
  already there replaces that row; rows not in the file are kept).

Nothing is trusted. The upload's size is checked before anything is parsed, a zip's declared
unpacked size and its member names (no absolute paths, no ``..``, no links) before anything is
unpacked, and only the files a city folder holds are written, into a private temporary folder
that is removed afterwards. The checks are those of ``coalition validate``
(:func:`coalition.ingest.validate_city`, :func:`coalition.ingest.add_records`): every problem
with its file, row, column and how to fix it, as a :class:`~coalition.ingest.ValidationReport`.
:func:`preview` then says what would change, table by table, before anything is saved.

This module is pure: no store, no streamlit, inputs never changed, nothing printed.

Examples
--------
>>> from coalition.exports import export_bytes
>>> report = validate_uploaded_city(export_bytes(city, "csv"), "tiny.zip", current=city)
>>> report.ok, preview(city, report.city).is_empty
(True, True)
"""

from __future__ import annotations

import dataclasses
import io
import json
import logging
import re
import stat
import tempfile
import zipfile
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import pandas as pd

from . import edits, schema
from .edits import RowChange
from .errors import DataError, Problem, ValidationError
from .i18n import _, fmt_number
from .ingest import ValidationReport, add_records, cell_text, limits, read_csv_table, read_workbook
from .ingest.boundaries import BOUNDARY_FILES
from .ingest.validate import validate_city
from .model import WGS84, CityData

log = logging.getLogger(__name__)

# An upload (zip, workbook or CSV) larger than this is refused before it is read.
MAX_UPLOAD_BYTES = limits.MAX_FILE_BYTES
# What a zipped city may declare it unpacks to, all members together (zip bombs).
MAX_UNZIPPED_CITY_BYTES = limits.MAX_UNZIPPED_WORKBOOK_BYTES
# Members a zipped city may hold (a city folder has about ten files).
MAX_ZIP_MEMBERS = 1_000
# The kinds of upload, by file name ending.
CITY_SUFFIXES = (".zip", ".xlsx")
TABLE_SUFFIXES = (".csv", ".xlsx")
# The files of a city folder; only these are unpacked from a zip (names compared lower-case).
CITY_FILES = (
    *(f"{table}.csv" for table in schema.TABLES),
    schema.WORKBOOK_FILE,
    schema.CITY_FILE,
    *BOUNDARY_FILES,
)
# Tables a single uploaded table may fill (neighborhoods need polygons: upload the whole city).
TABLE_IMPORTS = edits.EDITABLE_TABLES
# Files a zip may hold besides the city's, quietly skipped (made by macOS and Windows).
_IGNORED_PARTS = ("__MACOSX",)
_IGNORED_NAMES = (".DS_Store", "Thumbs.db", "desktop.ini")
_CHUNK = 1024 * 1024
# Longest text of one value shown in a preview's "what changed" column.
_SHOWN_VALUE = 60


# --- whole city -----------------------------------------------------------------------------------


def validate_uploaded_city(
    data: bytes, file_name: str, current: CityData | None = None
) -> ValidationReport:
    """Check an uploaded city (a zipped city folder or one workbook) like ``coalition validate``.

    The size is checked before anything is parsed; a zip's member names and declared unpacked
    size before anything is unpacked. The city files are written into a private temporary
    folder, validated with :func:`coalition.ingest.validate_city`, and the folder is removed.
    An upload without a boundary file or ``city.toml`` (always the case for a workbook) takes
    them from ``current``, with a warning that says so.

    Parameters
    ----------
    data : bytes
        The uploaded file's content.
    file_name : str
        Its name as uploaded (only its ending and stem are used; shown in problems).
    current : CityData, optional
        The city in the store, whose boundaries and settings fill what the upload lacks.

    Returns
    -------
    ValidationReport
        Every problem (file, row, column, value, what to do); ``.city`` holds the city when
        nothing blocks it. Its ``meta`` names the upload (``source_file``), never the
        temporary folder.

    Raises
    ------
    DataError
        When the file is neither a ``.zip`` nor an ``.xlsx``.

    Examples
    --------
    >>> from coalition.exports import export_bytes
    >>> report = validate_uploaded_city(export_bytes(city, "xlsx"), "tiny.xlsx", current=city)
    >>> report.ok, len(report.city.tables["organizations"])
    (True, 6)
    >>> validate_uploaded_city(b"not a zip", "city.zip").errors[0].message[:30]
    'This is not a zip file (or it '
    """
    shown = upload_name(file_name)
    suffix = PurePosixPath(shown.lower()).suffix
    if suffix not in CITY_SUFFIXES:
        raise DataError(
            _(
                "'{file}' is not a city: upload a zip of the city folder (.zip) or a workbook "
                "with one sheet per table (.xlsx); a single table is a .csv file."
            ).format(file=shown)
        )
    too_big = _size_problem(data, shown)
    if too_big is not None:
        return ValidationReport(problems=[too_big])
    with tempfile.TemporaryDirectory(prefix="coalition-import-") as tmp:
        if suffix == ".zip":
            folder, problems = _unpack_city(data, shown, Path(tmp))
        else:
            folder = Path(tmp) / _folder_name(PurePosixPath(shown).stem)
            folder.mkdir()
            (folder / schema.WORKBOOK_FILE).write_bytes(data)
            problems = []
        if folder is None:
            return ValidationReport(problems=problems)
        if current is not None:
            problems.extend(_fill_from_current(folder, current, shown))
        report = validate_city(folder)
    problems.extend(_renamed(p, folder, shown) for p in report.problems)
    city = None
    if report.ok and report.city is not None:
        meta = {**report.city.meta, "source_dir": None, "source_file": shown}
        meta["warnings"] = [p.as_dict() for p in problems if p.severity == "warning"]
        city = dataclasses.replace(report.city, meta=meta)
    log.info("checked uploaded city %s: %d problem(s)", shown, len(problems))
    return ValidationReport(problems=problems, city=city)


def read_uploaded_city(data: bytes, file_name: str, current: CityData | None = None) -> CityData:
    """The uploaded city, or a ValidationError listing every problem.

    Parameters
    ----------
    data, file_name, current
        As for :func:`validate_uploaded_city`.

    Returns
    -------
    CityData

    Raises
    ------
    ValidationError
        With every problem, when any blocks the import.
    DataError
        When the file is neither a ``.zip`` nor an ``.xlsx``.

    Examples
    --------
    >>> from coalition.exports import export_bytes
    >>> read_uploaded_city(export_bytes(city, "csv"), "tiny.zip").name
    'Tiny Town'
    """
    report = validate_uploaded_city(data, file_name, current)
    if not report.ok or report.city is None:
        raise ValidationError(report.problems)
    return report.city


def upload_name(file_name: str) -> str:
    """The uploaded file's own name (no folders), on one line, at most 120 characters.

    Examples
    --------
    >>> upload_name("C:\\\\Users\\\\me\\\\ties\\n.csv"), upload_name("")
    ('ties .csv', 'upload')
    """
    name = str(file_name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = " ".join(name.split())[:120]
    return name or "upload"


def _folder_name(text: str) -> str:
    """A harmless folder name from the upload's (the city's name when city.toml has none)."""
    name = re.sub(r"[^\w.-]+", "_", text).strip("._")[:60]
    return name or "city"


def _size_problem(data: bytes, shown: str) -> Problem | None:
    if len(data) <= MAX_UPLOAD_BYTES:
        return None
    return Problem(
        shown,
        _(
            "The file is {size} MB, more than the {limit} MB an upload may be. Remove unused "
            "sheets, rows and columns, or load the folder with `coalition init DIR --replace`."
        ).format(size=f"{len(data) / 2**20:.0f}", limit=MAX_UPLOAD_BYTES // 2**20),
    )


def _unpack_city(data: bytes, shown: str, tmp: Path) -> tuple[Path | None, list[Problem]]:
    """Write a zipped city's files into a folder under ``tmp``; the folder, or None and why."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zlib.error, OSError, ValueError, EOFError):
        return None, [
            Problem(
                shown,
                _(
                    "This is not a zip file (or it is damaged). Zip the city folder again "
                    "(right click, Compress / Send to zip) and upload the .zip."
                ),
            )
        ]
    with archive:
        members, problems = _city_members(archive.infolist(), shown)
        if problems:
            return None, problems
        parents = {PurePosixPath(name).parent for name in members}
        parent = parents.pop()
        stem = parent.name if parent.name else PurePosixPath(shown).stem
        folder = tmp / _folder_name(stem)
        folder.mkdir()
        for name, info in members.items():
            problem = _extract(archive, info, folder / PurePosixPath(name).name.lower(), shown)
            if problem is not None:
                return None, [problem]
    return folder, []


def _city_members(
    infos: list[zipfile.ZipInfo], shown: str
) -> tuple[dict[str, zipfile.ZipInfo], list[Problem]]:
    """The zip's city files by (cleaned) name, or the problems that refuse the whole zip."""
    if len(infos) > MAX_ZIP_MEMBERS:
        return {}, [
            Problem(
                shown,
                _(
                    "The zip holds {count} files, more than {limit}. Zip only the city folder "
                    "(its tables, city.toml and the boundary file)."
                ).format(count=fmt_number(len(infos)), limit=fmt_number(MAX_ZIP_MEMBERS)),
            )
        ]
    declared = sum(info.file_size for info in infos)
    if declared > MAX_UNZIPPED_CITY_BYTES:
        return {}, [
            Problem(
                shown,
                _(
                    "The zip says it unpacks to {size} MB, more than {limit} MB. Zip only the "
                    "city folder; remove unused files, sheets, rows and columns."
                ).format(size=fmt_number(declared / 2**20), limit=MAX_UNZIPPED_CITY_BYTES // 2**20),
            )
        ]
    problems: list[Problem] = []
    members: dict[str, zipfile.ZipInfo] = {}
    seen: dict[str, str] = {}
    for info in infos:
        name = info.filename.replace("\\", "/")
        unsafe = _unsafe_name(name)
        if unsafe:
            problems.append(
                Problem(
                    shown,
                    _(
                        "The zip holds a file whose name {why}, so nothing was unpacked. Zip the "
                        "city folder itself again from your computer."
                    ).format(why=unsafe),
                    value=info.filename[:120],
                )
            )
            continue
        path = PurePosixPath(name)
        if info.is_dir() or _ignored(path):
            continue
        if path.name.lower() not in CITY_FILES:
            continue
        if stat.S_ISLNK(info.external_attr >> 16):
            problems.append(
                Problem(
                    shown,
                    _(
                        "This file is a link in the zip, not a file. Zip the city folder with "
                        "the files themselves."
                    ),
                    value=info.filename[:120],
                )
            )
            continue
        if info.file_size > limits.MAX_FILE_BYTES:
            problems.append(
                Problem(
                    shown,
                    _(
                        "This file unpacks to more than {limit} MB; split it or remove unused "
                        "columns and rows."
                    ).format(limit=limits.MAX_FILE_BYTES // 2**20),
                    value=info.filename[:120],
                )
            )
            continue
        key = str(path.parent / path.name.lower())
        if key in seen:
            problems.append(
                Problem(
                    shown,
                    _("The zip holds this file twice ('{other}' too). Keep one.").format(
                        other=seen[key][:80]
                    ),
                    value=info.filename[:120],
                )
            )
            continue
        seen[key] = info.filename
        members[key] = info
    if problems:
        return {}, problems
    if not members:
        return {}, [
            Problem(
                shown,
                _(
                    "The zip holds no city files: a city folder has organizations.csv, "
                    "communities.csv, neighborhoods.csv, ties.csv (or one city.xlsx), city.toml "
                    "and neighborhoods.geojson. Zip that folder (see data/template/)."
                ),
            )
        ]
    parents = sorted({str(PurePosixPath(k).parent) for k in members})
    if len(parents) > 1:
        shown_parents = ", ".join(_("(top)") if p == "." else f"{p}/" for p in parents[:5])
        return {}, [
            Problem(
                shown,
                _(
                    "The zip holds city files in {count} folders ({folders}). Zip one city "
                    "folder, with all its files side by side."
                ).format(count=len(parents), folders=shown_parents),
            )
        ]
    return members, []


def _unsafe_name(name: str) -> str:
    """Why a zip member's name is unsafe to unpack (absolute, climbing out, ...), or ''."""
    if "\x00" in name:
        return _("holds a NUL character")
    if name.startswith("/") or re.match(r"^[A-Za-z]:", name):
        return _("is an absolute path")
    if ".." in name.split("/"):
        return _("climbs out of the folder ('..')")
    return ""


def _ignored(path: PurePosixPath) -> bool:
    return (
        any(part in _IGNORED_PARTS for part in path.parts)
        or path.name.startswith("._")
        or path.name in _IGNORED_NAMES
    )


def _extract(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, target: Path, shown: str
) -> Problem | None:
    """Copy one member to ``target``, never more than it declared; a Problem if it fails."""
    written = 0
    try:
        with archive.open(info) as source, open(target, "xb") as out:
            while chunk := source.read(_CHUNK):
                written += len(chunk)
                if written > info.file_size:
                    raise zipfile.BadZipFile("more data than declared")
                out.write(chunk)
    except RuntimeError:  # an encrypted member
        return Problem(
            shown,
            _("This file is protected by a password. Zip the city folder without one."),
            value=info.filename[:120],
        )
    except (zipfile.BadZipFile, zlib.error, NotImplementedError, EOFError, OSError) as exc:
        return Problem(
            shown,
            _(
                "This file cannot be unpacked ({error}): the zip may be damaged or use an "
                "unusual compression. Zip the city folder again from your computer."
            ).format(error=type(exc).__name__),
            value=info.filename[:120],
        )
    return None


def _fill_from_current(folder: Path, current: CityData, shown: str) -> list[Problem]:
    """Write the current city's boundaries / city.toml where the upload has none; warnings."""
    warnings = []
    boundaries_known = (
        current.boundaries is not None
        and len(current.boundaries) > 0
        and current.boundaries.crs is not None
    )
    if boundaries_known and not any((folder / name).exists() for name in BOUNDARY_FILES):
        names = dict(
            zip(
                current.tables["neighborhoods"]["neighborhood_id"],
                current.tables["neighborhoods"]["name"],
                strict=False,
            )
        )
        boundaries = current.boundaries.to_crs(WGS84)
        boundaries = boundaries.assign(name=boundaries["neighborhood_id"].map(names))
        boundaries[["neighborhood_id", "name", "geometry"]].to_file(
            folder / "neighborhoods.geojson", driver="GeoJSON"
        )
        warnings.append(
            Problem(
                shown,
                _(
                    "The upload has no boundary file, so the current neighborhoods' boundaries "
                    "were used. To change them, zip the city folder with its "
                    "neighborhoods.geojson."
                ),
                severity="warning",
            )
        )
    if not (folder / schema.CITY_FILE).exists():
        settings = {"name": current.name, "metric_crs": current.metric_crs}
        tolerance = current.meta.get("adjacency_tolerance_m")
        lines = [f"{key} = {json.dumps(str(value))}" for key, value in settings.items()]
        lines.append('boundary_name_field = "name"')
        if tolerance:
            lines.append(f"adjacency_tolerance_m = {float(tolerance)!r}")
        (folder / schema.CITY_FILE).write_text("\n".join(lines) + "\n", encoding="utf-8")
        warnings.append(
            Problem(
                shown,
                _(
                    "The upload has no city.toml, so the current city's name and settings "
                    "({city}) were kept."
                ).format(city=current.name),
                severity="warning",
            )
        )
    return warnings


def _renamed(problem: Problem, folder: Path, shown: str) -> Problem:
    """A problem that names the temporary folder names the upload instead."""
    for where in ("file", "message"):
        text = getattr(problem, where)
        if text and str(folder) in text:
            problem = dataclasses.replace(problem, **{where: text.replace(str(folder), shown)})
    if problem.file == schema.WORKBOOK_FILE and shown.lower().endswith(".xlsx"):
        problem = dataclasses.replace(problem, file=shown)
    elif problem.file.startswith(f"{schema.WORKBOOK_FILE}[") and shown.lower().endswith(".xlsx"):
        problem = dataclasses.replace(
            problem, file=shown + problem.file[len(schema.WORKBOOK_FILE) :]
        )
    return problem


# --- one table ------------------------------------------------------------------------------------


def guess_table(file_name: str, columns: Iterable[str] = ()) -> str | None:
    """Which table an uploaded file holds: by its name, else by its id columns; None if unsure.

    Examples
    --------
    >>> guess_table("Organizations (2).csv"), guess_table("new.csv", ["source_id", "target_id"])
    ('organizations', 'ties')
    >>> guess_table("notes.csv", ["a"]) is None
    True
    """
    stem = re.sub(r"[^a-z]", "", PurePosixPath(upload_name(file_name).lower()).stem)
    for table in schema.TABLES:
        if stem.startswith(table) or stem == table.rstrip("s"):
            return table
    names = {str(c).strip().lower() for c in columns}
    if {"source_id", "target_id"} <= names:
        return "ties"
    for table, id_column in schema.ID_COLUMNS.items():
        if id_column in names:
            return table
    return None


def validate_uploaded_table(
    data: bytes, file_name: str, current: CityData, table: str | None = None
) -> ValidationReport:
    """Check an uploaded table (CSV, or one sheet of a workbook) against the current city.

    Every row passes the checks of a data folder (:func:`coalition.ingest.add_records`): types,
    vocabularies, ids unique, ties to known ids of the right kinds, neighborhoods matched
    forgivingly, provenance. A row whose id (for a tie: its two ends and type) is already in
    the city replaces that row; the others are added; rows not in the file are kept. Problems
    name the uploaded file and its own row numbers.

    Parameters
    ----------
    data : bytes
        The uploaded file's content.
    file_name : str
        Its name as uploaded (``organizations.csv``, ``new ties.csv``, ``city.xlsx``).
    current : CityData
        The city the rows are checked against (left unchanged).
    table : str, optional
        One of :data:`TABLE_IMPORTS`; guessed from the file name or its id columns when None
        (:func:`guess_table`). For a workbook, the sheet named like the table is read.

    Returns
    -------
    ValidationReport
        ``.city`` is ``current`` with the rows added or replaced, when nothing blocks them.

    Raises
    ------
    DataError
        When the file is neither a ``.csv`` nor an ``.xlsx``.

    Examples
    --------
    >>> rows = (b"source_id,target_id,tie_type,source,source_date\\n"
    ...         b"clinic,lonely,partnership,working session,2026-11\\n")
    >>> report = validate_uploaded_table(rows, "new ties.csv", city)
    >>> report.ok, len(report.city.tables["ties"]) - len(city.tables["ties"])
    (True, 1)
    >>> bad = validate_uploaded_table(rows.replace(b"lonely", b"nobody"), "ties.csv", city)
    >>> p = bad.errors[0]; p.file, p.row, p.column
    ('ties.csv', 2, 'target_id')
    """
    shown = upload_name(file_name)
    suffix = PurePosixPath(shown.lower()).suffix
    if suffix not in TABLE_SUFFIXES:
        raise DataError(
            _(
                "'{file}' is not a table: upload a .csv file (or an .xlsx workbook with a sheet "
                "named after the table, e.g. 'ties')."
            ).format(file=shown)
        )
    too_big = _size_problem(data, shown)
    if too_big is not None:
        return ValidationReport(problems=[too_big])
    with tempfile.TemporaryDirectory(prefix="coalition-import-") as tmp:
        path = Path(tmp) / f"upload{suffix}"
        path.write_bytes(data)
        if suffix == ".csv":
            raw, found = read_csv_table(path)
            table = table or guess_table(shown, raw.columns if raw is not None else ())
        else:
            sheets, found = read_workbook(path)
            known = [t for t in sheets if t in TABLE_IMPORTS]
            table = table or guess_table(shown) or (known[0] if len(known) == 1 else None)
            raw = sheets.get(table) if table else None
            if table and raw is None and not found:
                found = [
                    Problem(
                        shown,
                        _(
                            "The workbook has no sheet named '{table}'. Name the sheet after its "
                            "table."
                        ).format(table=table),
                    )
                ]
    problems = [_problem_in(p, path.name, shown) for p in found]
    if table is None:
        problems.append(
            Problem(
                shown,
                _(
                    "Which table is this? Name the file after its table (organizations.csv, "
                    "ties.csv, ...) or choose the table."
                ),
            )
        )
    elif table not in TABLE_IMPORTS:
        problems.append(
            Problem(
                shown,
                (
                    _(
                        "A {table} table cannot be imported on its own (neighborhoods need their "
                        "polygons): upload the whole city as a zip, or import one of {tables}."
                    )
                    if table == "neighborhoods"
                    else _(
                        "A {table} table cannot be imported on its own: upload the whole city as "
                        "a zip, or import one of {tables}."
                    )
                ).format(table=table, tables=", ".join(TABLE_IMPORTS)),
            )
        )
    if raw is None or table not in TABLE_IMPORTS or any(p.severity == "error" for p in problems):
        return ValidationReport(problems=problems)
    if not raw.row_numbers:
        problems.append(
            Problem(shown, "The table has no rows under its header: nothing to import.")
        )
        return ValidationReport(problems=problems)
    city, found = _merge_rows(current, table, raw.rows, raw.row_numbers, shown)
    problems.extend(found)
    return ValidationReport(problems=problems, city=city)


def read_uploaded_table(
    data: bytes, file_name: str, current: CityData, table: str | None = None
) -> CityData:
    """The current city with the uploaded table's rows, or a ValidationError listing all problems.

    Parameters
    ----------
    data, file_name, current, table
        As for :func:`validate_uploaded_table`.

    Returns
    -------
    CityData

    Raises
    ------
    ValidationError
        With every problem, when any blocks the import.

    Examples
    --------
    >>> rows = (b"community_id,name,community_kind,source,source_date\\n"
    ...         b"hmong,Hmong,immigrant,s,2026\\n")
    >>> len(read_uploaded_table(rows, "communities.csv", city).tables["communities"])
    4
    """
    report = validate_uploaded_table(data, file_name, current, table)
    if not report.ok or report.city is None:
        raise ValidationError(report.problems)
    return report.city


def _problem_in(problem: Problem, written: str, shown: str) -> Problem:
    """A problem about the temporary copy named after the uploaded file."""
    if problem.file == written:
        return dataclasses.replace(problem, file=shown)
    if problem.file.startswith(f"{written}["):
        return dataclasses.replace(problem, file=shown + problem.file[len(written) :])
    return problem


def _raw_key(table: str, row: Mapping[str, str]) -> str:
    """A row's key from its cells (as :func:`coalition.edits.row_key`, spaces stripped)."""
    cells = {k: str(v or "").strip() for k, v in row.items()}
    if table == "ties":
        cells["tie_type"] = cells.get("tie_type", "").lower()
    return edits.row_key(table, cells)


def _merge_rows(
    current: CityData,
    table: str,
    rows: list[dict[str, str]],
    row_numbers: list[int],
    shown: str,
) -> tuple[CityData | None, list[Problem]]:
    """``current`` with ``rows`` added (replacing rows of the same key), checked; or problems."""
    existing = current.tables[table]
    replaced = {_raw_key(table, row) for row in rows}
    keys = pd.Series(edits.keys_of(table, existing), index=existing.index, dtype=object)
    kept = existing[~keys.isin(replaced).to_numpy()].reset_index(drop=True)
    others = dataclasses.replace(current, tables={**current.tables, table: kept})
    first_row = len(kept) + 2  # add_records numbers the rows as if appended to the table
    try:
        merged = add_records(others, table, rows)
    except ValidationError as exc:
        return None, [_upload_row(p, first_row, row_numbers, table, shown) for p in exc.problems]
    return dataclasses.replace(merged, meta=dict(current.meta)), []


def _upload_row(
    problem: Problem, first_row: int, row_numbers: list[int], table: str, shown: str
) -> Problem:
    """A problem of :func:`add_records` told with the uploaded file's name and row number."""
    row = problem.row
    if row is not None and 0 <= row - first_row < len(row_numbers):
        row = row_numbers[row - first_row]
    file = shown if problem.file == f"{table}.csv" else problem.file
    return dataclasses.replace(problem, file=file, row=row)


# --- preview --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TableChanges:
    """What an import changes in one table, by row key.

    Attributes
    ----------
    table : str
        The table (``"organizations"``, ``"ties"``, ...).
    added, changed, removed : tuple of str
        The keys of the rows only in the upload, in both but different, only in the store.
        A row's key is its id; a tie's is ``source|target|tie_type`` (a partnership's ends
        sorted).
    """

    table: str
    added: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()

    @property
    def count(self) -> int:
        """How many rows change in any way."""
        return len(self.added) + len(self.changed) + len(self.removed)


@dataclass(frozen=True, eq=False)
class ImportPreview:
    """What an import would change, before anything is saved (see :func:`preview`).

    Attributes
    ----------
    tables : dict of str to TableChanges
        Per table (every table of the data format, in its order).
    rows : pandas.DataFrame
        One row per changed row: ``Table``, ``Change`` (added / changed / removed), ``Key``,
        ``Name`` and ``What changes`` (``column: before → after``, values cut at 60
        characters). Plain text, to be shown by something that never interprets markup.
    name_before, name_after : str
        The city's name in the store and in the upload.
    """

    tables: dict[str, TableChanges]
    rows: pd.DataFrame = field(repr=False)
    name_before: str = ""
    name_after: str = ""

    @property
    def counts(self) -> pd.DataFrame:
        """Rows added, changed and removed per table (``Table``, ``Added``, ``Changed``,
        ``Removed``)."""
        return pd.DataFrame(
            [
                {
                    "Table": t.table,
                    "Added": len(t.added),
                    "Changed": len(t.changed),
                    "Removed": len(t.removed),
                }
                for t in self.tables.values()
            ],
            columns=["Table", "Added", "Changed", "Removed"],
        )

    @property
    def total(self) -> int:
        """How many rows change, over every table."""
        return sum(t.count for t in self.tables.values())

    @property
    def is_empty(self) -> bool:
        """True when the import changes no row and not the city's name."""
        return self.total == 0 and self.name_before == self.name_after


PREVIEW_COLUMNS = ["Table", "Change", "Key", "Name", "What changes"]


def preview(current: CityData | None, incoming: CityData) -> ImportPreview:
    """What replacing ``current`` by ``incoming`` changes, table by table and row by row.

    Rows are matched by key (an id; a tie by its two ends and type, a partnership's ends in
    either order) and compared as the cells of a data folder (lists joined with ';', yes/no),
    so a city that went through a file and back compares equal. Neither city is changed.

    Parameters
    ----------
    current : CityData or None
        The city in the store (None: an empty store, every row is added).
    incoming : CityData
        The city after the import (:func:`validate_uploaded_city` or
        :func:`validate_uploaded_table`).

    Returns
    -------
    ImportPreview

    Examples
    --------
    >>> rows = (b"source_id,target_id,tie_type,strength,source,source_date\\n"
    ...         b"legal,lib,partnership,3,s,2026\\nclinic,lonely,partnership,1,s,2026\\n")
    >>> p = preview(city, read_uploaded_table(rows, "ties.csv", city))
    >>> p.tables["ties"].added, p.tables["ties"].changed
    (('clinic|lonely|partnership',), ('legal|lib|partnership',))
    >>> p.total, p.rows["Change"].tolist()
    (2, ['added', 'changed'])
    """
    tables: dict[str, TableChanges] = {}
    frames = []
    names = {**_names(current), **_names(incoming)}
    for table in schema.TABLES:
        before = _text_frame(current, table)
        after = _text_frame(incoming, table)
        added = after.index.difference(before.index, sort=False)
        removed = before.index.difference(after.index, sort=False)
        common = after.index.intersection(before.index, sort=False)
        columns = [c for c in after.columns if c in before.columns]
        old, new = before.loc[common, columns], after.loc[common, columns]
        differs = old.ne(new)
        changed = common[differs.any(axis=1).to_numpy()] if len(common) else common
        tables[table] = TableChanges(
            table, tuple(map(str, added)), tuple(map(str, changed)), tuple(map(str, removed))
        )
        for change, keys, source in (
            ("added", added, after),
            ("changed", changed, after),
            ("removed", removed, before),
        ):
            if not len(keys):
                continue
            what = (
                [_what_changes(old.loc[k], new.loc[k], differs.loc[k]) for k in keys]
                if change == "changed"
                else [""] * len(keys)
            )
            frames.append(
                pd.DataFrame(
                    {
                        "Table": table,
                        "Change": change,
                        "Key": [str(k) for k in keys],
                        "Name": [_row_name(table, source.loc[k], names) for k in keys],
                        "What changes": what,
                    }
                )
            )
    rows = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=PREVIEW_COLUMNS)
    return ImportPreview(
        tables=tables,
        rows=rows[PREVIEW_COLUMNS],
        name_before=current.name if current is not None else "",
        name_after=incoming.name,
    )


def row_changes(
    current: CityData, incoming: CityData, found: ImportPreview | None = None
) -> list[RowChange]:
    """The row changes that turn ``current`` into ``incoming``, for :meth:`Store.apply`.

    For a table import (:func:`validate_uploaded_table`): each added row is an add, each
    changed row a change whose ``before`` is the row as stored (so the store refuses it if
    someone saved that row meanwhile). A tie keeps the direction it is stored in. Rows are
    not checked again: ``incoming`` was checked when it was read.

    Parameters
    ----------
    current : CityData
        The city as read from the store.
    incoming : CityData
        ``current`` with the imported rows.
    found : ImportPreview, optional
        ``preview(current, incoming)``, when already worked out.

    Returns
    -------
    list of RowChange

    Raises
    ------
    DataError
        When the import removes rows or changes neighborhoods: that is a whole city (replace
        it with :meth:`Store.replace_city`).

    Examples
    --------
    >>> rows = (b"source_id,target_id,tie_type,strength,source,source_date\\n"
    ...         b"legal,lib,partnership,1,s,2026\\nclinic,lonely,partnership,1,s,2026\\n")
    >>> changes = row_changes(city, read_uploaded_table(rows, "ties.csv", city))
    >>> [(c.kind, c.key) for c in changes]
    [('added', 'clinic|lonely|partnership'), ('changed', 'legal|lib|partnership')]
    >>> changes[1].after["source_id"], changes[1].fields
    ('lib', ['strength', 'since', 'source', 'source_date', 'illustrative'])
    """
    found = found if found is not None else preview(current, incoming)
    outside = [
        t.table
        for t in found.tables.values()
        if t.removed or (t.count and t.table not in edits.EDITABLE_TABLES)
    ]
    if outside:
        raise DataError(
            _(
                "This import removes rows or changes {tables}: that needs the whole city. "
                "Upload the city folder as a zip instead."
            ).format(tables=", ".join(outside))
        )
    changes: list[RowChange] = []
    for table in edits.EDITABLE_TABLES:
        diff = found.tables[table]
        if not (diff.added or diff.changed):
            continue
        before_frame, after_frame = current.tables[table], incoming.tables[table]
        before_at = {k: i for i, k in enumerate(edits.keys_of(table, before_frame))}
        after_at = {k: i for i, k in enumerate(edits.keys_of(table, after_frame))}

        def row(frame: pd.DataFrame, position: int, table: str = table) -> dict:
            return edits.plain_row(table, frame.iloc[position].to_dict())

        for key in diff.added:
            changes.append(RowChange(table, key, None, row(after_frame, after_at[key])))
        for key in diff.changed:
            before = row(before_frame, before_at[key])
            after = {**row(after_frame, after_at[key]), edits.RETIRED: before[edits.RETIRED]}
            if table == "ties":
                after["source_id"], after["target_id"] = before["source_id"], before["target_id"]
            for column, value in after.items():  # a blank stays the blank it was stored as
                if value in ("", None) and before.get(column) in ("", None):
                    after[column] = before.get(column)
            changes.append(RowChange(table, key, before, after))
    return changes


def _tie_ends(frame: pd.DataFrame) -> list[tuple[str, str]]:
    """Each tie's two ends, a partnership's sorted (as in its key)."""
    return [
        (t, s) if k == "partnership" and t < s else (s, t)
        for s, t, k in zip(
            frame["source_id"].astype(str).tolist(),
            frame["target_id"].astype(str).tolist(),
            frame["tie_type"].astype(str).tolist(),
            strict=True,
        )
    ]


def _text_frame(city: CityData | None, table: str) -> pd.DataFrame:
    """A table's schema columns as spreadsheet texts, indexed by row key."""
    columns = schema.TABLES[table]
    if city is None or table not in city.tables:
        return pd.DataFrame(columns=[c.name for c in columns], index=pd.Index([], dtype=object))
    frame = city.tables[table]
    data = {
        c.name: _column_text(frame[c.name], c) if c.name in frame else [""] * len(frame)
        for c in columns
    }
    keys = edits.keys_of(table, frame)
    if table == "ties":  # a partnership's ends are compared in the key's (sorted) order
        ends = _tie_ends(frame)
        data["source_id"] = [source for source, _ in ends]
        data["target_id"] = [target for _, target in ends]
    out = pd.DataFrame(data, index=pd.Index(keys, dtype=object))
    return out[~out.index.duplicated(keep="last")]


def _column_text(values: pd.Series, column: schema.Column) -> list[str]:
    """A column's cells as spreadsheet texts (as :func:`coalition.ingest.cell_text` writes
    them), a column at a time: the same text whatever the dtype the city was read with.

    Examples
    --------
    >>> _column_text(pd.Series([3.0, None, 2]), schema.Column("n", "int", False, "", ""))
    ['3', '', '2']
    >>> _column_text(pd.Series([["a", "b"], []]), schema.Column("l", "list", False, "", ""))
    ['a;b', '']
    """
    if column.type == "list":
        return [str(cell_text(v, column)) for v in values.tolist()]
    missing = values.isna().to_numpy()
    if column.type == "bool":
        texts = ["yes" if v else "no" for v in values.tolist()]
    elif column.type in ("int", "float"):
        numbers = pd.to_numeric(values.where(~missing), errors="coerce")
        if column.type == "int":
            texts = [str(int(v)) if v == v else "" for v in numbers.tolist()]
        else:
            texts = [str(float(v)) if v == v else "" for v in numbers.tolist()]
    else:
        texts = values.astype(object).astype(str).tolist()
    return ["" if gone else text for text, gone in zip(texts, missing.tolist(), strict=True)]


def _names(city: CityData | None) -> dict[str, str]:
    """Every node's name (navigators: alias) by id."""
    if city is None:
        return {}
    names: dict[str, str] = {}
    for table, id_column in schema.ID_COLUMNS.items():
        frame = city.tables.get(table)
        if frame is None or frame.empty:
            continue
        label = "alias" if table == "navigators" else "name"
        names.update(zip(frame[id_column].astype(str), frame[label].astype(str), strict=True))
    return names


def _row_name(table: str, row: pd.Series, names: Mapping[str, str]) -> str:
    if table == "ties":
        source, target = str(row["source_id"]), str(row["target_id"])
        return f"{names.get(source, source)} — {row['tie_type']} — {names.get(target, target)}"
    return str(row["alias" if table == "navigators" else "name"])


def _what_changes(old: pd.Series, new: pd.Series, differs: pd.Series) -> str:
    parts = [
        f"{column}: {_cut(old[column])} → {_cut(new[column])}"
        for column in differs.index[differs.to_numpy()]
    ]
    return "; ".join(parts)


def _cut(text: str) -> str:
    text = " ".join(str(text).split())
    if not text:
        return "(blank)"
    return text if len(text) <= _SHOWN_VALUE else text[: _SHOWN_VALUE - 1] + "…"
