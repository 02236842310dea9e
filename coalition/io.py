"""Read and validate a city data folder, reporting every problem at once.

A city is a folder (see ``docs/data-format.md``): ``city.toml``, one CSV per table (or one
``city.xlsx`` workbook with a sheet per table) and a neighborhoods boundary file. Nothing is
trusted: every file is decoded, parsed, typed and cross-checked before a
:class:`~coalition.model.CityData` is returned, and any problem is reported with the file, row,
column, the bad value and how to fix it.

Examples
--------
>>> from coalition.io import validate_city
>>> report = validate_city("data/hartford")  # doctest: +SKIP
>>> report.ok, len(report.warnings)  # doctest: +SKIP
(True, 0)
"""

from __future__ import annotations

import csv
import datetime as dt
import io as _io
import logging
import math
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from . import schema, settings
from .errors import DataError, Problem, ValidationError
from .model import WGS84, CityData
from .names import NameMatcher, did_you_mean, name_key

log = logging.getLogger(__name__)

_ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:\-]*$")
_DATE_PATTERN = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")
_TRUE = {"yes", "y", "true", "t", "1", "x"}
_FALSE = {"no", "n", "false", "f", "0", ""}
_MISSING_TABLE_HINT = "copy it from data/template/ and fill it in"


@dataclass
class RawTable:
    """A table as read from a file: header-normalised columns and raw string cells."""

    file: str
    columns: list[str]
    rows: list[dict[str, str]]
    row_numbers: list[int]


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
        return {"ok": self.ok, "errors": [p.as_dict() for p in self.errors],
                "warnings": [p.as_dict() for p in self.warnings]}


# --- low-level readers --------------------------------------------------------------------------

def _normalise_header(name: Any) -> str:
    return re.sub(r"\s+", "_", str(name or "").strip().lstrip("\ufeff").lower())


def _decode(data: bytes, file: str, problems: list[Problem]) -> str | None:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        problems.append(Problem(file, "The file is neither UTF-8 nor Windows-1252 text. Save it "
                                "from your spreadsheet program as 'CSV UTF-8'."))
        return None
    problems.append(Problem(file, "The file is not UTF-8; it was read as Windows-1252. Accents "
                            "may be wrong: save it as 'CSV UTF-8' to be sure.",
                            severity="warning"))
    return text


def read_csv_table(path: Path) -> tuple[RawTable | None, list[Problem]]:
    """Read one CSV file forgivingly (BOM, Windows-1252, ``;`` delimiter), strictly otherwise.

    Parameters
    ----------
    path : pathlib.Path
        The CSV file.

    Returns
    -------
    (RawTable or None, list of Problem)
        The table is None when the file cannot be parsed at all.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "t.csv"; _ = p.write_text("A;B\\n1;2\\n")
    >>> table, problems = read_csv_table(p)
    >>> table.columns, table.rows, problems
    (['a', 'b'], [{'a': '1', 'b': '2'}], [])
    """
    file = path.name
    problems: list[Problem] = []
    try:
        data = path.read_bytes()
    except OSError as exc:
        return None, [Problem(file, f"Cannot read the file ({exc.strerror}). Check that it exists "
                              "and is readable.")]
    if len(data) > settings.MAX_UPLOAD_BYTES:
        return None, [Problem(file, f"The file is larger than "
                              f"{settings.MAX_UPLOAD_BYTES // 2**20} MB; split it or remove "
                              "unused columns.")]
    text = _decode(data, file, problems)
    if text is None:
        return None, problems
    if "\x00" in text:
        return None, problems + [Problem(file, "The file holds binary data (is it UTF-16 or a "
                                         "renamed spreadsheet?). Save it as 'CSV UTF-8'.")]
    if not text.strip():
        return None, problems + [Problem(file, "The file is empty: it needs at least a header "
                                         "row (copy it from data/template/).")]
    header_line = text.splitlines()[0]
    delimiter = max([",", ";", "\t"], key=header_line.count)
    if delimiter != ",":
        log.info("%s: reading with delimiter %r", file, delimiter)
    try:
        records = list(csv.reader(_io.StringIO(text, newline=""), delimiter=delimiter,
                                  strict=True))
    except csv.Error as exc:
        return None, problems + [Problem(file, f"The file cannot be parsed as CSV ({exc}). It may "
                                         "be truncated or have a quote that is never closed.")]
    columns = [_normalise_header(h) for h in records[0]]
    rows: list[dict[str, str]] = []
    numbers: list[int] = []
    for index, record in enumerate(records[1:], start=2):
        if not any(cell.strip() for cell in record):
            continue
        if len(record) != len(columns):
            problems.append(Problem(
                file, f"This row has {len(record)} values but the header has {len(columns)}. "
                "The file may be truncated, or a value holds the delimiter without quotes.",
                row=index, value=delimiter.join(record)[:80]))
            continue
        rows.append(dict(zip(columns, (cell.strip() for cell in record))))
        numbers.append(index)
    return RawTable(file, columns, rows, numbers), problems


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_workbook(path: Path) -> tuple[dict[str, RawTable], list[Problem]]:
    """Read a ``city.xlsx`` workbook: one sheet per table, named like the CSV files.

    openpyxl parses XML; with ``defusedxml`` installed (a dependency) it refuses XML bombs.
    """
    from openpyxl import load_workbook  # deferred: only workbook users pay for the import

    file = path.name
    if path.stat().st_size > settings.MAX_UPLOAD_BYTES:
        return {}, [Problem(file, "The workbook is larger than "
                            f"{settings.MAX_UPLOAD_BYTES // 2**20} MB; remove unused sheets.")]
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for damaged files
        return {}, [Problem(file, f"Cannot open the workbook ({type(exc).__name__}: {exc}). Is it "
                            "a complete .xlsx file? Re-save it from your spreadsheet program.")]
    tables: dict[str, RawTable] = {}
    try:
        for sheet in workbook.worksheets:
            table = sheet.title.strip().lower().removesuffix(".csv")
            if table not in schema.TABLES:
                continue
            rows_iter = sheet.iter_rows(values_only=True)
            header = next(rows_iter, None) or ()
            columns = [_normalise_header(h) for h in header]
            while columns and not columns[-1]:
                columns.pop()
            rows, numbers = [], []
            for index, values in enumerate(rows_iter, start=2):
                cells = [_cell_text(v) for v in values][: len(columns)]
                if not any(cells):
                    continue
                cells += [""] * (len(columns) - len(cells))
                rows.append(dict(zip(columns, cells)))
                numbers.append(index)
            tables[table] = RawTable(f"{file}[{sheet.title}]", columns, rows, numbers)
    finally:
        workbook.close()
    return tables, []


def _read_city_toml(folder: Path, problems: list[Problem]) -> dict:
    path = folder / schema.CITY_FILE
    if not path.exists():
        problems.append(Problem(schema.CITY_FILE, "No city.toml: the folder name is used as the "
                                "city's name. Copy data/template/city.toml to set it.",
                                severity="warning"))
        return {}
    try:
        return tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        problems.append(Problem(schema.CITY_FILE, f"Cannot parse city.toml ({exc}). Lines look "
                                'like: name = "Hartford, Connecticut"'))
        return {}


def _read_tables(folder: Path, problems: list[Problem]) -> dict[str, RawTable]:
    csv_paths = {t: folder / f"{t}.csv" for t in schema.TABLES}
    present = {t: p for t, p in csv_paths.items() if p.exists()}
    workbook = folder / schema.WORKBOOK_FILE
    tables: dict[str, RawTable] = {}
    if workbook.exists() and not present:
        tables, found = read_workbook(workbook)
        problems.extend(found)
    else:
        if workbook.exists():
            problems.append(Problem(schema.WORKBOOK_FILE, "Both CSV files and a workbook are "
                                    "present; the CSV files were read and the workbook ignored.",
                                    severity="warning"))
        for table, path in present.items():
            raw, found = read_csv_table(path)
            problems.extend(found)
            if raw is not None:
                tables[table] = raw
    for table in schema.TABLES:
        if table in tables or table in schema.OPTIONAL_TABLES:
            continue
        if workbook.exists() and not present:
            where = f"a sheet named '{table}' in {schema.WORKBOOK_FILE}"
        else:
            where = f"{table}.csv"
        if not any(p.file.startswith(table) for p in problems):
            problems.append(Problem(f"{table}.csv", f"Missing table: add {where} "
                                    f"({_MISSING_TABLE_HINT})."))
    return tables


# --- typed conversion ---------------------------------------------------------------------------

class _CellError(ValueError):
    """A cell's value is not acceptable; the message says how to fix it."""


def _to_int(text: str) -> int:
    cleaned = text.replace(",", "").replace(" ", "").replace("\u00a0", "")
    try:
        number = float(cleaned)
    except ValueError:
        raise _CellError("Not a whole number; write digits only, e.g. 1200.") from None
    if not math.isfinite(number) or not number.is_integer():
        raise _CellError("Not a whole number; write digits only, e.g. 1200.")
    if number < 0:
        raise _CellError("Must be 0 or more.")
    return int(number)


def _to_float(text: str) -> float:
    try:
        number = float(text.replace(",", "") if text.count(".") else text.replace(",", "."))
    except ValueError:
        raise _CellError("Not a number; write e.g. 41.7658 (a dot for decimals).") from None
    if not math.isfinite(number):
        raise _CellError("Not a finite number.")
    return number


def _to_date(text: str) -> str:
    match = _DATE_PATTERN.match(text)
    if not match:
        raise _CellError("Not a date; write YYYY-MM-DD, YYYY-MM or YYYY (e.g. 2014-09).")
    year, month, day = (int(g) if g else None for g in match.groups())
    try:
        dt.date(year, month or 1, day or 1)
    except ValueError:
        raise _CellError("No such date; write YYYY-MM-DD, YYYY-MM or YYYY.") from None
    if not 1800 <= year <= dt.date.today().year + 10:
        raise _CellError(f"The year {year} is out of range.")
    return "-".join([f"{year:04d}"] + [f"{v:02d}" for v in (month, day) if v])


def _to_bool(text: str) -> bool:
    lowered = text.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise _CellError("Write yes or no.")


def _normalise_language(item: str) -> str:
    return item if any(c.isupper() for c in item) else item.title()


def _to_list(text: str, column: schema.Column) -> list[str]:
    separator = schema.LIST_SEPARATOR if schema.LIST_SEPARATOR in text else ","
    items = [item.strip() for item in text.split(separator) if item.strip()]
    if column.choices:
        out = []
        for item in items:
            value = item.lower().replace(" ", "_")
            if value not in column.choices:
                raise _CellError(f'"{item}" is not one of: {", ".join(column.choices)}.'
                                 + did_you_mean(item, column.choices))
            out.append(value)
        return list(dict.fromkeys(out))
    seen: dict[str, str] = {}
    for item in items:
        seen.setdefault(item.casefold(), _normalise_language(item))
    return list(seen.values())


def _to_choice(text: str, column: schema.Column) -> str:
    value = text.lower().replace(" ", "_").replace("-", "_")
    if value not in column.choices:
        raise _CellError(f"Must be one of: {', '.join(column.choices)}."
                         + did_you_mean(text, column.choices))
    return value


def _to_id(text: str) -> str:
    if not _ID_PATTERN.match(text):
        raise _CellError("Ids may hold letters, digits and - _ . : only (no spaces), "
                         "e.g. asylum-hill.")
    return text


def _convert(text: str, column: schema.Column) -> Any:
    kind = column.type
    if kind == "id":
        return _to_id(text)
    if kind == "int":
        return _to_int(text)
    if kind == "float":
        return _to_float(text)
    if kind == "date":
        return _to_date(text)
    if kind == "bool":
        return _to_bool(text)
    if kind == "list":
        return _to_list(text, column)
    if kind == "choice":
        return _to_choice(text, column)
    return text  # text, ref, neighborhood: resolved later


def _type_table(table: str, raw: RawTable, problems: list[Problem]) -> pd.DataFrame:
    """Check columns and convert every cell; rows with an error are dropped (and reported)."""
    columns = schema.TABLES[table]
    names = [c.name for c in columns]
    present = set(raw.columns)
    missing = [c for c in columns if c.required and c.name not in present]
    unknown = [c for c in raw.columns if c and c not in names]
    for column in missing:
        hint = did_you_mean(column.name, unknown) if unknown else ""
        problems.append(Problem(raw.file, f"Missing required column '{column.name}' "
                                f"({column.description}).{hint}", column=column.name))
    for name in unknown:
        if not did_you_mean(name, [c.name for c in missing]):
            problems.append(Problem(raw.file, f"Unknown column '{name}' is ignored."
                                    + did_you_mean(name, names), column=name,
                                    severity="warning"))
    duplicated = {c for c in raw.columns if c and raw.columns.count(c) > 1}
    for name in sorted(duplicated):
        problems.append(Problem(raw.file, f"The column '{name}' appears twice; keep one.",
                                column=name))
    missing_names = {c.name for c in missing}

    # Rows with a bad cell are kept (the cell set to None) so that cross-table checks still see
    # their ids: one typo must not cascade into "unknown id" errors elsewhere.
    out_rows = []
    for row, number in zip(raw.rows, raw.row_numbers):
        typed: dict[str, Any] = {"_row": number}
        for column in columns:
            text = row.get(column.name, "").strip()
            if not text:
                if (column.required and column.type != "bool"
                        and column.name not in missing_names):
                    problems.append(Problem(raw.file, f"'{column.name}' is required "
                                            f"({column.description})", row=number,
                                            column=column.name))
                typed[column.name] = False if column.type == "bool" else (
                    [] if column.type == "list" else None)
                continue
            try:
                typed[column.name] = _convert(text, column)
            except _CellError as exc:
                problems.append(Problem(raw.file, str(exc), row=number, column=column.name,
                                        value=text))
                typed[column.name] = [] if column.type == "list" else None
        out_rows.append(typed)
    return pd.DataFrame(out_rows, columns=["_row", *names])


# --- boundaries ---------------------------------------------------------------------------------

def _read_boundaries(folder: Path, name_field: str,
                     problems: list[Problem]) -> tuple[gpd.GeoDataFrame | None, str]:
    path = next((folder / f for f in schema.BOUNDARY_FILES if (folder / f).exists()), None)
    if path is None:
        problems.append(Problem(schema.BOUNDARY_FILES[0], "No boundary file: add the "
                                "neighborhoods' polygons as neighborhoods.geojson, "
                                "neighborhoods.gpkg or neighborhoods.zip (a zipped Shapefile)."))
        return None, schema.BOUNDARY_FILES[0]
    file = path.name
    if path.stat().st_size > settings.MAX_UPLOAD_BYTES:
        problems.append(Problem(file, "The boundary file is larger than "
                                f"{settings.MAX_UPLOAD_BYTES // 2**20} MB; simplify it."))
        return None, file
    try:
        frame = gpd.read_file(path)
    except Exception as exc:  # pyogrio raises DataSourceError and friends
        problems.append(Problem(file, f"Cannot read the boundary file ({type(exc).__name__}: "
                                f"{str(exc)[:160]}). It may be truncated or not GeoJSON / "
                                "GeoPackage / zipped Shapefile: export it again from your GIS."))
        return None, file
    if frame.crs is None:
        problems.append(Problem(file, "The boundary file declares no coordinate reference "
                                "system (CRS). Export it again with its CRS (a Shapefile needs "
                                "its .prj file inside the zip)."))
        return None, file
    if name_field not in frame.columns:
        problems.append(Problem(file, f"The features have no '{name_field}' property with the "
                                "neighborhood's name. Set boundary_name_field in city.toml."
                                + did_you_mean(name_field, [str(c) for c in frame.columns]),
                                column=name_field))
        return None, file
    if frame.empty:
        problems.append(Problem(file, "The boundary file has no features."))
        return None, file
    bad = False
    for index, (name, geometry) in enumerate(zip(frame[name_field], frame.geometry), start=1):
        label = f"feature {index}"
        if geometry is None or geometry.is_empty:
            problems.append(Problem(file, f"{label} has an empty geometry; draw its polygon "
                                    "or remove the feature.", row=index, value=str(name)))
            bad = True
        elif geometry.geom_type not in ("Polygon", "MultiPolygon"):
            problems.append(Problem(file, f"{label} is a {geometry.geom_type}; neighborhoods must "
                                    "be polygons.", row=index, value=str(name)))
            bad = True
        elif not geometry.is_valid:
            from shapely.validation import explain_validity

            problems.append(Problem(file, f"{label} has an invalid polygon "
                                    f"({explain_validity(geometry)}). Repair it in your GIS "
                                    "(e.g. QGIS 'Fix geometries').", row=index, value=str(name)))
            bad = True
    if bad:
        return None, file
    frame = frame.rename(columns={name_field: "_feature_name"})[["_feature_name", "geometry"]]
    return frame.to_crs(WGS84), file


# --- cross-table checks -------------------------------------------------------------------------

def _check_ids(typed: dict[str, pd.DataFrame], files: dict[str, str],
               problems: list[Problem], known: dict[str, str] | None = None) -> dict[str, str]:
    """Ids are unique within and across tables (and ``known`` ones); returns id -> node kind."""
    kinds: dict[str, str] = dict(known or {})
    first_seen: dict[str, str] = {node_id: "the data already stored" for node_id in kinds}
    for table, id_column in schema.ID_COLUMNS.items():
        frame = typed.get(table)
        if frame is None or frame.empty:
            continue
        for node_id, number in zip(frame[id_column], frame["_row"]):
            if node_id is None:
                continue
            if node_id in kinds:
                problems.append(Problem(files[table], f"Duplicate id '{node_id}' (already used in "
                                        f"{first_seen[node_id]}). Ids must be unique across all "
                                        "tables.", row=number, column=id_column, value=node_id))
                continue
            kinds[node_id] = schema.KIND_OF_TABLE[table]
            first_seen[node_id] = f"{files[table]}"
    return kinds


def _suggestion(value: str, matcher: NameMatcher) -> str:
    """' Did you mean "x"?' for the closest known name, or an empty string."""
    suggestion = matcher.suggest(value)
    return f' Did you mean "{suggestion}"?' if suggestion else ""


def _neighborhood_hint(value: str, matcher: NameMatcher) -> str:
    return "Unknown neighborhood; use a name or id from neighborhoods.csv." + \
        _suggestion(value, matcher)


def _resolve_neighborhoods(typed: dict[str, pd.DataFrame], files: dict[str, str],
                           matcher: NameMatcher, problems: list[Problem]) -> None:
    for table, columns in schema.TABLES.items():
        frame = typed.get(table)
        if frame is None or frame.empty:
            continue
        for column in (c for c in columns if c.type == "neighborhood"):
            resolved = []
            for value, number in zip(frame[column.name], frame["_row"]):
                if value is None or (isinstance(value, float) and math.isnan(value)):
                    resolved.append(None)
                    continue
                match = matcher.match(value)
                if match is None:
                    problems.append(Problem(files[table], _neighborhood_hint(value, matcher),
                                            row=number, column=column.name, value=value))
                resolved.append(match)
            frame[column.name] = resolved


def _tie_key(source: str, target: str, tie_type: str) -> tuple[str, str, str]:
    """A tie's identity: a partnership is the same whichever way round it is written."""
    if tie_type == "partnership" and target < source:
        source, target = target, source
    return source, target, tie_type


def _check_ties(ties: pd.DataFrame, file: str, kinds: dict[str, str], matcher: NameMatcher,
                problems: list[Problem], seen: set[tuple[str, str, str]] | None = None
                ) -> pd.DataFrame:
    """Check every tie's ends, kinds and strength; drop repeated ties (a warning).

    ``seen`` holds the keys (:func:`_tie_key`) of ties already accepted, e.g. those stored.
    """
    seen = set() if seen is None else seen
    keep: list[int] = []
    sources, targets = ties["source_id"].tolist(), ties["target_id"].tolist()
    for position, (number, tie_type, value_s, value_t, strength) in enumerate(zip(
            ties["_row"].tolist(), ties["tie_type"].tolist(), sources, list(targets),
            ties["strength"].tolist())):
        if tie_type is None or value_s is None or value_t is None:
            continue  # already reported as a missing or bad cell
        source_kind, target_kind = schema.TIE_TYPES[tie_type]
        ends = {}
        ok = True
        for column, value, wanted in (("source_id", value_s, source_kind),
                                      ("target_id", value_t, target_kind)):
            node_id = value if value in kinds else (
                matcher.match(value) if wanted == schema.NEIGHBORHOOD else None)
            if node_id is None:
                if wanted == schema.NEIGHBORHOOD:
                    hint = _suggestion(value, matcher)
                else:
                    hint = did_you_mean(value, [k for k, v in kinds.items() if v == wanted])
                problems.append(Problem(file, f"The tie points to an unknown id. Add '{value}' "
                                        f"to the {wanted} table or correct the id.{hint}",
                                        row=number, column=column, value=value))
                ok = False
            elif kinds[node_id] != wanted:
                problems.append(Problem(file, f"A {tie_type} tie goes from a {source_kind} to a "
                                        f"{target_kind}, but '{value}' is a {kinds[node_id]}.",
                                        row=number, column=column, value=value))
                ok = False
            ends[column] = node_id
        if not ok:
            continue
        if ends["source_id"] == ends["target_id"]:
            problems.append(Problem(file, "A tie cannot link an id to itself.", row=number,
                                    column="target_id", value=value_t))
            continue
        key = _tie_key(ends["source_id"], ends["target_id"], tie_type)
        if key in seen:
            problems.append(Problem(file, "This tie is listed twice; keep one row (the second is "
                                    "ignored).", row=number, severity="warning",
                                    value=f"{value_s} -> {value_t}"))
            continue
        seen.add(key)
        if strength is not None and not pd.isna(strength) and not 1 <= strength <= 3:
            problems.append(Problem(file, "strength must be 1 (weak), 2 (working) or 3 "
                                    "(strong).", row=number, column="strength",
                                    value=str(strength)))
            continue
        sources[position], targets[position] = ends["source_id"], ends["target_id"]
        keep.append(position)
    checked = ties.assign(source_id=sources, target_id=targets)
    return checked.iloc[keep]


def _match_boundaries(neighborhoods: pd.DataFrame, boundaries: gpd.GeoDataFrame, file: str,
                      nbhd_file: str, problems: list[Problem]) -> gpd.GeoDataFrame:
    feature_matcher = NameMatcher({str(n): str(n) for n in boundaries["_feature_name"]})
    counts = boundaries["_feature_name"].map(name_key).value_counts()
    for name in boundaries["_feature_name"]:
        if counts[name_key(name)] > 1:
            problems.append(Problem(file, "Two features carry the same neighborhood name; merge "
                                    "them into one (multi)polygon.", value=str(name)))
            counts[name_key(name)] = 0  # report once
    geometry_by_key = {name_key(n): g for n, g in zip(boundaries["_feature_name"],
                                                       boundaries.geometry)}
    ids, geometries, used = [], [], set()
    for node_id, name, number in zip(neighborhoods["neighborhood_id"], neighborhoods["name"],
                                     neighborhoods["_row"]):
        key = next((k for k in (name_key(name), name_key(node_id)) if k in geometry_by_key), None)
        if key is None:
            hint = _suggestion(name, feature_matcher)
            problems.append(Problem(nbhd_file, f"No feature with this name in {file}: the name "
                                    f"must match the boundary file.{hint}", row=number,
                                    column="name", value=name))
            continue
        used.add(key)
        ids.append(node_id)
        geometries.append(geometry_by_key[key])
    for name in boundaries["_feature_name"]:
        if name_key(name) not in used:
            problems.append(Problem(file, "This feature has no row in neighborhoods.csv and is "
                                    "not loaded.", value=str(name), severity="warning"))
    return gpd.GeoDataFrame({"neighborhood_id": ids, "geometry": geometries},
                            geometry="geometry", crs=WGS84)


def _metric_crs(config: dict, boundaries: gpd.GeoDataFrame | None,
                problems: list[Problem]) -> str:
    configured = config.get("metric_crs")
    if configured:
        from pyproj import CRS
        from pyproj.exceptions import CRSError

        try:
            crs = CRS.from_user_input(configured)
        except CRSError:
            problems.append(Problem(schema.CITY_FILE, "metric_crs is not a known CRS; write e.g. "
                                    '"EPSG:32618".', column="metric_crs", value=str(configured)))
            return "EPSG:3857"
        if not crs.is_projected:
            problems.append(Problem(schema.CITY_FILE, "metric_crs must be projected (in metres), "
                                    'e.g. a UTM zone such as "EPSG:32618".', column="metric_crs",
                                    value=str(configured)))
        return str(configured)
    if boundaries is not None and not boundaries.empty:
        return boundaries.estimate_utm_crs().to_string()
    return "EPSG:3857"


def _check_tables(raw_tables: dict[str, RawTable], problems: list[Problem]
                  ) -> tuple[dict[str, pd.DataFrame], dict[str, str]]:
    """Type every table and run the cross-table checks; returns typed tables and file names."""
    typed: dict[str, pd.DataFrame] = {}
    files: dict[str, str] = {}
    for table in schema.TABLES:
        raw = raw_tables.get(table)
        files[table] = raw.file if raw else f"{table}.csv"
        if raw is None:
            typed[table] = pd.DataFrame(columns=["_row", *schema.column_names(table)])
            continue
        typed[table] = _type_table(table, raw, problems)

    kinds = _check_ids(typed, files, problems)
    neighborhoods = typed["neighborhoods"]
    matcher = NameMatcher.from_names(zip(neighborhoods["neighborhood_id"], neighborhoods["name"]))
    _resolve_neighborhoods(typed, files, matcher, problems)
    typed["ties"] = _check_ties(typed["ties"], files["ties"], kinds, matcher, problems)
    committees = typed["committees"]
    active = committees[committees["status"] == "active"]
    for nbhd in active["neighborhood"][active["neighborhood"].duplicated()].dropna().unique():
        problems.append(Problem(files["committees"], "Two active committees cover the same "
                                "neighborhood; is one of them forming or ended?", value=nbhd,
                                severity="warning"))
    return typed, files


def cell_text(value: Any, column: schema.Column | None = None) -> str | int | float:
    """A table value as a spreadsheet cell: lists joined by ';', booleans yes/no, missing empty.

    Examples
    --------
    >>> cell_text(["English", "Spanish"]), cell_text(True), cell_text(None)
    ('English;Spanish', 'yes', '')
    """
    if isinstance(value, (list, tuple)):
        return schema.LIST_SEPARATOR.join(str(v) for v in value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if isinstance(value, float) and value.is_integer() and column is not None \
            and column.type == "int":
        return int(value)
    return value


def text_tables(city: CityData) -> dict[str, pd.DataFrame]:
    """The city's tables as the cells of its data folder (schema column order).

    Neighborhood references are written as names, as a convener would type them.
    """
    names = dict(zip(city.tables["neighborhoods"]["neighborhood_id"],
                     city.tables["neighborhoods"]["name"]))
    out = {}
    for table, columns in schema.TABLES.items():
        frame = city.tables.get(table, pd.DataFrame(columns=[c.name for c in columns]))
        rows = []
        for record in frame.to_dict("records"):
            row = {}
            for column in columns:
                value = record.get(column.name)
                if column.type == "neighborhood" and value in names:
                    value = names[value]
                row[column.name] = cell_text(value, column)
            rows.append(row)
        out[table] = pd.DataFrame(rows, columns=[c.name for c in columns])
    return out


EDITABLE_TABLES = ("organizations", "communities", "navigators", "committees", "ties")


def add_records(city: CityData, table: str, rows: list[dict[str, Any]]) -> CityData:
    """The city with rows added to one table, checked exactly like a data folder.

    What a convener records in a working session (a new tie, a new organization) passes the
    same checks as a file: ids unique, ties to known ids of the right kinds, neighborhoods
    matched forgivingly, vocabularies, dates, provenance.

    Parameters
    ----------
    city : CityData
        The current city (left unchanged).
    table : str
        One of :data:`EDITABLE_TABLES` (neighborhoods need polygons: load a folder instead).
    rows : list of dict
        Cell texts keyed by column, as in a spreadsheet (lists separated by ';', yes/no).

    Returns
    -------
    CityData
        A new city with the rows appended.

    Raises
    ------
    ValidationError
        Listing every problem of the new rows.
    DataError
        For a table that cannot be edited this way.

    Examples
    --------
    >>> add_records(city, "ties", [{"source_id": "lib", "target_id": "clinic",
    ...     "tie_type": "partnership", "source": "working session", "source_date": "2026-11",
    ...     "illustrative": "no"}])  # doctest: +SKIP
    """
    if table not in EDITABLE_TABLES:
        raise DataError(f"Rows can be added to {', '.join(EDITABLE_TABLES)}; '{table}' needs a "
                        "data folder (coalition init).")
    # The stored city is already valid: only the new rows are typed and checked against it, so
    # recording one tie costs the same in a city of 50 members or of 10,000.
    existing = city.tables[table]
    records = [{_normalise_header(k): "" if v is None else str(v).strip() for k, v in row.items()}
               for row in rows]
    columns = list(dict.fromkeys([*schema.column_names(table), *(k for r in records for k in r)]))
    first_row = len(existing) + 2  # as if appended to the table's file
    raw = RawTable(f"{table}.csv", columns, records,
                   list(range(first_row, first_row + len(records))))
    problems: list[Problem] = []
    typed = _type_table(table, raw, problems)
    files = {name: f"{name}.csv" for name in schema.TABLES}
    known = {}
    for name, id_column in schema.ID_COLUMNS.items():
        kind = schema.KIND_OF_TABLE[name]
        known.update(dict.fromkeys(map(str, city.tables[name][id_column].tolist()), kind))
    kinds = _check_ids({table: typed}, files, problems, known=known)
    neighborhoods = city.tables["neighborhoods"]
    matcher = NameMatcher.from_names(zip(neighborhoods["neighborhood_id"], neighborhoods["name"]))
    _resolve_neighborhoods({table: typed}, files, matcher, problems)
    if table == "ties":
        stored = {_tie_key(str(s), str(t), str(k)) for s, t, k in zip(
            existing["source_id"].tolist(), existing["target_id"].tolist(),
            existing["tie_type"].tolist())}
        typed = _check_ties(typed, files["ties"], kinds, matcher, problems, seen=stored)
        repeated = [p for p in problems if p.message.startswith("This tie is listed twice")]
        for problem in repeated:
            problems.append(Problem(problem.file, "This tie is already recorded: nothing new "
                                    "to save.", row=problem.row, value=problem.value))
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise ValidationError(errors)
    added = typed.drop(columns="_row")
    tables = dict(city.tables)
    tables[table] = pd.concat([existing, added[existing.columns]], ignore_index=True) \
        if len(existing) else added.reset_index(drop=True)
    return CityData(name=city.name, tables=tables, boundaries=city.boundaries,
                    metric_crs=city.metric_crs, meta=dict(city.meta))


# --- entry points -------------------------------------------------------------------------------

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
        raise DataError(f"'{folder}' is not a folder. Give the path of a city data folder "
                        "(see data/template/).")
    problems: list[Problem] = []
    config = _read_city_toml(folder, problems)
    name_field = str(config.get("boundary_name_field", "name"))
    raw_tables = _read_tables(folder, problems)
    typed, files = _check_tables(raw_tables, problems)
    neighborhoods = typed["neighborhoods"]

    boundaries, boundary_file = _read_boundaries(folder, name_field, problems)
    matched = None
    if boundaries is not None and not neighborhoods.empty:
        matched = _match_boundaries(neighborhoods, boundaries, boundary_file,
                                    files["neighborhoods"], problems)
    if neighborhoods.empty and "neighborhoods" in raw_tables:
        problems.append(Problem(files["neighborhoods"], "No neighborhoods: add at least one row."))
    metric_crs = _metric_crs(config, boundaries, problems)

    report = ValidationReport(problems=problems)
    if report.ok and matched is not None:
        tables = {t: f.drop(columns="_row").reset_index(drop=True) for t, f in typed.items()}
        report.city = CityData(
            name=str(config.get("name") or folder.resolve().name),
            tables=tables,
            boundaries=matched,
            metric_crs=metric_crs,
            meta={"source_dir": str(folder.resolve()),
                  "warnings": [p.as_dict() for p in report.warnings]},
        )
    for problem in problems:
        log.debug("%s", problem)
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
